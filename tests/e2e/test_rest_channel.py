"""The real Rasa server and action server, driven over HTTP like a client would."""

from __future__ import annotations

import uuid

import httpx
import pytest
from rasa.shared.core.domain import Domain
from sqlalchemy import select

from catalogue.database import make_engine, make_session_factory
from catalogue.models import Offer
from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.chat import say, texts

pytestmark = pytest.mark.e2e


def test_computer_course_in_helmond_names_an_offer_from_the_database(rasa_stack, sample_database_url):
    replies = say(rasa_stack, f"e2e-{uuid.uuid4().hex}", "Ik zoek een computercursus in Helmond")

    session = make_session_factory(make_engine(sample_database_url))()
    try:
        titles = set(session.execute(select(Offer.title_nl)).scalars())
    finally:
        session.close()
    offer_lines = [r["text"].split("\n")[0] for r in replies if "\n" in r.get("text", "")]
    named = [line for line in offer_lines if line in titles]
    assert named, f"no reply names an offer from the database: {replies}"
    assert "Helmond" in texts(replies)
    assert replies[-1].get("buttons"), "the bot should ask whether this helped, with buttons"


def test_greeting_in_english_gets_english(rasa_stack):
    replies = say(rasa_stack, f"e2e-{uuid.uuid4().hex}", "hello, I am looking for a course")
    assert "learn" in texts(replies).lower()
    assert "leren" not in texts(replies).lower()


def test_out_of_scope_gets_a_polite_redirect(rasa_stack):
    replies = say(rasa_stack, f"e2e-{uuid.uuid4().hex}", "wat voor weer wordt het morgen?")
    assert "leren" in texts(replies).lower()


def polite_answers() -> set[str]:
    """Dutch texts of the responses for out-of-scope and not-understood messages."""
    domain = Domain.load(str(PROJECT_ROOT / "bot" / "domain"))
    names = ("utter_please_rephrase", "utter_out_of_scope", "utter_default")
    return {variant["text"] for name in names for variant in domain.responses.get(name, [])}


def test_gibberish_gets_a_friendly_answer(rasa_stack):
    replies = say(rasa_stack, f"e2e-{uuid.uuid4().hex}", "qxzv wrrrp blorf")
    assert replies, "the bot must always answer"
    # Out-of-scope or low confidence: either way one of the domain's polite answers.
    assert replies[0]["text"] in polite_answers()


def test_restart_starts_over(rasa_stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    say(rasa_stack, sender, "ik zoek een taalcursus")  # the bot now asks for a place
    say(rasa_stack, sender, "/restart")
    tracker = httpx.get(
        f"{rasa_stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": rasa_stack.token},
        timeout=30,
    ).json()
    assert tracker["active_loop"] == {} or tracker["active_loop"].get("name") is None
    assert tracker["slots"]["topic"] is None
    replies = say(rasa_stack, sender, "hoi")
    assert "Leerwijzer" in texts(replies)


def test_http_api_requires_the_token(rasa_stack):
    assert httpx.get(f"{rasa_stack.rasa_url}/status", timeout=30).status_code == 401
    ok = httpx.get(f"{rasa_stack.rasa_url}/status", params={"token": rasa_stack.token}, timeout=30)
    assert ok.status_code == 200


# "take my own life" alone the classifier reads as `inform` (0.42 vs 0.39): the safety net's case.
@pytest.mark.parametrize("text", ["take my own life", "ik denk echt aan zelfmoord"])
def test_a_crisis_message_gets_the_crisis_line(rasa_stack, text):
    replies = say(rasa_stack, f"e2e-{uuid.uuid4().hex}", text)
    assert "0800-0113" in texts(replies), replies
