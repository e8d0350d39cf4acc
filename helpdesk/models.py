"""Helpdesk tables: ownership of conversations, cases, message log, advisors, tasks, replies, events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base

Base = declarative_base()

# Who owns a conversation. Transitions: bot -> waiting -> advisor -> bot, or -> closed.
OWNER_BOT = "bot"
OWNER_WAITING = "waiting"
OWNER_ADVISOR = "advisor"
OWNER_CLOSED = "closed"
OWNERS = (OWNER_BOT, OWNER_WAITING, OWNER_ADVISOR, OWNER_CLOSED)

# How a case ends: an advisor hands back or closes it, an admin releases a stuck chat to the
# bot, or nobody claimed it within LEERWIJZER_HANDOFF_WAIT_TIMEOUT_MINUTES.
END_HANDED_BACK = "handed_back"
END_CLOSED = "closed"
END_RELEASED = "released"
END_TIMED_OUT = "timed_out"
END_KINDS = (END_HANDED_BACK, END_CLOSED, END_RELEASED, END_TIMED_OUT)

OUTCOMES = ("referred_to_offer", "appointment_made", "advice_given", "no_response")
# A coordinator runs the library's side (standard replies, later insight and ambassadors)
# without managing accounts; an admin may do everything.
ROLES = ("advisor", "coordinator", "admin")
COORDINATING_ROLES = ("coordinator", "admin")
TASK_KINDS = ("callback", "appointment")
# How a call-back or walk-in task ended, as the advisor records it with "done".
TASK_OUTCOMES = ("helped", "not_reached", "came_by", "did_not_come", "no_longer_needed")
REPLY_LANGUAGES = ("nl", "en")


def utcnow() -> dt.datetime:
    """Naive UTC now (both SQLite and PostgreSQL store it the same way)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Advisor(Base):
    """A person who logs in to the console; admins also manage advisors."""

    __tablename__ = "hd_advisors"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(100), nullable=False)
    role = Column(String(20), nullable=False, default="advisor")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ConsoleSession(Base):
    """A logged-in console session; the cookie holds only a random token, stored hashed."""

    __tablename__ = "hd_sessions"

    token_hash = Column(String(64), primary_key=True)
    advisor_id = Column(Integer, ForeignKey("hd_advisors.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class LoginAttempt(Base):
    """A failed login, kept in the database so every console instance sees the same count.

    `key` is `account:<username>@<address>` or `address:<address>` (see auth.login_keys).
    """

    __tablename__ = "hd_login_failures"
    __table_args__ = (Index("ix_hd_login_failures_key_at", "key", "attempted_at"),)

    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False)
    attempted_at = Column(DateTime, nullable=False, default=utcnow)


class Conversation(Base):
    """One conversation on one channel and the single source of truth of who owns it."""

    __tablename__ = "hd_conversations"
    __table_args__ = (UniqueConstraint("sender_id", name="uq_hd_conversations_sender"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), nullable=False)
    channel = Column(String(40), nullable=False)
    owner = Column(String(20), nullable=False, default=OWNER_BOT)
    advisor_id = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    case_id = Column(Integer, nullable=True)
    language = Column(String(5), nullable=False, default="nl")
    transcript_synced_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class Case(Base):
    """One request for a person: from waiting to hand back or close, with its summary."""

    __tablename__ = "hd_cases"
    __table_args__ = (Index("ix_hd_cases_conversation", "conversation_id"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("hd_conversations.id"), nullable=False)
    reason = Column(String(40), nullable=False)
    summary_json = Column(Text, nullable=False, default="{}")
    requested_at = Column(DateTime, nullable=False, default=utcnow)
    claimed_at = Column(DateTime, nullable=True)
    advisor_id = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    ended_at = Column(DateTime, nullable=True)
    end_kind = Column(String(20), nullable=True)  # one of END_KINDS
    outcome = Column(String(40), nullable=True)


class Message(Base):
    """One line of the transcript: user, bot, advisor or system."""

    __tablename__ = "hd_messages"
    __table_args__ = (Index("ix_hd_messages_conversation", "conversation_id", "id"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("hd_conversations.id"), nullable=False)
    author = Column(String(20), nullable=False)
    advisor_id = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    text = Column(Text, nullable=False, default="")
    media_json = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Note(Base):
    """An internal note by an advisor; never shown to the user."""

    __tablename__ = "hd_notes"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("hd_conversations.id"), nullable=False)
    advisor_id = Column(Integer, ForeignKey("hd_advisors.id"), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Task(Base):
    """A call-back request or a walk-in appointment made while no advisor was online."""

    __tablename__ = "hd_tasks"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    conversation_id = Column(Integer, ForeignKey("hd_conversations.id"), nullable=True)
    sender_id = Column(String(200), nullable=False)
    channel = Column(String(40), nullable=False)
    language = Column(String(5), nullable=False, default="nl")
    phone = Column(String(40), nullable=True)
    name = Column(String(60), nullable=True)  # as the person gave it (actions/person_name.py)
    preferred_time = Column(String(200), nullable=True)
    consent_at = Column(DateTime, nullable=True)
    offer_id = Column(Integer, nullable=True)
    offer_title = Column(String(300), nullable=True)
    schedule = Column(String(300), nullable=True)
    summary_json = Column(Text, nullable=False, default="{}")
    status = Column(String(20), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    done_by = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    done_at = Column(DateTime, nullable=True)
    outcome = Column(String(40), nullable=True)  # one of TASK_OUTCOMES
    # The phone number is masked in the task list; who opened it, and when, is kept.
    phone_opened_by = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    phone_opened_at = Column(DateTime, nullable=True)


class CannedReply(Base):
    """A standard reply advisors insert with one click; coordinators keep them up to date."""

    __tablename__ = "hd_canned_replies"

    id = Column(Integer, primary_key=True)
    language = Column(String(5), nullable=False)  # one of REPLY_LANGUAGES
    title = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    updated_by = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class Ambassador(Base):
    """A learning ambassador: a trusted person in a neighbourhood or company who refers people.

    The `code` goes into their link, QR code and WhatsApp message; a chat that starts with it is
    counted for them (REFERRAL_STAGES) and never shows them who it was.
    """

    __tablename__ = "hd_ambassadors"

    id = Column(Integer, primary_key=True)
    code = Column(String(16), nullable=False, unique=True)
    name = Column(String(80), nullable=False)
    place = Column(String(120), nullable=False)  # neighbourhood, community centre or employer
    contact = Column(String(200), nullable=True)  # for the coordinator only
    active = Column(Boolean, nullable=False, default=True)
    created_by = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


# How far a referred chat came, in order; each is counted once per conversation.
REFERRAL_STAGES = ("started", "intake_done", "offer_shown", "handed_off")


class Referral(Base):
    """Which ambassador brought this conversation, and the stages it reached (erased, purged)."""

    __tablename__ = "hd_referrals"

    sender_id = Column(String(200), primary_key=True)
    ambassador_id = Column(Integer, ForeignKey("hd_ambassadors.id"), nullable=False)
    channel = Column(String(40), nullable=False)
    stages = Column(String(200), nullable=False, default="started")  # comma-separated REFERRAL_STAGES
    started_at = Column(DateTime, nullable=False, default=utcnow)


class ReferralCount(Base):
    """How many referred chats reached a stage, per ambassador and month: no person in it.

    Kept when the erase or the retention purge deletes the referrals they were counted from.
    """

    __tablename__ = "hd_referral_counts"

    ambassador_id = Column(Integer, ForeignKey("hd_ambassadors.id"), primary_key=True)
    month = Column(String(7), primary_key=True)  # "2026-12"
    stage = Column(String(20), primary_key=True)
    count = Column(Integer, nullable=False, default=0)


# What the library's insight counts (helpdesk/counts.py): a chat's first message, a question
# searched and its result ("search" once, "search_theme" once per theme it is about), a request
# for a person, the wait until an advisor picked it up, how it ended.
INSIGHT_METRICS = ("chat", "search", "search_theme", "handoff", "wait", "outcome")


class InsightCount(Base):
    """How often something happened, per month and a few coarse dimensions: no person in it.

    Counted when it happens, so it stays when the erase or the retention purge deletes the
    conversations it came from. A dimension that does not apply is "" (never NULL: it is part
    of the key).
    """

    __tablename__ = "hd_insight_counts"

    metric = Column(String(20), primary_key=True)  # one of INSIGHT_METRICS
    month = Column(String(7), primary_key=True)  # "2026-12", in the helpdesk's zone
    channel = Column(String(20), primary_key=True, default="")
    language = Column(String(5), primary_key=True, default="")
    theme = Column(String(40), primary_key=True, default="")
    municipality = Column(String(60), primary_key=True, default="")
    # The search's result ("fitted" or the limit that failed), handoff reason, wait band, outcome.
    detail = Column(String(30), primary_key=True, default="")
    count = Column(Integer, nullable=False, default=0)


class PinnedEvent(Base):
    """An event or campaign a coordinator pins (an open day, a walk-in week) for a place and themes.

    The bot mentions the first one that fits the person's place and themes once per conversation.
    """

    __tablename__ = "hd_pinned_events"

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    title_en = Column(String(200), nullable=True)
    municipality = Column(String(80), nullable=True)  # None: the whole region
    themes = Column(String(400), nullable=True)  # comma-separated theme ids; None: any wish
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    place = Column(String(200), nullable=False)
    link = Column(String(500), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    created_by = Column(Integer, ForeignKey("hd_advisors.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SeenMessage(Base):
    """Provider message ids already delivered (dedupe across replicas)."""

    __tablename__ = "hd_seen_messages"

    channel = Column(String(40), primary_key=True)
    provider_message_id = Column(String(200), primary_key=True)
    seen_at = Column(DateTime, nullable=False, default=utcnow)


class HelpdeskEvent(Base):
    """Durable feed of changes; consoles stream it (the broker only wakes them up)."""

    __tablename__ = "hd_events"

    id = Column(Integer, primary_key=True)
    kind = Column(String(40), nullable=False)
    conversation_id = Column(Integer, nullable=True)
    payload_json = Column(Text, nullable=False, default="{}")
    created_at = Column(DateTime, nullable=False, default=utcnow)
