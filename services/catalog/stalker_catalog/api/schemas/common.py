"""Building blocks of the catalog's schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Input(BaseModel):
    """Every request body: unknown fields (and server-owned ones like `revision`) are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Audit(Output):
    revision: int = Field(description="Grows with every change; used for optimistic concurrency")
    created_at: datetime
    updated_at: datetime


class MemberRef(Input):
    user_id: int


class DepartmentRef(Input):
    department_id: int
