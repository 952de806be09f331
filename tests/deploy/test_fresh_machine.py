"""A fresh machine: `make run` installs what it needs and recovers from a first run stopped half way.

- The Makefile's virtual environment step, run for real against a throwaway environment (`VENV=` a temporary
  folder, never the project's `.venv`), with a small requirements file in place of the pinned lock (the full
  install takes minutes) and the real recipe around it: a half-made environment is made again, an
  interrupted install resumes in the same one, and a finished one is left alone.
- scripts/system-packages' decisions, with `tj3` off PATH and `apt-get`, `gem`, `sudo` and `id` stubbed by
  executables that record how they were called (nothing is really installed or removed).
- The Makefile puts a tj3 installed with gem on PATH and its folder on GEM_PATH, for every target.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.deployment import ROOT

SCRIPT = ROOT / "scripts" / "system-packages"
BASH = shutil.which("bash") or "/bin/bash"
# What the script needs from outside bash; tj3 is deliberately not among them.
TOOLS = ("bash", "cat", "dirname", "env", "mktemp", "rm", "true")
GEM_COMMAND = "gem install --no-document --version 3.7.1 taskjuggler"


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without what an enclosing `make test` exported (its flags, its gem folder)."""
    dropped = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "TJ3_GEM_HOME", "GEM_PATH", "GEM_HOME"}
    return {k: v for k, v in os.environ.items() if k not in dropped} | extra


# --- the virtual environment ---------------------------------------------------------------------------


def _make(venv: Path, requirements: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The Makefile's install of `venv`, with `requirements` for the lock and pip alone for the packages."""
    command = [
        "make",
        "--no-print-directory",
        "-C",
        str(ROOT),
        f"VENV={venv}",
        f"REQUIREMENTS={requirements}",
    ]
    command += ["PACKAGES=pip", *args]
    return subprocess.run(command, env=_clean_env(), capture_output=True, text=True, timeout=300)


def _install(venv: Path, requirements: Path) -> subprocess.CompletedProcess[str]:
    return _make(venv, requirements, str(venv / ".installed-stamp"))


def _pip_works(venv: Path) -> bool:
    pip = subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True)
    return pip.returncode == 0


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("pip\n")  # in every fresh environment: nothing is fetched
    return path


def test_the_real_install_touches_its_stamp_only_after_both_pip_installs(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(ROOT), f"VENV={venv}", "install"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    steps = [
        "scripts/system-packages",
        f"{venv}/bin/python -m pip --version",
        f"{venv}/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock",
        "--no-deps -e shared -e services/catalog -e services/versions -e services/scheduler",
        f"touch {venv}/.installed-stamp",
    ]
    found = [next(i for i, line in enumerate(lines) if step in line) for step in steps]
    assert found == sorted(found), dry.stdout
    assert not venv.exists()


@pytest.mark.slow
def test_a_venv_left_without_pip_is_made_again(tmp_path: Path, requirements: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)  # ensurepip stopped
    assert not _pip_works(venv)
    made = _install(venv, requirements)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "making the virtual environment" in made.stdout
    assert _pip_works(venv)
    assert (venv / ".installed-stamp").exists()


@pytest.mark.slow
def test_an_interrupted_install_resumes_in_the_same_venv_and_a_finished_one_is_left_alone(
    tmp_path: Path, requirements: Path
) -> None:
    venv = tmp_path / "venv"
    broken = tmp_path / "broken.txt"
    broken.write_text("--no-index\nstalker-no-such-package==1.0\n")
    first = _install(venv, broken)  # a first run whose pip install stops
    assert first.returncode != 0
    assert _pip_works(venv)
    assert not (venv / ".installed-stamp").exists()
    (venv / "kept").touch()

    again = _install(venv, requirements)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "making the virtual environment" not in again.stdout
    assert (venv / "kept").exists()
    assert (venv / ".installed-stamp").exists()
    up_to_date = _make(venv, requirements, "-q", str(venv / ".installed-stamp"))
    assert up_to_date.returncode == 0, "a healthy stamped environment would be installed again"

    (venv / "bin" / "python").unlink()  # the Python it was made from is gone, or never linked
    repaired = _install(venv, requirements)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "making the virtual environment" in repaired.stdout
    assert _pip_works(venv)


# --- tj3 ------------------------------------------------------------------------------------------------


@dataclass
class Machine:
    """A PATH of stubs and the few real tools the script uses; what the stubs were asked is in `log`."""

    bin: Path
    gem_home: Path
    log: Path

    def stub(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f'#!{BASH}\necho "{name} $*" >> "$STUB_LOG"\n{body}\n')
        path.chmod(0o755)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def run(self, uid: int = 1000, **flags: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": str(self.bin), "STUB_LOG": str(self.log), "FAKE_UID": str(uid), **flags}
        env["TJ3_GEM_HOME"] = str(self.gem_home)
        return subprocess.run([BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def _executable(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{BASH}\n")
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    """No tj3 anywhere; apt-get, gem, sudo (refusing unless SUDO_WORKS=1) and id (FAKE_UID) stubbed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        real = shutil.which(tool)
        assert real is not None
        (bin_dir / tool).symlink_to(real)
    here = Machine(bin_dir, tmp_path / "project" / ".tools" / "gems", tmp_path / "calls.log")
    chmod, mkdir, touch = (shutil.which(tool) for tool in ("chmod", "mkdir", "touch"))
    tj3 = f"printf '#!/bin/sh\\n' > {bin_dir}/tj3; {chmod} +x {bin_dir}/tj3"
    here.stub("id", '[ "$1" = -u ] && echo "$FAKE_UID"')
    here.stub("sudo", '[ "${SUDO_WORKS:-0}" = 1 ] || exit 1; shift; exec "$@"')
    here.stub(
        "apt-get",
        f'case "$1" in install) [ "${{APT_WORKS:-1}}" = 1 ] || {{ echo "E: no tj3 here" >&2; exit 100; }}; '
        f"{tj3};; esac",
    )
    gem_files = (
        f'{mkdir} -p "$GEM_HOME/specifications"; {touch} "$GEM_HOME/specifications/taskjuggler-3.7.1.gemspec"'
    )
    here.stub(
        "gem",
        f'echo "GEM_HOME=$GEM_HOME" >> "$STUB_LOG"\n'
        f'[ "${{GEM_WORKS:-1}}" = 1 ] || {{ echo "ERROR: no network" >&2; exit 2; }}\n'
        f'{mkdir} -p "$GEM_HOME/bin"; printf "#!/bin/sh\\n" > "$GEM_HOME/bin/tj3"\n'
        f'{chmod} +x "$GEM_HOME/bin/tj3"\n'
        f"{gem_files}",
    )
    return here


def _installs(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith(("apt-get", "gem", "GEM_HOME"))]


def test_nothing_is_installed_when_tj3_is_there(machine: Machine) -> None:
    _executable(machine.bin / "tj3")
    done = machine.run(uid=0)
    assert (done.returncode, done.stderr, machine.calls()) == (0, "", [])


def test_as_root_tj3_comes_from_debian(machine: Machine) -> None:
    done = machine.run(uid=0)
    assert done.returncode == 0, done.stderr
    assert _installs(machine.calls()) == ["apt-get update -qq", "apt-get install -y -qq tj3"]
    assert (machine.bin / "tj3").exists()


def test_with_a_sudo_that_asks_no_password_tj3_comes_from_debian(machine: Machine) -> None:
    done = machine.run(SUDO_WORKS="1")
    assert done.returncode == 0, done.stderr
    assert "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tj3" in machine.calls()
    assert "apt-get install -y -qq tj3" in machine.calls()
    assert not any(call.startswith("gem") for call in machine.calls())


def test_without_root_tj3_comes_from_gem_into_the_project(machine: Machine) -> None:
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert _installs(machine.calls()) == [GEM_COMMAND, f"GEM_HOME={machine.gem_home}"]
    assert (machine.gem_home / "bin" / "tj3").exists()
    assert f"tj3 is {machine.gem_home}/bin/tj3" in done.stderr


def test_when_apt_get_fails_gem_is_tried(machine: Machine) -> None:
    done = machine.run(uid=0, APT_WORKS="0")
    assert done.returncode == 0, done.stderr
    assert _installs(machine.calls())[1:] == [
        "apt-get install -y -qq tj3",
        GEM_COMMAND,
        f"GEM_HOME={machine.gem_home}",
    ]
    assert "E: no tj3 here" in done.stderr  # apt-get's own words, shown because it failed


def test_a_finished_gem_install_is_used_and_an_interrupted_one_redone(machine: Machine) -> None:
    assert machine.run().returncode == 0
    machine.log.unlink()
    assert (machine.run().returncode, machine.calls()) == (0, [])

    (machine.gem_home / "specifications" / "taskjuggler-3.7.1.gemspec").unlink()  # stopped before the spec
    done = machine.run(GEM_WORKS="0")
    assert GEM_COMMAND in machine.calls()
    assert not (machine.gem_home / "bin" / "tj3").exists(), "a half-installed tj3 would hide a later one"
    assert "tj3_missing" in done.stderr


@pytest.mark.parametrize(
    ("uid", "missing", "expected"),
    [
        (1000, "gem", ["sudo apt-get install -y tj3", f"{GEM_COMMAND} (after installing Ruby"]),
        (1000, "", ["sudo apt-get install -y tj3", GEM_COMMAND, "ERROR: no network"]),
        (0, "", ["  apt-get install -y tj3", GEM_COMMAND, "E: no tj3 here"]),
        (1000, "apt-get gem", [f"{GEM_COMMAND} (after installing Ruby"]),
    ],
)
def test_when_nothing_works_it_prints_the_command_and_starts_anyway(
    machine: Machine, uid: int, missing: str, expected: list[str]
) -> None:
    for name in missing.split():
        (machine.bin / name).unlink()
    done = machine.run(uid=uid, APT_WORKS="0", GEM_WORKS="0")
    assert done.returncode == 0
    for text in [*expected, f"GEM_HOME={machine.gem_home} ", "fail with tj3_missing"]:
        assert text in done.stderr
    apt_tried = any(call.startswith("apt-get install") for call in machine.calls())
    assert apt_tried == (uid == 0 and "apt-get" not in missing)
    assert not (machine.gem_home / "bin" / "tj3").exists()


def test_make_finds_a_tj3_installed_with_gem(tmp_path: Path) -> None:
    gem_home = tmp_path / "gems"
    _executable(gem_home / "bin" / "tj3")
    show = "fm-show: ; @command -v tj3; echo $$GEM_PATH"
    given = ["make", "-s", "--no-print-directory", "-C", str(ROOT), "--eval", show]
    found = subprocess.run(
        [*given, f"TJ3_GEM_HOME={gem_home}", "fm-show"], env=_clean_env(), capture_output=True, text=True
    )
    assert found.stdout.splitlines() == [str(gem_home / "bin" / "tj3"), f"{gem_home}:"], found.stderr
    default = subprocess.run([*given, "fm-show"], env=_clean_env(), capture_output=True, text=True)
    assert default.stdout.splitlines()[-1] == f"{ROOT}/.tools/gems:"
    assert "/.tools/" in (ROOT / ".gitignore").read_text().splitlines()
