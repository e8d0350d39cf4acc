"""Pinned events and campaigns (coordinators and admins): list, pin, unpin."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from helpdesk import pinned_events
from helpdesk.models import COORDINATING_ROLES
from helpdesk.web import endpoint, error, json_body


def blueprint() -> Blueprint:
    """The pinned-event routes (a new Blueprint per app)."""
    routes = Blueprint("pinned_events")

    @routes.get("/api/pinned-events")
    @endpoint(roles=COORDINATING_ROLES)
    async def list_events(request: Request) -> HTTPResponse:
        return response.json({"events": await request.ctx.db(pinned_events.list_events)})

    @routes.get("/api/pinned-events/options")
    @endpoint(roles=COORDINATING_ROLES)
    async def options(request: Request) -> HTTPResponse:
        # What the form offers: the region's municipalities and the themes, with Dutch names.
        return response.json(pinned_events.options())

    @routes.post("/api/pinned-events")
    @endpoint(roles=COORDINATING_ROLES)
    async def pin_event(request: Request) -> HTTPResponse:
        data = json_body(request)
        try:
            view = await request.ctx.db(pinned_events.pin_event, data, request.ctx.advisor.id, write=True)
        except pinned_events.EventError as exc:
            return error(400, str(exc))
        return response.json(view, status=201)

    @routes.post("/api/pinned-events/<event_id:int>/unpin")
    @endpoint(roles=COORDINATING_ROLES)
    async def unpin(request: Request, event_id: int) -> HTTPResponse:
        if not await request.ctx.db(pinned_events.unpin, event_id, write=True):
            return error(404, "no such event")
        return response.json({"ok": True})

    return routes
