"""A webhook receiver on a loopback port, as a studio's tool would run one: it verifies every request with
the Standard Webhooks library and can be told to fail (500), to answer slowly, or be stopped and started
again on the same port, the way real endpoints misbehave."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.types import Receive, Scope, Send

from support.system import free_port_block


@dataclass
class Arrival:
    path: str
    webhook_id: str
    verified: bool
    body: dict[str, Any]


@dataclass
class Receiver:
    port: int = field(default_factory=lambda: free_port_block(1))
    secrets: dict[str, str] = field(default_factory=dict)  # path -> the subscription's secret
    mode: str = "ok"  # "ok", "fail" (500) or "slow" (answers after `slow_seconds`)
    slow_seconds: float = 0.0
    arrivals: list[Arrival] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        secret = self.secrets.get(scope["path"])
        try:
            verified = secret is not None and Webhook(secret).verify(body, headers) is not None
        except WebhookVerificationError:
            verified = False
        self.arrivals.append(
            Arrival(scope["path"], headers.get("webhook-id", ""), verified, json.loads(body))
        )
        status = 500 if self.mode == "fail" else 200
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok" if status == 200 else b"failing on purpose"})

    def start(self) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=asyncio.run, args=(self._server.serve(),), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = self._thread = None

    def ids(self, path: str) -> list[str]:
        return [a.webhook_id for a in self.arrivals if a.path == path]
