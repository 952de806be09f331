"""The login throttle (per account and per address, counted in the database so that several catalog
processes agree) and Argon2 off the event loop (issue 13: 50 bad passwords in a row met no throttle, and
each check blocked the whole process for ~0.1 s)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from stalker_catalog import security
from stalker_catalog.definition import catalog_definition
from stalker_catalog.service.auth import LogIn, LoginFailed, Throttle, TooManyAttempts, log_in
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

from support.catalog import ADMIN_PASSWORD, API, Catalog, catalog_settings, ok, problem

PASSWORD = "Tr0ub4dor&3"


async def make_user(catalog: Catalog, login: str) -> None:
    body = {"name": login, "login": login, "email": f"{login}@x.io", "password": PASSWORD}
    await ok(await catalog.client.post(f"{API}/users", json=body), 201)


async def attempt(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post(f"{API}/auth/token", data={"username": login, "password": password})


async def test_fifty_bad_passwords_meet_the_throttle_after_ten(catalog: Catalog) -> None:
    await make_user(catalog, "ann")
    statuses = [(await attempt(catalog.client, "ann", f"guess-{n}")).status_code for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    throttled = await attempt(catalog.client, "ann", PASSWORD)  # even the right password, for now
    body = await problem(throttled, 429)
    assert "too many failed logins of this account" in body["detail"]
    retry_after = int(throttled.headers["retry-after"])
    assert 0 < retry_after <= 900 and f"{retry_after} s" in body["detail"]
    # Another account is not held up by ann's throttle, and its success clears nothing of ann's.
    assert (await attempt(catalog.client, "admin", ADMIN_PASSWORD)).status_code == 200
    assert (await attempt(catalog.client, "ann", PASSWORD)).status_code == 429


async def test_a_good_login_clears_the_accounts_failures(catalog: Catalog) -> None:
    await make_user(catalog, "ann")
    for n in range(9):
        assert (await attempt(catalog.client, "ann", f"guess-{n}")).status_code == 401
    assert (await attempt(catalog.client, "ann", PASSWORD)).status_code == 200
    for n in range(9):  # nine more are allowed again
        assert (await attempt(catalog.client, "ann", f"again-{n}")).status_code == 401


async def test_the_window_ending_lets_the_account_try_again(catalog: Catalog) -> None:
    # Long enough for two Argon2 checks and a third try on a busy CI machine (1 s once was not).
    throttle = Throttle(per_account=2, per_address=100, window=timedelta(seconds=5))
    units = catalog.runtime.unit_of_work
    await make_user(catalog, "ann")
    for n in range(2):
        with pytest.raises(LoginFailed):
            await log_in(units, LogIn("ann", f"guess-{n}", "10.0.0.1"), throttle, timedelta(days=1))
    with pytest.raises(TooManyAttempts) as held:
        await log_in(units, LogIn("ann", PASSWORD, "10.0.0.1"), throttle, timedelta(days=1))
    assert 1 <= held.value.retry_after <= 5
    await asyncio.sleep(held.value.retry_after + 0.1)
    session = await log_in(units, LogIn("ann", PASSWORD, "10.0.0.1"), throttle, timedelta(days=1))
    assert session.principal.login == "ann"


async def test_one_address_trying_many_accounts_is_throttled_as_an_address(catalog: Catalog) -> None:
    throttle = Throttle(per_account=100, per_address=3, window=timedelta(minutes=15))
    units = catalog.runtime.unit_of_work
    for login in ("ann", "bob", "cid"):
        with pytest.raises(LoginFailed):
            await log_in(units, LogIn(login, "wrong-password", "10.0.0.9"), throttle, timedelta(days=1))
    with pytest.raises(TooManyAttempts, match="from this address"):
        await log_in(units, LogIn("admin", ADMIN_PASSWORD, "10.0.0.9"), throttle, timedelta(days=1))
    # Another address logs in to the same account.
    session = await log_in(units, LogIn("admin", ADMIN_PASSWORD, "10.0.0.10"), throttle, timedelta(days=1))
    assert session.principal.is_admin


async def test_catalog_processes_share_the_count(catalog: Catalog, tmp_path: Path) -> None:
    """Two runtimes on one database (as two catalog processes are): failures counted by either hold both.
    The attempts run side by side, so the counter's atomic upsert is what keeps the count."""
    settings = catalog_settings(str(catalog.runtime.settings.database_url), tmp_path)
    other = Runtime(catalog_definition(), settings, InMemoryTransport(InMemoryBroker()))
    await other.open(migrate=False)
    throttle = Throttle(per_account=6, per_address=100, window=timedelta(minutes=15))
    try:

        async def fail(runtime: Runtime, n: int) -> None:
            with pytest.raises(LoginFailed):
                await log_in(
                    runtime.unit_of_work, LogIn("admin", f"no-{n}", f"10.1.0.{n}"), throttle, timedelta(1)
                )

        await asyncio.gather(*(fail(r, n) for n, r in enumerate([catalog.runtime, other] * 3)))
        for runtime in (catalog.runtime, other):
            with pytest.raises(TooManyAttempts):
                await log_in(
                    runtime.unit_of_work, LogIn("admin", ADMIN_PASSWORD, "10.2.0.1"), throttle, timedelta(1)
                )
    finally:
        await other.close()


class RecordingHasher:
    """pwdlib's hasher (of the cost asked for), recording on which thread each check runs and how many
    run at once."""

    def __init__(self, hasher_of: Any) -> None:
        self.hasher_of, self.threads, self.running, self.most = hasher_of, set[int](), 0, 0
        self.lock = threading.Lock()

    def __call__(self, cost: Any) -> RecordingHasher:
        self.real = self.hasher_of(cost)
        return self

    def verify_and_update(self, password: str, password_hash: str) -> Any:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.get_ident())
        try:
            time.sleep(0.15)  # a slower machine's Argon2, without taking the CPU from the event loop
            return self.real.verify_and_update(password, password_hash)
        finally:
            with self.lock:
                self.running -= 1


async def test_password_checks_run_off_the_event_loop_a_few_at_a_time(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six logins at once while a ticker wakes every 5 ms: the checks run in worker threads, at most two
    at a time, and the event loop (health checks, every other request) never waits for one."""
    recording = RecordingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", recording)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    answers = await asyncio.gather(*(attempt(catalog.client, "admin", f"wrong-{n}") for n in range(6)))
    stop.set()
    await ticking
    assert [a.status_code for a in answers] == [401] * 6
    assert threading.get_ident() not in recording.threads and recording.threads
    assert recording.most == 2
    assert len(gaps) > 20 and sorted(gaps)[len(gaps) // 2] < 0.05  # the loop kept ticking meanwhile
