"""Managing webhook subscriptions: admins any, a project's producers their own for the projects they
produce; to anyone else another's subscription does not exist (404)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_events.db.log import Event
from stalker_events.db.webhooks import (
    PARKED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from stalker_events.domain.patterns import expand_types
from stalker_events.domain.targets import Network, resolve_target
from stalker_shared.access import Access, ProjectRole
from stalker_shared.db import utcnow
from stalker_shared.errors import Conflict, Forbidden, NotFound
from stalker_shared.scope import UNSCOPED


@dataclass(frozen=True)
class Rules:
    known_types: Sequence[str]
    allowed_networks: Sequence[Network]
    max_per_owner: int


@dataclass(frozen=True)
class Definition:
    url: str
    description: str
    types: list[str]
    project_ids: list[int]
    active: bool


def new_secret() -> str:
    """32 random bytes in the Standard Webhooks form (`whsec_` + base64) that verification libraries read."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def check(definition: Definition, access: Access, rules: Rules) -> None:
    """422 naming the field for a pattern matching nothing or an unreachable URL; 403 for projects the
    caller does not produce."""
    expand_types(definition.types, rules.known_types, field="types")
    await resolve_target(definition.url, rules.allowed_networks)
    if access.is_admin:
        return
    if not definition.project_ids:
        raise Forbidden(
            "only admins may subscribe to every project: name the projects you produce", "project_ids"
        )
    others = [p for p in definition.project_ids if access.roles.get(p) != ProjectRole.PRODUCER]
    if others:
        raise Forbidden(f"you are not the producer of project(s) {others}", "project_ids")


async def create(
    session: AsyncSession, access: Access, definition: Definition, rules: Rules
) -> WebhookSubscription:
    await check(definition, access, rules)
    owned = await session.scalar(
        select(func.count())
        .select_from(WebhookSubscription)
        .where(WebhookSubscription.owner_id == access.user_id)
    )
    if (owned or 0) >= rules.max_per_owner:
        raise Conflict(f"you already have {owned} webhooks, the most one person may have", "url")
    subscription = WebhookSubscription(
        url=definition.url,
        description=definition.description,
        type_patterns=definition.types,
        project_ids=definition.project_ids,
        active=definition.active,
        secret=new_secret(),
        owner_id=access.user_id,
        owner_is_admin=access.is_admin,
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def visible(
    session: AsyncSession, access: Access, subscription_id: int, *, for_update: bool = False
) -> WebhookSubscription:
    subscription = await session.get(WebhookSubscription, subscription_id, with_for_update=for_update)
    if subscription is None or not (access.is_admin or subscription.owner_id == access.user_id):
        raise NotFound(f"webhook {subscription_id} not found", "webhook_id")
    return subscription


async def listed(session: AsyncSession, access: Access) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if not access.is_admin:
        query = query.where(WebhookSubscription.owner_id == access.user_id)
    return list(await session.scalars(query))


async def change(
    subscription: WebhookSubscription, access: Access, definition: Definition, rules: Rules
) -> None:
    await check(definition, access, rules)
    subscription.url, subscription.description = definition.url, definition.description
    subscription.type_patterns, subscription.project_ids = definition.types, definition.project_ids
    subscription.active = definition.active
    if access.user_id == subscription.owner_id:  # an admin editing another's webhook gives it no rights
        subscription.owner_is_admin = access.is_admin


def enable(subscription: WebhookSubscription) -> None:
    """After an endpoint was disabled for failing: try it again now, from its oldest pending delivery."""
    subscription.disabled_at = subscription.disabled_reason = None
    subscription.consecutive_failures, subscription.next_attempt_at = 0, utcnow()


async def counts(session: AsyncSession, ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(subscription, status) -> deliveries, for the pending and parked ones."""
    if not ids:
        return {}
    rows = await session.execute(
        select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.subscription_id.in_(ids), WebhookDelivery.status.in_((PENDING, PARKED)))
        .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)
    )
    return {(s, status): n for s, status, n in rows}


async def deliveries(
    session: AsyncSession, subscription_id: int, status: str | None, after: int, limit: int
) -> list[tuple[WebhookDelivery, Event]]:
    query = (
        select(WebhookDelivery, Event)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.id > after)
        .order_by(WebhookDelivery.id)
        .limit(limit)
        # The subscription's owner may see its deliveries (checked by `visible`), whatever the projects
        # they can read today: a producer who left a project still sees what was sent there.
        .execution_options(**{UNSCOPED: True})
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return [(d, e) for d, e in await session.execute(query)]


async def delivery(session: AsyncSession, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    found = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if found is None or found.subscription_id != subscription_id:
        raise NotFound(f"delivery {delivery_id} of webhook {subscription_id} not found", "delivery_id")
    return found


async def attempts(session: AsyncSession, delivery_id: int) -> list[WebhookAttempt]:
    query = (
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id).order_by(WebhookAttempt.id)
    )
    return list(await session.scalars(query))


def redeliver(subscription: WebhookSubscription, found: WebhookDelivery) -> None:
    """Send it again, with the same webhook-id: the receiver can tell it has it already."""
    found.status, found.attempts, found.parked_reason, found.delivered_at = PENDING, 0, None, None
    subscription.next_attempt_at = min(subscription.next_attempt_at, utcnow())
