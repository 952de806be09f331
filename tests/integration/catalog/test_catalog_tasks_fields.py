"""The rules of a task's fields with the problem details a client receives: units, models, strategies,
targets, time zones, read-only fields, priority, milestones, kinds, shot codes, cuts and formats."""

from __future__ import annotations

from typing import Any

import pytest

from support.catalog import API, Catalog, ok, problem, project, task


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"schedule_unit": "fortnight"}, "schedule_unit"),
        ({"schedule_model": "magic"}, "schedule_model"),
        ({"schedule_constraint": "sometimes"}, "schedule_constraint"),
        ({"allocation_strategy": "greedy"}, "allocation_strategy"),
        ({"bid_unit": "decade"}, "bid_unit"),
        ({"depends": [{"depends_on_id": 1, "target": "onmiddle"}]}, "depends.target"),
        ({"depends": [{"depends_on_id": 1, "gap_unit": "s"}]}, "depends.gap_unit"),
        ({"depends": [{"depends_on_id": 1, "gap_model": "effort"}]}, "depends.gap_model"),
    ],
)
async def test_unknown_units_models_strategies_and_targets_name_the_field(
    catalog: Catalog, body: dict[str, Any], field: str
) -> None:
    client = catalog.client
    pid = await project(client)
    await task(client, name="Other", project_id=pid)
    refused = await problem(
        await client.post(f"{API}/tasks", json={"name": "T", "project_id": pid, **body}), 422
    )
    assert refused["field"] == field and "must be" in refused["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"schedule_timing": 11, "schedule_unit": "y"}, "schedule_timing"),
        ({"schedule_timing": 87_601, "schedule_unit": "h"}, "schedule_timing"),
        ({"bid_timing": 521, "bid_unit": "w"}, "bid_timing"),
        ({"depends": [{"depends_on_id": 0, "gap_timing": 3651, "gap_unit": "d"}]}, "depends.gap_timing"),
    ],
)
async def test_a_timing_longer_than_ten_years_in_its_unit_is_refused(
    catalog: Catalog, body: dict[str, Any], field: str
) -> None:
    client = catalog.client
    pid = await project(client)
    other = await task(client, name="Other", project_id=pid)
    for dependency in body.get("depends", []):
        dependency["depends_on_id"] = other["id"]
    refused = await problem(
        await client.post(f"{API}/tasks", json={"name": "T", "project_id": pid, **body}), 422
    )
    assert refused["field"] == field and "longer than 10 years" in refused["detail"]
    # Ten years is allowed; a unit changed alone is checked against the timing it leaves.
    made = await task(client, name="Long", project_id=pid, schedule_timing=10, schedule_unit="y")
    assert (made["schedule_timing"], made["schedule_unit"]) == (10.0, "y")
    short = await task(client, name="Short", project_id=pid, schedule_timing=100, schedule_unit="h")
    refused = await problem(
        await client.patch(f"{API}/tasks/{short['id']}", json={"schedule_unit": "y"}), 422
    )
    assert refused["field"] == "schedule_timing"


async def test_units_and_names_are_read_case_insensitively(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    made = await task(
        client, name="T", project_id=pid, schedule_unit="Day", schedule_model="LENGTH", schedule_constraint=3
    )
    assert (made["schedule_unit"], made["schedule_model"], made["schedule_constraint"]) == (
        "d",
        "length",
        "both",
    )
    assert made["bid_unit"] == "d" and made["bid_timing"] == 1.0  # the bid defaults to the schedule


async def test_dates_need_a_time_zone_and_server_fields_are_read_only(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    naive = await problem(
        await client.post(
            f"{API}/tasks", json={"name": "T", "project_id": pid, "start": "2025-01-06T09:00:00"}
        ),
        422,
    )
    assert [e["field"] for e in naive["errors"]] == ["start"]
    made = await task(
        client, name="T", project_id=pid, start="2025-01-06T09:00:00+03:00", end="2025-01-07T09:00:00Z"
    )
    assert made["start"] == "2025-01-06T06:00:00Z"
    backwards = await problem(
        await client.patch(f"{API}/tasks/{made['id']}", json={"end": "2025-01-01T00:00:00Z"}), 422
    )
    assert backwards["field"] == "end"
    for field, value in (
        ("computed_start", "2025-01-06T09:00:00Z"),
        ("computed_resource_ids", []),
        ("status", "CMPL"),
    ):
        refused = await problem(await client.patch(f"{API}/tasks/{made['id']}", json={field: value}), 422)
        assert refused["errors"][0]["field"] == field and refused["errors"][0]["type"] == "extra_forbidden"


async def test_priority_is_clamped_and_a_milestone_has_no_resources(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    me = await ok(
        await client.post(
            f"{API}/users", json={"name": "Me", "login": "me", "email": "me@x.com", "password": "Tr0ub4dor&3"}
        ),
        201,
    )
    high = await task(client, name="High", project_id=pid, priority=5000, resource_ids=[me["id"]])
    assert high["priority"] == 1000 and high["resource_ids"] == [me["id"]]
    assert (await task(client, name="Low", project_id=pid, priority=-3))["priority"] == 0
    reset = await ok(
        await client.patch(f"{API}/tasks/{high['id']}", json={"priority": None, "is_milestone": True})
    )
    assert reset["priority"] == 500 and reset["is_milestone"] and reset["resource_ids"] == []
    milestone = await task(
        client, name="Delivery", project_id=pid, is_milestone=True, resource_ids=[me["id"]]
    )
    assert milestone["resource_ids"] == []
    unknown = await problem(
        await client.post(f"{API}/tasks", json={"name": "T", "project_id": pid, "resource_ids": [999]}), 404
    )
    assert unknown["field"] == "resource_ids" and "999" in unknown["detail"]


async def test_kinds_need_their_fields(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    untyped = await problem(
        await client.post(f"{API}/assets", json={"name": "Hero", "code": "HERO", "project_id": pid}), 422
    )
    assert untyped["errors"][0]["field"] == "type_id"
    generic = await problem(
        await client.post(
            f"{API}/tasks", json={"kind": "asset", "name": "Hero", "code": "HERO", "project_id": pid}
        ),
        422,
    )
    assert generic["field"] == "type_id"
    character = await ok(
        await client.post(f"{API}/types", json={"name": "Character", "target_entity_type": "Asset"}), 201
    )
    hero = await ok(
        await client.post(
            f"{API}/assets",
            json={"name": "Hero", "code": "HERO", "project_id": pid, "type_id": character["id"]},
        ),
        201,
    )
    assert hero["kind"] == "asset" and hero["type_id"] == character["id"]
    no_code = await problem(
        await client.post(f"{API}/tasks", json={"kind": "sequence", "name": "S", "project_id": pid}), 422
    )
    assert no_code["field"] == "code"
    not_a_shot = await problem(
        await client.post(f"{API}/tasks", json={"name": "T", "project_id": pid, "cut_in": 5}), 422
    )
    assert not_a_shot["field"] == "cut_in"
    assert (await client.get(f"{API}/shots/{hero['id']}")).status_code == 404  # an asset is not a shot
    nowhere = await problem(await client.post(f"{API}/tasks", json={"name": "T"}), 422)
    assert nowhere["field"] == "project_id"


async def test_shot_codes_are_unique_per_project(catalog: Catalog) -> None:
    client = catalog.client
    fc, other = await project(client), await project(client, "OTHER")
    sh001 = await ok(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": fc}), 201)
    again = await problem(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": fc}), 409)
    assert again["field"] == "code" and "SH001" in again["detail"] and str(sh001["id"]) in again["detail"]
    await ok(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": other}), 201)
    sh002 = await ok(await client.post(f"{API}/shots", json={"code": "SH002", "project_id": fc}), 201)
    renamed = await problem(await client.patch(f"{API}/shots/{sh002['id']}", json={"code": "SH001"}), 409)
    assert renamed["field"] == "code"


async def test_shot_cuts_drag_and_formats_default_to_the_project(catalog: Catalog) -> None:
    client = catalog.client
    hd = await ok(
        await client.post(f"{API}/image-formats", json={"name": "HD", "width": 1920, "height": 1080}), 201
    )
    uhd = await ok(
        await client.post(f"{API}/image-formats", json={"name": "UHD", "width": 3840, "height": 2160}), 201
    )
    pid = await project(client, image_format_id=hd["id"], fps=24)
    shot = await ok(
        await client.post(f"{API}/shots", json={"code": "SH010", "project_id": pid, "cut_in": 10}), 201
    )
    assert (shot["cut_in"], shot["cut_out"], shot["cut_duration"]) == (10, 10, 1)  # cut_out dragged along
    shot = await ok(await client.patch(f"{API}/shots/{shot['id']}", json={"cut_out": 5}))
    assert (shot["cut_in"], shot["cut_out"]) == (5, 5)
    assert (shot["image_format_id"], shot["fps"]) == (hd["id"], 24.0)
    shot = await ok(
        await client.patch(f"{API}/shots/{shot['id']}", json={"image_format_id": uhd["id"], "fps": 50})
    )
    assert (shot["image_format_id"], shot["fps"]) == (uhd["id"], 50.0)
    bad = await problem(await client.patch(f"{API}/shots/{shot['id']}", json={"image_format_id": 999}), 404)
    assert bad["field"] == "image_format_id"
