"""Small persistent state the channels need, in the app database (SQLAlchemy 1.4 Core).

Tables (made by the helpdesk's Alembic migration 0002; `metadata` describes them for queries):

- `channel_button_offers`: the last numbered buttons offered per conversation (WhatsApp/SMS).
- `channel_last_inbound`: when a user last wrote to us (WhatsApp 24-hour window).
- `channel_message_status`: outbound message ids and every delivery status callback.
- `channel_sms_opt_outs`: numbers that sent STOP (and START again).
- `channel_callback_payloads`: Telegram button payloads longer than callback_data allows.
- `channel_inbox`: every inbound message, kept before the provider gets its answer, until
  it was answered (status pending -> done; held for an advisor; limited when over the rate).

Rows are keyed by the channel-qualified conversation id (channels/identity.py), except the
SMS opt-outs, which are kept per phone number.

Every operation opens its own connection (`engine.begin()`) and runs in a worker thread,
so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

metadata = sa.MetaData()

button_offers = sa.Table(
    "channel_button_offers",
    metadata,
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("recipient_id", sa.String(128), primary_key=True),
    sa.Column("buttons", sa.Text, nullable=False),
    sa.Column("offered_at", sa.DateTime, nullable=False),
)

last_inbound = sa.Table(
    "channel_last_inbound",
    metadata,
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("sender_id", sa.String(128), primary_key=True),
    sa.Column("last_inbound_at", sa.DateTime, nullable=False),
)

message_status = sa.Table(
    "channel_message_status",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("message_sid", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("recipient_id", sa.String(128)),
    sa.Column("error_code", sa.String(16)),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("message_sid", "status", name="uq_channel_message_status"),
)

sms_opt_outs = sa.Table(
    "channel_sms_opt_outs",
    metadata,
    sa.Column("phone", sa.String(64), primary_key=True),
    sa.Column("opted_out", sa.Boolean, nullable=False),
    sa.Column("keyword", sa.String(32)),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

callback_payloads = sa.Table(
    "channel_callback_payloads",
    metadata,
    sa.Column("token", sa.String(40), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

inbox = sa.Table(
    "channel_inbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("conversation_id", sa.String(200), nullable=False),
    sa.Column("message_json", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("received_at", sa.DateTime, nullable=False),
    sa.Column("claimed_at", sa.DateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Index("ix_channel_inbox_conversation", "conversation_id", "received_at"),
    sa.Index("ix_channel_inbox_pending", "status", "channel", "received_at"),
)
INBOX_PENDING = "pending"
INBOX_DONE = "done"
INBOX_HELD = "held"
INBOX_LIMITED = "limited"



def utcnow() -> datetime:
    """Naive UTC now (SQLite keeps no time zone, so every timestamp is naive UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _naive_utc(moment: datetime | None) -> datetime:
    """Convert an aware datetime to naive UTC; None means now."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def get_engine(database_url: str) -> Engine:
    """Return the engine for a URL; its tables are made by the helpdesk's Alembic migrations.

    One engine per URL and process, shared with the helpdesk (helpdesk.database.engine_for),
    from the project's one engine factory: SQLite gets WAL, secure_delete (erased text is
    overwritten) and a busy timeout everywhere.
    """
    from helpdesk.database import engine_for  # migrates the app database on first use

    return engine_for(database_url)


def dispose_engines() -> None:
    """Close every cached engine (tests, shutdown)."""
    from helpdesk.database import dispose_engines as dispose_app_engines

    dispose_app_engines()


class ChannelStore:
    """Async facade over the channel tables; one short connection per operation."""

    def __init__(self, database_url: str) -> None:
        """Remember the URL; the engine is built lazily."""
        self.database_url = database_url

    @classmethod
    def default(cls) -> ChannelStore:
        """The store of the app database named by the settings."""
        from leerwijzer.settings import get_settings

        return cls(get_settings().database_url)

    @property
    def engine(self) -> Engine:
        """The shared engine for this URL."""
        return get_engine(self.database_url)

    async def _run(self, fn: Any, *args: Any) -> Any:
        """Run a blocking database function in a worker thread."""
        return await asyncio.to_thread(fn, *args)

    def _upsert(self, table: sa.Table, keys: Dict[str, Any], values: Dict[str, Any]) -> None:
        """Update the row with these keys, or insert it (portable, race tolerant)."""
        where = sa.and_(*(table.c[k] == v for k, v in keys.items()))
        for _ in range(2):
            with self.engine.begin() as conn:
                if conn.execute(table.update().where(where).values(**values)).rowcount:
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(table.insert().values(**keys, **values))
                return
            except IntegrityError:
                continue  # inserted concurrently: update again

    # Buttons offered as a numbered list.
    async def save_button_offer(self, channel: str, recipient_id: str, buttons: List[Dict[str, str]]) -> None:
        """Store the buttons just offered to a user (replaces the previous offer)."""
        data = json.dumps(buttons, ensure_ascii=False)
        await self._run(
            self._upsert,
            button_offers,
            {"channel": channel, "recipient_id": recipient_id},
            {"buttons": data, "offered_at": utcnow()},
        )

    async def get_button_offer(
        self, channel: str, recipient_id: str, max_age: timedelta = timedelta(hours=24)
    ) -> List[Dict[str, str]] | None:
        """Return the last offered buttons, or None when there is no fresh offer."""

        def load() -> List[Dict[str, str]] | None:
            with self.engine.begin() as conn:
                row = conn.execute(
                    sa.select(button_offers.c.buttons, button_offers.c.offered_at).where(
                        button_offers.c.channel == channel,
                        button_offers.c.recipient_id == recipient_id,
                    )
                ).first()
            if row is None or row.offered_at < utcnow() - max_age:
                return None
            return json.loads(row.buttons)

        return await self._run(load)

    async def clear_button_offer(self, channel: str, recipient_id: str) -> None:
        """Forget the offer (the next user message answered or ignored it)."""

        def clear() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    button_offers.delete().where(
                        button_offers.c.channel == channel,
                        button_offers.c.recipient_id == recipient_id,
                    )
                )

        await self._run(clear)

    # Last inbound message per user (WhatsApp customer-service window).
    async def record_inbound(self, channel: str, sender_id: str, at: datetime | None = None) -> None:
        """Remember when the user last wrote to us."""
        await self._run(
            self._upsert,
            last_inbound,
            {"channel": channel, "sender_id": sender_id},
            {"last_inbound_at": _naive_utc(at)},
        )

    async def last_inbound_at(self, channel: str, sender_id: str) -> datetime | None:
        """Return when the user last wrote to us (naive UTC), or None."""

        def load() -> datetime | None:
            with self.engine.begin() as conn:
                return conn.execute(
                    sa.select(last_inbound.c.last_inbound_at).where(
                        last_inbound.c.channel == channel,
                        last_inbound.c.sender_id == sender_id,
                    )
                ).scalar()

        return await self._run(load)

    # Outbound messages and delivery statuses.
    async def record_status(
        self,
        channel: str,
        message_sid: str,
        status: str,
        recipient_id: str | None = None,
        error_code: str | None = None,
    ) -> bool:
        """Record one status of a message; False when this status was already recorded."""

        def insert() -> bool:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        message_status.insert().values(
                            channel=channel,
                            message_sid=message_sid[:64],
                            status=status[:32],
                            recipient_id=recipient_id[:128] if recipient_id else None,
                            error_code=error_code[:16] if error_code else None,
                            recorded_at=utcnow(),
                        )
                    )
                return True
            except IntegrityError:
                return False

        return await self._run(insert)

    async def statuses(self, message_sid: str) -> List[Dict[str, Any]]:
        """Return every recorded status of a message, oldest first."""

        def load() -> List[Dict[str, Any]]:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    sa.select(message_status)
                    .where(message_status.c.message_sid == message_sid)
                    .order_by(message_status.c.id)
                ).mappings()
                return [dict(row) for row in rows]

        return await self._run(load)

    # SMS opt-out.
    async def set_opt_out(self, phone: str, opted_out: bool, keyword: str = "") -> None:
        """Record STOP (True) or START (False) for a phone number."""
        await self._run(
            self._upsert,
            sms_opt_outs,
            {"phone": phone},
            {"opted_out": opted_out, "keyword": keyword[:32], "updated_at": utcnow()},
        )

    async def is_opted_out(self, phone: str) -> bool:
        """Return True when the number sent STOP and not START since."""

        def load() -> bool:
            with self.engine.begin() as conn:
                value = conn.execute(
                    sa.select(sms_opt_outs.c.opted_out).where(sms_opt_outs.c.phone == phone)
                ).scalar()
            return bool(value)

        return await self._run(load)

    # Telegram callback payloads that do not fit in 64 bytes.
    async def save_callback_payload(self, payload: str) -> str:
        """Store a long button payload and return its short token."""
        token = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
        await self._run(
            self._upsert,
            callback_payloads,
            {"token": token},
            {"payload": payload, "created_at": utcnow()},
        )
        return token

    async def callback_payload(self, token: str) -> str | None:
        """Return the payload stored under a token, or None."""

        def load() -> str | None:
            with self.engine.begin() as conn:
                return conn.execute(
                    sa.select(callback_payloads.c.payload).where(callback_payloads.c.token == token)
                ).scalar()

        return await self._run(load)
