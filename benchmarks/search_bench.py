"""Benchmark catalogue search on 100 000 synthetic offers, on SQLite and PostgreSQL.

Usage: python benchmarks/search_bench.py [--offers 100000] [--runs 15] [--skip-pg]
PostgreSQL: creates and drops the throwaway database `leerwijzer_bench` on
postgresql://postgres@127.0.0.1:5432/ (override with LEERWIJZER_BENCH_PG_URL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offer_catalogue.database import make_engine, make_session_factory, migrate  # noqa: E402
from offer_catalogue.importing import rebuild_vocabulary  # noqa: E402
from offer_catalogue.models import Location, Offer, Offering, OfferSearchTerm, Provider  # noqa: E402
from offer_catalogue.region import MUNICIPALITIES, centre  # noqa: E402
from offer_catalogue.search import SearchQuery, search_offers  # noqa: E402
from offer_catalogue.text import WEIGHT_DESCRIPTION, WEIGHT_TITLE, analyse_document  # noqa: E402

TODAY = dt.date(2026, 12, 1)
TOPICS = [
    ("Computercursus voor beginners", "Leer werken met de computer, e-mail en internet.", "course"),
    ("Digitale vaardigheden voor senioren", "Tablet, smartphone en veilig internetten.", "course"),
    ("Nederlands als tweede taal", "NT2 les voor anderstaligen, spreken en schrijven.", "course"),
    ("Beter lezen en schrijven", "Taalhuis cursus voor laaggeletterden.", "course"),
    ("Mantelzorgcafé", "Ontmoeting voor mantelzorgers en familie.", "event"),
    ("Omgaan met dementie", "Training voor mantelzorgers van mensen met dementie.", "training"),
    ("Aan de slag in de zorg", "Oriëntatie op werk als verzorgende of helpende.", "training"),
    ("Van collega naar teamleider", "Leidinggeven, feedback en coachen.", "training"),
    ("Starten als zzp'er", "Ondernemingsplan, KVK en administratie.", "course"),
    ("Stoppen met je bedrijf", "Bedrijfsoverdracht en afbouwen.", "event"),
    ("Schilder worden", "Leren en werken in het schildersvak.", "course"),
    ("Installatietechniek en warmtepompen", "Monteur worden in de installatietechniek.", "course"),
    ("Operator in de hightech", "Werken in de maakindustrie en cleanroom.", "training"),
    ("Heftruckcertificaat", "Logistiek, magazijn en orderpicken.", "training"),
    ("Excel en Word op kantoor", "Administratie en kantoorvaardigheden.", "course"),
    ("AI voor iedereen", "Kunstmatige intelligentie en ChatGPT uitgelegd.", "course"),
    ("Engels voor beginners", "Engelse conversatie en grammatica.", "course"),
    ("Loopbaanadvies", "Ontdek welk werk bij je past.", "walk_in_advice"),
    ("Inloopspreekuur Leren en Werken", "Gratis advies over werk en opleiding.", "walk_in_advice"),
    ("Vrijwilligerswerk vinden", "Word vrijwilliger en doe werkervaring op.", "informal_learning"),
    ("Interessetest", "Welke beroepen passen bij jou?", "test_or_tool"),
    ("Fotografie voor beginners", "Leer mooie foto's maken met je telefoon.", "course"),
    ("Koken en gastvrijheid", "Werken in de horeca en keuken.", "course"),
    ("Reanimatie en EHBO", "Veiligheid en eerste hulp.", "course"),
    ("Sollicitatietraining", "Cv schrijven en het sollicitatiegesprek.", "training"),
]
VARIANTS = [
    "",
    " (basis)",
    " (vervolg)",
    " in de avond",
    " op zaterdag",
    " intensief",
    " in kleine groep",
    " voor werkenden",
]
QUERIES = [
    ("computercursus Helmond", SearchQuery(text="Ik zoek een computercursus", municipality="Helmond")),
    ("mantelzorg", SearchQuery(text="mantelzorg")),
    ("taal Eindhoven", SearchQuery(text="taal", municipality="Eindhoven")),
    ("nederlands online", SearchQuery(text="nederlands leren", mode="online")),
    ("heftruck", SearchQuery(text="heftruck")),
    ("zzp starten", SearchQuery(text="eigen bedrijf starten als zzp")),
    ("teamleider <=10km Veldhoven", SearchQuery(text="teamleider", municipality="Veldhoven", within_km=10)),
    ("ai gratis", SearchQuery(text="ai", free_only=True)),
    ("engels", SearchQuery(text="engels")),
    ("digivaardigheden senioren", SearchQuery(text="digivaardigheden", target_group="senioren")),
    ("verpleging", SearchQuery(text="verpleging")),
    ("schilder", SearchQuery(text="schilder")),
    ("installateur Bladel", SearchQuery(text="installateur", municipality="Bladel", within_km=15)),
    ("typo computr", SearchQuery(text="computr")),
    ("spreekuur Deurne", SearchQuery(text="spreekuur", municipality="Deurne")),
    ("no text Eindhoven", SearchQuery(municipality="Eindhoven")),
    ("inloop kinds", SearchQuery(text="inloop", kinds=["walk_in_advice"])),
    ("excel <=100", SearchQuery(text="excel", max_price_eur=100)),
    ("dementie <=3 months", SearchQuery(text="dementie", starting_within_months=3)),
    ("loopbaan on_site Helmond", SearchQuery(text="loopbaan", mode="on_site", municipality="Helmond")),
]


def populate(engine, offers: int, seed: int = 42) -> float:
    """Insert `offers` synthetic offers with offerings and search terms; return seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    # Index terms are computed once per topic/variant and reused: the content repeats anyway.
    topic_terms = {}
    for topic_number, (title, description, _kind) in enumerate(TOPICS):
        for variant_number, variant in enumerate(VARIANTS):
            topic_terms[(topic_number, variant_number)] = analyse_document(
                [(title + variant, WEIGHT_TITLE), (description, WEIGHT_DESCRIPTION)]
            )
    municipality_terms = {m: analyse_document([(m, WEIGHT_DESCRIPTION)]) for m in MUNICIPALITIES}
    with engine.begin() as connection:
        connection.execute(
            insert(Provider),
            [
                {
                    "id": n + 1,
                    "source": "bench",
                    "source_id": f"p{n}",
                    "name": f"Aanbieder {n}",
                    "fictional": True,
                }
                for n in range(200)
            ],
        )
        connection.execute(
            insert(Location),
            [
                {
                    "id": n + 1,
                    "source": "bench",
                    "source_id": f"l{n}",
                    "city": m,
                    "municipality": m,
                    "latitude": centre(m)[0],
                    "longitude": centre(m)[1],
                }
                for n, m in enumerate(MUNICIPALITIES)
            ],
        )
        batch = 10000
        offering_id = 0
        for first in range(0, offers, batch):
            offer_rows, offering_rows, term_rows = [], [], []
            for number in range(first, min(offers, first + batch)):
                topic = rng.randrange(len(TOPICS))
                variant = rng.randrange(len(VARIANTS))
                municipality_index = rng.randrange(len(MUNICIPALITIES))
                municipality = MUNICIPALITIES[municipality_index]
                title, description, kind = TOPICS[topic]
                offer_id = number + 1
                offer_rows.append(
                    {
                        "id": offer_id,
                        "source": "bench",
                        "source_id": f"o{number}",
                        "provider_id": rng.randrange(200) + 1,
                        "kind": kind,
                        "title_nl": f"{title}{VARIANTS[variant]} in {municipality}",
                        "description_nl": description,
                        "fictional": True,
                        "checked_on": TODAY,
                    }
                )
                for _ in range(rng.choice((1, 1, 2))):
                    offering_id += 1
                    mode = rng.choice(("on_site", "on_site", "on_site", "online", "hybrid"))
                    start = TODAY + dt.timedelta(days=rng.randrange(-200, 300))
                    offering_rows.append(
                        {
                            "id": offering_id,
                            "source": "bench",
                            "source_id": f"r{offering_id}",
                            "offer_id": offer_id,
                            "location_id": None if mode == "online" else municipality_index + 1,
                            "municipality": None if mode == "online" else municipality,
                            "place_text": "online" if mode == "online" else municipality,
                            "mode": mode,
                            "start_date": start,
                            "end_date": start + dt.timedelta(days=rng.randrange(1, 120)),
                            "price_cents": rng.choice((0, 0, 2500, 9900, 19500, 45000, None)),
                            "checked_on": TODAY,
                        }
                    )
                terms = dict(topic_terms[(topic, variant)])
                for term, weight in municipality_terms[municipality].items():
                    terms[term] = max(terms.get(term, 0), weight)
                term_rows.extend({"term": t, "offer_id": offer_id, "weight": w} for t, w in terms.items())
            connection.execute(insert(Offer), offer_rows)
            connection.execute(insert(Offering), offering_rows)
            connection.execute(insert(OfferSearchTerm), term_rows)
    session_factory = make_session_factory(engine)
    with session_factory() as session, session.begin():
        rebuild_vocabulary(session)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def load_average() -> str:
    """Return the 1/5/15-minute load average: timings on a shared machine need it next to them."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def run_queries(engine, runs: int) -> list[tuple[str, float, float, int]]:
    """Run every query `runs` times; return (name, p50 ms, p95 ms, result count)."""
    session_factory = make_session_factory(engine)
    results = []
    for name, query in QUERIES:
        query.today = TODAY
        timings = []
        count = 0
        for _ in range(runs + 2):
            started = time.perf_counter()
            with session_factory() as session:
                count = len(search_offers(session, query, limit=3))
            timings.append((time.perf_counter() - started) * 1000)
        timings = sorted(timings[2:])  # the first two runs warm caches
        p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
        results.append((name, statistics.median(timings), p95, count))
    return results


def report(
    label: str, load_seconds: float, results: list[tuple[str, float, float, int]], loads: tuple[str, str]
) -> None:
    """Print a table of timings with the load average before and after the queries."""
    print(f"\n== {label}: loaded in {load_seconds:.1f} s; load average {loads[0]} before, {loads[1]} after")
    print(f"{'query':34} {'p50 ms':>8} {'p95 ms':>8} {'hits':>5}")
    for name, p50, p95, count in results:
        print(f"{name:34} {p50:8.1f} {p95:8.1f} {count:5d}")
    all_p95 = sorted(p95 for _name, _p50, p95, _count in results)
    print(f"{'overall: median of p50':34} {statistics.median(r[1] for r in results):8.1f}")
    print(f"{'overall: worst p95':34} {all_p95[-1]:8.1f}")


def main() -> int:
    """Run the benchmark on SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        migrate(engine)
        seconds = populate(engine, args.offers)
        before = load_average()
        results = run_queries(engine, args.runs)
        report(f"SQLite, {args.offers} offers", seconds, results, (before, load_average()))
        engine.dispose()
    if args.skip_pg:
        return 0
    server = os.environ.get("LEERWIJZER_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/")
    admin = create_engine(server + "postgres", isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS leerwijzer_bench"))
        connection.execute(text("CREATE DATABASE leerwijzer_bench"))
    try:
        engine = make_engine(server + "leerwijzer_bench")
        migrate(engine)
        seconds = populate(engine, args.offers)
        before = load_average()
        results = run_queries(engine, args.runs)
        report(f"PostgreSQL, {args.offers} offers", seconds, results, (before, load_average()))
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS leerwijzer_bench WITH (FORCE)"))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
