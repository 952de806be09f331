"""The correlation and causation ids of the work in progress, carried across HTTP and messages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


# What an id from outside may look like: it travels in HTTP headers, log lines and AMQP short-string
# properties (255 bytes at most), so anything else is replaced by a fresh id.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def new_id() -> str:
    return str(uuid.uuid4())


def accepted_id(supplied: str | None) -> str:
    """`supplied` if it is a bounded ASCII token, else a fresh id."""
    if supplied and _ACCEPTED.fullmatch(supplied):
        return supplied
    return new_id()


def current_correlation_id() -> str:
    """The current correlation id; a fresh one when no request or message started this work."""
    return _correlation_id.get() or new_id()


def current_causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def correlation_scope(correlation_id: str, causation_id: str | None = None) -> Iterator[None]:
    """Bind ids for the duration of a request or a message, and into every log line inside it; an id that
    is not an accepted token is replaced by a fresh one."""
    correlation_id = accepted_id(correlation_id)
    causation_id = None if causation_id is None else accepted_id(causation_id)
    tokens = (_correlation_id.set(correlation_id), _causation_id.set(causation_id))
    with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, causation_id=causation_id):
        try:
            yield
        finally:
            _causation_id.reset(tokens[1])
            _correlation_id.reset(tokens[0])
