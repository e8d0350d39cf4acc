"""Rasa's SQL tracker store, made cheap per message: it reads only rows it has not seen yet.

The stock `SQLTrackerStore` loads and decodes every event of the current session twice per
message (once to build the tracker, once to count what is already stored) and, on SQLite,
syncs the file on every commit. Profiling the chat benchmark showed that as ~40 % of the Rasa
server's time. This store keeps the decoded events of recently active conversations in memory
and, per message, asks the database (in one query) only for rows it has not seen and for a
count that proves no row it holds was deleted (privacy erase, retention purge) or committed
late by another replica. The rows, the table and the session rule ("events since the newest session start")
stay exactly those of `SQLTrackerStore`, so every other tool reads the same data.

On SQLite it also opens the file once per thread-safe pool connection in WAL mode with
`synchronous=NORMAL`: a commit no longer waits for the disk, and a crash can lose at most the
last commits, never corrupt the file.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

# Conversations whose events stay decoded in memory; older ones are simply read again.
DEFAULT_CACHED_CONVERSATIONS = 2000


@dataclass
class StoredRow:
    """One stored event: its row id, timestamp and decoded event."""

    id: int
    timestamp: float
    is_session_start: bool
    event: Event | None  # None for a row Rasa cannot decode (it skips those too)

    @classmethod
    def of(cls, id: int, timestamp: float, type_name: str, event: Event | None) -> StoredRow:
        """A row as read or written; a session start is told by its type name, as Rasa does."""
        return cls(id, timestamp, type_name == SessionStarted.type_name, event)


@dataclass
class CachedConversation:
    """The rows of one sender from `first_id` on, in id order, exactly as stored."""

    first_id: int
    rows: List[StoredRow] = field(default_factory=list)

    @property
    def last_id(self) -> int:
        """Highest row id held (first_id - 1 while empty)."""
        return self.rows[-1].id if self.rows else self.first_id - 1

    def current_session(self) -> List[StoredRow]:
        """Rows since the newest session start, as `SQLTrackerStore._event_query` selects them."""
        starts = [row.timestamp for row in self.rows if row.is_session_start]
        if not starts:
            return list(self.rows)
        newest = max(starts)
        return [row for row in self.rows if row.timestamp >= newest]


class LeerwijzerTrackerStore(SQLTrackerStore):
    """SQL tracker store that reads only unseen rows and runs SQLite in WAL mode."""

    def __init__(
        self, *args: Any, cached_conversations: int = DEFAULT_CACHED_CONVERSATIONS, **kwargs: Any
    ) -> None:
        """Create the store; the arguments are those of `SQLTrackerStore`."""
        super().__init__(*args, **kwargs)
        self._cache: OrderedDict[str, CachedConversation] = OrderedDict()
        self._cache_size = max(0, int(cached_conversations))
        self._refresh_query: Any = None
        if self.engine.dialect.name == "sqlite":
            self._use_pooled_wal_engine()

    def _use_pooled_wal_engine(self) -> None:
        # Rasa opens a new SQLite connection per session; a small pool of WAL connections
        # avoids re-opening the file and the fsync per commit.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=sa.pool.QueuePool,
            pool_size=4,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        def _configure(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        sa.event.listen(self.engine, "connect", _configure)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # --- reading -------------------------------------------------------------------------

    def _decode(self, row: Any) -> StoredRow:
        data = json.loads(row.data)
        event = Event.from_parameters(data) if "event" in data else None
        return StoredRow.of(row.id, row.timestamp, row.type_name, event)

    def _load(self, session: Any, sender_id: str) -> CachedConversation:
        """Read the sender's rows from the first row of the current session on."""
        table = self.SQLEvent
        first_id = (
            self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            .order_by(None)
            .with_entities(sa.func.min(table.id))
            .scalar()
        )
        if first_id is None:
            first_id = self._max_id(session, sender_id) + 1
        # Every row from there on, also rows the session rule leaves out (an event whose
        # timestamp is older than the session start), so the count check below holds.
        rows = (
            session.query(table.id, table.timestamp, table.type_name, table.data)
            .filter(table.sender_id == sender_id, table.id >= first_id)
            .order_by(table.id)
        )
        return CachedConversation(first_id=first_id, rows=[self._decode(row) for row in rows])

    def _max_id(self, session: Any, sender_id: str) -> int:
        table = self.SQLEvent
        value = session.query(sa.func.max(table.id)).filter(table.sender_id == sender_id).scalar()
        return int(value or 0)

    def _refresh_statement(self) -> Any:
        """One round trip: the count of the rows we hold that are still there, and unseen rows.

        Built once; the count sits in a one-row subquery, outer-joined to the unseen rows, so
        the answer has at least one row even when nothing is new.
        """
        if self._refresh_query is None:
            events = self.SQLEvent.__table__
            sender, first, last = sa.bindparam("sender"), sa.bindparam("first"), sa.bindparam("last")
            held = (
                sa.select(sa.func.count(events.c.id).label("held"))
                .where(events.c.sender_id == sender, events.c.id >= first, events.c.id <= last)
                .subquery()
            )
            unseen = events.alias("unseen")
            self._refresh_query = (
                sa.select(held.c.held, unseen.c.id, unseen.c.timestamp, unseen.c.type_name, unseen.c.data)
                .select_from(
                    held.outerjoin(unseen, sa.and_(unseen.c.sender_id == sender, unseen.c.id > last))
                )
                .order_by(unseen.c.id)
            )
        return self._refresh_query

    def _refresh(self, session: Any, sender_id: str) -> CachedConversation:
        """The sender's rows, up to date: cached ones verified, unseen ones appended."""
        cached = self._cache.get(sender_id)
        if cached is not None:
            answer = session.execute(
                self._refresh_statement(),
                {"sender": sender_id, "first": cached.first_id, "last": cached.last_id},
            ).fetchall()
            if answer[0].held != len(cached.rows):
                # A row was deleted (erase, purge) or committed late by another replica.
                cached = None
            else:
                cached.rows.extend(self._decode(row) for row in answer if row.id is not None)
        if cached is None:
            cached = self._load(session, sender_id)
        self._remember(sender_id, cached)
        return cached

    def _remember(self, sender_id: str, cached: CachedConversation) -> None:
        if self._cache_size == 0:
            return
        self._cache[sender_id] = cached
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            cached = self._refresh(session, sender_id)
            events = [row.event for row in cached.current_session() if row.event is not None]
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    # --- writing -------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's events that are not stored yet (same rule as the stock store)."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            cached = self._refresh(session, sender_id)
            stored = len(cached.current_session())
            new_events = list(tracker.events)[stored:]
            records = []
            for event in new_events:
                data = event.as_dict()
                record = self.SQLEvent(
                    sender_id=sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
                session.add(record)
                records.append((record, event))
            session.flush()
            saved = [
                StoredRow.of(record.id, record.timestamp, record.type_name, event)
                for record, event in records
            ]
            session.commit()
        cached.rows.extend(saved)
        logger.debug("Tracker with sender_id '%s' stored (%d new events)", sender_id, len(saved))

    def cached_conversations(self) -> Dict[str, int]:
        """Sender ids held in memory, with their number of rows (for tests and diagnostics)."""
        return {sender: len(cached.rows) for sender, cached in self._cache.items()}
