"""The offer card: when (never a past start), where exactly, why it fits, where to sign up."""

from __future__ import annotations

import datetime as dt

from offer_catalogue import offer_card, schedule
from offer_catalogue.search import SearchResult

TODAY = dt.date(2026, 12, 7)


def result(**changes) -> SearchResult:
    """A result as search returns it, with the fields a test changes."""
    values = dict(
        offer_id=1,
        offering_id=1,
        title="Smartphonecafé",
        provider="Bibliotheek Helmond",
        kind="course",
        municipality="Helmond",
        place_text="Helmond",
        price_eur=None,
        start_date=None,
        url="https://example.org/smartphone",
        checked_on=None,
        mode="on_site",
    )
    values.update(changes)
    return SearchResult(**values)


def test_a_past_start_is_never_shown_as_the_start():
    card = result(start_date=dt.date(2026, 9, 1), kind="walk_in_advice")
    assert offer_card.when_text(card, "nl", TODAY) == "doorlopend, je kunt altijd starten"
    assert "2026" not in offer_card.when_text(card, "en", TODAY)


def test_a_coming_start_is_shown_with_its_day_in_the_users_language():
    card = result(start_date=dt.date(2027, 1, 12), days=schedule.TUESDAY, day_parts=schedule.EVENING)
    assert offer_card.when_text(card, "nl", TODAY) == "start 12 januari 2027, dinsdagavond"
    assert offer_card.when_text(card, "en", TODAY) == "starts January 12, 2027, Tuesday evening"


def test_an_english_chat_never_gets_the_dutch_schedule_text():
    card = result(schedule_text="elke donderdag van 13.30 tot 16.00", days=schedule.THURSDAY, day_parts=2)
    assert offer_card.when_text(card, "en", TODAY) == "every Thursday afternoon"
    assert offer_card.when_text(card, "nl", TODAY) == "elke donderdag van 13.30 tot 16.00"


def test_why_it_fits_names_the_matched_themes_first():
    card = result(themes=["smartphone_tablet"])
    why = offer_card.why_it_fits(card, "gratis, in Helmond", "nl")
    assert why == "smartphone en tablet, gratis, in Helmond"


def test_the_card_says_where_to_sign_up_and_the_address():
    card = result(address="Bibliotheek, Markt 1, Helmond", enroll_end_date=dt.date(2027, 1, 5))
    assert offer_card.link_text(card, "nl") == "https://example.org/smartphone"
    assert offer_card.link_text(result(url=None), "en") == "ask at the library"
    assert offer_card.place_text(card, "nl") == "Bibliotheek, Markt 1, Helmond"
    assert offer_card.place_text(result(mode="online"), "nl") == "online"
    assert offer_card.enrol_by(card, "nl", TODAY) == " Aanmelden vóór 5 januari 2027."
    assert offer_card.enrol_by(result(enroll_end_date=dt.date(2026, 1, 1)), "nl", TODAY) == ""


def test_a_link_button_only_on_telegram_and_only_for_a_web_page():
    url = "https://example.nl/cursus"
    assert offer_card.link_buttons(url, "en", "telegram") == [{"title": "More info and sign up", "url": url}]
    assert offer_card.link_buttons(url, "nl", "whatsapp") == []  # a number that opens nothing
    assert offer_card.link_buttons(None, "nl", "telegram") == []
    assert offer_card.link_buttons("javascript:alert(1)", "nl", "telegram") == []
    assert offer_card.link_buttons("https://localhost/x", "nl", "telegram") == []
    assert offer_card.link_buttons("https://example.nl/een cursus", "nl", "telegram") == []
