"""A ceiling on the Python work one render may do.

Jinja2's sandbox stops access to Python internals but not loops or recursion that run for minutes
(`{% for a in range(1000) %}{% for b in range(1000) %}...`, a macro calling itself twice). Templates
compile to Python, so a trace function counts the calls and lines they run and raises once a render
goes past its budget. Tracing costs little here: a filename template runs a few hundred lines.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


class BudgetExceeded(Exception):
    """The render ran past its step or time budget."""


def run_with_budget(work: Callable[[], T], *, max_steps: int, max_seconds: float) -> T:
    """Run `work` in this thread; it raises BudgetExceeded past `max_steps` traced events or `max_seconds`."""
    previous = sys.gettrace()
    steps = 0
    deadline = time.perf_counter() + max_seconds

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        steps += 1
        if steps > max_steps:
            raise BudgetExceeded(f"the template does too much work (over {max_steps} steps)")
        if steps % 512 == 0 and time.perf_counter() > deadline:
            raise BudgetExceeded(f"the template took longer than {max_seconds:g} s to render")
        return tracer

    sys.settrace(tracer)
    try:
        return work()
    finally:
        # A trace function that raised is already removed; the previous one (a debugger, coverage) is back.
        sys.settrace(previous)
