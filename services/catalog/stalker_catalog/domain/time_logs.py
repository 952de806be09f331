"""The one rule of a time log's span: it ends after it starts, and is at most a week long (longer is a
typing mistake, not a week of work)."""

from __future__ import annotations

from datetime import datetime, timedelta

from stalker_catalog.domain.errors import ValidationFailed

MAX_LOG = timedelta(days=7)


def check_span(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationFailed(
            f"a time log must end after it starts (got {start.isoformat()} to {end.isoformat()})", field="end"
        )
    if end - start > MAX_LOG:
        raise ValidationFailed(
            f"a time log is at most {MAX_LOG.days} days long (got {end - start})", field="end"
        )
