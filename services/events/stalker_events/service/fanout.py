"""Fan-out: in the transaction that records an event, one pending delivery for each active webhook
subscription it matches, so a delivery exists if and only if its event does. A producer's subscription
gets a project's events only while its owner is still that project's producer (project_role, kept here
from the project events the log records)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_events.db.log import Event
from stalker_events.db.webhooks import (
    ProjectRevision,
    ProjectRole,
    UserStanding,
    WebhookDelivery,
    WebhookSubscription,
)
from stalker_shared.access import ProjectRole as Role
from stalker_shared.access import role_of
from stalker_shared.contracts.catalog import ProjectState, UserDeleted, UserState
from stalker_shared.messaging.topology import topic_matches
from stalker_shared.repository import upsert

_ROLES = cast(Table, ProjectRole.__table__)
_ACTIVE = (
    select(
        WebhookSubscription.id,
        WebhookSubscription.type_patterns,
        WebhookSubscription.project_ids,
        WebhookSubscription.owner_id,
        WebhookSubscription.owner_is_admin,
        UserStanding.is_admin,
        UserStanding.active,
        UserStanding.deleted,
    )
    .outerjoin(UserStanding, UserStanding.id == WebhookSubscription.owner_id)
    .where(WebhookSubscription.active.is_(True))
)


async def fan_out(session: AsyncSession, event: Event) -> int:
    """Queue the event for every subscription it matches; how many."""
    subscribers = []
    for sub in await session.execute(_ACTIVE):
        if sub.type_patterns and not any(topic_matches(p, event.type) for p in sub.type_patterns):
            continue
        if sub.project_ids and event.project_id not in sub.project_ids:
            continue
        if sub.deleted or sub.active is False:
            continue  # the owner can no longer read anything
        # The owner's rights now (their last user event), or as they were when the webhook was made.
        owner_is_admin = sub.owner_is_admin if sub.is_admin is None else sub.is_admin
        if not owner_is_admin and not await _produces(session, sub.owner_id, event.project_id):
            continue
        subscribers.append({"subscription_id": sub.id, "event_id": event.id})
    if subscribers:
        await session.execute(insert(WebhookDelivery), subscribers)
    return len(subscribers)


async def _produces(session: AsyncSession, user_id: int, project_id: int | None) -> bool:
    if project_id is None:
        return False
    role = await session.scalar(
        select(ProjectRole.role).where(ProjectRole.project_id == project_id, ProjectRole.user_id == user_id)
    )
    return role == Role.PRODUCER.value


async def keep_standing(session: AsyncSession, user: UserState | UserDeleted) -> None:
    """A user's admin rights and activity as of their newest event (a deletion for good)."""
    if isinstance(user, UserDeleted):
        values = {
            "id": user.id,
            "is_admin": False,
            "active": False,
            "deleted": True,
            "revision": user.revision,
        }
        newer = UserStanding.revision <= user.revision
    else:
        values = {"id": user.id, "is_admin": user.is_admin, "active": user.active, "revision": user.revision}
        newer = (UserStanding.revision < user.revision) & UserStanding.deleted.is_(False)
    await upsert(session, UserStanding, values, {k: v for k, v in values.items() if k != "id"}, newer)


async def keep_roles(session: AsyncSession, project: ProjectState) -> None:
    """The project's members as of its newest state (a deleted project keeps its last ones)."""
    newer = ProjectRevision.revision < project.revision
    values = {"id": project.id, "revision": project.revision}
    if not await upsert(session, ProjectRevision, values, {"revision": project.revision}, newer):
        return
    await session.execute(delete(_ROLES).where(_ROLES.c.project_id == project.id))
    roles = {m.user_id: role_of(m.role).value for m in project.members}
    if roles:
        rows = [{"project_id": project.id, "user_id": u, "role": r} for u, r in roles.items()]
        await session.execute(insert(_ROLES), rows)
