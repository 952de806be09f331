"""`stalker login`, `whoami`, `logout` and `init`: the token is stored for its owner only, errors are one
clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from support.cli import as_admin, stalker


def test_login_stores_the_token_readable_by_its_owner_only(system: str, tmp_config: Path) -> None:
    done = stalker("--url", system, "login", "--login", "admin", "--password", "admin")
    assert done.exit_code == 0, done.output
    assert f"Logged in to {system} as admin (admin)" in done.stdout
    assert stat.S_IMODE(tmp_config.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_config.parent.stat().st_mode) == 0o700
    stored = json.loads(tmp_config.read_text())
    assert stored["url"] == system and stored["login"] == "admin" and stored["token"].count(".") == 2
    assert "password" not in stored and "admin" not in stored["token"]
    whoami = stalker("whoami")  # the URL comes from the stored config too
    assert whoami.exit_code == 0 and whoami.stdout.startswith(f"admin (id 1, admin) at {system}")


def test_login_asks_for_what_it_was_not_given(system: str, tmp_config: Path) -> None:
    done = stalker("--url", system, "login", input="admin\nadmin\n")
    assert done.exit_code == 0, done.output
    assert tmp_config.exists()


def test_a_wrong_password_is_one_message_and_exit_code_1(system: str, tmp_config: Path) -> None:
    done = stalker("--url", system, "login", "--login", "admin", "--password", "nope")
    assert done.exit_code == 1
    assert "Error: 401 Unauthorized: wrong login or password" in done.stderr
    assert "Traceback" not in done.output and not tmp_config.exists()


def test_without_a_login_commands_say_how_to_log_in(system: str, tmp_config: Path) -> None:
    done = stalker("--url", system, "list", "users")
    assert done.exit_code == 1
    assert "not logged in" in done.stderr and "stalker login" in done.stderr


def test_logout_forgets_the_token(system: str, tmp_config: Path) -> None:
    stalker("--url", system, "login", "--login", "admin", "--password", "admin")
    assert stalker("logout").stdout.strip() == "Logged out: every token of yours is revoked."
    assert "token" not in json.loads(tmp_config.read_text())
    assert stalker("whoami").exit_code == 1


def test_init_is_idempotent(system: str, tmp_config: Path) -> None:
    done = stalker("init", env=as_admin(system))
    assert done.exit_code == 0 and "Nothing to do" in done.stdout


def test_an_unreachable_server_is_a_message_too(tmp_config: Path) -> None:
    done = stalker("--timeout", "2", "list", "users", env=as_admin("http://127.0.0.1:9"))
    assert done.exit_code == 1
    assert "cannot reach http://127.0.0.1:9" in done.stderr and "Traceback" not in done.output
