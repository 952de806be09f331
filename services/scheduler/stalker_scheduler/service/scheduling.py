"""Turns a ScheduleRequested into ScheduleCompleted or ScheduleFailed. tj3 runs with no transaction
open; its outcome is then written to the outbox in one short transaction with the inbox row. Every
failure (tj3 missing, a timeout, tj3's errors, invalid input) becomes a ScheduleFailed, so a request is
answered once and never redelivered forever. The outcome echoes the request's part of its job.

A worker takes one request at a time (the subscription's prefetch is 1, definition.py): tj3 keeps a core
busy, so replicas, not concurrent runs in one worker, share a split job's parts."""

from __future__ import annotations

from stalker_scheduler.engine.interface import Tj3Engine
from stalker_scheduler.service.cache import OutcomeCache
from stalker_scheduler.service.compute import schedule_with
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.consumer import SlowHandler
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.contracts.scheduling import ScheduleCompleted, ScheduleFailed, ScheduleRequested
from stalker_shared.logging import get_logger
from stalker_shared.unit_of_work import UnitOfWork

_log = get_logger(__name__)


def schedule_handler(settings: SchedulerSettings, engine: Tj3Engine) -> SlowHandler:
    """The handler of ScheduleRequested: tj3 runs on `engine` (engine/choice.py picks it from `settings`)."""
    cache = OutcomeCache(settings.outcome_cache_size)

    async def run(_: Envelope, request: Contract) -> object:
        assert isinstance(request, ScheduleRequested)
        outcome = await schedule_with(
            request,
            engine,
            timeout=settings.tj3_timeout_seconds,
            yjit=settings.tj3_yjit and len(request.tasks) >= settings.tj3_yjit_min_tasks,
            cache=cache,
        )
        outcome = outcome.model_copy(update={"part": request.part, "parts": request.parts})
        if isinstance(outcome, ScheduleFailed):
            _log.warning(
                "schedule failed",
                job_id=request.job_id,
                part=request.part,
                reason=outcome.reason,
                message=outcome.message,
            )
        else:
            _log.info(
                "schedule computed",
                job_id=request.job_id,
                part=request.part,
                tasks=len(outcome.tasks),
                timings=outcome.timings,
            )
        return outcome

    async def record(uow: UnitOfWork, _: Envelope, __: Contract, outcome: object) -> None:
        assert isinstance(outcome, ScheduleCompleted | ScheduleFailed)
        await uow.publish(outcome)

    return SlowHandler(prepare=run, apply=record)
