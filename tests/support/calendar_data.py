"""Data the calendar and what-if tests of the client and the CLI share: a studio whose clock is pinned to
Monday 2025-01-06 09:00 local time, artists and a producer of their own, and the what-if show of
tests/integration/catalog/test_catalog_what_if.py (alice does A, 3 d, then B, 2 d; bob does C, 2 d; the
project ends on Monday the 13th)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from stalker_client import Stalker

from support.client_data import make_user

PASSWORD = "Tr0ub4dor&3"


def at(day: int, hour: float = 0, zone: str = "UTC") -> datetime:
    """A time in January 2025, in the zone."""
    return datetime(2025, 1, day, int(hour), int(hour % 1 * 60), tzinfo=ZoneInfo(zone))


def pinned_studio(client: Stalker, zone: str = "UTC") -> int:
    """The studio (the catalog keeps one): Monday to Friday 09:00-18:00 local, now Monday the 6th 09:00."""
    found = client.studios.first()
    if found is not None:
        return found.id
    studio = client.studios.create(
        name="Calendars", now=at(6, 9, zone), start=at(6, 0, zone), duration=90, time_zone=zone
    )
    return studio.id


def role_ids(client: Stalker) -> dict[str, int]:
    return {r.model_extra["access"]: r.id for r in client.roles.list() if r.model_extra}


@dataclass
class People:
    """Two artists and a producer, members of one project; the logins and ids by their first names."""

    project_id: int
    logins: dict[str, str]
    ids: dict[str, int]


def people(client: Stalker, unique: str, names: tuple[str, ...] = ("alice", "bob", "pam")) -> People:
    """pam is a producer (admins and producers write others' leave, holidays, working hours), the rest are
    artists."""
    roles = role_ids(client)
    project = client.projects.create(name=f"Calendars {unique}", code=f"CAL{unique}")
    logins, ids = {}, {}
    for name in names:
        logins[name], ids[name] = make_user(client, f"{name}{unique}")
        role = roles["producer" if name == "pam" else "artist"]
        client.projects.add_user(project.id, ids[name], role_id=role)
    return People(project.id, logins, ids)


@dataclass
class Show:
    studio_id: int
    project_id: int
    project_code: str
    logins: dict[str, str]
    people: dict[str, int]
    tasks: dict[str, int]


def what_if_show(client: Stalker, unique: str, zone: str = "UTC") -> Show:
    """alice does A (3 d) then B (2 d), bob does C (2 d); the project ends on Monday the 13th, 00:00."""
    studio_id = pinned_studio(client, zone)
    code = f"IF{unique}"
    project = client.projects.create(name=f"What if {unique}", code=code, end=at(13, 0, zone))
    logins, ids = {}, {}
    for name in ("alice", "bob"):
        logins[name], ids[name] = make_user(client, f"{name}{unique}")
    tasks: dict[str, int] = {}
    for name, days, who, depends in (("A", 3, "alice", []), ("B", 2, "alice", ["A"]), ("C", 2, "bob", [])):
        task = client.tasks.create(
            name=name,
            project_id=project.id,
            schedule_timing=days,
            schedule_unit="d",
            resource_ids=[ids[who]],
            depends=[tasks[d] for d in depends],
        )
        tasks[name] = task.id
    return Show(studio_id, project.id, code, logins, ids, tasks)


def planned(client: Stalker, tasks: dict[str, int]) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Each task's computed start and end."""
    found = {name: client.tasks.get(task_id) for name, task_id in tasks.items()}
    return {name: (task.computed_start, task.computed_end) for name, task in found.items()}


def schedule(client: Stalker, show: Show) -> None:
    """A normal run of the show's project, to its end."""
    job = client.studios.schedule(show.studio_id, project_ids=[show.project_id])
    assert client.jobs.wait(job.id, timeout=120).status == "completed"
