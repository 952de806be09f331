"""How a run of TaskJuggler fails, whatever the engine: exceptions whose `reason` is the ScheduleFailed
reason the service layer answers with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from stalker_shared.contracts.scheduling import FailureReason, Problem


class Tj3Error(Exception):
    """tj3 could not produce a schedule; `reason` is the ScheduleFailed reason."""

    reason: ClassVar[FailureReason] = "tj3_error"

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class Tj3Missing(Tj3Error):
    reason = "tj3_missing"


class DriverUnavailable(Tj3Missing):
    """The driver cannot run here (no Ruby, or a Ruby that cannot load TaskJuggler): use the tj3 command."""


class Tj3Timeout(Tj3Error):
    reason = "timeout"

    @classmethod
    def after(cls, timeout: float) -> Tj3Timeout:
        """The failure of a run that was allowed `timeout` seconds and was stopped."""
        return cls(f"tj3 did not finish within {timeout:g} s and was stopped")


class Tj3Failed(Tj3Error):
    """tj3 ran and exited non-zero. `problems` name ids only; `map_problems` adds the request's names."""

    reason = "tj3_error"

    def __init__(self, message: str, problems: Iterable[Problem], *, stderr: str, returncode: int) -> None:
        super().__init__(message, problems)
        self.stderr = stderr
        self.returncode = returncode
