"""The client's public face: exactly the names in __all__, typed (py.typed), installable on its own with
only httpx, httpx-sse (the event stream), pydantic and standardwebhooks (checking a webhook delivery), the
command line's extras apart."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
import pytest

import stalker_client
from stalker_client import ConnectionFailed, NotFound, Stalker, StalkerError, ValidationError, current_os

PACKAGE = Path(stalker_client.__file__).parent
PUBLIC = {
    "DEFAULT_URL", "AuthenticationError", "BulkResult", "Conflict", "ConnectionFailed", "Department",
    "Dependency", "Directories", "EntityType", "ExpandedPath", "FilenameTemplate", "Group", "ImageFormat",
    "Me", "Model", "NotFound", "OperatingSystem", "Page", "PermissionDenied", "PortablePath",
    "PreconditionFailed", "Project",
    "ProjectStorage", "ProjectUser", "Repository", "Role", "ScheduleJob", "ScheduleProblem",
    "SchedulingFailed", "ServerError",
    "Stalker", "StalkerError", "Status", "StatusList", "Structure", "Studio", "Task", "User",
    "ValidationError", "Version", "WaitTimeout", "__version__", "current_os",
    "ActionResult", "Note", "Review", "StatusChange", "TimeLog",
    "CursorExpired", "Event", "EventPage", "WebhookInvalid", "verify_webhook",
    "Holiday", "PersonWeek", "ProjectOutcome", "Scenario", "TaskMove", "Vacation", "WhatIf",
}  # fmt: skip


def test_the_public_names_are_exactly_those() -> None:
    assert set(stalker_client.__all__) == PUBLIC
    assert len(stalker_client.__all__) == len(PUBLIC)  # no name twice
    for name in PUBLIC:
        assert hasattr(stalker_client, name), name
    exported = {n for n in vars(stalker_client) if not n.startswith("_")} - {"annotations"}
    assert exported - PUBLIC <= {"cli"}, "modules are private: only __all__ is the public face"


def test_private_modules_hold_the_implementation() -> None:
    for name in PUBLIC - {"DEFAULT_URL", "__version__", "OperatingSystem"}:
        module = getattr(getattr(stalker_client, name), "__module__", "")
        assert module.startswith("stalker_client._"), (name, module)


def test_the_package_is_typed_and_needs_only_its_four_dependencies() -> None:
    assert (PACKAGE / "py.typed").exists()
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]
    expected = ["httpx", "httpx-sse", "pydantic", "standardwebhooks"]
    assert [d.split("==")[0] for d in project["dependencies"]] == expected
    lock = (PACKAGE.parents[2] / "requirements.lock").read_text().splitlines()
    for pinned in project["dependencies"] + project["optional-dependencies"]["cli"]:
        assert pinned in lock, f"{pinned} is not the version requirements.lock pins"
    assert project["scripts"]["stalker"] == "stalker_client.cli:main"


@pytest.mark.parametrize(
    ("system", "expected"),
    [("Linux", "linux"), ("Darwin", "macos"), ("Windows", "windows"), ("SunOS", "linux")],
)
def test_the_callers_os_comes_from_platform_system(
    system: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("platform.system", lambda: system)
    assert current_os() == expected


def test_problem_details_become_typed_exceptions_with_the_field() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/7"):
            problem = {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "no user with id 7",
            }
            return httpx.Response(404, json=problem, headers={"content-type": "application/problem+json"})
        problem = {
            "title": "Invalid request",
            "status": 422,
            "detail": "email: too short",
            "errors": [{"field": "email", "message": "too short", "type": "string_too_short"}],
        }
        return httpx.Response(422, json=problem, headers={"content-type": "application/problem+json"})

    client = Stalker("http://stalker.test", token="t", transport=httpx.MockTransport(answer))
    with pytest.raises(NotFound) as missing:
        client.users.get(7)
    assert (missing.value.status, missing.value.title, missing.value.detail) == (
        404,
        "Not Found",
        "no user with id 7",
    )
    assert missing.value.body["status"] == 404
    with pytest.raises(ValidationError) as invalid:
        client.users.create(name="x", login="x", email="x", password="x")
    assert invalid.value.field == "email" and invalid.value.errors[0]["type"] == "string_too_short"
    assert "email" in str(invalid.value)


def test_an_unreachable_server_is_a_connection_failure() -> None:
    client = Stalker("http://127.0.0.1:9", token="t", timeout=2)  # the discard port: nothing answers
    with pytest.raises(ConnectionFailed) as failed:
        client.users.get(1)
    assert isinstance(failed.value, StalkerError) and "127.0.0.1:9" in failed.value.detail
