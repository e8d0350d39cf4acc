"""Relevance, filter and formatting tests for catalogue search, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from offer_catalogue.models import Offer
from offer_catalogue.search import (
    SearchQuery,
    SearchResult,
    find_scheme,
    format_price,
    format_reasons,
    search_offers,
)

TODAY = dt.date(2026, 12, 1)

# (query fields, sample ids that must be in the top 3, sample id that must be first or None)
RELEVANCE_CASES: list[tuple[dict[str, Any], set[str], str | None]] = [
    (
        {"text": "Ik zoek een computercursus in Helmond"},
        {"klik-tik-helmond", "helmond-computer-senioren"},
        "klik-tik-helmond",
    ),
    ({"text": "computercursus", "municipality": "Helmond"}, {"klik-tik-helmond"}, "klik-tik-helmond"),
    (
        {"text": "cursus computer", "municipality": "Helmond"},
        {"klik-tik-helmond", "helmond-computer-senioren"},
        None,
    ),
    ({"text": "computr", "municipality": "Eindhoven"}, {"klik-tik-eindhoven"}, None),
    (
        {"text": "computer course", "municipality": "Helmond", "language": "en"},
        {"klik-tik-helmond"},
        "klik-tik-helmond",
    ),
    (
        {"text": "digivaardigheden", "target_group": "senioren", "municipality": "Geldrop-Mierlo"},
        {"tablet-senioren-mierlo"},
        None,
    ),
    ({"text": "tablet", "municipality": "Nuenen c.a."}, {"tablet-senioren-gerwen"}, "tablet-senioren-gerwen"),
    ({"text": "hulp met DigiD", "municipality": "Waalre"}, {"ido-waalre"}, "ido-waalre"),
    ({"text": "mantelzrog", "municipality": "Deurne"}, {"mantelzorg-01"}, "mantelzorg-01"),
    ({"text": "dementie", "municipality": "Bladel"}, {"mantelzorg-04"}, "mantelzorg-04"),
    ({"text": "dementie", "mode": "online"}, {"online-dementie-mantelzorg"}, "online-dementie-mantelzorg"),
    ({"text": "ik wil in de zorg werken"}, {"verzorgende-ig-bbl", "instroom-zorg-eindhoven"}, None),
    ({"text": "verpleging"}, {"instroom-zorg-eindhoven"}, None),
    ({"text": "nederlands leren", "mode": "online"}, {"nt2-online"}, "nt2-online"),
    ({"text": "NT2", "municipality": "Eindhoven"}, {"nt2-b1-eindhoven", "nt2-b2-eindhoven"}, None),
    (
        {"text": "lezen en schrijven", "municipality": "Someren"},
        {"beter-lezen-schrijven-someren"},
        "beter-lezen-schrijven-someren",
    ),
    ({"text": "taalcafe", "municipality": "Helmond"}, {"taalcafe-helmond"}, "taalcafe-helmond"),
    ({"text": "teamleider worden", "municipality": "Helmond"}, {"teamleider-2"}, "teamleider-2"),
    ({"text": "leiderschap", "mode": "online"}, {"teamleider-4"}, None),
    ({"text": "eigen bedrijf beginnen"}, {"starten-zzp-eindhoven", "starten-zzp-helmond"}, None),
    ({"text": "zzp", "municipality": "Someren"}, {"starten-zzp-someren"}, "starten-zzp-someren"),
    ({"text": "stoppen met mijn bedrijf"}, {"stoppen-bedrijf", "bedrijf-overdragen-deurne"}, None),
    ({"text": "schilder"}, {"schilder-basis-son", "schilder-helmond"}, None),
    (
        {"text": "installateur", "municipality": "Bladel", "within_km": 15},
        {"installateur-bladel", "warmtepomp-eersel"},
        "installateur-bladel",
    ),
    ({"text": "warmtepomp"}, {"warmtepomp-eersel"}, "warmtepomp-eersel"),
    ({"text": "hightech operator"}, {"operator-hightech-veldhoven"}, "operator-hightech-veldhoven"),
    ({"text": "heftruck"}, {"heftruck-helmond"}, "heftruck-helmond"),
    ({"text": "logistiek", "municipality": "Deurne"}, {"orderpicker-deurne"}, None),
    ({"text": "excel", "max_price_eur": 150}, {"office-online"}, "office-online"),
    ({"text": "kunstmatige intelligentie"}, {"ai-basis-eindhoven", "ai-senioren-helmond"}, None),
    ({"text": "chatgpt", "free_only": True}, {"ai-basis-eindhoven"}, None),
    (
        {"text": "engels", "municipality": "Geldrop-Mierlo"},
        {"engels-beginners-geldrop"},
        "engels-beginners-geldrop",
    ),
    ({"text": "English course online", "language": "en"}, {"engels-online"}, "engels-online"),
    ({"text": "welk werk past bij mij"}, {"interessetest-online"}, None),
    ({"text": "interessetest"}, {"interessetest-online"}, "interessetest-online"),
    (
        {"text": "vrijwilligerswerk", "municipality": "Eindhoven"},
        {"vrijwilligerswerk-eindhoven"},
        "vrijwilligerswerk-eindhoven",
    ),
    (
        {"text": "inloopspreekuur leren en werken", "municipality": "Asten"},
        {"inloop-leren-werken-asten"},
        "inloop-leren-werken-asten",
    ),
    (
        {"text": "spreekuur", "municipality": "Mierlo"},
        {"inloop-leren-werken-geldrop-mierlo"},
        "inloop-leren-werken-geldrop-mierlo",
    ),
    (
        {"municipality": "Reusel-De Mierden", "kinds": ["walk_in_advice"]},
        {"inloop-leren-werken-reusel-de-mierden"},
        None,
    ),
    ({"text": "subsidie werkgever"}, {"regeling-slim"}, "regeling-slim"),
    ({"text": "evc"}, {"evc-traject"}, "evc-traject"),
    ({"text": "sollicitatie"}, {"sollicitatietraining-helmond"}, "sollicitatietraining-helmond"),
]


def _search_ids(sessions: sessionmaker, fields: dict[str, Any], limit: int = 3) -> list[str]:
    """Run a search and return the sample source ids of the results."""
    with sessions() as session:
        results = search_offers(session, SearchQuery(today=TODAY, **fields), limit=limit)
        source_ids = dict(session.execute(select(Offer.id, Offer.source_id)).all())
    return [source_ids[result.offer_id] for result in results]


@pytest.mark.parametrize(
    ("fields", "expected", "first"), RELEVANCE_CASES, ids=[str(case[0]) for case in RELEVANCE_CASES]
)
def test_relevance_sqlite(
    sample_sqlite, fields: dict[str, Any], expected: set[str], first: str | None
) -> None:
    """The expected offers are in the top 3 (and first where it matters)."""
    found = _search_ids(sample_sqlite, fields)
    assert expected <= set(found), found
    if first is not None:
        assert found[0] == first, found


def test_same_top_results_on_postgresql(sample_sqlite, sample_pg) -> None:
    """Every relevance query gives the same top results, in the same order, on PostgreSQL."""
    differences = []
    for fields, _expected, _first in RELEVANCE_CASES:
        on_sqlite = _search_ids(sample_sqlite, fields, limit=5)
        on_postgres = _search_ids(sample_pg, fields, limit=5)
        if on_sqlite != on_postgres:
            differences.append((fields, on_sqlite, on_postgres))
    assert not differences


def test_helmond_computer_course_end_to_end(sample_sqlite) -> None:
    """The end-to-end question gives a computer course in Helmond with readable reasons."""
    with sample_sqlite() as session:
        results = search_offers(
            session, SearchQuery(text="Ik zoek een computercursus in Helmond", today=TODAY)
        )
    assert results and results[0].municipality == "Helmond" and "omputer" in results[0].title
    text = format_reasons(results[0], "nl")
    assert "in Helmond" in text and "start in januari 2027" in text
    assert "starts in January 2027" in format_reasons(results[0], "en")


def test_filters_are_respected(sample_sqlite) -> None:
    """Free, price, mode, municipality and start filters hold for every result."""
    with sample_sqlite() as session:
        free = search_offers(session, SearchQuery(text="computer", free_only=True, today=TODAY), limit=10)
        cheap = search_offers(session, SearchQuery(text="cursus", max_price_eur=100, today=TODAY), limit=10)
        online = search_offers(session, SearchQuery(text="taal", mode="online", today=TODAY), limit=10)
        on_site = search_offers(
            session,
            SearchQuery(text="computer", mode="on_site", municipality="Helmond", today=TODAY),
            limit=10,
        )
        soon = search_offers(
            session, SearchQuery(text="cursus", starting_within_months=2, today=TODAY), limit=10
        )
    assert free and all(result.price_eur == 0 for result in free)
    assert cheap and all(result.price_eur is not None and result.price_eur <= 100 for result in cheap)
    assert online and all(result.mode in ("online", "hybrid") for result in online)
    assert on_site and all(result.municipality == "Helmond" and result.mode != "online" for result in on_site)
    limit = TODAY + dt.timedelta(days=62)
    assert soon and all(result.start_date is None or TODAY <= result.start_date <= limit for result in soon)


def test_nearby_municipalities_within_km(sample_sqlite) -> None:
    """within_km widens the search to neighbours and ranks the own municipality first."""
    with sample_sqlite() as session:
        only_here = search_offers(
            session,
            SearchQuery(text="installateur", municipality="Eersel", mode="on_site", today=TODAY),
            limit=10,
        )
        nearby = search_offers(
            session,
            SearchQuery(
                text="installateur", municipality="Eersel", within_km=12, mode="on_site", today=TODAY
            ),
            limit=10,
        )
    assert {result.municipality for result in only_here} == {"Eersel"}
    assert nearby[0].municipality == "Eersel" and len({result.municipality for result in nearby}) > 1
    assert any(reason.code == "nearby" for result in nearby for reason in result.reasons)


def test_ended_offerings_and_schemes_are_hidden(sample_sqlite) -> None:
    """Ended offerings and the ended STAP scheme never come out of normal search."""
    ids = _search_ids(sample_sqlite, {"text": "computer", "municipality": "Helmond"}, limit=50)
    assert "computer-2025-helmond" not in ids
    ids = _search_ids(sample_sqlite, {"text": "STAP budget", "kinds": ["scheme"]}, limit=50)
    assert "regeling-stap-budget" not in ids and "regeling-slim" in ids


def test_find_scheme_reports_stap_as_ended(sample_sqlite) -> None:
    """find_scheme answers 'what happened to STAP' with the end date."""
    with sample_sqlite() as session:
        stap = find_scheme(session, "STAP", today=TODAY)
        slim = find_scheme(session, "SLIM regeling", today=TODAY)
        unknown = find_scheme(session, "bestaat niet", today=TODAY)
    assert stap is not None and stap.status == "ended" and stap.valid_until == dt.date(2024, 1, 1)
    assert slim is not None and slim.status == "open" and slim.valid_until == dt.date(2030, 1, 1)
    assert unknown is None


def test_ranking_is_deterministic(sample_sqlite) -> None:
    """The same query always gives the same order."""
    first = _search_ids(sample_sqlite, {"text": "inloopspreekuur"}, limit=10)
    assert first == _search_ids(sample_sqlite, {"text": "inloopspreekuur"}, limit=10)
    assert len(first) == 10


def test_unknown_municipality_and_empty_results(sample_sqlite) -> None:
    """A municipality outside the region gives no results instead of everything."""
    assert _search_ids(sample_sqlite, {"text": "computer", "municipality": "Amsterdam"}) == []
    assert _search_ids(sample_sqlite, {"text": "xqzxqzxqz"}) == []


def _result(price: Decimal | None) -> SearchResult:
    """Build a bare result for formatting tests."""
    return SearchResult(1, 1, "t", "p", "course", "Helmond", "Helmond", price, None, None, None)


def test_format_price() -> None:
    """Prices read naturally in Dutch and English."""
    assert format_price(_result(Decimal("0")), "nl") == "gratis"
    assert format_price(_result(Decimal("0")), "en") == "free"
    assert format_price(_result(None), "nl") == "prijs onbekend"
    assert format_price(_result(Decimal("1150.00")), "nl") == "€ 1.150"
    assert format_price(_result(Decimal("185.50")), "nl") == "€ 185,50"
    assert format_price(_result(Decimal("185.50")), "en") == "€185.50"


def test_the_own_town_comes_before_a_stated_time_in_the_next_town(sample_sqlite) -> None:
    """Nearness outranks an offering that merely states a fitting time (both pass the filter).

    The Eindhoven beginners' course states no time of day; the digital cafés of Veldhoven state
    an afternoon. For someone in Eindhoven the course in their own town comes first of the two.
    """
    from offer_catalogue import schedule

    query = SearchQuery(
        text="computer",
        themes=["computer_basics"],
        municipality="Eindhoven",
        within_km=8,
        free_only=True,
        mode="on_site",
        day_parts=schedule.DAYTIME,
        today=TODAY,
    )
    with sample_sqlite() as session:
        results = search_offers(session, query, limit=10)
        ids = {result.offer_id: session.get(Offer, result.offer_id).source_id for result in results}
    order = [ids[result.offer_id] for result in results]
    assert "klik-tik-eindhoven" in order and "dorpshuis-digitaal-zeelst" in order
    assert order.index("klik-tik-eindhoven") < order.index("dorpshuis-digitaal-zeelst"), order
