"""Helpdesk operations on one database session: ownership transitions, log, queue, events.

Tasks live in `helpdesk.tasks`, standard replies in `helpdesk.canned_replies`, ambassadors in
`helpdesk.ambassadors`, pinned events in `helpdesk.pinned_events`.

Every function takes a SQLAlchemy session (one per request or action) and leaves the
commit to the caller's `session_scope`. Ownership changes are conditional updates, so two
processes racing for the same conversation cannot both win.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk import counts
from helpdesk.models import (
    END_RELEASED,
    END_TIMED_OUT,
    OUTCOMES,
    OWNER_ADVISOR,
    OWNER_BOT,
    OWNER_CLOSED,
    OWNER_WAITING,
    Advisor,
    Case,
    Conversation,
    HelpdeskEvent,
    Message,
    Note,
    SeenMessage,
    utcnow,
)

# Conversations in these states are not answered by the bot.
HELD_OWNERS = (OWNER_WAITING, OWNER_ADVISOR)


class HelpdeskError(Exception):
    """A request that does not fit the conversation's current state."""


@dataclass
class HandoffResult:
    """Outcome of a handoff request: the case, the place in the queue, and whether it is new."""

    conversation_id: int
    case_id: int
    position: int
    already_waiting: bool


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _load(text: str | None) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 UTC text for a naive UTC datetime."""
    return moment.replace(tzinfo=dt.timezone.utc).isoformat() if moment else None


def add_event(session: Session, kind: str, conversation_id: int | None, **payload: Any) -> None:
    """Append a change to the durable event feed the consoles stream."""
    session.add(HelpdeskEvent(kind=kind, conversation_id=conversation_id, payload_json=_dump(payload)))


def get_or_create_conversation(
    session: Session, sender_id: str, channel: str, language: str | None = None
) -> Conversation:
    """Find the conversation of a sender, creating a bot-owned one when it is new."""
    conversation = session.execute(
        select(Conversation).where(Conversation.sender_id == sender_id)
    ).scalar_one_or_none()
    if conversation is None:
        try:
            with session.begin_nested():
                conversation = Conversation(
                    sender_id=sender_id,
                    channel=channel or "unknown",
                    owner=OWNER_BOT,
                    language=language or "nl",
                )
                session.add(conversation)
                session.flush()
        except IntegrityError:  # another process created it first
            conversation = session.execute(
                select(Conversation).where(Conversation.sender_id == sender_id)
            ).scalar_one()
    if channel and conversation.channel != channel:
        conversation.channel = channel
    if language:
        conversation.language = language
    return conversation


def owner_of(session: Session, sender_id: str) -> str:
    """Who owns the conversation now (bot when it is unknown)."""
    owner = session.execute(
        select(Conversation.owner).where(Conversation.sender_id == sender_id)
    ).scalar_one_or_none()
    return owner or OWNER_BOT


def first_delivery(session: Session, channel: str, provider_message_id: str) -> bool:
    """Record a provider message id; False when it was seen before (by any process)."""
    try:
        with session.begin_nested():
            session.add(SeenMessage(channel=channel, provider_message_id=provider_message_id[:200]))
            session.flush()
    except IntegrityError:
        return False
    return True


def log_message(
    session: Session,
    conversation: Conversation,
    author: str,
    text: str,
    advisor_id: int | None = None,
    media: List[Dict[str, str]] | None = None,
    at: dt.datetime | None = None,
) -> Message:
    """Append one line to the transcript and announce it to the consoles."""
    message = Message(
        conversation_id=conversation.id,
        author=author,
        text=text,
        advisor_id=advisor_id,
        media_json=_dump(media) if media else None,
        created_at=at or utcnow(),
    )
    session.add(message)
    session.flush()
    add_event(session, "message", conversation.id, message_id=message.id, author=author)
    return message


def admit_user_message(
    session: Session,
    sender_id: str,
    channel: str,
    text: str,
    media: List[Dict[str, str]] | None = None,
) -> str:
    """Return the owner; when an advisor or the queue owns the chat, log the message for them."""
    conversation = session.execute(
        select(Conversation).where(Conversation.sender_id == sender_id)
    ).scalar_one_or_none()
    if conversation is None or conversation.owner not in HELD_OWNERS:
        return conversation.owner if conversation else OWNER_BOT
    log_message(session, conversation, "user", text, media=media)
    conversation.updated_at = utcnow()
    return conversation.owner


def sync_transcript(session: Session, conversation: Conversation, lines: Iterable[Dict[str, Any]]) -> int:
    """Copy the bot phase of the chat (user and bot lines from the tracker) into the log once."""
    synced = conversation.transcript_synced_at
    newest = synced
    count = 0
    for line in lines:
        at = dt.datetime.fromtimestamp(float(line["timestamp"]), dt.timezone.utc).replace(tzinfo=None)
        if synced is not None and at <= synced:
            continue
        text = (line.get("text") or "").strip()
        if not text:
            continue
        session.add(Message(conversation_id=conversation.id, author=line["author"], text=text, created_at=at))
        newest = at if newest is None or at > newest else newest
        count += 1
    conversation.transcript_synced_at = newest
    return count


def queue_position(session: Session, case: Case) -> int:
    """1-based place of a waiting case in the queue (oldest first)."""
    ahead = session.execute(
        select(func.count(Case.id))
        .join(Conversation, Conversation.case_id == Case.id)
        .where(Conversation.owner == OWNER_WAITING, Case.requested_at < case.requested_at)
    ).scalar_one()
    return int(ahead) + 1


def request_handoff(
    session: Session,
    sender_id: str,
    channel: str,
    reason: str,
    summary: Dict[str, Any],
    language: str = "nl",
    transcript: Iterable[Dict[str, Any]] = (),
) -> HandoffResult:
    """Put the conversation in the queue (bot -> waiting) with its case summary."""
    conversation = get_or_create_conversation(session, sender_id, channel, language)
    sync_transcript(session, conversation, transcript)
    if conversation.owner in HELD_OWNERS and conversation.case_id:
        case = session.get(Case, conversation.case_id)
        return HandoffResult(conversation.id, case.id, queue_position(session, case), True)
    case = Case(conversation_id=conversation.id, reason=reason, summary_json=_dump(summary))
    session.add(case)
    session.flush()
    changed = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.owner.in_((OWNER_BOT, OWNER_CLOSED)))
        .values(owner=OWNER_WAITING, case_id=case.id, advisor_id=None, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed != 1:
        raise HelpdeskError("conversation changed owner meanwhile")
    session.refresh(conversation)
    add_event(session, "queue", conversation.id, change="waiting", case_id=case.id)
    counts.count(session, "handoff", channel=channel, language=language, detail=reason)
    return HandoffResult(conversation.id, case.id, queue_position(session, case), False)


def claim(session: Session, conversation_id: int, advisor_id: int) -> bool:
    """Waiting -> advisor for exactly one advisor; False when someone else was first."""
    changed = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.owner == OWNER_WAITING)
        .values(owner=OWNER_ADVISOR, advisor_id=advisor_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    conversation = session.get(Conversation, conversation_id)
    session.refresh(conversation)
    now = utcnow()
    session.execute(
        update(Case)
        .where(Case.id == conversation.case_id)
        .values(advisor_id=advisor_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    requested_at = session.execute(select(Case.requested_at).where(Case.id == conversation.case_id)).scalar()
    if requested_at is not None:
        waited = counts.wait_band(now - requested_at)
        counts.count(
            session, "wait", channel=conversation.channel, language=conversation.language, detail=waited
        )
    add_event(session, "queue", conversation_id, change="claimed", advisor_id=advisor_id)
    return True


def require_owner(session: Session, conversation_id: int, advisor_id: int) -> Conversation:
    """The conversation, when this advisor owns it; HelpdeskError otherwise."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError("no such conversation")
    if conversation.owner != OWNER_ADVISOR or conversation.advisor_id != advisor_id:
        raise HelpdeskError("you do not own this conversation")
    return conversation


def end_case(
    session: Session, conversation_id: int, advisor_id: int, end_kind: str, outcome: str | None = None
) -> Conversation:
    """Advisor -> bot (hand back) or -> closed with an outcome, as one conditional update."""
    if end_kind == "closed" and outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    new_owner = OWNER_BOT if end_kind == "handed_back" else OWNER_CLOSED
    conversation = require_owner(session, conversation_id, advisor_id)
    changed = session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.owner == OWNER_ADVISOR,
            Conversation.advisor_id == advisor_id,
        )
        .values(owner=new_owner, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise HelpdeskError("conversation changed owner meanwhile")
    session.refresh(conversation)
    session.execute(
        update(Case)
        .where(Case.id == conversation.case_id)
        .values(ended_at=utcnow(), end_kind=end_kind, outcome=outcome)
        .execution_options(synchronize_session=False)
    )
    add_event(session, "queue", conversation_id, change=end_kind, outcome=outcome)
    _count_outcome(session, conversation, outcome or end_kind)
    return conversation


def return_to_bot(
    session: Session, conversation_id: int, from_owner: str, advisor_id: int | None, end_kind: str
) -> bool:
    """Waiting or advisor -> bot for a stuck chat (admin release or wait timeout).

    Conditional on the owner (and advisor) the caller saw, so a claim or hand back that
    happened meanwhile wins and this returns False.
    """
    if from_owner not in HELD_OWNERS or end_kind not in (END_RELEASED, END_TIMED_OUT):
        raise ValueError("only a waiting or advisor-owned chat can be released or time out")
    condition = [Conversation.id == conversation_id, Conversation.owner == from_owner]
    if from_owner == OWNER_ADVISOR:
        condition.append(Conversation.advisor_id == advisor_id)
    changed = session.execute(
        update(Conversation)
        .where(*condition)
        .values(owner=OWNER_BOT, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    conversation = session.get(Conversation, conversation_id)
    session.refresh(conversation)
    session.execute(
        update(Case)
        .where(Case.id == conversation.case_id)
        .values(ended_at=utcnow(), end_kind=end_kind)
        .execution_options(synchronize_session=False)
    )
    add_event(session, "queue", conversation_id, change=end_kind)
    _count_outcome(session, conversation, end_kind)
    return True


def _count_outcome(session: Session, conversation: Conversation, outcome: str) -> None:
    """Count how a case ended (an outcome, or handed back, released, timed out) for the insight."""
    counts.count(
        session, "outcome", channel=conversation.channel, language=conversation.language, detail=outcome
    )


def overdue_waiting(session: Session, requested_before: dt.datetime) -> List[Dict[str, Any]]:
    """Waiting chats whose request is older than `requested_before`, oldest first."""
    rows = session.execute(
        select(Conversation.id, Conversation.sender_id, Conversation.language)
        .join(Case, Case.id == Conversation.case_id)
        .where(Conversation.owner == OWNER_WAITING, Case.requested_at < requested_before)
        .order_by(Case.requested_at.asc())
    ).all()
    return [{"id": row.id, "sender_id": row.sender_id, "language": row.language} for row in rows]


def case_view(session: Session, conversation: Conversation, now: dt.datetime | None = None) -> Dict[str, Any]:
    """JSON view of a conversation with its current case summary."""
    case = session.get(Case, conversation.case_id) if conversation.case_id else None
    advisor = session.get(Advisor, conversation.advisor_id) if conversation.advisor_id else None
    now = now or utcnow()
    return {
        "id": conversation.id,
        "sender_id": conversation.sender_id,
        "channel": conversation.channel,
        "owner": conversation.owner,
        "language": conversation.language,
        "advisor": {"id": advisor.id, "display_name": advisor.display_name} if advisor else None,
        "case_id": case.id if case else None,
        "reason": case.reason if case else None,
        "summary": _load(case.summary_json) if case else {},
        "requested_at": iso(case.requested_at) if case else None,
        "waiting_seconds": int((now - case.requested_at).total_seconds()) if case else 0,
        "outcome": case.outcome if case else None,
    }


def queue(session: Session, warn_after_minutes: float | None = None) -> Dict[str, List[Dict[str, Any]]]:
    """Waiting conversations (longest wait first) and those advisors are handling.

    A waiting chat gets `waiting_too_long: true` once it has waited longer than `warn_after_minutes`.
    """
    now = utcnow()
    rows = session.execute(
        select(Conversation)
        .join(Case, Case.id == Conversation.case_id)
        .where(Conversation.owner.in_(HELD_OWNERS))
        .order_by(Case.requested_at.asc(), Conversation.id.asc())
    ).scalars()
    waiting, active = [], []
    for conversation in rows:
        view = case_view(session, conversation, now)
        if conversation.owner == OWNER_WAITING:
            view["waiting_too_long"] = (
                warn_after_minutes is not None and view["waiting_seconds"] > warn_after_minutes * 60
            )
        (waiting if conversation.owner == OWNER_WAITING else active).append(view)
    return {"waiting": waiting, "active": active}


def transcript(session: Session, conversation_id: int, after_id: int = 0) -> List[Dict[str, Any]]:
    """The message log of a conversation, oldest first."""
    rows = session.execute(
        select(Message, Advisor.display_name)
        .outerjoin(Advisor, Advisor.id == Message.advisor_id)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.created_at.asc(), Message.id.asc())
    ).all()
    return [
        {
            "id": message.id,
            "author": message.author,
            "text": message.text,
            "advisor": name,
            "media": _load(message.media_json) if message.media_json else [],
            "at": iso(message.created_at),
        }
        for message, name in rows
    ]


def add_note(session: Session, conversation_id: int, advisor_id: int, text: str) -> Note:
    """Keep an internal note on a conversation."""
    if session.get(Conversation, conversation_id) is None:
        raise LookupError("no such conversation")
    note = Note(conversation_id=conversation_id, advisor_id=advisor_id, text=text)
    session.add(note)
    session.flush()
    add_event(session, "note", conversation_id, note_id=note.id)
    return note


def notes(session: Session, conversation_id: int) -> List[Dict[str, Any]]:
    """Internal notes of a conversation, oldest first."""
    rows = session.execute(
        select(Note, Advisor.display_name)
        .join(Advisor, Advisor.id == Note.advisor_id)
        .where(Note.conversation_id == conversation_id)
        .order_by(Note.id.asc())
    ).all()
    return [
        {"id": note.id, "text": note.text, "advisor": name, "at": iso(note.created_at)} for note, name in rows
    ]


def events_after(session: Session, after_id: int, limit: int = 200) -> List[Dict[str, Any]]:
    """Events newer than `after_id`, oldest first."""
    rows = session.execute(
        select(HelpdeskEvent).where(HelpdeskEvent.id > after_id).order_by(HelpdeskEvent.id).limit(limit)
    ).scalars()
    return [
        {"id": e.id, "kind": e.kind, "conversation_id": e.conversation_id, **_load(e.payload_json)}
        for e in rows
    ]


def last_event_id(session: Session) -> int:
    """Id of the newest event (0 when there are none)."""
    return int(session.execute(select(func.max(HelpdeskEvent.id))).scalar() or 0)


def prune_events(session: Session, older_than: dt.timedelta = dt.timedelta(days=2)) -> None:
    """Drop old feed entries (the message log keeps the content)."""
    session.execute(delete(HelpdeskEvent).where(HelpdeskEvent.created_at < utcnow() - older_than))
