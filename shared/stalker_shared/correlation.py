"""The correlation and causation ids of the work in progress, carried across HTTP and messages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


def new_id() -> str:
    return str(uuid.uuid4())


def current_correlation_id() -> str:
    """The current correlation id; a fresh one when no request or message started this work."""
    return _correlation_id.get() or new_id()


def current_causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def correlation_scope(correlation_id: str, causation_id: str | None = None) -> Iterator[None]:
    """Bind ids for the duration of a request or a message, and into every log line inside it."""
    tokens = (_correlation_id.set(correlation_id), _causation_id.set(causation_id))
    with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, causation_id=causation_id):
        try:
            yield
        finally:
            _causation_id.reset(tokens[1])
            _correlation_id.reset(tokens[0])
