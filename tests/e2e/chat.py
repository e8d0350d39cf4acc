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


# The limit questions of the search (actions/profile.py needed_limits), and the button a user
# taps who does not mind: both, any distance, more, no maximum, any time, Dutch is fine.
DONT_MIND = {
    "mode_preference": "both",
    "max_distance_km": "any",
    "budget": "more",
    # after "more", the highest amount (since session 4)
    "price_cap": "any",
    "time_preference": "any_time",
    "teaching_language": "nl",
}


def limit_question(replies: List[dict]) -> str | None:
    """The limit a reply's buttons answer ("budget", ...), or None when they answer none."""
    for reply in replies[-1:]:
        for button in reply.get("buttons") or []:
            for name in DONT_MIND:
                if f'"{name}"' in str(button.get("payload")):
                    return name
    return None


def search(stack: Any, sender: str, text: str, timeout: float = 60) -> List[dict]:
    """Send a search and tap "doesn't matter" on every limit question; all replies, in order."""
    replies = say(stack, sender, text, timeout)
    every = list(replies)
    for _ in range(len(DONT_MIND)):
        name = limit_question(replies)
        if name is None:
            break
        replies = say(stack, sender, f'/inform{{"{name}": "{DONT_MIND[name]}"}}', timeout)
        every.extend(replies)
    return every


def texts(replies: List[dict]) -> str:
    """All reply texts joined, for searching."""
    return "\n".join(r.get("text", "") for r in replies)
