"""What the search action counts for the library's insight: the themes asked for, where, and what failed.

Counted when the search runs (helpdesk/counts.py): the next month's purge of the conversation
leaves the count. A "meer" page of the same search is not a new question and is not counted.
"""

from __future__ import annotations

import logging
from typing import Iterable

from actions.database import run_in_session
from helpdesk import counts
from leerwijzer.redact import mask_id
from offer_catalogue import region

logger = logging.getLogger(__name__)

FITTED = "fitted"
# No single limit kept the offers out: the catalogue has nothing for the question at all.
NOTHING = "nothing"


def insight_place(municipality: str | None) -> str:
    """The municipality as counted: a region municipality, "elsewhere", or "" (not said)."""
    if municipality in region.MUNICIPALITIES:
        return str(municipality)
    return "elsewhere" if municipality == "elsewhere" else ""


async def count_search(
    sender_id: str,
    themes: Iterable[str],
    municipality: str | None,
    channel: str | None,
    language: str,
    result: str,
) -> None:
    """Count one search per theme asked for (a question without a theme counts under "").

    `result`: FITTED, the limit that kept every offer out ("price", "time", ...), or NOTHING.
    Never fails the search: a count is not worth a lost answer.
    """
    place = insight_place(municipality)

    def work(session: object) -> None:
        for theme in list(themes) or [""]:
            counts.count(
                session,  # type: ignore[arg-type]
                "search",
                channel=channel,
                language=language,
                theme=theme,
                municipality=place,
                detail=result,
            )

    try:
        await run_in_session(work, write=True)
    except Exception:  # noqa: BLE001
        logger.exception("Counting the search of %s failed", mask_id(sender_id))
