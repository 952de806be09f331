"""One warm server process, `ruby driver.rb --serve`, and the socket it is driven through: starting it,
reading its reply lines, telling whether it is alive, and stopping it. The policy (one run at a time,
restarts, the cold fallback, timeouts) is the warm driver's (warm_driver.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stalker_scheduler.engine.errors import DriverUnavailable
from stalker_scheduler.engine.process import DRIVER, environment


class ServerGone(Exception):
    """The server's socket closed or said something unexpected: it is stopped and restarted next time."""


@dataclass
class WarmServer:
    process: subprocess.Popen[bytes]
    sock: socket.socket
    home: str
    buffer: bytes = b""

    def alive(self) -> bool:
        """Running and idle: between runs the server sends nothing, so a readable socket means it closed."""
        if self.process.poll() is not None or self.sock.fileno() == -1:
            return False
        readable, _, _ = select.select([self.sock], [], [], 0)
        return not readable and not self.buffer

    async def line(self) -> str:
        """The server's next reply line."""
        loop = asyncio.get_running_loop()
        while b"\n" not in self.buffer:
            try:
                data = await loop.sock_recv(self.sock, 4096)
            except OSError as exc:  # reset by a server that died with our request unread
                raise ServerGone(f"the warm tj3 driver's socket failed: {exc}") from exc
            if not data:
                raise ServerGone("the warm tj3 driver closed its socket")
            self.buffer += data
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", errors="replace")


def spawn_server(ruby_path: str, *, yjit: bool) -> WarmServer:
    """Start a server in a home directory of its own, talking over a socket pair; it says "ready" once it
    has loaded TaskJuggler and warmed up. DriverUnavailable when `ruby_path` cannot run."""
    home = tempfile.mkdtemp(prefix="stalker-tj3-warm-")
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    jit = ("--enable=yjit",) if yjit else ()
    command = (ruby_path, *jit, str(DRIVER), "--serve", str(theirs.fileno()))
    try:
        process = subprocess.Popen(
            command,
            cwd=home,
            env=environment(Path(home), ""),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        ours.close()
        shutil.rmtree(home, ignore_errors=True)
        raise DriverUnavailable(f"Ruby was not found ({ruby_path}: {exc.strerror})") from exc
    finally:
        theirs.close()
    ours.setblocking(False)
    return WarmServer(process=process, sock=ours, home=home)


def stop_server(process: subprocess.Popen[bytes], sock: socket.socket, home: str) -> None:
    """Close the socket (the server exits and kills a running child), then make sure it is gone."""
    with contextlib.suppress(OSError):
        sock.close()
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    shutil.rmtree(home, ignore_errors=True)


async def pipe_reader(
    loop: asyncio.AbstractEventLoop, pipe: BinaryIO
) -> tuple[asyncio.StreamReader, asyncio.BaseTransport]:
    """A stream over the read end of a pipe a forked child writes to."""
    reader = asyncio.StreamReader(limit=2**20)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    return reader, transport
