"""What the pages' forms and query strings share: bounded text fields, and numbers read leniently from a
bookmark (a bad value means "none", not an error page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form

Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=40)]
# The highest page number a query string may ask for: a page of up to 100 rows there is still within the
# catalog's offsets (up to 2^31 - 1).
LAST_PAGE = 20_000_000


def positive(raw: str | None, max_digits: int = 18) -> int | None:
    """A whole number above 0 from a query string, else None."""
    if raw is None or not raw.isdigit() or len(raw) > max_digits:
        return None
    value = int(raw)
    return value if value > 0 else None


def page_number(raw: str | None) -> int:
    """A page's number from a query string: 1 unless it says a whole number, at most LAST_PAGE."""
    return min(positive(raw) or 1, LAST_PAGE)


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill (one, empty, when there is none)."""
    return max(1, -(-total // page_size))
