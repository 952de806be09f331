"""Printing: rich tables for lists and objects, plain lines where scripts read the output."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table


def console(*, stderr: bool = False) -> Console:
    # Made per call: the test runner swaps sys.stdout between invocations.
    return Console(stderr=stderr, highlight=False)


def text(value: Any) -> str:
    """A field as a table cell: dates to the minute in UTC, lists comma separated, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    if isinstance(value, BaseModel):
        return json.dumps(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def table_of(items: Iterable[BaseModel], columns: Sequence[str], title: str | None = None) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(*(text(getattr(item, c, None)) for c in columns))
    return table


def fields_table(item: BaseModel) -> Table:
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in _fields(item).items():
        table.add_row(name, text(value))
    return table


def as_json(item: BaseModel, indent: int | None = 2) -> str:
    return json.dumps(item.model_dump(mode="json"), indent=indent)


def _fields(item: BaseModel) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in type(item).model_fields}
    values.update(item.model_extra or {})
    return values
