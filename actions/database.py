"""Database access for the action server: one engine per process, one session per action."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from functools import cache
from typing import Callable, Iterator, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from catalogue.database import make_engine, make_session_factory
from leerwijzer.settings import get_settings

T = TypeVar("T")


@cache
def session_factory(database_url: str) -> sessionmaker:
    """Return the session factory for a database URL (engines pool their connections)."""
    return make_session_factory(make_engine(database_url))


@contextmanager
def session_scope() -> Iterator[Session]:
    """Open a session for one action run; roll back on error, always close."""
    session = session_factory(get_settings().database_url)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


async def run_in_session(work: Callable[[Session], T]) -> T:
    """Run blocking database work in a thread so the action server's loop stays free."""

    def _run() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(_run)
