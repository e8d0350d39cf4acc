"""Command line interface: init, import-ooapi, import-csv, search."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from offer_catalogue.database import (
    count_offers,
    make_engine,
    make_session_factory,
    migrate,
    seed_sample_if_empty,
)
from offer_catalogue.importing import ImportReport


def _default_database_url() -> str:
    """Read the default database URL from the project settings."""
    from leerwijzer.settings import get_settings

    return get_settings().database_url


def _print_report(report: ImportReport, max_rejections: int = 50) -> None:
    """Print an import report with up to `max_rejections` reasons."""
    print(report.summary())
    for rejection in report.rejected[:max_rejections]:
        print(f"  rejected {rejection.item}: {rejection.reason}")
    if len(report.rejected) > max_rejections:
        print(f"  ... and {len(report.rejected) - max_rejections} more rejections")


def _command_init(args: argparse.Namespace) -> int:
    """Migrate to the newest schema and load the sample catalogue if there are no offers."""
    started = time.perf_counter()
    engine = make_engine(args.database_url)
    migrate(engine)
    print(f"migrations: schema is up to date ({time.perf_counter() - started:.2f} s)")
    session_factory = make_session_factory(engine)
    report = seed_sample_if_empty(session_factory)
    if report is None:
        with session_factory() as session:
            print(f"sample: not loaded, catalogue already has {count_offers(session)} offers")
    else:
        _print_report(report)
    print(f"init done in {time.perf_counter() - started:.2f} s")
    return 0


def _command_import_ooapi(args: argparse.Namespace) -> int:
    """Import an OOAPI v5 offerings file or folder."""
    from offer_catalogue.ooapi import import_ooapi

    engine = make_engine(args.database_url)
    migrate(engine)
    report = import_ooapi(make_session_factory(engine), Path(args.path), source=args.source)
    _print_report(report)
    return 0 if not report.rejected or (report.created + report.updated) else 1


def _command_import_csv(args: argparse.Namespace) -> int:
    """Import a CSV file."""
    from offer_catalogue.csv_import import import_csv

    engine = make_engine(args.database_url)
    migrate(engine)
    report = import_csv(make_session_factory(engine), Path(args.path), source=args.source)
    _print_report(report)
    return 0 if not report.rejected or (report.created + report.updated) else 1


def _command_search(args: argparse.Namespace) -> int:
    """Run one search and print the results with their reasons."""
    from offer_catalogue.search import SearchQuery, format_reasons, search_offers

    engine = make_engine(args.database_url)
    query = SearchQuery(
        text=args.text,
        municipality=args.municipality,
        within_km=args.within_km,
        free_only=args.free,
        max_price_eur=args.max_price,
        mode=args.mode,
        kinds=args.kind or None,
        target_group=args.target_group,
        starting_within_months=args.starting_within_months,
        language=args.language,
    )
    started = time.perf_counter()
    with make_session_factory(engine)() as session:
        results = search_offers(session, query, limit=args.limit)
    elapsed = (time.perf_counter() - started) * 1000
    if not results:
        print("Niets gevonden." if args.language == "nl" else "Nothing found.")
    for number, result in enumerate(results, start=1):
        print(f"{number}. {result.title} — {result.provider}")
        print(f"   {format_reasons(result, args.language)}")
        if result.url:
            print(f"   {result.url}")
    print(f"({len(results)} results in {elapsed:.1f} ms)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m offer_catalogue", description="Leerwijzer offer catalogue"
    )
    parser.add_argument(
        "--database-url", default=None, help="SQLAlchemy URL (default: from leerwijzer settings)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="migrate and load the sample catalogue if empty")
    init.set_defaults(handler=_command_init)
    for name, handler, help_text in (
        ("import-ooapi", _command_import_ooapi, "import an OOAPI v5 offerings JSON file or folder"),
        ("import-csv", _command_import_csv, "import a CSV file (header: see docs/catalogue.md)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("path")
        sub.add_argument("--source", default=None, help="source label for idempotent re-import")
        sub.set_defaults(handler=handler)
    search = commands.add_parser("search", help="search the catalogue")
    search.add_argument("text", nargs="?", default="")
    search.add_argument("--municipality")
    search.add_argument("--within-km", type=float)
    search.add_argument("--free", action="store_true")
    search.add_argument("--max-price", type=float)
    search.add_argument("--mode", choices=["online", "on_site"])
    search.add_argument("--kind", action="append")
    search.add_argument("--target-group")
    search.add_argument("--starting-within-months", type=int)
    search.add_argument("--language", choices=["nl", "en"], default="nl")
    search.add_argument("--limit", type=int, default=3)
    search.set_defaults(handler=_command_search)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    args = build_parser().parse_args(argv)
    if not args.database_url:
        args.database_url = _default_database_url()
    try:
        return int(args.handler(args))
    except FileNotFoundError as error:
        print(f"error: file not found: {error.filename}", file=sys.stderr)
        return 2
