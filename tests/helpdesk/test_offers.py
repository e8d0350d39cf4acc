"""The offer an advisor sends from the console: the chat's details, never a past start."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from helpdesk.offers import offer_message
from offer_catalogue.database import make_engine, make_session_factory
from offer_catalogue.models import Offer

TODAY = dt.date(2026, 12, 7)


def _message(database_url: str, source_id: str, language: str) -> str | None:
    sessions = make_session_factory(make_engine(database_url))
    with sessions() as session:
        offer_id = session.execute(select(Offer.id).where(Offer.source_id == source_id)).scalar_one()
        return offer_message(session, offer_id, language, TODAY)


def test_a_walk_in_hour_that_began_in_january_shows_no_past_date(sample_database_url):
    # The old console text said "Start: 2026-01-05" for an hour that runs every week.
    text = _message(sample_database_url, "inloop-leren-werken-helmond", "nl")
    assert "2026-01-05" not in text and "januari 2026" not in text
    assert "Waar en wanneer:" in text and "Helmond" in text
    assert re.search(r"Meer info en aanmelden: https?://", text)


def test_in_english_the_labels_and_dates_are_english(sample_database_url):
    text = _message(sample_database_url, "mantelzorg-03", "en")
    assert text.splitlines()[1].startswith("By: ")
    assert "Where and when:" in text and "February 2, 2027" in text


def test_an_unknown_offer_is_none(sample_database_url):
    sessions = make_session_factory(make_engine(sample_database_url))
    with sessions() as session:
        assert offer_message(session, 999_999, "nl", TODAY) is None
