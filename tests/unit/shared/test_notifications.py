"""The listening connection connects as the engine's pool does: the URL's options reach asyncpg as the
keyword arguments SQLAlchemy's dialect gives them (a DSN would send `ssl` to the server as a setting,
which it refuses), without the dialect's own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import create_async_engine

from stalker_shared.notifications import listen_params


def test_listen_params_are_the_pools_connect_arguments() -> None:
    engine = create_async_engine(
        "postgresql+asyncpg://us%40er:p%40ss%2Fw@db.example:6543/stalker_catalog"
        "?ssl=require&prepared_statement_cache_size=0"
    )
    params = listen_params(engine)
    assert params == {
        "host": "db.example",
        "port": 6543,
        "user": "us@er",
        "password": "p@ss/w",
        "database": "stalker_catalog",
        "ssl": "require",
    }


def test_nothing_to_listen_to_on_sqlite() -> None:
    assert listen_params(create_async_engine("sqlite+aiosqlite:///:memory:")) is None
