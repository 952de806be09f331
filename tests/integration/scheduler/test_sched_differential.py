"""Differential test against the reference (issue 15, item 3): seeded shows scheduled by Stalker 1.1.2.1
and by our system through its API must give every task and project the same start and end.

Each show (bench/show.py `describe_differential`) has 2-3 projects of sequences, shots and parent tasks
(depth 1-3), 4-6 users of efficiency 0.5 to 2, vacations of users and of the whole studio, and leaf tasks
with every unit (min to y), model (effort, duration, length), priorities 0 to 1000, one or two resources,
alternatives with each strategy but `random`, persistent or not, `onend` and `onstart` dependencies, and a
few without resources. It has no dependency gaps, schedule constraints or time zones: the reference drops
or ignores them and we differ on purpose (`shared/reference/stalker.md` §0); nor inputs tj3 refuses on both
sides (see `describe_differential`).

The reference runs in its own virtual environment outside the repository (bench/reference/venv.py installs
it on first use) on a scratch PostgreSQL database (bench/reference/differential_driver.py); ours is the
catalog on PostgreSQL with a scheduler worker, driven over HTTP (tests/support/differential.py).
On a difference the test prints a table of the tasks that differ (key, tj3 ids, what the task uses, ours
and the reference's dates) and keeps both .tjp files (and the show) in the test's tmp_path, or in
$STALKER_DIFFERENTIAL_KEEP when set.

CI runs a handful of shows; more with environment variables:
    STALKER_DIFFERENTIAL_SHOWS=50 .venv/bin/pytest tests/integration/scheduler/test_sched_differential.py
STALKER_DIFFERENTIAL_SHOWS (default 4) shows, seeds from STALKER_DIFFERENTIAL_FIRST_SEED (default 1);
STALKER_DIFFERENTIAL_SIZE (default 20) leaf tasks each; STALKER_DIFFERENTIAL_VACATIONS=0 leaves vacations out.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from test_sched_tj3 import tj3_path  # noqa: F401  (the fixture)

from stalker_catalog.definition import catalog_definition
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

from support.catalog import catalog_settings
from support.databases import asyncpg_dsn, create_database, drop_database, migrated_template, unique_name
from support.differential import (
    CreatedShow,
    Dates,
    computed_dates,
    create_show,
    our_tjp,
    schedule,
    scheduling_catalog,
)

pytestmark = [
    pytest.mark.tj3,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.xdist_group("differential"),
]
BENCH = Path(__file__).resolve().parents[3] / "bench"
SHOWS = int(os.environ.get("STALKER_DIFFERENTIAL_SHOWS", "4"))
FIRST_SEED = int(os.environ.get("STALKER_DIFFERENTIAL_FIRST_SEED", "1"))
SIZE = int(os.environ.get("STALKER_DIFFERENTIAL_SIZE", "20"))
VACATIONS = os.environ.get("STALKER_DIFFERENTIAL_VACATIONS", "1") not in ("0", "false", "no")


def _bench_module(relative: str) -> ModuleType:
    """A module of bench/ (not a package), loaded from its file."""
    path = BENCH / relative
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHOW = _bench_module("show.py")
REFERENCE_DRIVER = BENCH / "reference" / "differential_driver.py"


@pytest.fixture(scope="module")
def reference_python() -> Path:
    """Stalker 1.1.2.1's interpreter, its venv made (pip, network) on first use."""
    path: Path = _bench_module("reference/venv.py").ensure_reference_python()
    return path


@pytest.fixture(scope="module")
def differential_template(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The catalog's database migrated and initialized once, copied for each show."""
    data_dir = tmp_path_factory.mktemp("differential-catalog")

    def runtime_for(url: str) -> Runtime:
        return Runtime(
            catalog_definition(), catalog_settings(url, data_dir), InMemoryTransport(InMemoryBroker())
        )

    with migrated_template(pg_server, "stalker_differential_tpl", runtime_for) as name:
        yield name


@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + SHOWS))
async def test_every_date_equals_the_references(
    seed: int,
    pg_server: str,
    differential_template: str,
    reference_python: Path,
    tj3_path: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    show = SHOW.describe_differential(seed, SIZE, vacations=VACATIONS)
    keep = Path(os.environ.get("STALKER_DIFFERENTIAL_KEEP") or tmp_path) / f"show-{seed}"
    keep.mkdir(parents=True, exist_ok=True)
    (keep / "show.json").write_text(json.dumps(show, indent=1))
    # Both run to the end, so that a failure says whether the other side failed too.
    theirs, mine = await asyncio.gather(
        reference_schedule(reference_python, pg_server, keep),
        our_schedule(show, pg_server, differential_template, tj3_path, keep, tmp_path),
        return_exceptions=True,
    )
    if isinstance(theirs, BaseException) or isinstance(mine, BaseException):
        pytest.fail(
            f"show {seed} did not schedule (files in {keep}):\n  reference: {_outcome(theirs)}\n"
            f"  ours: {_outcome(mine)}",
            pytrace=False,
        )
    reference, (created, ours) = theirs, mine
    assert all(None not in dates for dates in reference["tasks"].values()), "the reference left a task out"
    rows = differing(show, ours, reference, created)
    if rows:
        pytest.fail(
            f"show {seed}: {len(rows)} of {len(show['tasks']) + len(show['projects'])} tasks and projects"
            f" differ from the reference\n{table(rows)}\n.tjp files: {keep}/ours.tjp and reference.tjp",
            pytrace=False,
        )


async def reference_schedule(python: Path, pg_server: str, keep: Path) -> dict[str, Any]:
    """The show created and scheduled by the reference on a scratch database; its dates by key."""
    name = unique_name("stalker_differential_ref")
    await create_database(pg_server, name)
    try:
        url = asyncpg_dsn(pg_server, name).replace("postgresql://", "postgresql+psycopg2://", 1)
        out = keep / "reference.json"
        process = await asyncio.create_subprocess_exec(
            str(python),
            str(REFERENCE_DRIVER),
            str(keep / "show.json"),
            url,
            str(out),
            "--tjp",
            str(keep / "reference.tjp"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=300)
        finally:
            if process.returncode is None:  # cancelled (our side failed) or too slow
                process.kill()
                await process.wait()
        assert process.returncode == 0, f"the reference failed (.tjp in {keep}):\n{stderr.decode()[-3000:]}"
        result: dict[str, Any] = json.loads(out.read_text())
        return result
    finally:
        await drop_database(pg_server, name)


async def our_schedule(
    show: dict[str, Any], pg_server: str, template: str, tj3_command: str, keep: Path, data_dir: Path
) -> tuple[CreatedShow, dict[str, Dates]]:
    """The show created and scheduled through our API; its dates by key, our .tjp kept."""
    tj3 = shutil.which(tj3_command) or tj3_command
    async with scheduling_catalog(pg_server, template, data_dir, tj3) as catalog:
        client = catalog.client
        created = await create_show(client, show)
        (keep / "ours.tjp").write_text(await our_tjp(client, created.studio_id))
        job = await schedule(client, created.studio_id)
        assert job["status"] == "completed", f"our run failed (.tjp in {keep}): {job}"
        tasks, projects = await computed_dates(client, created)
    return created, {"tasks": tasks, "projects": projects}


def differing(
    show: dict[str, Any], ours: dict[str, Dates], reference: dict[str, Any], created: CreatedShow
) -> list[list[str]]:
    """A row per task or project whose start or end differs: key, ids, features, ours, reference."""
    rows = []
    items = [(p["code"], "projects", {"kind": "project"}) for p in show["projects"]]
    items += [(t["key"], "tasks", t) for t in show["tasks"]]
    our_ids = created.tasks | created.projects
    for key, group, item in items:
        mine, theirs = ours[group][key], reference[group][key]
        if mine != theirs:
            ids = f"{our_ids[key]} / {reference['ids'][key]}"
            rows.append([key, ids, features(item), *map(_short, mine), *map(_short, theirs)])
    return rows


def features(item: dict[str, Any]) -> str:
    """What a task of the show uses, in a few words."""
    words = [item["kind"]]
    if item.get("priority", 500) != 500:
        words.append(f"prio {item['priority']}")
    if "schedule_timing" in item:
        words.append(f"{item['schedule_model']} {item['schedule_timing']:g}{item['schedule_unit']}")
        if not item["resources"]:
            words.append("no resources")
        else:
            words.append(f"{len(item['resources'])} res")
        if item["alternatives"] and item["resources"]:
            persistent = " persistent" if item["persistent_allocation"] else ""
            words.append(f"alt {len(item['alternatives'])} {item['allocation_strategy']}{persistent}")
    if item.get("depends"):
        words.append("deps " + ",".join(link["target"] for link in item["depends"]))
    return ", ".join(words)


def table(rows: list[list[str]]) -> str:
    head = ["key", "ids ours / ref", "features", "our start", "our end", "ref start", "ref end"]
    width = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)) for row in [head, *rows])


def _outcome(result: object) -> str:
    return f"{type(result).__name__}: {result}"[:3000] if isinstance(result, BaseException) else "scheduled"


def _short(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "-"
