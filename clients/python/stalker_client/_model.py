"""The base of every model the client returns, and a page of a list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar, overload

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A server object: attribute access, and fields a newer server adds are kept rather than refused."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Audited(Model):
    revision: int
    created_at: datetime
    updated_at: datetime


M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of a list: iterate it, index it, or ask for `total` (all the matches on the server)."""

    items: list[M]
    total: int
    limit: int
    offset: int

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> list[M]: ...
    def __getitem__(self, index: int | slice) -> M | list[M]:
        return self.items[index]

    def first(self) -> M | None:
        """The first item, or None (the tutorial's `query.filter_by(...).first()`)."""
        return self.items[0] if self.items else None
