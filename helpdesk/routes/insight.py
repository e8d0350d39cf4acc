"""The library's insight (coordinators and admins): the page, its charts, the figures as JSON and CSV."""

from __future__ import annotations

import asyncio

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from helpdesk import charts, insight, insight_page
from helpdesk.models import COORDINATING_ROLES
from helpdesk.web import endpoint, error


def _filters(request: Request) -> insight.Filters:
    return insight.Filters.from_args({key: request.args.get(key, "") for key in request.args})


def blueprint() -> Blueprint:
    """The insight routes (a new Blueprint per app)."""
    routes = Blueprint("insight")

    @routes.get("/insight")
    @endpoint(roles=COORDINATING_ROLES, page=True)
    async def page(request: Request) -> HTTPResponse:
        problem = ""
        try:
            filters = _filters(request)
        except insight.FilterError as exc:
            # A hand-edited link: show everything and say why, rather than an error page.
            filters, problem = insight.Filters(), f"Filter niet gebruikt: {exc}."
        report = await request.ctx.db(insight.report, filters)
        page = await asyncio.to_thread(
            insight_page.render_page, report, filters, insight.filter_options(), problem
        )
        return response.html(page)

    @routes.get("/api/insight")
    @endpoint(roles=COORDINATING_ROLES)
    async def figures(request: Request) -> HTTPResponse:
        try:
            filters = _filters(request)
        except insight.FilterError as exc:
            return error(400, str(exc))
        return response.json(await request.ctx.db(insight.report, filters))

    @routes.get("/api/insight.csv")
    @endpoint(roles=COORDINATING_ROLES)
    async def csv_export(request: Request) -> HTTPResponse:
        try:
            filters = _filters(request)
        except insight.FilterError as exc:
            return error(400, str(exc))
        section = request.args.get("section") or None
        if section is not None and section not in insight.SECTIONS:
            return error(404, "no such section")
        report = await request.ctx.db(insight.report, filters)
        name = f"leerwijzer-inzicht-{section or 'alles'}.csv"
        return response.text(
            await asyncio.to_thread(insight_page.render_csv, report, section),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @routes.get("/api/insight/charts/<section_id:str>")
    @endpoint(roles=COORDINATING_ROLES)
    async def chart(request: Request, section_id: str) -> HTTPResponse:
        try:
            filters = _filters(request)
        except insight.FilterError as exc:
            return error(400, str(exc))
        make = insight.SECTIONS.get(section_id)
        if make is None:
            return error(404, "no such section")
        section = await request.ctx.db(make, filters)
        # Drawing takes tens of milliseconds: off the event loop, like the database work.
        svg = await asyncio.to_thread(charts.bar_chart_svg, **section["chart"])
        if not svg:
            return error(404, "no figures for these filters")
        return response.text(svg, content_type="image/svg+xml; charset=utf-8")

    return routes
