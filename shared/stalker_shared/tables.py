"""The outbox and inbox tables, added to each service's own metadata (each service has its own database)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, Uuid, text

from stalker_shared.db import BigIntKey, UTCDateTime


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
        Column("publish_attempts", Integer, nullable=False, server_default=text("0")),
        Index(
            "ix_outbox_message_pending",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
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
