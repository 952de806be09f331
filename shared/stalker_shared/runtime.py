"""What a service is (its definition) and the long-lived resources it runs on (its runtime)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import MetaData, text

from stalker_shared.access import Access, access_from_token
from stalker_shared.auth import Principal, TokenVerifier, load_signing_keys
from stalker_shared.consumer import MessageConsumer, Subscription
from stalker_shared.contracts import ALL_CONTRACTS, ContractRegistry
from stalker_shared.db import create_engine, create_sessionmaker
from stalker_shared.logging import get_logger
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport, RabbitTransport, Transport
from stalker_shared.messaging.queues import stalker_topology
from stalker_shared.messaging.topology import Topology
from stalker_shared.migrations import is_at_head, upgrade_to_head
from stalker_shared.notifications import listen_params
from stalker_shared.outbox import OutboxRelay
from stalker_shared.outbox_status import relay_check
from stalker_shared.scope import ScopeRules
from stalker_shared.settings import ServiceSettings
from stalker_shared.tables import MessagingTables
from stalker_shared.unit_of_work import UnitOfWork

_log = get_logger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    metadata: MetaData
    tables: MessagingTables
    migrations: Path
    routers: Sequence[APIRouter]
    subscriptions: tuple[Subscription, ...] = ()
    # Extra set-up of the service's FastAPI app (exception handlers for its own errors...).
    configure_app: Callable[[FastAPI], None] | None = None
    # Idempotent set-up after migrations (default data): run by `migrate` and by embedded start-up.
    bootstrap: Callable[[Runtime], Awaitable[object]] | None = None
    # Called when the service's workers start and after they stop (a process the consumers use, started
    # ahead of the first message and stopped with them).
    workers_started: Callable[[], Awaitable[None]] | None = None
    workers_stopped: Callable[[], None] | None = None
    # Background loops the worker runs beside its consumers (retention, deliveries): each runs until the
    # event is set, then returns within the shutdown grace.
    loops: tuple[Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]], ...] = ()
    # The caller's access, read from the service's own data at the start of each request.
    load_access: Callable[[Any, Principal], Awaitable[Access]] = access_from_token
    # The service's project-scoped models and how each finds its project (see scope.py).
    scope_rules: ScopeRules = field(default_factory=dict)
    # The service's own long-lived collaborators (a catalog client, a cache...), typed by the service;
    # routes reach them through the request's runtime (requests.runtime_of).
    state: Any = None
    registry: ContractRegistry = field(default_factory=lambda: ContractRegistry(ALL_CONTRACTS))

    @property
    def prefix(self) -> str:
        """Every route of the service lives under this path, so one gateway routes without rewriting."""
        return f"/{self.name}"


def make_transport(settings: ServiceSettings, connection_name: str) -> Transport:
    if settings.broker_url:
        return RabbitTransport(settings.broker_url, connection_name=connection_name)
    return InMemoryTransport(InMemoryBroker())


class Runtime:
    """Engine, sessions, transport and outbox relay of one service in one process."""

    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        transport: Transport | None = None,
        *,
        role: str = "api",
        topology: Topology | None = None,
    ) -> None:
        self.definition = definition
        self.settings = settings
        if settings.embedded_database:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(settings.resolved_database_url())
        self.sessionmaker = create_sessionmaker(self.engine)
        self.topology = topology or stalker_topology(settings.messaging_namespace, settings.delivery_limit)
        self.transport = transport or make_transport(settings, f"{definition.name}-{role}")
        self.relay = OutboxRelay(
            service=definition.name,
            sessionmaker=self.sessionmaker,
            tables=definition.tables,
            transport=self.transport,
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval,
            park_after=settings.outbox_park_after,
            listen_params=listen_params(self.engine),
        )
        self.keys = load_signing_keys(settings)
        self.auth = TokenVerifier(self.keys.public_pem)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            self.sessionmaker,
            self.definition.tables,
            self.topology,
            self.relay.wake,
            relay_elsewhere=lambda: not self.relay.running,
        )

    async def open(self, *, migrate: bool | None = None) -> None:
        """Migrate (by default only an embedded SQLite database), connect and declare the topology."""
        if migrate if migrate is not None else self.settings.embedded_database:
            await self.migrate()
        await self.transport.connect()
        if self.settings.declare_topology:
            await self.transport.declare(self.topology)

    async def migrate(self) -> None:
        """Upgrade the database to the latest migration, then run the service's bootstrap."""
        await upgrade_to_head(self.engine, self.definition.migrations)
        if self.definition.bootstrap is not None:
            await self.definition.bootstrap(self)

    async def close(self) -> None:
        await self.transport.close()
        await self.engine.dispose()

    def consumers(self) -> list[MessageConsumer]:
        return [
            MessageConsumer(
                service=self.definition.name,
                subscription=subscription,
                registry=self.definition.registry,
                unit_of_work=self.unit_of_work,
                transport=self.transport,
                topology=self.topology,
                prefetch=subscription.prefetch or self.settings.consumer_prefetch,
                retry_backoff=self.settings.retry_backoff_seconds,
            )
            for subscription in self.definition.subscriptions
        ]

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state: 'ok' or the reason it is not ready."""
        checks: dict[str, str] = {}
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        reachable = checks["database"] == "ok"
        checks["migrations"] = await self._migrations_check() if reachable else "unknown"
        checks["broker"] = "ok" if self.transport.is_connected() else "not connected"
        checks["relay"] = await self._relay_check() if reachable else "unknown"
        return checks

    async def _migrations_check(self) -> str:
        try:
            at_head = await is_at_head(self.engine, self.definition.migrations)
        except Exception as exc:
            return f"unknown: {type(exc).__name__}"
        return "ok" if at_head else "database is not at the latest migration"

    async def _relay_check(self) -> str:
        try:
            async with self.sessionmaker() as session:
                return await relay_check(
                    session,
                    self.definition.tables.outbox,
                    self.relay,
                    self.settings.outbox_stuck_after_seconds,
                )
        except Exception as exc:
            return f"unknown: {type(exc).__name__}"
