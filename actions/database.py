"""Database access for the action server: one engine per process, one session per action.

The engine and session factory are the helpdesk's (helpdesk.database), which migrate the app
database on first use, so every table the actions use exists.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from sqlalchemy.orm import Session

from helpdesk.database import session_scope as app_session_scope
from leerwijzer.settings import get_settings

T = TypeVar("T")


@contextmanager
def session_scope(write: bool = False) -> Iterator[Session]:
    """Open a session for one action run (the helpdesk's one session scope, on the settings' URL)."""
    with app_session_scope(get_settings().database_url, write=write) as session:
        yield session


async def run_in_session(work: Callable[[Session], T], write: bool = False) -> T:
    """Run blocking database work in a thread so the action server's loop stays free.

    `write=True` for work that reads, then writes (see helpdesk.database.session_scope).
    """

    def _run() -> T:
        with session_scope(write) as session:
            return work(session)

    return await asyncio.to_thread(_run)
