"""Engine, session factory, migrations and first-run seeding for the catalogue."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine import create_engine as sa_create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from offer_catalogue.models import Offer

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_catalogue"


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    """Turn on WAL, foreign keys and secure delete for every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Erased personal data (privacy erase, retention purge) must not survive in freed pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    """Emit BEGIN ourselves so savepoints work with pysqlite.

    A unit of work that reads and then writes asks for `sqlite_begin="immediate"`: a deferred
    transaction that upgrades to a write while another connection writes fails at once with
    "database is locked" (SQLite cannot wait there without a deadlock), while BEGIN IMMEDIATE
    takes the write lock first and so waits for the busy timeout instead.
    """
    immediate = connection.get_execution_options().get("sqlite_begin") == "immediate"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for SQLite (WAL, foreign keys) or PostgreSQL (pre-ping)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        # Writers wait this long for each other instead of failing with "database is locked".
        connect_args.setdefault("timeout", 15)
        if database and database != ":memory:":
            # SQLAlchemy 1.4 opens a new connection per session for SQLite files
            # (NullPool); a small pool saves milliseconds on every search.
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", 5)
        engine = sa_create_engine(url, future=True, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        # pysqlite starts transactions itself and breaks SAVEPOINT; let SQLAlchemy do it.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa_create_engine(url, future=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Return a session factory; open one session per request with it."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Any:
    """Build an in-memory Alembic config pointing at the package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the catalogue tables to `revision` (default: the newest)."""
    from alembic import command

    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the catalogue tables to `revision` (default: remove them all)."""
    from alembic import command

    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """Return the applied catalogue migration revision, or None if none ran."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def count_offers(session: Session) -> int:
    """Return how many offers the catalogue holds."""
    return int(session.execute(select(func.count(Offer.id))).scalar_one())


def seed_sample_if_empty(session_factory: sessionmaker) -> Any:
    """Load the fictional sample catalogue when there are no offers yet.

    Returns the import report, or None when the catalogue already had offers.
    """
    from offer_catalogue.sample import load_sample_catalogue

    with session_factory() as session:
        if count_offers(session) > 0:
            return None
    return load_sample_catalogue(session_factory)


def sample_sqlite_database(folder: Path) -> str:
    """A new SQLite database in `folder`, migrated and holding the sample catalogue; its URL."""
    url = f"sqlite:///{folder / 'leerwijzer.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed_sample_if_empty(make_session_factory(engine))
    engine.dispose()
    return url
