"""Calendars and what-if runs through the client: vacations, holidays and a person's own week round trip
with the permissions the server gives; a what-if with a vacation names the tasks that move and by how
much, applied it gives the dates a normal run gives; a scenario whose inputs changed is refused with what
changed; a dropped one is gone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from stalker_client import (
    Conflict,
    NotFound,
    PermissionDenied,
    PersonWeek,
    PreconditionFailed,
    Scenario,
    Stalker,
    ValidationError,
    WhatIf,
)

from support.calendar_data import PASSWORD, People, at, people, pinned_studio, planned, schedule, what_if_show
from support.system import require_tj3

# The calendar is the studio's (holidays, studio-wide leave): a system of this module's own, on one worker.
pytestmark = pytest.mark.xdist_group("client_calendars")


def july(day: int) -> datetime:
    return datetime(2025, 7, day, tzinfo=UTC)


@pytest.fixture(scope="module")
def system(module_system: str) -> str:
    return module_system


@pytest.fixture
def crew(admin: Stalker, unique: str) -> Iterator[tuple[People, dict[str, Stalker]]]:
    """alice and bob (artists), pam (a producer), each with a client of their own."""
    pinned_studio(admin)
    found = people(admin, unique)
    clients = {name: Stalker.connect(admin.base_url, login, PASSWORD) for name, login in found.logins.items()}
    yield found, clients
    for client in clients.values():
        client.close()


def test_a_user_enters_their_own_leave_and_producers_anyones(
    admin: Stalker, crew: tuple[People, dict[str, Stalker]]
) -> None:
    team, as_ = crew
    alice, bob = team.ids["alice"], team.ids["bob"]
    mine = as_["alice"].vacations.create(user_id=alice, start=july(7), end=july(9), description="dentist")
    assert (mine.user_id, mine.start, mine.end, mine.description, mine.revision) == (
        alice,
        july(7),
        july(9),
        "dentist",
        1,
    )
    month = (july(1), july(31))
    for user_id in (bob, None):  # someone else's, or the studio's: producers and admins only
        with pytest.raises(PermissionDenied):
            as_["alice"].vacations.create(user_id=user_id, start=month[0], end=july(2))
    bobs = as_["pam"].vacations.create(user_id=bob, start=july(14), end=july(15))
    studio = admin.vacations.create(start=july(20), end=july(21))
    assert studio.user_id is None and studio.studio_wide and not mine.studio_wide
    with pytest.raises(PermissionDenied):
        as_["alice"].vacations.delete(bobs.id)

    # Everyone reads the calendar; lists filter by user, the studio's, and by period.
    ours = {mine.id, bobs.id, studio.id}
    assert {v.id for v in as_["bob"].vacations.all(overlapping=month)} == ours
    assert [v.id for v in as_["bob"].vacations.of_user(alice)] == [mine.id]
    assert [v.id for v in admin.vacations.list(studio_wide=True, overlapping=month)] == [studio.id]
    second_half = (july(13), july(31))
    assert [v.id for v in admin.vacations.all(overlapping=second_half)] == [bobs.id, studio.id]
    assert admin.vacations.list(user_id=bob, start__gte=july(15)).total == 0

    # Edits: with the ETag read, an update holds only if nobody changed the leave since.
    assert as_["alice"].vacations.get(mine.id).revision == 1
    moved = as_["alice"].vacations.update(mine.id, end=july(10))
    assert (moved.end, moved.revision) == (july(10), 2)
    admin.vacations.get(mine.id)
    as_["alice"].vacations.update(mine.id, description="dentist, then rest")
    with pytest.raises(PreconditionFailed):
        admin.vacations.update(mine.id, description="stale")
    with pytest.raises(PermissionDenied):  # giving one's leave to someone else is writing theirs
        as_["alice"].vacations.update(mine.id, user_id=bob)
    to_studio = admin.vacations.update(bobs.id, user_id=None)
    assert to_studio.studio_wide
    with pytest.raises(ValidationError) as backwards:
        as_["alice"].vacations.create(user_id=alice, start=month[1], end=month[0])
    assert backwards.value.field == "end"

    as_["alice"].vacations.delete(mine.id)
    with pytest.raises(NotFound):
        admin.vacations.get(mine.id)
    admin.vacations.delete(bobs.id)
    admin.vacations.delete(studio.id)


def test_holidays_are_for_admins_and_producers_one_per_day(
    admin: Stalker, crew: tuple[People, dict[str, Stalker]]
) -> None:
    _, as_ = crew
    christmas = as_["pam"].holidays.create(date=date(2025, 12, 25), name="Christmas")
    assert (christmas.date, christmas.name) == (date(2025, 12, 25), "Christmas")
    with pytest.raises(PermissionDenied):
        as_["alice"].holidays.create(date=date(2025, 12, 26), name="Boxing Day")
    with pytest.raises(Conflict) as twice:
        admin.holidays.create(date=date(2025, 12, 25), name="Again")
    assert twice.value.field == "date" and "already a holiday" in twice.value.detail
    new_year = admin.holidays.create(date=date(2026, 1, 1), name="New Year")
    assert [h.name for h in as_["alice"].holidays.all(date__gte=date(2025, 12, 1))] == [
        "Christmas",
        "New Year",
    ]
    on = as_["bob"].holidays.on(date(2026, 1, 1))
    assert on is not None and on.id == new_year.id and as_["bob"].holidays.on(date(2026, 1, 2)) is None
    renamed = as_["pam"].holidays.update(christmas.id, name="Christmas Day")
    assert (renamed.name, renamed.revision) == ("Christmas Day", 2)
    with pytest.raises(PermissionDenied):
        as_["alice"].holidays.delete(new_year.id)
    for holiday in (christmas, new_year):
        admin.holidays.delete(holiday.id)
    assert admin.holidays.list(date__gte=date(2025, 12, 1)).total == 0


def test_a_person_gets_a_week_of_their_own_and_back_the_studios(
    admin: Stalker, crew: tuple[People, dict[str, Stalker]]
) -> None:
    team, as_ = crew
    alice = team.ids["alice"]
    studios = as_["alice"].users.working_hours(alice)
    assert isinstance(studios, PersonWeek) and not studios.own
    assert (studios.user_id, studios.working_hours["mon"], studios.working_hours["sun"]) == (
        alice,
        [[540, 1080]],
        [],
    )
    part_time = {"mon": [[540, 780]], "wed": ((840, 1080), (540, 780))}
    with pytest.raises(PermissionDenied):
        as_["alice"].users.set_working_hours(alice, part_time)
    week = as_["pam"].users.set_working_hours(alice, part_time)
    assert week.own and week.working_hours == {
        "mon": [[540, 780]],
        "tue": [],
        "wed": [[540, 780], [840, 1080]],
        "thu": [],
        "fri": [],
        "sat": [],
        "sun": [],
    }
    assert as_["bob"].users.working_hours(alice) == week
    with pytest.raises(ValidationError) as overlapping:
        admin.users.set_working_hours(alice, {"mon": [[540, 780], [600, 900]]})
    assert "working_hours" in str(overlapping.value) and "overlap" in str(overlapping.value)
    with pytest.raises(PermissionDenied):
        as_["alice"].users.reset_working_hours(alice)
    as_["pam"].users.reset_working_hours(alice)
    assert not admin.users.working_hours(alice).own
    with pytest.raises(NotFound):
        admin.users.working_hours(999999)


@pytest.mark.tj3
def test_a_vacation_imagined_names_the_tasks_that_move_and_applied_gives_a_normal_runs_dates(
    admin: Stalker, unique: str
) -> None:
    require_tj3()
    show = what_if_show(admin, unique)
    schedule(admin, show)
    plan = planned(admin, show.tasks)
    assert plan == {"A": (at(6, 9), at(8, 18)), "B": (at(9, 9), at(10, 18)), "C": (at(6, 9), at(7, 18))}

    changes = WhatIf().add_vacation(show.people["alice"], at(7), at(9))
    job = admin.studios.schedule(show.studio_id, project_ids=[show.project_id], what_if=changes)
    assert job.scenario_status == "pending" and job.what_if == changes
    done = admin.jobs.wait(job.id, timeout=120)
    assert (done.status, done.scenario_status) == ("completed", "ready")

    scenario = admin.jobs.scenario(job.id)
    assert isinstance(scenario, Scenario) and scenario.status == "ready"
    assert {m.name for m in scenario.moves} == {"A", "B"} and scenario.tasks_moved == 2  # bob's C stays
    a, b = scenario.move_of(show.tasks["A"]), scenario.move_of(show.tasks["B"])
    assert a is not None and b is not None and scenario.move_of(show.tasks["C"]) is None
    assert (a.planned_end, a.start, a.end, a.start_shift_hours, a.end_shift_hours) == (
        at(8, 18),
        at(6, 9),
        at(10, 18),
        0,
        48,
    )
    assert (b.end, b.end_shift_hours, b.misses_project_end, a.misses_project_end) == (
        at(14, 18),
        96,
        True,
        False,
    )
    assert a.resources_before == a.resources_after == [show.people["alice"]]
    assert scenario.tasks_missing_project_end == [show.tasks["B"]]
    (outcome,) = scenario.projects
    assert (outcome.project_id, outcome.end, outcome.deadline, outcome.misses_deadline) == (
        show.project_id,
        at(14, 18),
        at(13),
        True,
    )
    # Nothing was applied: the plan and the calendar are as they were.
    assert planned(admin, show.tasks) == plan
    assert admin.vacations.of_user(show.people["alice"]) == []

    applied = admin.jobs.apply(job.id)
    assert applied.scenario_status == "applied"
    (leave,) = admin.vacations.of_user(show.people["alice"])
    assert (leave.start, leave.end) == (at(7), at(9))
    scenario_dates = planned(admin, show.tasks)
    assert scenario_dates == {"A": (at(6, 9), at(10, 18)), "B": (at(13, 9), at(14, 18)), "C": plan["C"]}
    schedule(admin, show)  # a normal run with the vacation entered gives the same dates
    assert planned(admin, show.tasks) == scenario_dates
    with pytest.raises(Conflict) as twice:
        admin.jobs.apply(job.id)
    assert twice.value.body["scenario_status"] == "applied"


@pytest.mark.tj3
def test_a_scenario_is_refused_once_its_inputs_changed_and_can_be_dropped(
    admin: Stalker, unique: str
) -> None:
    require_tj3()
    show = what_if_show(admin, unique)
    tasks, alice, bob = show.tasks, show.people["alice"], show.people["bob"]
    schedule(admin, show)
    plan = planned(admin, show.tasks)

    changes = {  # a dictionary does as well as a WhatIf
        "resources_added": [{"task_id": tasks["B"], "user_id": bob}],
        "timings": [{"task_id": tasks["C"], "schedule_timing": 1}],
        "priorities": [{"task_id": tasks["A"], "priority": 0}],
        "project_ends": [{"project_id": show.project_id, "end": at(31)}],
    }
    job = admin.studios.schedule(show.studio_id, project_ids=[show.project_id], what_if=changes)
    assert job.what_if is not None and job.what_if.priorities[0].priority == 0
    assert admin.jobs.wait(job.id, timeout=120).scenario_status == "ready"
    scenario = admin.jobs.scenario(job.id)
    b, c = scenario.move_of(tasks["B"]), scenario.move_of(tasks["C"])
    assert b is not None and (b.resources_before, b.resources_after) == ([alice], sorted([alice, bob]))
    assert c is not None and c.end == at(6, 18)  # one day instead of two
    assert scenario.tasks_missing_project_end == []  # the project's end imagined later

    admin.tasks.update(tasks["A"], schedule_timing=4)  # someone changes A meanwhile
    with pytest.raises(Conflict) as refused:
        admin.jobs.apply(job.id)
    assert refused.value.status == 409 and refused.value.body["changed"] == {"tasks": [tasks["A"]]}
    assert planned(admin, tasks) == plan and admin.tasks.get(tasks["B"]).resource_ids == [alice]

    dropped = admin.jobs.drop(job.id)
    assert dropped.scenario_status == "dropped"
    gone = admin.jobs.scenario(job.id)
    assert (gone.status, gone.moves, gone.tasks_moved) == ("dropped", [], 0)
    with pytest.raises(Conflict):
        admin.jobs.apply(job.id)
    normal = admin.studios.schedule(show.studio_id, project_ids=[show.project_id])
    assert normal.what_if is None and normal.scenario_status is None
    with pytest.raises(NotFound):
        admin.jobs.scenario(normal.id)
    admin.jobs.wait(normal.id, timeout=120)


def test_bad_changes_are_problems_naming_the_field(admin: Stalker, unique: str) -> None:
    show = what_if_show(admin, unique)
    for changes, kind, field in (
        (WhatIf().set_timing(999999, 1), NotFound, "what_if.timings[0].task_id"),
        (WhatIf().add_vacation(None, at(9), at(7)), ValidationError, "what_if.vacations_added[0].end"),
        (WhatIf().set_priority(show.tasks["A"], 1001), ValidationError, "priority"),
        ({"colour": "blue"}, ValidationError, "colour"),
    ):
        with pytest.raises(kind) as refused:
            admin.studios.schedule(show.studio_id, project_ids=[show.project_id], what_if=changes)
        assert field in str(refused.value.body), (changes, refused.value.body)
