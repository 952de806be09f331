"""The calendars: vacations (a user's, or the whole studio's), public holidays and a person's own week."""

from __future__ import annotations

from datetime import date, datetime

from stalker_client._model import Audited, Model

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Vacation(Audited):
    """Leave from `start` to `end` (the end excluded); `user_id` None is the whole studio's."""

    id: int
    user_id: int | None
    start: datetime
    end: datetime
    description: str = ""

    @property
    def studio_wide(self) -> bool:
        return self.user_id is None


class Holiday(Audited):
    """A public holiday: the whole day, in the studio's time zone, nobody works."""

    id: int
    date: date
    name: str


class PersonWeek(Model):
    """A person's working hours: weekday -> [start, end] minute ranges from local midnight, every day of
    the week (an empty list is a day off); `own` False means they work the studio's hours."""

    user_id: int
    working_hours: dict[str, list[list[int]]]
    own: bool
