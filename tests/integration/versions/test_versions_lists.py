"""Every list of the versions service takes the catalog's query language (stalker_shared.listing):
filters (`f=v`, `f__in=a,b`, `f__contains=text`), `sort`, `fields`, `limit` and `offset` with the total,
and a 422 naming an unknown filter; on PostgreSQL and on SQLite."""

from __future__ import annotations

from typing import Any

import pytest

from support.versions import (
    COMP,
    TUTORIAL_FILENAME,
    TUTORIAL_PATH,
    VersionsService,
    feed_the_commercial,
    set_up_storage,
)

V = "/versions/v1"


def repository(name: str, code: str) -> dict[str, Any]:
    return {"name": name, "code": code, "linux_path": f"/mnt/{code}"}


def template(name: str, kind: str) -> dict[str, Any]:
    return {"name": name, "target_entity_type": kind, "path": TUTORIAL_PATH, "filename": TUTORIAL_FILENAME}


def structure(name: str, _: str) -> dict[str, Any]:
    return {"name": name, "custom_template": "Temp"}


# (list, body factory, the field its second argument sets, that field's three values)
STUDIO_LISTS = [
    ("repositories", repository, "code", ("Alpha", "Beta", "Gamma")),
    ("filename-templates", template, "target_entity_type", ("Task", "Shot", "Asset")),
    ("structures", structure, "custom_template", ("Temp", "Temp", "Temp")),
]


async def items(service: VersionsService, url: str, **params: Any) -> dict[str, Any]:
    response = await service.client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def refused(service: VersionsService, url: str, **params: Any) -> dict[str, Any]:
    response = await service.client.get(url, params=params)
    assert response.status_code == 422, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("kind", "body", "field", "values"), STUDIO_LISTS, ids=[k for k, *_ in STUDIO_LISTS])
async def test_studio_lists_filter_sort_choose_fields_and_page(
    service: VersionsService, kind: str, body: Any, field: str, values: tuple[str, str, str]
) -> None:
    url = f"{V}/{kind}"
    names = ("Alpha one", "Beta two", "Gamma three")
    made = [await service.post(url, body(n, v)) for n, v in zip(names, values, strict=True)]
    ids = [m["id"] for m in made]

    assert [i["id"] for i in (await items(service, url, name="Beta two"))["items"]] == [ids[1]]
    both = await items(service, url, name__in="Alpha one,Gamma three")
    assert ([i["id"] for i in both["items"]], both["total"]) == ([ids[0], ids[2]], 2)
    assert [i["id"] for i in (await items(service, url, name__contains="TWO"))["items"]] == [ids[1]]
    assert [i["id"] for i in (await items(service, url, id=ids[2]))["items"]] == [ids[2]]
    by_field = await items(service, url, **{field: values[0]})
    assert ids[0] in [i["id"] for i in by_field["items"]]
    assert [i["id"] for i in (await items(service, url, sort="-id"))["items"]] == ids[::-1]

    chosen = await items(service, url, fields="id,name", sort="name")
    assert chosen["items"] == [{"id": i, "name": n} for i, n in zip(ids, names, strict=True)]
    page = await items(service, url, limit=1, offset=1)
    assert ([i["id"] for i in page["items"]], page["total"], page["limit"], page["offset"]) == (
        [ids[1]],
        3,
        1,
        1,
    )

    unknown = await refused(service, url, colour="red")
    assert unknown["field"] == "colour" and "cannot filter by 'colour'" in unknown["detail"]
    assert (await refused(service, url, sort="colour"))["field"] == "sort"
    assert (await refused(service, url, fields="id,colour"))["field"] == "fields"
    assert (await refused(service, url, id="one"))["field"] == "id"


async def test_a_tasks_versions_filter_sort_choose_fields_and_page(service: VersionsService) -> None:
    await feed_the_commercial(service)
    await set_up_storage(service)
    url = f"{V}/tasks/{COMP}/versions"
    main = [await service.post(url, {}) for _ in range(3)]
    alt = [await service.post(url, {"take_name": "Alt", "extension": "nk"}) for _ in range(2)]
    published = await service.client.patch(f"{V}/versions/{main[1]['id']}", json={"is_published": True})
    assert published.status_code == 200, published.text

    everything = await items(service, url)
    # By take, then number: Alt 1, 2, then Main 1, 2, 3.
    assert [v["id"] for v in everything["items"]] == [v["id"] for v in alt + main]
    assert everything["total"] == 5
    takes = await items(service, url, take_name="Alt")  # the take query parameter, as before
    assert ([v["id"] for v in takes["items"]], takes["total"]) == ([v["id"] for v in alt], 2)
    numbers = await items(service, url, take_name="Main", version_number__in="1,3")
    assert [v["version_number"] for v in numbers["items"]] == [1, 3]
    assert [v["id"] for v in (await items(service, url, is_published="true"))["items"]] == [main[1]["id"]]
    assert (await items(service, url, filename__contains="_ALT_"))["total"] == 2
    assert (await items(service, url, take_name__contains="ai"))["total"] == 3
    assert (await items(service, url, parent_id="null"))["total"] == 5
    newest = await items(service, url, sort="-id", limit=2)
    assert ([v["id"] for v in newest["items"]], newest["total"]) == ([alt[1]["id"], alt[0]["id"]], 5)
    page = await items(service, url, limit=2, offset=2)
    assert ([v["id"] for v in page["items"]], page["total"]) == ([main[0]["id"], main[1]["id"]], 5)

    # `os` shapes the paths and is not a filter.
    windows = await items(service, url, os="windows", take_name="Main", fields="id,os,absolute_path")
    assert windows["items"][0] == {
        "id": main[0]["id"],
        "os": "windows",
        "absolute_path": "M:/commercials/FC/SH001/comp",
    }
    assert (await refused(service, url, os="beos"))["errors"][0]["field"] == "query.os"
    assert (await refused(service, url, os__in="linux"))["field"] == "os"
    unknown = await refused(service, url, colour="red")
    assert unknown["field"] == "colour" and "cannot filter by 'colour'" in unknown["detail"]
    assert (await refused(service, url, is_published="maybe"))["field"] == "is_published"
