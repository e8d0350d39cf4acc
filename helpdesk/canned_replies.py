"""Standard replies: advisors insert one into their message; coordinators keep the list."""

from __future__ import annotations

from typing import Any, Dict, List

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.models import REPLY_LANGUAGES, CannedReply, utcnow
from helpdesk.store import add_event, iso

MAX_TITLE = 80
MAX_REPLY = 2000


class ReplyError(ValueError):
    """A standard reply that cannot be saved (its message says why)."""


def reply_view(reply: CannedReply) -> Dict[str, Any]:
    """JSON view of a standard reply."""
    return {
        "id": reply.id,
        "language": reply.language,
        "title": reply.title,
        "text": reply.text,
        "updated_at": iso(reply.updated_at),
    }


def list_replies(session: Session, language: str | None = None) -> List[Dict[str, Any]]:
    """The standard replies, in one language when given, by title."""
    query = select(CannedReply).order_by(CannedReply.language, CannedReply.title, CannedReply.id)
    if language:
        query = query.where(CannedReply.language == language)
    return [reply_view(reply) for reply in session.execute(query).scalars()]


def save_reply(
    session: Session, advisor_id: int, language: str, title: str, text: str, reply_id: int | None = None
) -> Dict[str, Any] | None:
    """Add a reply (no `reply_id`) or change one; None when `reply_id` does not exist."""
    if language not in REPLY_LANGUAGES:
        raise ReplyError(f"language must be one of {', '.join(REPLY_LANGUAGES)}")
    if not title or not text:
        raise ReplyError("title and text are required")
    if len(title) > MAX_TITLE or len(text) > MAX_REPLY:
        raise ReplyError(f"a title has at most {MAX_TITLE} characters, a text {MAX_REPLY}")
    if reply_id is None:
        reply = CannedReply()
        session.add(reply)
    else:
        reply = session.get(CannedReply, reply_id)
        if reply is None:
            return None
    reply.language, reply.title, reply.text = language, title, text
    reply.updated_by, reply.updated_at = advisor_id, utcnow()
    session.flush()
    add_event(session, "replies", None, reply_id=reply.id)
    return reply_view(reply)


def delete_reply(session: Session, reply_id: int) -> bool:
    """Remove a standard reply; False when it did not exist."""
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        return False
    session.delete(reply)
    add_event(session, "replies", None, reply_id=reply_id, change="deleted")
    return True
