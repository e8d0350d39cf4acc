"""Action-test fixtures: a CollectingDispatcher and trackers built from data."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.search import ActionSearchOffers  # noqa: F401 - import check for the module
from bot.nlu.profile_extractor import read_profile
from leerwijzer.settings import get_settings
from tests.helpdesk.support import copy_sample_database

# Entity -> slot, as the from_entity mappings in bot/domain fill them (lists collect values).
PROFILE_SLOT_OF = {"theme": "themes", "day": "days"}
LIST_SLOTS = frozenset(["themes", "days"])


def profile_slots(entities: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots Rasa's from_entity mappings would set from these entities."""
    slots: Dict[str, Any] = {}
    for entity in entities:
        slot = PROFILE_SLOT_OF.get(entity["entity"], entity["entity"])
        if slot in LIST_SLOTS:
            slots.setdefault(slot, []).append(entity["value"])
        else:
            slots.setdefault(slot, entity["value"])
    return slots


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    """A dispatcher that keeps the messages an action sends."""
    return CollectingDispatcher()


@pytest.fixture()
def tracker_for() -> Callable[..., Tracker]:
    """Build a tracker from the latest user text, intent and slots."""

    def build(
        text: str = "",
        intent: str = "search_offer",
        slots: Dict[str, Any] | None = None,
        entities: List[Dict[str, Any]] | None = None,
        active_loop: str | None = None,
        profile: bool = False,
        earlier: Dict[str, Any] | None = None,
    ) -> Tracker:
        """`profile=True` adds what the NLU's profile extractor reads and the slots it fills.

        `earlier` are slot values set before the latest message (as events; `slots` is now).
        """
        slot_values = {"language": "nl", "requested_slot": None}
        slot_values.update(slots or {})
        if profile:
            read = [{**entity, "extractor": "ProfileExtractor"} for entity in read_profile(text).entities()]
            entities = (entities or []) + read
            slot_values.update(profile_slots(entities))
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
        }
        events = [{"event": "slot", "name": name, "value": value} for name, value in (earlier or {}).items()]
        events.append({"event": "user", "text": text, "parse_data": latest})
        return Tracker(
            sender_id="test-user",
            slots=slot_values,
            latest_message=latest,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return build


@pytest.fixture()
def helpdesk_url(sample_database_url: str, tmp_path, monkeypatch) -> Iterator[str]:
    """A private database copy; office always open unless a test says otherwise."""
    url = copy_sample_database(sample_database_url, tmp_path)
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", url)
    monkeypatch.setenv("LEERWIJZER_OFFICE_HOURS", "always")
    monkeypatch.setenv("LEERWIJZER_HELPDESK_BROKER_URL", "")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
