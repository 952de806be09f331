"""Data the client and CLI tests share: the tutorial's studio and users of their own."""

from __future__ import annotations

from datetime import UTC, datetime

from stalker_client import Stalker


def tutorial_studio(client: Stalker) -> int:
    """The tutorial's studio (the catalog keeps one): clock pinned, Monday to Friday 09:00-18:00 UTC."""
    found = client.studios.by_name("My Great Studio")
    if found is not None:
        return found.id
    studio = client.studios.create(
        name="My Great Studio",
        now=datetime(2014, 4, 2, 16, tzinfo=UTC),
        start=datetime(2014, 4, 2, tzinfo=UTC),
        duration=365,
        time_zone="UTC",
    )
    return studio.id


def make_user(client: Stalker, unique: str, *, admin: bool = False) -> tuple[str, int]:
    """A user with the password "Tr0ub4dor&3"; returns (login, id)."""
    groups = [g.id for g in client.groups.list(name="admins")] if admin else []
    user = client.users.create(
        name=f"User {unique}",
        login=f"user{unique}",
        email=f"user{unique}@example.com",
        password="Tr0ub4dor&3",
        group_ids=groups,
    )
    return user.login, user.id
