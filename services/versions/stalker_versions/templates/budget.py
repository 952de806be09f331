"""A ceiling on the Python work one render may do.

Jinja2's sandbox stops access to Python internals but not loops or recursion that run for minutes
(`{% for a in range(1000) %}{% for b in range(1000) %}...`, a macro calling itself twice). Templates
compile to Python, so a trace function counts the calls and lines they run and raises once a render
goes past its budget. Tracing costs little here: a filename template runs a few hundred lines.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
# Every this many steps the clock is read and, in a worker thread, the GIL offered to the other threads:
# the interpreter would only hand it over every 5 ms (sys.getswitchinterval), and the event loop's
# thread needs it many times to answer one request.
_CHECK_EVERY = 64
_PATIENCE = 0.005


class BudgetExceeded(Exception):
    """The render ran past its step or time budget."""


def run_with_budget(work: Callable[[], T], *, max_steps: int, max_seconds: float) -> T:
    """Run `work` in this thread; it raises BudgetExceeded past `max_steps` traced events or `max_seconds`."""
    previous = sys.gettrace()
    yield_gil = threading.current_thread() is not threading.main_thread()
    steps = 0
    started = time.perf_counter()
    deadline = started + max_seconds
    # A short render keeps the GIL (giving it up can also give up the CPU on a busy machine).
    patient_until = started + _PATIENCE

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        steps += 1
        if steps > max_steps:
            raise BudgetExceeded(f"the template does too much work (over {max_steps} steps)")
        if steps % _CHECK_EVERY == 0:
            now = time.perf_counter()
            if now > deadline:
                raise BudgetExceeded(f"the template took longer than {max_seconds:g} s to render")
            if yield_gil and now > patient_until:
                time.sleep(0)
        return tracer

    sys.settrace(tracer)
    try:
        return work()
    finally:
        # A trace function that raised is already removed; the previous one (a debugger, coverage) is back.
        sys.settrace(previous)
