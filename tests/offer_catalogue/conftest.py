"""Shared fixtures for catalogue tests: SQLite and throwaway PostgreSQL databases."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from offer_catalogue.database import make_engine, make_session_factory, migrate, seed_sample_if_empty

# Fixed "today" so relevance tests do not drift with the calendar.
TODAY = dt.date(2026, 12, 1)
PG_SERVER_URL = os.environ.get("LEERWIJZER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/")


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    """An empty, migrated SQLite database in a temporary folder."""
    engine = make_engine(f"sqlite:///{tmp_path}/nested/catalogue.db")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_sessions(sqlite_engine) -> sessionmaker:
    """A session factory for the empty SQLite database."""
    return make_session_factory(sqlite_engine)


@pytest.fixture(scope="session")
def sample_sqlite(tmp_path_factory) -> Iterator[sessionmaker]:
    """A SQLite database with the sample catalogue, shared by the whole test session."""
    folder = tmp_path_factory.mktemp("sample")
    engine = make_engine(f"sqlite:///{folder}/sample.db")
    migrate(engine)
    sessions = make_session_factory(engine)
    report = seed_sample_if_empty(sessions)
    assert report is not None and not report.rejected, report
    yield sessions
    engine.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Create a throwaway PostgreSQL database; fail loudly when PostgreSQL is unreachable."""
    name = f"leerwijzer_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER_URL + "postgres", isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("LEERWIJZER_SKIP_PG") == "1":
            pytest.skip("PostgreSQL unreachable and LEERWIJZER_SKIP_PG=1")
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_SERVER_URL} ({error.orig}). Start it, or set "
            "LEERWIJZER_SKIP_PG=1 to skip the PostgreSQL tests on purpose.",
            pytrace=False,
        )
    try:
        yield PG_SERVER_URL + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sample_pg(pg_server) -> Iterator[sessionmaker]:
    """The PostgreSQL test database with the sample catalogue loaded."""
    engine = make_engine(pg_server)
    migrate(engine)
    sessions = make_session_factory(engine)
    report = seed_sample_if_empty(sessions)
    # Another test may have seeded this database already; the content is the same.
    assert report is None or not report.rejected, report
    yield sessions
    engine.dispose()
