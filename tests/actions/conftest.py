"""Action-test fixtures: a CollectingDispatcher and trackers built from data."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.search import ActionSearchOffers  # noqa: F401 - import check for the module


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
    ) -> Tracker:
        slot_values = {"language": "nl", "requested_slot": None}
        slot_values.update(slots or {})
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
        }
        events = [{"event": "user", "text": text, "parse_data": latest}]
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
