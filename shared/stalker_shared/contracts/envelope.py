"""The one envelope every message travels in, and the base class of every payload contract."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Contract(BaseModel):
    """A versioned, immutable message payload. Subclasses set TYPE and VERSION."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.TYPE}.v{cls.VERSION}"

    @classmethod
    def producer(cls) -> str:
        """The producing service is the first segment of the type: `catalog.task.updated`."""
        return cls.TYPE.split(".", 1)[0]


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = Field(min_length=1, max_length=200)
    causation_id: str | None = Field(default=None, max_length=200)
    producer: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any]

    @property
    def routing_key(self) -> str:
        return f"{self.type}.v{self.version}"

    @classmethod
    def wrap(cls, contract: Contract, *, correlation_id: str, causation_id: str | None) -> Envelope:
        return cls(
            type=contract.TYPE,
            version=contract.VERSION,
            correlation_id=correlation_id,
            causation_id=causation_id,
            producer=contract.producer(),
            payload=contract.model_dump(mode="json"),
        )
