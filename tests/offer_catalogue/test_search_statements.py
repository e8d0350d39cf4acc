"""Reused search statements, local-first walking, matched words and round trips."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any, Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from offer_catalogue import search
from offer_catalogue.csv_import import import_csv
from offer_catalogue.database import make_engine, make_session_factory, migrate
from offer_catalogue.models import OfferSearchTerm
from offer_catalogue.search import SearchQuery, search_offers
from tests.offer_catalogue.test_search import RELEVANCE_CASES
from tests.offer_catalogue.test_search_topk import _bench_module, _compare

TODAY = dt.date(2026, 12, 1)

# Queries whose best offers depend on the municipality, including ones where no offer there
# matches (the local walk then finds nothing) and ones mixing nearby places and online.
PLACE_QUERIES = [
    {"text": "computercursus", "municipality": "Helmond"},
    {"text": "heftruck", "municipality": "Helmond", "kinds": ["event"]},
    {"text": "heftruck", "municipality": "Bladel", "mode": "on_site", "free_only": True},
    {"text": "taal", "municipality": "Eindhoven", "within_km": 10},
    {"text": "engels", "municipality": "Someren", "mode": "online"},
    {"text": "cursus", "municipality": "Veldhoven", "within_km": 25, "starting_within_months": 2},
    {"text": "werk in de zorg", "municipality": "Geldrop-Mierlo"},
    {"text": "loopbaan", "municipality": "Reusel-De Mierden", "mode": "on_site"},
    {"municipality": "Deurne"},
    {"municipality": "Waalre", "mode": "on_site", "free_only": True},
]


@pytest.fixture(scope="module")
def synthetic_sqlite(tmp_path_factory) -> Iterator[sessionmaker]:
    """3 000 synthetic benchmark offers on SQLite."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('statements')}/synthetic.db")
    migrate(engine)
    _bench_module().populate(engine, 3000)
    yield make_session_factory(engine)
    engine.dispose()


def _search(sessions: sessionmaker, query: SearchQuery, limit: int = 3) -> list[Any]:
    """Run one search in its own session."""
    with sessions() as session:
        return search_offers(session, query, limit=limit)


def _full(sessions: sessionmaker, query: SearchQuery, limit: int = 3) -> list[dict[str, Any]]:
    """Return every field of every result (reasons included)."""
    with sessions() as session:
        return [dataclasses.asdict(result) for result in search_offers(session, query, limit=limit)]


def _queries(fields: list[dict[str, Any]]) -> list[SearchQuery]:
    """Build search queries for the fixed test day."""
    return [SearchQuery(today=TODAY, **item) for item in fields]


@pytest.mark.parametrize("walks", [(256, 2, 0), (4, 1, 0), (1, 3, 0), (256, 2, 256), (256, 2, 5000)])
def test_local_first_equals_exhaustive(synthetic_sqlite, monkeypatch, walks: tuple[int, int, int]) -> None:
    """Visiting offers in the municipality first, or small levels at once, never changes a result."""
    first_chunk, windows, small_walk = walks
    monkeypatch.setattr(search, "_FIRST_LOCAL_CHUNK", first_chunk)
    monkeypatch.setattr(search, "_LOCAL_WINDOWS", windows)
    monkeypatch.setattr(search, "_SMALL_WALK", small_walk)
    local_walks = []
    chunk = search._Statements.chunk

    def counting_chunk(self: Any, pairs: int, local: bool) -> Any:
        local_walks.append(local)
        return chunk(self, pairs, local)

    monkeypatch.setattr(search._Statements, "chunk", counting_chunk)
    _compare(synthetic_sqlite, _queries(PLACE_QUERIES), monkeypatch, results=_full)
    # The local walk really ran (and with every level merged into one window it never does).
    assert any(local_walks) == (small_walk < 3000)


def test_reused_statements_give_the_same_results(sample_sqlite, synthetic_sqlite) -> None:
    """Searches of the same shape share statements; no value leaks from one search to the next."""
    queries = _queries([fields for fields, _expected, _first in RELEVANCE_CASES] + PLACE_QUERIES)
    for sessions in (sample_sqlite, synthetic_sqlite):
        fresh = []
        for query in queries:
            search._statement_cache.clear()
            fresh.append(_full(sessions, query))
        order = list(range(len(queries)))
        random.Random(3).shuffle(order)
        warm = {number: _full(sessions, queries[number]) for number in order}
        assert [warm[number] for number in range(len(queries))] == fresh


def test_matched_words_are_the_query_words_found_in_the_offer(sample_sqlite) -> None:
    """The "matches" reason lists the query words whose terms the offer's index holds."""
    checked = 0
    for fields, _expected, _first in RELEVANCE_CASES:
        query = SearchQuery(today=TODAY, **fields)
        with sample_sqlite() as session:
            results = search_offers(session, query, limit=5)
            groups = (
                search._index_info(session).analyse(search._strip_places(query.text)[0]).meaningful_groups
            )
            for result in results:
                terms = set(
                    session.execute(
                        select(OfferSearchTerm.term).where(OfferSearchTerm.offer_id == result.offer_id)
                    ).scalars()
                )
                expected = [group.word for group in groups if set(group.terms) & terms]
                matched = [reason.params["words"] for reason in result.reasons if reason.code == "matches"]
                assert matched == ([expected] if expected else []), (fields, result.offer_id)
                checked += 1
    assert checked > 50


def test_a_typical_search_takes_one_statement(sample_sqlite) -> None:
    """One statement per chunk: it checks the vocabulary version and brings the result rows too."""
    engine = sample_sqlite.kw["bind"]
    statements: list[str] = []

    def remember(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    query = SearchQuery(text="Ik zoek een computercursus", municipality="Helmond", today=TODAY)
    _full(sample_sqlite, query)  # warm the vocabulary cache
    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert _full(sample_sqlite, query)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(statements) == 1, statements


def test_search_notices_a_new_vocabulary(sqlite_sessions, tmp_path) -> None:
    """Index data cached before an import (by another process) is noticed as stale and refreshed."""
    header = "offering_id,offer_id,provider_id,provider_name,kind,title_nl,keywords,mode,price_eur,checked_on"

    def import_rows(name: str, *rows: str) -> None:
        """Import rows without touching this process's cache, as another process would."""
        stale = dict(search._latest_index)
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join([header, *rows]) + "\n")
        import_csv(sqlite_sessions, path)
        assert search._latest_index == stale

    import_rows("first", "r1,o1,p,Aanbieder,course,Heftruckcertificaat,,online,0,2026-11-20")
    heftruck = SearchQuery(text="heftruck", today=TODAY)
    gliding = SearchQuery(text="zweefvliegen", today=TODAY)
    assert [r.offer_id for r in _search(sqlite_sessions, heftruck)] == [1]
    assert not _search(sqlite_sessions, gliding)
    # A word the cached vocabulary lacks: no chunk runs, the version is checked on its own.
    import_rows("second", "r2,o2,p,Aanbieder,course,Zweefvliegen,,online,0,2026-11-20")
    assert [r.offer_id for r in _search(sqlite_sessions, gliding)] == [2]
    # A (term, weight) pair the cache lacks ("heftruck" as a keyword): the chunk notices it.
    import_rows("third", "r3,o3,p,Aanbieder,course,Orderpicken,heftruck,online,0,2026-11-20")
    assert [r.offer_id for r in _search(sqlite_sessions, heftruck, limit=5)] == [1, 3]


def test_file_sqlite_reuses_connections(tmp_path) -> None:
    """A file database keeps its connections in a pool (no new connection and PRAGMAs per search)."""
    engine = make_engine(f"sqlite:///{tmp_path}/pool.db")
    try:
        migrate(engine)
        assert isinstance(engine.pool, QueuePool)
        connects: list[Any] = []
        event.listen(engine, "connect", lambda *_args: connects.append(1))
        sessions = make_session_factory(engine)
        for _ in range(5):
            with sessions() as session:
                search_offers(session, SearchQuery(text="computer", today=TODAY))
        assert len(connects) <= 1
    finally:
        engine.dispose()
