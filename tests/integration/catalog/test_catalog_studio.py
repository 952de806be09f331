"""The studio over HTTP: the tutorial's studio, calendar validation, rounding to the timing resolution,
admin-only changes, and unit conversion by the studio's own calendar."""

from __future__ import annotations

from typing import Any

from support.catalog import Catalog

TUTORIAL = {"name": "My Great Studio", "now": "2014-04-02T16:00:00Z", "start": "2014-04-02T16:00:00Z"}
WEEK_8_TO_16 = {day: [[480, 960]] for day in ("mon", "tue", "wed", "thu", "fri")}


async def make_studio(catalog: Catalog, **extra: Any) -> dict[str, Any]:
    created = await catalog.client.post("/catalog/v1/studios", json={**TUTORIAL, "duration": 365, **extra})
    assert created.status_code == 201, created.text
    return dict(created.json())


async def seconds(catalog: Catalog, studio_id: int, query: str) -> Any:
    response = await catalog.client.get(f"/catalog/v1/studios/{studio_id}/to-seconds?{query}")
    assert response.status_code == 200, response.text
    return response.json()["seconds"]


async def test_the_tutorial_studio_lasts_a_year_on_the_default_calendar(catalog: Catalog) -> None:
    studio = await make_studio(catalog)
    assert studio["start"] == "2014-04-02T16:00:00Z" and studio["now"] == "2014-04-02T16:00:00Z"
    assert studio["end"] == "2015-04-02T16:00:00Z" and studio["duration"] == 365
    assert studio["working_hours"]["mon"] == [[540, 1080]] and studio["working_hours"]["sat"] == []
    assert (studio["daily_working_hours"], studio["timing_resolution_minutes"], studio["time_zone"]) == (
        9,
        60,
        "UTC",
    )
    assert (studio["weekly_working_hours"], studio["weekly_working_days"], studio["yearly_working_days"]) == (
        45.0,
        5,
        261,
    )
    assert studio["is_scheduling"] is False and studio["last_scheduled_at"] is None
    assert studio["last_scheduled_by_id"] is None and studio["last_schedule_message"] is None
    second = await catalog.client.post("/catalog/v1/studios", json={"name": "Another"})
    assert second.status_code == 409 and f"id {studio['id']}" in second.json()["detail"]
    events = [e for e in await catalog.events() if e["type"] == "catalog.studio.created"]
    assert events[0]["payload"]["end"].startswith("2015-04-02T16:00:00")


async def test_iso_durations_time_zones_and_partial_working_hours(catalog: Catalog) -> None:
    studio = await make_studio(
        catalog,
        duration="P30D",
        time_zone="Europe/Istanbul",
        working_hours={"SAT": [[600, 720], [780, 900]]},
        timing_resolution=15,
    )
    assert studio["end"] == "2014-05-02T16:00:00Z" and studio["time_zone"] == "Europe/Istanbul"
    assert studio["working_hours"]["sat"] == [[600, 720], [780, 900]]
    assert studio["working_hours"]["fri"] == [[540, 1080]]  # merged over the defaults
    assert studio["timing_resolution_minutes"] == 15
    assert (studio["weekly_working_hours"], studio["weekly_working_days"], studio["yearly_working_days"]) == (
        49.0,
        6,
        313,
    )


async def test_dates_are_rounded_to_the_timing_resolution(catalog: Catalog) -> None:
    studio = await make_studio(
        catalog, start="2014-04-02T16:29:00+00:00", now="2014-04-02T16:30:00Z", duration=None, end=None
    )
    assert studio["start"] == "2014-04-02T16:00:00Z" and studio["now"] == "2014-04-02T17:00:00Z"
    assert studio["end"] == "2015-04-02T16:00:00Z"  # no end, no duration: a year
    finer = await catalog.client.patch(
        f"/catalog/v1/studios/{studio['id']}",
        json={"timing_resolution_minutes": 15, "start": "2014-04-02T18:20:00+02:00"},
    )
    assert finer.status_code == 200, finer.text
    assert finer.json()["start"] == "2014-04-02T16:15:00Z"


async def test_invalid_settings_get_422_naming_the_field(catalog: Catalog) -> None:
    client = catalog.client
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"start": "2014-04-02T16:00:00"}, "start", "timezone"),
        ({"now": "2014-04-02T16:00:00"}, "now", "timezone"),
        ({"end": "2014-04-01T16:00:00Z"}, "end", "must be after start"),
        ({"end": "2015-04-01T16:00:00Z", "duration": 3}, "duration", "not both"),
        ({"duration": -1}, "duration", "positive"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "unknown IANA time zone"),
        ({"working_hours": {"funday": [[0, 60]]}}, "working_hours", "unknown day"),
        ({"working_hours": {"mon": [[600, 500]]}}, "working_hours", "start < end"),
        ({"working_hours": {"mon": [[540, 700], [600, 800]]}}, "working_hours", "overlap"),
        ({"daily_working_hours": 25}, "daily_working_hours", "less than or equal to 24"),
        ({"timing_resolution_minutes": 7}, "timing_resolution", "divides an hour"),
        ({"is_scheduling": True}, "is_scheduling", "Extra inputs"),
    ]
    for extra, field, message in cases:
        response = await client.post("/catalog/v1/studios", json={"name": "S", **TUTORIAL, **extra})
        assert response.status_code == 422, (extra, response.text)
        problem = response.json()
        fields = [e["field"] for e in problem.get("errors", [])] or [problem.get("field")]
        assert field in fields, (extra, problem)
        assert message in problem["detail"], (extra, problem)


async def test_only_admins_change_the_studio_and_anyone_reads_it(catalog: Catalog) -> None:
    client = catalog.client
    studio = await make_studio(catalog)
    await client.post(
        "/catalog/v1/users", json={"name": "A", "login": "artist", "email": "a@b.c", "password": "pass-12345"}
    )
    artist = await catalog.token_for("artist")
    url = f"/catalog/v1/studios/{studio['id']}"
    assert (await client.get(url, headers=artist)).json()["name"] == "My Great Studio"
    assert (await client.get("/catalog/v1/studios", headers=artist)).json()["total"] == 1
    assert (await client.patch(url, json={"name": "Mine"}, headers=artist)).status_code == 403
    assert (await client.delete(url, headers=artist)).status_code == 403
    assert (await client.post("/catalog/v1/studios", json={"name": "x"}, headers=artist)).status_code == 403
    assert (await client.get(f"{url}/to-seconds?timing=1&unit=h", headers=artist)).status_code == 200
    assert (await client.delete(url)).status_code == 204
    assert "catalog.studio.deleted" in await catalog.event_types()


async def test_a_new_duration_keeps_the_start_and_now_can_be_unpinned(catalog: Catalog) -> None:
    studio = await make_studio(catalog)
    url = f"/catalog/v1/studios/{studio['id']}"
    longer = (await catalog.client.patch(url, json={"duration": "P400D", "now": None})).json()
    assert longer["start"] == studio["start"] and longer["end"] == "2015-05-07T16:00:00Z"
    assert longer["now"] is None and longer["revision"] == 2
    moved = await catalog.client.patch(url, json={"start": "2015-06-01T00:00:00Z"})
    assert moved.status_code == 422 and moved.json()["field"] == "end"
    updated = [e for e in await catalog.events() if e["type"] == "catalog.studio.updated"]
    assert len(updated) == 1 and updated[0]["payload"]["now"] is None


async def test_to_seconds_uses_the_studio_calendar(catalog: Catalog) -> None:
    studio = await make_studio(catalog)
    sid = studio["id"]
    assert await seconds(catalog, sid, "timing=10&unit=d&model=effort") == 324000
    assert await seconds(catalog, sid, "timing=1&unit=w&model=effort") == 162000
    assert await seconds(catalog, sid, "timing=1&unit=d&model=duration") == 86400
    assert await seconds(catalog, sid, "timing=1&unit=Day&model=LENGTH") == 32400
    assert await seconds(catalog, sid, "timing=1.5&unit=h") == 5400
    changed = await catalog.client.patch(
        f"/catalog/v1/studios/{sid}", json={"daily_working_hours": 8, "working_hours": WEEK_8_TO_16}
    )
    assert changed.json()["weekly_working_hours"] == 40.0
    assert await seconds(catalog, sid, "timing=1&unit=d&model=effort") == 28800
    assert await seconds(catalog, sid, "timing=1&unit=w&model=effort") == 144000
    assert await seconds(catalog, sid, "timing=1&unit=d&model=duration") == 86400
    bad_unit = await catalog.client.get(f"/catalog/v1/studios/{sid}/to-seconds?timing=1&unit=fortnight")
    assert bad_unit.status_code == 422 and bad_unit.json()["field"] == "unit"
    bad_model = await catalog.client.get(f"/catalog/v1/studios/{sid}/to-seconds?timing=1&model=guess")
    assert bad_model.status_code == 422 and bad_model.json()["field"] == "model"
    negative = await catalog.client.get(f"/catalog/v1/studios/{sid}/to-seconds?timing=-1")
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "query.timing"
    assert (await catalog.client.get("/catalog/v1/studios/999/to-seconds?timing=1")).status_code == 404
