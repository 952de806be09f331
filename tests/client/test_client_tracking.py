"""Production tracking through the client: an artist's day (log time, ask for a review) and a lead's
(approve, send back with the extra time and a note), the task actions, responsible and watchers, notes,
and the problems a wrong move answers, as typed exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from stalker_client import (
    ActionResult,
    Conflict,
    NotFound,
    PermissionDenied,
    Review,
    Stalker,
    TimeLog,
    ValidationError,
)

from support.client_data import make_user, tutorial_studio

PASSWORD = "Tr0ub4dor&3"
MONDAY = datetime(2025, 1, 6, 9, tzinfo=UTC)


@dataclass
class Show:
    """A shot with two leaf tasks the artist works on; the lead is the shot's responsible."""

    project_id: int
    shot_id: int
    layout_id: int
    comp_id: int
    artist_id: int
    lead_id: int
    artist: Stalker
    lead: Stalker


def build_show(admin: Stalker, system: str, unique: str) -> Iterator[Show]:
    tutorial_studio(admin)
    roles = {r.model_extra["access"]: r.id for r in admin.roles.list() if r.model_extra}
    project = admin.projects.create(name=f"Tracking {unique}", code=f"TR{unique}")
    artist_login, artist_id = make_user(admin, f"artist{unique}")
    lead_login, lead_id = make_user(admin, f"lead{unique}")
    admin.projects.add_user(project.id, artist_id, role_id=roles["artist"])
    admin.projects.add_user(project.id, lead_id, role_id=roles["lead"])
    shot = admin.shots.create(code="SH010", project_id=project.id)
    layout, comp = (
        admin.tasks.create(
            name=name, parent_id=shot.id, resource_ids=[artist_id], schedule_timing=10, schedule_unit="h"
        )
        for name in ("Layout", "comp")
    )
    admin.tasks.set_responsible(shot.id, [lead_id])
    with (
        Stalker.connect(system, artist_login, PASSWORD) as artist,
        Stalker.connect(system, lead_login, PASSWORD) as lead,
    ):
        yield Show(project.id, shot.id, layout.id, comp.id, artist_id, lead_id, artist, lead)


@pytest.fixture
def show(admin: Stalker, system: str, unique: str) -> Iterator[Show]:
    yield from build_show(admin, system, unique)


def test_an_artists_day_log_time_then_ask_for_a_review(show: Show) -> None:
    artist = show.artist
    log = artist.time_logs.create(
        show.layout_id, start=MONDAY, duration=timedelta(hours=3), description="blocking"
    )
    assert isinstance(log, TimeLog)
    assert (log.resource_id, log.seconds, log.end, log.description) == (
        show.artist_id,
        10800,
        MONDAY + timedelta(hours=3),
        "blocking",
    )
    layout = artist.tasks.get(show.layout_id)
    assert (layout.status, layout.total_logged_seconds, layout.remaining_seconds) == ("WIP", 10800, 25200)
    assert layout.percent_complete == pytest.approx(30.0)
    assert artist.tasks.get(show.shot_id).status == "WIP"  # the parent rolls up

    later = artist.time_logs.create(
        show.layout_id, start=MONDAY + timedelta(hours=4), end=MONDAY + timedelta(hours=5)
    )
    listed = artist.time_logs.list(task_id=show.layout_id, sort="-start")
    assert [entry.id for entry in listed] == [later.id, log.id]
    assert artist.time_logs.list(resource_id=show.artist_id, project_id=show.project_id).total == 2

    made = artist.tasks.request_review(show.layout_id, description="ready for a look")
    assert isinstance(made, ActionResult)
    assert made.task.status == "PREV"
    assert [(r.reviewer_id, r.status, r.review_number) for r in made.reviews] == [(show.lead_id, "NEW", 1)]
    assert (show.layout_id, "WIP", "PREV") in {
        (c.task_id, c.from_status, c.to_status) for c in made.status_changes
    }
    mine = artist.users.tasks(show.artist_id, roles=["resource"], sort="id")
    assert [t.id for t in mine] == [show.layout_id, show.comp_id]
    assert [t.status for t in mine] == ["PREV", "RTS"]


def test_a_leads_day_approve_one_and_send_one_back_with_a_note(show: Show) -> None:
    artist, lead = show.artist, show.lead
    for offset, task_id in enumerate((show.layout_id, show.comp_id)):
        artist.time_logs.create(
            task_id, start=MONDAY + timedelta(hours=2 * offset), duration=timedelta(hours=2)
        )
        artist.tasks.request_review(task_id)

    waiting = lead.reviews.waiting(reviewer_id=show.lead_id, project_id=show.project_id, sort="task_id")
    assert [(r.task_id, r.status) for r in waiting] == [(show.layout_id, "NEW"), (show.comp_id, "NEW")]
    assert all(isinstance(r, Review) and r.is_waiting for r in waiting)

    approved = lead.reviews.approve(waiting[0], "clean, thanks")
    assert (approved.task.status, approved.reviews[0].status) == ("CMPL", "APP")
    assert approved.task.schedule_timing == 2 and approved.task.schedule_unit == "h"  # clamped to the log
    assert lead.reviews.get(waiting[0].id).description == "clean, thanks"

    sent_back = lead.reviews.request_revision(
        waiting[1].id, schedule_timing=1, schedule_unit="d", description="the edges flicker"
    )
    assert sent_back.task.status == "HREV"
    assert sent_back.task.schedule_seconds == 11 * 3600  # 2 h logged + a 9 h studio day, beyond the 10 h
    decided = lead.reviews.get(waiting[1].id)
    assert (decided.status, decided.description, decided.decided_at is not None) == (
        "RREV",
        "the edges flicker",
        True,
    )
    assert lead.reviews.waiting(reviewer_id=show.lead_id, project_id=show.project_id).total == 0
    # the artist goes back to it: HREV becomes WIP with the next log
    artist.time_logs.create(show.comp_id, start=MONDAY + timedelta(days=1), duration=timedelta(hours=1))
    assert artist.tasks.get(show.comp_id).status == "WIP"


def test_hold_resume_stop_and_a_lead_sending_back_a_completed_task(show: Show) -> None:
    artist, lead = show.artist, show.lead
    artist.time_logs.create(show.layout_id, start=MONDAY, duration=timedelta(hours=4))
    held = lead.tasks.hold(show.layout_id)
    assert (held.task.status, held.task.priority) == ("OH", 0)
    with pytest.raises(Conflict) as refused:
        lead.tasks.hold(show.comp_id)  # RTS cannot be held
    assert refused.value.body["task_status"] == "RTS" and "RTS" in str(refused.value)
    assert lead.tasks.resume(show.layout_id).task.status == "WIP"
    stopped = lead.tasks.stop(show.layout_id)
    assert (stopped.task.status, stopped.task.schedule_timing, stopped.task.schedule_unit) == ("STOP", 4, "h")
    assert lead.tasks.resume(show.layout_id).task.status == "WIP"

    artist.tasks.request_review(show.layout_id)
    review = lead.reviews.waiting(task_id=show.layout_id)[0]
    assert lead.reviews.approve(review).task.status == "CMPL"
    again = lead.tasks.request_revision(show.layout_id, schedule_timing=1, description="one more pass")
    assert again.task.status == "HREV"
    assert [(r.reviewer_id, r.status, r.description) for r in again.reviews] == [
        (show.lead_id, "RREV", "one more pass")
    ]


def test_time_logs_are_edited_deleted_and_refused_with_the_reason(show: Show) -> None:
    artist, lead = show.artist, show.lead
    log = artist.time_logs.create(show.layout_id, start=MONDAY, end=MONDAY + timedelta(hours=4))
    changed = artist.time_logs.update(log.id, end=MONDAY + timedelta(hours=2), description="shorter")
    assert (changed.seconds, changed.description) == (7200, "shorter")
    assert artist.tasks.get(show.layout_id).total_logged_seconds == 7200

    with pytest.raises(Conflict) as overlapping:
        artist.time_logs.create(show.comp_id, start=MONDAY + timedelta(hours=1), duration=timedelta(hours=2))
    assert overlapping.value.field == "start"
    with pytest.raises(PermissionDenied):
        artist.time_logs.create(
            show.layout_id,
            start=MONDAY + timedelta(days=1),
            duration=timedelta(hours=1),
            resource=show.lead_id,
        )
    with pytest.raises(ValidationError) as on_a_container:
        lead.time_logs.create(
            show.shot_id, start=MONDAY, duration=timedelta(hours=1), resource=show.artist_id
        )
    assert on_a_container.value.field == "task_id"
    with pytest.raises(ValidationError) as backwards:
        artist.time_logs.create(show.layout_id, start=MONDAY, end=MONDAY - timedelta(hours=1))
    assert "must end after it starts" in str(backwards.value) and backwards.value.field == "end"
    with pytest.raises(ValidationError, match="either end or duration"):
        artist.time_logs.create(show.layout_id, start=MONDAY)

    for_the_artist = lead.time_logs.create(
        show.comp_id, start=MONDAY + timedelta(days=2), duration=timedelta(hours=1), resource=show.artist_id
    )
    assert (for_the_artist.resource_id, for_the_artist.created_by_id) == (show.artist_id, show.lead_id)
    artist.time_logs.delete(log.id)
    with pytest.raises(NotFound):
        artist.time_logs.get(log.id)
    assert artist.tasks.get(show.layout_id).total_logged_seconds == 0


def test_time_logs_filter_by_their_start(show: Show) -> None:
    log = show.artist.time_logs.create(show.layout_id, start=MONDAY, duration=timedelta(hours=1))
    later = show.artist.time_logs.create(
        show.layout_id, start=MONDAY + timedelta(days=1), duration=timedelta(hours=1)
    )
    assert [entry.id for entry in show.artist.time_logs.list(start=MONDAY)] == [log.id]
    week = {"start__gte": MONDAY.isoformat(), "start__lt": (MONDAY + timedelta(days=7)).isoformat()}
    assert [entry.id for entry in show.artist.time_logs.list(**week)] == [log.id, later.id]
    assert [entry.id for entry in show.artist.time_logs.list(start__gt=MONDAY.isoformat())] == [later.id]


def test_responsible_and_watchers_of_a_task(admin: Stalker, show: Show) -> None:
    assert admin.tasks.responsible(show.layout_id) == []  # inherited from the shot, not its own
    assert [u.id for u in admin.tasks.responsible(show.shot_id)] == [show.lead_id]
    assert [u.id for u in admin.tasks.set_responsible(show.layout_id, [show.lead_id])] == [show.lead_id]
    assert [u.id for u in admin.tasks.add_watcher(show.layout_id, show.artist_id)] == [show.artist_id]
    assert [u.id for u in admin.tasks.watchers(show.layout_id)] == [show.artist_id]
    admin.tasks.remove_watcher(show.layout_id, show.artist_id)
    admin.tasks.remove_responsible(show.layout_id, show.lead_id)
    assert admin.tasks.watchers(show.layout_id) == [] and admin.tasks.responsible(show.layout_id) == []
    assert [t.id for t in show.lead.users.tasks(show.lead_id, roles=["responsible"])] == [show.shot_id]


def test_notes_on_a_task_and_a_review_newest_first(show: Show) -> None:
    artist, lead = show.artist, show.lead
    first = artist.notes.create("blocking done, camera locked", task=show.layout_id)
    assert (first.task_id, first.author_id, first.project_id) == (
        show.layout_id,
        show.artist_id,
        show.project_id,
    )
    artist.time_logs.create(show.layout_id, start=MONDAY, duration=timedelta(hours=1))
    review = artist.tasks.request_review(show.layout_id).reviews[0]
    second = lead.notes.create("watch the horizon line", review=review)
    listed = artist.notes.list(task_id=show.layout_id)
    assert [n.id for n in listed] == [second.id, first.id]
    assert artist.notes.update(first.id, text="blocking done").text == "blocking done"
    with pytest.raises(PermissionDenied):
        artist.notes.delete(second.id)  # the lead's note
    artist.notes.delete(first.id)
    assert [n.id for n in artist.notes.list(task_id=show.layout_id)] == [second.id]
