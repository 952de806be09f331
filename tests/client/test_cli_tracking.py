"""Production tracking from the command line: an artist's day (`stalker tasks --mine`, `stalker log`,
`stalker note`, `stalker review request`) and a lead's (`stalker review list --mine`, `approve`, `revise`,
`stalker log --user`, `stalker task hold/resume`), with the statuses checked through the client, and the
durations as the studio counts them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer

from stalker_client import Stalker
from stalker_client.cli._durations import seconds_of, spoken, start_of, timing_of

from support.cli import stalker
from support.client_data import make_user, tutorial_studio

PASSWORD = "Tr0ub4dor&3"
MONDAY = datetime(2025, 1, 6, 9, tzinfo=UTC)


@dataclass
class Show:
    """A shot with Layout (2 studio days) and comp (10 h) for the artist; the lead reviews the shot."""

    project_id: int
    shot_id: int
    layout_id: int
    comp_id: int
    artist: str
    lead: str
    lead_id: int
    env: dict[str, dict[str, str]]


@pytest.fixture
def show(admin: Stalker, system: str, unique: str, tmp_config: Path) -> Show:
    tutorial_studio(admin)
    roles = {r.model_extra["access"]: r.id for r in admin.roles.list() if r.model_extra}
    project = admin.projects.create(name=f"CLI tracking {unique}", code=f"CT{unique}")
    artist, artist_id = make_user(admin, f"artist{unique}")
    lead, lead_id = make_user(admin, f"lead{unique}")
    admin.projects.add_user(project.id, artist_id, role_id=roles["artist"])
    admin.projects.add_user(project.id, lead_id, role_id=roles["lead"])
    shot = admin.shots.create(code="SH020", project_id=project.id)
    layout = admin.tasks.create(
        name="Layout", parent_id=shot.id, resource_ids=[artist_id], schedule_timing=2, schedule_unit="d"
    )
    comp = admin.tasks.create(
        name="comp", parent_id=shot.id, resource_ids=[artist_id], schedule_timing=10, schedule_unit="h"
    )
    admin.tasks.set_responsible(shot.id, [lead_id])
    env = {
        login: {"STALKER_URL": system, "STALKER_LOGIN": login, "STALKER_PASSWORD": PASSWORD}
        for login in (artist, lead)
    }
    return Show(project.id, shot.id, layout.id, comp.id, artist, lead, lead_id, env)


def run(show: Show, who: str, *args: str) -> str:
    done = stalker(*args, env=show.env[who])
    assert done.exit_code == 0, done.output
    return done.stdout


def rows_of(output: str) -> dict[str, list[str]]:
    """A rich table's rows by their first column."""
    rows = [
        [cell.strip() for cell in line.strip("│").split("│")] for line in output.splitlines() if "│" in line
    ]
    return {row[0]: row[1:] for row in rows}


def test_an_artists_day_log_time_leave_a_note_ask_for_a_review(admin: Stalker, show: Show) -> None:
    artist = show.artist
    mine = rows_of(run(show, artist, "tasks", "--mine"))
    assert {k: v[:3] for k, v in mine.items()} == {
        str(show.layout_id): ["Layout", "task", "RTS"],
        str(show.comp_id): ["comp", "task", "RTS"],
    }
    assert mine[str(show.layout_id)][4] == "18h"  # 2 days of the studio's 9 h

    logged = run(
        show, artist, "log", str(show.layout_id), "3h", "--start", "2025-01-06T09:00Z", "-d", "blocking"
    )
    first = admin.time_logs.first(task_id=show.layout_id)
    assert first is not None and (first.seconds, first.description) == (10800, "blocking")
    assert logged.splitlines() == [
        f"Logged 3h on Layout (task {show.layout_id}) for {artist}: 2025-01-06 09:00 to 2025-01-06 12:00 UTC "
        f"(time log {first.id})",
        f"Layout (task {show.layout_id}) is WIP: 3h of 18h logged (17%), 15h left",
    ]
    a_day = run(show, artist, "log", str(show.comp_id), "1d", "--start", "2025-01-07T09:00Z")
    assert "Logged 9h (1d) on comp" in a_day and "2025-01-07 09:00 to 2025-01-07 18:00 UTC" in a_day

    before = datetime.now(UTC).replace(second=0, microsecond=0)
    just_now = run(show, artist, "log", str(show.layout_id), "1h30min")
    start, end = (
        datetime.strptime(t, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        for t in re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d", just_now)
    )
    assert end - start == timedelta(minutes=90) and before <= end <= before + timedelta(minutes=1)
    assert "is WIP: 4h30min of 18h logged (25%), 13h30min left" in just_now

    noted = run(show, artist, "note", str(show.layout_id), "camera locked, blocking done")
    assert noted.startswith("Note ") and f"added to Layout (task {show.layout_id})." in noted
    asked = run(show, artist, "review", "request", str(show.layout_id), "-d", "ready for a look")
    review = admin.reviews.first(task_id=show.layout_id)
    assert review is not None and (review.status, review.description) == ("NEW", "ready for a look")
    assert asked.splitlines() == [
        f"Review requested (round 1): review {review.id} for {show.lead}.",
        f"Layout (task {show.layout_id}) is PREV: 4h30min of 18h logged (25%), 13h30min left",
        f"  Layout (task {show.layout_id}): WIP -> PREV",
    ]
    statuses = {k: v[2] for k, v in rows_of(run(show, artist, "tasks", "--mine", "--status", "prev")).items()}
    assert statuses == {str(show.layout_id): "PREV"}
    assert admin.tasks.get(show.shot_id).status == "WIP"
    notes = rows_of(run(show, artist, "notes", str(show.layout_id)))
    assert [row[1:] for row in notes.values()] == [[artist, "", "camera locked, blocking done"]]


def test_an_artists_mistakes_are_one_clear_message(show: Show) -> None:
    artist = show.artist
    run(show, artist, "log", str(show.layout_id), "3h", "--start", "2025-01-06T09:00Z")
    overlapping = stalker(
        "log", str(show.comp_id), "2h", "--start", "2025-01-06T10:00Z", env=show.env[artist]
    )
    assert overlapping.exit_code == 1
    assert "Error: 409 Conflict:" in overlapping.stderr and "may not overlap" in overlapping.stderr
    assert "field: start" in overlapping.stderr and "Traceback" not in overlapping.output
    too_early = stalker("review", "request", str(show.comp_id), env=show.env[artist])
    assert too_early.exit_code == 1
    assert "is RTS" in too_early.stderr and "it must be WIP" in too_early.stderr
    for typo in ("2x", "0h", "h"):
        refused = stalker("log", str(show.comp_id), typo, env=show.env[artist])
        assert refused.exit_code == 2 and "DURATION" in refused.output, refused.output
    for_the_lead = stalker("log", str(show.comp_id), "1h", "--user", show.lead, env=show.env[artist])
    assert for_the_lead.exit_code == 1 and "403" in for_the_lead.stderr
    nobody = stalker("log", str(show.comp_id), "1h", "--user", "nobody-at-all", env=show.env[artist])
    assert nobody.exit_code == 1 and "no user with login 'nobody-at-all'" in nobody.stderr


def test_a_leads_day_approve_one_send_one_back_with_a_note(admin: Stalker, show: Show) -> None:
    artist, lead = show.artist, show.lead
    run(show, artist, "log", str(show.layout_id), "2h", "--start", "2025-01-06T09:00Z")
    run(show, artist, "log", str(show.comp_id), "2h", "--start", "2025-01-06T11:00Z")
    for task_id in (show.layout_id, show.comp_id):
        run(show, artist, "review", "request", str(task_id))

    waiting = rows_of(run(show, lead, "review", "list", "--mine"))
    layout_review, comp_review = (admin.reviews.first(task_id=t) for t in (show.layout_id, show.comp_id))
    assert layout_review is not None and comp_review is not None
    assert {k: v[:4] for k, v in waiting.items()} == {
        str(layout_review.id): [f"Layout ({show.layout_id})", lead, "1", "NEW"],
        str(comp_review.id): [f"comp ({show.comp_id})", lead, "1", "NEW"],
    }
    assert rows_of(run(show, artist, "review", "list", "--mine")) == {}  # nothing waits for the artist

    approved = run(show, lead, "review", "approve", str(layout_review.id), "--note", "clean, thanks")
    assert approved.splitlines() == [
        f"Review {layout_review.id} approved.",
        f"Layout (task {show.layout_id}) is CMPL: 2h of 2h logged (100%)",
        f"  Layout (task {show.layout_id}): PREV -> CMPL",
    ]
    revised = run(
        show, lead, "review", "revise", str(comp_review.id), "--time", "1d", "--note", "the edges flicker"
    )
    assert revised.splitlines() == [
        f"Review {comp_review.id}: revision requested, 1d more.",
        f"comp (task {show.comp_id}) is HREV: 2h of 11h logged (18%), 9h left",
        f"  comp (task {show.comp_id}): PREV -> HREV",
    ]
    decided = {r.id: (r.status, r.description) for r in admin.reviews.list(project_id=show.project_id)}
    assert decided == {
        layout_review.id: ("APP", "clean, thanks"),
        comp_review.id: ("RREV", "the edges flicker"),
    }
    done = run(show, lead, "review", "list", "--mine")
    assert rows_of(done) == {} and done.rstrip().endswith("0 of 0")
    every = rows_of(run(show, lead, "review", "list", "--all", "--project", str(show.project_id)))
    assert every[str(comp_review.id)][-1] == "the edges flicker"

    # the lead logs an hour of the artist's on the sent-back comp (HREV -> WIP), holds it and resumes it
    for_artist = run(
        show, lead, "log", str(show.comp_id), "1h", "--user", artist, "--start", "2025-01-07T09:00Z"
    )
    assert f"for {artist}: 2025-01-07 09:00" in for_artist and "is WIP: 3h of 11h" in for_artist
    held = run(show, lead, "task", "hold", str(show.comp_id))
    assert held.splitlines()[0] == f"Task {show.comp_id} held." and "WIP -> OH" in held
    assert "OH -> WIP" in run(show, lead, "task", "resume", str(show.comp_id))
    assert admin.tasks.get(show.comp_id).status == "WIP"
    # and sends the completed Layout back for one more pass
    again = run(
        show, lead, "task", "revise", str(show.layout_id), "--time", "1h30min", "--note", "one more pass"
    )
    assert again.splitlines() == [
        f"Task {show.layout_id} sent back, 1h30min more.",
        f"Layout (task {show.layout_id}) is HREV: 2h of 3h30min logged (57%), 1h30min left",
        f"  Layout (task {show.layout_id}): CMPL -> HREV",
    ]
    newest = admin.reviews.list(task_id=show.layout_id, sort="-id")[0]
    assert (newest.status, newest.description, newest.review_number) == ("RREV", "one more pass", 2)
    missing = stalker("review", "approve", "987654321", env=show.env[lead])
    assert missing.exit_code == 1 and "Error: 404" in missing.stderr


def test_durations_as_the_studio_counts_them() -> None:
    assert seconds_of("2h", 9) == 7200 and seconds_of("90min", 9) == 5400
    assert seconds_of("1h30min", 9) == seconds_of("1.5h", None) == 5400
    assert seconds_of("1d", 9) == 9 * 3600 and seconds_of("2D 1h", 8) == 17 * 3600
    for wrong in ("2", "2x", "h2", "0min", "1h junk"):
        with pytest.raises(typer.BadParameter):
            seconds_of(wrong, 9)
    with pytest.raises(typer.BadParameter, match="no studio"):
        seconds_of("1d", None)
    assert timing_of("1d", "--time") == (1.0, "d") and timing_of("1h30min", "--time") == (90.0, "min")
    assert [spoken(s) for s in (0, 600, 3600, 9000, 40 * 3600)] == ["0h", "10min", "1h", "2h30min", "40h"]
    now = datetime(2025, 1, 6, 17, 42, 31, tzinfo=UTC)
    assert start_of(None, timedelta(hours=2), now) == datetime(2025, 1, 6, 15, 42, tzinfo=UTC)
    assert start_of("2025-01-06T09:00+02:00", timedelta(hours=1)) == datetime(2025, 1, 6, 7, tzinfo=UTC)
    with pytest.raises(typer.BadParameter):
        start_of("monday", timedelta(hours=1))
