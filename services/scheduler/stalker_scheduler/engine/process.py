"""What every process that runs TaskJuggler shares: where the driver is, the files and directory of a run,
the environment it gets, running it with a hard timeout (its whole process group killed), and how it ended
read as a result or a failure."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from stalker_scheduler.engine.errors import Tj3Failed, Tj3Timeout
from stalker_scheduler.engine.interface import Tj3Result
from stalker_scheduler.engine.progress import progress, read_all
from stalker_scheduler.tjp.problems import map_problems

DRIVER = Path(__file__).parents[1] / "ruby" / "driver.rb"
PROJECT_FILE = "schedule.tjp"
RESULT_FILE = "result.tsv"
DRIVER_UNAVAILABLE = 3  # driver.rb's exit status when this Ruby cannot load TaskJuggler
# Only what tj3 needs: no secret can leak through its `$(VAR)` expansion, and dates do not depend on the
# host's zone or locale (tj3 reads the file as UTF-8 only under a UTF-8 locale).
_PASSED_ENV = ("PATH", "GEM_HOME", "GEM_PATH", "RUBYLIB")


@dataclass(frozen=True)
class Finished:
    """How a tj3 or driver process ended: its status, its stderr and its phases' seconds."""

    returncode: int
    stderr: str
    phases: dict[str, float]
    elapsed: float


@contextlib.asynccontextmanager
async def run_directory(tjp_text: str) -> AsyncIterator[Path]:
    """A fresh directory for one run, holding `tjp_text` as the project file; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="stalker-tj3-") as workdir:
        directory = Path(workdir)
        await asyncio.to_thread((directory / PROJECT_FILE).write_text, tjp_text, encoding="utf-8")
        yield directory


def environment(workdir: Path, rubyopt: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.setdefault("PATH", os.defpath)
    # HOME and the working directory are the fresh run directory, so no stray .taskjugglerrc applies;
    # tj3's RUBYOPT requires a file that makes Ruby flush progress lines at once, which is what times the
    # phases (the driver does that itself).
    return env | {
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "RUBYOPT": rubyopt,
    }


async def execute(command: tuple[str, ...], directory: Path, env: dict[str, str], timeout: float) -> Finished:
    """Run `command` in `directory`, timing its phases; on timeout its whole process group is killed."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=directory,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # one process group: a wrapper script's children die with it
    )
    try:
        async with asyncio.timeout(timeout):
            phases, stderr_bytes = await asyncio.gather(
                progress(process.stdout, started), read_all(process.stderr)
            )
            returncode = await process.wait()
    except TimeoutError:
        raise Tj3Timeout.after(timeout) from None
    finally:
        await _stop(process)
    return Finished(
        returncode=returncode,
        stderr=stderr_bytes.decode("utf-8", errors="replace"),
        phases=phases,
        elapsed=time.perf_counter() - started,
    )


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


def failure(finished: Finished) -> Tj3Failed:
    """A run that exited non-zero, as Tj3Failed with tj3's problems."""
    problems = map_problems(finished.stderr)
    first = next((problem.message for problem in problems if problem.severity == "error"), None)
    return Tj3Failed(
        f"tj3 failed: {first or f'exit status {finished.returncode}'}",
        problems,
        stderr=finished.stderr,
        returncode=finished.returncode,
    )


async def driver_result(directory: Path, finished: Finished) -> Tj3Result:
    """What a driver run (cold or warm) in `directory` produced: its result file, or its failure."""
    if finished.returncode != 0:
        raise failure(finished)
    try:
        result = await asyncio.to_thread((directory / RESULT_FILE).read_text, encoding="utf-8")
    except FileNotFoundError:
        raise Tj3Failed("the tj3 driver wrote no result", (), stderr=finished.stderr, returncode=0) from None
    return Tj3Result(
        csv_text="",
        stderr=finished.stderr,
        phases=finished.phases,
        elapsed=finished.elapsed,
        result_text=result,
    )
