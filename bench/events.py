"""Events benchmark: how soon a committed change reaches a webhook, the live stream and the log, and how
many events and deliveries per second the events service moves.

Usage: .venv/bin/python bench/events.py [--mode processes|distributed|embedded] [--changes 200]
                                         [--bulk 500] [--subscriptions 8]

processes = the system as `make run` starts it on servers (each service's API and worker a process of
its own, tests/support/system.py), on the servers below. Otherwise the whole system runs in this process
(tests/support/served.py: uvicorn on a loopback port in a thread of its own; distributed = a
PostgreSQL database per service on STALKER_TEST_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres, and RabbitMQ on STALKER_TEST_AMQP_URL, default
amqp://guest:guest@127.0.0.1:5672/, under a namespace of its own; embedded = SQLite files and the
in-process broker), with the events service's defaults except `webhook_allowed_networks`, which lists
127.0.0.0/8 so the loopback receiver (tests/support/receiver.py, verifying every signature, in another
thread) may be reached. Benchmark client, system and receiver share one process and its GIL.

1. Latency: one subscription (`catalog.task.updated`, one project) to the receiver, a live stream with
   the same filter, then `--changes` task PATCHes one after the other, each a new name, each waited for
   everywhere before the next. Per change, from the moment the PATCH's answer was received (an upper
   bound on its commit, so every latency here is a lower bound of the real one by the answer's way
   back): its arrival at the receiver (request start), on the stream, in the log (`GET /events/v1/events`
   polled every 20 ms) and, the baseline, in the versions service's own mirror of the task (its
   `task_ref` row read from its database every 10 ms: no route shows a task's name as the versions
   service knows it). Both services consume the same catalog message; ratio = latency / baseline.
2. Throughput: one `POST /catalog/v1/tasks/bulk` of `--bulk` tasks in a new project, with 1 subscription
   to `catalog.task.created` of that project, then again with `--subscriptions`. From the bulk's answer:
   until the log holds every event (polled every 100 ms; events/s), the versions mirror holds every task
   (the baseline) and the receiver got every delivery (the last arrival; deliveries/s).
p50 is the median, p95 the nearest rank. The table is printed and bench/results/events.json written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from httpx_sse import aconnect_sse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.types import Receive, Scope, Send

from stalker_host.supervisor import ServerUrls
from stalker_shared.logging import configure_logging

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.receiver import Receiver  # type: ignore[import-not-found, unused-ignore]
from support.served import served_system  # type: ignore[import-not-found, unused-ignore]
from support.servers import LOCAL_AMQP, LOCAL_POSTGRES  # type: ignore[import-not-found, unused-ignore]
from support.system import distributed_process  # type: ignore[import-not-found, unused-ignore]

C, E = "/catalog/v1", "/events/v1"
RESULTS = Path(__file__).parent / "results" / "events.json"
EVENTS_SETTINGS = {"webhook_allowed_networks": ["127.0.0.0/8"]}
WAIT = 120.0  # seconds any one expected effect may take before the run is called failed
LOG_POLL, MIRROR_POLL, CHECK = 0.02, 0.01, 0.002


@dataclass
class TimedReceiver(Receiver):  # type: ignore[misc, unused-ignore]
    """The tests' receiver, noting when each request started to arrive (before its body is read)."""

    arrived_at: dict[tuple[str, str], float] = field(default_factory=dict)  # (path, webhook-id) -> time

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            key = (scope["path"], headers.get(b"webhook-id", b"").decode())
            self.arrived_at.setdefault(key, time.perf_counter())
        await super().__call__(scope, receive, send)

    def named(self, path: str, name: str) -> float | None:
        """When the first delivery of the task named `name` reached `path`."""
        for arrival in list(self.arrivals):
            if arrival.path == path and arrival.body["data"].get("name") == name:
                return self.arrived_at[(path, arrival.webhook_id)]
        return None


class LogTail:
    """A reader of the log that follows its cursor and notes when it first saw each event's task."""

    def __init__(self, client: httpx.AsyncClient, after: int, **filters: Any) -> None:
        self.client, self.after, self.filters = client, after, filters
        self.seen: dict[str, float] = {}  # task name -> time first seen

    async def poll(self) -> None:
        while True:
            page = await ok(
                await self.client.get(
                    f"{E}/events", params={"after": self.after, "limit": 1000} | self.filters
                )
            )
            now = time.perf_counter()
            for item in page["items"]:
                self.seen.setdefault(str(item["data"].get("name")), now)
            self.after = page["next_after"]
            if len(page["items"]) < 1000:
                return


class Mirror:
    """The versions service's read model of tasks, read from its own database."""

    def __init__(self, database_url: str) -> None:
        self.engine: AsyncEngine = create_async_engine(database_url)

    async def name_of(self, task_id: int) -> str | None:
        async with self.engine.connect() as connection:
            query = text("SELECT name FROM task_ref WHERE id = :id")
            return await connection.scalar(query, {"id": task_id})  # type: ignore[no-any-return]

    async def count(self, project_id: int) -> int:
        async with self.engine.connect() as connection:
            query = text("SELECT count(*) FROM task_ref WHERE project_id = :p")
            return int(await connection.scalar(query, {"p": project_id}) or 0)

    async def server_version(self) -> str:
        async with self.engine.connect() as connection:
            if self.engine.dialect.name == "sqlite":
                return f"SQLite {await connection.scalar(text('SELECT sqlite_version()'))}"
            return f"PostgreSQL {await connection.scalar(text('SHOW server_version'))}"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json()


async def first_time(found: Callable[[], Awaitable[float | None]], interval: float, what: str) -> float:
    """The time `found` reports, asked every `interval` seconds."""
    deadline = time.perf_counter() + WAIT
    while (seen := await found()) is None:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what} did not happen within {WAIT} s")
        await asyncio.sleep(interval)
    return seen


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    rank = max(math.ceil(0.95 * len(ordered)), 1)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[rank - 1] * 1000, 1),
    }


async def new_project(client: httpx.AsyncClient, tasks: int, mirror: Mirror) -> tuple[int, list[int]]:
    """A project with `tasks` tasks, once the versions mirror holds them (so no earlier work is pending)."""
    code = f"B{uuid.uuid4().hex[:6]}"
    project = (await ok(await client.post(f"{C}/projects", json={"name": code, "code": code}), 201))["id"]
    items = [{"name": f"task {n}", "project_id": project} for n in range(tasks)]
    made = await ok(await client.post(f"{C}/tasks/bulk", json={"items": items}), 201)
    await first_time(lambda: settled(mirror.count(project), tasks), 0.1, "the project's mirror")
    return project, [item["id"] for item in made["items"]]


async def settled(count: Awaitable[int], expected: int) -> float | None:
    return time.perf_counter() if await count >= expected else None


async def log_head(client: httpx.AsyncClient) -> int:
    """The log's last cursor."""
    tail = LogTail(client, 0)
    await tail.poll()
    return tail.after


async def subscribe(
    client: httpx.AsyncClient, receiver: TimedReceiver, path: str, project: int, kind: str
) -> None:
    body = {"url": receiver.url(path), "types": [kind], "project_ids": [project]}
    receiver.secrets[path] = (await ok(await client.post(f"{E}/webhooks", json=body), 201))["secret"]


async def follow_stream(client: httpx.AsyncClient, params: dict[str, Any], seen: dict[str, float]) -> None:
    async with aconnect_sse(client, "GET", f"{E}/stream", params=params) as source:
        source.response.raise_for_status()
        async for event in source.aiter_sse():
            seen.setdefault(event.json()["data"]["name"], time.perf_counter())


async def latency(
    client: httpx.AsyncClient,
    streamer: httpx.AsyncClient,
    receiver: TimedReceiver,
    mirror: Mirror,
    changes: int,
) -> dict[str, Any]:
    project, task_ids = await new_project(client, changes, mirror)
    head = await log_head(client)
    kind, path = "catalog.task.updated", "/latency"
    await subscribe(client, receiver, path, project, kind)
    on_stream: dict[str, float] = {}
    stream = asyncio.create_task(
        follow_stream(streamer, {"type": kind, "project_id": project, "after": head}, on_stream)
    )
    tail = LogTail(client, head, type=kind, project_id=project)
    found: dict[str, list[float]] = {"patch": [], "webhook": [], "stream": [], "log": [], "mirror": []}
    run = uuid.uuid4().hex[:6]

    async def at_receiver(name: str) -> float | None:
        return receiver.named(path, name)

    async def on_the_stream(name: str) -> float | None:
        return on_stream.get(name)

    async def in_log(name: str) -> float | None:
        await tail.poll()
        return tail.seen.get(name)

    async def in_mirror(task_id: int, name: str) -> float | None:
        return time.perf_counter() if await mirror.name_of(task_id) == name else None

    try:
        for n, task_id in enumerate(task_ids):
            name = f"edit {n} {run}"
            sent = time.perf_counter()
            await ok(await client.patch(f"{C}/tasks/{task_id}", json={"name": name}))
            answered = time.perf_counter()
            times = await asyncio.gather(
                first_time(partial(at_receiver, name), CHECK, f"webhook of {name}"),
                first_time(partial(on_the_stream, name), CHECK, f"stream event of {name}"),
                first_time(partial(in_log, name), LOG_POLL, f"log entry of {name}"),
                first_time(partial(in_mirror, task_id, name), MIRROR_POLL, f"mirror of {name}"),
            )
            found["patch"].append(answered - sent)
            for key, seen in zip(("webhook", "stream", "log", "mirror"), times, strict=True):
                found[key].append(seen - answered)
    finally:
        stream.cancel()
    rows = {key: percentiles(values) for key, values in found.items()}
    base = rows["mirror"]
    for key in ("webhook", "stream", "log"):
        rows[key] |= {f"ratio_{p}": round(rows[key][f"{p}_ms"] / base[f"{p}_ms"], 2) for p in ("p50", "p95")}
    return {"changes": changes, "all_verified": all(a.verified for a in receiver.arrivals), "latency": rows}


async def throughput(
    client: httpx.AsyncClient, receiver: TimedReceiver, mirror: Mirror, count: int, subscriptions: int
) -> dict[str, Any]:
    code = f"T{uuid.uuid4().hex[:6]}"
    project = (await ok(await client.post(f"{C}/projects", json={"name": code, "code": code}), 201))["id"]
    kind = "catalog.task.created"
    paths = [f"/bulk{subscriptions}/{n}" for n in range(subscriptions)]
    for path in paths:
        await subscribe(client, receiver, path, project, kind)
    tail = LogTail(client, await log_head(client), type=kind, project_id=project)
    items = [{"name": f"bulk {n}", "project_id": project} for n in range(count)]
    sent = time.perf_counter()
    await ok(await client.post(f"{C}/tasks/bulk", json={"items": items}), 201)
    answered = time.perf_counter()

    async def logged() -> float | None:
        await tail.poll()
        return time.perf_counter() if len(tail.seen) >= count else None

    async def delivered() -> float | None:
        keys = [key for key in list(receiver.arrived_at) if key[0] in paths]
        return max(receiver.arrived_at[key] for key in keys) if len(keys) >= count * len(paths) else None

    log_at, mirror_at, last_at = await asyncio.gather(
        first_time(logged, 0.1, "the bulk's log entries"),
        first_time(lambda: settled(mirror.count(project), count), 0.1, "the bulk's mirror"),
        first_time(delivered, 0.05, "the bulk's deliveries"),
    )
    arrivals = [a for a in receiver.arrivals if a.path in paths]
    deliveries = count * len(paths)
    return {
        "subscriptions": subscriptions,
        "events": count,
        "bulk_request_seconds": round(answered - sent, 2),
        "log_seconds": round(log_at - answered, 2),
        "log_events_per_second": round(count / (log_at - answered), 1),
        "mirror_seconds": round(mirror_at - answered, 2),
        "mirror_tasks_per_second": round(count / (mirror_at - answered), 1),
        "log_vs_mirror_ratio": round((log_at - answered) / (mirror_at - answered), 2),
        "deliveries": deliveries,
        "deliveries_seconds": round(last_at - answered, 2),
        "deliveries_per_second": round(deliveries / (last_at - answered), 1),
        "duplicates": len(arrivals) - deliveries,
        "all_verified": all(a.verified for a in arrivals),
    }


@dataclass(frozen=True)
class System:
    base: str
    headers: dict[str, str]  # the admin's token
    versions_database: str  # where the baseline, the versions service's mirror, is read


async def measure(system: System, receiver: TimedReceiver, arguments: argparse.Namespace) -> dict[str, Any]:
    headers = system.headers
    mirror = Mirror(system.versions_database)
    stream_timeout = httpx.Timeout(30, read=None)
    try:
        async with (
            httpx.AsyncClient(base_url=system.base, headers=headers, timeout=300) as client,
            httpx.AsyncClient(base_url=system.base, headers=headers, timeout=stream_timeout) as streamer,
        ):
            result: dict[str, Any] = {"database": await mirror.server_version()}
            result |= await latency(client, streamer, receiver, mirror, arguments.changes)
            result["throughput"] = [
                await throughput(client, receiver, mirror, arguments.bulk, n)
                for n in (1, arguments.subscriptions)
            ]
    finally:
        await mirror.engine.dispose()
    return result


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    servers: dict[str, str] = {}
    if arguments.mode != "embedded":
        servers = {
            "pg_server": os.environ.get("STALKER_TEST_POSTGRES_URL", LOCAL_POSTGRES),
            "amqp_server": os.environ.get("STALKER_TEST_AMQP_URL", LOCAL_AMQP),
        }
    receiver = TimedReceiver()
    receiver.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            if arguments.mode == "processes":
                return _run_in_processes(Path(folder), servers, receiver, arguments)
            with served_system(
                arguments.mode, Path(folder), **servers, settings={"events": EVENTS_SETTINGS}
            ) as served:
                versions = served.runtimes["versions"].settings.resolved_database_url()
                system = System(served.base, served.token_for("admin"), versions)
                return asyncio.run(measure(system, receiver, arguments))
    finally:
        receiver.stop()


def _run_in_processes(
    folder: Path, servers: dict[str, str], receiver: TimedReceiver, arguments: argparse.Namespace
) -> dict[str, Any]:
    """The system as `make run` starts it on servers: each service's API and worker a process of its own
    behind the gateway, so the events worker has a core's worth of time to itself."""
    prefix = f"stalker_bench_{uuid.uuid4().hex[:8]}"
    settings = {
        "STALKER_EVENTS_WEBHOOK_ALLOWED_NETWORKS": json.dumps(EVENTS_SETTINGS["webhook_allowed_networks"])
    }
    with distributed_process(
        servers["pg_server"], servers["amqp_server"], folder / "system.log", prefix=prefix, settings=settings
    ) as (base, _, _):
        login = {"username": "admin", "password": "admin"}
        signed_in = httpx.post(f"{base}{C}/auth/token", data=login, timeout=30)
        signed_in.raise_for_status()
        versions = ServerUrls(servers["pg_server"].rsplit("/", 1)[0], "").database_url("versions", prefix)
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        system = System(base, headers, versions)
        return asyncio.run(measure(system, receiver, arguments))


def report(
    arguments: argparse.Namespace, result: dict[str, Any], load: tuple[float, float], seconds: float
) -> None:
    machine = f"{os.cpu_count()} CPUs, 1-minute load {load[0]:.2f} before, {load[1]:.2f} after"
    print(f"\nEvents, {arguments.mode} ({result['database']}); {machine}")
    print(f"\nLatency from the PATCH's answer, {arguments.changes} changes one after the other")
    header = f"{'reached':<34} {'p50 ms':>8} {'p95 ms':>8} {'x mirror p50':>13} {'x p95':>6}"
    print(header + "\n" + "-" * len(header))
    names = {
        "patch": "(the PATCH's own round trip)",
        "webhook": "webhook (receiver)",
        "stream": "live stream (SSE)",
        "log": "log (polled every 20 ms)",
        "mirror": "baseline: versions mirror (10 ms)",
    }
    for key, label in names.items():
        row = result["latency"][key]
        ratios = f"{row['ratio_p50']:>13} {row['ratio_p95']:>6}" if "ratio_p50" in row else ""
        print(f"{label:<34} {row['p50_ms']:>8} {row['p95_ms']:>8} {ratios}")
    print(f"\nThroughput: one bulk of {arguments.bulk} tasks, seconds from its answer")
    header = (
        f"{'subs':>4} {'bulk s':>7} {'log s':>6} {'events/s':>9} {'mirror s':>9} {'hooks s':>8} "
        f"{'deliveries/s':>13} {'dup':>4}"
    )
    print(header + "\n" + "-" * len(header))
    for row in result["throughput"]:
        print(
            f"{row['subscriptions']:>4} {row['bulk_request_seconds']:>7} {row['log_seconds']:>6} "
            f"{row['log_events_per_second']:>9} {row['mirror_seconds']:>9} {row['deliveries_seconds']:>8} "
            f"{row['deliveries_per_second']:>13} {row['duplicates']:>4}"
        )
    verified = result["all_verified"] and all(row["all_verified"] for row in result["throughput"])
    print(f"\nsignatures all verified: {verified}")
    print(f"whole run: {seconds:.0f} s")


def write(
    arguments: argparse.Namespace, result: dict[str, Any], load: tuple[float, float], seconds: float
) -> None:
    document = {
        "benchmark": "events",
        "command": f"bench/events.py --mode {arguments.mode} --changes {arguments.changes} "
        f"--bulk {arguments.bulk} --subscriptions {arguments.subscriptions}",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1min": {"before": load[0], "after": load[1]},
        "mode": arguments.mode,
        "events_settings": "defaults (webhook and stream polls 0.25 s), loopback allowed",
        "latency_from": "the PATCH's answer received by the client (an upper bound on the commit)",
        "seconds": round(seconds, 1),
    } | result
    path = Path(arguments.output)
    existing = json.loads(path.read_text()) if path.exists() else {}
    runs = existing.get("runs", {}) if existing.get("benchmark") == "events" else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"benchmark": "events", "runs": runs | {arguments.mode: document}}, indent=2) + "\n"
    )
    print(f"written to {path} (runs.{arguments.mode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["distributed", "embedded", "processes"], default="distributed")
    parser.add_argument("--changes", type=int, default=200, help="task PATCHes timed one after the other")
    parser.add_argument("--bulk", type=int, default=500, help="tasks of each bulk creation")
    parser.add_argument("--subscriptions", type=int, default=8, help="subscriptions of the second bulk")
    parser.add_argument("--output", default=str(RESULTS))
    arguments = parser.parse_args()
    configure_logging("WARNING", json=False)  # an info line per message would cost CPU and bury the table
    load_before, started = os.getloadavg()[0], time.perf_counter()
    result = run(arguments)
    seconds, load = time.perf_counter() - started, (load_before, os.getloadavg()[0])
    report(arguments, result, load, seconds)
    write(arguments, result, load, seconds)


if __name__ == "__main__":
    main()
