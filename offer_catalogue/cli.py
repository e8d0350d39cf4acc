"""Command line interface of the offer catalogue.

Usage (add `--database-url URL` before the command for another database):

    python -m offer_catalogue init                      # migrate; load the sample if empty
    python -m offer_catalogue import-ooapi DIR_OR_FILE  # import an OOAPI v5 feed
    python -m offer_catalogue import-csv FILE           # import a CSV file
    python -m offer_catalogue search "computercursus" --municipality Helmond
    python -m offer_catalogue retag                     # re-tag themes, re-parse schedules, re-index
    python -m offer_catalogue themes [--doubtful] [--threshold 0.6]
    python -m offer_catalogue replace-catalogue --ooapi DIR   # or --csv FILE
    python -m offer_catalogue remove-sample

`retag` is needed once after upgrading an existing database (migration 0003 adds empty
columns) and after every change to data/themes.yml or data/isced_themes.yml.
`themes` lists every offer with its themes and scores; `--doubtful` only those without a
theme or whose best score is below the threshold, with the reason.
`replace-catalogue` imports the real catalogue and, when that imported at least one offer,
removes the fictional sample catalogue (source "sample") in the same command.
`remove-sample` removes the sample only; note that `init` loads it again into an empty
catalogue.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from sqlalchemy import select

from offer_catalogue.database import (
    count_offers,
    make_engine,
    make_session_factory,
    migrate,
    seed_sample_if_empty,
)
from offer_catalogue.importing import ImportReport, retag_all
from offer_catalogue.models import SearchVocabulary
from offer_catalogue.theme_tagging import THEME_PREFIX

# Any theme index term: a catalogue without one was imported before themes were tagged.
_ANY_THEME_TERM = select(SearchVocabulary.term).where(SearchVocabulary.term.startswith(THEME_PREFIX)).limit(1)

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
            untagged = count_offers(session) and not session.execute(_ANY_THEME_TERM).first()
        if untagged:
            # A catalogue from before themes and schedules were read at import (migration 0003).
            print(f"themes: {retag_all(session_factory).summary()}")
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


def _command_retag(args: argparse.Namespace) -> int:
    """Re-tag, re-parse schedules and re-index all offers."""
    from offer_catalogue.importing import retag_all

    engine = make_engine(args.database_url)
    migrate(engine)
    started = time.perf_counter()
    report = retag_all(make_session_factory(engine))
    print(f"{report.summary()} ({time.perf_counter() - started:.2f} s)")
    return 0


def _command_themes(args: argparse.Namespace) -> int:
    """List offers with their themes and scores (or only the doubtful ones)."""
    from sqlalchemy import select

    from offer_catalogue.importing import offer_theme_scores
    from offer_catalogue.models import Offer
    from offer_catalogue.theme_tagging import DOUBTFUL_SCORE, doubt_reason

    threshold = DOUBTFUL_SCORE if args.threshold is None else args.threshold
    engine = make_engine(args.database_url)
    shown = total = 0
    with make_session_factory(engine)() as session:
        for offer in session.execute(select(Offer).order_by(Offer.source, Offer.source_id)).scalars():
            total += 1
            pairs = offer_theme_scores(session, offer.id)
            scored = [(code, score) for code, score in pairs if score is not None]
            reason = doubt_reason(scored, threshold)
            if args.doubtful and reason is None:
                continue
            shown += 1
            listed = ", ".join(f"{code} {score:.2f}" for code, score in scored) or "-"
            print(f"{offer.source}:{offer.source_id}  {offer.title_nl[:70]}")
            print(f"    {listed}" + (f"  <- {reason}" if reason else ""))
    label = "doubtful offers" if args.doubtful else "offers"
    print(f"({shown} {label} of {total})")
    return 0


def _command_remove_sample(args: argparse.Namespace) -> int:
    """Remove the fictional sample catalogue."""
    from offer_catalogue.importing import remove_source
    from offer_catalogue.sample import SAMPLE_SOURCE

    engine = make_engine(args.database_url)
    migrate(engine)
    removed = remove_source(make_session_factory(engine), SAMPLE_SOURCE)
    print(f"sample: {removed} offers removed")
    return 0


def _command_replace_catalogue(args: argparse.Namespace) -> int:
    """Import a real catalogue, then remove the sample catalogue if anything was imported."""
    from offer_catalogue.importing import remove_source
    from offer_catalogue.sample import SAMPLE_SOURCE

    if args.source == SAMPLE_SOURCE:
        print("error: the new catalogue cannot use the source label 'sample'", file=sys.stderr)
        return 2
    engine = make_engine(args.database_url)
    migrate(engine)
    sessions = make_session_factory(engine)
    if args.ooapi:
        from offer_catalogue.ooapi import import_ooapi

        report = import_ooapi(sessions, Path(args.ooapi), source=args.source)
    else:
        from offer_catalogue.csv_import import import_csv

        report = import_csv(sessions, Path(args.csv), source=args.source)
    _print_report(report)
    if not (report.created + report.updated):
        # Keep the sample: removing it now would leave people with an empty catalogue.
        print("nothing imported: the sample catalogue is kept", file=sys.stderr)
        return 1
    removed = remove_source(sessions, SAMPLE_SOURCE)
    print(f"sample: {removed} offers removed")
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
    retag = commands.add_parser("retag", help="re-tag themes, re-parse schedules and re-index all offers")
    retag.set_defaults(handler=_command_retag)
    themes = commands.add_parser("themes", help="list offers with their themes and scores")
    themes.add_argument("--doubtful", action="store_true", help="only offers without a sure theme")
    themes.add_argument("--threshold", type=float, default=None, help="best score below this is doubtful")
    themes.set_defaults(handler=_command_themes)
    replace = commands.add_parser("replace-catalogue", help="import a catalogue and remove the sample one")
    source = replace.add_mutually_exclusive_group(required=True)
    source.add_argument("--ooapi", help="OOAPI v5 offerings JSON file or folder")
    source.add_argument("--csv", help="CSV file (header: see docs/catalogue.md)")
    replace.add_argument("--source", default=None, help="source label for idempotent re-import")
    replace.set_defaults(handler=_command_replace_catalogue)
    remove = commands.add_parser("remove-sample", help="remove the fictional sample catalogue")
    remove.set_defaults(handler=_command_remove_sample)
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
