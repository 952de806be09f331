"""The reference's status workflow, replayed step by step over HTTP in both modes: the 36-step transition
log of ../shared/reference/stalker.md §3.8.5 (the tutorial's SH001 tasks; the shot's responsible is sup1,
comp's are sup1 and sup2), each step checked for every status, timing and dependency target it shows.

Step 35 (a status written directly) has no counterpart: the status is the workflow's alone here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from stalker_catalog.db.models import Task
from stalker_catalog.db.version_mirror import remember_version

from support.catalog import API, Catalog, ok, problem, project, task

DAY = "2025-01-{:02d}T{:02d}:00:00Z"


def at(day: int, hour: int) -> str:
    return DAY.format(day, hour)


class Show:
    def __init__(self, service: Catalog) -> None:
        self.service = service
        self.client = service.client
        self.ids: dict[str, int] = {}  # tasks
        self.users: dict[str, int] = {}
        self.headers: dict[str, dict[str, str]] = {}

    async def user(self, login: str, role_id: int, project_id: int) -> int:
        body = {"name": login, "login": login, "email": f"{login}@x.com", "password": "Tr0ub4dor&3"}
        user_id = int((await ok(await self.client.post(f"{API}/users", json=body), 201))["id"])
        member = {"user_id": user_id, "role_id": role_id}
        await ok(await self.client.post(f"{API}/projects/{project_id}/users", json=member), 201)
        self.headers[login] = await self.service.token_for(login)
        return user_id

    async def statuses(self) -> dict[str, str]:
        found = {}
        for name in ("SH001", "Previs", "Matchmove", "Animation", "Lighting", "comp"):
            found[name] = (await ok(await self.client.get(f"{API}/tasks/{self.ids[name]}")))["status"]
        return found

    async def expect(self, **statuses: str) -> None:
        found = await self.statuses()
        assert {k: found[k] for k in statuses} == statuses, found

    async def targets(self) -> dict[str, str]:
        found = {}
        for name in ("Animation", "Lighting", "comp"):
            for dependency in await ok(await self.client.get(f"{API}/tasks/{self.ids[name]}/dependencies")):
                other = next(k for k, v in self.ids.items() if v == dependency["depends_on_id"])
                found[f"{name}->{other}"] = dependency["target"]
        return found

    async def get(self, name: str) -> dict[str, Any]:
        return dict(await ok(await self.client.get(f"{API}/tasks/{self.ids[name]}")))

    def log(self, name: str, start: str, end: str, who: str = "me") -> Any:
        body = {"task_id": self.ids[name], "start": start, "end": end}
        return self.client.post(f"{API}/time-logs", json=body, headers=self.headers[who])

    def act(self, name: str, action: str, body: dict[str, Any] | None = None, who: str = "sup1") -> Any:
        path = f"{API}/tasks/{self.ids[name]}/{action}"
        return self.client.post(path, json=body or {}, headers=self.headers[who])

    async def review_and_approve(self, name: str) -> dict[str, Any]:
        made = await ok(await self.act(name, "request-review", who="me"))
        for review in made["reviews"]:
            reviewer = next(k for k, v in self.users.items() if v == review["reviewer_id"])
            result = await ok(
                await self.client.post(
                    f"{API}/reviews/{review['id']}/approve", json={}, headers=self.headers[reviewer]
                )
            )
        return dict(result)


async def build(service: Catalog) -> Show:
    show = Show(service)
    client = service.client
    roles = {r["access"]: r["id"] for r in (await ok(await client.get(f"{API}/roles")))["items"]}
    project_id = await project(client, "WF")
    for login, role in (("me", "artist"), ("sup1", "lead"), ("sup2", "lead")):
        show.users[login] = await show.user(login, roles[role], project_id)
    shot = await ok(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": project_id}), 201)
    show.ids["SH001"] = shot["id"]
    timings = {"Previs": (10, "d"), "Matchmove": (2, "d"), "Animation": (5, "d"), "Lighting": (3, "d")}
    timings["comp"] = (6, "h")
    for name, (timing, unit) in timings.items():
        body = {"name": name, "parent_id": shot["id"], "resource_ids": [show.users["me"]]}
        made = await task(client, **body, schedule_timing=timing, schedule_unit=unit)
        show.ids[name] = made["id"]
    for name, depends in (
        ("comp", ["Lighting"]),
        ("Lighting", ["Animation"]),
        ("Animation", ["Previs", "Matchmove"]),
    ):
        body = {"depends": [{"depends_on_id": show.ids[d]} for d in depends]}
        await ok(await client.put(f"{API}/tasks/{show.ids[name]}/dependencies", json=body))
    await ok(
        await client.put(f"{API}/tasks/{shot['id']}/responsible", json={"user_ids": [show.users["sup1"]]})
    )
    both = {"user_ids": [show.users["sup1"], show.users["sup2"]]}
    await ok(await client.put(f"{API}/tasks/{show.ids['comp']}/responsible", json=both))
    # Previs's planned dates, which step 15's dependency check reads.
    dates = {"start": at(6, 9), "end": at(10, 18)}
    await ok(await client.patch(f"{API}/tasks/{show.ids['Previs']}", json=dates))
    return show


async def test_the_reference_transition_log_step_by_step(service: Catalog) -> None:
    show = await build(service)
    client = show.client

    # 00 initial
    assert (await show.get("comp"))["responsible_ids"] == sorted([show.users["sup1"], show.users["sup2"]])
    await show.expect(SH001="RTS", Previs="RTS", Matchmove="RTS", Animation="WFD", Lighting="WFD", comp="WFD")
    assert await show.targets() == {
        "Animation->Previs": "onend",
        "Animation->Matchmove": "onend",
        "Lighting->Animation": "onend",
        "comp->Lighting": "onend",
    }
    # 01 a time log on a WFD task
    refused = await problem(await show.log("Animation", at(6, 9), at(6, 10)), 409)
    assert (
        refused["task_status"] == "WFD"
        and "WFD" in refused["detail"]
        and refused["allowed_statuses"] == ["RTS", "WIP", "PREV", "HREV", "DREV"]
    )
    # 02 a time log on a container
    refused = await problem(await show.log("SH001", at(6, 9), at(6, 10)), 422)
    assert "container" in refused["detail"] and refused["field"] == "task_id"
    # 03 Previs 6th 09-13
    await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    await show.expect(SH001="WIP", Previs="WIP", Matchmove="RTS", Animation="WFD", Lighting="WFD", comp="WFD")
    # 04 an overlapping log of the same resource
    refused = await problem(await show.log("Matchmove", at(6, 12), at(6, 14)), 409)
    assert refused["other_start"].startswith("2025-01-06T09:00") and refused["field"] == "start"
    # 05 the dependencies of a WIP task cannot change
    body = {"depends": [{"depends_on_id": show.ids["Matchmove"]}]}
    refused = await problem(
        await client.put(f"{API}/tasks/{show.ids['Previs']}/dependencies", json=body), 409
    )
    assert "WIP" in refused["detail"]
    # 06b a dependency loop
    body = {"depends_on_id": show.ids["comp"]}
    await problem(await client.post(f"{API}/tasks/{show.ids['Matchmove']}/dependencies", json=body), 409)
    # 07 a review of an RTS task
    refused = await problem(await show.act("Matchmove", "request-review", who="me"), 409)
    assert (
        refused["task_status"] == "RTS"
        and "RTS" in refused["detail"]
        and refused["allowed_statuses"] == ["WIP"]
    )
    # 08 Previs asks for a review: sup1's, inherited from the shot
    made = await ok(await show.act("Previs", "request-review", who="me"))
    assert [(r["reviewer_id"], r["status"], r["review_number"]) for r in made["reviews"]] == [
        (show.users["sup1"], "NEW", 1)
    ]
    await show.expect(Previs="PREV")
    # 09 a log on a PREV task is accepted and leaves it PREV
    await ok(await show.log("Previs", at(6, 13), at(6, 14)), 201)
    await show.expect(Previs="PREV")
    # 10 approved: CMPL, the timing clamped to the 5 h logged, the round counted
    review_id = made["reviews"][0]["id"]
    result = await ok(
        await client.post(f"{API}/reviews/{review_id}/approve", json={}, headers=show.headers["sup1"])
    )
    previs = result["task"]
    assert (previs["status"], previs["schedule_timing"], previs["schedule_unit"]) == ("CMPL", 5.0, "h")
    # 11 no log on a CMPL task
    await problem(await show.log("Previs", at(7, 9), at(7, 10)), 409)
    # 12-14 Matchmove logged, reviewed, approved
    await ok(await show.log("Matchmove", at(7, 9), at(7, 13)), 201)
    await show.review_and_approve("Matchmove")
    await show.expect(
        SH001="WIP", Previs="CMPL", Matchmove="CMPL", Animation="RTS", Lighting="WFD", comp="WFD"
    )
    # 15 Animation logged before Previs's end
    refused = await problem(await show.log("Animation", at(8, 9), at(8, 10)), 409)
    assert refused["earliest_start"].startswith("2025-01-10T18:00") and refused["field"] == "start"
    # 16 after it
    await ok(await show.log("Animation", at(13, 9), at(13, 11)), 201)
    await show.expect(Animation="WIP")
    # 17 a revision of the CMPL Previs, 2 h more
    result = await ok(
        await show.act("Previs", "request-revision", {"schedule_timing": 2, "schedule_unit": "h"})
    )
    await show.expect(
        SH001="WIP", Previs="HREV", Matchmove="CMPL", Animation="DREV", Lighting="WFD", comp="WFD"
    )
    assert (result["task"]["schedule_timing"], result["task"]["schedule_unit"]) == (7.0, "h")
    assert await show.targets() == {
        "Animation->Matchmove": "onend",
        "Animation->Previs": "onstart",
        "Lighting->Animation": "onstart",
        "comp->Lighting": "onend",
    }
    # 18 hold the DREV Animation: OH, priority 0
    held = await ok(await show.act("Animation", "hold"))
    assert (held["task"]["status"], held["task"]["priority"]) == ("OH", 0)
    # 19 resume: DREV again, the priority stays 0
    resumed = await ok(await show.act("Animation", "resume"))
    assert (resumed["task"]["status"], resumed["task"]["priority"]) == ("DREV", 0)
    # 20 a log on the HREV Previs: WIP
    await ok(await show.log("Previs", at(13, 13), at(13, 14)), 201)
    await show.expect(Previs="WIP")
    # 21-22 Previs reviewed and approved: Animation HREV, the targets stay onstart
    await show.review_and_approve("Previs")
    await show.expect(
        SH001="WIP", Previs="CMPL", Matchmove="CMPL", Animation="HREV", Lighting="WFD", comp="WFD"
    )
    assert (await show.targets())["Animation->Previs"] == "onstart"
    # 23 an HREV task cannot be held
    refused = await problem(await show.act("Animation", "hold"), 409)
    assert "HREV" in refused["detail"] and refused["allowed_statuses"] == ["WIP", "DREV", "OH"]
    # 24 a log on Animation: WIP
    await ok(await show.log("Animation", at(13, 11), at(13, 12)), 201)
    await show.expect(Animation="WIP")
    # 25 stop: STOP, its timing the 3 h logged; Lighting can start
    stopped = await ok(await show.act("Animation", "stop"))
    assert (stopped["task"]["schedule_timing"], stopped["task"]["schedule_unit"]) == (3.0, "h")
    await show.expect(Animation="STOP", Lighting="RTS")
    # 26 resume the STOP Animation: WIP (it has logs); Lighting is not reverted
    await ok(await show.act("Animation", "resume"))
    await show.expect(Animation="WIP", Lighting="RTS")
    # 27 stop again
    await ok(await show.act("Animation", "stop"))
    await show.expect(Animation="STOP")
    # 28-30 Lighting logged, reviewed, approved: comp can start
    await ok(await show.log("Lighting", at(14, 9), at(14, 10)), 201)
    await show.review_and_approve("Lighting")
    await show.expect(Lighting="CMPL", comp="RTS")
    # 31-32 comp logged, asks for a review: one per responsible
    await ok(await show.log("comp", at(14, 10), at(14, 16)), 201)
    made = await ok(await show.act("comp", "request-review", who="me"))
    assert sorted((r["reviewer_id"], r["status"], r["review_number"]) for r in made["reviews"]) == [
        (show.users["sup1"], "NEW", 1),
        (show.users["sup2"], "NEW", 1),
    ]
    await show.expect(comp="PREV")
    by_reviewer = {r["reviewer_id"]: r["id"] for r in made["reviews"]}
    # 33 sup1 approves: the round is not over
    path = f"{API}/reviews/{by_reviewer[show.users['sup1']]}/approve"
    await ok(await client.post(path, json={}, headers=show.headers["sup1"]))
    await show.expect(comp="PREV")
    # 34 sup2 asks for 3 h more: HREV, 6 h logged + 3 h = 9 h = one working day
    path = f"{API}/reviews/{by_reviewer[show.users['sup2']]}/request-revision"
    body = {"schedule_timing": 3, "schedule_unit": "h", "description": "the edges flicker"}
    result = await ok(await client.post(path, json=body, headers=show.headers["sup2"]))
    comp = result["task"]
    assert (comp["status"], comp["schedule_timing"], comp["schedule_unit"]) == ("HREV", 1.0, "d")
    # 36 a new task depending on the CMPL Matchmove starts RTS
    new = await task(client, name="Roto", parent_id=show.ids["SH001"], depends=[show.ids["Matchmove"]])
    assert new["status"] == "RTS"


async def test_every_move_is_an_event_and_the_tasks_state_follows(service: Catalog) -> None:
    show = await build(service)
    await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    events = await service.events()
    moved = [e["payload"] for e in events if e["type"] == "catalog.task_status.changed"]
    moved = [m for m in moved if m["action"] == "time_log"]  # building the show moved some too
    assert all(m["task_revision"] >= 2 for m in moved)
    assert {(m["task_id"], m["from_status"], m["to_status"], m["action"]) for m in moved} == {
        (show.ids["Previs"], "RTS", "WIP", "time_log"),
        (show.ids["SH001"], "RTS", "WIP", "time_log"),
    }
    logged = [e["payload"] for e in events if e["type"] == "catalog.time_log.created"]
    assert [(p["task_id"], p["resource_id"]) for p in logged] == [(show.ids["Previs"], show.users["me"])]
    updated = [e["payload"] for e in events if e["type"] == "catalog.task.updated"]
    assert {(u["id"], u["status"]) for u in updated[-2:]} == {
        (show.ids["Previs"], "WIP"),
        (show.ids["SH001"], "WIP"),
    }


async def test_an_artist_logs_only_their_own_time_and_a_lead_anyones(service: Catalog) -> None:
    show = await build(service)
    client = show.client
    body = {
        "task_id": show.ids["Previs"],
        "resource_id": show.users["me"],
        "start": at(6, 9),
        "end": at(6, 10),
    }
    refused = await problem(
        await client.post(
            f"{API}/time-logs", json={**body, "resource_id": show.users["sup1"]}, headers=show.headers["me"]
        ),
        403,
    )
    assert refused["operation"] == "time_log.write.any"
    logged = await ok(await client.post(f"{API}/time-logs", json=body, headers=show.headers["sup1"]), 201)
    assert logged["resource_id"] == show.users["me"] and logged["seconds"] == 3600
    # sup1 is no resource of Previs: a log of theirs names them and the task
    refused = await problem(
        await client.post(
            f"{API}/time-logs",
            json={**body, "resource_id": show.users["sup1"], "start": at(6, 10), "end": at(6, 11)},
            headers=show.headers["sup1"],
        ),
        422,
    )
    assert refused["field"] == "resource_id" and "Previs" in refused["detail"]


async def test_an_enclosing_log_is_refused_like_an_overlapping_one(service: Catalog) -> None:
    show = await build(service)
    await ok(await show.log("Previs", at(6, 10), at(6, 11)), 201)
    refused = await problem(await show.log("Matchmove", at(6, 9), at(6, 12)), 409)
    assert refused["other_start"].startswith("2025-01-06T10:00")
    await ok(await show.log("Matchmove", at(6, 11), at(6, 12)), 201)  # touching is fine


async def test_editing_and_deleting_a_log_keeps_the_logged_total(
    service: Catalog,
) -> None:
    show = await build(service)
    client = show.client
    log = await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    changed = await ok(
        await client.patch(
            f"{API}/time-logs/{log['id']}", json={"end": at(6, 11)}, headers=show.headers["me"]
        )
    )
    assert changed["seconds"] == 7200
    progress = await show.get("Previs")
    assert progress["total_logged_seconds"] == 7200
    response = await client.delete(f"{API}/time-logs/{log['id']}", headers=show.headers["me"])
    assert response.status_code == 204, response.text
    assert (await show.get("Previs"))["total_logged_seconds"] == 0


async def test_non_members_see_no_time_log_or_review(service: Catalog) -> None:
    show = await build(service)
    log = await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    body = {"name": "out", "login": "out", "email": "out@x.com", "password": "Tr0ub4dor&3"}
    await ok(await show.client.post(f"{API}/users", json=body), 201)
    outsider = await show.service.token_for("out")
    await problem(await show.client.get(f"{API}/time-logs/{log['id']}", headers=outsider), 404)
    listed = await ok(await show.client.get(f"{API}/time-logs", headers=outsider))
    assert listed["items"] == []
    await problem(
        await show.client.post(f"{API}/tasks/{show.ids['Previs']}/hold", json={}, headers=outsider), 404
    )


async def test_progress_figures_are_the_references_on_the_tutorial_shot(service: Catalog) -> None:
    """Reference §3.6, ran: Previs (10 d effort) with 4 h logged is 4.444 % done, SH001 2.151 %."""
    show = await build(service)
    await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    previs, shot = await show.get("Previs"), await show.get("SH001")
    assert (previs["schedule_seconds"], previs["total_logged_seconds"]) == (324000, 14400)
    assert previs["remaining_seconds"] == 309600 and round(previs["percent_complete"], 3) == 4.444
    assert (shot["schedule_seconds"], shot["total_logged_seconds"]) == (669600, 14400)
    assert round(shot["percent_complete"], 3) == 2.151
    listed = await ok(
        await show.client.get(f"{API}/tasks", params={"id__in": f"{show.ids['SH001']},{show.ids['Previs']}"})
    )
    assert {t["id"]: t["total_logged_seconds"] for t in listed["items"]} == {
        show.ids["SH001"]: 14400,
        show.ids["Previs"]: 14400,
    }
    project_id = previs["project_id"]
    progress = await ok(await show.client.get(f"{API}/projects/{project_id}/progress"))
    assert (progress["schedule_seconds"], progress["total_logged_seconds"]) == (669600, 14400)


async def test_a_users_tasks_week_and_the_review_inbox(service: Catalog) -> None:
    show = await build(service)
    client = show.client
    me, sup1 = show.users["me"], show.users["sup1"]
    mine = await ok(await client.get(f"{API}/users/{me}/tasks", params={"as": "resource", "status": "RTS"}))
    assert sorted(t["name"] for t in mine["items"]) == ["Matchmove", "Previs"]
    responsible = await ok(await client.get(f"{API}/users/{sup1}/tasks", params={"as": "responsible"}))
    assert sorted(t["name"] for t in responsible["items"]) == ["SH001", "comp"]
    windowed = await ok(
        await client.get(
            f"{API}/users/{me}/tasks", params={"window_start": at(11, 0), "window_end": at(12, 0)}
        )
    )
    assert windowed["items"] == []  # Previs, the only one with dates, ends on the 10th
    await problem(await client.get(f"{API}/users/{me}/tasks", params={"as": "boss"}), 422)

    await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    await ok(await show.log("Matchmove", "2025-01-07T22:00:00Z", "2025-01-08T01:00:00Z"), 201)
    sheet = await ok(await client.get(f"{API}/users/{me}/time-sheet", params={"week": "2025-01-08"}))
    assert [d["seconds"] for d in sheet["days"]] == [14400, 7200, 3600, 0, 0, 0, 0]
    assert sheet["days"][0]["date"] == "2025-01-06" and sheet["total_seconds"] == 25200
    assert sheet["working_seconds"] == 5 * 9 * 3600 and len(sheet["time_logs"]) == 2

    await ok(await show.act("Previs", "request-review", who="me"))
    inbox = await ok(
        await client.get(f"{API}/projects/{(await show.get('Previs'))['project_id']}/review-inbox")
    )
    assert [(i["reviewer_id"], [r["task_id"] for r in i["reviews"]]) for i in inbox] == [
        (sup1, [show.ids["Previs"]])
    ]


async def test_a_review_of_a_version_needs_a_version_of_the_task(service: Catalog) -> None:
    show = await build(service)
    await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    project_id = (await show.get("Previs"))["project_id"]
    async with service.runtime.sessionmaker() as session:
        await remember_version(session, 7, project_id, show.ids["Previs"], "Main", 1)
        await remember_version(session, 8, project_id, show.ids["Matchmove"], "Main", 1)
        await session.commit()
    refused = await problem(await show.act("Previs", "request-review", {"version_id": 9}, who="me"), 404)
    assert refused["field"] == "version_id"
    refused = await problem(await show.act("Previs", "request-review", {"version_id": 8}, who="me"), 422)
    assert refused["field"] == "version_id" and str(show.ids["Matchmove"]) in refused["detail"]
    await show.expect(Previs="WIP")  # a refused request changes nothing
    made = await ok(await show.act("Previs", "request-review", {"version_id": 7}, who="me"))
    assert [r["version_id"] for r in made["reviews"]] == [7]


async def test_actions_refuse_containers_and_unknown_reviewers(service: Catalog) -> None:
    show = await build(service)
    refused = await problem(await show.act("SH001", "hold"), 422)
    assert refused["field"] == "task_id" and "container" in refused["detail"]
    await ok(await show.log("Previs", at(6, 9), at(6, 13)), 201)
    await ok(await show.act("Previs", "request-review", who="me"))
    body = {"reviewer_id": 987654, "schedule_timing": 1}
    refused = await problem(await show.act("Previs", "request-revision", body), 404)
    assert refused["field"] == "reviewer_id"
    await show.expect(Previs="PREV")
    # Extra time typed in the wrong unit would stop every schedule of the project: refused, nothing changed.
    body = {"schedule_timing": 1e6, "schedule_unit": "y"}
    refused = await problem(await show.act("Previs", "request-revision", body), 422)
    assert refused["field"] == "schedule_timing" and "at most 10 y" in refused["detail"]
    await show.expect(Previs="PREV")


async def test_scheduled_dates_bound_time_logs_when_none_were_given(service: Catalog) -> None:
    """tj3's dates are the task's planned dates (the reference writes them over the task's own)."""
    show = await build(service)
    await ok(await show.client.patch(f"{API}/tasks/{show.ids['Previs']}", json={"start": None, "end": None}))
    async with service.runtime.sessionmaker() as session:
        await session.execute(
            update(Task)
            .where(Task.id == show.ids["Previs"])
            .values(
                computed_start=datetime(2025, 1, 6, 9, tzinfo=UTC),
                computed_end=datetime(2025, 1, 9, 18, tzinfo=UTC),
            )
        )
        await session.commit()
    for name in ("Previs", "Matchmove"):
        await ok(
            await show.log(name, at(6 if name == "Previs" else 7, 9), at(6 if name == "Previs" else 7, 10)),
            201,
        )
        await show.review_and_approve(name)
    refused = await problem(await show.log("Animation", at(9, 9), at(9, 10)), 409)
    assert refused["earliest_start"].startswith("2025-01-09T18:00")


async def test_resume_and_the_parents_and_no_children_under_logged_work(service: Catalog) -> None:
    show = await build(service)
    client = show.client
    body = {
        "name": "Solo",
        "project_id": (await show.get("SH001"))["project_id"],
        "resource_ids": [show.users["me"]],
    }
    solo = await ok(await client.post(f"{API}/tasks", json=body), 201)
    child = await task(client, name="Only", parent_id=solo["id"], resource_ids=[show.users["me"]])
    show.ids.update(Solo=solo["id"], Only=child["id"])
    await ok(await show.log("Only", at(6, 9), at(6, 10)), 201)
    await ok(await show.act("Only", "stop"))
    assert (await show.get("Solo"))["status"] == "CMPL"
    result = await ok(await show.act("Only", "resume"))
    assert (await show.get("Solo"))["status"] == "WIP"
    assert {(c["task_id"], c["to_status"]) for c in result["status_changes"]} == {
        (child["id"], "WIP"),
        (solo["id"], "WIP"),
    }
    refused = await problem(
        await client.post(f"{API}/tasks", json={"name": "Under", "parent_id": child["id"]}), 409
    )
    assert refused["field"] == "parent_id" and refused["task_ids"] == [child["id"]]


async def test_a_log_changes_the_tasks_revision_and_an_edit_keeps_the_week_limit(service: Catalog) -> None:
    show = await build(service)
    first = await show.client.get(f"{API}/tasks/{show.ids['Previs']}")
    log = await ok(await show.log("Previs", at(6, 9), at(6, 10)), 201)
    await ok(await show.act("Previs", "request-review", who="me"))
    await ok(await show.log("Previs", at(6, 10), at(6, 11)), 201)  # PREV stays PREV: only its figures move
    second = await show.client.get(f"{API}/tasks/{show.ids['Previs']}")
    assert second.headers["etag"] != first.headers["etag"] and second.json()["total_logged_seconds"] == 7200
    updates = [e["payload"] for e in await service.events() if e["type"] == "catalog.task.updated"]
    assert updates[-1]["id"] == show.ids["Previs"] and updates[-1]["revision"] == second.json()["revision"]
    refused = await problem(
        await show.client.patch(f"{API}/time-logs/{log['id']}", json={"end": "2025-03-06T10:00:00Z"}), 422
    )
    assert refused["field"] == "end" and "7 days" in refused["detail"]


async def test_reviews_need_responsible_members_and_sheets_stay_with_who_may_log(service: Catalog) -> None:
    show = await build(service)
    client = show.client
    await ok(await client.put(f"{API}/tasks/{show.ids['SH001']}/responsible", json={"user_ids": []}))
    await ok(await show.log("Previs", at(6, 9), at(6, 10)), 201)
    refused = await problem(await show.act("Previs", "request-review", who="me"), 409)
    assert refused["field"] == "responsible_ids"
    await show.expect(Previs="WIP")
    body = {"name": "out", "login": "out", "email": "out@x.com", "password": "Tr0ub4dor&3"}
    outsider = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
    refused = await problem(
        await client.put(f"{API}/tasks/{show.ids['Previs']}/responsible", json={"user_ids": [outsider]}), 422
    )
    assert refused["field"] == "user_ids" and str(outsider) in refused["detail"]
    me = show.users["me"]
    own = await ok(
        await client.get(f"{API}/users/{me}/time-sheet?week=2025-01-06", headers=show.headers["me"])
    )
    lead = await ok(
        await client.get(f"{API}/users/{me}/time-sheet?week=2025-01-06", headers=show.headers["sup1"])
    )
    assert own["total_seconds"] == lead["total_seconds"] == 3600
    roles = {r["access"]: r["id"] for r in (await ok(await client.get(f"{API}/roles")))["items"]}
    project_id = (await show.get("Previs"))["project_id"]
    await show.user("client", roles["viewer"], project_id)
    viewer = await ok(
        await client.get(f"{API}/users/{me}/time-sheet?week=2025-01-06", headers=show.headers["client"])
    )
    assert viewer["total_seconds"] == 0 and viewer["time_logs"] == []
    listed = await ok(await client.get(f"{API}/time-logs", headers=show.headers["client"]))
    assert listed["items"] == [] and listed["total"] == 0
    log_id = own["time_logs"][0]["id"]
    await problem(await client.get(f"{API}/time-logs/{log_id}", headers=show.headers["client"]), 403)
    assert (await ok(await client.get(f"{API}/time-logs", headers=show.headers["sup1"])))["total"] == 1


async def test_status_moves_of_the_task_tree_are_events_too(service: Catalog) -> None:
    show = await build(service)
    body = {"depends_on_id": show.ids["comp"]}
    roto = await task(show.client, name="Roto", parent_id=show.ids["SH001"], resource_ids=[show.users["me"]])
    await ok(await show.client.post(f"{API}/tasks/{roto['id']}/dependencies", json=body), 201)
    moved = [e["payload"] for e in await service.events() if e["type"] == "catalog.task_status.changed"]
    assert (roto["id"], "RTS", "WFD", "task_edit") in {
        (m["task_id"], m["from_status"], m["to_status"], m["action"]) for m in moved
    }
    response = await show.client.delete(f"{API}/tasks/{roto['id']}")
    assert response.status_code == 204


async def test_a_deleted_task_takes_its_logs_and_reviews_with_it_and_says_so(service: Catalog) -> None:
    show = await build(service)
    log = await ok(await show.log("Previs", at(6, 9), at(6, 10)), 201)
    made = await ok(await show.act("Previs", "request-review", who="me"))
    assert (await show.client.delete(f"{API}/tasks/{show.ids['Previs']}")).status_code == 204
    types = {(e["type"], e["payload"].get("id")) for e in await service.events()}
    assert ("catalog.time_log.deleted", log["id"]) in types
    assert ("catalog.review.deleted", made["reviews"][0]["id"]) in types
    assert (await show.client.get(f"{API}/time-logs/{log['id']}")).status_code == 404
