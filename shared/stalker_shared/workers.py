"""The background side of a service: its outbox relay and its consumers, started and stopped together."""

from __future__ import annotations

import asyncio

from stalker_shared.consumer import MessageConsumer
from stalker_shared.logging import get_logger
from stalker_shared.runtime import Runtime

_log = get_logger(__name__)


class ServiceWorkers:
    def __init__(self, runtime: Runtime, *, relay: bool = True, consumers: bool = True) -> None:
        self._runtime = runtime
        self._run_relay = relay
        self._consumers: list[MessageConsumer] = runtime.consumers() if consumers else []
        self._run_loops = consumers
        self._stop = asyncio.Event()
        self._relay_task: asyncio.Task[None] | None = None
        self._loop_tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._stop.clear()
        if self._run_relay:
            self._relay_task = asyncio.create_task(self._runtime.relay.run(self._stop))
        for consumer in self._consumers:
            await consumer.start()
        if self._run_loops:
            self._loop_tasks = [
                asyncio.create_task(loop(self._runtime, self._stop))
                for loop in self._runtime.definition.loops
            ]
        started = self._runtime.definition.workers_started
        if started is not None and self._consumers:
            await started()
        _log.info(
            "workers started",
            service=self._runtime.definition.name,
            relay=self._run_relay,
            consumers=[s.consumer_name for s in self._runtime.definition.subscriptions],
        )

    async def stop(self, grace: float) -> bool:
        """Stop taking messages, let in-flight ones finish, then stop the relay. True if nothing was cut."""
        results = await asyncio.gather(*(c.stop(grace) for c in self._consumers))
        self._stop.set()
        background = [t for t in (self._relay_task, *self._loop_tasks) if t is not None]
        if background:
            done, late = await asyncio.wait(background, timeout=grace)
            for task in late:
                task.cancel()
            failed = [t for t in done if not t.cancelled() and t.exception() is not None]
            for task in failed:
                _log.error("background task failed", exc_info=task.exception())
            if late or failed:
                results = [*results, False]
        self._loop_tasks = []
        clean = all(results)
        stopped = self._runtime.definition.workers_stopped
        if stopped is not None and self._consumers:
            stopped()
        _log.info("workers stopped", service=self._runtime.definition.name, clean=clean)
        return clean
