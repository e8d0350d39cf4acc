"""What every console route shares: the request's database session, the login and role check.

A route is a plain Sanic handler wrapped in `endpoint(...)`: it gets one `Db` per request (work
runs in worker threads, never on the event loop), the logged-in advisor as `request.ctx.advisor`
and the CSRF and same-origin checks for every write. Route modules (helpdesk/routes/) and the
console app use these, so a new resource needs no edit of the app itself.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Tuple, TypeVar
from urllib.parse import urlparse

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session, sessionmaker

from helpdesk import auth
from helpdesk.broker import notifier_for
from leerwijzer.settings import Settings

T = TypeVar("T")
COOKIE = "lw_console"
MAX_TEXT = 2000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NOT_FOR_YOUR_ROLE = (
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Leerwijzer</title></head>'
    '<body><main><h1>Deze pagina is voor coördinatoren</h1><p><a href="/">Terug naar de console</a></p>'
    "</main></body></html>"
)


class Db:
    """One database session for one request (or one background round), used from worker threads.

    `await db(work, *args)` runs `work(session, *args)` in a thread and commits, so each call
    is one short transaction and no connection is held between calls. `write=True` takes
    SQLite's write lock at the start (BEGIN IMMEDIATE, see offer_catalogue.database): a transaction
    that reads and then writes would otherwise fail at once with "database is locked" when
    another connection wrote in between. Work returns plain values, not ORM objects, so the
    event loop never triggers a lazy load.
    """

    def __init__(self, factory: sessionmaker) -> None:
        self._factory = factory
        self._session: Session | None = None
        # A cancelled request (the browser went away) stops waiting for its thread, but the
        # thread goes on; the lock keeps `close` from touching the session meanwhile.
        self._lock = threading.Lock()

    async def __call__(self, work: Callable[..., T], *args: Any, write: bool = False) -> T:
        """Run `work(session, *args)` in a worker thread as one transaction."""
        return await asyncio.to_thread(self._run, work, args, write)

    def _run(self, work: Callable[..., T], args: Tuple[Any, ...], write: bool) -> T:
        """In a worker thread: one transaction around `work`, rolled back when it raises."""
        with self._lock:
            if self._session is None:
                self._session = self._factory()
            session = self._session
            try:
                if write:
                    session.connection(execution_options={"sqlite_begin": "immediate"})
                result = work(session, *args)
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise

    def _close(self) -> None:
        """In a worker thread: close the session once no work runs on it."""
        with self._lock:
            if self._session is not None:
                session, self._session = self._session, None
                session.close()

    async def close(self) -> None:
        """Close the session, in a thread: it may wait for work still running in another one."""
        if self._session is not None:
            await asyncio.to_thread(self._close)


@dataclass(frozen=True)
class Who:
    """The logged-in advisor of a request, as plain values."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    csrf_token: str


def who_is(session: Session, token: str | None) -> Who | None:
    """The advisor logged in with this cookie token, or None."""
    found = auth.session_for(session, token)
    if found is None:
        return None
    advisor, console_session = found
    return Who(
        id=advisor.id,
        username=advisor.username,
        display_name=advisor.display_name,
        role=advisor.role,
        active=advisor.active,
        csrf_token=console_session.csrf_token,
    )


def error(status: int, message: str) -> HTTPResponse:
    """A JSON error body."""
    return response.json({"error": message}, status=status)


def _same_origin(request: Request) -> bool:
    """Refuse unsafe requests whose Origin (when sent) is another site."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    return urlparse(origin).netloc == request.headers.get("host", "")


def json_body(request: Request) -> Dict[str, Any]:
    """The JSON object of the request body ({} for anything else)."""
    try:
        data = request.json
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


def text_field(data: Dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    """A trimmed, bounded string field ("" when missing or not a string)."""
    value = data.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def password_field(data: Dict[str, Any], key: str) -> str:
    """A password field as given (never trimmed: spaces may be part of it)."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


async def wake(settings: Settings) -> None:
    """Tell every console instance to look at the event feed."""
    await notifier_for(settings.helpdesk_broker_url, settings.helpdesk_poll_seconds).publish()


def endpoint(
    login: bool = True,
    admin: bool = False,
    csrf: bool | None = None,
    roles: Tuple[str, ...] | None = None,
    page: bool = False,
) -> Callable[[Callable[..., Awaitable[HTTPResponse]]], Callable[..., Awaitable[HTTPResponse]]]:
    """Wrap a handler: one `Db` per request, login, role and CSRF checks, session closed at the end.

    `admin=True` lets only admins in; `roles` names the roles that may (e.g. admins and coordinators).
    `page=True` for a page a person opens: not logged in goes to the console's login, a wrong
    role gets a short page instead of JSON.
    """
    allowed = ("admin",) if admin else roles

    def decorate(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
        @functools.wraps(handler)
        async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            db = Db(request.app.ctx.session_factory)
            request.ctx.db = db
            try:
                if request.method not in SAFE_METHODS and not _same_origin(request):
                    return error(403, "cross-site request refused")
                if login:
                    who = await db(who_is, request.cookies.get(COOKIE))
                    if who is None:
                        return response.redirect("/") if page else error(401, "login required")
                    request.ctx.advisor = who
                    if allowed is not None and who.role not in allowed:
                        if page:
                            return response.html(NOT_FOR_YOUR_ROLE, status=403)
                        return error(403, "admins only" if admin else f"only for: {', '.join(allowed)}")
                    needs_csrf = csrf if csrf is not None else request.method not in ("GET", "HEAD")
                    given = request.headers.get("x-csrf-token")
                    if needs_csrf and not auth.csrf_matches(who.csrf_token, given):
                        return error(403, "missing or wrong CSRF token")
                return await handler(request, *args, **kwargs)
            finally:
                await db.close()

        wrapped.login_required = login  # type: ignore[attr-defined]
        return wrapped

    return decorate
