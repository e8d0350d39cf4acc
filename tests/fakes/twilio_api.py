"""Fake Twilio REST API: the Messages resource, with basic auth and scripted failures."""

from __future__ import annotations

import base64
import uuid
from typing import Any, Dict, List, Set

from aiohttp import web

from tests.fakes.server import FakeServer, RecordedRequest, read_params

MESSAGES_PATH = "/2010-04-01/Accounts/{account_sid}/Messages.json"


class FakeTwilio(FakeServer):
    """Accepts messages like Twilio: 201 + JSON with a fresh "SM..." sid."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        """Accept only these credentials."""
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.unsubscribed: Set[str] = set()

    def routes(self, app: web.Application) -> None:
        """POST /2010-04-01/Accounts/{sid}/Messages.json."""
        app.router.add_post(MESSAGES_PATH, self.create_message)

    def reset(self) -> None:
        """Also forget unsubscribed numbers."""
        super().reset()
        self.unsubscribed.clear()

    def _authorised(self, request: web.Request) -> bool:
        """Check HTTP basic auth against the account."""
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def create_message(self, request: web.Request) -> web.Response:
        """Record the request and answer as Twilio would."""
        params = await read_params(request)
        recorded = RecordedRequest(request.method, request.path, params, dict(request.headers))
        self._record(recorded)
        if request.match_info["account_sid"] != self.account_sid or not self._authorised(request):
            recorded.status = 401
            return _error(401, 20003, "Authenticate")
        failure = self._next_failure()
        if failure:
            recorded.status = failure
            headers = {"Retry-After": "0"} if failure == 429 else {}
            return _error(failure, 20429 if failure == 429 else 20500, "scripted failure", headers)
        if params.get("To") in self.unsubscribed:
            recorded.status = 400
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        if not params.get("Body") and not params.get("ContentSid") and not params.get("MediaUrl"):
            recorded.status = 400
            return _error(400, 21602, "Message body is required.")
        recorded.status = 201
        sid = "SM" + uuid.uuid4().hex
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": params.get("To"),
                "from": params.get("From"),
                "body": params.get("Body", ""),
                "status": "queued",
            },
            status=201,
        )

    @property
    def messages(self) -> List[Dict[str, Any]]:
        """Params of the messages Twilio accepted (status 201), in order."""
        return [r.params for r in self.requests if r.status == 201]

    def messages_to(self, to: str) -> List[Dict[str, Any]]:
        """Accepted messages for one recipient."""
        return [m for m in self.messages if m.get("To") == to]


def _error(status: int, code: int, message: str, headers: Dict[str, str] | None = None) -> web.Response:
    """Twilio's JSON error body."""
    return web.json_response(
        {"code": code, "message": message, "more_info": "", "status": status},
        status=status,
        headers=headers,
    )
