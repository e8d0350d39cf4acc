"""Advisor accounts, bcrypt password hashes, database-backed sessions and login throttling.

Every function takes a SQLAlchemy session and does blocking work; the console calls them
in worker threads, never on its event loop. Password hashing and checking (bcrypt) are kept
out of database transactions, since they take a quarter of a second on purpose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Dict, Iterable, Tuple

import bcrypt
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from helpdesk.models import ROLES, Advisor, ConsoleSession, LoginAttempt, utcnow

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; longer passwords are refused, not cut


class AccountError(ValueError):
    """An account request that cannot be carried out (weak password, taken name, ...)."""


BCRYPT_ROUNDS = 12


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    """Hash a password with bcrypt (random salt; cost 12 unless a test asks for less)."""
    check_password_rules(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or too long for bcrypt."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccountError(f"password must be at most {MAX_PASSWORD_BYTES} bytes")


# A real hash to compare against when the user does not exist (same time either way).
_DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds=BCRYPT_ROUNDS))


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password against a bcrypt hash in constant time."""
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        return False
    if not password_hash:
        bcrypt.checkpw(raw, _DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(raw, password_hash.encode("ascii"))
    except ValueError:
        return False


def create_advisor(
    session: Session,
    username: str,
    display_name: str,
    password: str,
    role: str = "advisor",
    rounds: int = BCRYPT_ROUNDS,
    password_hash: str | None = None,
) -> Advisor:
    """Create an advisor or admin account.

    `password_hash` (from hash_password) lets a caller hash outside its database transaction.
    """
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError("username must have 1 to 80 characters")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if session.execute(select(Advisor.id).where(Advisor.username == username)).first():
        raise AccountError("username is taken")
    advisor = Advisor(
        username=username,
        display_name=(display_name or username).strip()[:120],
        password_hash=password_hash or hash_password(password, rounds),
        role=role,
        active=True,
    )
    session.add(advisor)
    session.flush()
    return advisor


def _token_hash(token: str) -> str:
    """What the database keeps of a session token: its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, advisor: Advisor, hours: float) -> Tuple[str, str]:
    """Create a console session; return (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_token_hash(token),
            advisor_id=advisor.id,
            csrf_token=csrf,
            expires_at=utcnow() + dt.timedelta(hours=hours),
        )
    )
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < utcnow()))
    return token, csrf


def session_for(session: Session, token: str | None) -> Tuple[Advisor, ConsoleSession] | None:
    """The active advisor and session for a cookie token, or None."""
    if not token or len(token) > 200:
        return None
    row = session.get(ConsoleSession, _token_hash(token))
    if row is None or row.expires_at < utcnow():
        return None
    advisor = session.get(Advisor, row.advisor_id)
    if advisor is None or not advisor.active:
        return None
    return advisor, row


def end_session(session: Session, token: str | None) -> None:
    """Log out: forget the session."""
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Compare CSRF tokens in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


@dataclass(frozen=True)
class LoginTicket:
    """A login attempt that passed the limits: its reserved failure rows and the account found."""

    attempt_ids: Tuple[int, ...]
    advisor_id: int | None
    password_hash: str | None
    active: bool


def login_keys(username: str, address: str) -> Tuple[str, str]:
    """The failure counters a login touches: this account from this address, and this address.

    There is deliberately no counter per account alone: an outsider could fill it with wrong
    passwords and so lock a real advisor out from everywhere.
    """
    return f"account:{username}@{address}"[:200], f"address:{address}"[:200]


def _lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Serialise the count-and-reserve of one key across connections.

    SQLite: the caller's unit already holds the write lock (BEGIN IMMEDIATE). PostgreSQL:
    a transaction-scoped advisory lock per key, taken in a fixed order (no deadlocks).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def begin_login(
    session: Session, username: str, limits: Dict[str, int], window_minutes: int
) -> LoginTicket | None:
    """Reserve one failure per key, or None when a key already reached its limit in the window.

    Counting and reserving happen in one write transaction, so parallel attempts can never
    exceed the limit and each of them is counted. A successful login gives the reservation back.
    """
    _lock_keys(session, limits)
    if any(failure_count(session, key, window_minutes) >= limit for key, limit in limits.items()):
        return None
    attempts = [LoginAttempt(key=key) for key in limits]
    session.add_all(attempts)
    session.flush()
    row = session.execute(
        select(Advisor.id, Advisor.password_hash, Advisor.active).where(Advisor.username == username)
    ).first()
    return LoginTicket(
        attempt_ids=tuple(a.id for a in attempts),
        advisor_id=row.id if row else None,
        password_hash=row.password_hash if row else None,
        active=bool(row.active) if row else False,
    )


def complete_login(
    session: Session, ticket: LoginTicket, clear_key: str, hours: float
) -> Tuple[Advisor, str, str] | None:
    """After a right password: give the reservation back, forget this pair's failures, start a session.

    None when the account changed meanwhile (switched off, or a new password was set while the
    old one was being checked): the old password must not open a session after a change.
    """
    advisor = session.get(Advisor, ticket.advisor_id) if ticket.advisor_id is not None else None
    if advisor is None or not advisor.active or advisor.password_hash != ticket.password_hash:
        return None
    forget_attempts(session, ticket, clear_key)
    token, csrf = start_session(session, advisor, hours)
    return advisor, token, csrf


def forget_attempts(session: Session, ticket: LoginTicket, clear_key: str) -> None:
    """The right password was given: drop this attempt's reservation and the pair's old failures.

    The address's earlier failures stay: logging in to one's own account must not reset the
    count of an address that is guessing other accounts' passwords.
    """
    session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(ticket.attempt_ids)))
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == clear_key))


def failure_count(session: Session, key: str, window_minutes: int) -> int:
    """Failed logins counted for one key within the window."""
    since = utcnow() - dt.timedelta(minutes=window_minutes)
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.key == key, LoginAttempt.attempted_at >= since
    )
    return int(session.execute(query).scalar_one())


def end_all_sessions(session: Session, advisor_id: int) -> int:
    """Log an advisor out everywhere (after a password change); return how many sessions ended."""
    return int(
        session.execute(delete(ConsoleSession).where(ConsoleSession.advisor_id == advisor_id)).rowcount or 0
    )


def set_password(session: Session, advisor_id: int, password_hash: str) -> bool:
    """Store a new password hash and end every session of the advisor; False for an unknown id."""
    advisor = session.get(Advisor, advisor_id)
    if advisor is None:
        return False
    advisor.password_hash = password_hash
    end_all_sessions(session, advisor_id)
    return True
