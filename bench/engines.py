"""tj3's engines on the same .tjp files: the `tj3` command (CSV report and booking export) against our
driver (ruby/driver.rb, one result file), each with and without YJIT, through the engines the scheduler uses;
then the warm driver (engine/warm_driver.py: runs forked from a warm YJIT server, its first run not counted).

Usage: .venv/bin/python bench/engines.py show-1210.tjp show-6050.tjp [--runs 3]
(`python bench/scheduling.py --save-tjp DIR` writes such files.) For each file, every run's dates and
computed resources must equal the first tj3 run's; seconds are the runner's wall time for the whole run
(Ruby start, read, prepare, schedule, check, then report or export), median of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
from pathlib import Path
from typing import Any

from stalker_scheduler.engine import Tj3Result, WarmDriver, run_driver, run_tj3
from stalker_scheduler.tjp.parse import parse_bookings, parse_csv, parse_result

TJ3 = shutil.which("tj3") or "/usr/bin/tj3"


def facts(result: Tj3Result) -> dict[int, tuple[Any, ...]]:
    """(start, end, resources) per task and project id (projects negative), from either engine."""
    if result.result_text is not None:
        tasks, projects = parse_result(result.result_text, with_resources=True)
    else:
        tasks, projects = parse_csv(result.csv_text, "UTC")
        resources = parse_bookings(result.bookings_text or "")
        tasks = {i: t.model_copy(update={"resource_ids": resources.get(i, ())}) for i, t in tasks.items()}
    found = {i: (t.computed_start, t.computed_end, t.resource_ids) for i, t in tasks.items()}
    return found | {-i: (p.computed_start, p.computed_end, ()) for i, p in projects.items()}


async def measure(name: str, text: str, runs: int) -> dict[str, Any]:
    reference: dict[int, tuple[Any, ...]] | None = None
    report: dict[str, Any] = {"file": name, "tasks": len(re.findall(r"^\s*task ", text, re.MULTILINE))}
    for engine in ("cli", "driver"):
        for yjit in (False, True):
            seconds, phases = [], []
            for _ in range(runs):
                if engine == "cli":
                    result = await run_tj3(text, tj3_path=TJ3, timeout=900, yjit=yjit)
                else:
                    result = await run_driver(text, timeout=900, yjit=yjit)
                reference = reference or facts(result)
                assert facts(result) == reference, f"{name}: {engine} yjit={yjit} differs"
                seconds.append(result.elapsed)
                phases.append(result.phases)
            middle = sorted(range(runs), key=lambda i: seconds[i])[runs // 2]
            report[f"{engine}{'+yjit' if yjit else ''}"] = {
                "median_seconds": round(statistics.median(seconds), 3),
                "runs": [round(value, 3) for value in seconds],
                "phases_of_median_run": {k: round(v, 3) for k, v in phases[middle].items()},
            }
    warm = WarmDriver(yjit=True)
    try:
        await warm.run(text, timeout=900)  # starts the server; not counted
        seconds, phases = [], []
        for _ in range(runs):
            result = await warm.run(text, timeout=900)
            assert facts(result) == reference, f"{name}: the warm driver differs"
            seconds.append(result.elapsed)
            phases.append(result.phases)
    finally:
        warm.close()
    middle = sorted(range(runs), key=lambda i: seconds[i])[runs // 2]
    report["warm driver+yjit"] = {
        "median_seconds": round(statistics.median(seconds), 3),
        "runs": [round(value, 3) for value in seconds],
        "phases_of_median_run": {k: round(v, 3) for k, v in phases[middle].items()},
    }
    return report


async def main(args: argparse.Namespace) -> None:
    for path in args.files:
        report = await measure(path.name, path.read_text(encoding="utf-8"), args.runs)
        print(json.dumps(report, indent=2), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
