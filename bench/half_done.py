"""A show half done: the time logs of a third of its leaf tasks, and `now` moved past them.

Deterministic like `show.py`: the same show and seed give the same logs. The logs follow the workflow's
rules, so tj3 gets what a studio would have (reference §3.7, §3.8):
- shots are taken in order, and in each shot a prefix of layout, animation, lighting, fx, comp is touched:
  every task but the last of the prefix is complete (its logs equal its effort, as a CMPL task's timing is
  clamped to them), the last is in progress (WIP, 20% to 80% of its effort logged); a task is only logged
  once every task it depends on is complete, and never before their last log ends;
- each artist logs one task after another, Monday to Friday 09:00-18:00 UTC, whole hours, never two logs
  at once;
- touching stops when a third of the leaf tasks have logs; `now` becomes the end of the last log.
A timing in days or weeks is worked at 9 hours a day, 5 days a week (the studio's default calendar).

Plain data both sides read: the reference's driver (bench/reference/driver.py) and our benchmark.
Usage: python bench/half_done.py --leaves 1000 [--seed 8]  (prints a summary)
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from show import describe

ORDER = ("layout", "animation", "lighting", "fx", "comp")  # each step's dependencies come before it
HOURS_PER = {"h": 1, "d": 9, "w": 45}
DAY_START, DAY_END = 9, 18


def hours_of(task: dict[str, Any]) -> int:
    return int(task["schedule_timing"] * HOURS_PER[task["schedule_unit"]])


def half_done(show: dict[str, Any], share: float = 1 / 3, seed: int = 8) -> dict[str, Any]:
    """`{"now", "logs": [{"ref", "user", "start", "end"}], "status": {ref: "CMPL" | "WIP"}}` for `show`."""
    rng = random.Random(f"stalker-bench-half-done-{seed}-{show['leaves']}")
    start = datetime.fromisoformat(show["studio"]["now"].replace("Z", "+00:00"))
    target = int(show["leaves"] * share)
    cursors: dict[str, datetime] = {}
    ends: dict[str, datetime] = {}
    logs: list[dict[str, str]] = []
    status: dict[str, str] = {}
    for sequence in show["sequences"]:
        for shot in sequence["shots"]:
            if len(status) >= target:
                break
            steps = {task["name"]: task for task in shot["tasks"]}
            touched = min(rng.randint(1, len(ORDER)), target - len(status))
            for index, name in enumerate(ORDER[:touched]):
                task, ref = steps[name], f"{shot['code']}/{name}"
                complete = index < touched - 1
                hours = hours_of(task)
                if not complete:
                    hours = max(1, min(hours - 1, round(hours * rng.uniform(0.2, 0.8))))
                ready = max(
                    [cursors.get(task["user"], start)]
                    + [ends[f"{shot['code']}/{d}"] for d in task["depends"]]
                )
                pieces = _work(ready, hours)
                logs += [
                    {"ref": ref, "user": task["user"], "start": _iso(a), "end": _iso(b)} for a, b in pieces
                ]
                cursors[task["user"]] = ends[ref] = pieces[-1][1]
                status[ref] = "CMPL" if complete else "WIP"
    now = max(ends.values(), default=start)
    return {"now": _iso(now), "logs": logs, "status": status}


def _work(moment: datetime, hours: int) -> list[tuple[datetime, datetime]]:
    """`hours` of work from `moment` on, one piece per working day."""
    pieces = []
    while hours > 0:
        moment = _next_working_hour(moment)
        length = min(hours, DAY_END - moment.hour)
        pieces.append((moment, moment + timedelta(hours=length)))
        moment += timedelta(hours=length)
        hours -= length
    return pieces


def _next_working_hour(moment: datetime) -> datetime:
    while moment.weekday() >= 5 or not DAY_START <= moment.hour < DAY_END:
        if moment.hour >= DAY_END or moment.weekday() >= 5:
            moment = (moment + timedelta(days=1)).replace(hour=DAY_START)
        else:
            moment = moment.replace(hour=DAY_START)
    return moment


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    progress = half_done(describe(args.leaves, args.seed), seed=args.seed)
    done = sum(1 for value in progress["status"].values() if value == "CMPL")
    print(
        f"now {progress['now']}: {len(progress['logs'])} logs on {len(progress['status'])} tasks "
        f"({done} complete)"
    )
