"""Tests for models, migrations and the database helpers on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from offer_catalogue.database import (
    VERSION_TABLE,
    current_revision,
    downgrade,
    make_engine,
    make_session_factory,
    migrate,
    seed_sample_if_empty,
)
from offer_catalogue.models import Offer, Offering, OfferSearchTerm, Provider

EXPECTED_TABLES = {
    "providers",
    "offers",
    "offerings",
    "locations",
    "themes",
    "skills",
    "target_groups",
    "offer_themes",
    "offer_skills",
    "offer_target_groups",
    "offer_search_terms",
    "search_vocabulary",
    "search_term_weights",
    "catalogue_meta",
    VERSION_TABLE,
}


def test_sqlite_engine_uses_wal_and_foreign_keys(sqlite_engine) -> None:
    """SQLite connections run in WAL mode with foreign keys on; the folder is created."""
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert set(inspect(sqlite_engine).get_table_names()) >= EXPECTED_TABLES


def test_foreign_keys_are_enforced(sqlite_sessions) -> None:
    """An offer pointing at a missing provider is refused."""
    with sqlite_sessions() as session:
        session.add(Offer(source="t", source_id="x", provider_id=999, kind="course", title_nl="x"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_kind_and_mode_are_constrained(sqlite_sessions) -> None:
    """Unknown kinds are refused by the database."""
    with sqlite_sessions() as session:
        provider = Provider(source="t", source_id="p", name="P")
        session.add(provider)
        session.flush()
        with pytest.raises(IntegrityError):
            session.execute(
                text(
                    "INSERT INTO offers (source, source_id, provider_id, kind, title_nl, fictional) "
                    "VALUES ('t', 'o', :p, 'podcast', 'x', false)"
                ),
                {"p": provider.id},
            )


def test_price_is_exact_in_euros(sqlite_sessions) -> None:
    """Prices round-trip exactly as Decimal; None means unknown."""
    offering = Offering(mode="online")
    offering.price_eur = Decimal("185.50")
    assert offering.price_cents == 18550 and offering.price_eur == Decimal("185.50")
    offering.price_eur = None
    assert offering.price_eur is None


def test_migrate_is_idempotent_and_reversible(sqlite_engine) -> None:
    """Migrating twice is harmless; downgrade removes every catalogue table."""
    migrate(sqlite_engine)
    assert current_revision(sqlite_engine) == "0003_schedule_theme_scores"
    downgrade(sqlite_engine)
    tables = set(inspect(sqlite_engine).get_table_names())
    assert not (EXPECTED_TABLES - {VERSION_TABLE}) & tables
    migrate(sqlite_engine)
    assert current_revision(sqlite_engine) == "0003_schedule_theme_scores"


def test_seed_only_when_empty(sqlite_sessions) -> None:
    """The sample loads once: 150+ offers, 20+ providers, all 21 municipalities, all fictional."""
    report = seed_sample_if_empty(sqlite_sessions)
    assert report is not None and not report.rejected
    assert seed_sample_if_empty(sqlite_sessions) is None
    with sqlite_sessions() as session:
        assert session.execute(select(func.count(Offer.id))).scalar_one() >= 150
        assert session.execute(select(func.count(Provider.id))).scalar_one() >= 20
        municipalities = set(session.execute(select(Offering.municipality).distinct()).scalars())
        assert len(municipalities - {None}) == 21
        assert (
            session.execute(select(func.count(Offer.id)).where(Offer.fictional.is_(False))).scalar_one() == 0
        )
        assert (
            session.execute(select(func.count(Offer.id)).where(Offer.checked_on.is_(None))).scalar_one() == 0
        )
        assert session.execute(select(func.count()).select_from(OfferSearchTerm)).scalar_one() > 1000


def test_postgresql_migrate_seed_and_downgrade(pg_server) -> None:
    """The same migrations and sample load work on PostgreSQL."""
    engine = make_engine(pg_server)
    try:
        migrate(engine)
        assert set(inspect(engine).get_table_names()) >= EXPECTED_TABLES
        sessions = make_session_factory(engine)
        seed_sample_if_empty(sessions)
        with sessions() as session:
            assert session.execute(select(func.count(Offer.id))).scalar_one() >= 150
    finally:
        engine.dispose()
