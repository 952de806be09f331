"""Runs a service's handlers for one queue with the delivery policy every consumer shares.

- invalid or unknown message (type, version, payload) -> dead-lettered at once, with the reason;
- PermanentFailure from a handler -> dead-lettered at once, with the reason;
- any other error (database away, deadlock...) -> returned to the queue; the broker dead-letters it
  once the queue's delivery limit is reached;
- success -> inbox row, effect and the handler's own outbox rows in one transaction, committed, then acked;
- a message this consumer already processed -> acked without effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from stalker_shared.contracts import Contract, ContractRegistry, Envelope, InvalidMessage
from stalker_shared.correlation import correlation_scope
from stalker_shared.logging import get_logger
from stalker_shared.messaging.topology import Topology
from stalker_shared.messaging.transport import Consumption, Delivery, Transport
from stalker_shared.metrics import CONSUMER_MESSAGES
from stalker_shared.unit_of_work import UnitOfWork

_log = get_logger(__name__)
MAX_RETRY_PAUSE = 10.0

Handler = Callable[[UnitOfWork, Envelope, Contract], Awaitable[None]]


@dataclass(frozen=True)
class SlowHandler:
    """Work that must not hold a database transaction (a tj3 run): `prepare` runs first with no
    transaction open, then `apply` records its outcome in one short transaction with the inbox row.
    A crash during `prepare` redelivers the message and the work runs again."""

    prepare: Callable[[Envelope, Contract], Awaitable[object]]
    apply: Callable[[UnitOfWork, Envelope, Contract, object], Awaitable[None]]


class PermanentFailure(Exception):
    """The message can never succeed (it contradicts this service's state): dead-letter it now."""


@dataclass(frozen=True)
class Subscription:
    """A queue and the handler for each contract that may arrive on it."""

    queue: str
    handlers: Mapping[type[Contract], Handler | SlowHandler]
    prefetch: int | None = None
    """Messages held at once by one consumer; None: the service's `consumer_prefetch` setting."""

    @property
    def consumer_name(self) -> str:
        return self.queue


class MessageConsumer:
    def __init__(
        self,
        *,
        service: str,
        subscription: Subscription,
        registry: ContractRegistry,
        unit_of_work: Callable[[], UnitOfWork],
        transport: Transport,
        topology: Topology,
        prefetch: int,
        retry_backoff: float = 0.5,
    ) -> None:
        self._service = service
        self._subscription = subscription
        self._registry = registry
        self._unit_of_work = unit_of_work
        self._transport = transport
        self._queue = topology.name(subscription.queue)
        self._prefetch = prefetch
        self._retry_backoff = retry_backoff
        self._consumption: Consumption | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        self._consumption = await self._transport.consume(self._queue, self.handle, self._prefetch)

    async def stop(self, grace: float) -> bool:
        """Stop taking messages and let in-flight ones finish; True if all finished within `grace`."""
        if self._consumption is not None:
            await self._consumption.cancel()
            self._consumption = None
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace)
        except TimeoutError:
            return False
        return True

    async def handle(self, delivery: Delivery) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            outcome = await self._handle(delivery)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
        CONSUMER_MESSAGES.labels(self._service, self._subscription.consumer_name, outcome).inc()

    async def _handle(self, delivery: Delivery) -> str:
        try:
            envelope, payload = self._registry.parse(delivery.body)
        except InvalidMessage as exc:
            _log.error("invalid message dead-lettered", queue=self._queue, reason=str(exc))
            await delivery.dead_letter(str(exc))
            return "invalid"
        handler = self._subscription.handlers.get(type(payload))
        if handler is None:
            reason = f"{self._queue} has no handler for {envelope.routing_key}"
            _log.error("unhandled message dead-lettered", queue=self._queue, reason=reason)
            await delivery.dead_letter(reason)
            return "invalid"
        with correlation_scope(envelope.correlation_id, str(envelope.message_id)):
            return await self._apply(delivery, envelope, payload, handler)

    async def _apply(
        self, delivery: Delivery, envelope: Envelope, payload: Contract, handler: Handler | SlowHandler
    ) -> str:
        log = _log.bind(queue=self._queue, message_id=str(envelope.message_id), type=envelope.routing_key)
        consumer = self._subscription.consumer_name
        try:
            prepared: object = None
            if isinstance(handler, SlowHandler):
                async with self._unit_of_work() as uow:
                    first_time = not await uow.already_processed(consumer, envelope.message_id)
                if first_time:
                    prepared = await handler.prepare(envelope, payload)
            async with self._unit_of_work() as uow:
                first_time = await uow.claim_inbox(consumer, envelope.message_id, envelope.routing_key)
                if first_time:
                    if isinstance(handler, SlowHandler):
                        await handler.apply(uow, envelope, payload, prepared)
                    else:
                        await handler(uow, envelope, payload)
                    await uow.commit()
        except PermanentFailure as exc:
            log.error("message refused and dead-lettered", reason=str(exc))
            await delivery.dead_letter(str(exc))
            return "dead_lettered"
        except Exception as exc:
            log.warning(
                "message failed, returned to the queue", error=repr(exc), deliveries=delivery.delivery_count
            )
            await asyncio.sleep(min(self._retry_backoff * 2**delivery.delivery_count, MAX_RETRY_PAUSE))
            await delivery.retry()
            return "retried"
        await delivery.ack()
        if not first_time:
            log.info("duplicate message acknowledged without effect")
            return "duplicate"
        log.info("message processed", deliveries=delivery.delivery_count)
        return "processed"
