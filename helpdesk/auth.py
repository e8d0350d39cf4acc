"""Advisor accounts, bcrypt password hashes, database-backed sessions and login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Dict, Tuple

import bcrypt
from sqlalchemy import delete, func, select
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
) -> Advisor:
    """Create an advisor or admin account."""
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
        password_hash=hash_password(password, rounds),
        role=role,
        active=True,
    )
    session.add(advisor)
    session.flush()
    return advisor


def _token_hash(token: str) -> str:
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


def too_many_failures(session: Session, limits: Dict[str, int], window_minutes: int) -> bool:
    """True when any key (username, client address) reached its failure limit within the window."""
    since = utcnow() - dt.timedelta(minutes=window_minutes)
    for key, limit in limits.items():
        count = session.execute(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.key == key, LoginAttempt.attempted_at >= since
            )
        ).scalar_one()
        if count >= limit:
            return True
    return False


def record_failure(session: Session, keys: Tuple[str, ...]) -> None:
    """Remember a failed login for each key."""
    for key in keys:
        session.add(LoginAttempt(key=key[:200]))


def clear_failures(session: Session, keys: Tuple[str, ...]) -> None:
    """Forget failures after a successful login."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(list(keys))))
