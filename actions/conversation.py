"""What every action reads from the tracker: the user's language, latest text and intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

# The slots of the development question, in the order the intake asks them; the search,
# the stored record and the advisor's case summary read the same names.
INTAKE_SLOTS = (
    "role",
    "goal",
    "topic",
    "municipality",
    "budget",
    "time_preference",
    "hours_per_week",
    "mode_preference",
)


def user_language(tracker: Tracker) -> str:
    """The conversation's language: "en" when chosen or detected, else "nl"."""
    return "en" if tracker.get_slot("language") == "en" else "nl"


def latest_text(tracker: Tracker) -> str:
    """The text of the user's latest message ("" when there is none)."""
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    """The name of the intent of the user's latest message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def slot_before_latest_message(tracker: Tracker, name: str) -> Any:
    """A slot's value just before the latest user message (the NLU's mappings may change it)."""
    value: Any = None
    before_latest: Any = None
    for event in tracker.events:
        if event.get("event") == "user":
            before_latest = value
        elif event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
    return before_latest
