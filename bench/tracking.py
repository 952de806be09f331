"""Tracking benchmark: how a workflow action's time grows with the project, on PostgreSQL.

Usage: .venv/bin/python bench/tracking.py [--tasks 15000] [--rounds 20]

Every action (log time, ask for a review, approve) locks the task's project and reads its task graph, so
its cost grows with the project. Measured in the same run, on the same catalog: the actions on shots of a
`--tasks` show (the tutorial's five tasks per shot, as in catalog_bulk.py) against the same actions on a
project of one shot (the baseline); the table gives each one's median and the ratio. bench/results/
tracking.json is written, the database dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from catalog_bulk import API, catalog_on_postgres, create_project, show_items

RESULTS = Path(__file__).parent / "results" / "tracking.json"


async def _shots_previs(client: httpx.AsyncClient, project_id: int, user_id: int, limit: int) -> list[int]:
    listed = await client.get(
        f"{API}/tasks", params={"project_id": project_id, "name": "previs", "limit": limit}
    )
    ids = [t["id"] for t in listed.json()["items"]]
    for task_id in ids:
        await client.put(f"{API}/tasks/{task_id}/resources", json={"user_ids": [user_id]})
        await client.put(f"{API}/tasks/{task_id}/responsible", json={"user_ids": [user_id]})
    return ids


async def _day(client: httpx.AsyncClient, task_id: int, user_id: int, hour: int) -> dict[str, float]:
    """One artist's round on a task: a time log, a review request, the approval; each action's ms."""
    start = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(1577836800 + hour * 3600))
    end = time.strftime("%Y-%m-%dT%H:30:00Z", time.gmtime(1577836800 + hour * 3600))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    logged = await client.post(
        f"{API}/time-logs", json={"task_id": task_id, "resource_id": user_id, "start": start, "end": end}
    )
    timings["log_time"] = (time.perf_counter() - started) * 1000
    assert logged.status_code == 201, logged.text
    started = time.perf_counter()
    asked = await client.post(f"{API}/tasks/{task_id}/request-review", json={})
    timings["request_review"] = (time.perf_counter() - started) * 1000
    assert asked.status_code == 200, asked.text
    review = asked.json()["reviews"][0]["id"]
    started = time.perf_counter()
    approved = await client.post(f"{API}/reviews/{review}/approve", json={})
    timings["approve"] = (time.perf_counter() - started) * 1000
    assert approved.status_code == 200 and approved.json()["task"]["status"] == "CMPL", approved.text
    return timings


async def bench(args: argparse.Namespace, client: httpx.AsyncClient) -> dict[str, Any]:
    body = {"name": "Artist", "login": "artist", "email": "artist@x.com", "password": "Tr0ub4dor&3-bench"}
    made_user = await client.post(f"{API}/users", json=body)
    assert made_user.status_code == 201, made_user.text
    user_id = made_user.json()["id"]
    small, big = await create_project(client, "SMALL"), await create_project(client, "BIG")
    for project_id in (small, big):  # a task's responsible are the project's members
        await client.post(f"{API}/projects/{project_id}/users", json={"user_id": user_id})
    for project_id, total in ((small, 6 + 1), (big, args.tasks)):
        made = await client.post(
            f"{API}/tasks/bulk", json={"items": show_items(project_id, total, sequences=1)}, timeout=600
        )
        assert made.status_code == 201, made.text[:500]
    results: dict[str, Any] = {"tasks": args.tasks, "rounds": args.rounds}
    hour = 0
    for label, project_id in (("baseline_one_shot", small), ("show", big)):
        tasks = await _shots_previs(client, project_id, user_id, args.rounds)
        rounds = []
        for task_id in (tasks * args.rounds)[: args.rounds]:
            hour += 1
            if label == "baseline_one_shot" and rounds:  # one task: ask for its revision to go again
                await client.post(f"{API}/tasks/{task_id}/request-revision", json={"schedule_timing": 1})
            rounds.append(await _day(client, task_id, user_id, hour))
        results[label] = {k: round(statistics.median(r[k] for r in rounds), 2) for k in rounds[0]}
    results["ratio_show_to_baseline"] = {
        k: round(results["show"][k] / results["baseline_one_shot"][k], 2) for k in results["show"]
    }
    return results


async def main(args: argparse.Namespace) -> dict[str, Any]:
    async with catalog_on_postgres() as (client, _):
        results = await bench(args, client)
    results["environment"] = {
        "cpus": os.cpu_count(),
        "load_average_1_min_at_end": round(os.getloadavg()[0], 2),
    }
    return results


def report(results: dict[str, Any]) -> str:
    rounds, tasks = results["rounds"], results["tasks"]
    lines = [f"tracking actions, median ms over {rounds} rounds ({tasks}-task show vs one shot)"]
    lines.append(f"{'action':<16}{'one shot':>10}{'show':>10}{'ratio':>8}")
    for action, baseline in results["baseline_one_shot"].items():
        show = results["show"][action]
        lines.append(f"{action:<16}{baseline:>10}{show:>10}{results['ratio_show_to_baseline'][action]:>8}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=15_000)
    parser.add_argument("--rounds", type=int, default=20)
    outcome = asyncio.run(main(parser.parse_args()))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(outcome, indent=2) + "\n")
    print(report(outcome))
