"""The envelope and the contract registry: what a consumer accepts and what it refuses."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from stalker_shared.contracts import ALL_CONTRACTS, ContractRegistry, Envelope, InvalidMessage, ProjectCreated


def test_an_envelope_round_trips_with_its_typed_payload() -> None:
    event = ProjectCreated(
        id=34, name="Fancy Commercial", code="FC", revision=1, status="RTS", status_list_id=3
    )
    envelope = Envelope.wrap(event, correlation_id="corr", causation_id="cause")
    assert envelope.routing_key == "catalog.project.created.v1"
    assert envelope.producer == "catalog"
    parsed_envelope, payload = ContractRegistry(ALL_CONTRACTS).parse(envelope.model_dump_json().encode())
    assert parsed_envelope == envelope
    assert payload == event


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{", "malformed envelope"),
        (b'{"type": "x"}', "malformed envelope"),
        (
            Envelope(
                type="catalog.project.created", version=2, correlation_id="c", producer="catalog", payload={}
            )
            .model_dump_json()
            .encode(),
            "unknown message type or version: catalog.project.created.v2",
        ),
        (
            Envelope(
                type="catalog.project.created",
                version=1,
                correlation_id="c",
                producer="catalog",
                payload={"id": 1},
            )
            .model_dump_json()
            .encode(),
            "invalid catalog.project.created.v1 payload",
        ),
    ],
)
def test_registry_refuses_what_can_never_be_processed(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidMessage, match=reason):
        ContractRegistry(ALL_CONTRACTS).parse(body)


def test_contracts_are_immutable_and_refuse_unknown_fields() -> None:
    event = ProjectCreated(id=1, name="n", code="c", revision=1, status="RTS", status_list_id=3)
    with pytest.raises(ValidationError):
        event.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        ProjectCreated(id=1, name="n", code="c", revision=1, status="RTS", status_list_id=3, extra=True)  # type: ignore[call-arg]


def test_naive_occurred_at_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValidationError):
        Envelope(
            message_id=uuid.uuid4(),
            type="t",
            version=1,
            occurred_at=datetime(2024, 1, 1),
            correlation_id="c",
            producer="p",
            payload={},
        )


def test_two_contracts_cannot_claim_the_same_type_and_version() -> None:
    class Impostor(ProjectCreated):
        pass

    registry = ContractRegistry([ProjectCreated])
    with pytest.raises(ValueError, match=r"catalog\.project\.created\.v1"):
        registry.register(Impostor)
