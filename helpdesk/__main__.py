"""Helpdesk command line: `python -m helpdesk create-admin` and `python -m helpdesk migrate`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import List

from helpdesk import auth
from helpdesk.database import engine_for, session_scope
from helpdesk.privacy import purge_expired
from leerwijzer.settings import get_settings


def main(argv: List[str] | None = None) -> int:
    """Run one helpdesk command."""
    parser = argparse.ArgumentParser(prog="python -m helpdesk", description="Helpdesk administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the helpdesk tables")
    commands.add_parser("purge", help="delete transcripts and tracker events older than the retention period")
    for name, role in (("create-admin", "admin"), ("create-advisor", "advisor")):
        sub = commands.add_parser(name, help=f"create an account with role {role}")
        sub.add_argument("--username", required=True)
        sub.add_argument("--display-name", default="")
        sub.add_argument(
            "--password-env",
            default="LEERWIJZER_ADMIN_PASSWORD",
            help="environment variable holding the password (asked for when unset)",
        )
        sub.set_defaults(role=role)
    args = parser.parse_args(argv)
    settings = get_settings()
    engine_for(settings.database_url)
    if args.command == "migrate":
        print("Helpdesk tables are up to date.")
        return 0
    if args.command == "purge":
        report = purge_expired(settings)
        total = sum(report.deleted.values())
        print(
            f"Retention {settings.retention_days} days: deleted {total} rows"
            f" older than {report.cutoff:%Y-%m-%d}."
        )
        return 0
    password = os.environ.get(args.password_env) or getpass.getpass("Password (10+ characters): ")
    try:
        with session_scope(settings.database_url) as session:
            advisor = auth.create_advisor(session, args.username, args.display_name, password, args.role)
            print(f"Created {advisor.role} '{advisor.username}'.")
    except auth.AccountError as exc:
        print(f"Not created: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
