"""Counting for the library's insight, at the moment something happens (never read back from chats).

`count` adds one to a row of hd_insight_counts: a metric, the month in the helpdesk's zone and a
few coarse dimensions. No sender, text or time of day goes in, so the counts stay when the
erase or the retention purge deletes the conversations (README, "Privacy"). The callers:

- chat: the gate, for a conversation's first kept message (channel, language it starts in);
- search, search_theme: the search action, once per question and once per theme it is about
  (`count_question`: municipality, "fitted" or the limit that failed);
- handoff: a new case or call-back/walk-in task (channel, language, reason or kind);
- wait: an advisor picks up a waiting chat (channel, wait band);
- outcome: a case or task ends (channel, outcome).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.models import INSIGHT_METRICS, InsightCount

# Upper bounds in minutes of the wait bands the insight page shows, and the band past the last.
WAIT_BANDS = ((2, "under_2"), (10, "2_to_10"), (30, "10_to_30"), (120, "30_to_120"))
WAIT_LONGEST = "over_120"
DIMENSIONS = ("channel", "language", "theme", "municipality", "detail")
_LENGTHS = {name: InsightCount.__table__.c[name].type.length for name in DIMENSIONS}


# Counts from 1 to MIN_SHOWN - 1 are never shown (None, "<5"): at a small employer "1 handed to an
# advisor" could point to a colleague. The others are rounded to ROUND_TO, so a hidden count
# cannot be worked out by subtracting shown ones (a total minus its shown parts).
MIN_SHOWN = 5
ROUND_TO = 5


def shown(count: int) -> int | None:
    """A count as it may be shown: 0; None ("<5") from 1 to 4; else rounded to 5 (7 -> 5, 8 -> 10)."""
    if count == 0:
        return 0
    if count < MIN_SHOWN:
        return None
    return int(ROUND_TO * ((count + ROUND_TO // 2) // ROUND_TO))


def current_month(moment: dt.datetime | None = None) -> str:
    """The month ("2026-12") of `moment` (default now) in the helpdesk's zone."""
    from leerwijzer.settings import get_settings

    return get_settings().local_time(moment).strftime("%Y-%m")


def add_one(session: Session, model: Any, **key: Any) -> None:
    """Add one to the `count` of the row with this key, making the row when it is not there.

    Safe when another process counts the same row at the same moment (the insert that loses
    the race adds to the winner's row).
    """
    changed = session.execute(
        update(model)
        .filter_by(**key)
        .values(count=model.count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        return
    try:
        with session.begin_nested():
            session.add(model(**key, count=1))
    except IntegrityError:  # another process made the row first
        session.execute(
            update(model)
            .filter_by(**key)
            .values(count=model.count + 1)
            .execution_options(synchronize_session=False)
        )


def wait_band(waited: dt.timedelta) -> str:
    """The band ("2_to_10") a wait falls in."""
    minutes = waited.total_seconds() / 60
    for limit, band in WAIT_BANDS:
        if minutes < limit:
            return band
    return WAIT_LONGEST


def count(session: Session, metric: str, **dimensions: Any) -> None:
    """Add one to `metric` this month for these dimensions (channel, language, theme, ...).

    Values are cut to their column's length; a dimension not given is "".
    """
    if metric not in INSIGHT_METRICS:
        raise ValueError(f"metric must be one of {', '.join(INSIGHT_METRICS)}")
    unknown = set(dimensions) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(sorted(unknown))}")
    key = {name: str(dimensions.get(name) or "")[: _LENGTHS[name]] for name in DIMENSIONS}
    add_one(session, InsightCount, metric=metric, month=current_month(), **key)


def count_question(session: Session, themes: Iterable[str], **dimensions: Any) -> None:
    """Count one question searched: once ("search") and once per theme it is about ("search_theme").

    A question no theme fits counts under theme "". `dimensions`: channel, language,
    municipality and detail (its result).
    """
    count(session, "search", **dimensions)
    for theme in list(themes) or [""]:
        count(session, "search_theme", theme=theme, **dimensions)
