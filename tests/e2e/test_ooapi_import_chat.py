"""An OOAPI document the team did not write, imported with the real CLI, is findable in chat."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete

from leerwijzer.settings import PROJECT_ROOT
from offer_catalogue.database import make_engine, make_session_factory
from offer_catalogue.importing import rebuild_vocabulary
from offer_catalogue.models import Location, Offer, Provider
from tests.e2e.chat import search, texts

pytestmark = pytest.mark.e2e

FOREIGN = PROJECT_ROOT / "tests" / "fixtures" / "ooapi" / "foreign"
OFFERING_DATES = ("startDate", "endDate", "enrollStartDate", "enrollEndDate")
# The example offering is online, so "online" is the place and the subject does the finding.
QUESTION = "Ik zoek een online cursus statistiek"


def ask_for_statistics(stack) -> str:
    """Ask for the course; answer the one clarifying question (no theme fits) by typing it again."""
    sender = f"e2e-{uuid.uuid4().hex}"
    replies = texts(search(stack, sender, QUESTION, timeout=120))
    if "onderwerpen" in replies:  # "Gaat het om een van deze onderwerpen? Of schrijf het ..."
        replies = texts(search(stack, sender, "statistiek", timeout=120))
    return replies


def foreign_title() -> str:
    """The course name in the foreign document: what the bot must show."""
    course = json.loads((FOREIGN / "course.json").read_text(encoding="utf-8"))
    return course["name"][0]["value"]


def copy_with_future_dates(target: Path) -> Path:
    """Copy the foreign documents, moving the offering's 2019 dates to next year.

    The spec's example offering ended in 2019, and search rightly never shows ended
    offerings; only the year changes, everything else stays as the spec wrote it.
    """
    next_year = dt.date.today().year + 1
    for source in FOREIGN.glob("*.json"):
        document = json.loads(source.read_text(encoding="utf-8"))
        for item in document.get("items", []):
            for key in OFFERING_DATES:
                item[key] = f"{next_year}{item[key][4:]}"
        (target / source.name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return target


def remove_source(database_url: str, source: str) -> None:
    """Delete everything imported under `source` so the shared stack database is as before."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            # Offerings, search terms and label links go with their offer (ON DELETE CASCADE).
            session.execute(delete(Offer).where(Offer.source == source))
            session.execute(delete(Location).where(Location.source == source))
            session.execute(delete(Provider).where(Provider.source == source))
            rebuild_vocabulary(session)
    finally:
        engine.dispose()


def test_foreign_ooapi_import_makes_its_offer_findable_in_chat(rasa_stack, tmp_path):
    database_url = rasa_stack.settings.database_url
    title = foreign_title()
    # A unique source keeps the rows apart from other tests' data and easy to remove.
    source = f"foreign-{uuid.uuid4().hex[:12]}"

    before = ask_for_statistics(rasa_stack)
    assert title not in before, f"the offer is shown before it was imported: {before}"

    folder = copy_with_future_dates(tmp_path)
    try:
        imported = subprocess.run(
            [sys.executable, "-m", "offer_catalogue", "--database-url", database_url]
            + ["import-ooapi", str(folder), "--source", source],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert f"{source}: 1 created, 0 updated, 0 rejected" in imported.stdout, imported.stdout

        after = ask_for_statistics(rasa_stack)
        assert title in after, f"the imported offer is not in the bot's answer: {after}"
        assert "SURF" in after, f"the answer should name the foreign provider: {after}"
    finally:
        remove_source(database_url, source)
