"""Trackers and helpers for the handoff, call-back and walk-in action tests."""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(
    text: str = "ik wil een mens spreken",
    intent: str = "request_human",
    slots: Dict[str, Any] | None = None,
    sender: str | None = None,
    channel: str = "webchat",
) -> Tracker:
    values = {"language": "nl"}
    values.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    now = time.time()
    events = [
        {"event": "user", "text": "hoi", "timestamp": now - 3, "input_channel": channel, "parse_data": {}},
        {"event": "bot", "text": "Hoi! Ik ben Leerwijzer.", "timestamp": now - 2},
        {"event": "user", "text": text, "timestamp": now - 1, "input_channel": channel, "parse_data": latest},
    ]
    return Tracker(
        sender_id=sender or f"s-{uuid.uuid4().hex[:8]}",
        slots=values,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list:
    return [m.get("response") for m in dispatcher.messages]
