"""The rules of a time log's span: it ends after it starts, is at most a week long (longer is a typing
mistake, not a week of work), and is done: it ends no later than now (a few minutes of clock skew
allowed), since work still to come is the schedule's, and tj3 refuses a booking past its `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

from stalker_catalog.domain.errors import ValidationFailed

MAX_LOG = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=5)


def check_span(start: datetime, end: datetime, now: datetime | None = None) -> None:
    if end <= start:
        raise ValidationFailed(
            f"a time log must end after it starts (got {start.isoformat()} to {end.isoformat()})", field="end"
        )
    if end - start > MAX_LOG:
        raise ValidationFailed(
            f"a time log is at most {MAX_LOG.days} days long (got {end - start})", field="end"
        )
    if now is not None and end > now + CLOCK_SKEW:
        raise ValidationFailed(
            f"a time log records work done: it cannot end in the future (ends {end.isoformat()}, "
            f"now is {now.isoformat()})",
            field="end",
        )
