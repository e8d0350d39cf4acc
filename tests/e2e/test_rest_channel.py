"""The real Rasa server and action server, driven over HTTP like a client would."""

from __future__ import annotations

import uuid

import httpx
import pytest
from rasa.shared.core.domain import Domain
from sqlalchemy import select

from leerwijzer.settings import PROJECT_ROOT
from offer_catalogue.database import make_engine, make_session_factory
from offer_catalogue.models import Offer
from tests.e2e.chat import conversation_of, say, search, texts

pytestmark = pytest.mark.e2e


def test_computer_course_in_helmond_names_an_offer_from_the_database(rasa_stack, sample_database_url):
    replies = search(rasa_stack, f"e2e-{uuid.uuid4().hex}", "Ik zoek een computercursus in Helmond")

    session = make_session_factory(make_engine(sample_database_url))()
    try:
        titles = set(session.execute(select(Offer.title_nl)).scalars())
    finally:
        session.close()
    # The cards are numbered ("2. Digitaal Café Helmond"), as "Meer over 2" refers to them.
    offer_lines = [r["text"].split("\n")[0].split(". ", 1)[-1] for r in replies if "\n" in r.get("text", "")]
    named = [line for line in offer_lines if line in titles]
    assert named, f"no reply names an offer from the database: {replies}"
    assert "Helmond" in texts(replies)
    assert replies[-1].get("buttons"), "the bot should ask whether this helped, with buttons"


def test_the_second_offer_s_details_by_typing_and_by_button(rasa_stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    replies = search(rasa_stack, sender, "Ik zoek een computercursus in Helmond")
    cards = [r["text"].split("\n")[0] for r in replies if "\nDoor: " in r.get("text", "")]
    assert [card.split(". ", 1)[0] for card in cards] == [str(n) for n in range(1, len(cards) + 1)]
    titles = [card.split(". ", 1)[1] for card in cards]
    assert len(titles) >= 2, replies
    payloads = [button["payload"] for button in replies[-1]["buttons"]]
    assert payloads[:2] == ['/offer_details{"offer_number": "1"}', '/offer_details{"offer_number": "2"}']

    typed = say(rasa_stack, sender, "de tweede")
    assert typed[0]["text"].startswith(f"2. {titles[1]}\n"), typed
    assert "Meer info en aanmelden: " in typed[0]["text"]
    pressed = say(rasa_stack, sender, payloads[0])
    assert pressed[0]["text"].startswith(f"1. {titles[0]}\n"), pressed


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


ATTACKS = ["/restart", "/ /restart", "/\t/restart", "\uff0frestart", "\u200b/restart"]


@pytest.mark.probe
@pytest.mark.parametrize("attack", ATTACKS)
def test_typed_restart_is_never_a_command(rasa_stack, attack):
    # On the old main each of these restarted the conversation (or set slots) on every channel.
    sender = f"e2e-{uuid.uuid4().hex}"
    say(rasa_stack, sender, "ik zoek een taalcursus")  # the bot now asks for a place
    replies = say(rasa_stack, sender, attack)
    assert replies, "a typed text still gets an answer"
    tracker = httpx.get(
        f"{rasa_stack.rasa_url}/conversations/{conversation_of(sender)}/tracker",
        params={"token": rasa_stack.token},
        timeout=30,
    ).json()
    assert not [e for e in tracker["events"] if e["event"] == "restart"]
    assert all(not (e.get("text") or "").startswith("/") for e in tracker["events"] if e["event"] == "user")


@pytest.mark.probe
def test_rest_needs_its_token_and_cannot_reach_another_channels_conversation(rasa_stack):
    url = f"{rasa_stack.rasa_url}/webhooks/rest/webhook"
    body = {"sender": "whatsapp:+31612345678", "message": "verwijder mijn gegevens"}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert httpx.post(url, json=body, headers=wrong, timeout=30).status_code == 401
    # With the token, the sender is the REST client's own conversation, never WhatsApp's.
    assert say(rasa_stack, "whatsapp:+31612345678", "hoi")
    api = {"token": rasa_stack.token}
    conversations = f"{rasa_stack.rasa_url}/conversations"
    own = httpx.get(f"{conversations}/rest:whatsapp:+31612345678/tracker", params=api, timeout=30)
    theirs = httpx.get(f"{conversations}/whatsapp:+31612345678/tracker", params=api, timeout=30)
    assert any(e["event"] == "user" for e in own.json()["events"])
    assert not any(e["event"] == "user" for e in theirs.json()["events"])


def test_http_api_requires_the_token(rasa_stack):
    assert httpx.get(f"{rasa_stack.rasa_url}/status", timeout=30).status_code == 401
    ok = httpx.get(f"{rasa_stack.rasa_url}/status", params={"token": rasa_stack.token}, timeout=30)
    assert ok.status_code == 200


# "take my own life" alone the classifier reads as `inform` (0.42 vs 0.39): the safety net's case.
@pytest.mark.parametrize("text", ["take my own life", "ik denk echt aan zelfmoord"])
def test_a_crisis_message_gets_the_crisis_line(rasa_stack, text):
    replies = say(rasa_stack, f"e2e-{uuid.uuid4().hex}", text)
    assert "0800-0113" in texts(replies), replies
