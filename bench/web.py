"""Web app benchmark: first paint and a usable Gantt for a 15,000-task project, and the page weight.

Usage: .venv/bin/python bench/web.py [--leaves 12400] [--loads 10] [--schedule-timeout 900]

One run, on the embedded system as `make run` starts it (one process, SQLite, the in-process broker, the
web app under /web; tests/support/system.py), on a free port of this machine:
1. the show of bench/show.py (`describe(leaves)`: sequences of 20 shots, five steps a shot, one artist per
   task, 12,400 leaves = 15,004 tasks with the shots and sequences) made over HTTP as bench/scheduling.py
   makes it (studio, departments, artists, their leave, one `POST /catalog/v1/tasks/bulk`), then scheduled
   for real (`POST /catalog/v1/studios/{id}/schedule`, tj3), so every bar has its computed dates;
2. Debian's Chromium (Playwright, headless) signs in as the admin and loads `/web/projects/{id}/schedule`
   `--loads` times cold (a fresh browser context each time: no cache, the session cookie only) and as many
   times warm (one context, the page opened again). Per load: first contentful paint (the `paint` entry)
   and the time to a usable Gantt (`performance.mark("gantt:usable")`, set by static/gantt-view.js after
   its first draw with rows), both from navigation start; and the page weight from Resource Timing (the
   document and everything it loaded: bytes transferred, bodies as sent and decoded);
3. the same for the tree page `/web/projects/{id}` (first paint only), as a baseline;
4. the chart's JSON alone (`GET /web/api/projects/{id}/gantt`, httpx, `--loads` times): its server time
   and its size as sent with and without `Accept-Encoding: gzip`.
p50 is the median; p95 the nearest rank (with 10 loads, the slowest). The table is printed and
`results/web.json` written; `BENCHMARKS.md` holds the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, ViewportSize, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from scheduling import create_show, ok
from show import counts, describe

from stalker_web import gantt

from support.system import embedded_system

API = "/catalog/v1"
RESULTS = Path(__file__).parent / "results" / "web.json"
ADMIN = {"username": "admin", "password": "admin"}
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# Everything a page load is measured by, read in the page once it is done.
METRICS_JS = """() => {
  const first = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const navigation = performance.getEntriesByType("navigation")[0];
  const entries = [navigation, ...performance.getEntriesByType("resource")];
  const total = (key) => entries.reduce((sum, entry) => sum + (entry[key] || 0), 0);
  return {
    first_paint_ms: first("first-contentful-paint"),
    gantt_usable_ms: first("gantt:usable"),
    dom_content_loaded_ms: navigation.domContentLoadedEventEnd,
    requests: entries.length,
    transferred_bytes: total("transferSize"),
    bodies_as_sent_bytes: total("encodedBodySize"),
    bodies_decoded_bytes: total("decodedBodySize"),
    largest: entries.map((e) => [e.name.replace(location.origin, ""), e.encodedBodySize, e.decodedBodySize])
      .sort((a, b) => b[2] - a[2]).slice(0, 3),
  };
}"""
PAINTED_JS = "() => performance.getEntriesByName('first-contentful-paint').length > 0"
USABLE_JS = "() => performance.getEntriesByName('gantt:usable').length > 0"


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    rank = max(math.ceil(0.95 * len(ordered)), 1)
    return {"p50": round(statistics.median(ordered), 1), "p95": round(ordered[rank - 1], 1)}


async def set_up(base: str, leaves: int, schedule_timeout: float) -> dict[str, Any]:
    """The show made and scheduled through the base URL; the project id and what it took."""
    show = describe(leaves)
    async with httpx.AsyncClient(base_url=base, timeout=900) as client:
        token = await ok(await client.post(f"{API}/auth/token", data=ADMIN))
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        started = time.perf_counter()
        studio_id, _ = await create_show(client, show)
        created = time.perf_counter() - started
        projects = await ok(await client.get(f"{API}/projects", params={"code": show["project"]["code"]}))
        schedule = await schedule_studio(client, studio_id, schedule_timeout)
        drained = await settled(client)
    return {
        "project_id": projects["items"][0]["id"],
        "show": counts(show),
        "create_seconds": round(created, 1),
        "schedule": schedule,
        "seconds_until_the_events_were_handled": round(drained, 1),
    }


async def schedule_studio(client: httpx.AsyncClient, studio_id: int, timeout: float) -> dict[str, Any]:
    """A real schedule run, followed until it ends or `timeout` seconds pass (then the bars are missing)."""
    started = time.perf_counter()
    job = await ok(await client.post(f"{API}/studios/{studio_id}/schedule", json={}), 202)
    while job["status"] not in ("completed", "failed"):
        if time.perf_counter() - started > timeout:
            break
        await asyncio.sleep(0.5)
        job = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}"))
    return {
        "status": job["status"],
        "seconds": round(time.perf_counter() - started, 1),
        "tasks_scheduled": job.get("tasks_scheduled"),
    }


async def settled(client: httpx.AsyncClient, quiet: float = 3, timeout: float = 900) -> float:
    """Until the consumers have handled what the set-up published (15,000 task events for the versions
    service): the outbox empty and no message handled for `quiet` seconds. The seconds it took."""
    started = time.perf_counter()
    last, since = -1.0, started
    while time.perf_counter() - started < timeout:
        text = (await client.get("/catalog/metrics")).text
        handled = sum(map(float, re.findall(r"^stalker_consumer_messages_total\{.*\} (\S+)$", text, re.M)))
        backlog = sum(map(float, re.findall(r"^stalker_outbox_backlog\{.*\} (\S+)$", text, re.M)))
        now = time.perf_counter()
        if handled != last or backlog:
            last, since = handled, now
        elif now - since >= quiet:
            return now - started
        await asyncio.sleep(0.5)
    raise SystemExit(f"the system was still handling events after {timeout} s")


def signed_in_state(browser: Browser, base: str) -> Any:
    """The admin's session cookie, signed in once through the form as a person would."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{base}/web/login")
    page.get_by_label("Login").fill(ADMIN["username"])
    page.get_by_label("Password").fill(ADMIN["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/web/login" not in url)
    state = context.storage_state()
    context.close()
    return state


def load(context: BrowserContext, url: str, gantt: bool) -> dict[str, Any]:
    """One page load in `context`: its metrics once it painted (and, for the Gantt, once it is usable)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise SystemExit(f"{url} answered {response.status if response else 'nothing'}: is the page there?")
    page.wait_for_function(PAINTED_JS, timeout=60_000)
    if gantt:
        try:
            page.wait_for_function(USABLE_JS, timeout=300_000, polling=50)
        except Exception as exc:
            raise SystemExit(f"the Gantt never marked gantt:usable ({exc}); page errors: {errors}") from exc
    metrics: dict[str, Any] = page.evaluate(METRICS_JS)
    page.close()
    return metrics


def measure_page(browser: Browser, state: Any, url: str, loads: int, gantt: bool) -> dict[str, Any]:
    """`loads` cold loads (a fresh context each) and `loads` warm ones (one context, after a first load)."""
    cold = []
    for _ in range(loads):
        context = browser.new_context(viewport=VIEWPORT, storage_state=state)
        cold.append(load(context, url, gantt))
        context.close()
    context = browser.new_context(viewport=VIEWPORT, storage_state=state)
    load(context, url, gantt)
    warm = [load(context, url, gantt) for _ in range(loads)]
    context.close()
    return {"cold": summary(cold, gantt), "warm": summary(warm, gantt)}


def summary(runs: list[dict[str, Any]], gantt: bool) -> dict[str, Any]:
    keys = ["first_paint_ms", "dom_content_loaded_ms"] + (["gantt_usable_ms"] if gantt else [])
    last = runs[-1]
    weight = ("requests", "transferred_bytes", "bodies_as_sent_bytes", "bodies_decoded_bytes", "largest")
    return {
        **{key: percentiles([run[key] for run in runs]) for key in keys},
        "weight": {key: last[key] for key in weight},
        "runs": [{key: round(run[key], 1) for key in keys} for run in runs],
    }


def measure_json(base: str, state: Any, project_id: int, loads: int) -> dict[str, Any]:
    """The chart's data alone: server time (p50/p95 ms) and size with and without gzip."""
    cookies = {c["name"]: c["value"] for c in state["cookies"]}
    url = f"{base}/web/api/projects/{project_id}/gantt"
    sizes = {}
    with httpx.Client(cookies=cookies, timeout=300) as client:
        times = []
        for encoding in ("gzip", "identity"):
            for _ in range(loads):
                started = time.perf_counter()
                with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as response:
                    body = b"".join(response.iter_raw())
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            sizes[encoding] = {
                "bytes": len(body),
                "content_encoding": response.headers.get("content-encoding"),
            }
        rows = len(json.loads(client.get(url).content)["rows"])
    return {"ms": percentiles(times), "rows": rows, "sizes": sizes}


def measure_catalog_pages(base: str, project_id: int, loads: int) -> dict[str, Any]:
    """Where the chart's data time goes: the catalog's pages of the project's tasks alone, with the fields
    and page size the web app asks for, one after the other (the app asks for a few at once)."""
    with httpx.Client(base_url=base, timeout=300) as client:
        token = client.post(f"{API}/auth/token", data=ADMIN).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        params: dict[str, Any] = {"project_id": project_id, "limit": gantt.PAGE_SIZE, "sort": "id"}
        params["fields"] = ",".join(gantt.TASK_FIELDS)
        times, pages = [], 0
        for _ in range(loads):
            started, offset, total = time.perf_counter(), 0, 1
            while offset < total:
                page = client.get(f"{API}/tasks", params={**params, "offset": offset}).json()
                total, offset, pages = page["total"], offset + gantt.PAGE_SIZE, pages + 1
            times.append((time.perf_counter() - started) * 1000)
    return {"all_pages_one_after_the_other_ms": percentiles(times), "pages": pages // loads}


def measure(base: str, project_id: int, loads: int) -> dict[str, Any]:
    chromium = os.environ.get("STALKER_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        version = browser.version
        state = signed_in_state(browser, base)
        schedule_url = f"{base}/web/projects/{project_id}/schedule"
        if (
            httpx.get(schedule_url, cookies={c["name"]: c["value"] for c in state["cookies"]}).status_code
            != 200
        ):
            raise SystemExit(
                f"{schedule_url} is not there yet: the Schedule page (pages/schedule.py) is missing"
            )
        results = {
            "schedule_page": measure_page(browser, state, schedule_url, loads, gantt=True),
            "tree_page": measure_page(
                browser, state, f"{base}/web/projects/{project_id}", loads, gantt=False
            ),
            "gantt_json": measure_json(base, state, project_id, loads),
            "catalog_pages": measure_catalog_pages(base, project_id, loads),
            "chromium": version,
        }
        browser.close()
    return results


def report(results: dict[str, Any]) -> str:
    setup = results["setup"]
    lines = [
        f"show: {setup['show']} created in {setup['create_seconds']} s, schedule {setup['schedule']}, "
        f"events handled {setup['seconds_until_the_events_were_handled']} s later",
        "page           cache  first paint p50/p95  usable Gantt p50/p95  requests  transferred  decoded",
    ]
    for name in ("schedule_page", "tree_page"):
        for cache in ("cold", "warm"):
            part = results[name][cache]
            paint, usable = part["first_paint_ms"], part.get("gantt_usable_ms", {"p50": "-", "p95": "-"})
            weight = part["weight"]
            lines.append(
                f"{name:<14} {cache:<6} {paint['p50']:>8} / {paint['p95']:<9}"
                f"{usable['p50']:>10} / {usable['p95']:<9} {weight['requests']:>8}"
                f"  {weight['transferred_bytes']:>11,}  {weight['bodies_decoded_bytes']:>7,}"
            )
    data = results["gantt_json"]
    lines.append(
        f"gantt JSON: {data['rows']} rows, server p50/p95 {data['ms']['p50']} / {data['ms']['p95']} ms, "
        f"gzip {data['sizes']['gzip']}, identity {data['sizes']['identity']}"
    )
    pages = results["catalog_pages"]
    lines.append(
        f"catalog alone: {pages['pages']} pages in turn {pages['all_pages_one_after_the_other_ms']} ms"
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> dict[str, Any]:
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp)
        with embedded_system(folder / "data", folder / "system.log") as base:
            setup = asyncio.run(set_up(base, args.leaves, args.schedule_timeout))
            results = {"setup": setup, **measure(base, setup["project_id"], args.loads)}
    results["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15_min_at_start": load_at_start,
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.machine(),
        "system": "embedded (SQLite, in-process broker), browser and server on one machine over loopback",
        "tj3": subprocess.run(["tj3", "--version"], capture_output=True, text=True).stdout.strip()[:80],
    }
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=12_400, help="leaf tasks (12,400 make 15,004 tasks)")
    parser.add_argument("--loads", type=int, default=10, help="page loads per measurement")
    parser.add_argument(
        "--schedule-timeout", type=float, default=900, help="seconds the schedule run may take"
    )
    results = main(parser.parse_args())
    print(report(results))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {RESULTS}", file=sys.stderr)
