"""A failed run explained over HTTP, on PostgreSQL with the real workers and tj3: the tutorial's artist
cannot do twenty days of work in a studio of four, and the job says so per task and artist."""

from __future__ import annotations

import pytest
from test_catalog_schedule_runs import API, scheduling, tutorial_studio, wait_for  # noqa: F401

from support.catalog import Catalog

pytestmark = pytest.mark.tj3


async def test_a_task_that_cannot_fit_the_studio_is_explained_in_the_job(
    scheduling: Catalog,  # noqa: F811
) -> None:
    client = scheduling.client
    setup = await tutorial_studio(client, duration=4)
    job = (await client.post(f"{API}/studios/{setup['studio']['id']}/schedule", json={})).json()

    done = await wait_for(client, job["id"])

    assert done["status"] == "failed", done
    by_task = {p["task_name"]: p for p in done["problems"] if p["severity"] == "warning"}
    previs, matchmove = by_task["Previs"], by_task["Matchmove"]
    assert (previs["kind"], previs["task_id"], previs["resource_id"]) == (
        "does_not_fit",
        setup["tasks"]["Previs"]["id"],
        None,
    )
    assert previs["explanation"].startswith("Previs (SH001) needs 10 days of work from 2014-04-02 16:00, but")
    assert previs["explanation"].endswith(
        "before the studio's end 2014-04-06: extend the studio's end or reduce the effort"
    )
    # Matchmove waited for the artist Previs held: overbooked, naming the artist.
    assert (matchmove["kind"], matchmove["resource_id"], matchmove["resource_name"]) == (
        "overbooked",
        setup["me"]["id"],
        "Erkan Ozgur Yilmaz",
    )
    assert "Erkan Ozgur Yilmaz is also booked on Previs (SH001)" in matchmove["explanation"]
    (error,) = [p for p in done["problems"] if p["severity"] == "error"]
    assert error["kind"] == "does_not_fit" and "did not fit in the studio's dates" in error["explanation"]
    assert "does not fit into the project time frame" in previs["message"]  # tj3's text, kept
