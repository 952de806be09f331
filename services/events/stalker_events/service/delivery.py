"""The worker's webhook deliveries. Per subscription, in cursor order, one request in flight: a worker
leases a subscription that is due (SKIP LOCKED, so replicas share the work), sends its oldest pending
delivery with no transaction open, records the outcome in a short one, and goes on to the next while the
endpoint keeps accepting. A failing endpoint is tried again after a growing, jittered delay kept in the
row (so a restart, a replica or an admin sees and changes it), never in a sleeping coroutine."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random

import httpx
from sqlalchemy import exists, or_, select, update
from standardwebhooks.webhooks import Webhook

from stalker_events.db.log import Event
from stalker_events.db.webhooks import (
    DELIVERED,
    PARKED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from stalker_events.domain.retry import next_delay
from stalker_events.domain.targets import UnsafeTarget, resolve_target
from stalker_events.settings import EventsSettings
from stalker_events.state import events_state
from stalker_shared.db import utcnow
from stalker_shared.logging import get_logger
from stalker_shared.runtime import Runtime
from stalker_shared.unit_of_work import UnitOfWork
from stalker_shared.waiting import first_set

_log = get_logger(__name__)
EXCERPT = 1024  # bytes of an endpoint's answer kept with the attempt
BURST = 100  # deliveries to one subscription before its lease is given back (fairness between them)
RETRYABLE = frozenset({408, 429})

UnitsOfWork = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    subscription_id: int
    url: str
    secret: str
    message_id: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    excerpt: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def refused(self) -> bool:
        """The endpoint answered and refused this event (retrying it at once will not help)."""
        code = self.status_code
        return code is not None and 400 <= code < 500 and code not in RETRYABLE


def webhook_body(event: Event) -> bytes:
    """What is signed and sent: the Standard Webhooks shape (type, timestamp, data) and the log's facts."""
    document = {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event.payload,
        "event_id": str(event.message_id),
        "cursor": event.id,
        "version": event.version,
        "producer": event.producer,
        "project_id": event.project_id,
        "correlation_id": event.correlation_id,
        "causation_id": event.causation_id,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


async def deliver_webhooks(runtime: Runtime, stop: asyncio.Event) -> None:
    """The worker's loop, until `stop`: claim the subscriptions that are due and drain each in a task of
    its own, so a slow endpoint holds up only itself; look again when a drain ends, when this process
    records an event that queued deliveries, or every `webhook_poll_seconds` (other processes' work)."""
    settings = runtime.settings
    assert isinstance(settings, EventsSettings)
    due = events_state(runtime).deliveries_due
    draining: dict[asyncio.Task[None], int] = {}  # task -> the subscription it sends to

    def drained(task: asyncio.Task[None]) -> None:
        draining.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            _log.error("sending to a webhook failed", exc_info=task.exception())
        due.set()

    async with Sender(runtime.unit_of_work, settings) as sender:
        while not stop.is_set():
            due.clear()
            free = settings.webhook_concurrency - len(draining)
            try:
                busy = set(draining.values())  # never two requests in flight to one endpoint
                for subscription in await sender.claim(free, busy) if free > 0 else []:
                    task = asyncio.create_task(sender.drain(subscription, stop))
                    draining[task] = subscription
                    task.add_done_callback(drained)
            except Exception:  # the database away for a while: try again next round
                _log.exception("claiming webhook deliveries failed; retrying")
            with suppress(TimeoutError):
                await asyncio.wait_for(first_set(due, stop), settings.webhook_poll_seconds)
        if draining:  # each finishes the request in flight and records it
            await asyncio.gather(*draining, return_exceptions=True)


class Sender:
    def __init__(self, units: UnitsOfWork, settings: EventsSettings, rng: Random | None = None) -> None:
        self._units, self._settings, self._rng = units, settings, rng or Random()
        self._lease = timedelta(seconds=settings.webhook_timeout_seconds + 30)
        # No redirects (a 3xx is a failure: it could point anywhere), no proxy from the environment.
        self._client = httpx.AsyncClient(
            follow_redirects=False, trust_env=False, timeout=settings.webhook_timeout_seconds
        )

    async def __aenter__(self) -> Sender:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._client.aclose()

    async def claim(self, limit: int, busy: set[int] | frozenset[int] = frozenset()) -> list[int]:
        """Lease up to `limit` subscriptions due now that have something pending (none of `busy`)."""
        now = utcnow()
        pending = exists().where(
            WebhookDelivery.subscription_id == WebhookSubscription.id, WebhookDelivery.status == PENDING
        )
        due = (
            select(WebhookSubscription)
            .where(
                WebhookSubscription.active.is_(True),
                WebhookSubscription.disabled_at.is_(None),
                WebhookSubscription.next_attempt_at <= now,
                or_(WebhookSubscription.lease_until.is_(None), WebhookSubscription.lease_until < now),
                WebhookSubscription.id.not_in(busy),
                pending,
            )
            .order_by(WebhookSubscription.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._units() as uow:
            subscriptions = list(await uow.session.scalars(due))
            for subscription in subscriptions:
                subscription.lease_until = now + self._lease
            await uow.commit()
        return [s.id for s in subscriptions]

    async def drain(self, subscription_id: int, stop: asyncio.Event) -> None:
        """Send this subscription's pending deliveries in order while they are accepted, then give the
        lease back (each outcome recorded renews it, so no other worker takes the subscription meanwhile)."""
        try:
            for _ in range(BURST):
                if stop.is_set():
                    break
                outgoing = await self._next(subscription_id)
                if outgoing is None:
                    break
                outcome = await self._send(outgoing)
                if not await self._record(outgoing, outcome):
                    break
        finally:
            async with self._units() as uow:
                release = update(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
                await uow.session.execute(release.values(lease_until=None))
                await uow.commit()

    async def _next(self, subscription_id: int) -> Outgoing | None:
        oldest = (
            select(WebhookDelivery.id, WebhookSubscription.url, WebhookSubscription.secret, Event)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.subscription_id == subscription_id,
                WebhookDelivery.status == PENDING,
                WebhookSubscription.active.is_(True),  # paused or disabled meanwhile: stop here
                WebhookSubscription.disabled_at.is_(None),
            )
            .order_by(WebhookDelivery.event_id)
            .limit(1)
        )
        async with self._units() as uow:
            row = (await uow.session.execute(oldest)).first()
        if row is None:
            return None
        delivery_id, url, secret, event = row
        return Outgoing(delivery_id, subscription_id, url, secret, str(event.message_id), webhook_body(event))

    async def _send(self, outgoing: Outgoing) -> Outcome:
        """One attempt, all of it (the lookup, the connection, the answer) within the timeout, which the
        lease outlasts: no second worker can start on this subscription while it runs."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._settings.webhook_timeout_seconds):
                return await self._attempt(outgoing, started)
        except (TimeoutError, httpx.TimeoutException):
            limit = self._settings.webhook_timeout_seconds
            return Outcome(None, _since(started), f"no answer within {limit:g} s")
        except Exception as exc:  # whatever it was (httpx's errors too), an attempt kept and retried later
            return Outcome(None, _since(started), f"{type(exc).__name__}: {exc}"[:500])

    async def _attempt(self, outgoing: Outgoing, started: float) -> Outcome:
        try:
            target = await resolve_target(outgoing.url, self._settings.webhook_allowed_networks)
        except UnsafeTarget as exc:
            return Outcome(None, _since(started), f"refused: {exc}")
        sent_at = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "host": target.host,
            "user-agent": "stalker-events",
            "webhook-id": outgoing.message_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            # Signed afresh on each attempt, so a retry hours later still passes the receiver's
            # timestamp tolerance; the id stays the event's, the receiver's key to drop duplicates.
            "webhook-signature": Webhook(outgoing.secret).sign(outgoing.message_id, sent_at, outgoing.body),
        }
        extensions = {"sni_hostname": target.server_name} if target.server_name else {}
        request = self._client.build_request(
            "POST", target.url, content=outgoing.body, headers=headers, extensions=extensions
        )
        response = await self._client.send(request, stream=True)
        try:
            excerpt = b""
            async for chunk in response.aiter_bytes():
                excerpt += chunk
                if len(excerpt) >= EXCERPT:
                    break
        finally:
            await response.aclose()
        text = excerpt[:EXCERPT].decode("utf-8", "replace")
        return Outcome(response.status_code, _since(started), None, text)

    async def _record(self, outgoing: Outgoing, outcome: Outcome) -> bool:
        """Keep the attempt and its consequence; True to go on with the next delivery now."""
        settings, now = self._settings, utcnow()
        async with self._units() as uow:
            session = uow.session
            delivery = await session.get(WebhookDelivery, outgoing.delivery_id)
            subscription = await session.get(WebhookSubscription, outgoing.subscription_id)
            if delivery is None or subscription is None or delivery.status != PENDING:
                await uow.commit()  # removed or redelivered meanwhile
                return False
            session.add(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    attempted_at=now,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error,
                    response_excerpt=outcome.excerpt,
                )
            )
            delivery.attempts += 1
            subscription.lease_until = now + self._lease
            go_on = False
            if outcome.delivered:
                delivery.status, delivery.delivered_at = DELIVERED, now
                subscription.consecutive_failures, subscription.next_attempt_at = 0, now
                go_on = True
            elif outcome.refused and delivery.attempts >= settings.webhook_refused_attempts:
                delivery.status = PARKED
                delivery.parked_reason = f"refused {delivery.attempts} times; last: {_said(outcome)}"
                subscription.consecutive_failures, subscription.next_attempt_at = 0, now
                go_on = True
            else:
                subscription.consecutive_failures += 1
                if not outcome.refused and delivery.attempts >= settings.webhook_max_attempts:
                    reason = f"{delivery.attempts} attempts failed; last: {_said(outcome)}"
                    delivery.status, delivery.parked_reason = PARKED, reason
                    subscription.disabled_at, subscription.disabled_reason = now, reason
                delay = next_delay(
                    subscription.consecutive_failures,
                    settings.webhook_retry_base_seconds,
                    settings.webhook_retry_cap_seconds,
                    self._rng,
                )
                subscription.next_attempt_at = now + timedelta(seconds=delay)
            await uow.commit()
        return go_on


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _said(outcome: Outcome) -> str:
    if outcome.status_code is None:
        return outcome.error or "no answer"
    excerpt = (outcome.excerpt or "")[:200]
    return f"HTTP {outcome.status_code}" + (f" {excerpt!r}" if excerpt else "")
