"""Privacy (AVG/GDPR): erase one conversation on request, and keep nothing past retention.

Both walk the one list of tables with personal data, `helpdesk.personal_data.PERSONAL_TABLES`:
Rasa's tracker store, the intake records, the helpdesk tables and the channels' tables. A table
missing from a database (the channels' tables before a channel ran, a table added in a later
release) is skipped. SMS opt-outs (STOP) are kept on purpose: a STOP must be honoured for as
long as the number exists.

SQLite files are deleted from with `secure_delete` on and their WAL is checkpointed afterwards,
so erased text does not live on in free pages or in the `-wal` file.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from helpdesk.database import engine_for
from helpdesk.personal_data import (
    APP,
    CONVERSATION_ID,
    EXPIRED,
    HELPDESK_CONVERSATION,
    SMS_NUMBER,
    TRACKER,
    TRACKER_EVENTS_TABLE,
    PersonalTable,
    personal_table,
    tables_in,
)
from leerwijzer.redact import mask_id
from leerwijzer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# Prefix of SMS conversation ids (channels/identity.py): the opt-out table keys the bare number.
_SMS_PREFIX = "sms:"


def tracker_store_url(settings: Settings | None = None) -> str:
    """SQLAlchemy URL of Rasa's tracker store: LEERWIJZER_TRACKER_DB is a SQLite path or a full URL."""
    value = (settings or get_settings()).tracker_store_db
    return value if "://" in value else f"sqlite:///{value}"


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite overwrite deleted rows instead of only marking their pages free."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _tracker_missing(url: str | sa.engine.URL) -> bool:
    """True for a SQLite tracker file Rasa has not made yet (nothing to delete, nothing to create)."""
    parsed = sa.engine.make_url(url)
    database = parsed.database or ""
    return (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not Path(database).exists()
    )


def tracker_engine(url: str) -> Engine:
    """An engine on the tracker store; SQLite connections delete with `secure_delete`.

    Rasa's store owns the connections it writes with; ours only reads markers and deletes.
    The caller disposes of it.
    """
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _secure_delete)
    return engine


def _checkpoint_sqlite(url: str) -> None:
    """Move a SQLite WAL into the main file and empty it (deleted rows live on in `-wal`)."""
    engine = sa.create_engine(url, future=True)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def _table(entry: PersonalTable, *columns: sa.Column) -> sa.sql.TableClause:
    """A lightweight table clause with just the columns a statement needs."""
    return sa.table(entry.name, *columns)


def _time_column(entry: PersonalTable) -> sa.sql.ColumnClause:
    """The purge rule's time column, typed so the driver compares like with like."""
    return sa.column(entry.purge.column, sa.Float if entry.purge.epoch_seconds else sa.DateTime)


def _existing_tables(connection: Connection) -> Set[str]:
    """Names of the tables that exist in the database behind a connection."""
    return set(sa.inspect(connection).get_table_names())


# Erase.


@dataclass
class _Conversation:
    """The values one conversation's rows carry in the various key columns."""

    conversation_id: str
    helpdesk_ids: List[int]

    def condition(self, entry: PersonalTable) -> sa.sql.ColumnElement | None:
        """Rows of this conversation in a table, or None when no key of it can match."""
        matches = []
        for key in entry.erase:
            if key.holds == CONVERSATION_ID:
                matches.append(sa.column(key.column, sa.String) == self.conversation_id)
            elif key.holds == HELPDESK_CONVERSATION and self.helpdesk_ids:
                matches.append(sa.column(key.column, sa.Integer).in_(self.helpdesk_ids))
            elif key.holds == SMS_NUMBER and self.conversation_id.startswith(_SMS_PREFIX):
                number = self.conversation_id[len(_SMS_PREFIX) :]
                matches.append(sa.column(key.column, sa.String) == number)
        if not matches:
            return None
        condition = sa.or_(*matches)
        if entry.kept_while:
            condition = sa.and_(condition, sa.not_(sa.column(entry.kept_while, sa.Boolean)))
        return condition


def _erase_rows(
    connection: Connection, entries: List[PersonalTable], conversation: _Conversation
) -> Dict[str, int]:
    """Delete the conversation's rows from each table of `entries` that exists."""
    existing = _existing_tables(connection)
    deleted: Dict[str, int] = {}
    for entry in entries:
        if entry.name not in existing or not entry.erase:
            continue
        condition = conversation.condition(entry)
        if condition is None:
            deleted[entry.name] = 0
            continue
        deleted[entry.name] = int(connection.execute(sa.delete(_table(entry)).where(condition)).rowcount or 0)
    return deleted


def _helpdesk_ids(connection: Connection, conversation_id: str) -> List[int]:
    """The helpdesk's row ids of a conversation (read before hd_conversations is erased)."""
    conversations = personal_table("hd_conversations")
    if conversations.name not in _existing_tables(connection):
        return []
    key = sa.column(conversations.erase[0].column, sa.String)
    query = (
        sa.select(sa.column("id", sa.Integer))
        .select_from(_table(conversations))
        .where(key == conversation_id)
    )
    return [int(row[0]) for row in connection.execute(query)]


def erase_tracker_rows(conversation_id: str, url: str, before: float | None = None) -> int:
    """Delete a conversation's rows from Rasa's tracker store: all, or those older than `before`.

    `before` is the Unix timestamp of the new session start Rasa saved after the erase; rows
    from that moment on belong to the new, empty session.
    """
    entry = personal_table(TRACKER_EVENTS_TABLE)
    if _tracker_missing(url):
        return 0
    engine = tracker_engine(url)
    try:
        with engine.begin() as connection:
            if entry.name not in _existing_tables(connection):
                return 0
            condition = _Conversation(conversation_id, []).condition(entry)
            if before is not None:
                condition = sa.and_(condition, _time_column(entry) < before)
            deleted = int(connection.execute(sa.delete(_table(entry)).where(condition)).rowcount or 0)
    finally:
        engine.dispose()
    _checkpoint_sqlite(url)
    return deleted


def session_start_after(conversation_id: str, engine: Engine, after: float) -> float | None:
    """The newest session start Rasa saved for a conversation at or after `after`, else None.

    `engine` is a `tracker_engine`: the delayed erase polls with one engine, not one per poll.
    """
    entry = personal_table(TRACKER_EVENTS_TABLE)
    if _tracker_missing(engine.url):
        return None
    with engine.connect() as connection:
        if entry.name not in _existing_tables(connection):
            return None
        newest = connection.execute(
            sa.select(sa.func.max(_time_column(entry)))
            .select_from(_table(entry))
            .where(
                _Conversation(conversation_id, []).condition(entry),
                sa.column("type_name", sa.String) == "session_started",
            )
        ).scalar()
    return None if newest is None or float(newest) < after else float(newest)


def erase_conversation(
    conversation_id: str,
    settings: Settings | None = None,
    *,
    keep_for_confirmation: bool = False,
    tracker_before: float | None = None,
) -> Dict[str, int]:
    """Delete every row of one conversation from every table with personal data.

    Args:
        conversation_id: the channel-qualified conversation id (Rasa's sender id).
        settings: where the databases are (default: the process settings).
        keep_for_confirmation: leave the rows that sending the erase confirmation still needs
            (the tracker rows and channel_last_inbound; see `needed_for_confirmation`); the
            caller deletes them with a second call once the confirmation went out.
        tracker_before: only delete tracker rows older than this Unix timestamp (the new
            session start Rasa saved); None deletes all of them.

    Returns:
        Rows deleted per table.
    """
    settings = settings or get_settings()
    keep = keep_for_confirmation
    deleted: Dict[str, int] = {}
    failures: List[Exception] = []
    # The two databases are erased independently: one failing must not keep rows in the other.
    app_entries = [entry for entry in tables_in(APP) if not (keep and entry.needed_for_confirmation)]
    try:
        with engine_for(settings.database_url).begin() as connection:
            conversation = _Conversation(conversation_id, _helpdesk_ids(connection, conversation_id))
            deleted.update(_erase_rows(connection, app_entries, conversation))
        _checkpoint_sqlite(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - raised below, after the tracker had its turn
        failures.append(exc)
    tracker_entries = [entry for entry in tables_in(TRACKER) if not (keep and entry.needed_for_confirmation)]
    if tracker_entries:
        try:
            deleted[TRACKER_EVENTS_TABLE] = erase_tracker_rows(
                conversation_id, tracker_store_url(settings), tracker_before
            )
        except Exception as exc:  # noqa: BLE001 - raised below
            failures.append(exc)
    if failures:
        for later in failures[1:]:
            logger.error(
                "Erasing the tracker rows of %s failed too", mask_id(conversation_id), exc_info=later
            )
        raise failures[0]
    logger.info(
        "Erased conversation %s%s: %s",
        mask_id(conversation_id),
        " (rows needed for the confirmation kept)" if keep else "",
        {name: count for name, count in deleted.items() if count},
    )
    return deleted


# Retention purge.


@dataclass
class PurgeReport:
    """What a retention run deleted."""

    cutoff: dt.datetime
    deleted: Dict[str, int] = field(default_factory=dict)


def _purge_statement(entry: PersonalTable, now: dt.datetime, cutoff: dt.datetime, existing: Set[str]) -> Any:
    """DELETE of the rows of a table the purge removes."""
    rule = entry.purge
    table = _table(entry, _time_column(entry), sa.column("id", sa.Integer))
    moment = now if rule.when == EXPIRED else cutoff
    limit: Any = moment.replace(tzinfo=dt.timezone.utc).timestamp() if rule.epoch_seconds else moment
    condition = table.c[rule.column] < limit
    for reference in rule.unless_referenced_by:
        name, column = reference.split(".")
        if name not in existing:
            continue
        referring = sa.table(name, sa.column(column, sa.Integer))
        # Qualified names: an unqualified `id` inside the subquery would be the other table's.
        pointed_at = sa.select(sa.literal(1)).select_from(referring).where(referring.c[column] == table.c.id)
        condition = sa.and_(condition, ~sa.exists(pointed_at.correlate(table)))
    if entry.kept_while:
        condition = sa.and_(condition, sa.not_(sa.column(entry.kept_while, sa.Boolean)))
    return sa.delete(table).where(condition)


def _purge_rows(
    connection: Connection, entries: List[PersonalTable], now: dt.datetime, cutoff: dt.datetime
) -> Dict[str, int]:
    """Delete the expired rows of each table of `entries` that exists, in registry order."""
    existing = _existing_tables(connection)
    deleted: Dict[str, int] = {}
    for entry in entries:
        if entry.name in existing:
            statement = _purge_statement(entry, now, cutoff, existing)
            deleted[entry.name] = int(connection.execute(statement).rowcount or 0)
    return deleted


def purge_expired(settings: Settings | None = None, now: dt.datetime | None = None) -> PurgeReport:
    """Delete every row of personal data older than the retention period (see personal_data).

    `python -m helpdesk purge` and the console's hourly task call this.
    """
    settings = settings or get_settings()
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    cutoff = now - dt.timedelta(days=settings.retention_days)
    report = PurgeReport(cutoff=cutoff)
    with engine_for(settings.database_url).begin() as connection:
        report.deleted.update(_purge_rows(connection, list(tables_in(APP)), now, cutoff))
    _checkpoint_sqlite(settings.database_url)
    url = tracker_store_url(settings)
    if _tracker_missing(url):
        return report
    engine = tracker_engine(url)
    try:
        with engine.begin() as connection:
            report.deleted.update(_purge_rows(connection, list(tables_in(TRACKER)), now, cutoff))
    finally:
        engine.dispose()
    _checkpoint_sqlite(url)
    return report
