"""Checking a webhook delivery on the receiving side: its signature (Standard Webhooks, HMAC-SHA256 over
the id, the timestamp and the body exactly as received) with the subscription's secret, and its
timestamp within five minutes, so a captured request cannot be replayed later."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from stalker_client._errors import StalkerError


class WebhookInvalid(StalkerError):
    """The request is not a genuine, recent delivery for this secret: answer it 400 and drop it."""


def verify_webhook(secret: str, body: bytes | str, headers: Mapping[str, str]) -> dict[str, Any]:
    """The delivery's JSON document (`type`, `timestamp`, `data`, `event_id`, `cursor`...) if `body`, as
    received, is signed with `secret`; WebhookInvalid otherwise. `headers` are the request's (any case);
    its `webhook-id` is the event's id, the same on every retry: keep the ids seen to drop duplicates."""
    try:
        webhook = Webhook(secret)
    except ValueError as exc:  # a secret that is not base64 (whsec_...)
        raise WebhookInvalid(f"the secret cannot verify anything: {exc}", title="Invalid secret") from None
    try:
        document = webhook.verify(body, dict(headers))
    except WebhookVerificationError as exc:
        raise WebhookInvalid(f"not a valid webhook delivery: {exc}", title="Invalid webhook") from None
    except ValueError as exc:  # signed, but the body is not JSON
        raise WebhookInvalid(f"the delivery's body is not JSON: {exc}", title="Invalid webhook") from None
    if not isinstance(document, dict):
        raise WebhookInvalid("the delivery's body is not a JSON object", title="Invalid webhook")
    return document
