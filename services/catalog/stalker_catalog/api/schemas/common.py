"""Building blocks of the catalog's schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from stalker_shared.schemas import Input, Output
from stalker_shared.types import Id

__all__ = ["Audit", "DepartmentRef", "Input", "MemberRef", "Output"]


class Audit(Output):
    revision: int = Field(description="Grows with every change; used for optimistic concurrency")
    created_at: datetime
    updated_at: datetime


class MemberRef(Input):
    user_id: Id


class DepartmentRef(Input):
    department_id: Id
