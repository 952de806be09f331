"""The client remembers the ETag of what it read and sends it as If-Match on updates: of two clients that
read one task and both change it, the second gets PreconditionFailed and the first one's change stays.
The command line reports it in one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stalker_client import Conflict, PreconditionFailed, Stalker, Task
from stalker_client.cli._app import report

ADMIN_PASSWORD = "admin"


@pytest.fixture
def other(system: str) -> Iterator[Stalker]:
    """A second client of the same system, as another TD's script would be."""
    with Stalker.connect(system, "admin", ADMIN_PASSWORD) as client:
        yield client


def comp(client: Stalker, unique: str) -> Task:
    project = client.projects.create(name=f"ETags {unique}", code=f"ET{unique}")
    shot = client.shots.create(code="SH001", project_id=project.id)
    return client.tasks.create(name="comp", parent_id=shot.id)


def test_the_second_of_two_clients_gets_precondition_failed(
    admin: Stalker, other: Stalker, unique: str
) -> None:
    task = comp(admin, unique)
    admin.tasks.get(task.id)
    other.tasks.get(task.id)
    admin.tasks.update(task.id, name="comp_admin")
    with pytest.raises(PreconditionFailed) as refused:
        other.tasks.update(task.id, name="comp_other")
    error = refused.value
    assert isinstance(error, Conflict) and error.status == 412  # an `except Conflict` still catches it
    assert error.etag and error.etag in error.detail
    assert admin.tasks.get(task.id).name == "comp_admin"
    with pytest.raises(PreconditionFailed):  # the stale tag stays until the task is read again
        other.tasks.update(task.id, name="comp_other")
    other.tasks.get(task.id)
    assert other.tasks.update(task.id, name="comp_other").name == "comp_other"


def test_an_object_never_read_is_updated_without_a_condition(
    admin: Stalker, other: Stalker, unique: str
) -> None:
    task = comp(admin, unique)
    admin.tasks.update(task.id, name="by_admin")
    assert other.tasks.update(task.id, name="by_other").name == "by_other"  # the last write wins


def test_the_clients_own_writes_do_not_make_it_stale(admin: Stalker, unique: str) -> None:
    task = comp(admin, unique)  # the create's ETag is remembered
    admin.tasks.add_resource(task.id, admin.me().id)  # changes the task: its tag is forgotten
    shot_id = task.parent_id
    assert shot_id is not None
    admin.shots.get(shot_id)
    admin.tasks.update(shot_id, description="a shot is a task: one item, one ETag")
    assert admin.shots.update(shot_id, description="again").description == "again"
    assert admin.tasks.update(task.id, name="comp_v2").resource_ids == [admin.me().id]


def test_the_command_line_reports_it_in_one_line(
    admin: Stalker,
    other: Stalker,
    unique: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # a terminal wide enough: rich wraps at the width only
    task = comp(admin, unique)
    other.tasks.get(task.id)
    admin.tasks.update(task.id, name="first")
    with pytest.raises(PreconditionFailed) as refused:
        other.tasks.update(task.id, name="second")
    report(refused.value)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: 412 Precondition Failed: If-Match"), lines
