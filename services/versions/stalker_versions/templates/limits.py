"""How big a value a template builds may be, measured before it is built where building it is the cost.

A value's size is the length of its printed form (`str(value)`), so one rule covers strings, numbers,
lists, tuples and dicts, nested or not. The printed size of a container is summed from its items' sizes,
each container measured once (`[a] * 9999` repeats one list 9999 times: its size is known from `a`'s
without printing anything), and the count stops as soon as it passes the limit. Every operation that
could make a big value out of small ones (`*`, `+`, `~`, `%`, `join`, `replace`, `format`, literals,
filters, calls) checks the size it is about to make; so every value a template holds is small, and so
is the work any single operation on it does (printing, comparing, sorting), which keeps each step of a
render short enough for the step and time budgets to stop it on time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import Environment, pass_environment
from jinja2.filters import make_attrgetter

MAX_VALUE = 10_000  # printed length of any value a template builds
MAX_INT_BITS = 256
MAX_FORMAT_WIDTH = 100
MAX_RANGE = 1_000
MAX_DEPTH = 64  # nesting of lists, tuples and dicts
_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")
_SMALL = (bool, float, type(None))


class LimitExceeded(Exception):
    """A value or output bigger than the sandbox allows."""


def _too_long(limit: int = MAX_VALUE) -> LimitExceeded:
    return LimitExceeded(f"the template builds a value longer than {limit} characters")


def printed_size(value: Any, limit: int = MAX_VALUE) -> int:
    """An upper bound of `len(str(value))`; counting stops (and returns) once it is past `limit`."""
    if isinstance(value, str):
        return len(value)
    return _size(value, limit, {}, 0)


def _size(value: Any, limit: int, seen: dict[int, int], depth: int) -> int:
    if isinstance(value, str) and len(value) < 64:
        return len(repr(value))  # inside a container a string prints as its repr
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() < 64:
            return len(str(value))
        return value.bit_length() * 31 // 100 + 2  # decimal digits, with the sign
    if isinstance(value, _SMALL):
        return 24
    known = seen.get(id(value))
    if known is not None:
        return known
    if depth > MAX_DEPTH:
        raise LimitExceeded(f"the template nests lists or dicts deeper than {MAX_DEPTH}")
    if isinstance(value, str):
        total = len(repr(value))
    elif isinstance(value, list | tuple | set | frozenset | dict):
        # A dict's keys and values are measured one by one: `items()` makes pairs that do not outlive
        # the loop, so their ids could come back for other objects and mislead `seen`.
        items: Iterable[Any] = value
        if isinstance(value, dict):
            items = (x for pair in value.items() for x in pair)
        # `[a, b]`: brackets, items, a comma and a space between items (sets and 1-tuples print a
        # little more: counted generously).
        total = 0 if isinstance(value, list | dict) else 12
        for item in items:
            total += 2 + _size(item, limit - total, seen, depth + 1)
            if total > limit:
                break
        total = max(total, 2)
    else:
        # A value from the context or Jinja2 itself (a task view, a macro, a loop): small by construction.
        total = len(repr(value))
    seen[id(value)] = total
    return total


def check_size(value: Any) -> Any:
    """`value` itself, once it is known to be within the limits."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"the template builds a number larger than 2**{MAX_INT_BITS}")
    if printed_size(value) > MAX_VALUE:
        raise _too_long()
    return value


def check_length(length: int, limit: int = MAX_VALUE) -> None:
    if length > limit:
        raise _too_long(limit)


def check_bounded(value: Any) -> Any:
    """A filter's or a call's result: checked now, or item by item when it is produced lazily."""
    if isinstance(value, Iterator) and not isinstance(value, str | list | tuple | dict):
        return (check_size(item) for item in value)
    return check_size(value)


def check_format(spec: str) -> int:
    """The number of conversions in a `%` format, once every width and precision is known small."""
    conversions = 0
    for width, precision in _FORMAT_SPEC.findall(spec):
        conversions += 1
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                raise LimitExceeded(f"format widths are limited to {MAX_FORMAT_WIDTH}")
    return conversions


def check_percent(spec: str, args: Any) -> None:
    """`spec % args` may not print more than MAX_VALUE: each conversion prints one argument (a mapping
    may be named by every conversion) padded to at most MAX_FORMAT_WIDTH."""
    conversions = check_format(spec)
    if isinstance(args, dict):
        widest = max((printed_size(v) for v in args.values()), default=0)
        estimate = conversions * max(widest, MAX_FORMAT_WIDTH)
    else:
        values = args if isinstance(args, tuple) else (args,)
        estimate = sum(printed_size(v) for v in values) + conversions * MAX_FORMAT_WIDTH
    check_length(len(spec) + estimate)


def check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse, before it runs, an operation whose result would be too big."""
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                check_length(printed_size(sequence) * max(count, 0) if count > 1 else 0)
        both_int = isinstance(left, int) and isinstance(right, int)
        if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"the template builds a number larger than 2**{MAX_INT_BITS}")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and right * abs(left).bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"the template builds a number larger than 2**{MAX_INT_BITS}")
    elif operator == "%" and isinstance(left, str):
        check_percent(left, right)
    elif operator == "+" and not (isinstance(left, int | float) and isinstance(right, int | float)):
        check_length(printed_size(left) + printed_size(right))


def concat_texts(parts: Iterable[Any]) -> str:
    """`a ~ b ~ c`, measured before anything is printed."""
    values = list(parts)
    check_length(sum(printed_size(v) for v in values))
    return "".join(str(v) for v in values)


def bounded_format(value: Any, *args: Any, **kwargs: Any) -> str:
    text = str(check_size(value))
    arguments = kwargs or args
    check_percent(text, arguments)
    result: str = check_size(text % arguments)
    return result


def bounded_replace(value: Any, old: Any, new: Any, count: int | None = None) -> str:
    text, old, new = str(check_size(value)), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    check_length(len(text) + (hits if count is None else min(hits, count)) * len(new))
    return text.replace(old, new, -1 if count is None else count)


@pass_environment
def bounded_join(
    environment: Environment, value: Iterable[Any], separator: Any = "", attribute: str | None = None
) -> str:
    # The attribute is read through the sandbox (make_attrgetter), as Jinja2's own `join` does.
    items = list(map(make_attrgetter(environment, attribute), value)) if attribute else list(value)
    text = str(separator)
    check_length(sum(printed_size(v) for v in items) + len(text) * max(len(items) - 1, 0))
    return text.join(str(v) for v in items)


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(f"range() is limited to {MAX_RANGE} items")
    return numbers
