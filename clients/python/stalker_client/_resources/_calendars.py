"""The calendars: vacations and public holidays (a person's own week is on `client.users`)."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any

from stalker_client._calendar_models import Holiday, Vacation
from stalker_client._model import Page
from stalker_client._resources._base import Resource, jsonable

CATALOG = "/catalog/v1"


class Vacations(Resource[Vacation]):
    """Leave: a user's, or the whole studio's (`user_id` None). Everyone reads the calendar; a user enters
    their own leave, admins and producers anyone's and the studio's. Lists filter by `user_id`, `start` and
    `end` (`start__lt=...`, `end__gt=...`); `studio_wide=True` gives only the studio's, `overlapping=(a, b)`
    the leave that touches that period."""

    path, model = f"{CATALOG}/vacations", Vacation

    def create(
        self, *, user_id: int | None = None, start: datetime, end: datetime, description: str = ""
    ) -> Vacation:
        """Leave from `start` to `end` (the end excluded; give them a time zone) for the user, or for the
        whole studio when `user_id` is None."""
        body = {"user_id": user_id, "start": start, "end": end, "description": description}
        answer = self._session.request("POST", self.path, json=jsonable(body))
        return Vacation.model_validate(answer)

    def list(
        self,
        *,
        studio_wide: bool = False,
        overlapping: tuple[datetime, datetime] | None = None,
        **filters: Any,
    ) -> Page[Vacation]:
        if studio_wide:
            filters["user_id"] = "null"
        if overlapping is not None:
            filters["start__lt"], filters["end__gt"] = overlapping[1], overlapping[0]
        return super().list(**jsonable(filters))

    def of_user(self, user_id: int, **filters: Any) -> builtins.list[Vacation]:
        """All of the user's own leave (the studio's is separate: `all(studio_wide=True)`)."""
        return self.all(user_id=user_id, **filters)


class Holidays(Resource[Holiday]):
    """Public holidays, one per date (admins and producers write them). Lists filter by `date`
    (`date__gte=...`) and `name`."""

    path, model = f"{CATALOG}/holidays", Holiday

    def create(self, *, date: date, name: str) -> Holiday:
        return self._create({"date": date, "name": name})

    def list(self, **filters: Any) -> Page[Holiday]:
        return super().list(**jsonable(filters))

    def on(self, day: date) -> Holiday | None:
        """The holiday on that date, if any."""
        return self.first(date=day)
