"""Building blocks of the versions API's schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Input(BaseModel):
    """Every request body: unknown fields (and server-owned ones like `version_number`) are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Audit(Output):
    revision: int = Field(description="Grows with every change")
    created_at: datetime
    updated_at: datetime
    created_by_id: int | None = Field(description="The catalog user who created it")
