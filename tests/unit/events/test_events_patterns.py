"""Type patterns of the events log (AMQP topic syntax over known types) and the project each event is
scoped to: every contract the services publish is classified here, so a new one forces a decision."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query

from stalker_events.domain.patterns import (
    MAX_PATTERNS,
    UnknownPattern,
    expand_types,
    known_types,
    project_of,
    validate_pattern,
)
from stalker_shared.contracts import (
    ALL_CONTRACTS,
    Contract,
    ContractRegistry,
    notes,
    scheduling,
    tracking,
    versions,
)
from stalker_shared.contracts import calendars as cal
from stalker_shared.contracts import catalog as cat
from stalker_shared.problems import install_problem_handlers

KNOWN = known_types(ContractRegistry(ALL_CONTRACTS))


@pytest.mark.parametrize(
    "pattern",
    ["catalog.task.updated", "catalog.task.*", "#", "*", "versions.#", "#.deleted", "*.*.*", "a-b.c_d.e9"],
)
def test_a_well_formed_pattern_is_accepted(pattern: str) -> None:
    assert validate_pattern(pattern) == pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        ".",
        "catalog.",
        ".catalog",
        "catalog..task",
        "Catalog.task",
        "catalog.task*",
        "catalog.#task",
        "catalog task",
        "catalog/task",
        "catalog.task.updated\n",
        "a" * 201,
    ],
)
def test_a_malformed_pattern_is_refused_naming_the_type_parameter(pattern: str) -> None:
    with pytest.raises(UnknownPattern) as refused:
        validate_pattern(pattern)
    assert refused.value.http_status == 422 and refused.value.field == "type"


def test_a_pattern_of_exactly_200_characters_is_accepted() -> None:
    pattern = ".".join(["a" * 99, "b" * 100])
    assert len(pattern) == 200 and validate_pattern(pattern) == pattern


def test_no_pattern_means_no_filter() -> None:
    assert expand_types([], KNOWN) is None


TASK_TYPES = ("catalog.task.created", "catalog.task.deleted", "catalog.task.updated")
VERSION_TYPES = ("versions.version.created", "versions.version.deleted", "versions.version.published")
SCHEDULE_TYPES = ("catalog.schedule.requested", "scheduler.schedule.completed", "scheduler.schedule.failed")


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (["catalog.task.updated"], ("catalog.task.updated",)),
        (["catalog.task.*"], TASK_TYPES),
        (["versions.#"], VERSION_TYPES),
        (["#"], KNOWN),
        (["scheduler.#", "catalog.schedule.*"], SCHEDULE_TYPES),
        (["catalog.task.*", "catalog.task.updated"], TASK_TYPES),
    ],
)
def test_patterns_expand_to_the_sorted_known_types_they_match(
    patterns: list[str], expected: tuple[str, ...]
) -> None:
    assert expand_types(patterns, KNOWN) == expected


def test_star_is_one_word_so_task_status_events_are_not_task_events() -> None:
    assert "catalog.task_status.changed" not in (expand_types(["catalog.task.*"], KNOWN) or ())
    assert expand_types(["catalog.*.changed"], KNOWN) == ("catalog.task_status.changed",)


@pytest.mark.parametrize("typo", ["catalog.tsk.updated", "catalog.task.updated.v1", "notes.#", "catalog.*"])
def test_a_pattern_matching_no_known_type_is_refused_by_name(typo: str) -> None:
    with pytest.raises(UnknownPattern) as refused:
        expand_types(["catalog.task.*", typo], KNOWN)
    assert refused.value.field == "type" and typo in refused.value.message
    assert refused.value.extensions["pattern"] == typo


def test_a_malformed_pattern_is_refused_before_matching() -> None:
    with pytest.raises(UnknownPattern, match="dot-separated"):
        expand_types(["catalog..task"], KNOWN)


def test_at_most_twenty_patterns() -> None:
    assert expand_types(["#"] * MAX_PATTERNS, KNOWN) == KNOWN
    with pytest.raises(UnknownPattern, match="at most 20"):
        expand_types(["#"] * (MAX_PATTERNS + 1), KNOWN)


def test_the_field_named_can_be_another_parameter() -> None:
    with pytest.raises(UnknownPattern) as refused:
        expand_types(["nothing.here"], KNOWN, field="type_patterns")
    assert refused.value.field == "type_patterns"


def test_known_types_are_sorted_once_each_without_version() -> None:
    class TaskUpdatedV2(cat.TaskUpdated):
        VERSION = 2

    types = known_types(ContractRegistry((*ALL_CONTRACTS, TaskUpdatedV2)))
    assert types == KNOWN == tuple(sorted({contract.TYPE for contract in ALL_CONTRACTS}))
    assert types.count("catalog.task.updated") == 1 and not any(t.endswith(".v1") for t in types)


async def test_an_unknown_pattern_is_a_422_problem_naming_the_type_parameter() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/events")
    async def events(type: Annotated[list[str], Query()] = []) -> dict[str, object]:  # noqa: B006
        return {"types": expand_types(type, KNOWN)}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://events.test") as client:
        refused = await client.get("/events", params={"type": ["catalog.task.*", "catalog.tsk.*"]})
        accepted = await client.get("/events", params={"type": "catalog.task.updated"})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert (
        body["field"] == "type" and body["pattern"] == "catalog.tsk.*" and "catalog.tsk.*" in body["detail"]
    )
    assert accepted.json() == {"types": ["catalog.task.updated"]}


# Every contract built with these values where it has the field; the expected project tells which rule
# placed it: its own id (a project), its project_id field, the task mirror's answer, or studio-wide.
OWN_ID, PROJECT_FIELD, TASK_ID = 11, 22, 33
MIRROR = {OWN_ID: 511, TASK_ID: 533}
PROJECT_ITSELF, FROM_FIELD, FROM_DELETED_TASK, STUDIO_WIDE = OWN_ID, PROJECT_FIELD, MIRROR[OWN_ID], None

PROJECT_RULES: dict[type[Contract], int | None] = {
    **dict.fromkeys((cat.ProjectCreated, cat.ProjectUpdated, cat.ProjectDeleted), PROJECT_ITSELF),
    **dict.fromkeys((cat.TaskCreated, cat.TaskUpdated), FROM_FIELD),
    cat.TaskDeleted: FROM_DELETED_TASK,
    **dict.fromkeys(tracking.TRACKING_CONTRACTS, FROM_FIELD),
    **dict.fromkeys(notes.NOTES_CONTRACTS, FROM_FIELD),
    **dict.fromkeys(versions.VERSIONS_CONTRACTS, FROM_FIELD),
    **dict.fromkeys(
        (
            *(cat.UserCreated, cat.UserUpdated, cat.UserDeleted),
            *(cat.DepartmentCreated, cat.DepartmentUpdated, cat.DepartmentDeleted),
            *(cat.GroupCreated, cat.GroupUpdated, cat.GroupDeleted),
            *(cat.RoleCreated, cat.RoleUpdated, cat.RoleDeleted),
            *(cat.StatusCreated, cat.StatusUpdated, cat.StatusDeleted),
            *(cat.StatusListCreated, cat.StatusListUpdated, cat.StatusListDeleted),
            *(cat.EntityTypeCreated, cat.EntityTypeUpdated, cat.EntityTypeDeleted),
            *(cat.ImageFormatCreated, cat.ImageFormatUpdated, cat.ImageFormatDeleted),
            *(cat.StudioCreated, cat.StudioUpdated, cat.StudioDeleted),
            *(cal.VacationCreated, cal.VacationUpdated, cal.VacationDeleted),
            *(cal.HolidayCreated, cal.HolidayUpdated, cal.HolidayDeleted),
            cal.WorkingHoursChanged,
            # A schedule job (or one part of it) lists many projects: studio-wide, not its first project's.
            *scheduling.SCHEDULING_CONTRACTS,
        ),
        STUDIO_WIDE,
    ),
}


def built(contract: type[Contract]) -> Contract:
    values: dict[str, Any] = {"id": OWN_ID, "project_id": PROJECT_FIELD, "task_id": TASK_ID, "revision": 1}
    return contract.model_construct(**{k: v for k, v in values.items() if k in contract.model_fields})


def test_every_published_contract_has_a_project_rule() -> None:
    unclassified = [contract.__name__ for contract in ALL_CONTRACTS if contract not in PROJECT_RULES]
    assert not unclassified, f"decide which project these events belong to in PROJECT_RULES: {unclassified}"
    assert set(PROJECT_RULES) == set(ALL_CONTRACTS)


@pytest.mark.parametrize("contract", ALL_CONTRACTS, ids=lambda contract: contract.TYPE)
def test_each_event_is_scoped_to_its_project_or_studio_wide(contract: type[Contract]) -> None:
    if contract not in PROJECT_RULES:
        pytest.fail(f"{contract.__name__} ({contract.TYPE}) has no project rule in PROJECT_RULES")
    assert project_of(built(contract), MIRROR.get) == PROJECT_RULES[contract]


def test_a_deleted_task_the_mirror_does_not_know_is_studio_wide() -> None:
    assert project_of(cat.TaskDeleted(id=404, revision=3), MIRROR.get) is None


def test_a_real_version_event_is_scoped_by_its_project_id() -> None:
    event = versions.VersionDeleted(id=7, project_id=34, task_id=42)
    assert project_of(event, lambda _: pytest.fail("no lookup needed")) == 34


def test_an_event_naming_only_a_task_is_scoped_through_the_mirror() -> None:
    class TaskPoked(Contract):
        TYPE = "catalog.task.poked"
        VERSION = 1

        task_id: int

    assert project_of(TaskPoked(task_id=TASK_ID), MIRROR.get) == MIRROR[TASK_ID]
