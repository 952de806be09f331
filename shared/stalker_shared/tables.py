"""The outbox and inbox tables, added to each service's own metadata (each service has its own database)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, Uuid, text

from stalker_shared.db import BigIntKey, UTCDateTime

# The predicates of the outbox's partial indexes (the migrations spell them the same way).
PENDING = "published_at IS NULL AND parked_at IS NULL"
PARKED = "parked_at IS NOT NULL"


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def add_messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        "outbox_message",
        metadata,
        Column("id", BigIntKey, primary_key=True, autoincrement=True),
        Column("message_id", Uuid, nullable=False, unique=True),
        Column("exchange", String(200), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("message_type", String(200), nullable=False),
        Column("correlation_id", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("published_at", UTCDateTime, nullable=True),
        # How many times the broker refused this message (a lost connection does not count), and why;
        # past the relay's limit it is parked: left out of publishing until an admin requeues it.
        Column("publish_attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Column("parked_at", UTCDateTime, nullable=True),
        Column("parked_reason", Text, nullable=True),
        Index(
            "ix_outbox_message_pending",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        Index(
            "ix_outbox_message_parked",
            "id",
            postgresql_where=text(PARKED),
            sqlite_where=text(PARKED),
        ),
    )
    inbox = Table(
        "inbox_message",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("message_id", Uuid, primary_key=True),
        Column("message_type", String(200), nullable=False),
        Column("processed_at", UTCDateTime, nullable=False),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)
