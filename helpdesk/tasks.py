"""Call-back and walk-in tasks: made by the bot when no advisor is online, done by an advisor.

The task list shows a phone number masked; an advisor opens it when calling, and who opened it
(and when) is kept with the task. "Done" records how the task ended (TASK_OUTCOMES).
"""

from __future__ import annotations

from typing import Any, Dict, List

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from helpdesk import counts
from helpdesk.models import TASK_OUTCOMES, Task, utcnow
from helpdesk.store import _dump, _load, add_event, get_or_create_conversation, iso

# Digits a masked number keeps at its end: enough to tell two callers apart, not to call them.
SHOWN_DIGITS = 2


def create_task(
    session: Session,
    kind: str,
    sender_id: str,
    channel: str,
    language: str = "nl",
    summary: Dict[str, Any] | None = None,
    **fields: Any,
) -> Task:
    """Record a call-back or appointment for the advisors' task list."""
    conversation = get_or_create_conversation(session, sender_id, channel, language)
    task = Task(
        kind=kind,
        conversation_id=conversation.id,
        sender_id=sender_id,
        channel=channel or "unknown",
        language=language,
        summary_json=_dump(summary or {}),
        **fields,
    )
    session.add(task)
    session.flush()
    add_event(session, "task", conversation.id, task_id=task.id, task_kind=kind)
    counts.count(session, "handoff", channel=task.channel, language=language, detail=kind)
    return task


def masked_phone(phone: str | None) -> str | None:
    """A phone number with every digit but the last two hidden: `06 •• •• •• 78` style."""
    if not phone:
        return None
    digits = sum(char.isdigit() for char in phone)
    seen = 0
    masked = []
    for char in phone:
        if char.isdigit():
            seen += 1
            masked.append(char if seen > digits - SHOWN_DIGITS else "•")
        else:
            masked.append(char)
    return "".join(masked)


def task_view(task: Task) -> Dict[str, Any]:
    """JSON view of a task for the list: the phone number masked."""
    return {
        "id": task.id,
        "kind": task.kind,
        "conversation_id": task.conversation_id,
        "channel": task.channel,
        "language": task.language,
        "name": task.name,
        "phone_masked": masked_phone(task.phone),
        "has_phone": bool(task.phone),
        "phone_opened_at": iso(task.phone_opened_at),
        "preferred_time": task.preferred_time,
        "consent_at": iso(task.consent_at),
        "offer_id": task.offer_id,
        "offer_title": task.offer_title,
        "schedule": task.schedule,
        "summary": _load(task.summary_json),
        "status": task.status,
        "outcome": task.outcome,
        "created_at": iso(task.created_at),
        "done_at": iso(task.done_at),
    }


def list_tasks(session: Session, status: str = "open") -> List[Dict[str, Any]]:
    """Tasks with a status, oldest first."""
    rows = session.execute(select(Task).where(Task.status == status).order_by(Task.id.asc())).scalars()
    return [task_view(task) for task in rows]


def open_phone(session: Session, task_id: int, advisor_id: int) -> str | None:
    """The task's full phone number for the advisor who calls; who opened it is kept.

    None when the task does not exist or has no number.
    """
    task = session.get(Task, task_id)
    if task is None or not task.phone:
        return None
    task.phone_opened_by = advisor_id
    task.phone_opened_at = utcnow()
    return task.phone


def finish_task(session: Session, task_id: int, advisor_id: int, outcome: str | None = None) -> bool:
    """Mark an open task done with how it ended; False when it was not open.

    ValueError for an outcome that is not one of TASK_OUTCOMES.
    """
    if outcome is not None and outcome not in TASK_OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(TASK_OUTCOMES)}")
    changed = session.execute(
        update(Task)
        .where(and_(Task.id == task_id, Task.status == "open"))
        .values(status="done", done_by=advisor_id, done_at=utcnow(), outcome=outcome)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed == 1:
        add_event(session, "task", None, task_id=task_id, change="done")
        task = session.get(Task, task_id)
        counts.count(
            session, "outcome", channel=task.channel, language=task.language, detail=outcome or "done"
        )
    return changed == 1
