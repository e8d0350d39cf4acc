"""The console's only way into the dialogue: Rasa's HTTP API, with the API token."""

from __future__ import annotations

from typing import Any, Dict
from urllib.parse import quote

import httpx


class RasaError(Exception):
    """Rasa did not accept a request."""


class RasaClient:
    """Sends advisor messages, pauses/resumes trackers and triggers intents over HTTP."""

    def __init__(self, base_url: str, token: str | None, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    async def _post(self, path: str, body: Any, params: Dict[str, str] | None = None) -> Any:
        query = dict(params or {})
        if self.token:
            query["token"] = self.token
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            reply = await client.post(f"{self.base_url}{path}", params=query, json=body)
        if reply.status_code >= 400:
            raise RasaError(f"Rasa answered {reply.status_code} to {path}: {reply.text[:200]}")
        return reply.json() if reply.content else None

    @staticmethod
    def _events_path(sender_id: str) -> str:
        return f"/conversations/{quote(sender_id, safe='')}/tracker/events"

    async def send_message(self, sender_id: str, text: str, advisor: str) -> None:
        """Deliver a message on the user's latest channel and save it in the tracker."""
        await self._post(
            self._events_path(sender_id),
            {"event": "bot", "text": text, "metadata": {"source": "advisor", "advisor": advisor}},
            {"execute_side_effects": "true", "output_channel": "latest"},
        )

    async def pause(self, sender_id: str) -> None:
        """Pause the tracker (the gate already keeps messages away from Rasa)."""
        await self._post(self._events_path(sender_id), {"event": "pause"})

    async def resume(self, sender_id: str) -> None:
        """Resume the tracker so the bot answers again.

        The pausing action ran last, with no `action_listen` after it; without one, rules
        that start at a user message (e.g. intent handed_back -> utter_handed_back) would not
        match the next turn. So the listen is appended together with the resume.
        """
        await self._post(
            self._events_path(sender_id),
            [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        )

    async def trigger_intent(self, sender_id: str, intent: str) -> None:
        """Run an external intent, answering on the user's latest channel."""
        await self._post(
            f"/conversations/{quote(sender_id, safe='')}/trigger_intent",
            {"name": intent, "entities": {}},
            {"output_channel": "latest"},
        )
