"""The persistent conversation gate used by the inbound door (channels/inbound.py).

One transaction per inbound message: dedupe by the provider's message id, the rate limit,
the ownership check (a waiting or advisor-owned chat gets the message in its log and the
consoles are woken), and a durable inbox row. Rasa never sees messages of a chat a person
owns, so `/restart`, button clicks or session expiry cannot make the bot talk there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Callable, List, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels import store as channel_store
from channels.inbound import InboundMessage, Receipt, RouteOutcome, payload_language
from helpdesk import counts, store
from helpdesk.broker import notifier_for
from helpdesk.database import session_factory
from helpdesk.models import Conversation, utcnow
from leerwijzer.language import detect_language
from leerwijzer.settings import Settings, get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

inbox = channel_store.inbox
RATE_WINDOW = dt.timedelta(minutes=1)
# A message claimed by a process that did not mark it done within this time is taken again.
CLAIM_LEASE = dt.timedelta(seconds=15)
# Give the process that received a message time to answer it before another one replays it.
REPLAY_AFTER = dt.timedelta(seconds=3)
MAX_ATTEMPTS = 3
# Channels whose answer goes back in the response to the request itself (nothing to replay).
ANSWERED_IN_THE_RESPONSE = frozenset({"rest"})


class DatabaseGate:
    """ConversationGate backed by the helpdesk tables and the channel inbox; no process state."""

    def __init__(self, database_url: str, broker_url: str = "", poll_seconds: float = 1.0) -> None:
        """Remember where the tables are; the inbox table is created on first use."""
        self.database_url = database_url
        self.broker_url = broker_url
        self.poll_seconds = poll_seconds
        channel_store.get_engine(database_url)  # creates the channel tables, inbox included

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DatabaseGate:
        """Build the gate from the settings."""
        settings = settings or get_settings()
        return cls(settings.database_url, settings.helpdesk_broker_url, settings.helpdesk_poll_seconds)

    async def _run(self, work: Callable[[Session], T]) -> T:
        """Run blocking database work in a thread, in one write transaction of its own."""

        def run() -> T:
            session = session_factory(self.database_url)()
            try:
                # Reads, then writes: take SQLite's write lock first (see offer_catalogue.database).
                session.connection(execution_options={"sqlite_begin": "immediate"})
                result = work(session)
                session.commit()
                return result
            except Exception:
                session.rollback()
                raise
            finally:
                session.close()

        return await asyncio.to_thread(run)

    async def receive(self, message: InboundMessage, rate_limit_per_minute: int) -> Receipt:
        """Dedupe, rate-limit, check ownership and keep the message, in one transaction."""
        receipt = await self._run(lambda s: _receive(s, message, rate_limit_per_minute))
        if receipt.outcome is RouteOutcome.TO_ADVISOR:
            await notifier_for(self.broker_url, self.poll_seconds).publish()
        return receipt

    async def done(self, inbox_id: int) -> None:
        """Mark a kept message as answered."""

        def mark(session: Session) -> None:
            done = inbox.update().where(inbox.c.id == inbox_id).values(status=channel_store.INBOX_DONE)
            session.execute(done)

        await self._run(mark)

    async def claim_pending(self, channel: str, limit: int = 20) -> List[Receipt]:
        """Take kept messages that no process answered (oldest first), with a lease."""
        return await self._run(lambda s: _claim_pending(s, channel, limit))


def _receive(session: Session, message: InboundMessage, rate_limit: int) -> Receipt:
    """The one transaction of the door (see the module docstring)."""
    if message.provider_message_id and not store.first_delivery(
        session, message.channel, message.provider_message_id
    ):
        return Receipt(RouteOutcome.DUPLICATE, message)
    _count_a_new_chat(session, message)
    now = utcnow()
    recent = session.execute(
        sa.select(sa.func.count(inbox.c.id)).where(
            inbox.c.conversation_id == message.sender_id, inbox.c.received_at > now - RATE_WINDOW
        )
    ).scalar_one()
    if rate_limit and recent >= rate_limit:
        inbox_id = _keep(session, message, channel_store.INBOX_LIMITED, now)
        return Receipt(RouteOutcome.RATE_LIMITED, message, inbox_id, notify_rate_limit=recent == rate_limit)
    media = [{"url": m.url, "content_type": m.content_type} for m in message.media]
    owner = store.admit_user_message(session, message.sender_id, message.channel, message.text, media or None)
    if owner in store.HELD_OWNERS:
        _keep(session, message, channel_store.INBOX_HELD, now)
        return Receipt(RouteOutcome.TO_ADVISOR, message)
    handed_off = _was_handed_off(session, message.sender_id)
    if message.channel in ANSWERED_IN_THE_RESPONSE:
        # Kept for the rate limit, but never replayed: the answer goes back in the HTTP response,
        # and a client whose request failed sends it again. One write transaction less.
        _keep(session, message, channel_store.INBOX_DONE, now)
        return Receipt(RouteOutcome.TO_BOT, message, None, was_handed_off=handed_off)
    inbox_id = _keep(session, message, channel_store.INBOX_PENDING, now, claimed=True)
    return Receipt(RouteOutcome.TO_BOT, message, inbox_id, was_handed_off=handed_off)


def _count_a_new_chat(session: Session, message: InboundMessage) -> None:
    """Count a conversation's first kept message for the insight: its channel and language.

    The language of the server's greeting (the web page's or the Telegram app's), else of the
    text when it is clear; the bot answers in Dutch otherwise.
    """
    earlier = session.execute(
        sa.select(inbox.c.id).where(inbox.c.conversation_id == message.sender_id).limit(1)
    ).first()
    if earlier is None:
        language = payload_language(message.trusted_payload) or detect_language(message.text or "") or "nl"
        counts.count(session, "chat", channel=message.channel, language=language)


def _was_handed_off(session: Session, sender_id: str) -> bool:
    """Whether the conversation ever had a case (then Rasa may still hold it paused)."""
    case_id = session.execute(
        sa.select(Conversation.case_id).where(Conversation.sender_id == sender_id)
    ).scalar_one_or_none()
    return case_id is not None


def _keep(
    session: Session, message: InboundMessage, status: str, now: dt.datetime, claimed: bool = False
) -> int:
    """Insert the inbox row; a pending row starts claimed by the process that received it."""
    return int(
        session.execute(
            inbox.insert().values(
                channel=message.channel,
                conversation_id=message.sender_id,
                message_json=message.to_json(),
                status=status,
                received_at=now,
                claimed_at=now if claimed else None,
                attempts=1 if claimed else 0,
            )
        ).inserted_primary_key[0]
    )


def _claim_pending(session: Session, channel: str, limit: int) -> List[Receipt]:
    """Claim pending rows whose lease ran out; give up on a row after MAX_ATTEMPTS."""
    now = utcnow()
    rows = session.execute(
        sa.select(inbox.c.id, inbox.c.message_json, inbox.c.attempts)
        .where(
            inbox.c.channel == channel,
            inbox.c.status == channel_store.INBOX_PENDING,
            inbox.c.received_at < now - REPLAY_AFTER,
            sa.or_(inbox.c.claimed_at.is_(None), inbox.c.claimed_at < now - CLAIM_LEASE),
        )
        .order_by(inbox.c.id)
        .limit(limit)
    ).all()
    receipts: List[Receipt] = []
    for row in rows:
        if row.attempts >= MAX_ATTEMPTS:
            # Answering it failed again and again: stop, so one poison message cannot loop.
            session.execute(inbox.update().where(inbox.c.id == row.id).values(status="failed"))
            logger.error("Kept %s message %s failed %s times; given up", channel, row.id, row.attempts)
            continue
        taken = session.execute(
            inbox.update()
            .where(inbox.c.id == row.id, inbox.c.status == channel_store.INBOX_PENDING)
            .where(sa.or_(inbox.c.claimed_at.is_(None), inbox.c.claimed_at < now - CLAIM_LEASE))
            .values(claimed_at=now, attempts=row.attempts + 1)
        ).rowcount
        if taken:
            message = InboundMessage.from_json(row.message_json)
            handed_off = _was_handed_off(session, message.sender_id)
            receipts.append(Receipt(RouteOutcome.TO_BOT, message, int(row.id), was_handed_off=handed_off))
    return receipts
