"""Talking to the running bot over the REST channel, for the end-to-end tests."""

from __future__ import annotations

from typing import Any, Dict, List

import httpx


def rest_headers(stack: Any) -> Dict[str, str]:
    """The bearer token the REST channel requires (the launcher made it for this stack)."""
    return {"Authorization": f"Bearer {stack.secrets['LEERWIJZER_REST_TOKEN']}"}


def conversation_of(sender: str) -> str:
    """The conversation id the REST channel makes for a client's sender (channels/identity.py)."""
    return f"rest:{sender}"


def say(stack: Any, sender: str, text: str, timeout: float = 60) -> List[dict]:
    """Send one message to the REST channel and return the bot's replies."""
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=rest_headers(stack),
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()


def texts(replies: List[dict]) -> str:
    """All reply texts joined, for searching."""
    return "\n".join(r.get("text", "") for r in replies)
