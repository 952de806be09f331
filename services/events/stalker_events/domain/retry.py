"""When to try a failing webhook endpoint again."""

from __future__ import annotations

from random import Random


def next_delay(failures: int, base: float, cap: float, rng: Random) -> float:
    """Seconds to wait after the `failures`-th failure in a row: base doubled each time up to cap, times
    a jitter in [0.5, 1) so that endpoints failing together do not retry together."""
    exponent = min(max(failures - 1, 0), 62)
    return min(cap, base * 2.0**exponent) * rng.uniform(0.5, 1.0)
