"""The base classes of every service's API schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from stalker_shared.types import refuse_nul


class Input(BaseModel):
    """Every request body: unknown fields (and server-owned ones like `revision`) are refused, and so are
    infinite numbers and NUL characters in any field (each field's type says more)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)
