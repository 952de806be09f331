"""A deterministic show for every benchmark: the same seed and size give the same show, byte for byte.

A show of N leaf tasks has N/5 shots in sequences of 20 shots; each shot has the chain
layout -> animation -> (fx, lighting) -> comp, each step done by one artist of its department, with timings
in hours, days or weeks (effort, a few `length` tasks). The sizes follow the issue's reference figures:
1,000 leaves give 1,210 tasks and 20 users, 5,000 give 6,050 and 50, 15,000 give 18,150 and 100.

A studio of several projects with separate teams (`describe_teams`): the leaves split evenly, each project a
show of its own seed whose artists (`p2artist007`...) work on no other project.

A differential show (`describe_differential(seed, size)`, issue 15): a small studio that uses every scheduling
input the reference can express, scheduled by it and by us in tests/integration/scheduler/
test_sched_differential.py (its reference side: bench/reference/differential_driver.py).

Two forms of the same show:
- `describe(...)`: plain JSON-ready data (the reference driver reads it, it imports nothing from the repo);
- `bulk_items(description, project_id, user_ids)`: the items of one `POST /catalog/v1/tasks/bulk`.

Usage: python bench/show.py --leaves 1000 [--seed 8]  (prints the description's summary)
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
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
        "vacations": _leave(rng, logins),
    }


def _leave(rng: random.Random, logins: list[str]) -> list[dict[str, Any]]:
    """Issue 15's calendars in the benchmark: every artist one week off, Monday to Friday, somewhere in
    the show's first year (drawn after the tasks, so those stay as before), and the studio closed for the
    week of Christmas. Whole UTC days, the reference's form; `user` None is the whole studio's."""
    first_monday = datetime.fromisoformat(str(STUDIO["start"]).replace("Z", "+00:00"))
    leave: list[dict[str, Any]] = []
    for login in logins:
        start = first_monday + timedelta(weeks=rng.randrange(1, 52))
        leave.append({"user": login, "start": _utc_text(start), "end": _utc_text(start + timedelta(days=5))})
    christmas = datetime(first_monday.year, 12, 22, tzinfo=UTC)
    leave.append(
        {"user": None, "start": _utc_text(christmas), "end": _utc_text(christmas + timedelta(days=5))}
    )
    return leave


def _utc_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_teams(leaves: int, projects: int, seed: int = 8) -> list[dict[str, Any]]:
    """`projects` shows of `leaves / projects` leaves each, with disjoint teams and codes P1..Pn."""
    shows = []
    for number in range(1, projects + 1):
        show = describe(leaves // projects, seed * 100 + number)
        prefix = f"p{number}"
        for department in show["departments"]:
            department["users"] = [prefix + login for login in department["users"]]
        for leave in show["vacations"]:
            leave["user"] = prefix + leave["user"] if leave["user"] else None
        if number > 1:  # the studio's own leave once
            show["vacations"] = [leave for leave in show["vacations"] if leave["user"]]
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


# The differential shows (issue 15): every scheduling input the reference can express, none it drops on
# purpose (dependency gaps, schedule constraints, time zones: reference §0), seeded and small.
DIFFERENTIAL_TIMINGS: dict[str, tuple[float, ...]] = {
    "min": (30, 90, 150),
    "h": (2, 5, 7, 12),
    "d": (0.5, 1, 2, 3),
    "w": (1, 1.5, 2),
    "m": (0.5, 1),
    "y": (0.05, 0.08),
}
DIFFERENTIAL_PRIORITIES = (500, 500, 500, 500, 0, 1000, 100, 300, 700, 999, 1)
DIFFERENTIAL_STRATEGIES = ("minallocated", "maxloaded", "minloaded", "order")
DIFFERENTIAL_EFFICIENCIES = (1.0, 1.0, 0.5, 1.5, 2.0, 0.75)


def describe_differential(seed: int, size: int = 20, *, vacations: bool = True) -> dict[str, Any]:
    """A show to schedule with the reference and with us: about `size` leaf tasks in 2-3 projects.

    Plain data, in creation order (both sides create it in this order, so tj3 reads the same file order):
    `studio` (UTC, default working week, whole-hour `now` and `start`, two years long), `users` (login,
    efficiency), `projects` (code, name), `tasks` (key, project, parent key, kind sequence/shot/task, and for
    leaves the schedule and allocation fields; dependencies on earlier tasks of the same project, never on
    an ancestor) and `vacations` (user login or null for the studio, whole hours or days). A task's key is
    its project's code and the names down to it (`P1/SQ1/SH2/anim`).
    """
    rng = random.Random(f"stalker-differential-{seed}-{size}")
    now = datetime(2025, 1, 6, tzinfo=UTC) + timedelta(days=rng.randrange(0, 600), hours=rng.randrange(24))
    # The frame starts at midnight or not, in turn: the reference writes it in whole days.
    start = now - timedelta(hours=(0, 9, now.hour, 14, now.hour + 24, 3)[seed % 6])
    users: list[dict[str, Any]] = [
        {"login": f"diff{n}", "efficiency": rng.choice(DIFFERENTIAL_EFFICIENCIES)}
        for n in range(1, rng.randint(4, 6) + 1)
    ]
    projects = [{"code": f"P{n}", "name": f"Differential {n}"} for n in range(1, rng.randint(2, 3) + 1)]
    builder = _DifferentialTasks(rng, [user["login"] for user in users])
    for number in range(size):
        builder.add_leaf(rng.choice(projects)["code"], number)
    show: dict[str, Any] = {
        "seed": seed,
        "studio": {"now": _iso(now), "start": _iso(start), "end": _iso(start + timedelta(days=730))},
        "users": users,
        "projects": projects,
        "tasks": builder.in_creation_order(projects),
        "vacations": _differential_vacations(rng, users, now) if vacations else [],
    }
    return show


class _DifferentialTasks:
    """Grows each project's tree one leaf at a time, placing it under a new or an existing container."""

    def __init__(self, rng: random.Random, logins: list[str]) -> None:
        self.rng, self.logins = rng, logins
        self.tasks: dict[str, list[dict[str, Any]]] = {}

    def add_leaf(self, project: str, number: int) -> None:
        tasks = self.tasks.setdefault(project, [])
        parent = self._parent(project, tasks)
        leaf = self._node(project, parent, f"t{number}", "task")
        leaf |= self._schedule() | {"priority": self.rng.choice(DIFFERENTIAL_PRIORITIES)}
        tasks.append(leaf)

    def _parent(self, project: str, tasks: list[dict[str, Any]]) -> dict[str, Any] | None:
        """An existing container (half the time), else a new branch: none, a parent task, a parent in a
        parent, or a sequence with a shot (a new shot in an existing sequence too)."""
        containers = [t for t in tasks if t["kind"] != "task" or t.get("container")]
        shaped = [t for t in containers if t["kind"] != "sequence"]
        if shaped and self.rng.random() < 0.5:
            return self.rng.choice(shaped)
        choice = self.rng.choice(("root", "task", "task2", "shot", "shot"))
        if choice == "root":
            return None
        if choice.startswith("task"):
            parent = self._container(project, None, "task", tasks)
            return self._container(project, parent, "task", tasks) if choice == "task2" else parent
        sequences = [t for t in tasks if t["kind"] == "sequence"]
        sequence = self.rng.choice(sequences) if sequences and self.rng.random() < 0.5 else None
        sequence = sequence or self._container(project, None, "sequence", tasks)
        return self._container(project, sequence, "shot", tasks)

    def _container(
        self, project: str, parent: dict[str, Any] | None, kind: str, tasks: list[dict[str, Any]]
    ) -> dict[str, Any]:
        prefix = {"task": "g", "sequence": "SQ", "shot": "SH"}[kind]
        node = self._node(project, parent, f"{prefix}{len(tasks)}", kind)
        node |= {"container": True, "priority": self.rng.choice((500,) * 6 + (0, 1000, 800))}
        tasks.append(node)
        return node

    def _node(self, project: str, parent: dict[str, Any] | None, name: str, kind: str) -> dict[str, Any]:
        key = f"{parent['key'] if parent else project}/{name}"
        return {
            "key": key,
            "project": project,
            "parent": parent["key"] if parent else None,
            "kind": kind,
            "name": name,
        }

    def _schedule(self) -> dict[str, Any]:
        rng = self.rng
        unit = rng.choice(tuple(DIFFERENTIAL_TIMINGS))
        resources = rng.sample(self.logins, rng.choice((1, 1, 1, 2))) if rng.random() > 0.1 else []
        others = [login for login in self.logins if login not in resources]
        alternatives = rng.sample(others, rng.randint(1, 2)) if resources and rng.random() < 0.4 else []
        model = rng.choice(("effort", "effort", "effort", "duration", "length"))
        timing = float(rng.choice(DIFFERENTIAL_TIMINGS[unit]))
        if unit == "min" and model != "effort":
            timing = max(timing, 90.0)  # tj3 finds a duration or length under half a slot too short
        return {
            "schedule_timing": timing,
            "schedule_unit": unit,
            "schedule_model": model,
            "resources": resources,
            "alternatives": alternatives,
            "allocation_strategy": rng.choice(DIFFERENTIAL_STRATEGIES),
            "persistent_allocation": rng.random() < 0.6,
        }

    def _depends(self, node: dict[str, Any], earlier: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Up to two tasks created before it in its project (so every link, and every link a container
        passes on to its children, points back: no cycle): not an ancestor, nor one that depends on an
        ancestor (the reference refuses both), nor one an ancestor depends on (tj3 refuses a dependency
        given twice).

        tj3 3.7.1 fixes a task's start as soon as one of its dependencies is an `onstart` link or a
        milestone that is placed, before its other dependencies are, then refuses its own schedule ("must
        start after start of ... could not be met"), the reference's run included. So a task waits on a
        milestone or `onstart` only when that is the one dependency it has, its parents' included."""
        ancestors = set(_ancestor_keys(node["key"]))
        by_key = {t["key"]: t for t in earlier}
        inherited = [link for key in sorted(ancestors) for link in by_key[key]["depends"]]
        if any(link["target"] == "onstart" or _is_milestone(by_key[link["on"]]) for link in inherited):
            return []
        leaf = node["kind"] == "task" and "container" not in node
        alone = leaf and not inherited
        earlier = [
            t
            for t in earlier
            if t["key"] not in ancestors | {link["on"] for link in inherited}
            and not ancestors & {d["on"] for d in t["depends"]}
            and (alone or not _is_milestone(t))
        ]
        if not earlier or self.rng.random() < (0.45 if leaf else 0.7):
            return []
        chosen = self.rng.sample(earlier, min(len(earlier), self.rng.choice((1, 1, 2))))
        if any(_is_milestone(t) for t in chosen):
            return [{"on": next(t for t in chosen if _is_milestone(t))["key"], "target": "onend"}]
        single = alone and len(chosen) == 1
        targets = ("onend", "onend", "onstart") if single else ("onend",)
        return [{"on": t["key"], "target": self.rng.choice(targets)} for t in chosen]

    def in_creation_order(self, projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each project's tasks depth first (a container right before its children), projects in order;
        then each task's dependencies, on tasks before it."""
        ordered: list[dict[str, Any]] = []
        for project in projects:
            children: dict[str | None, list[dict[str, Any]]] = {}
            for task in self.tasks.get(project["code"], []):
                children.setdefault(task["parent"], []).append(task)
            in_project: list[dict[str, Any]] = []
            self._walk(children, None, in_project)
            ordered += [{k: v for k, v in task.items() if k != "container"} for task in in_project]
        return ordered

    def _walk(
        self, children: dict[str | None, list[dict[str, Any]]], parent: str | None, out: list[dict[str, Any]]
    ) -> None:
        for task in children.get(parent, []):
            task["depends"] = self._depends(task, out)
            out.append(task)
            self._walk(children, task["key"], out)


def _is_milestone(task: dict[str, Any]) -> bool:
    """A leaf without resources: both sides give tj3 an empty task, a milestone."""
    return "schedule_timing" in task and not task["resources"]


def _ancestor_keys(key: str) -> list[str]:
    parts = key.split("/")
    return ["/".join(parts[:n]) for n in range(2, len(parts))]


def _differential_vacations(
    rng: random.Random, users: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """A few leaves of some users and of the whole studio in the first months, whole days or hours."""
    vacations = []
    for login in [user["login"] for user in users] + [None, None]:
        for _ in range(rng.choice((0, 1, 1, 2))):
            day = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=rng.randrange(0, 90))
            if rng.random() < 0.6:
                begin, end = day, day + timedelta(days=rng.randint(1, 6))
            else:
                begin = day + timedelta(hours=rng.randrange(24))
                end = begin + timedelta(hours=rng.randint(2, 40))
            vacations.append({"user": login, "start": _iso(begin), "end": _iso(end)})
    return vacations


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the whole description")
    args = parser.parse_args()
    show = describe(args.leaves, args.seed)
    print(json.dumps(show, indent=1) if args.json else counts(show))
