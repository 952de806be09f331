"""Users, departments, groups and roles."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from stalker_client._calendar_models import PersonWeek
from stalker_client._catalog_models import Department, Group, Role, Task, User
from stalker_client._model import Page
from stalker_client._resources._base import Resource, body_of
from stalker_client._resources._tjp import render_tjp

CATALOG = "/catalog/v1"
C = TypeVar("C", Department, Group)


class Users(Resource[User]):
    path, model = f"{CATALOG}/users", User

    def create(
        self,
        *,
        name: str,
        login: str,
        email: str,
        password: str,
        description: str = "",
        efficiency: float | None = None,
        rate: float | None = None,
        department_ids: Sequence[int] = (),
        group_ids: Sequence[int] = (),
        **extra: Any,
    ) -> User:
        """A new user (admins only)."""
        return self._create(
            {
                "name": name,
                "login": login,
                "email": email,
                "password": password,
                "description": description,
                "efficiency": efficiency,
                "rate": rate,
                "department_ids": list(department_ids),
                "group_ids": list(group_ids),
                **extra,
            }
        )

    def by_login(self, login: str) -> User | None:
        return self.first(login=login)

    def tasks(
        self,
        user_id: int,
        *,
        roles: Sequence[str] = ("resource", "responsible", "watcher"),
        window_start: datetime | None = None,
        window_end: datetime | None = None,
        **filters: Any,
    ) -> Page[Task]:
        """The user's tasks as any of `roles` (resource, responsible, watcher), with the task list's filters
        (status, project_id...) and optionally those planned within a window."""
        params = {"as": ",".join(roles), "window_start": window_start, "window_end": window_end, **filters}
        body = self._session.request("GET", f"{self.path}/{user_id}/tasks", params=body_of(params))
        items = [Task.model_validate(t) for t in body["items"]]
        return Page(
            items=items, total=int(body["total"]), limit=int(body["limit"]), offset=int(body["offset"])
        )

    def departments(self, user_id: int) -> builtins.list[Department]:
        answer = self._session.request("GET", f"{self.path}/{user_id}/departments")
        return [Department.model_validate(d) for d in answer]

    def working_hours(self, user_id: int) -> PersonWeek:
        """The person's week: their own (`own`), or the studio's they work by default."""
        return PersonWeek.model_validate(self._session.request("GET", f"{self.path}/{user_id}/working-hours"))

    def set_working_hours(self, user_id: int, hours: Mapping[str, Sequence[Sequence[int]]]) -> PersonWeek:
        """Give the person a week of their own (admins and producers): weekday -> [start, end] minutes
        from local midnight, e.g. {"mon": [[540, 780]]}; a day left out is off."""
        body = {"working_hours": {day: [list(r) for r in ranges] for day, ranges in hours.items()}}
        answer = self._session.request("PUT", f"{self.path}/{user_id}/working-hours", json=body)
        return PersonWeek.model_validate(answer)

    def reset_working_hours(self, user_id: int) -> None:
        """Back to the studio's week (admins and producers)."""
        self._session.request("DELETE", f"{self.path}/{user_id}/working-hours")

    def to_tjp(self, user_id: int, *, studio_id: int | None = None) -> str:
        """The user as a TaskJuggler resource (the tutorial's `me.to_tjp`)."""
        return render_tjp(self._session, "user", user_id, studio_id)


class _Collections(Resource[C]):
    """Departments and groups: named sets of users."""

    def create(self, *, name: str, description: str = "", user_ids: Sequence[int] = ()) -> C:
        return self._create({"name": name, "description": description, "user_ids": list(user_ids)})

    def by_name(self, name: str) -> C | None:
        return self.first(name=name)

    def members(self, id: int) -> builtins.list[User]:
        """Its users (`Department.users` and `Department.members` are the same list)."""
        return [User.model_validate(u) for u in self._session.request("GET", f"{self.path}/{id}/users")]

    def add_member(self, id: int, user_id: int) -> C:
        body = self._session.request("POST", f"{self.path}/{id}/users", json={"user_id": user_id})
        return self.model.model_validate(body)

    def remove_member(self, id: int, user_id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{id}/users/{user_id}")


class Departments(_Collections[Department]):
    path, model = f"{CATALOG}/departments", Department


class Groups(_Collections[Group]):
    path, model = f"{CATALOG}/groups", Group


class Roles(Resource[Role]):
    path, model = f"{CATALOG}/roles", Role

    def create(self, *, name: str, description: str = "") -> Role:
        return self._create({"name": name, "description": description})
