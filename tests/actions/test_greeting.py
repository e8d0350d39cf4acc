"""The greeting action: a welcome for the ambassador of a referred chat, and the stage counts."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.greeting import ActionGreet, count_stage
from helpdesk import ambassadors
from helpdesk.database import session_scope
from helpdesk.models import ReferralCount


def greeted(text: str, entities: list, referred: bool | None = None, sender: str = "web:abc") -> Tracker:
    latest = {"text": text, "intent": {"name": "greet", "confidence": 1.0}, "entities": entities}
    slots = {"language": "nl", "referred": referred}
    return Tracker(sender, slots, latest, [], False, None, {}, "action_listen")


REFERRED = [
    {"entity": "language", "value": "nl"},
    {"entity": "ambassador_name", "value": "Fatima"},
    {"entity": "ambassador_place", "value": "buurthuis De Kastanje"},
]


async def test_a_referred_chat_is_welcomed_for_the_ambassador_first():
    dispatcher = CollectingDispatcher()
    events = await ActionGreet().run(dispatcher, greeted('/greet{"language": "nl"}', REFERRED), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_welcome_referral", "utter_greet"]
    assert dispatcher.messages[0]["ambassador_name"] == "Fatima"
    assert dispatcher.messages[0]["ambassador_place"] == "buurthuis De Kastanje"
    assert events == [SlotSet("referred", True)]


async def test_an_ordinary_greeting_is_just_the_greeting():
    for tracker in (greeted("hoi", []), greeted("hoi Fatima", REFERRED)):  # typed text is no payload
        dispatcher = CollectingDispatcher()
        assert await ActionGreet().run(dispatcher, tracker, {}) == []
        assert [m["response"] for m in dispatcher.messages] == ["utter_greet"]


async def test_stages_are_counted_only_for_referred_chats(app_settings, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", url)
    from leerwijzer.settings import get_settings

    get_settings.cache_clear()
    with session_scope(url) as session:
        code = ambassadors.create_ambassador(session, "Fatima", "De Kastanje", "", None)["code"]
        ambassadors.start_referral(session, code, "web:referred", "webchat")
    await count_stage(greeted("x", [], referred=True, sender="web:referred"), "intake_done")
    await count_stage(greeted("x", [], referred=None, sender="web:referred"), "offer_shown")  # slot not set
    # A crisis or worry is never counted, whichever way it reached a person.
    worried = greeted("x", [], referred=True, sender="web:referred")
    worried.slots["sensitive_kind"] = "crisis"
    await count_stage(worried, "handed_off")
    with session_scope(url) as session:
        counted = {row.stage: row.count for row in session.execute(select(ReferralCount)).scalars()}
    assert counted == {"started": 1, "intake_done": 1}
    get_settings.cache_clear()
