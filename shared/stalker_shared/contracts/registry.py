"""Lookup of payload contracts by (type, version), used by consumers to validate what arrives."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from stalker_shared.contracts.envelope import Contract, Envelope


class InvalidMessage(Exception):
    """A message that can never be processed: malformed, unknown type or version, or bad payload."""


class ContractRegistry:
    def __init__(self, contracts: Iterable[type[Contract]] = ()) -> None:
        self._by_key: dict[tuple[str, int], type[Contract]] = {}
        for contract in contracts:
            self.register(contract)

    def register(self, contract: type[Contract]) -> None:
        key = (contract.TYPE, contract.VERSION)
        if key in self._by_key and self._by_key[key] is not contract:
            raise ValueError(f"two contracts claim {contract.routing_key()}")
        self._by_key[key] = contract

    def __contains__(self, key: tuple[str, int]) -> bool:
        return key in self._by_key

    def contracts(self) -> tuple[type[Contract], ...]:
        """Every contract this registry can parse."""
        return tuple(self._by_key.values())

    def parse(self, body: bytes) -> tuple[Envelope, Contract]:
        """Validate raw bytes into the envelope and its typed payload, or raise InvalidMessage."""
        try:
            envelope = Envelope.model_validate_json(body)
        except ValidationError as exc:
            raise InvalidMessage(f"malformed envelope: {_first_error(exc)}") from exc
        contract = self._by_key.get((envelope.type, envelope.version))
        if contract is None:
            raise InvalidMessage(f"unknown message type or version: {envelope.routing_key}")
        try:
            return envelope, contract.model_validate(envelope.payload)
        except ValidationError as exc:
            raise InvalidMessage(f"invalid {envelope.routing_key} payload: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{location}: {error['msg']}"
