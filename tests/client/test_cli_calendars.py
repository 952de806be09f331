"""Calendars and what-if runs from the command line, in a studio on Istanbul time (UTC+3): dates typed and
shown are the studio's local time. `stalker vacation|holiday|hours` with the permissions the server gives;
`stalker schedule what-if --vacation ... --wait` shows which tasks move and by how much, `schedule apply`
makes it the plan (a normal run then gives the same dates), `schedule drop` discards one, and a scenario
whose inputs changed is refused saying what changed. Bad input is exit code 2 naming the option."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from stalker_client import Stalker

from support.calendar_data import PASSWORD, Show, at, people, pinned_studio, planned, what_if_show
from support.cli import as_admin, stalker
from support.system import require_tj3

pytestmark = pytest.mark.xdist_group("cli_calendars")
ZONE = "Europe/Istanbul"


@pytest.fixture(scope="module")
def system(module_system: str) -> str:
    """A system of this module's own: its studio is on Istanbul time."""
    return module_system


@pytest.fixture(scope="module")
def studio_id(admin: Stalker) -> int:
    return pinned_studio(admin, ZONE)


@dataclass
class Crew:
    """alice, bob and carol (artists), pam (a producer): logins, ids, and the environment logging each in."""

    logins: dict[str, str]
    ids: dict[str, int]
    env: dict[str, dict[str, str]]


@pytest.fixture
def crew(admin: Stalker, system: str, studio_id: int, unique: str) -> Crew:
    team = people(admin, unique, ("alice", "bob", "carol", "pam"))
    env = {
        name: {"STALKER_URL": system, "STALKER_LOGIN": login, "STALKER_PASSWORD": PASSWORD}
        for name, login in team.logins.items()
    }
    env["admin"] = as_admin(system)
    return Crew(team.logins, team.ids, env)


def run(env: dict[str, str], *args: str) -> str:
    done = stalker(*args, env=env)
    assert done.exit_code == 0, done.output
    return done.stdout


def refused(env: dict[str, str], *args: str, code: int = 1) -> str:
    """What a refused command says, checked to be an exit code and a message, not a traceback."""
    done = stalker(*args, env=env)
    assert done.exit_code == code, done.output
    assert "Traceback" not in done.output
    return done.output


def rows_of(output: str) -> dict[str, list[str]]:
    """A rich table's rows by their first column."""
    rows = [
        [cell.strip() for cell in line.strip("│").split("│")] for line in output.splitlines() if "│" in line
    ]
    return {row[0]: row[1:] for row in rows}


def words(output: str) -> str:
    """The output with every run of white space one space (rich wraps long titles)."""
    return " ".join(output.split())


def istanbul(day: int, hour: float = 0, month: int = 1) -> datetime:
    return at(day, hour, ZONE).replace(month=month)


def test_leave_from_the_command_line_in_the_studios_local_time(admin: Stalker, crew: Crew) -> None:
    alice, pam = crew.env["alice"], crew.env["pam"]
    added = run(alice, "vacation", "add", "2025-07-07", "2025-07-09", "-d", "dentist")
    (mine,) = admin.vacations.of_user(crew.ids["alice"])
    assert (mine.start, mine.end, mine.description) == (istanbul(7, month=7), istanbul(9, month=7), "dentist")
    assert mine.start == datetime(2025, 7, 6, 21, tzinfo=UTC)  # midnight in Istanbul
    assert added.strip() == (
        f"Vacation {mine.id} for {crew.logins['alice']}: 2025-07-07 00:00 to 2025-07-09 00:00 ({ZONE})"
    )
    for whose in (["--user", crew.logins["bob"]], ["--studio"]):  # producers and admins only
        said = refused(alice, "vacation", "add", "2025-07-14", "2025-07-15", *whose)
        assert "Error: 403" in said and "admins and producers" in said
    run(pam, "vacation", "add", "2025-07-14T13:00", "2025-07-15T09:30Z", "--user", crew.logins["bob"])
    (bobs,) = admin.vacations.of_user(crew.ids["bob"])
    assert (bobs.start, bobs.end) == (istanbul(14, 13, month=7), datetime(2025, 7, 15, 9, 30, tzinfo=UTC))
    run(crew.env["admin"], "vacation", "add", "2025-07-21", "2025-07-22", "--studio", "-d", "move")

    assert list(rows_of(run(alice, "vacation", "list"))) == [str(mine.id)]  # yours by default
    everyone = rows_of(run(crew.env["bob"], "vacation", "list", "--all", "--from", "2025-07-01"))
    assert [row[0] for row in everyone.values()] == [
        crew.logins["alice"],
        crew.logins["bob"],
        "the whole studio",
    ]
    assert everyone[str(bobs.id)][1:3] == ["2025-07-14 13:00", "2025-07-15 12:30"]
    studio = rows_of(run(alice, "vacation", "list", "--studio", "--from", "2025-07-01"))
    assert [row[:4] for row in studio.values()] == [
        ["the whole studio", "2025-07-21 00:00", "2025-07-22 00:00", "move"]
    ]
    of_bob = run(alice, "vacation", "list", "--user", crew.logins["bob"])
    assert list(rows_of(of_bob)) == [str(bobs.id)]
    assert f"Leave of {crew.logins['bob']} ({ZONE})" in words(of_bob)
    late = rows_of(run(alice, "vacation", "list", "--all", "--from", "2025-07-15T13:00"))
    assert [row[0] for row in late.values()] == ["the whole studio"]  # bob's ends 12:30

    assert "403" in refused(alice, "vacation", "remove", str(bobs.id))
    assert run(alice, "vacation", "remove", str(mine.id)).strip() == f"Vacation {mine.id} removed."
    assert admin.vacations.of_user(crew.ids["alice"]) == []
    assert "404" in refused(alice, "vacation", "remove", str(mine.id))

    assert "START" in refused(alice, "vacation", "add", "07/07/2025", "2025-07-09", code=2)
    assert "--studio" in refused(alice, "vacation", "list", "--all", "--studio", code=2)
    said = refused(alice, "vacation", "add", "2025-07-09", "2025-07-07")
    assert "Error: 422" in said and "field: end" in said
    assert "no user with login 'nobody'" in refused(alice, "vacation", "list", "--user", "nobody")
    for vacation in admin.vacations.all(overlapping=(istanbul(1, month=7), istanbul(31, month=7))):
        admin.vacations.delete(vacation.id)


def test_holidays_from_the_command_line(admin: Stalker, crew: Crew) -> None:
    pam, alice = crew.env["pam"], crew.env["alice"]
    added = run(pam, "holiday", "add", "2025-12-25", "Christmas")
    christmas = admin.holidays.on(date(2025, 12, 25))
    assert christmas is not None and added.strip() == f"Holiday {christmas.id}: 2025-12-25 Christmas"
    assert "Error: 403" in refused(alice, "holiday", "add", "2025-12-26", "Boxing Day")
    twice = refused(pam, "holiday", "add", "2025-12-25", "Again")
    assert "Error: 409" in twice and "already a holiday" in twice and "field: date" in twice
    run(pam, "holiday", "add", "2026-01-01", "New Year")
    listed = rows_of(run(alice, "holiday", "list", "--year", "2025"))
    assert listed == {str(christmas.id): ["2025-12-25", "Christmas"]}
    assert len(rows_of(run(alice, "holiday", "list"))) == 2
    assert "DATE" in refused(pam, "holiday", "add", "25.12.2025", "Christmas", code=2)
    assert "no holiday on 2025-12-24" in refused(pam, "holiday", "remove", "2025-12-24", code=2)
    assert run(pam, "holiday", "remove", "2025-12-25").strip() == f"Holiday {christmas.id} removed."
    new_year = admin.holidays.on(date(2026, 1, 1))
    assert new_year is not None
    run(pam, "holiday", "remove", str(new_year.id))
    assert admin.holidays.list().total == 0


def test_a_persons_own_week_from_the_command_line(admin: Stalker, crew: Crew) -> None:
    pam, carol = crew.env["pam"], crew.logins["carol"]
    studios = run(crew.env["carol"], "hours", "show")
    assert f"Working week of you: the studio's hours ({ZONE})" in words(studios) and "45h a week" in studios
    days = rows_of(studios)
    assert days["mon"] == ["09:00-18:00"] and days["sat"] == ["off"]

    week = ["--day", "mon-wed=09:00-13:00", "--day", "wed=14:00-18:00", "--day", "sat,sun=off"]
    assert "403" in refused(crew.env["alice"], "hours", "set", carol, *week)
    own = run(pam, "hours", "set", carol, *week)
    assert f"Working week of {carol}: own hours" in words(own) and "16h a week" in own
    assert rows_of(own)["wed"] == ["09:00-13:00, 14:00-18:00"] and rows_of(own)["thu"] == ["off"]
    assert admin.users.working_hours(crew.ids["carol"]).working_hours == {
        "mon": [[540, 780]],
        "tue": [[540, 780]],
        "wed": [[540, 780], [840, 1080]],
        "thu": [],
        "fri": [],
        "sat": [],
        "sun": [],
    }
    assert rows_of(run(crew.env["bob"], "hours", "show", carol))["tue"] == ["09:00-13:00"]
    for bad, expected in (
        ("moon=09:00-10:00", "'moon' is not a day"),
        ("fri-mon=09:00-10:00", "a span goes forward"),
        ("mon=9-10", "'9-10' is not a span of hours"),
        ("mon=13:00-09:00", "a start before the end"),
        ("mon", "is not DAYS=HOURS"),
    ):
        said = refused(pam, "hours", "set", carol, "--day", bad, code=2)
        assert "--day" in said and expected in said, said
    overlapping = refused(pam, "hours", "set", carol, "--day", "mon=09:00-13:00,12:00-14:00")
    assert "Error: 422" in overlapping and "overlap" in overlapping
    assert "give the week" in refused(pam, "hours", "set", carol, code=2)

    assert "403" in refused(crew.env["alice"], "hours", "reset", carol)
    assert run(pam, "hours", "reset", carol).strip() == f"{carol} works the studio's hours again."
    assert not admin.users.working_hours(crew.ids["carol"]).own


def job_of(output: str) -> int:
    found = re.search(r"What-if job (\d+): ", output)
    assert found is not None, output
    return int(found.group(1))


@pytest.fixture
def show(admin: Stalker, studio_id: int, unique: str) -> Show:
    require_tj3()
    found = what_if_show(admin, unique, ZONE)
    assert found.studio_id == studio_id
    return found


@pytest.mark.tj3
def test_a_what_if_with_a_vacation_shows_the_moves_and_applied_gives_a_normal_runs_dates(
    admin: Stalker, system: str, show: Show
) -> None:
    env, project = as_admin(system), str(show.project_id)
    ran = run(env, "schedule", str(show.studio_id), "-p", project, "--wait")  # `schedule run` by default
    assert "completed, 3 tasks scheduled" in ran
    plan = planned(admin, show.tasks)
    assert plan["A"] == (istanbul(6, 9), istanbul(8, 18))

    alice = show.logins["alice"]
    shown = run(
        env, "schedule", "what-if", "--vacation", f"{alice}:2025-01-07:2025-01-09", "-p", project, "-w"
    )
    job_id = job_of(shown)
    assert re.search(rf"What-if job {job_id}: (queued|running) \(scenario pending\)", shown)
    rows = rows_of(shown)
    assert rows[f"A (#{show.tasks['A']})"] == ["2025-01-08 18:00", "2025-01-10 18:00", "+48h", alice, ""]
    assert rows[f"B (#{show.tasks['B']})"] == ["2025-01-10 18:00", "2025-01-14 18:00", "+96h", alice, "yes"]
    assert f"C (#{show.tasks['C']})" not in rows  # bob's task stays
    assert f"Scenario of job {job_id} against the plan ({ZONE})" in words(shown)
    assert "┃ task ┃ planned end ┃ scenario end ┃ shift ┃ resources ┃ misses end ┃" in words(shown)
    assert (
        f"Project {show.project_code} (#{show.project_id}) ends 2025-01-14 18:00 (planned 2025-01-10 18:00), "
        "after its end 2025-01-13 00:00" in shown
    )
    assert "2 tasks move; 1 misses its project's end." in shown
    assert planned(admin, show.tasks) == plan  # nothing applied yet
    assert rows_of(run(env, "schedule", "scenario", str(job_id))) == rows

    applied = run(env, "schedule", "apply", str(job_id))
    assert (
        applied.strip()
        == f"Scenario of job {job_id} applied: its changes are made and its dates are the plan."
    )
    (leave,) = admin.vacations.of_user(show.people["alice"])
    assert (leave.start, leave.end) == (istanbul(7), istanbul(9))
    scenario_dates = planned(admin, show.tasks)
    assert scenario_dates["B"] == (istanbul(13, 9), istanbul(14, 18))
    run(env, "schedule", str(show.studio_id), "-p", project, "--wait")
    assert planned(admin, show.tasks) == scenario_dates  # a normal run gives the scenario's dates
    again = refused(env, "schedule", "apply", str(job_id))
    assert "Error: 409" in again and f"the scenario of job {job_id} is applied" in again
    said = run(env, "schedule", "scenario", str(job_id))
    assert said.strip() == f"Scenario of job {job_id} is applied: nothing to compare."


@pytest.mark.tj3
def test_a_scenario_is_refused_once_its_inputs_changed_and_can_be_dropped(
    admin: Stalker, system: str, show: Show
) -> None:
    env, tasks, project = as_admin(system), show.tasks, str(show.project_id)
    run(env, "schedule", str(show.studio_id), "-p", project, "--wait")
    alice, bob = show.logins["alice"], show.logins["bob"]
    changes = [
        *("--add-artist", f"{tasks['B']}:{bob}", "--timing", f"{tasks['C']}:1d"),
        *("--priority", f"{tasks['A']}:0", "--project-end", f"{show.project_code}:2025-01-31"),
    ]
    shown = run(env, "schedule", "what-if", *changes, "-p", project, "--wait")
    job_id = job_of(shown)
    rows = rows_of(shown)
    assert rows[f"B (#{tasks['B']})"][3] == f"{alice} -> {alice}, {bob}"
    assert rows[f"C (#{tasks['C']})"][1:3] == ["2025-01-06 18:00", "-24h"]  # one day instead of two
    assert "0 miss its project's end" in shown and "within its end 2025-01-31 00:00" in shown
    job = admin.jobs.get(job_id)
    assert job.what_if is not None and job.what_if.project_ends[0].end == istanbul(31)

    admin.tasks.get(tasks["A"])
    admin.tasks.update(tasks["A"], schedule_timing=4)  # someone changes A meanwhile
    said = refused(env, "schedule", "apply", str(job_id))
    assert "Error: 409" in said and f"changed since: tasks {tasks['A']}" in said
    assert f"`stalker schedule drop {job_id}`" in said
    assert admin.tasks.get(tasks["B"]).resource_ids == [show.people["alice"]]  # nothing applied

    assert run(env, "schedule", "drop", str(job_id)).strip() == f"Scenario of job {job_id} dropped."
    assert "is dropped: nothing to compare" in run(env, "schedule", "scenario", str(job_id))
    assert "Error: 409" in refused(env, "schedule", "apply", str(job_id))


def test_bad_what_if_input_is_one_clear_message(admin: Stalker, system: str, unique: str) -> None:
    env = as_admin(system)
    found = what_if_show(admin, unique, ZONE)
    a = str(found.tasks["A"])
    for option, value in (
        ("--vacation", "alice-2025-01-07"),
        ("--vacation", "alice:2025-01-07"),
        ("--add-artist", "A:alice"),
        ("--timing", f"{a}:3 days"),
        ("--priority", f"{a}:1001"),
        ("--project-end", "IF:soon"),
    ):
        said = refused(env, "schedule", "what-if", option, value, code=2)
        assert f"Invalid value for {option}" in said, said
    said = refused(env, "schedule", "what-if", "--add-artist", f"{a}:nobody")
    assert "no user with login 'nobody'" in said and "field: --add-artist" in said
    said = refused(env, "schedule", "what-if", "--project-end", "NOPE:2025-02-01")
    assert "no project with code 'NOPE'" in said
    said = refused(env, "schedule", "what-if", "--timing", "999999:1d")
    assert "Error: 404" in said and "what_if.timings[0].task_id" in said
    assert admin.jobs.list(studio_id=found.studio_id, status="queued").total == 0
    assert "404" in refused(env, "schedule", "apply", "999999")
