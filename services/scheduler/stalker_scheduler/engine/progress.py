"""The timing of a run's phases from tj3's progress lines ("Scheduling scenario Plan ... [ Done ]"), read
from a process's stdout as it runs."""

from __future__ import annotations

import asyncio
import re
import time

_PROGRESS = re.compile(r"^(?P<label>\S.*?)\s+(?:\.\.\.|\[(?P<state>.*)\])$")
_PHASES = {
    "Reading": "read",
    "Preparing": "prepare",
    "Scheduling": "schedule",
    "Checking": "check",
    "Exporting": "export",
}


async def read_all(stream: asyncio.StreamReader | None) -> bytes:
    return await stream.read() if stream is not None else b""


async def progress(stream: asyncio.StreamReader | None, started: float) -> dict[str, float]:
    """Time tj3's phases from its progress lines ("Scheduling scenario Plan ... [ Done ]")."""
    first_seen: dict[str, float] = {}
    phases: dict[str, float] = {}
    pending = ""
    while stream is not None and (chunk := await stream.read(65536)):
        now = time.perf_counter()
        *segments, pending = re.split(r"[\r\n]", pending + chunk.decode("utf-8", errors="replace"))
        for segment in segments:
            match = _PROGRESS.match(segment.strip())
            if match is None:
                continue
            label = match.group("label")
            if label not in first_seen:
                first_seen[label] = now
                phases.setdefault("startup", now - started)
            if (match.group("state") or "").strip() == "Done":
                name = _PHASES.get(label.split(" ", 1)[0], "report")
                phases[name] = phases.get(name, 0.0) + now - first_seen[label]
    return phases
