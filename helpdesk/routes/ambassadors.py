"""Learning ambassadors (coordinators and admins): register, list with counts, QR codes, switch off."""

from __future__ import annotations

import html
from pathlib import Path
from string import Template
from typing import Any, Dict
from urllib.parse import urlparse

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from helpdesk import ambassadors
from helpdesk.models import COORDINATING_ROLES
from helpdesk.web import endpoint, error, json_body, text_field
from leerwijzer.settings import ChannelSettings

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
FLYER = Path(__file__).resolve().parents[1] / "data" / "flyer.html"


def flyer_page(view: Dict[str, Any]) -> str:
    """A printable flyer: who invites, the QR code, the link and the WhatsApp link; all escaped."""
    links = view["links"]
    whatsapp = ""
    if links["whatsapp"]:
        # A person types a number and a code, not a wa.me address (that one is in the QR's page).
        number, code = html.escape(links["whatsapp_number"]), html.escape(view["code"])
        whatsapp = f"<p>Liever WhatsApp? Stuur <strong>code {code}</strong> naar {number}.</p>"
    return Template(FLYER.read_text(encoding="utf-8")).substitute(
        name=html.escape(view["name"]),
        place=html.escape(view["place"]),
        qr_url=f"/api/ambassadors/{view['id']}/qr?format=svg",
        web_link=html.escape(links["web"]),
        whatsapp=whatsapp,
    )


def with_links(view: Dict[str, Any], request: Request, whatsapp: str | None = None) -> Dict[str, Any]:
    """An ambassador's view plus the links their flyer carries (`links_public`: fit to print).

    `whatsapp`: the WhatsApp number when the caller read it already (once per request, not per
    ambassador); else it is read from the environment.
    """
    whatsapp = whatsapp or ChannelSettings.from_env().TWILIO_WHATSAPP_FROM
    chat_page = request.app.ctx.settings.chat_page
    host = urlparse(chat_page).hostname or ""
    return {
        **view,
        "links": ambassadors.links(view["code"], chat_page, whatsapp),
        # A flyer printed with http://127.0.0.1:5005 works nowhere: the console warns first.
        "links_public": host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0"),
    }


def blueprint() -> Blueprint:
    """The ambassador routes (a new Blueprint per app)."""
    routes = Blueprint("ambassadors")

    @routes.get("/api/ambassadors")
    @endpoint(roles=COORDINATING_ROLES)
    async def list_ambassadors(request: Request) -> HTTPResponse:
        found = await request.ctx.db(ambassadors.list_ambassadors)
        whatsapp = ChannelSettings.from_env().TWILIO_WHATSAPP_FROM
        return response.json({"ambassadors": [with_links(view, request, whatsapp) for view in found]})

    @routes.post("/api/ambassadors")
    @endpoint(roles=COORDINATING_ROLES)
    async def add_ambassador(request: Request) -> HTTPResponse:
        data = json_body(request)
        fields = (
            text_field(data, "name", ambassadors.MAX_NAME + 1),
            text_field(data, "place", ambassadors.MAX_PLACE + 1),
            text_field(data, "contact", ambassadors.MAX_CONTACT + 1),
        )
        try:
            view = await request.ctx.db(
                ambassadors.create_ambassador, *fields, request.ctx.advisor.id, write=True
            )
        except ambassadors.AmbassadorError as exc:
            return error(400, str(exc))
        return response.json(with_links(view, request), status=201)

    @routes.post("/api/ambassadors/<ambassador_id:int>")
    @endpoint(roles=COORDINATING_ROLES)
    async def switch_ambassador(request: Request, ambassador_id: int) -> HTTPResponse:
        active = json_body(request).get("active")
        if not isinstance(active, bool):
            return error(400, "active must be true or false")
        view = await request.ctx.db(ambassadors.set_active, ambassador_id, active, write=True)
        return error(404, "no such ambassador") if view is None else response.json(with_links(view, request))

    @routes.post("/api/ambassadors/<ambassador_id:int>/forget")
    @endpoint(roles=COORDINATING_ROLES)
    async def forget(request: Request, ambassador_id: int) -> HTTPResponse:
        view = await request.ctx.db(ambassadors.forget_ambassador, ambassador_id, write=True)
        return error(404, "no such ambassador") if view is None else response.json(with_links(view, request))

    @routes.get("/api/ambassadors/<ambassador_id:int>/qr")
    @endpoint(roles=COORDINATING_ROLES)
    async def qr_code(request: Request, ambassador_id: int) -> HTTPResponse:
        kind = request.args.get("format", "png")
        if kind not in QR_TYPES:
            return error(400, "format must be png or svg")
        found = await request.ctx.db(ambassadors.find_ambassador, ambassador_id)
        if found is None:
            return error(404, "no such ambassador")
        link = with_links(found, request)["links"]["web"]
        return response.raw(
            ambassadors.qr_code(link, kind),
            content_type=QR_TYPES[kind],
            headers={"Content-Disposition": f'inline; filename="leerwijzer-{found["code"]}.{kind}"'},
        )

    @routes.get("/api/ambassadors/<ambassador_id:int>/flyer")
    @endpoint(roles=COORDINATING_ROLES)
    async def flyer(request: Request, ambassador_id: int) -> HTTPResponse:
        found = await request.ctx.db(ambassadors.find_ambassador, ambassador_id)
        if found is None:
            return error(404, "no such ambassador")
        return response.html(flyer_page(with_links(found, request)))

    return routes
