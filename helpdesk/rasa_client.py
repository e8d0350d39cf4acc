"""The console's only way into the dialogue: Rasa's HTTP API, signed with a short-lived JWT.

Two rules keep advisor messages on the right conversation and secrets out of URLs:

- Conversation ids go into the path exactly as they are. Rasa 3.6 (Sanic 21.12) does not
  URL-decode `<conversation_id:path>`, so an encoded `whatsapp%3A%2B316...` would be another,
  phantom conversation. Ids that would need encoding are refused (channels.identity.ADDRESSABLE).
- The console authenticates with `Authorization: Bearer <JWT>` (HS256, role admin), never with
  `?token=` in the URL, where proxies and access logs would keep it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import httpx
import jwt

from channels.identity import ADDRESSABLE

JWT_ALGORITHM = "HS256"
JWT_LIFETIME = dt.timedelta(minutes=5)
# Rasa's requires_auth lets role "admin" act on every conversation.
JWT_USER = {"username": "leerwijzer-console", "role": "admin"}


class RasaError(Exception):
    """Rasa did not accept a request (or the request could not be made safely)."""


class RasaClient:
    """Sends advisor messages and notices, pauses/resumes trackers and triggers intents."""

    def __init__(self, base_url: str, jwt_secret: str | None, timeout: float = 15.0) -> None:
        """Remember where Rasa is and the secret the console signs its tokens with."""
        if not jwt_secret:
            raise ValueError("RasaClient needs the JWT secret Rasa was started with (RASA_JWT_SECRET)")
        self.base_url = base_url.rstrip("/")
        self._secret = jwt_secret
        self.timeout = timeout

    def bearer_token(self, now: dt.datetime | None = None) -> str:
        """A fresh JWT for Rasa's HTTP API; it expires after five minutes."""
        now = now or dt.datetime.now(dt.timezone.utc)
        payload = {"user": dict(JWT_USER), "exp": now + JWT_LIFETIME}
        return jwt.encode(payload, self._secret, algorithm=JWT_ALGORITHM)

    async def _post(self, path: str, body: Any, params: Dict[str, str] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.bearer_token()}"}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                reply = await client.post(
                    f"{self.base_url}{path}", params=params or None, json=body, headers=headers
                )
        except (httpx.HTTPError, OSError) as exc:
            raise RasaError(f"Rasa could not be reached: {type(exc).__name__}") from exc
        if reply.status_code >= 400:
            # The path holds the conversation id (maybe a phone number): keep it out of the error.
            raise RasaError(f"Rasa answered {reply.status_code}: {reply.text[:200]}")
        return reply.json() if reply.content else None

    @staticmethod
    def conversation_path(sender_id: str, rest: str) -> str:
        """`/conversations/<id>/<rest>` with the id as it is; RasaError for an unsafe id."""
        # "." and ".." would be read as dot segments of the path and name another resource.
        if not isinstance(sender_id, str) or not ADDRESSABLE.match(sender_id) or not sender_id.strip("."):
            raise RasaError("conversation id has characters Rasa's API cannot address")
        return f"/conversations/{sender_id}/{rest}"

    async def send_bot_message(
        self,
        sender_id: str,
        text: str,
        metadata: Dict[str, Any] | None = None,
        buttons: List[Dict[str, str]] | None = None,
    ) -> None:
        """Deliver a message on the user's latest channel and save it in the tracker."""
        event: Dict[str, Any] = {"event": "bot", "text": text}
        if buttons:
            event["data"] = {"buttons": buttons}
        if metadata:
            event["metadata"] = metadata
        await self._post(
            self.conversation_path(sender_id, "tracker/events"),
            event,
            {"execute_side_effects": "true", "output_channel": "latest"},
        )

    async def send_message(self, sender_id: str, text: str, advisor: str) -> None:
        """Deliver an advisor's message (marked as theirs in the tracker)."""
        await self.send_bot_message(sender_id, text, {"source": "advisor", "advisor": advisor})

    async def send_notice(
        self, sender_id: str, text: str, buttons: List[Dict[str, str]] | None = None
    ) -> None:
        """Deliver a helpdesk notice (an advisor joined, left, or nobody was free)."""
        await self.send_bot_message(sender_id, text, {"source": "helpdesk"}, buttons)

    async def pause(self, sender_id: str) -> None:
        """Pause the tracker (the gate already keeps messages away from Rasa)."""
        await self._post(self.conversation_path(sender_id, "tracker/events"), {"event": "pause"})

    async def resume(self, sender_id: str) -> None:
        """Resume the tracker so the bot answers again.

        The pausing action ran last, with no `action_listen` after it; without one, rules
        that start at a user message (e.g. intent handed_back -> utter_handed_back) would not
        match the next turn. So the listen is appended together with the resume.
        """
        await self._post(
            self.conversation_path(sender_id, "tracker/events"),
            [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        )

    async def trigger_intent(self, sender_id: str, intent: str) -> None:
        """Run an external intent, answering on the user's latest channel."""
        await self._post(
            self.conversation_path(sender_id, "trigger_intent"),
            {"name": intent, "entities": {}},
            {"output_channel": "latest"},
        )
