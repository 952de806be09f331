"""A task's column values from what a client sent: parsing, defaults and the rules between fields.

Pure: the ids that exist are passed in, so a batch of thousands is checked without a query per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from stalker_catalog.domain.errors import NotFound, ValidationFailed
from stalker_catalog.domain.names import normalize_name
from stalker_catalog.domain.scheduling import (
    ScheduleModel,
    check_timing_span,
    clamp_priority,
    parse_allocation_strategy,
    parse_dependency_target,
    parse_schedule_constraint,
    parse_schedule_model,
    parse_time_unit,
    validate_timing,
)
from stalker_catalog.domain.tasks.commands import DependencySpec

SHOT_ONLY = ("cut_in", "cut_out", "image_format_id", "fps", "sequence_ids")
CODED_KINDS = frozenset({"asset", "shot", "sequence", "scene"})
NULLABLE = frozenset(
    {"parent_id", "code", "type_id", "start", "end", "bid_timing", "bid_unit", "image_format_id", "fps"}
)
# null resets these to their defaults instead of clearing them
NULL_MEANS_DEFAULT: dict[str, Any] = {"priority": 500, "description": ""}
GAP_MODELS = (ScheduleModel.LENGTH, ScheduleModel.DURATION)


def _code(raw: Any) -> str:
    code = str(raw).strip()
    if not code:
        raise ValidationFailed("code may not be empty", field="code")
    return code


PARSERS: dict[str, Callable[[Any], Any]] = {
    "name": normalize_name,
    "code": _code,
    "description": str,
    "priority": clamp_priority,
    "schedule_timing": validate_timing,
    "schedule_unit": lambda v: parse_time_unit(v).value,
    "schedule_model": lambda v: parse_schedule_model(v).value,
    "schedule_constraint": lambda v: parse_schedule_constraint(v).value,
    "bid_timing": lambda v: validate_timing(v, "bid_timing"),
    "bid_unit": lambda v: parse_time_unit(v, "bid_unit").value,
    "allocation_strategy": lambda v: parse_allocation_strategy(v).value,
}
ENUM_KEYS = frozenset(
    {"schedule_unit", "schedule_model", "schedule_constraint", "bid_unit", "allocation_strategy"}
)
COLUMNS = (
    "name",
    "description",
    "code",
    "type_id",
    "priority",
    "schedule_timing",
    "schedule_unit",
    "schedule_model",
    "schedule_constraint",
    "start",
    "end",
    "is_milestone",
    "bid_timing",
    "bid_unit",
    "allocation_strategy",
    "persistent_allocation",
    "cut_in",
    "cut_out",
    "image_format_id",
    "fps",
)


@dataclass(frozen=True)
class Known:
    """Ids that exist in the database, for the reference checks of a batch."""

    type_ids: frozenset[int] = frozenset()
    image_format_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()


def new_task_defaults(kind: str) -> dict[str, Any]:
    """Column values of a new node before the client's fields (the reference's defaults)."""
    cut = 1 if kind == "shot" else None
    return {
        "name": None,
        "description": "",
        "code": None,
        "type_id": None,
        "priority": 500,
        "schedule_timing": 1.0,
        "schedule_unit": "h",
        "schedule_model": "effort",
        "schedule_constraint": "none",
        "start": None,
        "end": None,
        "is_milestone": False,
        "bid_timing": None,
        "bid_unit": None,
        "allocation_strategy": "minallocated",
        "persistent_allocation": True,
        "cut_in": cut,
        "cut_out": cut,
        "image_format_id": None,
        "fps": None,
    }


def resolve_columns(
    kind: str, current: Mapping[str, Any] | None, given: Mapping[str, Any], known: Known
) -> dict[str, Any]:
    """Column values after applying ``given`` to ``current`` (None for a new node), checked."""
    creating = current is None
    if kind != "shot":
        for key in SHOT_ONLY:
            if given.get(key) is not None:
                raise ValidationFailed(f"{key} is only for shots, not for a {kind}", field=key)
    values = new_task_defaults(kind) if current is None else dict(current)
    for key in COLUMNS:
        if key not in given or (creating and given[key] is None):
            continue
        values[key] = _parse(key, given[key])
    _fill_bid(values, given, creating)
    _check_spans(values, given)
    if creating and kind == "shot" and values["name"] is None:
        values["name"] = values["code"]  # a shot created with only its code is named after it
    _drag_cuts(values, given)
    _check_required(kind, values)
    _check_dates(values)
    _check_known(given, known)
    return values


def _parse(key: str, raw: Any) -> Any:
    if raw is None:
        if key in NULL_MEANS_DEFAULT:
            return NULL_MEANS_DEFAULT[key]
        if key not in NULLABLE:
            raise ValidationFailed(f"{key} may not be null", field=key)
        return None
    if key in ENUM_KEYS and isinstance(raw, str):
        return _parse_enum_value(key, raw)
    parser = PARSERS.get(key)
    return raw if parser is None else parser(raw)


@lru_cache(maxsize=512)
def _parse_enum_value(key: str, raw: str) -> Any:
    # A batch repeats the same few spellings thousands of times; errors are not cached.
    return PARSERS[key](raw)


def _fill_bid(values: dict[str, Any], given: Mapping[str, Any], creating: bool) -> None:
    # The bid defaults to the schedule when the task is made (or the bid is reset), then stays put.
    for bid, schedule in (("bid_timing", "schedule_timing"), ("bid_unit", "schedule_unit")):
        if values[bid] is None and (creating or bid in given):
            values[bid] = values[schedule]


def _check_spans(values: Mapping[str, Any], given: Mapping[str, Any]) -> None:
    # Only what this request sets: a row stored before the limit can still be renamed.
    for timing, unit in (("schedule_timing", "schedule_unit"), ("bid_timing", "bid_unit")):
        if timing in given or unit in given:
            check_timing_span(values[timing], values[unit], timing)


def _drag_cuts(values: dict[str, Any], given: Mapping[str, Any]) -> None:
    # Setting one end past the other drags it along (cut_in first, as the reference sets them).
    if given.get("cut_in") is not None and values["cut_out"] < values["cut_in"]:
        values["cut_out"] = values["cut_in"]
    if given.get("cut_out") is not None and values["cut_in"] > values["cut_out"]:
        values["cut_in"] = values["cut_out"]


def _check_required(kind: str, values: Mapping[str, Any]) -> None:
    if values["name"] is None:
        raise ValidationFailed(f"name is required for a {kind}", field="name")
    if kind in CODED_KINDS and values["code"] is None:
        raise ValidationFailed(f"code is required for a {kind}", field="code")
    if kind == "asset" and values["type_id"] is None:
        raise ValidationFailed("type_id is required for an asset (its asset type)", field="type_id")


def _check_dates(values: Mapping[str, Any]) -> None:
    start, end = values["start"], values["end"]
    if start is not None and end is not None and end < start:
        raise ValidationFailed(f"end ({end.isoformat()}) is before start ({start.isoformat()})", "end")


def _check_known(given: Mapping[str, Any], known: Known) -> None:
    checks = (
        ("type_id", known.type_ids, "type"),
        ("image_format_id", known.image_format_ids, "image format"),
    )
    for key, ids, label in checks:
        value = given.get(key)
        if value is not None and value not in ids:
            raise NotFound(f"{key}: no {label} with id {value}", field=key)


def check_users(user_ids: Iterable[int], known: Known, field: str) -> list[int]:
    """The ids, without repeats, in the order given; NotFound naming the missing ones."""
    wanted = list(dict.fromkeys(user_ids))
    missing = [i for i in wanted if i not in known.user_ids]
    if missing:
        raise NotFound(f"{field}: no user with id {', '.join(map(str, missing))}", field=field)
    return wanted


def parse_dependency(spec: DependencySpec, field: str = "depends") -> DependencySpec:
    """A dependency with its target, gap unit and gap model parsed (422 naming the field)."""
    target, unit, model = _parse_gap(spec.target, spec.gap_unit, spec.gap_model, field)
    timing = validate_timing(spec.gap_timing, f"{field}.gap_timing")
    check_timing_span(timing, unit, f"{field}.gap_timing")
    return replace(spec, target=target, gap_timing=timing, gap_unit=unit, gap_model=model)


@lru_cache(maxsize=256)
def _parse_gap(target: str, unit: str, model_name: str, field: str) -> tuple[str, str, str]:
    model = parse_schedule_model(model_name, f"{field}.gap_model")
    if model not in GAP_MODELS:
        message = f"{field}.gap_model must be length or duration (got {model_name!r})"
        raise ValidationFailed(message, f"{field}.gap_model")
    return (
        parse_dependency_target(target, f"{field}.target").value,
        parse_time_unit(unit, f"{field}.gap_unit").value,
        model.value,
    )
