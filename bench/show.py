"""A deterministic show for every benchmark: the same seed and size give the same show, byte for byte.

A show of N leaf tasks has N/5 shots in sequences of 20 shots; each shot has the chain
layout -> animation -> (fx, lighting) -> comp, each step done by one artist of its department, with timings
in hours, days or weeks (effort, a few `length` tasks). The sizes follow the issue's reference figures:
1,000 leaves give 1,210 tasks and 20 users, 5,000 give 6,050 and 50, 15,000 give 18,150 and 100.

A studio of several projects with separate teams (`describe_teams`): the leaves split evenly, each project a
show of its own seed whose artists (`p2artist007`...) work on no other project.

Two forms of the same show:
- `describe(...)`: plain JSON-ready data (the reference driver reads it, it imports nothing from the repo);
- `bulk_items(description, project_id, user_ids)`: the items of one `POST /catalog/v1/tasks/bulk`.

Usage: python bench/show.py --leaves 1000 [--seed 8]  (prints the description's summary)
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

# step -> (department, steps it waits for, (unit, lowest, highest) timings drawn uniformly)
STEPS: dict[str, tuple[str, tuple[str, ...], tuple[str, int, int]]] = {
    "layout": ("Layout", (), ("d", 1, 2)),
    "animation": ("Animation", ("layout",), ("d", 2, 5)),
    "fx": ("FX", ("animation",), ("h", 6, 16)),
    "lighting": ("Lighting", ("animation",), ("d", 1, 3)),
    "comp": ("Compositing", ("fx", "lighting"), ("h", 4, 12)),
}
SHOTS_PER_SEQUENCE = 20
# The studio calendar: a three-year frame from a fixed `now`, the defaults' working week (mon-fri 9-18 UTC).
STUDIO = {"now": "2025-01-06T09:00:00Z", "start": "2025-01-06T00:00:00Z", "days": 3 * 365}
USERS_FOR = {1000: 20, 5000: 50, 15000: 100, 30000: 200}


def users_for(leaves: int) -> int:
    """The reference figures' team sizes, else one artist per 150 leaf tasks (at least one per department)."""
    return USERS_FOR.get(leaves, max(len(STEPS), leaves // 150))


def describe(leaves: int, seed: int = 8) -> dict[str, Any]:
    """The show as plain data: studio calendar, departments with user logins, sequences, shots, tasks."""
    rng = random.Random(f"stalker-bench-{seed}-{leaves}")
    departments = sorted({dept for dept, _, _ in STEPS.values()})
    logins = [f"artist{n:03d}" for n in range(1, users_for(leaves) + 1)]
    members = {dept: logins[i :: len(departments)] for i, dept in enumerate(departments)}
    shots = leaves // len(STEPS)
    sequences: list[dict[str, Any]] = []
    for number in range(1, shots + 1):
        if (number - 1) % SHOTS_PER_SEQUENCE == 0:
            sequences.append({"code": f"SQ{len(sequences) + 1:03d}", "shots": []})
        tasks = []
        for step, (dept, depends, (unit, low, high)) in STEPS.items():
            timing = rng.randint(low, high)
            model = "effort"
            if step == "layout" and rng.random() < 0.1:  # a few calendar-bound tasks
                model = "length"
            if unit == "d" and timing == 5 and rng.random() < 0.5:
                unit, timing = "w", 1
            tasks.append(
                {
                    "name": step,
                    "department": dept,
                    "user": rng.choice(members[dept]),
                    "schedule_timing": timing,
                    "schedule_unit": unit,
                    "schedule_model": model,
                    "priority": 500 + rng.choice((0, 0, 0, 100, -100)),
                    "depends": list(depends),
                }
            )
        sequences[-1]["shots"].append({"code": f"SH{number:05d}", "tasks": tasks})
    return {
        "seed": seed,
        "leaves": shots * len(STEPS),
        "studio": STUDIO,
        "project": {"name": "Bench Show", "code": "BENCH"},
        "departments": [{"name": dept, "users": members[dept]} for dept in departments],
        "sequences": sequences,
    }


def describe_teams(leaves: int, projects: int, seed: int = 8) -> list[dict[str, Any]]:
    """`projects` shows of `leaves / projects` leaves each, with disjoint teams and codes P1..Pn."""
    shows = []
    for number in range(1, projects + 1):
        show = describe(leaves // projects, seed * 100 + number)
        prefix = f"p{number}"
        for department in show["departments"]:
            department["users"] = [prefix + login for login in department["users"]]
        for sequence in show["sequences"]:
            for shot in sequence["shots"]:
                for task in shot["tasks"]:
                    task["user"] = prefix + task["user"]
        show["project"] = {"name": f"Bench Show {number}", "code": f"P{number}"}
        shows.append(show)
    return shows


def bulk_items(
    description: dict[str, Any], project_id: int, user_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """The show as `POST /catalog/v1/tasks/bulk` items: sequences, shots (children of their sequence and
    in it), then each shot's tasks with their dependencies by ref."""
    items: list[dict[str, Any]] = []
    for sequence in description["sequences"]:
        seq = sequence["code"]
        items.append({"ref": seq, "kind": "sequence", "name": seq, "code": seq, "project_id": project_id})
        for shot in sequence["shots"]:
            code = shot["code"]
            items.append(
                {"ref": code, "kind": "shot", "code": code, "parent_ref": seq, "sequence_refs": [seq]}
            )
            for task in shot["tasks"]:
                items.append(
                    {
                        "ref": f"{code}/{task['name']}",
                        "name": task["name"],
                        "parent_ref": code,
                        "depends_on_refs": [f"{code}/{d}" for d in task["depends"]],
                        "schedule_timing": task["schedule_timing"],
                        "schedule_unit": task["schedule_unit"],
                        "schedule_model": task["schedule_model"],
                        "priority": task["priority"],
                        "resource_ids": [user_ids[task["user"]]],
                    }
                )
    return items


def counts(description: dict[str, Any]) -> dict[str, int]:
    """Leaves, all tasks (sequences and shots included) and users of a described show."""
    shots = sum(len(s["shots"]) for s in description["sequences"])
    leaves = sum(len(shot["tasks"]) for s in description["sequences"] for shot in s["shots"])
    users = sum(len(d["users"]) for d in description["departments"])
    return {"leaves": leaves, "tasks": leaves + shots + len(description["sequences"]), "users": users}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the whole description")
    args = parser.parse_args()
    show = describe(args.leaves, args.seed)
    print(json.dumps(show, indent=1) if args.json else counts(show))
