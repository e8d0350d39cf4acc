"""The pruned top-k search must equal scoring every candidate, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from offer_catalogue import search
from offer_catalogue.database import current_revision, make_engine, make_session_factory, migrate
from offer_catalogue.models import SearchTermWeight
from offer_catalogue.search import SearchQuery, search_offers

TODAY = dt.date(2026, 12, 1)
BENCH_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "search_bench.py"


def _bench_module() -> Any:
    """Import benchmarks/search_bench.py (not a package) for its generator and queries."""
    spec = importlib.util.spec_from_file_location("search_bench_for_tests", BENCH_FILE)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> Any:
    """The benchmark module."""
    return _bench_module()


@pytest.fixture(scope="module")
def synthetic_sqlite(tmp_path_factory, bench) -> Iterator[sessionmaker]:
    """3 000 synthetic benchmark offers (many ties, every filter) on SQLite."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('synthetic')}/synthetic.db")
    migrate(engine)
    bench.populate(engine, 3000)
    yield make_session_factory(engine)
    engine.dispose()


def _ranked(sessions: sessionmaker, query: SearchQuery, limit: int) -> list[tuple[int, int | None, int]]:
    """Return (offer id, offering id, score) of the results."""
    with sessions() as session:
        return [(r.offer_id, r.offering_id, r.score) for r in search_offers(session, query, limit=limit)]


def _compare(
    sessions: sessionmaker,
    queries: list[SearchQuery],
    monkeypatch,
    results: Callable[..., list] | None = None,
) -> None:
    """Pruned search == exhaustive search for every query and several limits.

    `results(sessions, query, limit)` says what is compared; by default `_ranked`.
    """
    results = results or _ranked
    for query in queries:
        for limit in (1, 3, 10):
            pruned = results(sessions, query, limit)
            with monkeypatch.context() as patch:
                patch.setattr(search, "_PRUNE", False)
                exhaustive = results(sessions, query, limit)
            assert pruned == exhaustive, (query, limit)


def _sample_queries() -> list[SearchQuery]:
    """The relevance queries plus a few without text."""
    from tests.offer_catalogue.test_search import RELEVANCE_CASES

    queries = [SearchQuery(today=TODAY, **fields) for fields, _expected, _first in RELEVANCE_CASES]
    queries += [
        SearchQuery(municipality="Eindhoven", today=TODAY),
        SearchQuery(municipality="Helmond", within_km=10, free_only=True, today=TODAY),
        SearchQuery(text="cursus", starting_within_months=2, today=TODAY),
        SearchQuery(text="computer", target_group="senioren", today=TODAY),
    ]
    return queries


def test_pruned_equals_exhaustive_on_sample(sample_sqlite, monkeypatch) -> None:
    """On the sample catalogue the early stop never changes a result."""
    _compare(sample_sqlite, _sample_queries(), monkeypatch)


def test_pruned_equals_exhaustive_on_synthetic_data(synthetic_sqlite, bench, monkeypatch) -> None:
    """On generated data with many equal scores the early stop never changes a result."""
    queries = []
    for _name, query in bench.QUERIES:
        query.today = bench.TODAY
        queries.append(query)
    _compare(synthetic_sqlite, queries, monkeypatch)


def test_pruned_equals_exhaustive_on_postgresql(sample_pg, monkeypatch) -> None:
    """The same holds on PostgreSQL."""
    _compare(sample_pg, _sample_queries()[:12], monkeypatch)


def test_upgrade_from_0001_fills_term_weights(tmp_path) -> None:
    """A catalogue indexed at revision 0001 gets its term weights on upgrade and stays searchable."""
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    try:
        migrate(engine, "0001_initial")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO providers (id, source, source_id, name, fictional) VALUES (1, 't', 'p', 'P', 1)",
                "INSERT INTO offers (id, source, source_id, provider_id, kind, title_nl, fictional) "
                "VALUES (1, 't', 'o', 1, 'course', 'Heftruckcertificaat', 1)",
                "INSERT INTO offerings (id, source, source_id, offer_id, mode, price_cents) "
                "VALUES (1, 't', 'r', 1, 'online', 0)",
                "INSERT INTO offer_search_terms (term, offer_id, weight) "
                "VALUES ('heftruckcertificat', 1, 30)",
                "INSERT INTO offer_search_terms (term, offer_id, weight) VALUES ('heftruck', 1, 27)",
                "INSERT INTO search_vocabulary (term, offer_count) VALUES ('heftruckcertificat', 1)",
                "INSERT INTO search_vocabulary (term, offer_count) VALUES ('heftruck', 1)",
            ):
                connection.execute(text(statement))
        migrate(engine)
        assert current_revision(engine) == "0003_schedule_theme_scores"
        sessions = make_session_factory(engine)
        with sessions() as session:
            rows = session.execute(select(SearchTermWeight.term, SearchTermWeight.weight)).all()
        assert sorted(rows) == [("heftruck", 27), ("heftruckcertificat", 30)]
        assert _ranked(sessions, SearchQuery(text="heftruck", today=TODAY), 3) == [(1, 1, 270)]
    finally:
        engine.dispose()
