"""What runs in a render worker process: the work, under a memory cap, with its outcome made picklable.

Business errors carry a field and extensions that plain exception pickling loses (it keeps only the
message), so they travel as values and are raised again in the API's process.
"""

from __future__ import annotations

import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from stalker_versions.domain.errors import DomainError
from stalker_versions.templates.sandbox import TemplateFailure

T = TypeVar("T")
MEMORY_HEADROOM = 256 * 2**20  # bytes of address space a worker may add to what it has once started


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None = None
    error: type[DomainError] | None = None
    message: str = ""
    error_field: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)
    template_line: int | None = None
    template_failure: bool = False

    def unwrap(self) -> T:
        if self.template_failure:
            raise TemplateFailure(self.message, self.template_line)
        if self.error is not None:
            raise self.error(self.message, self.error_field, **self.extensions)
        return self.value  # type: ignore[return-value]


_capped = False


def _cap_memory() -> None:
    """Once per worker: its address space may grow by MEMORY_HEADROOM, past which allocations fail
    (MemoryError, a TemplateFailure) instead of taking the machine's memory."""
    global _capped
    if _capped:
        return
    _capped = True
    status = Path("/proc/self/status")
    if not status.exists():  # not Linux: no cap
        return
    sizes = [line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmSize:")]
    if sizes:
        limit = int(sizes[0]) * 1024 + MEMORY_HEADROOM
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def run_in_worker(work: Callable[..., T], *args: Any) -> Outcome[T]:
    _cap_memory()
    try:
        return Outcome(value=work(*args))
    except TemplateFailure as exc:
        return Outcome(message=exc.reason, template_line=exc.line, template_failure=True)
    except DomainError as exc:
        return Outcome(error=type(exc), message=exc.message, error_field=exc.field, extensions=exc.extensions)
