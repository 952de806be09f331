"""A server's notice that it is stopping, for the responses that would otherwise hold it open."""

from __future__ import annotations

from collections.abc import Callable


class Draining:
    """A server's notice that it is stopping, in every request's `request.state.draining`. uvicorn waits for
    every open response before it exits, so responses that would last (event streams) register what ends
    them and are ended at once instead of holding the process until they expire."""

    def __init__(self) -> None:
        self._callbacks: set[Callable[[], None]] = set()
        self.started = False

    def on_drain(self, callback: Callable[[], None]) -> None:
        if self.started:
            callback()
        self._callbacks.add(callback)

    def start(self) -> None:
        self.started = True
        for callback in list(self._callbacks):
            callback()
