"""The advisor console: a Sanic web app with a JSON API, server-sent events and one page.

Run it with `python -m helpdesk.console`. It keeps nothing in process memory: sessions,
login failures, ownership and the event feed live in the database, so any number of
instances can run behind a load balancer.

Database work never runs on the event loop: each request has one session, and every piece of
work on it runs in a worker thread as its own short transaction (`Db`). No transaction stays
open while the console waits for Rasa, so a slow Rasa cannot hold a database lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple, TypeVar

import yaml
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import auth, store
from helpdesk.broker import notifier_for
from helpdesk.database import session_factory
from helpdesk.models import (
    END_CLOSED,
    END_HANDED_BACK,
    END_RELEASED,
    END_TIMED_OUT,
    OUTCOMES,
    OWNER_WAITING,
    ROLES,
    Advisor,
    Conversation,
    utcnow,
)
from helpdesk.offers import offer_message
from helpdesk.openapi import openapi_spec
from helpdesk.privacy import purge_expired
from helpdesk.rasa_client import RasaClient, RasaError
from helpdesk.routes import ambassadors as ambassador_routes
from helpdesk.routes import insight as insight_routes
from helpdesk.routes import pinned_events as pinned_event_routes
from helpdesk.routes import replies as reply_routes
from helpdesk.routes import tasks as task_routes
from helpdesk.web import (
    COOKIE,
    Db,
    Who,
    endpoint,
    error,
    json_body,
    password_field,
    text_field,
    wake,
)
from leerwijzer.redact import install_log_redaction, mask_id
from leerwijzer.settings import Settings, get_settings
from offer_catalogue.search import SearchQuery, format_price, search_offers

logger = logging.getLogger(__name__)
T = TypeVar("T")

STATIC_DIR = Path(__file__).resolve().parent / "console_static"
STATIC_FILES = {
    "console.js": "application/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "flyer.css": "text/css; charset=utf-8",
    "insight.css": "text/css; charset=utf-8",
}
NOTICES_FILE = Path(__file__).resolve().parent / "data" / "notices.yml"
SSE_SAFETY_POLL = 10.0
SSE_LIFETIME = 300.0
PURGE_INTERVAL_SECONDS = 3600
# How often the console looks for chats that waited too long (the timeout is in minutes).
WAIT_CHECK_SECONDS = 30.0
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
NO_JWT_SECRET = (
    "The advisor console cannot start: RASA_JWT_SECRET is not set. The console signs its "
    "requests to Rasa's HTTP API with it, and Rasa must be started with the same secret "
    "(--jwt-secret). `make run` sets both; when you start the processes yourself, set "
    "RASA_JWT_SECRET to a long random value for both."
)


# Lines the console writes into a transcript for the advisors (the console is in Dutch).
SYSTEM_LINES = {
    "joined": "{name} neemt het gesprek over",
    END_HANDED_BACK: "{name} gaf het gesprek terug aan de bot",
    END_CLOSED: "{name} sloot het gesprek af: {outcome}",
    END_RELEASED: "{name} gaf het vastgelopen gesprek terug aan de bot",
    END_TIMED_OUT: "Geen adviseur vrij binnen {minutes} minuten: het gesprek ging terug naar de bot",
}
OUTCOME_LABELS = {
    "referred_to_offer": "doorverwezen naar aanbod",
    "appointment_made": "afspraak gemaakt",
    "advice_given": "advies gegeven",
    "no_response": "geen reactie",
}


class ConfigurationError(RuntimeError):
    """The console cannot run with these settings."""


@dataclass(frozen=True)
class ChatRef:
    """What the console needs to talk to Rasa about one conversation."""

    id: int
    sender_id: str
    language: str
    owner: str
    advisor_id: int | None


def _chat_ref(session: Session, conversation_id: int) -> ChatRef:
    """The conversation's Rasa id, language and owner; LookupError when it does not exist."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError("no such conversation")
    return ChatRef(
        id=conversation.id,
        sender_id=conversation.sender_id,
        language=conversation.language,
        owner=conversation.owner,
        advisor_id=conversation.advisor_id,
    )


def _owned_ref(session: Session, conversation_id: int, advisor_id: int) -> ChatRef:
    """Like _chat_ref, for the advisor who owns the chat; HelpdeskError for anyone else."""
    store.require_owner(session, conversation_id, advisor_id)
    return _chat_ref(session, conversation_id)


# ---- user notices ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_notices(path: Path = NOTICES_FILE) -> Dict[str, Any]:
    """The texts the helpdesk sends users (helpdesk/data/notices.yml)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def notice(kind: str, language: str | None, **fields: str) -> Tuple[str, List[Dict[str, str]]]:
    """Text and buttons of one notice in the conversation's language (Dutch unless English)."""
    entry = load_notices()[kind]
    lang = "en" if language == "en" else "nl"
    buttons = [{"title": b[lang], "payload": b["payload"]} for b in entry.get("buttons") or ()]
    return entry[lang].format(**fields), buttons


# ---- small helpers ---------------------------------------------------------------------


def client_address(request: Request) -> str:
    """The caller's address: the socket peer, or the proxy's header only when Sanic trusts it.

    Sanic reads forwarded headers only when configured (SANIC_PROXIES_COUNT or
    SANIC_REAL_IP_HEADER); otherwise a client cannot choose the address it is counted under.
    """
    return request.remote_addr or request.ip or "unknown"


def advisor_view(advisor: Advisor | Who) -> Dict[str, Any]:
    """JSON view of an advisor account."""
    return {
        "id": advisor.id,
        "username": advisor.username,
        "display_name": advisor.display_name,
        "role": advisor.role,
        "active": advisor.active,
    }


def _set_session_cookie(resp: HTTPResponse, token: str, settings: Settings) -> None:
    """Put the session token in an HttpOnly, SameSite=Strict (and Secure) cookie."""
    resp.cookies[COOKIE] = token
    cookie = resp.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = int(settings.session_hours * 3600)
    if settings.cookie_secure:
        cookie["secure"] = True


# ---- telling the user, giving chats back to the bot -------------------------------------


async def send_notice(app: Sanic, db: Db, ref: ChatRef, kind: str, **fields: str) -> bool:
    """Send a notice to the user and log it as a bot line; False (logged) when it failed.

    A lost notice does not undo the change it announces: the user's next message reaches
    whoever owns the chat now, and the console shows the advisor that it was not sent.
    """
    text, buttons = notice(kind, ref.language, **fields)
    try:
        await app.ctx.rasa.send_notice(ref.sender_id, text, buttons or None)
    except RasaError as exc:
        logger.warning("Notice %s to %s failed: %s", kind, mask_id(ref.sender_id), exc)
        return False

    def log(session: Session) -> None:
        conversation = session.get(Conversation, ref.id)
        if conversation is not None:
            store.log_message(session, conversation, "bot", text)

    await db(log, write=True)
    return True


async def give_back_to_bot(app: Sanic, db: Db, ref: ChatRef, end_kind: str, system_line: str) -> bool:
    """Resume the bot for a stuck chat (admin release or wait timeout), then tell the user.

    The tracker is resumed BEFORE ownership changes: if Rasa refuses (RasaError), the chat
    stays with the helpdesk, never "bot-owned but paused". False when the chat changed owner
    meanwhile (claimed, handed back): then nothing else happens; the resumed tracker does no
    harm, since the gate keeps messages of held chats away from Rasa.
    """
    await app.ctx.rasa.resume(ref.sender_id)

    def end(session: Session) -> bool:
        if not store.return_to_bot(session, ref.id, ref.owner, ref.advisor_id, end_kind):
            return False
        conversation = session.get(Conversation, ref.id)
        store.log_message(session, conversation, "system", system_line)
        return True

    if not await db(end, write=True):
        return False
    await wake(app.ctx.settings)
    await send_notice(app, db, ref, end_kind)
    await wake(app.ctx.settings)
    return True


async def return_overdue_chats(app: Sanic) -> int:
    """Give every chat that waited longer than the timeout back to the bot; return how many."""
    settings: Settings = app.ctx.settings
    minutes = settings.handoff_wait_timeout_minutes
    if minutes <= 0:  # 0 switches the timeout off
        return 0
    db = Db(app.ctx.session_factory)
    returned = 0
    try:
        overdue = await db(store.overdue_waiting, utcnow() - dt.timedelta(minutes=minutes))
        for item in overdue:
            ref = ChatRef(item["id"], item["sender_id"], item["language"], OWNER_WAITING, None)
            line = SYSTEM_LINES[END_TIMED_OUT].format(minutes=minutes)
            try:
                if await give_back_to_bot(app, db, ref, END_TIMED_OUT, line):
                    returned += 1
                    logger.info(
                        "Chat %s waited over %s minutes; back to the bot.", mask_id(ref.sender_id), minutes
                    )
            except RasaError as exc:
                logger.warning(
                    "Wait timeout of %s: Rasa refused the resume (%s); trying again later.",
                    mask_id(ref.sender_id),
                    exc,
                )
    finally:
        await db.close()
    return returned


# ---- the app ---------------------------------------------------------------------------


def create_app(settings: Settings | None = None, name: str = "leerwijzer_console") -> Sanic:
    """Build the console app for the given settings (ConfigurationError without a JWT secret)."""
    settings = settings or get_settings()
    if not settings.rasa_jwt_secret:
        raise ConfigurationError(NO_JWT_SECRET)
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.RESPONSE_TIMEOUT = SSE_LIFETIME + 60
    app.ctx.settings = settings
    app.ctx.session_factory = session_factory(settings.database_url)
    app.ctx.rasa = RasaClient(settings.rasa_url, settings.rasa_jwt_secret)

    @app.middleware("response")
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        for key, value in SECURITY_HEADERS.items():
            if resp is not None and key not in resp.headers:
                resp.headers[key] = value

    async def purge_every_hour(app: Sanic) -> None:
        # Retention must hold while the helpdesk runs for weeks, not only at start-up.
        while True:
            try:
                report = await asyncio.to_thread(purge_expired, settings)
                logger.info("Retention purge: %s", report.deleted)
            except Exception:
                logger.exception("Retention purge failed; trying again in an hour.")
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    async def watch_waiting_chats(app: Sanic) -> None:
        # Nobody may wait for ever: a chat past the timeout goes back to the bot.
        while True:
            try:
                await return_overdue_chats(app)
            except Exception:
                logger.exception("Looking for chats that waited too long failed; trying again.")
            await asyncio.sleep(WAIT_CHECK_SECONDS)

    @app.listener("after_server_start")
    async def start_background(app: Sanic, _loop: object) -> None:
        loop = asyncio.get_running_loop()
        app.ctx.background = [
            loop.create_task(purge_every_hour(app)),
            loop.create_task(watch_waiting_chats(app)),
        ]

    @app.listener("before_server_stop")
    async def stop_background(app: Sanic, _loop: object) -> None:
        for task in app.ctx.background:
            task.cancel()
        for task in app.ctx.background:
            with contextlib.suppress(asyncio.CancelledError):
                await task

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
    def login_limits(username: str, address: str) -> Tuple[str, Dict[str, int]]:
        # Per account AND address: a few tries. Per address: more, since an office may share
        # one address. Nothing per account alone: strangers could lock an advisor out with it.
        pair_key, address_key = auth.login_keys(username, address)
        return pair_key, {pair_key: settings.login_max_failures, address_key: settings.login_max_failures * 4}

    @app.post("/api/login")
    @endpoint(login=False)
    async def login(request: Request) -> HTTPResponse:
        data = json_body(request)
        username = text_field(data, "username", 80).lower()
        password = password_field(data, "password")
        db = request.ctx.db
        pair_key, limits = login_limits(username, client_address(request))
        ticket = await db(auth.begin_login, username, limits, settings.login_window_minutes, write=True)
        if ticket is None:
            return error(429, "too many failed logins; try again later")
        valid = await asyncio.to_thread(auth.verify_password, password, ticket.password_hash)
        if not valid or not ticket.active:
            return error(401, "wrong username or password")  # the reserved failure stays counted

        def complete(session: Session) -> Tuple[Dict[str, Any], str, str] | None:
            started = auth.complete_login(session, ticket, pair_key, settings.session_hours)
            if started is None:
                return None
            advisor, token, csrf = started
            return advisor_view(advisor), token, csrf

        started = await db(complete, write=True)
        if started is None:
            return error(401, "wrong username or password")
        view, token, csrf = started
        resp = response.json({"advisor": view, "csrf_token": csrf})
        _set_session_cookie(resp, token, settings)
        return resp

    @app.post("/api/logout")
    @endpoint()
    async def logout(request: Request) -> HTTPResponse:
        await request.ctx.db(auth.end_session, request.cookies.get(COOKIE), write=True)
        resp = response.json({"ok": True})
        del resp.cookies[COOKIE]
        return resp

    @app.get("/api/me")
    @endpoint()
    async def me(request: Request) -> HTTPResponse:
        return response.json(
            {
                "advisor": advisor_view(request.ctx.advisor),
                "csrf_token": request.ctx.advisor.csrf_token,
                "office_open": settings.is_open(),
                "office_hours": settings.office_hours,
                # The console shows clock times in the helpdesk's zone, wherever the browser is.
                "timezone": settings.timezone,
            }
        )

    @app.post("/api/me/password")
    @endpoint()
    async def change_own_password(request: Request) -> HTTPResponse:
        data = json_body(request)
        who: Who = request.ctx.advisor
        new_password = password_field(data, "new_password")
        try:
            auth.check_password_rules(new_password)
        except auth.AccountError as exc:
            return error(400, str(exc))
        db = request.ctx.db
        # A wrong current password counts as a failed login: a stolen session cookie must not
        # become a way to guess the password.
        pair_key, limits = login_limits(who.username, client_address(request))
        ticket = await db(auth.begin_login, who.username, limits, settings.login_window_minutes, write=True)
        if ticket is None:
            return error(429, "too many failed logins; try again later")
        current = password_field(data, "current_password")
        if not await asyncio.to_thread(auth.verify_password, current, ticket.password_hash):
            return error(403, "the current password is wrong")
        new_hash = await asyncio.to_thread(auth.hash_password, new_password)

        def change(session: Session) -> Tuple[str, str] | None:
            advisor = session.get(Advisor, who.id)
            if advisor is None or advisor.password_hash != ticket.password_hash:
                return None  # changed meanwhile
            auth.forget_attempts(session, ticket, pair_key)
            auth.set_password(session, who.id, new_hash)  # ends every session, this one too
            return auth.start_session(session, advisor, settings.session_hours)

        started = await db(change, write=True)
        if started is None:
            return error(409, "the password was changed meanwhile; log in again")
        token, csrf = started
        resp = response.json({"advisor": advisor_view(who), "csrf_token": csrf})
        _set_session_cookie(resp, token, settings)
        return resp

    # ---- queue and conversations ----------------------------------------------------
    @app.get("/api/queue")
    @endpoint()
    async def get_queue(request: Request) -> HTTPResponse:
        view = await request.ctx.db(store.queue, settings.handoff_wait_warning_minutes)
        view["wait_warning_minutes"] = settings.handoff_wait_warning_minutes
        view["wait_timeout_minutes"] = settings.handoff_wait_timeout_minutes
        return response.json(view)

    @app.get("/api/conversations/<conversation_id:int>")
    @endpoint()
    async def get_conversation(request: Request, conversation_id: int) -> HTTPResponse:
        who: Who = request.ctx.advisor

        def read(session: Session) -> Dict[str, Any] | None:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return None
            view = store.case_view(session, conversation)
            view["transcript"] = store.transcript(session, conversation_id)
            view["notes"] = store.notes(session, conversation_id)
            view["mine"] = conversation.advisor_id == who.id
            return view

        view = await request.ctx.db(read)
        return error(404, "no such conversation") if view is None else response.json(view)

    @app.post("/api/conversations/<conversation_id:int>/claim")
    @endpoint()
    async def claim(request: Request, conversation_id: int) -> HTTPResponse:
        db = request.ctx.db
        who: Who = request.ctx.advisor

        def take(session: Session) -> Tuple[str, Dict[str, Any] | None]:
            if session.get(Conversation, conversation_id) is None:
                return "missing", None
            if not store.claim(session, conversation_id, who.id):
                return "taken", None
            conversation = session.get(Conversation, conversation_id)
            line = SYSTEM_LINES["joined"].format(name=who.display_name)
            store.log_message(session, conversation, "system", line)
            return "ok", store.case_view(session, conversation)

        outcome, view = await db(take, write=True)
        if outcome == "missing":
            return error(404, "no such conversation")
        if outcome == "taken" or view is None:
            return error(409, "someone else has this conversation, or it is not waiting")
        await wake(settings)
        ref = ChatRef(conversation_id, view["sender_id"], view["language"], view["owner"], who.id)
        view["notice_sent"] = await send_notice(request.app, db, ref, "claimed", name=who.display_name)
        await wake(settings)
        return response.json(view)

    async def deliver(request: Request, conversation_id: int, text: str) -> HTTPResponse:
        db = request.ctx.db
        who: Who = request.ctx.advisor
        try:
            ref = await db(_owned_ref, conversation_id, who.id)
        except LookupError:
            return error(404, "no such conversation")
        except store.HelpdeskError as exc:
            return error(409, str(exc))
        try:
            await request.app.ctx.rasa.send_message(ref.sender_id, text, who.display_name)
        except RasaError as exc:
            logger.warning("Delivery to %s failed: %s", mask_id(ref.sender_id), exc)
            return error(502, "the message could not be delivered; try again")

        def log(session: Session) -> int:
            conversation = session.get(Conversation, conversation_id)
            return store.log_message(session, conversation, "advisor", text, advisor_id=who.id).id

        message_id = await db(log, write=True)
        await wake(settings)
        return response.json({"id": message_id, "text": text}, status=201)

    @app.post("/api/conversations/<conversation_id:int>/messages")
    @endpoint()
    async def send_message(request: Request, conversation_id: int) -> HTTPResponse:
        text = text_field(json_body(request), "text")
        if not text:
            return error(400, "text is required")
        return await deliver(request, conversation_id, text)

    @app.post("/api/conversations/<conversation_id:int>/offers")
    @endpoint()
    async def send_offer(request: Request, conversation_id: int) -> HTTPResponse:
        offer_id = json_body(request).get("offer_id")

        def describe(session: Session) -> Tuple[bool, str | None]:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return False, None
            if not isinstance(offer_id, int) or isinstance(offer_id, bool):
                return True, None
            return True, offer_message(session, offer_id, conversation.language)

        found, text = await request.ctx.db(describe)
        if not found:
            return error(404, "no such conversation")
        if text is None:
            return error(400, "unknown offer_id")
        return await deliver(request, conversation_id, text)

    @app.post("/api/conversations/<conversation_id:int>/notes")
    @endpoint()
    async def add_note(request: Request, conversation_id: int) -> HTTPResponse:
        text = text_field(json_body(request), "text")
        if not text:
            return error(400, "text is required")

        def add(session: Session) -> Dict[str, Any]:
            note = store.add_note(session, conversation_id, request.ctx.advisor.id, text)
            return {"id": note.id, "text": note.text}

        try:
            view = await request.ctx.db(add, write=True)
        except LookupError:
            return error(404, "no such conversation")
        await wake(settings)
        return response.json(view, status=201)

    @app.post("/api/conversations/<conversation_id:int>/handback")
    @endpoint()
    async def hand_back(request: Request, conversation_id: int) -> HTTPResponse:
        return await finish(request, conversation_id, END_HANDED_BACK, None)

    @app.post("/api/conversations/<conversation_id:int>/close")
    @endpoint()
    async def close(request: Request, conversation_id: int) -> HTTPResponse:
        outcome = text_field(json_body(request), "outcome", 40)
        if outcome not in OUTCOMES:
            return error(400, f"outcome must be one of {', '.join(OUTCOMES)}")
        return await finish(request, conversation_id, END_CLOSED, outcome)

    async def finish(request: Request, conversation_id: int, kind: str, outcome: str | None) -> HTTPResponse:
        db = request.ctx.db
        who: Who = request.ctx.advisor
        try:
            ref = await db(_owned_ref, conversation_id, who.id)
        except LookupError:
            return error(404, "no such conversation")
        except store.HelpdeskError as exc:
            return error(409, str(exc))
        rasa: RasaClient = request.app.ctx.rasa
        closing: Tuple[str, List[Dict[str, str]]] | None = None
        if kind == END_CLOSED:  # the goodbye comes before the bot can say anything
            closing = notice("closed", ref.language, name=who.display_name)
            try:
                await rasa.send_notice(ref.sender_id, closing[0], closing[1] or None)
            except RasaError as exc:
                logger.warning("Closing notice to %s failed: %s", mask_id(ref.sender_id), exc)
                closing = None
        # Resume first: if Rasa refuses, the advisor keeps the chat (never "bot" but paused).
        try:
            await rasa.resume(ref.sender_id)
        except RasaError as exc:
            logger.warning("Resume of %s failed: %s", mask_id(ref.sender_id), exc)
            return error(502, "Rasa did not accept the hand back; try again")
        line = SYSTEM_LINES[kind].format(name=who.display_name, outcome=OUTCOME_LABELS.get(outcome or "", ""))

        def end(session: Session) -> Dict[str, Any]:
            conversation = store.end_case(session, conversation_id, who.id, kind, outcome)
            if closing is not None:
                store.log_message(session, conversation, "bot", closing[0])
            store.log_message(session, conversation, "system", line)
            return store.case_view(session, conversation)

        try:
            view = await db(end, write=True)
        except store.HelpdeskError as exc:
            return error(409, str(exc))
        await wake(settings)
        if kind == END_HANDED_BACK:
            try:  # the bot says itself that it is back (utter_handed_back)
                await rasa.trigger_intent(ref.sender_id, "handed_back")
            except RasaError as exc:  # the bot still answers the next message
                logger.warning("handed_back intent for %s failed: %s", mask_id(ref.sender_id), exc)
        else:
            view["notice_sent"] = closing is not None
        return response.json(view)

    @app.post("/api/conversations/<conversation_id:int>/release")
    @endpoint(admin=True)
    async def release(request: Request, conversation_id: int) -> HTTPResponse:
        db = request.ctx.db
        who: Who = request.ctx.advisor
        try:
            ref = await db(_chat_ref, conversation_id)
        except LookupError:
            return error(404, "no such conversation")
        if ref.owner not in store.HELD_OWNERS:
            return error(409, "only a waiting chat or one an advisor has can be released")
        try:
            released = await give_back_to_bot(
                request.app, db, ref, END_RELEASED, SYSTEM_LINES[END_RELEASED].format(name=who.display_name)
            )
        except RasaError as exc:
            logger.warning("Release of %s: Rasa refused the resume: %s", mask_id(ref.sender_id), exc)
            return error(502, "Rasa did not accept the release; try again")
        if not released:
            return error(409, "the conversation changed owner meanwhile; look again")

        def read(session: Session) -> Dict[str, Any]:
            return store.case_view(session, session.get(Conversation, conversation_id))

        return response.json(await db(read))

    # ---- catalogue, tasks -------------------------------------------------------------
    @app.get("/api/offers")
    @endpoint()
    async def find_offers(request: Request) -> HTTPResponse:
        query = SearchQuery(
            text=(request.args.get("q") or "")[:200],
            municipality=(request.args.get("municipality") or None),
            language="en" if request.args.get("language") == "en" else "nl",
        )

        def find(session: Session) -> List[Dict[str, Any]]:
            return [
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
                for r in search_offers(session, query, limit=10)
            ]

        return response.json({"offers": await request.ctx.db(find)})

    app.blueprint(task_routes.blueprint())
    app.blueprint(reply_routes.blueprint())
    app.blueprint(ambassador_routes.blueprint())
    app.blueprint(pinned_event_routes.blueprint())
    app.blueprint(insight_routes.blueprint())

    # ---- advisors (admins only) -----------------------------------------------------
    @app.get("/api/advisors")
    @endpoint(admin=True)
    async def list_advisors(request: Request) -> HTTPResponse:
        def read(session: Session) -> List[Dict[str, Any]]:
            rows = session.execute(select(Advisor).order_by(Advisor.username)).scalars()
            return [advisor_view(a) for a in rows]

        return response.json({"advisors": await request.ctx.db(read)})

    @app.post("/api/advisors")
    @endpoint(admin=True)
    async def add_advisor(request: Request) -> HTTPResponse:
        data = json_body(request)
        password = password_field(data, "password")
        try:
            password_hash = await asyncio.to_thread(auth.hash_password, password)
        except auth.AccountError as exc:
            return error(400, str(exc))

        def create(session: Session) -> Dict[str, Any]:
            advisor = auth.create_advisor(
                session,
                text_field(data, "username", 80),
                text_field(data, "display_name", 120),
                password,
                text_field(data, "role", 20) or "advisor",
                password_hash=password_hash,
            )
            return advisor_view(advisor)

        try:
            view = await request.ctx.db(create, write=True)
        except auth.AccountError as exc:
            return error(400, str(exc))
        return response.json(view, status=201)

    @app.post("/api/advisors/<advisor_id:int>")
    @endpoint(admin=True)
    async def update_advisor(request: Request, advisor_id: int) -> HTTPResponse:
        data = json_body(request)
        if "role" in data and data["role"] not in ROLES:
            return error(400, "unknown role")
        if "active" in data and advisor_id == request.ctx.advisor.id and not data["active"]:
            return error(400, "you cannot switch off your own account")
        new_hash = None
        if isinstance(data.get("password"), str):
            try:
                new_hash = await asyncio.to_thread(auth.hash_password, data["password"])
            except auth.AccountError as exc:
                return error(400, str(exc))

        def apply(session: Session) -> Dict[str, Any] | None:
            advisor = session.get(Advisor, advisor_id)
            if advisor is None:
                return None
            if "role" in data:
                advisor.role = data["role"]
            if "active" in data:
                advisor.active = bool(data["active"])
                if not advisor.active:
                    auth.end_all_sessions(session, advisor_id)
            if new_hash is not None:
                auth.set_password(session, advisor_id, new_hash)  # logs the advisor out everywhere
            session.flush()
            return advisor_view(advisor)

        view = await request.ctx.db(apply, write=True)
        return error(404, "no such advisor") if view is None else response.json(view)

    # ---- live updates -----------------------------------------------------------------
    @app.get("/api/events")
    @endpoint()
    async def events(request: Request) -> HTTPResponse | None:
        db = request.ctx.db
        last_header = request.headers.get("last-event-id", "")
        last_id = int(last_header) if last_header.isdigit() else await db(store.last_event_id)
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
                fresh = await db(store.events_after, last_id)  # a short transaction per look
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
    install_log_redaction()  # first: no secret or phone number may reach a log line
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    if not settings.rasa_jwt_secret:
        print(NO_JWT_SECRET, file=sys.stderr)
        raise SystemExit(2)
    from helpdesk.database import engine_for, session_scope

    engine_for(settings.database_url)  # migrate before serving
    with session_scope(settings.database_url) as session:
        store.prune_events(session)  # the feed is for live updates; the log keeps the content
    app = create_app(settings)
    app.run(host=settings.host, port=settings.console_port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
