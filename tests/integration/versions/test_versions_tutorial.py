"""Tutorial Part VI over HTTP: the commercial repository, the structure with the tutorial's template,
versions of comp under shot SH001 with the paths and numbers the tutorial prints, and the default folders."""

from __future__ import annotations

from support.versions import COMP, PROJECT, VersionsService, feed_the_commercial, set_up_storage


async def test_the_repository_gives_its_path_for_each_operating_system(versions: VersionsService) -> None:
    repository = await versions.post(
        "/versions/v1/repositories",
        {
            "name": "Commercial Repository",
            "code": "CR",
            "linux_path": "/mnt/M/commercials",
            "macos_path": "/Volumes/M/commercials",
            "windows_path": "M:\\commercials",  # reverse slashes are accepted
        },
    )
    assert (repository["linux_path"], repository["macos_path"], repository["windows_path"]) == (
        "/mnt/M/commercials/",
        "/Volumes/M/commercials/",
        "M:/commercials/",
    )
    rid = repository["id"]
    assert (repository["variable"], repository["code_variable"]) == (f"$REPO{rid}", "$REPOCR")
    paths = {}
    for os in ("linux", "macos", "windows"):
        answer = await versions.client.get(f"/versions/v1/repositories/{rid}/path?os={os}")
        paths[os] = answer.json()["path"]
    assert paths == {
        "linux": "/mnt/M/commercials/",
        "macos": "/Volumes/M/commercials/",
        "windows": "M:/commercials/",
    }


async def test_paths_convert_between_the_os_forms_and_the_portable_form(versions: VersionsService) -> None:
    rid = (
        await versions.post(
            "/versions/v1/repositories",
            {"name": "CR", "linux_path": "/mnt/M/commercials", "windows_path": "M:/commercials"},
        )
    )["id"]
    portable = await versions.post(
        "/versions/v1/paths/to-portable", {"path": "m:\\Commercials\\FC\\SH001\\comp\\a.nk"}, status=200
    )
    assert portable == {"path": f"$REPO{rid}/FC/SH001/comp/a.nk", "repository_id": rid}
    expanded = await versions.post(
        "/versions/v1/paths/expand?os=windows", {"path": "$REPOCR/FC/a.nk"}, status=200
    )
    assert expanded == {"path": "M:/commercials/FC/a.nk", "os": "windows", "repository_id": rid}
    owner = await versions.post(
        "/versions/v1/paths/repository", {"path": "/mnt/M/commercials/FC"}, status=200
    )
    assert owner["id"] == rid
    outside = await versions.client.post("/versions/v1/paths/to-portable", json={"path": "/srv/x"})
    assert outside.status_code == 404 and outside.json()["field"] == "path"
    no_macos = await versions.client.post(
        "/versions/v1/paths/expand?os=macos", json={"path": f"$REPO{rid}/x"}
    )
    assert no_macos.status_code == 409
    unknown = await versions.client.post("/versions/v1/paths/expand", json={"path": "$REPO999/x"})
    assert unknown.status_code == 404


async def test_part_vi_versions_of_comp_get_the_tutorials_paths_and_numbers(
    versions: VersionsService,
) -> None:
    await feed_the_commercial(versions)
    repository = await set_up_storage(versions)
    repo = f"$REPO{repository['id']}"

    vers1 = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    assert vers1["path"] == f"{repo}/FC/SH001/comp"
    assert vers1["filename"] == "SH001_comp_Main_v001"
    assert vers1["full_path"] == f"{repo}/FC/SH001/comp/SH001_comp_Main_v001"
    assert vers1["absolute_path"] == "/mnt/M/commercials/FC/SH001/comp"
    assert vers1["absolute_full_path"] == "/mnt/M/commercials/FC/SH001/comp/SH001_comp_Main_v001"
    assert vers1["version_number"] == 1 and vers1["take_name"] == "Main" and vers1["is_published"] is False
    assert vers1["created_by_id"] == 3

    for os, root in (("macos", "/Volumes/M/commercials"), ("windows", "M:/commercials")):
        seen = (await versions.client.get(f"/versions/v1/versions/{vers1['id']}?os={os}")).json()
        assert seen["absolute_path"] == f"{root}/FC/SH001/comp"
        assert seen["absolute_full_path"] == f"{root}/FC/SH001/comp/SH001_comp_Main_v001"

    vers2 = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    assert (vers2["version_number"], vers2["filename"]) == (2, "SH001_comp_Main_v002")
    vers3 = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    assert (vers3["version_number"], vers3["filename"]) == (3, "SH001_comp_Main_v003")

    listed = (await versions.client.get(f"/versions/v1/tasks/{COMP}/versions")).json()
    assert [v["filename"] for v in listed["items"]] == [
        "SH001_comp_Main_v001",
        "SH001_comp_Main_v002",
        "SH001_comp_Main_v003",
    ]
    assert listed["total"] == 3
    created = [e for e in await versions.events() if e["type"] == "versions.version.created"]
    assert [e["payload"]["version_number"] for e in created] == [1, 2, 3]
    assert created[0]["payload"]["full_path"] == vers1["full_path"]


async def test_an_extension_goes_on_the_filename_and_full_path(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    version = await versions.post(f"/versions/v1/tasks/{COMP}/versions?os=windows", {"extension": "nk"})
    assert version["filename"] == "SH001_comp_Main_v001.nk" and version["extension"] == ".nk"
    assert version["absolute_full_path"] == "M:/commercials/FC/SH001/comp/SH001_comp_Main_v001.nk"


async def test_publishing_is_an_event_and_latest_published_follows_it(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    ids = [(await versions.post(f"/versions/v1/tasks/{COMP}/versions", {}))["id"] for _ in range(3)]
    missing = await versions.client.get(f"/versions/v1/tasks/{COMP}/versions/latest-published")
    assert missing.status_code == 404

    published = await versions.client.patch(f"/versions/v1/versions/{ids[1]}", json={"is_published": True})
    assert published.status_code == 200 and published.json()["is_published"] is True
    again = await versions.client.patch(f"/versions/v1/versions/{ids[1]}", json={"is_published": True})
    assert again.status_code == 200

    latest = (await versions.client.get(f"/versions/v1/tasks/{COMP}/versions/latest")).json()
    latest_published = (
        await versions.client.get(f"/versions/v1/tasks/{COMP}/versions/latest-published")
    ).json()
    assert (latest["version_number"], latest_published["version_number"]) == (3, 2)
    published_events = [e for e in await versions.events() if e["type"] == "versions.version.published"]
    assert len(published_events) == 1  # publishing twice is one event
    assert published_events[0]["payload"]["id"] == ids[1]
    assert published_events[0]["payload"]["published_by_id"] == 3


async def test_takes_are_numbered_apart(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    main = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    alt = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {"take_name": "Alt"})
    assert (main["version_number"], alt["version_number"]) == (1, 1)
    assert alt["filename"] == "SH001_comp_Alt_v001"
    only_alt = (await versions.client.get(f"/versions/v1/tasks/{COMP}/versions?take_name=Alt")).json()
    assert [v["id"] for v in only_alt["items"]] == [alt["id"]]


async def test_the_structure_gives_the_default_folders_for_each_os(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    linux = (await versions.client.get(f"/versions/v1/projects/{PROJECT}/directories?os=linux")).json()
    assert linux["root"] == "/mnt/M/commercials/FC"
    assert linux["directories"] == [
        "/mnt/M/commercials/FC/Temp",
        "/mnt/M/commercials/FC/References",
        "/mnt/M/commercials/FC/References/Movies",
        "/mnt/M/commercials/FC/References/Images",
    ]
    windows = (await versions.client.get(f"/versions/v1/projects/{PROJECT}/directories?os=windows")).json()
    assert windows["directories"][0] == "M:/commercials/FC/Temp"


async def test_versions_link_to_a_parent_inputs_and_outputs(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    plate = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {"take_name": "Plate"})
    first = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {"input_ids": [plate["id"]]})
    second = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {"parent_id": first["id"]})
    assert first["input_ids"] == [plate["id"]] and second["parent_id"] == first["id"]
    render = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {"take_name": "Render"})
    linked = await versions.client.patch(
        f"/versions/v1/versions/{second['id']}", json={"output_ids": [render["id"]]}
    )
    assert linked.json()["output_ids"] == [render["id"]]
    itself = await versions.client.patch(
        f"/versions/v1/versions/{second['id']}", json={"input_ids": [second["id"]]}
    )
    assert itself.status_code == 422 and itself.json()["field"] == "input_ids"
