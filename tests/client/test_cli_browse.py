"""`stalker list` and `stalker show`: rich tables with filters, JSON lines, and errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stalker_client import Stalker

from support.cli import as_admin, stalker
from support.client_data import make_user


def test_list_users_with_a_filter(system: str, admin: Stalker, unique: str, tmp_config: Path) -> None:
    login, _ = make_user(admin, unique)
    done = stalker("list", "users", "--filter", f"login={login}", env=as_admin(system))
    assert done.exit_code == 0, done.output
    assert login in done.stdout and f"user{unique}@example.com" in done.stdout
    assert "admin@" not in done.stdout
    assert done.stdout.rstrip().endswith("1 of 1")
    header = next(line for line in done.stdout.splitlines() if "login" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == [
        "id",
        "login",
        "name",
        "email",
        "department_ids",
    ]


def test_list_shots_with_several_filters_sort_and_columns(
    system: str, admin: Stalker, unique: str, tmp_config: Path
) -> None:
    project = admin.projects.create(name=f"P {unique}", code=f"P{unique}")
    for code in ("SH001", "SH002", "SH003"):
        admin.shots.create(code=code, project_id=project.id)
    args = [
        "list",
        "shots",
        "-f",
        f"project_id={project.id}",
        "-f",
        "code__in=SH001,SH003",
        "--sort",
        "-code",
    ]
    done = stalker(*args, "--columns", "code,status", env=as_admin(system))
    assert done.exit_code == 0, done.output
    rows = [line for line in done.stdout.splitlines() if "SH00" in line]
    assert [r.split("│")[1].strip() for r in rows] == ["SH003", "SH001"]
    assert "2 of 2" in done.stdout


def test_list_as_json_lines(system: str, admin: Stalker, unique: str, tmp_config: Path) -> None:
    login, _ = make_user(admin, unique)
    done = stalker("list", "users", "-f", f"login={login}", "--json", env=as_admin(system))
    assert [json.loads(line)["login"] for line in done.stdout.splitlines()] == [login]


def test_show_prints_every_field(system: str, admin: Stalker, unique: str, tmp_config: Path) -> None:
    login, user_id = make_user(admin, unique)
    done = stalker("show", "users", str(user_id), env=as_admin(system))
    assert done.exit_code == 0, done.output
    for field in ("login", "email", "efficiency", "created_at", "revision"):
        assert field in done.stdout
    as_json = stalker("show", "users", str(user_id), "--json", env=as_admin(system))
    assert json.loads(as_json.stdout)["login"] == login


@pytest.mark.parametrize(
    ("args", "message", "field"),
    [
        (["list", "users", "-f", "shoe_size=42"], "cannot filter by 'shoe_size'", "shoe_size"),
        (["list", "users", "--sort", "colour"], "cannot sort by 'colour'", "sort"),
        (["list", "versions"], "versions are listed per task", "task_id"),
        (["list", "versions", "-f", "task_id=1", "-f", "colour=red"], "cannot filter by 'colour'", "colour"),
        (
            ["list", "repositories", "-f", "name__in=x", "-f", "colour=red"],
            "cannot filter by 'colour'",
            "colour",
        ),
        (["list", "structures", "--sort", "colour"], "cannot sort by 'colour'", "sort"),
        (["show", "users", "99999"], "404 Not Found: no user with id 99999", None),
    ],
)
def test_errors_are_a_message_naming_the_field(
    system: str, tmp_config: Path, args: list[str], message: str, field: str | None
) -> None:
    done = stalker(*args, env=as_admin(system))
    assert done.exit_code == 1
    assert message in done.stderr and "Traceback" not in done.output
    if field:
        assert f"field: {field}" in done.stderr


def test_usage_errors_exit_with_2(system: str, tmp_config: Path) -> None:
    unknown = stalker("list", "spaceships", env=as_admin(system))
    assert unknown.exit_code == 2 and "unknown entity 'spaceships'" in unknown.output
    malformed = stalker("list", "users", "--filter", "login", env=as_admin(system))
    assert malformed.exit_code == 2 and "is not key=value" in malformed.output
