"""Renders never run on the event loop: a render thread first, a worker process for the long ones.

Every render starts in one of RENDER_THREADS threads with a small budget (sandbox.FIRST_STEPS and
FIRST_SECONDS), enough for any real filename template many times over and cheap to hop to. A render
that needs more is run again from the start in a worker process (anyio's process pool, at most
RENDER_PROCESSES at once) with the full budget (MAX_STEPS, MAX_SECONDS): a pure-Python render holds
the GIL, and a thread that holds it, or is preempted while holding it on a busy machine, delays every
request of the process (measured: health checks up to 170 ms behind two such threads), while a process
delays none. The worker's memory is capped (worker.py) and the process is killed if it is still
running HARD_SECONDS after its render started, whatever it is doing: the hard time limit. Starting a
worker process (imports, seconds on a loaded machine) is not render time: a worker is readied first, out
of the deadline, and the render then runs in it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar, TypeVarTuple, Unpack

import anyio
import anyio.to_process
from anyio.lowlevel import RunVar

from stalker_versions.domain.errors import ValidationFailed
from stalker_versions.templates.sandbox import NeedsMoreTime, first_budget
from stalker_versions.templates.worker import Outcome, run_in_worker

T = TypeVar("T")
Args = TypeVarTuple("Args")

RENDER_THREADS = 2
RENDER_PROCESSES = 1
HARD_SECONDS = 3.0
# Starting a worker (a Python process importing the sandbox) takes seconds on a loaded machine; one that
# has not answered after this long never will, and the request is refused rather than left waiting.
WORKER_START_SECONDS = 60.0
_THREADS: RunVar[anyio.CapacityLimiter] = RunVar("stalker_versions_render_threads")
_PROCESSES: RunVar[tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]] = RunVar(
    "stalker_versions_render_processes"
)


def _threads() -> anyio.CapacityLimiter:
    """One limiter per event loop (tests run several loops in one process)."""
    try:
        return _THREADS.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(RENDER_THREADS)
        _THREADS.set(limiter)
        return limiter


def _processes() -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
    """The queue for a worker (waiting there is not render time) and the pool's own limiter."""
    try:
        return _PROCESSES.get()
    except LookupError:
        pair = (anyio.CapacityLimiter(RENDER_PROCESSES), anyio.CapacityLimiter(RENDER_PROCESSES))
        _PROCESSES.set(pair)
        return pair


def _ready() -> None:
    """Nothing: run in a worker process, it leaves one idle for the render that follows."""


async def off_loop(work: Callable[[Unpack[Args]], T], *args: *Args) -> T:
    """`work(*args)` (module-level and picklable, as are its arguments) in a render thread, or in a worker
    process when one of its renders needs more than the first budget; its exceptions come back raised."""
    try:
        return await anyio.to_thread.run_sync(partial(first_budget, work, *args), limiter=_threads())
    except NeedsMoreTime:
        pass
    queue, pool = _processes()
    async with queue:
        try:
            with anyio.fail_after(WORKER_START_SECONDS):  # an idle worker, started if there is none
                await anyio.to_process.run_sync(_ready, cancellable=True, limiter=pool)
        except TimeoutError:
            raise ValidationFailed(
                "the template needs a worker process to render and none started; try again", field="template"
            ) from None
        try:
            with anyio.fail_after(HARD_SECONDS):
                outcome: Outcome[T] = await anyio.to_process.run_sync(
                    partial(run_in_worker, work, *args), cancellable=True, limiter=pool
                )
        except TimeoutError:
            raise ValidationFailed(
                f"the template was still rendering after {HARD_SECONDS:g} s and was stopped", field="template"
            ) from None
        except anyio.BrokenWorkerProcess:
            raise ValidationFailed(
                "the template's render stopped its worker process (too much memory?)", field="template"
            ) from None
    return outcome.unwrap()
