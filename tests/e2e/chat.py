"""Talking to the running bot over the REST channel, for the end-to-end tests."""

from __future__ import annotations

from typing import Any, List

import httpx


def say(stack: Any, sender: str, text: str, timeout: float = 60) -> List[dict]:
    """Send one message to the REST channel and return the bot's replies."""
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    response.raise_for_status()
    return response.json()


def texts(replies: List[dict]) -> str:
    """All reply texts joined, for searching."""
    return "\n".join(r.get("text", "") for r in replies)
