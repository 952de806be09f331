"""Peak memory of a process and its descendants, sampled from /proc while a benchmark step runs.

Two figures per step:
- `peak_mb`: the most the whole tree held at one moment: the sum of its processes' resident sets, sampled
  every 50 ms (a shorter peak can be missed). A page our warm Ruby server shares with the child it forks
  for a run counts in both, so for ours this is an upper bound. (Proportional sets, from `smaps_rollup`,
  would count it once, but reading them walks the process's page tables under its memory lock every 50
  ms, a cost the sampler should not add to the run it measures);
- `engine_peak_mb`: the largest high-water mark of a resident set (VmHWM, exact: the kernel keeps it)
  among the scheduling engine's processes, tj3 and Ruby. A forked child's includes the pages it shares
  with its server.
Linux only; elsewhere both figures are None.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

ENGINES = ("tj3", "ruby")


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue.extend(int(child) for child in (task / "children").read_text().split())
            except (OSError, ValueError):
                continue
    return found


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:  # the process ended between listing and reading
        return None


class TreeMemory:
    """Samples the tree under `pid` in a thread from `start()` until `stop()`, which returns the figures."""

    def __init__(self, pid: int | None = None, interval: float = 0.05) -> None:
        self.pid = pid if pid is not None else os.getpid()
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._peak = 0
        self._engine_hwm: dict[int, int] = {}
        self._supported = Path(f"/proc/{self.pid}").exists()

    def start(self) -> TreeMemory:
        if self._supported:
            self._thread.start()
        return self

    def stop(self) -> dict[str, Any]:
        if not self._supported:
            return {"peak_mb": None, "engine_peak_mb": None}
        self._stop.set()
        self._thread.join()
        engine = max(self._engine_hwm.values(), default=0)
        return {"peak_mb": round(self._peak / 2**20, 1), "engine_peak_mb": round(engine / 2**10, 1)}

    def _sample(self) -> None:
        while True:
            total = 0
            for pid in _descendants(self.pid):
                total += _field_kb(f"/proc/{pid}/status", "VmRSS:") * 1024
                comm = (_read(f"/proc/{pid}/comm") or "").strip()
                if comm in ENGINES:
                    self._engine_hwm[pid] = max(self._engine_hwm.get(pid, 0), _high_water_kb(pid))
            self._peak = max(self._peak, total)
            if self._stop.wait(self.interval):
                return


def _field_kb(path: str, name: str) -> int:
    for line in (_read(path) or "").splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


def _high_water_kb(pid: int) -> int:
    return _field_kb(f"/proc/{pid}/status", "VmHWM:")
