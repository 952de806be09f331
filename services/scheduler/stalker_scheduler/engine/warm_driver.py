"""The warm driver: one long-lived `ruby driver.rb --serve` per worker (warm_server.py), forking a child
per run.

The server has loaded TaskJuggler and scheduled a small project once (so YJIT has compiled the hot paths);
each child starts from there, which saves Ruby's start, the library's loading and the JIT's warm-up on every
run. The child writes to pipes this process creates and reads exactly as for a cold run (progress lines
timed, stderr mapped to problems); the server reports the child's pid so a timeout kills it. One run at a
time per server. A server that dies is noticed (its socket closes) and started again for the next run;
the run it was serving goes to a cold driver instead. The server exits when this process closes the socket,
whether by `close()`, at interpreter exit, or because the worker died.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
import weakref
from pathlib import Path

from stalker_scheduler.engine.cold_driver import run_driver
from stalker_scheduler.engine.errors import DriverUnavailable, Tj3Timeout
from stalker_scheduler.engine.interface import Tj3Result
from stalker_scheduler.engine.process import (
    DRIVER_UNAVAILABLE,
    PROJECT_FILE,
    RESULT_FILE,
    Finished,
    driver_result,
    run_directory,
)
from stalker_scheduler.engine.progress import progress, read_all
from stalker_scheduler.engine.warm_server import (
    ServerGone,
    WarmServer,
    pipe_reader,
    spawn_server,
    stop_server,
)
from stalker_shared.logging import get_logger

START_TIMEOUT_SECONDS = 60.0
# After a failed start, runs go to a cold driver for this long before a new server is tried.
_RESTART_BACKOFF_SECONDS = 300.0
_log = get_logger(__name__)


class _StartFailed(Exception):
    """The warm server did not become ready (its Ruby can load TaskJuggler): runs go cold for a while."""


class WarmDriver:
    """Runs the driver through a warm server, as a Tj3Engine with the cold driver's contract; `start` and
    `close` are the worker's start and stop hooks (definition.py)."""

    def __init__(
        self, ruby_path: str = "ruby", *, yjit: bool = True, start_timeout: float = START_TIMEOUT_SECONDS
    ) -> None:
        self.ruby_path = ruby_path
        self.yjit = yjit
        self.start_timeout = start_timeout
        self._server: WarmServer | None = None
        self._lock = asyncio.Lock()
        self._finalizer: (
            weakref.finalize[[subprocess.Popen[bytes], socket.socket, str], WarmDriver] | None
        ) = None
        self._starting: asyncio.Task[None] | None = None
        self._cold_until = 0.0
        self.starts = 0
        """How many servers were started (1 unless one died)."""

    async def run(self, tjp_text: str, *, timeout: float, yjit: bool = False) -> Tj3Result:
        """Schedule `tjp_text` in a child of the warm server. A server that does not start (or did not
        lately) leaves the run to a cold driver; DriverUnavailable when Ruby cannot load TaskJuggler.

        `yjit` is ignored: the server, and a cold run in its place, use the setting it was made with."""
        started = time.perf_counter()
        try:
            # The wait for a run or a start in progress counts against this run's time.
            async with asyncio.timeout(timeout):
                await self._lock.acquire()
        except TimeoutError:
            raise Tj3Timeout.after(timeout) from None
        try:
            if time.monotonic() < self._cold_until:
                return await self._cold(tjp_text, timeout, started)
            try:
                server = await self._ensure(_left(timeout, started))
            except _StartFailed as exc:
                self._cold_until = time.monotonic() + _RESTART_BACKOFF_SECONDS
                _log.warning("warm tj3 driver did not start, running schedules cold for now", reason=str(exc))
                return await self._cold(tjp_text, timeout, started)
            try:
                remaining = timeout - (time.perf_counter() - started)
                return await self._run(server, tjp_text, remaining, timeout)
            except ServerGone as exc:
                _log.warning("warm tj3 driver died, running this schedule cold", reason=str(exc))
                self._shutdown()
                return await self._cold(tjp_text, timeout, started)
        except Tj3Timeout:
            raise Tj3Timeout.after(timeout) from None  # the run's own timeout, not what was left of it
        finally:
            self._lock.release()

    async def _cold(self, tjp_text: str, timeout: float, started: float) -> Tj3Result:
        return await run_driver(
            tjp_text, ruby_path=self.ruby_path, timeout=_left(timeout, started), yjit=self.yjit
        )

    async def start(self) -> None:
        """Start the server in the background, so the first run finds it loaded and warm; a server that
        cannot start is only logged here (each run then falls back as `run` does)."""
        self._starting = asyncio.create_task(self._start())

    async def _start(self) -> None:
        try:
            async with self._lock:
                await self._ensure(self.start_timeout)
        except (_StartFailed, Tj3Timeout) as exc:
            self._cold_until = time.monotonic() + _RESTART_BACKOFF_SECONDS
            _log.warning("warm tj3 driver did not start; schedules run cold for now", reason=str(exc))
        except Exception as exc:  # a background start must say why it failed, whatever the reason
            _log.warning("warm tj3 driver not started", reason=repr(exc))

    def close(self) -> None:
        """Stop the server (the next `run` starts a new one), and a start in progress."""
        starting, self._starting = self._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
        if self._lock.locked() and self._server is not None:
            # A run is in flight: kill the server's group and let the run, which sees its socket close,
            # clean up (closing the socket under its pending read would leave that read hanging).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._server.process.pid, signal.SIGKILL)
            return
        self._shutdown()

    def _shutdown(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._server = self._finalizer = None

    @property
    def pid(self) -> int | None:
        """The server's process id, while one runs."""
        return self._server.process.pid if self._server is not None else None

    async def _ensure(self, timeout: float) -> WarmServer:
        if self._server is not None and self._server.alive():
            return self._server
        self._shutdown()
        server = spawn_server(self.ruby_path, yjit=self.yjit)
        self._server = server
        self._finalizer = weakref.finalize(self, stop_server, server.process, server.sock, server.home)
        self.starts += 1
        ready = ""
        try:
            async with asyncio.timeout(min(self.start_timeout, timeout)):
                ready = await server.line()
        except TimeoutError:
            if timeout <= self.start_timeout:
                self._shutdown()
                raise Tj3Timeout.after(timeout) from None
        except ServerGone:
            pass
        except asyncio.CancelledError:
            self._shutdown()
            raise
        if ready != "ready":
            self._shutdown()
            if server.process.returncode == DRIVER_UNAVAILABLE:
                raise DriverUnavailable(f"{self.ruby_path} cannot load TaskJuggler")
            raise _StartFailed(f"the warm tj3 driver did not start ({self.ruby_path})")
        return server

    async def _run(self, server: WarmServer, tjp_text: str, remaining: float, timeout: float) -> Tj3Result:
        async with run_directory(tjp_text) as directory:
            finished = await self._child(server, directory, remaining, timeout)
            return await driver_result(directory, finished)

    async def _child(self, server: WarmServer, directory: Path, remaining: float, timeout: float) -> Finished:
        """One run in a forked child: its output read as a cold run's, killed at the timeout."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        request = f"{directory}\t{PROJECT_FILE}\t{RESULT_FILE}\n".encode()
        try:
            socket.send_fds(server.sock, [request], [out_write, err_write])
        except OSError as exc:
            for fd in (out_read, out_write, err_read, err_write):
                os.close(fd)
            raise ServerGone(f"the warm tj3 driver cannot take a request: {exc}") from exc
        os.close(out_write)
        os.close(err_write)
        # From here the server may have forked the child: a cancel at any await below must kill it.
        out_pipe = os.fdopen(out_read, "rb", buffering=0)
        err_pipe = os.fdopen(err_read, "rb", buffering=0)
        transports: list[asyncio.BaseTransport] = []
        pid: int | None = None
        try:
            stdout, out_transport = await pipe_reader(loop, out_pipe)
            transports.append(out_transport)
            stderr, err_transport = await pipe_reader(loop, err_pipe)
            transports.append(err_transport)
            async with asyncio.timeout(remaining):
                pid = _child_pid(await server.line())
                phases, stderr_bytes, status = await asyncio.gather(
                    progress(stdout, started), read_all(stderr), server.line()
                )
        except TimeoutError:
            await self._kill(server, pid)
            raise Tj3Timeout.after(timeout) from None
        except (ServerGone, asyncio.CancelledError):
            # A dead server, or a run abandoned (the worker stopping): its child must not run on, and the
            # server, mid-exchange, is replaced.
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._shutdown()
            raise
        finally:
            for transport in transports:
                transport.close()
            out_pipe.close()
            err_pipe.close()
        if not status.startswith("exit "):
            raise ServerGone(f"unexpected reply from the warm tj3 driver: {status!r}")
        return Finished(
            returncode=int(status.split()[1]),
            stderr=stderr_bytes.decode("utf-8", errors="replace"),
            phases=phases,
            elapsed=time.perf_counter() - started,
        )

    async def _kill(self, server: WarmServer, pid: int | None) -> None:
        """Stop a child over its time; the server then reports its exit, or is replaced."""
        if pid is None:
            self._shutdown()
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        try:
            async with asyncio.timeout(5):
                status = await server.line()
                if not status.startswith("exit "):
                    raise ServerGone(status)
        except (TimeoutError, ServerGone):
            self._shutdown()


def _child_pid(reply: str) -> int:
    """The forked child's pid from the server's `pid N` reply."""
    if not reply.startswith("pid "):
        raise ServerGone(f"unexpected reply from the warm tj3 driver: {reply!r}")
    try:
        return int(reply.split()[1])
    except (IndexError, ValueError):
        raise ServerGone(f"unexpected reply from the warm tj3 driver: {reply!r}") from None


def _left(timeout: float, started: float) -> float:
    return max(timeout - (time.perf_counter() - started), 0.001)
