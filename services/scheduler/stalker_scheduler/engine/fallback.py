"""A driver that cannot run here (no Ruby, or a Ruby without TaskJuggler's library) hands its run to the
tj3 command: slower, the same dates, so such a host still schedules (or says tj3 is missing)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from stalker_scheduler.engine.errors import DriverUnavailable
from stalker_scheduler.engine.interface import Tj3Engine, Tj3Result
from stalker_shared.logging import get_logger

_log = get_logger(__name__)


@dataclass(frozen=True)
class DriverOrCommand:
    """`driver` (cold or warm), or `command` when the driver is unavailable, as one Tj3Engine."""

    driver: Tj3Engine
    command: Tj3Engine

    async def run(self, tjp_text: str, *, timeout: float, yjit: bool = False) -> Tj3Result:
        """Run the driver; on DriverUnavailable, the command within what is left of `timeout`."""
        started = time.perf_counter()
        try:
            return await self.driver.run(tjp_text, timeout=timeout, yjit=yjit)
        except DriverUnavailable as exc:
            _log.warning("tj3 driver unavailable, running the tj3 command instead", reason=exc.message)
            timeout = max(timeout - (time.perf_counter() - started), 0.001)
        return await self.command.run(tjp_text, timeout=timeout, yjit=yjit)
