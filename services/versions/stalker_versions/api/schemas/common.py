"""Building blocks of the versions API's schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from stalker_shared.schemas import Input, Output

__all__ = ["Audit", "Input", "Output"]


class Audit(Output):
    revision: int = Field(description="Grows with every change")
    created_at: datetime
    updated_at: datetime
    created_by_id: int | None = Field(description="The catalog user who created it")
