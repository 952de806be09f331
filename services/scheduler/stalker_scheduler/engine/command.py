"""The tj3 command: TaskJuggler's own executable, in a fresh directory, its CSV report and booking export
read back. Slower than the driver at size (its report machinery), but what runs when the driver cannot."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from stalker_scheduler.engine.errors import Tj3Failed, Tj3Missing
from stalker_scheduler.engine.interface import Tj3Result
from stalker_scheduler.engine.process import PROJECT_FILE, environment, execute, failure, run_directory

TJ3_INSTALL_HINT = (
    "TaskJuggler's tj3 was not found. Install it with `apt-get install tj3` on Debian/Ubuntu, "
    "elsewhere with `gem install taskjuggler`, or point the scheduler at the executable."
)
_UNBUFFERED = "unbuffered_stdout.rb"


@dataclass(frozen=True)
class Tj3Command:
    """The `tj3` command at `tj3_path`, as a Tj3Engine."""

    tj3_path: str = "tj3"

    async def run(self, tjp_text: str, *, timeout: float, yjit: bool = False) -> Tj3Result:
        """Run tj3 on `tjp_text` (see `run_tj3`)."""
        return await run_tj3(tjp_text, tj3_path=self.tj3_path, timeout=timeout, yjit=yjit)


async def run_tj3(tjp_text: str, *, tj3_path: str = "tj3", timeout: float, yjit: bool = False) -> Tj3Result:
    """Run tj3 on `tjp_text` and return the one CSV report it writes (`yjit`: with Ruby's JIT)."""
    async with run_directory(tjp_text) as directory:
        await asyncio.to_thread((directory / _UNBUFFERED).write_text, "$stdout.sync = true\n")
        # `--enable=yjit` (not `--yjit`) because a Ruby without YJIT only warns about it instead of failing.
        rubyopt = f"-r{directory / _UNBUFFERED}" + (" --enable=yjit" if yjit else "")
        command = (tj3_path, "--no-color", PROJECT_FILE, "-o", str(directory))
        try:
            finished = await execute(command, directory, environment(directory, rubyopt), timeout)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise Tj3Missing(f"{TJ3_INSTALL_HINT} ({tj3_path}: {exc.strerror})") from exc
        if finished.returncode != 0:
            raise failure(finished)
        reports = await asyncio.to_thread(lambda: sorted(directory.glob("*.csv")))
        if len(reports) != 1:
            raise Tj3Failed(
                f"tj3 wrote {len(reports)} CSV reports, expected one",
                (),
                stderr=finished.stderr,
                returncode=0,
            )
        csv_text = await asyncio.to_thread(reports[0].read_text, encoding="utf-8")
        exports = await asyncio.to_thread(lambda: sorted(directory.glob("*.tji")))
        bookings = await asyncio.to_thread(exports[0].read_text, encoding="utf-8") if exports else None
        return Tj3Result(
            csv_text=csv_text,
            stderr=finished.stderr,
            phases=finished.phases,
            elapsed=finished.elapsed,
            bookings_text=bookings,
        )
