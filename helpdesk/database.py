"""Engines, sessions and programmatic migrations for the helpdesk tables."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from offer_catalogue.database import make_engine, make_session_factory

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_helpdesk"


def _alembic_config(engine: Engine) -> Any:
    """Build an in-memory Alembic config pointing at the helpdesk migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head", attempts: int = 3) -> None:
    """Upgrade the helpdesk tables; retried because several processes may start at once."""
    from alembic import command

    for attempt in range(1, attempts + 1):
        try:
            config = _alembic_config(engine)
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return
        except Exception:  # another process migrating at the same moment
            if attempt == attempts:
                raise
            logger.warning("Helpdesk migration attempt %s failed; retrying.", attempt)
            time.sleep(0.5 * attempt)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the helpdesk tables (default: remove them all)."""
    from alembic import command

    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


_engines: Dict[str, Engine] = {}
_factories: Dict[str, sessionmaker] = {}
_lock = threading.Lock()


def engine_for(database_url: str) -> Engine:
    """One pooled engine per database URL and process, migrated on first use."""
    with _lock:
        engine = _engines.get(database_url)
        if engine is None:
            engine = make_engine(database_url)
            migrate(engine)
            _engines[database_url] = engine
        return engine


def session_factory(database_url: str) -> sessionmaker:
    """Session factory for a database URL; open one session per request or action."""
    factory = _factories.get(database_url)
    if factory is None:
        factory = _factories.setdefault(database_url, make_session_factory(engine_for(database_url)))
    return factory


def dispose_engines() -> None:
    """Close every pooled connection (tests dropping databases call this)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()


@contextmanager
def session_scope(database_url: str, write: bool = False) -> Iterator[Session]:
    """Open a session for one unit of work; commit on success, roll back on error.

    `write=True` for work that reads and then writes: on SQLite it takes the write lock first
    (BEGIN IMMEDIATE, see offer_catalogue.database), so a concurrent writer makes it wait for the
    busy timeout instead of failing at once with "database is locked".
    """
    session = session_factory(database_url)()
    if write:
        session.connection(execution_options={"sqlite_begin": "immediate"})
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
