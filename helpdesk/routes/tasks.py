"""Call-back and walk-in tasks: list them, open a masked phone number, mark one done."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from helpdesk import tasks
from helpdesk.models import TASK_OUTCOMES
from helpdesk.web import endpoint, error, json_body, text_field, wake


def blueprint() -> Blueprint:
    """The task routes (a new Blueprint per app: tests build several apps in one process)."""
    routes = Blueprint("tasks")

    @routes.get("/api/tasks")
    @endpoint()
    async def list_tasks(request: Request) -> HTTPResponse:
        status = "done" if request.args.get("status") == "done" else "open"
        return response.json({"tasks": await request.ctx.db(tasks.list_tasks, status)})

    @routes.post("/api/tasks/<task_id:int>/phone")
    @endpoint()
    async def open_phone(request: Request, task_id: int) -> HTTPResponse:
        # A POST, not a GET: opening a number is recorded, and needs the CSRF token.
        phone = await request.ctx.db(tasks.open_phone, task_id, request.ctx.advisor.id, write=True)
        if phone is None:
            return error(404, "no phone number for this task")
        return response.json({"phone": phone})

    @routes.post("/api/tasks/<task_id:int>/done")
    @endpoint()
    async def task_done(request: Request, task_id: int) -> HTTPResponse:
        outcome = text_field(json_body(request), "outcome", 40)
        if outcome not in TASK_OUTCOMES:
            return error(400, f"outcome must be one of {', '.join(TASK_OUTCOMES)}")
        if not await request.ctx.db(tasks.finish_task, task_id, request.ctx.advisor.id, outcome, write=True):
            return error(409, "task is not open")
        await wake(request.app.ctx.settings)
        return response.json({"ok": True})

    return routes
