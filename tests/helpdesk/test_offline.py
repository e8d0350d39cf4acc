"""No advisor online: the bot offers a call-back or walk-in hour; advisors see them as tasks."""

from __future__ import annotations

import time

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionBookWalkIn, ActionOfferWalkIn, ActionRequestHandoff, ActionSaveCallback
from leerwijzer.settings import get_settings
from tests.helpdesk.support import ADVISOR_PASSWORD


def chat(sender: str, intent: str, slots: dict) -> Tracker:
    latest = {"text": "ik wil iemand spreken", "intent": {"name": intent}, "entities": []}
    return Tracker(
        sender_id=sender,
        slots={"language": "nl", **slots},
        latest_message=latest,
        events=[
            {"event": "user", "text": latest["text"], "timestamp": time.time(), "input_channel": "webchat"}
        ],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def test_offline_call_back_and_walk_in_become_console_tasks(helpdesk, monkeypatch):
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", helpdesk.database_url)
    monkeypatch.setenv("LEERWIJZER_OFFICE_HOURS", "never")
    get_settings.cache_clear()
    try:
        asked = CollectingDispatcher()
        await ActionRequestHandoff().run(asked, chat("offline-user", "request_human", {}), {})
        assert asked.messages[0]["response"] == "utter_handoff_offline"
        assert "Bel mij terug" not in str(asked.messages)  # the buttons live in the domain response

        await ActionSaveCallback().run(
            CollectingDispatcher(),
            chat(
                "offline-user",
                "affirm",
                {
                    "callback_consent": True,
                    "callback_phone": "0401234567",
                    "callback_time": "ochtend",
                    "goal": "omscholing",
                },
            ),
            {},
        )
        offered = await ActionOfferWalkIn().run(
            CollectingDispatcher(), chat("walk-in-user", "request_walk_in", {"municipality": "Helmond"}), {}
        )
        choices = next(e["value"] for e in offered if e["name"] == "walk_in_choices")
        tapped = {"walk_in_offer": choices[0]["offer_id"], "walk_in_choices": choices}
        await ActionBookWalkIn().run(
            CollectingDispatcher(), chat("walk-in-user", "choose_walk_in", tapped), {}
        )
    finally:
        get_settings.cache_clear()

    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    tasks = anna.get("/api/tasks").json()["tasks"]
    kinds = {t["kind"]: t for t in tasks}
    # The list shows the number masked; opening it gives the whole number.
    assert kinds["callback"]["phone_masked"] == "••••••••67" and "phone" not in kinds["callback"]
    assert kinds["callback"]["consent_at"]
    assert anna.post(f"/api/tasks/{kinds['callback']['id']}/phone").json() == {"phone": "0401234567"}
    assert kinds["callback"]["summary"]["goal"] == "omscholing"
    appointment = kinds["appointment"]
    assert appointment["offer_id"] == int(tapped["walk_in_offer"]) and appointment["offer_title"]
    assert anna.get("/api/queue").json()["waiting"] == [] or all(
        item["sender_id"] != "offline-user" for item in anna.get("/api/queue").json()["waiting"]
    )
    done = anna.post(f"/api/tasks/{kinds['callback']['id']}/done", {"outcome": "helped"})
    assert done.status_code == 200
    assert anna.post(f"/api/tasks/{kinds['callback']['id']}/done", {"outcome": "helped"}).status_code == 409
    assert all(t["id"] != kinds["callback"]["id"] for t in anna.get("/api/tasks").json()["tasks"])
