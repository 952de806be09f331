"""A tool receiving webhooks checks each delivery with the client: genuine ones give their document,
tampered, replayed or foreign ones raise WebhookInvalid."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from stalker_client import StalkerError, WebhookInvalid, verify_webhook

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
BODY = json.dumps({"type": "versions.version.published", "data": {"id": 7}, "cursor": 42}).encode()


def signed(body: bytes = BODY, at: datetime | None = None, secret: str = SECRET) -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {
        "Webhook-Id": "3f2b8e1c-1111-2222-3333-444455556666",
        "Webhook-Timestamp": str(int(at.timestamp())),
        "Webhook-Signature": Webhook(secret).sign("3f2b8e1c-1111-2222-3333-444455556666", at, body),
    }


def test_a_genuine_delivery_gives_its_document() -> None:
    document = verify_webhook(SECRET, BODY, signed())
    assert document["type"] == "versions.version.published" and document["cursor"] == 42


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY.replace(b"42", b"43"), signed()),  # the body changed on the way
        (BODY, signed(at=datetime.now(UTC) - timedelta(minutes=10))),  # replayed later
        (BODY, signed(secret="whsec_" + base64.b64encode(b"x" * 32).decode())),  # another secret
        (BODY, {"webhook-id": "x"}),  # not a delivery at all
    ],
)
def test_a_tampered_replayed_or_foreign_delivery_is_refused(body: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(WebhookInvalid) as refused:
        verify_webhook(SECRET, body, headers)
    assert isinstance(refused.value, StalkerError) and "not a valid webhook delivery" in str(refused.value)


def test_a_signed_body_that_is_not_json_says_so_not_that_the_secret_is_wrong() -> None:
    with pytest.raises(WebhookInvalid) as refused:
        verify_webhook(SECRET, b"not json", signed(b"not json"))
    assert "body is not JSON" in str(refused.value)
    with pytest.raises(WebhookInvalid, match="the secret cannot verify anything"):
        verify_webhook("whsec_not base64!", BODY, signed())
