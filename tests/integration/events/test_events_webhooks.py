"""Webhooks to a real receiver on loopback, verified with the Standard Webhooks library: every event of a
tutorial run arrives signed and in cursor order; with the receiver down for a while, answering 500, or
answering past the timeout, every event still arrives once it recovers (0 lost; a duplicate carries an
id already seen). Then the endpoint's lifecycle: disabled after failing a whole retry window with the
reason shown, re-enabled, a parked delivery redelivered with the same id, who may subscribe to what."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.receiver import Receiver
from support.served import ServedSystem, served_as_parametrized

pytestmark = pytest.mark.xdist_group("events_webhooks")

C, H = "/catalog/v1", "/events/v1/webhooks"
TUTORIAL = Path(__file__).resolve().parents[3] / "examples" / "tutorial.py"
# Retries in tenths of seconds, so an outage of a second or two is ten or so attempts, under the limit.
FAST_RETRIES = {
    "webhook_allowed_networks": ["127.0.0.0/8"],
    "webhook_retry_base_seconds": 0.05,
    "webhook_retry_cap_seconds": 0.5,
    "webhook_timeout_seconds": 1.0,
    "webhook_max_attempts": 12,
    "webhook_poll_seconds": 0.05,
}
WAIT = 60.0


@pytest.fixture(scope="module", params=["embedded", "distributed"])
def system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedSystem]:
    folder = tmp_path_factory.mktemp("webhooks")
    with served_as_parametrized(request, folder, settings={"events": FAST_RETRIES}) as served:
        yield served


@pytest.fixture(scope="module")
def admin(system: ServedSystem) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.base, headers=system.token_for("admin"), timeout=30) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    try:
        yield running
    finally:
        running.stop()


def subscribe(admin: httpx.Client, receiver: Receiver, **body: Any) -> dict[str, Any]:
    path = f"/hook/{uuid.uuid4().hex[:8]}"
    made = admin.post(H, json={"url": receiver.url(path)} | body)
    assert made.status_code == 201, made.text
    hook = dict(made.json())
    receiver.secrets[path] = hook["secret"]
    return hook | {"path": path}


def logged_since(admin: httpx.Client, after: int, **params: Any) -> list[dict[str, Any]]:
    page = admin.get("/events/v1/events", params={"after": after, "limit": 1000} | params)
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


def _head(admin: httpx.Client) -> int:
    """The log's last cursor once it has stopped growing (what earlier changes publish has arrived): a
    subscription gets the events recorded after it was made, the test expects those after this."""
    cursor, last_seen, still_since = 0, -1, time.monotonic()
    while True:
        page = admin.get("/events/v1/events", params={"after": cursor, "limit": 1000}).json()
        cursor = page["next_after"]
        if len(page["items"]) == 1000:
            continue
        if cursor != last_seen:
            last_seen, still_since = cursor, time.monotonic()
        elif time.monotonic() - still_since > 0.5:
            return int(cursor)
        time.sleep(0.1)


def all_arrived(admin: httpx.Client, receiver: Receiver, hook: dict[str, Any], after: int) -> list[str]:
    """Wait until every event logged after `after` reached the hook's path (settled: the log has stopped
    growing for a moment); the ids that arrived, duplicates included, in arrival order."""
    deadline = time.monotonic() + WAIT
    while True:
        expected = {e["event_id"] for e in logged_since(admin, after)}
        got = receiver.ids(hook["path"])
        if expected and expected <= set(got):
            time.sleep(1.0)
            if {e["event_id"] for e in logged_since(admin, after)} == expected:
                assert set(receiver.ids(hook["path"])) == expected, "a delivery for another event arrived"
                return receiver.ids(hook["path"])
        assert time.monotonic() < deadline, (
            f"{len(expected - set(got))} of {len(expected)} events never arrived"
        )
        time.sleep(0.1)


def some_changes(admin: httpx.Client, count: int = 5) -> None:
    code = f"W{uuid.uuid4().hex[:6]}"
    project = admin.post(f"{C}/projects", json={"name": code, "code": code}).json()["id"]
    for n in range(count):
        assert admin.post(f"{C}/tasks", json={"name": f"Task {n}", "project_id": project}).status_code == 201


def test_every_event_of_a_tutorial_run_arrives_signed_and_in_cursor_order(
    system: ServedSystem, admin: httpx.Client, receiver: Receiver
) -> None:
    start = _head(admin)
    hook = subscribe(admin, receiver)
    run = subprocess.run(
        [sys.executable, str(TUTORIAL), "--url", system.base], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    arrived = all_arrived(admin, receiver, hook, start)
    logged = logged_since(admin, start)
    assert len(logged) > 30, "the tutorial's changes were not logged"
    assert len(arrived) == len(set(arrived)) == len(logged), "a healthy endpoint got a duplicate"
    assert arrived == [e["event_id"] for e in logged], "not in cursor order"
    assert all(a.verified for a in receiver.arrivals), "a delivery failed the signature check"
    sample = next(a.body for a in receiver.arrivals if a.body["type"] == "versions.version.created")
    assert sample["data"]["task_id"] and sample["timestamp"].endswith("Z") and sample["cursor"] > start
    assert {a.body["type"] for a in receiver.arrivals} >= {
        "catalog.task.created",
        "catalog.schedule.requested",
    }


@pytest.mark.parametrize("trouble", ["down", "failing", "slow"])
def test_every_event_arrives_after_the_endpoint_recovers(
    admin: httpx.Client, receiver: Receiver, trouble: str
) -> None:
    start = _head(admin)
    hook = subscribe(admin, receiver, types=["catalog.task.*", "catalog.project.*"])
    if trouble == "down":
        receiver.stop()
    else:
        receiver.mode, receiver.slow_seconds = ("fail", 0.0) if trouble == "failing" else ("slow", 1.5)
    some_changes(admin)
    if trouble == "slow":  # stays slow past the 1 s timeout once a request is in, however late it came
        deadline = time.monotonic() + WAIT
        while not receiver.ids(hook["path"]):
            assert time.monotonic() < deadline, "no delivery was tried"
            time.sleep(0.05)
    time.sleep(1.5)
    if trouble == "down":
        receiver.start()
    receiver.mode = "ok"
    arrived = all_arrived(admin, receiver, hook, start)
    duplicates = Counter(arrived) - Counter(set(arrived))
    logged = [e["event_id"] for e in logged_since(admin, start)]
    assert sorted(set(arrived)) == sorted(logged), "an event was lost"
    assert list(dict.fromkeys(arrived)) == logged, "first arrivals out of cursor order"
    assert all(a.verified for a in receiver.arrivals)
    if trouble == "slow":  # the receiver got the timed-out requests: the retries are duplicates it can drop
        assert duplicates, "a request past the timeout was not retried"
    state = admin.get(f"{H}/{hook['id']}").json()
    assert state["status"] == "active" and state["pending"] == 0 and state["parked"] == 0, state


def test_an_endpoint_failing_a_whole_window_is_disabled_then_enabled_and_redelivered(
    admin: httpx.Client, receiver: Receiver
) -> None:
    start = _head(admin)
    hook = subscribe(admin, receiver, types=["catalog.project.created"])
    receiver.mode = "fail"
    some_changes(admin, count=0)
    deadline = time.monotonic() + WAIT
    while (state := admin.get(f"{H}/{hook['id']}").json())["status"] != "disabled":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert "12 attempts failed" in state["disabled_reason"] and "HTTP 500" in state["disabled_reason"]
    (parked,) = admin.get(f"{H}/{hook['id']}/deliveries", params={"status": "parked"}).json()["items"]
    attempts = admin.get(f"{H}/{hook['id']}/deliveries/{parked['id']}/attempts").json()
    assert len(attempts) == 12 and {a["status_code"] for a in attempts} == {500}
    assert attempts[0]["response_excerpt"] == "failing on purpose" and attempts[0]["latency_ms"] >= 0

    receiver.mode = "ok"
    some_changes(admin, count=0)  # queued while disabled
    assert admin.post(f"{H}/{hook['id']}/enable").json()["status"] == "active"
    redelivered = admin.post(f"{H}/{hook['id']}/deliveries/{parked['id']}/redeliver")
    assert redelivered.status_code == 200 and redelivered.json()["status"] == "pending", redelivered.text
    arrived = all_arrived(admin, receiver, hook, start)
    assert parked["webhook_id"] in arrived and len(set(arrived)) == 2
    assert "secret" not in admin.get(f"{H}/{hook['id']}").json()


def test_a_webhook_delivers_what_its_owner_may_read_now(
    system: ServedSystem, admin: httpx.Client, receiver: Receiver
) -> None:
    """An admin editing a producer's webhook gives it no rights; once the producer leaves the project, or
    is deactivated, their webhook receives nothing more of it."""
    login = f"prod{uuid.uuid4().hex[:8]}"
    body = {"name": login, "login": login, "email": f"{login}@example.com", "password": "secret-enough"}
    user = admin.post(f"{C}/users", json=body).json()
    producer_role = next(r for r in admin.get(f"{C}/roles").json()["items"] if r["access"] == "producer")
    code = f"P{uuid.uuid4().hex[:6]}"
    project = admin.post(f"{C}/projects", json={"name": code, "code": code}).json()["id"]
    member = {"user_id": user["id"], "role_id": producer_role["id"]}
    assert admin.post(f"{C}/projects/{project}/users", json=member).status_code in (200, 201)
    _head(admin)  # the membership has reached the events service
    with httpx.Client(base_url=system.base, headers=system.token_for(login), timeout=30) as producer:
        path = f"/hook/{uuid.uuid4().hex[:8]}"
        made = producer.post(H, json={"url": receiver.url(path), "project_ids": [project]})
        assert made.status_code == 201, made.text
        receiver.secrets[path] = made.json()["secret"]
    assert admin.patch(f"{H}/{made.json()['id']}", json={"description": "ops"}).status_code == 200

    def changed(name: str) -> int:
        task = admin.post(f"{C}/tasks", json={"name": name, "project_id": project})
        assert task.status_code == 201, task.text
        return int(task.json()["id"])

    seen = changed("While producer")
    deadline = time.monotonic() + WAIT
    while not any(a.body["data"].get("id") == seen for a in receiver.arrivals if a.path == path):
        assert time.monotonic() < deadline, "the producer's webhook got nothing"
        time.sleep(0.1)
    assert admin.delete(f"{C}/projects/{project}/users/{user['id']}").status_code == 204
    after_leaving = changed("After leaving")
    _head(admin)
    time.sleep(1.0)  # a delivery would have been sent by now (retries are in tenths of seconds)
    assert not any(a.body["data"].get("id") == after_leaving for a in receiver.arrivals if a.path == path)
    assert not any(a.body["project_id"] != project for a in receiver.arrivals if a.path == path)


def test_producers_subscribe_to_their_projects_only_and_others_see_none(
    system: ServedSystem, admin: httpx.Client, receiver: Receiver
) -> None:
    login = f"prod{uuid.uuid4().hex[:8]}"
    body = {"name": login, "login": login, "email": f"{login}@example.com", "password": "secret-enough"}
    user = admin.post(f"{C}/users", json=body).json()
    code = f"P{uuid.uuid4().hex[:6]}"
    project = admin.post(f"{C}/projects", json={"name": code, "code": code, "user_ids": [user["id"]]}).json()
    with httpx.Client(base_url=system.base, headers=system.token_for(login), timeout=30) as artist:
        url = receiver.url("/hook/artist")
        refused = artist.post(H, json={"url": url, "project_ids": [project["id"]]})
        assert refused.status_code == 403 and refused.json()["field"] == "project_ids", refused.text
        assert artist.post(H, json={"url": url}).status_code == 403  # every project: admins only
        mine = subscribe(admin, receiver)
        assert artist.get(f"{H}/{mine['id']}").status_code == 404
        assert artist.get(H).json() == []
    unsafe = admin.post(H, json={"url": "http://169.254.169.254/latest/meta-data"})
    assert unsafe.status_code == 422 and unsafe.json()["field"] == "url", unsafe.text
    unsafe = admin.post(H, json={"url": "http://[::1"})
    assert unsafe.status_code == 422 and unsafe.json()["field"] == "url", unsafe.text
    typo = admin.post(H, json={"url": receiver.url("/x"), "types": ["catalog.tsak.*"]})
    assert typo.status_code == 422 and typo.json()["field"] == "types", typo.text
