"""Every table of the app database is made by Alembic, exactly as the code describes it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import actions.records
import channels.store
import helpdesk.models
from helpdesk.database import engine_for
from offer_catalogue.database import make_engine, migrate
from tests.helpdesk.support import throwaway_postgres

# Every metadata whose tables live in the app database (offer_catalogue.models are checked below).
APP_METADATA = {
    "helpdesk.models": helpdesk.models.Base.metadata,
    "channels.store": channels.store.metadata,
    "actions.records": actions.records.metadata,
}


def _table_diffs(engine: sa.engine.Engine, metadata: sa.MetaData) -> list:
    """Tables and columns the code has but the migrated database lacks (or the reverse)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diffs = compare_metadata(context, metadata)
    names = set(metadata.tables)
    wanted = []
    for diff in diffs:
        kind = diff[0] if isinstance(diff, tuple) else diff[0][0]
        ours = kind != "remove_table" or diff[1].name in names  # other metadata's tables are not ours
        if kind in ("add_table", "add_column", "remove_column", "remove_table") and ours:
            wanted.append(diff)
    return wanted


@pytest.fixture(params=["sqlite", "postgresql"])
def app_url(request: pytest.FixtureRequest, tmp_path: object) -> object:
    """A new, empty app database on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/app.db"  # type: ignore[operator]
        return
    with throwaway_postgres() as url:
        yield url


def test_migrations_make_every_table_the_code_uses(app_url: str) -> None:
    migrate(make_engine(app_url))  # the catalogue's own migrations
    engine = engine_for(app_url)  # the helpdesk's, as every process runs them on first use
    for name, metadata in APP_METADATA.items():
        missing = _table_diffs(engine, metadata)
        assert not missing, f"{name}: tables or columns not made by a migration: {missing}"


def test_no_table_is_created_outside_the_migrations() -> None:
    # create_all() would hide a missing migration; the channel store and the records use none.
    import inspect

    for module in (channels.store, actions.records):
        assert "create_all(" not in inspect.getsource(module), module.__name__
