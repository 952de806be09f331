"""The versions service under test: its HTTP app on a fresh PostgreSQL database, tokens signed with a
key made for the test run, catalog events delivered through its real consumer, and a fake catalog."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from sqlalchemy import select

from stalker_shared.auth import Principal, generate_private_pem, issue_token, public_pem_of
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.contracts.catalog import ProjectCreated, TaskCreated
from stalker_shared.runtime import Runtime
from stalker_versions.db.access import CatalogCaller, UnknownCaller
from stalker_versions.db.models import MESSAGING
from stalker_versions.domain.errors import CatalogUnavailable
from stalker_versions.service.catalog_events import ProjectFacts, TaskFacts
from stalker_versions.settings import VersionsSettings

PRIVATE_KEY = generate_private_pem()
ADMIN = Principal(user_id=3, login="admin", is_admin=True)
ARTIST = Principal(user_id=7, login="artist", is_admin=False)
OTHER_ARTIST = Principal(user_id=8, login="other", is_admin=False)


def versions_settings(database_url: str, data_dir: Path) -> VersionsSettings:
    return VersionsSettings(
        database_url=database_url,
        data_dir=data_dir,
        jwt_public_key=public_pem_of(PRIVATE_KEY),
        outbox_poll_interval=0.05,
    )


def bearer(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(PRIVATE_KEY, principal, timedelta(minutes=10))}"}


@dataclass
class FakeCatalog:
    """The catalog's lookups, answered from dicts; records what was asked and with which token."""

    tasks: dict[int, TaskFacts] = field(default_factory=dict)
    projects: dict[int, ProjectFacts] = field(default_factory=dict)
    calls: list[tuple[str, int, str | None]] = field(default_factory=list)
    reachable: bool = True
    # Users the catalog refuses tokens of (gone, deactivated or revoked); any other token's caller is
    # vouched for as its claims say, as the real catalog does for a user at that token version.
    refused_users: set[int] = field(default_factory=set)
    caller_calls: list[int] = field(default_factory=list)
    callers_reachable: bool = True  # `reachable` is about tasks and projects

    async def caller(self, token: str) -> CatalogCaller:
        claims = jwt.decode(token, options={"verify_signature": False})
        user_id = int(claims["sub"])
        self.caller_calls.append(user_id)
        if not self.callers_reachable:
            raise CatalogUnavailable("the caller is not known here yet and the catalog could not be reached")
        if user_id in self.refused_users:
            raise UnknownCaller("the catalog refused this token")
        return CatalogCaller(user_id, str(claims.get("login", "")), bool(claims.get("adm", False)))

    async def task(self, task_id: int, token: str | None) -> TaskFacts | None:
        return self._answer("task", task_id, token, self.tasks)

    async def project(self, project_id: int, token: str | None) -> ProjectFacts | None:
        return self._answer("project", project_id, token, self.projects)

    def _answer(self, kind: str, key: int, token: str | None, found: dict[int, Any]) -> Any:
        self.calls.append((kind, key, token))
        if not self.reachable:
            raise CatalogUnavailable(
                f"{kind} {key} is not known here yet and the catalog could not be reached"
            )
        return found.get(key)


@dataclass
class FakeDelivery:
    body: bytes
    message_id: str | None = None
    delivery_count: int = 0
    outcome: str | None = None
    reason: str | None = None

    async def ack(self) -> None:
        self.outcome = "ack"

    async def retry(self) -> None:
        self.outcome = "retry"

    async def dead_letter(self, reason: str) -> None:
        self.outcome, self.reason = "dead_letter", reason


def project_created(project_id: int, name: str, code: str, revision: int = 1) -> ProjectCreated:
    return ProjectCreated(
        id=project_id, name=name, code=code, revision=revision, status="RTS", status_list_id=1
    )


def task_state(
    event: type[Contract] = TaskCreated,
    *,
    id: int,
    project_id: int,
    name: str,
    kind: str = "task",
    parent_id: int | None = None,
    code: str | None = None,
    revision: int = 1,
    sequence_ids: tuple[int, ...] = (),
) -> Contract:
    return event(
        id=id,
        project_id=project_id,
        parent_id=parent_id,
        kind=kind,
        name=name,
        code=code,
        revision=revision,
        status="WFD",
        priority=500,
        schedule_timing=1.0,
        schedule_unit="h",
        schedule_model="effort",
        schedule_constraint="none",
        sequence_ids=list(sequence_ids),
    )


@dataclass
class VersionsService:
    runtime: Runtime
    client: httpx.AsyncClient
    catalog: FakeCatalog
    app: FastAPI

    async def deliver(self, event: Contract, message_id: uuid.UUID | None = None) -> FakeDelivery:
        """Hand a catalog event to the service's consumer as the broker would; returns how it was settled."""
        envelope = Envelope.wrap(event, correlation_id="test", causation_id=None)
        if message_id is not None:
            envelope = envelope.model_copy(update={"message_id": message_id})
        delivery = FakeDelivery(envelope.model_dump_json().encode(), str(envelope.message_id))
        (consumer,) = self.runtime.consumers()
        await consumer.handle(delivery)
        return delivery

    async def events(self) -> list[dict[str, Any]]:
        """Every message written to the outbox so far, oldest first (envelopes as dicts)."""
        async with self.runtime.sessionmaker() as session:
            bodies = await session.scalars(select(MESSAGING.outbox.c.body).order_by(MESSAGING.outbox.c.id))
            return [json.loads(b) for b in bodies]

    async def post(self, url: str, body: dict[str, Any], status: int = 201, **kwargs: Any) -> dict[str, Any]:
        response = await self.client.post(url, json=body, **kwargs)
        assert response.status_code == status, response.text
        return response.json()  # type: ignore[no-any-return]


# Tutorial Part VI: the commercial, its repository, structure and template.
PROJECT, SEQUENCE, SHOT, COMP = 34, 40, 41, 42
TUTORIAL_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
TUTORIAL_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
DEFAULT_FOLDERS = "\nTemp\nReferences\nReferences/Movies\nReferences/Images\n"


async def feed_the_commercial(versions: VersionsService) -> None:
    """Project FC, sequence SEQ1, shot SH001 in it (not its child) and comp under the shot, as events."""
    events = [
        project_created(PROJECT, "Fancy Commercial", "FC"),
        task_state(id=SEQUENCE, project_id=PROJECT, name="Sequence 1", kind="sequence", code="SEQ1"),
        task_state(
            id=SHOT, project_id=PROJECT, name="SH001", kind="shot", code="SH001", sequence_ids=(SEQUENCE,)
        ),
        task_state(TaskCreated, id=COMP, project_id=PROJECT, name="comp", parent_id=SHOT),
    ]
    for event in events:
        assert (await versions.deliver(event)).outcome == "ack"


async def set_up_storage(versions: VersionsService) -> dict[str, Any]:
    """The tutorial's repository, structure and template, assigned to the project."""
    repository = await versions.post(
        "/versions/v1/repositories",
        {
            "name": "Commercial Repository",
            "linux_path": "/mnt/M/commercials",
            "osx_path": "/Volumes/M/commercials",
            "windows_path": "M:\\commercials",  # reverse slashes are accepted
        },
    )
    template = await versions.post(
        "/versions/v1/filename-templates",
        {
            "name": "Task Template for Commercials",
            "target_entity_type": "Task",
            "path": TUTORIAL_PATH,
            "filename": TUTORIAL_FILENAME,
        },
    )
    structure = await versions.post(
        "/versions/v1/structures",
        {
            "name": "Commercial Projects Structure",
            "template_ids": [template["id"]],
            "custom_template": DEFAULT_FOLDERS,
        },
    )
    storage = await versions.client.put(
        f"/versions/v1/projects/{PROJECT}/storage",
        json={"repository_ids": [repository["id"]], "structure_id": structure["id"]},
    )
    assert storage.status_code == 200, storage.text
    assert storage.json()["repository_id"] == repository["id"]
    return repository
