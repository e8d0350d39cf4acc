"""The details of one offer: description, every open date and place, language and link."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from offer_catalogue.models import Offer
from offer_catalogue.offer_details import offer_details, short_description
from offer_catalogue.sample import load_sample_catalogue

TODAY = dt.date(2026, 12, 7)


def _offer_id(sessions, source_id: str) -> int:
    with sessions() as session:
        return session.execute(select(Offer.id).where(Offer.source_id == source_id)).scalar_one()


def test_details_in_dutch_name_place_date_language_and_link(sqlite_sessions):
    load_sample_catalogue(sqlite_sessions)
    offer_id = _offer_id(sqlite_sessions, "mantelzorg-03")
    with sqlite_sessions() as session:
        details = offer_details(session, offer_id, "nl", TODAY)
    assert details.title.startswith("Training: omgaan met dementie")
    assert details.description.startswith("Zorgt u voor iemand met dementie?")
    assert details.dates == [
        "Ontmoetingscentrum Helmond, Watermolenwal 9, Helmond · 2 februari 2027 · gratis"
    ]
    assert details.languages == "Nederlands"
    assert details.link == "https://voorbeeld.leerwijzer.example/aanbod/mantelzorg-03"


def test_details_in_english_say_the_description_is_dutch(sqlite_sessions):
    load_sample_catalogue(sqlite_sessions)
    offer_id = _offer_id(sqlite_sessions, "mantelzorg-03")
    with sqlite_sessions() as session:
        details = offer_details(session, offer_id, "en", TODAY)
    assert details.title == "Dementia training for family carers (Helmond)"
    assert details.description.endswith("(in Dutch)")
    assert details.dates == ["Ontmoetingscentrum Helmond, Watermolenwal 9, Helmond · February 2, 2027 · free"]
    assert details.languages == "Dutch"


def test_an_offer_that_is_gone_has_no_details(sqlite_sessions):
    load_sample_catalogue(sqlite_sessions)
    with sqlite_sessions() as session:
        assert offer_details(session, 999_999, "nl", TODAY) is None


def test_long_descriptions_stop_after_a_whole_sentence():
    text = "Eerste zin is hier. " * 40
    short = short_description(text, 100)
    assert len(short) <= 100 and short.endswith(".")
    assert short_description("kort", 100) == "kort"


def test_prices_read_as_on_the_offer_card():
    from offer_catalogue.models import Offering
    from offer_catalogue.offer_details import _price

    assert _price(Offering(price_cents=119500), "nl") == "€ 1.195"
    assert _price(Offering(price_cents=1250), "en") == "€12.50"
    assert _price(Offering(price_cents=None), "nl") == "prijs staat er niet bij"
