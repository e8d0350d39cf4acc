"""Alembic environment for the catalogue; runs only programmatically (see database.py)."""

from __future__ import annotations

from alembic import context

from offer_catalogue.models import Base

config = context.config
VERSION_TABLE = config.get_main_option("version_table") or "alembic_version_catalogue"


def run_migrations_online() -> None:
    """Run migrations on the connection handed over by offer_catalogue.database.migrate."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = config.attributes["engine"]
        with engine.begin() as new_connection:
            _run(new_connection)
        return
    _run(connection)


def _run(connection: object) -> None:
    """Configure the context on one connection and run the migrations."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("Offline catalogue migrations are not supported; use migrate(engine).")
run_migrations_online()
