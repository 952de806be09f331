"""An app served exactly as `stalker-<service> api` serves its own (stalker_shared.process.serve), with a
slow route, for the API shutdown test: python -m support.slow_api <port> <seconds>"""

from __future__ import annotations

import asyncio
import sys

from fastapi import FastAPI

from stalker_shared.process import serve


def main() -> None:
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(seconds)
        return {"status": "done"}

    asyncio.run(serve(app, "127.0.0.1", port))


if __name__ == "__main__":
    main()
