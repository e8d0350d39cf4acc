"""The stored "development question": what the intake found out, for search and handoff.

The table lives in the app database next to the catalogue and is made by the helpdesk's
Alembic migrations (helpdesk/migrations, revision 0002), which the action server's session
factory runs on first use (actions.database). It holds personal data: the
privacy erase and the retention purge find it through `helpdesk.personal_data`
(erased by `sender_id`, purged by `created_at`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Text, select
from sqlalchemy.orm import Session, declarative_base

from actions.conversation import INTAKE_SLOTS

metadata = MetaData()
Base = declarative_base(metadata=metadata)

# The slot names the intake fills; the handoff reads the same names.
QUESTION_FIELDS = (*INTAKE_SLOTS, "language")


class DevelopmentQuestion(Base):
    """One confirmed intake of one conversation (the user's development question)."""

    __tablename__ = "development_questions"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
    role = Column(String(200))
    goal = Column(String(200))
    topic = Column(Text)
    municipality = Column(String(100))
    budget = Column(String(60))
    time_preference = Column(String(60))
    hours_per_week = Column(String(60))
    mode_preference = Column(String(60))
    language = Column(String(5))
    interest_profile = Column(JSON)
    offers_shown = Column(JSON)


def save_question(session: Session, sender_id: str, values: Dict[str, Any]) -> int:
    """Store a development question and return its id."""
    known = {name: values.get(name) for name in QUESTION_FIELDS}
    record = DevelopmentQuestion(
        sender_id=sender_id,
        interest_profile=values.get("interest_profile"),
        offers_shown=values.get("offers_shown"),
        **{k: (None if v is None else str(v)) for k, v in known.items()},
    )
    session.add(record)
    session.flush()
    return int(record.id)


def latest_question(session: Session, sender_id: str) -> DevelopmentQuestion | None:
    """Return the newest development question of a conversation, if any."""
    return session.execute(
        select(DevelopmentQuestion)
        .where(DevelopmentQuestion.sender_id == sender_id)
        .order_by(DevelopmentQuestion.id.desc())
        .limit(1)
    ).scalar_one_or_none()
