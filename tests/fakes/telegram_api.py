"""Fake Telegram Bot API: /bot<token>/<method>, with scripted 429/5xx failures."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, Dict, List

from aiohttp import web

from tests.fakes.server import FakeServer, RecordedRequest, read_params


class FakeTelegram(FakeServer):
    """Answers like the Bot API for the methods the connector uses."""

    def __init__(self, token: str) -> None:
        """Accept only this bot token."""
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(1000)

    def routes(self, app: web.Application) -> None:
        """POST /bot{token}/{method}."""
        app.router.add_post("/bot{token}/{method}", self.call)

    async def call(self, request: web.Request) -> web.Response:
        """Record the call and answer with a plausible result."""
        params = await read_params(request)
        method = request.match_info["method"]
        recorded = RecordedRequest(request.method, method, params, dict(request.headers))
        self._record(recorded)
        if request.match_info["token"] != self.token:
            recorded.status = 401
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        failure = self._next_failure()
        if failure:
            recorded.status = failure
            body: Dict[str, Any] = {"ok": False, "error_code": failure, "description": "scripted"}
            if failure == 429:
                body["description"] = "Too Many Requests: retry after 1"
                body["parameters"] = {"retry_after": 1}
            return web.json_response(body, status=failure)
        recorded.status = 200
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: Dict[str, Any]) -> Any:
        """The result object for a method."""
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Leerwijzer", "username": "lw_bot"}
        if method in ("sendMessage", "sendPhoto"):
            message: Dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": _int_or_str(params.get("chat_id")), "type": "private"},
            }
            if method == "sendMessage":
                message["text"] = params.get("text", "")
            return message
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def calls(self, method: str) -> List[Dict[str, Any]]:
        """Params of successful calls of one method, in order (reply_markup decoded)."""
        found = []
        for request in self.requests:
            if request.path == method and request.status == 200:
                params = dict(request.params)
                if isinstance(params.get("reply_markup"), str):
                    params["reply_markup"] = json.loads(params["reply_markup"])
                found.append(params)
        return found


def _int_or_str(value: Any) -> Any:
    """Chat ids arrive as strings in form bodies."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
