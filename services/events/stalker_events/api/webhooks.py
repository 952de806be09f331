"""`/events/v1/webhooks`: subscriptions, their deliveries and attempts, redelivery and re-enabling."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from stalker_events.api.webhook_schemas import (
    AttemptRead,
    DeliveryPage,
    DeliveryRead,
    WebhookChange,
    WebhookIn,
    WebhookRead,
    WebhookWithSecret,
)
from stalker_events.db.log import Event
from stalker_events.db.webhooks import PARKED, PENDING, WebhookDelivery, WebhookSubscription
from stalker_events.domain.patterns import known_types
from stalker_events.service import subscriptions as hooks
from stalker_events.settings import EventsSettings
from stalker_shared.requests import RuntimeDep, Work, principal
from stalker_shared.types import INT64_MAX, BigId, Id


def _rules(runtime: RuntimeDep) -> hooks.Rules:
    settings = runtime.settings
    assert isinstance(settings, EventsSettings)
    return hooks.Rules(
        known_types(runtime.definition.registry),
        settings.webhook_allowed_networks,
        settings.webhook_max_per_owner,
    )


Rules = Annotated[hooks.Rules, Depends(_rules)]


def _read(subscription: WebhookSubscription, counts: dict[tuple[int, str], int]) -> dict[str, object]:
    status = "disabled" if subscription.disabled_at else "active" if subscription.active else "inactive"
    return {
        **{c: getattr(subscription, c) for c in WebhookRead.model_fields if hasattr(subscription, c)},
        "types": subscription.type_patterns,
        "status": status,
        "pending": counts.get((subscription.id, PENDING), 0),
        "parked": counts.get((subscription.id, PARKED), 0),
    }


def _delivery_read(delivery: WebhookDelivery, event: Event) -> DeliveryRead:
    fields = {c: getattr(delivery, c) for c in DeliveryRead.model_fields if hasattr(delivery, c)}
    return DeliveryRead.model_validate(
        fields | {"cursor": event.id, "webhook_id": str(event.message_id), "type": event.type}
    )


async def _one(uow: Work, subscription: WebhookSubscription) -> WebhookRead:
    return WebhookRead.model_validate(_read(subscription, await hooks.counts(uow.session, [subscription.id])))


def webhooks_router() -> APIRouter:
    router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], dependencies=[Depends(principal)])

    @router.post("", status_code=201, response_model=WebhookWithSecret, summary="Subscribe an endpoint")
    async def create(uow: Work, body: WebhookIn, rules: Rules) -> WebhookWithSecret:
        definition = hooks.Definition(body.url, body.description, body.types, body.project_ids, body.active)
        made = await hooks.create(uow.session, uow.access, definition, rules)
        return WebhookWithSecret.model_validate(_read(made, {}) | {"secret": made.secret})

    @router.get("", response_model=list[WebhookRead], summary="The webhooks the caller manages")
    async def list_webhooks(uow: Work) -> list[WebhookRead]:
        found = await hooks.listed(uow.session, uow.access)
        counts = await hooks.counts(uow.session, [s.id for s in found])
        return [WebhookRead.model_validate(_read(s, counts)) for s in found]

    @router.get("/{webhook_id}", response_model=WebhookRead)
    async def read(uow: Work, webhook_id: Id) -> WebhookRead:
        return await _one(uow, await hooks.visible(uow.session, uow.access, webhook_id))

    @router.patch("/{webhook_id}", response_model=WebhookRead)
    async def change(uow: Work, webhook_id: Id, body: WebhookChange, rules: Rules) -> WebhookRead:
        found = await hooks.visible(uow.session, uow.access, webhook_id, for_update=True)
        definition = hooks.Definition(
            found.url if body.url is None else body.url,
            found.description if body.description is None else body.description,
            found.type_patterns if body.types is None else body.types,
            found.project_ids if body.project_ids is None else body.project_ids,
            found.active if body.active is None else body.active,
        )
        await hooks.change(found, uow.access, definition, rules)
        return await _one(uow, found)

    @router.delete("/{webhook_id}", status_code=204, response_class=Response)
    async def delete(uow: Work, webhook_id: Id) -> Response:
        await uow.session.delete(await hooks.visible(uow.session, uow.access, webhook_id, for_update=True))
        return Response(status_code=204)

    @router.post("/{webhook_id}/rotate-secret", response_model=WebhookWithSecret, summary="A new secret")
    async def rotate(uow: Work, webhook_id: Id) -> WebhookWithSecret:
        found = await hooks.visible(uow.session, uow.access, webhook_id, for_update=True)
        found.secret = hooks.new_secret()
        counts = await hooks.counts(uow.session, [found.id])
        return WebhookWithSecret.model_validate(_read(found, counts) | {"secret": found.secret})

    @router.post("/{webhook_id}/enable", response_model=WebhookRead, summary="Try a disabled endpoint again")
    async def enable(uow: Work, webhook_id: Id) -> WebhookRead:
        found = await hooks.visible(uow.session, uow.access, webhook_id, for_update=True)
        hooks.enable(found)
        return await _one(uow, found)

    @router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, summary="Its delivery log")
    async def deliveries(
        uow: Work,
        webhook_id: Id,
        status: Literal["pending", "delivered", "parked"] | None = None,
        after: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> DeliveryPage:
        await hooks.visible(uow.session, uow.access, webhook_id)
        rows = await hooks.deliveries(uow.session, webhook_id, status, after, limit)
        items = [_delivery_read(d, e) for d, e in rows]
        return DeliveryPage(items=items, next_after=items[-1].id if items else after, limit=limit)

    @router.get("/{webhook_id}/deliveries/{delivery_id}/attempts", response_model=list[AttemptRead])
    async def attempts(uow: Work, webhook_id: Id, delivery_id: BigId) -> list[AttemptRead]:
        await hooks.visible(uow.session, uow.access, webhook_id)
        found = await hooks.delivery(uow.session, webhook_id, delivery_id)
        return [AttemptRead.model_validate(a) for a in await hooks.attempts(uow.session, found.id)]

    @router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryRead)
    async def redeliver(uow: Work, webhook_id: Id, delivery_id: BigId) -> DeliveryRead:
        subscription = await hooks.visible(uow.session, uow.access, webhook_id, for_update=True)
        found = await hooks.delivery(uow.session, webhook_id, delivery_id)
        hooks.redeliver(subscription, found)
        ((delivery, event),) = await hooks.deliveries(uow.session, webhook_id, None, found.id - 1, 1)
        return _delivery_read(delivery, event)

    return router
