"""Standard replies: every advisor reads them; coordinators and admins add, change and delete."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from helpdesk import canned_replies
from helpdesk.models import COORDINATING_ROLES, REPLY_LANGUAGES
from helpdesk.web import endpoint, error, json_body, text_field, wake


def blueprint() -> Blueprint:
    """The standard-reply routes (a new Blueprint per app)."""
    routes = Blueprint("replies")

    @routes.get("/api/replies")
    @endpoint()
    async def list_replies(request: Request) -> HTTPResponse:
        language = request.args.get("language")
        if language is not None and language not in REPLY_LANGUAGES:
            return error(400, f"language must be one of {', '.join(REPLY_LANGUAGES)}")
        return response.json({"replies": await request.ctx.db(canned_replies.list_replies, language)})

    async def save(request: Request, reply_id: int | None) -> HTTPResponse:
        data = json_body(request)
        fields = (
            text_field(data, "language", 5),
            text_field(data, "title", canned_replies.MAX_TITLE + 1),
            text_field(data, "text", canned_replies.MAX_REPLY + 1),
        )
        try:
            view = await request.ctx.db(
                canned_replies.save_reply, request.ctx.advisor.id, *fields, reply_id, write=True
            )
        except canned_replies.ReplyError as exc:
            return error(400, str(exc))
        if view is None:
            return error(404, "no such reply")
        await wake(request.app.ctx.settings)
        return response.json(view, status=201 if reply_id is None else 200)

    @routes.post("/api/replies")
    @endpoint(roles=COORDINATING_ROLES)
    async def add_reply(request: Request) -> HTTPResponse:
        return await save(request, None)

    @routes.post("/api/replies/<reply_id:int>")
    @endpoint(roles=COORDINATING_ROLES)
    async def change_reply(request: Request, reply_id: int) -> HTTPResponse:
        return await save(request, reply_id)

    @routes.delete("/api/replies/<reply_id:int>")
    @endpoint(roles=COORDINATING_ROLES)
    async def delete_reply(request: Request, reply_id: int) -> HTTPResponse:
        if not await request.ctx.db(canned_replies.delete_reply, reply_id, write=True):
            return error(404, "no such reply")
        await wake(request.app.ctx.settings)
        return response.json({"ok": True})

    return routes
