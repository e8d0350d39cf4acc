"""Privacy (AVG/GDPR): erase one conversation on request, and keep nothing past retention.

Covers the helpdesk tables, the channels' per-user tables and Rasa's tracker store. SMS
opt-outs are kept on purpose: a STOP must be honoured for as long as the number exists.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Dict

from sqlalchemy import create_engine, delete, inspect, or_, select, text

from channels import store as channel_store
from helpdesk import models
from helpdesk.database import session_scope
from leerwijzer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore keeps every event in this table (rasa/core/tracker_store.py).
TRACKER_EVENTS_TABLE = "events"


def tracker_store_url(settings: Settings) -> str:
    """SQLAlchemy URL of Rasa's tracker store: a SQLite path, or a full URL (scale-out)."""
    value = settings.tracker_store_db
    return value if "://" in value else f"sqlite:///{value}"


def erase_conversation(sender_id: str, settings: Settings | None = None) -> Dict[str, int]:
    """Delete everything the helpdesk and the channels stored about one conversation.

    Returns:
        Rows deleted per table.
    """
    settings = settings or get_settings()
    deleted: Dict[str, int] = {}
    with session_scope(settings.database_url) as session:
        conversation_ids = list(
            session.execute(
                select(models.Conversation.id).where(models.Conversation.sender_id == sender_id)
            ).scalars()
        )
        for model in (models.Message, models.Note, models.Case):
            deleted[model.__tablename__] = session.execute(
                delete(model).where(model.conversation_id.in_(conversation_ids))
            ).rowcount
        deleted["hd_tasks"] = session.execute(
            delete(models.Task).where(
                or_(models.Task.sender_id == sender_id, models.Task.conversation_id.in_(conversation_ids))
            )
        ).rowcount
        deleted["hd_events"] = session.execute(
            delete(models.HelpdeskEvent).where(models.HelpdeskEvent.conversation_id.in_(conversation_ids))
        ).rowcount
        deleted["hd_conversations"] = session.execute(
            delete(models.Conversation).where(models.Conversation.id.in_(conversation_ids))
        ).rowcount
        deleted.update(_erase_channel_rows(session, sender_id))
    return deleted


def _erase_channel_rows(session, sender_id: str) -> Dict[str, int]:
    """Delete the channels' per-user rows (buttons offered, last message time, delivery status)."""
    existing = set(inspect(session.get_bind()).get_table_names())
    deleted = {}
    for table, column in (
        (channel_store.button_offers, "recipient_id"),
        (channel_store.last_inbound, "sender_id"),
        (channel_store.message_status, "recipient_id"),
    ):
        if table.name in existing:
            deleted[table.name] = session.execute(delete(table).where(table.c[column] == sender_id)).rowcount
    return deleted


@dataclass
class PurgeReport:
    """What a retention run deleted."""

    cutoff: dt.datetime
    deleted: Dict[str, int] = field(default_factory=dict)


def purge_expired(settings: Settings | None = None, now: dt.datetime | None = None) -> PurgeReport:
    """Delete transcripts, notes, tasks and tracker events older than the retention period."""
    settings = settings or get_settings()
    now = now or dt.datetime.utcnow()
    cutoff = now - dt.timedelta(days=settings.retention_days)
    report = PurgeReport(cutoff=cutoff)
    with session_scope(settings.database_url) as session:
        for model, column in (
            (models.Message, models.Message.created_at),
            (models.Note, models.Note.created_at),
            (models.Task, models.Task.created_at),
            (models.HelpdeskEvent, models.HelpdeskEvent.created_at),
            (models.SeenMessage, models.SeenMessage.seen_at),
            (models.Case, models.Case.ended_at),  # open cases stay until they end
        ):
            report.deleted[model.__tablename__] = session.execute(
                delete(model).where(column < cutoff)
            ).rowcount
        existing = set(inspect(session.get_bind()).get_table_names())
        for table, column in (
            (channel_store.button_offers, "offered_at"),
            (channel_store.message_status, "recorded_at"),
            (channel_store.callback_payloads, "created_at"),
        ):
            if table.name in existing:
                report.deleted[table.name] = session.execute(
                    delete(table).where(table.c[column] < cutoff)
                ).rowcount
    report.deleted[f"tracker {TRACKER_EVENTS_TABLE}"] = _purge_tracker_events(settings, cutoff)
    return report


def _purge_tracker_events(settings: Settings, cutoff: dt.datetime) -> int:
    """Delete Rasa tracker events older than the cutoff (a table Rasa creates on first use)."""
    engine = create_engine(tracker_store_url(settings))
    try:
        if TRACKER_EVENTS_TABLE not in inspect(engine).get_table_names():
            return 0
        epoch = cutoff.replace(tzinfo=dt.timezone.utc).timestamp()
        with engine.begin() as connection:
            return connection.execute(
                text(f"DELETE FROM {TRACKER_EVENTS_TABLE} WHERE timestamp < :cutoff"), {"cutoff": epoch}
            ).rowcount
    finally:
        engine.dispose()
