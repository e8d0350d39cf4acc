"""The advisor console: a Sanic web app with a JSON API, server-sent events and one page.

Run it with `python -m helpdesk.console`. It keeps nothing in process memory: sessions,
login failures, ownership and the event feed live in the database, so any number of
instances can run behind a load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import urlparse

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from catalogue.search import SearchQuery, format_price, search_offers
from helpdesk import auth, store
from helpdesk.broker import notifier_for
from helpdesk.database import session_factory
from helpdesk.models import OUTCOMES, ROLES, Advisor, Conversation
from helpdesk.offers import offer_message
from helpdesk.openapi import openapi_spec
from helpdesk.privacy import purge_expired
from helpdesk.rasa_client import RasaClient, RasaError
from leerwijzer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "console_static"
STATIC_FILES = {
    "console.js": "application/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
COOKIE = "lw_console"
MAX_TEXT = 2000
SSE_SAFETY_POLL = 10.0
SSE_LIFETIME = 300.0
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def error(status: int, message: str) -> HTTPResponse:
    """A JSON error body."""
    return response.json({"error": message}, status=status)


def endpoint(
    login: bool = True, admin: bool = False, csrf: bool | None = None
) -> Callable[[Callable[..., Awaitable[HTTPResponse]]], Callable[..., Awaitable[HTTPResponse]]]:
    """Wrap a handler: one DB session per request, login, role and CSRF checks, commit/close."""

    def decorate(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
        @functools.wraps(handler)
        async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            db = request.app.ctx.session_factory()
            request.ctx.db = db
            try:
                if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
                    return error(403, "cross-site request refused")
                if login:
                    found = auth.session_for(db, request.cookies.get(COOKIE))
                    if found is None:
                        return error(401, "login required")
                    request.ctx.advisor, request.ctx.console_session = found
                    if admin and request.ctx.advisor.role != "admin":
                        return error(403, "admins only")
                    needs_csrf = csrf if csrf is not None else request.method not in ("GET", "HEAD")
                    if needs_csrf and not auth.csrf_matches(
                        request.ctx.console_session.csrf_token, request.headers.get("x-csrf-token")
                    ):
                        return error(403, "missing or wrong CSRF token")
                result = await handler(request, *args, **kwargs)
                db.commit()
                return result
            except Exception:
                db.rollback()
                raise
            finally:
                db.close()

        wrapped.login_required = login  # type: ignore[attr-defined]
        return wrapped

    return decorate


def _same_origin(request: Request) -> bool:
    """Refuse unsafe requests whose Origin (when sent) is another site."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    return urlparse(origin).netloc == request.headers.get("host", "")


def _body(request: Request) -> Dict[str, Any]:
    try:
        data = request.json
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


def _text(data: Dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = data.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def advisor_view(advisor: Advisor) -> Dict[str, Any]:
    """JSON view of an advisor account."""
    return {
        "id": advisor.id,
        "username": advisor.username,
        "display_name": advisor.display_name,
        "role": advisor.role,
        "active": advisor.active,
    }


PURGE_INTERVAL_SECONDS = 3600


def create_app(settings: Settings | None = None, name: str = "leerwijzer_console") -> Sanic:
    """Build the console app for the given settings."""
    settings = settings or get_settings()
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.RESPONSE_TIMEOUT = SSE_LIFETIME + 60
    app.ctx.settings = settings
    app.ctx.session_factory = session_factory(settings.database_url)
    app.ctx.rasa = RasaClient(settings.rasa_url, settings.rasa_api_token)

    @app.middleware("response")
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        for key, value in SECURITY_HEADERS.items():
            if resp is not None and key not in resp.headers:
                resp.headers[key] = value

    async def wake() -> None:
        await notifier_for(settings.helpdesk_broker_url, settings.helpdesk_poll_seconds).publish()

    async def purge_every_hour(app: Sanic) -> None:
        # Retention must hold while the helpdesk runs for weeks, not only at start-up.
        while True:
            try:
                report = await asyncio.to_thread(purge_expired, settings)
                logger.info("Retention purge: %s", report.deleted)
            except Exception:
                logger.exception("Retention purge failed; trying again in an hour.")
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    @app.listener("after_server_start")
    async def start_purging(app: Sanic, _loop: object) -> None:
        app.ctx.purge_task = asyncio.get_running_loop().create_task(purge_every_hour(app))

    @app.listener("before_server_stop")
    async def stop_purging(app: Sanic, _loop: object) -> None:
        app.ctx.purge_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.ctx.purge_task

    # ---- pages and public endpoints -------------------------------------------------
    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        return await response.file(STATIC_DIR / "index.html", mime_type="text/html; charset=utf-8")

    @app.get("/static/<name:path>")
    async def static_file(request: Request, name: str) -> HTTPResponse:
        if name not in STATIC_FILES:
            return error(404, "not found")
        return await response.file(STATIC_DIR / name, mime_type=STATIC_FILES[name])

    @app.get("/api/openapi.json")
    async def openapi(request: Request) -> HTTPResponse:
        return response.json(openapi_spec())

    # ---- sessions ---------------------------------------------------------------------
    @app.post("/api/login")
    @endpoint(login=False)
    async def login(request: Request) -> HTTPResponse:
        data = _body(request)
        username = _text(data, "username", 80).lower()
        password = data.get("password") if isinstance(data.get("password"), str) else ""
        client = request.remote_addr or request.ip or ""  # proxies: set Sanic PROXIES_COUNT
        keys = (f"user:{username}", f"ip:{client}")
        db = request.ctx.db
        # Per account: a few tries. Per address: more, since an office may share one address.
        limits = {keys[0]: settings.login_max_failures, keys[1]: settings.login_max_failures * 4}
        if auth.too_many_failures(db, limits, settings.login_window_minutes):
            return error(429, "too many failed logins; try again later")
        advisor = db.execute(select(Advisor).where(Advisor.username == username)).scalar_one_or_none()
        valid = await asyncio.to_thread(
            auth.verify_password, password, advisor.password_hash if advisor else None
        )
        if not valid or advisor is None or not advisor.active:
            auth.record_failure(db, keys)
            return error(401, "wrong username or password")
        auth.clear_failures(db, keys)
        token, csrf = auth.start_session(db, advisor, settings.session_hours)
        resp = response.json({"advisor": advisor_view(advisor), "csrf_token": csrf})
        resp.cookies[COOKIE] = token
        cookie = resp.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = int(settings.session_hours * 3600)
        if settings.cookie_secure:
            cookie["secure"] = True
        return resp

    @app.post("/api/logout")
    @endpoint()
    async def logout(request: Request) -> HTTPResponse:
        auth.end_session(request.ctx.db, request.cookies.get(COOKIE))
        resp = response.json({"ok": True})
        del resp.cookies[COOKIE]
        return resp

    @app.get("/api/me")
    @endpoint()
    async def me(request: Request) -> HTTPResponse:
        return response.json(
            {
                "advisor": advisor_view(request.ctx.advisor),
                "csrf_token": request.ctx.console_session.csrf_token,
                "office_open": settings.is_open(),
                "office_hours": settings.office_hours,
            }
        )

    # ---- queue and conversations ----------------------------------------------------
    @app.get("/api/queue")
    @endpoint()
    async def get_queue(request: Request) -> HTTPResponse:
        return response.json(store.queue(request.ctx.db))

    def load(db: Any, conversation_id: int) -> Conversation | None:
        return db.get(Conversation, conversation_id)

    @app.get("/api/conversations/<conversation_id:int>")
    @endpoint()
    async def get_conversation(request: Request, conversation_id: int) -> HTTPResponse:
        db = request.ctx.db
        conversation = load(db, conversation_id)
        if conversation is None:
            return error(404, "no such conversation")
        view = store.case_view(db, conversation)
        view["transcript"] = store.transcript(db, conversation_id)
        view["notes"] = store.notes(db, conversation_id)
        view["mine"] = conversation.advisor_id == request.ctx.advisor.id
        return response.json(view)

    @app.post("/api/conversations/<conversation_id:int>/claim")
    @endpoint()
    async def claim(request: Request, conversation_id: int) -> HTTPResponse:
        db = request.ctx.db
        if load(db, conversation_id) is None:
            return error(404, "no such conversation")
        if not store.claim(db, conversation_id, request.ctx.advisor.id):
            return error(409, "someone else has this conversation, or it is not waiting")
        conversation = load(db, conversation_id)
        store.log_message(db, conversation, "system", f"{request.ctx.advisor.display_name} joined")
        db.commit()
        await wake()
        return response.json(store.case_view(db, conversation))

    async def deliver(request: Request, conversation_id: int, text: str) -> HTTPResponse:
        db = request.ctx.db
        advisor = request.ctx.advisor
        try:
            conversation = store.require_owner(db, conversation_id, advisor.id)
        except LookupError:
            return error(404, "no such conversation")
        except store.HelpdeskError as exc:
            return error(409, str(exc))
        try:
            await request.app.ctx.rasa.send_message(conversation.sender_id, text, advisor.display_name)
        except (RasaError, OSError) as exc:
            logger.warning("Delivery to %s failed: %s", conversation.sender_id, exc)
            return error(502, "the message could not be delivered; try again")
        message = store.log_message(db, conversation, "advisor", text, advisor_id=advisor.id)
        db.commit()
        await wake()
        return response.json({"id": message.id, "text": text}, status=201)

    @app.post("/api/conversations/<conversation_id:int>/messages")
    @endpoint()
    async def send_message(request: Request, conversation_id: int) -> HTTPResponse:
        text = _text(_body(request), "text")
        if not text:
            return error(400, "text is required")
        return await deliver(request, conversation_id, text)

    @app.post("/api/conversations/<conversation_id:int>/offers")
    @endpoint()
    async def send_offer(request: Request, conversation_id: int) -> HTTPResponse:
        data = _body(request)
        conversation = load(request.ctx.db, conversation_id)
        if conversation is None:
            return error(404, "no such conversation")
        offer_id = data.get("offer_id")
        text = (
            offer_message(request.ctx.db, offer_id, conversation.language)
            if isinstance(offer_id, int)
            else None
        )
        if text is None:
            return error(400, "unknown offer_id")
        return await deliver(request, conversation_id, text)

    @app.post("/api/conversations/<conversation_id:int>/notes")
    @endpoint()
    async def add_note(request: Request, conversation_id: int) -> HTTPResponse:
        text = _text(_body(request), "text")
        if not text:
            return error(400, "text is required")
        try:
            note = store.add_note(request.ctx.db, conversation_id, request.ctx.advisor.id, text)
        except LookupError:
            return error(404, "no such conversation")
        request.ctx.db.commit()
        await wake()
        return response.json({"id": note.id, "text": note.text}, status=201)

    @app.post("/api/conversations/<conversation_id:int>/handback")
    @endpoint()
    async def hand_back(request: Request, conversation_id: int) -> HTTPResponse:
        return await finish(request, conversation_id, "handed_back", None)

    @app.post("/api/conversations/<conversation_id:int>/close")
    @endpoint()
    async def close(request: Request, conversation_id: int) -> HTTPResponse:
        outcome = _text(_body(request), "outcome", 40)
        if outcome not in OUTCOMES:
            return error(400, f"outcome must be one of {', '.join(OUTCOMES)}")
        return await finish(request, conversation_id, "closed", outcome)

    async def finish(request: Request, conversation_id: int, kind: str, outcome: str | None) -> HTTPResponse:
        db = request.ctx.db
        advisor = request.ctx.advisor
        try:
            conversation = store.require_owner(db, conversation_id, advisor.id)
        except LookupError:
            return error(404, "no such conversation")
        except store.HelpdeskError as exc:
            return error(409, str(exc))
        rasa = request.app.ctx.rasa
        try:
            await rasa.resume(conversation.sender_id)
        except (RasaError, OSError) as exc:
            logger.warning("Resume of %s failed: %s", conversation.sender_id, exc)
            return error(502, "Rasa did not accept the hand back; try again")
        try:
            store.end_case(db, conversation_id, advisor.id, kind, outcome)
        except store.HelpdeskError as exc:
            return error(409, str(exc))
        label = "handed back to the bot" if kind == "handed_back" else f"closed: {outcome}"
        store.log_message(db, conversation, "system", f"{advisor.display_name} {label}")
        db.commit()
        await wake()
        if kind == "handed_back":
            try:
                await rasa.trigger_intent(conversation.sender_id, "handed_back")
            except (RasaError, OSError) as exc:  # the bot still answers the next message
                logger.warning("handed_back intent for %s failed: %s", conversation.sender_id, exc)
        return response.json(store.case_view(db, conversation))

    # ---- catalogue, tasks -------------------------------------------------------------
    @app.get("/api/offers")
    @endpoint()
    async def find_offers(request: Request) -> HTTPResponse:
        query = SearchQuery(
            text=(request.args.get("q") or "")[:200],
            municipality=(request.args.get("municipality") or None),
            language="en" if request.args.get("language") == "en" else "nl",
        )
        results = search_offers(request.ctx.db, query, limit=10)
        return response.json(
            {
                "offers": [
                    {
                        "offer_id": r.offer_id,
                        "title": r.title,
                        "provider": r.provider,
                        "kind": r.kind,
                        "place": r.place_text,
                        "price": format_price(r, query.language),
                        "start": r.start_date.isoformat() if r.start_date else None,
                        "url": r.url,
                    }
                    for r in results
                ]
            }
        )

    @app.get("/api/tasks")
    @endpoint()
    async def get_tasks(request: Request) -> HTTPResponse:
        status = "done" if request.args.get("status") == "done" else "open"
        return response.json({"tasks": store.list_tasks(request.ctx.db, status)})

    @app.post("/api/tasks/<task_id:int>/done")
    @endpoint()
    async def task_done(request: Request, task_id: int) -> HTTPResponse:
        if not store.finish_task(request.ctx.db, task_id, request.ctx.advisor.id):
            return error(409, "task is not open")
        request.ctx.db.commit()
        await wake()
        return response.json({"ok": True})

    # ---- advisors (admins only) -----------------------------------------------------
    @app.get("/api/advisors")
    @endpoint(admin=True)
    async def list_advisors(request: Request) -> HTTPResponse:
        rows = request.ctx.db.execute(select(Advisor).order_by(Advisor.username)).scalars()
        return response.json({"advisors": [advisor_view(a) for a in rows]})

    @app.post("/api/advisors")
    @endpoint(admin=True)
    async def add_advisor(request: Request) -> HTTPResponse:
        data = _body(request)
        try:
            advisor = auth.create_advisor(
                request.ctx.db,
                _text(data, "username", 80),
                _text(data, "display_name", 120),
                data.get("password") if isinstance(data.get("password"), str) else "",
                _text(data, "role", 20) or "advisor",
            )
        except auth.AccountError as exc:
            return error(400, str(exc))
        return response.json(advisor_view(advisor), status=201)

    @app.post("/api/advisors/<advisor_id:int>")
    @endpoint(admin=True)
    async def update_advisor(request: Request, advisor_id: int) -> HTTPResponse:
        data = _body(request)
        advisor = request.ctx.db.get(Advisor, advisor_id)
        if advisor is None:
            return error(404, "no such advisor")
        if "role" in data:
            if data["role"] not in ROLES:
                return error(400, "unknown role")
            advisor.role = data["role"]
        if "active" in data:
            if advisor.id == request.ctx.advisor.id and not data["active"]:
                return error(400, "you cannot switch off your own account")
            advisor.active = bool(data["active"])
        if isinstance(data.get("password"), str):
            try:
                advisor.password_hash = auth.hash_password(data["password"])
            except auth.AccountError as exc:
                return error(400, str(exc))
        return response.json(advisor_view(advisor))

    # ---- live updates -----------------------------------------------------------------
    @app.get("/api/events")
    @endpoint()
    async def events(request: Request) -> HTTPResponse | None:
        db = request.ctx.db
        last_header = request.headers.get("last-event-id", "")
        last_id = int(last_header) if last_header.isdigit() else store.last_event_id(db)
        db.close()  # the stream opens a short session per look, never one for its whole life
        stream = await request.respond(
            content_type="text/event-stream; charset=utf-8",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        subscription = notifier_for(settings.helpdesk_broker_url, settings.helpdesk_poll_seconds).subscribe()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SSE_LIFETIME
        try:
            await stream.send(f"retry: 2000\nid: {last_id}\nevent: hello\ndata: {{}}\n\n")
            while loop.time() < deadline:
                with request.app.ctx.session_factory() as look:
                    fresh = store.events_after(look, last_id)
                for item in fresh:
                    last_id = item["id"]
                    await stream.send(f"id: {last_id}\nevent: change\ndata: {json.dumps(item)}\n\n")
                if not fresh:
                    await stream.send(": keep-alive\n\n")
                await subscription.wait(
                    SSE_SAFETY_POLL if settings.helpdesk_broker_url else settings.helpdesk_poll_seconds
                )
        except Exception:  # the browser went away
            logger.debug("SSE stream ended", exc_info=True)
        finally:
            await subscription.close()
        await stream.eof()
        return None

    return app


def main() -> None:
    """Run the console on the configured host and port (`python -m helpdesk.console`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    from helpdesk.database import engine_for, session_scope

    engine_for(settings.database_url)  # migrate before serving
    with session_scope(settings.database_url) as session:
        store.prune_events(session)  # the feed is for live updates; the log keeps the content
    app = create_app(settings)
    app.run(host=settings.host, port=settings.console_port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
