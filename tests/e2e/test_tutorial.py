"""End to end: examples/tutorial.py, the whole tutorial through the Python client, run as a user runs it
against the system `make run` starts, embedded and distributed; the printed results are the tutorial's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stalker_client import current_os

from support.system import RunningSystem, embedded_system, require_tj3

pytestmark = [pytest.mark.tj3, pytest.mark.slow]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tutorial.py"
ROOTS = {"linux": "/mnt/M/commercials", "macos": "/Volumes/M/commercials", "windows": "M:/commercials"}
DATES = [
    "Previs     computed_start 2014-04-02 16:00  computed_end 2014-04-16 16:00",
    "Matchmove  computed_start 2014-04-16 16:00  computed_end 2014-04-18 16:00",
    "Animation  computed_start 2014-04-18 16:00  computed_end 2014-04-25 16:00",
    "Lighting   computed_start 2014-04-25 16:00  computed_end 2014-04-30 16:00",
    "comp       computed_start 2014-04-30 16:00  computed_end 2014-05-01 13:00",
]


def run_tutorial(base: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STALKER_")}
    env |= {"STALKER_URL": base, "STALKER_LOGIN": "admin", "STALKER_PASSWORD": "admin"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


def check_the_tutorials_results(output: str) -> None:
    lines = output.splitlines()
    # Part I: admins, made by init, first; the user in TDs
    assert "all_departments: [<admins (Department)>, <TDs (Department)>]" in lines
    assert "tds.users[0]: <Erkan Ozgur Yilmaz ('eoyilmaz') (User)>" in lines
    # Part II: the shots in the sequence; the wrong shot is gone
    for code in ("SH001", "SH002", "SH003"):
        assert f"<{code} (Shot)> code {code} in ['Sequence 1']" in lines
    assert "Shot with code SH005: None" in lines
    # Part III-V: dependencies, then tj3's dates (reference section 4.3)
    assert "Animation  depends on ['Previs', 'Matchmove']  status WFD" in lines
    assert "schedule: completed | 9 tasks" in lines
    start = lines.index(DATES[0])
    assert lines[start : start + 5] == DATES
    assert re.search(r'^project Studio_\d+ "My Great Studio" 2014-04-02', output, re.M)
    assert "  now 2014-04-02-16:00-+0000" in lines
    assert re.search(r'^resource User_\d+ "Erkan Ozgur Yilmaz" \{\n  efficiency 1.0\n\}', output, re.M)
    assert re.search(
        r'^    task Task_\d+ "comp" \{\n      depends Project_\d+\.Task_\d+\.Task_\d+ \{onend\}', output, re.M
    )
    assert re.search(r'^task Project_\d+ "Fancy Commercial" \{', output, re.M)
    # Part VI: the repository on each OS, the versions' paths, numbers 1, 2, 3
    assert "commercial_repo.path on linux   = /mnt/M/commercials/" in lines
    assert "commercial_repo.path on macos   = /Volumes/M/commercials/" in lines
    assert "commercial_repo.path on windows = M:/commercials/" in lines
    repo = re.search(r"^vers1\.path\s+= (\$REPO\d+)/FC/SH001/comp$", output, re.M)
    assert repo is not None
    assert "vers1.filename           = SH001_comp_Main_v001" in lines
    assert f"vers1.full_path          = {repo[1]}/FC/SH001/comp/SH001_comp_Main_v001" in lines
    here, root = current_os(), ROOTS[current_os()]  # the absolute paths are for the caller's OS
    assert f"vers1.absolute_path      = {root}/FC/SH001/comp  ({here})" in lines
    assert f"vers1.absolute_full_path = {root}/FC/SH001/comp/SH001_comp_Main_v001" in lines
    assert f"commercial_repo.path here ({here}) = {root}/" in lines
    assert "vers1.absolute_full_path on windows = M:/commercials/FC/SH001/comp/SH001_comp_Main_v001" in lines
    assert "vers1.version_number     = 1" in lines
    assert "vers2.version_number = 2 | vers2.filename = SH001_comp_Main_v002" in lines
    assert "vers3.version_number = 3 | vers3.filename = SH001_comp_Main_v003" in lines
    assert (
        "comp.versions = [<FC_SH001_comp_Main_v001 (Version)>, <FC_SH001_comp_Main_v002 (Version)>, "
        "<FC_SH001_comp_Main_v003 (Version)>]" in lines
    )
    assert f"  {root}/FC/References/Images" in lines


def without_ids(output: str) -> str:
    """The output with the ids that change between runs (the project and its tasks are made anew)."""
    return re.sub(r"(Project|Task|REPO)_?\d+", r"\1_N", output)


@pytest.fixture
def tj3() -> None:
    require_tj3()


def test_the_tutorial_runs_against_the_embedded_system_and_again_with_the_same_results(
    tmp_path: Path, tj3: None
) -> None:
    with embedded_system(tmp_path / "data", tmp_path / "system.log") as base:
        first = run_tutorial(base)
        check_the_tutorials_results(first)
        second = run_tutorial(base)
    check_the_tutorials_results(second)
    assert without_ids(second) == without_ids(first)


@pytest.fixture
def distributed(shared_distributed_system: RunningSystem, tj3: None) -> str:
    return shared_distributed_system.base


@pytest.mark.xdist_group("e2e_distributed")
@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_the_tutorial_runs_against_the_services_as_separate_processes(distributed: str) -> None:
    check_the_tutorials_results(run_tutorial(distributed))
