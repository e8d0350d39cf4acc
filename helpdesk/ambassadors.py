"""Learning ambassadors: their codes and links, the chats they start, and counts of how far those came.

A chat starts "from" an ambassador when the web chat page is opened with `?ref=CODE` (their link
or QR code) or when the first WhatsApp/SMS/Telegram message carries the code (their prefilled
click-to-chat message). The conversation is then recorded in `hd_referrals` (personal data:
erased on request, purged after the retention period) and each stage it reaches is added once
to `hd_referral_counts` (per ambassador and month, no conversation in it), which stays.
Unknown, forged and switched-off codes are ignored: the chat simply starts as any other.
"""

from __future__ import annotations

import io
import re
import secrets
from typing import Any, Dict, List, NamedTuple
from urllib.parse import quote, urlencode

import segno
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.counts import add_one, current_month, shown
from helpdesk.models import REFERRAL_STAGES, Ambassador, Referral, ReferralCount
from helpdesk.store import iso

# No 0/O, 1/I/L: a code is read off a flyer and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
# The code in a first message: "... code ABCD2345" (the prefilled WhatsApp text says it so).
CODE_IN_TEXT = re.compile(rf"\bcode[:\s]+([{CODE_ALPHABET}{CODE_ALPHABET.lower()}]{{{CODE_LENGTH}}})\b", re.I)
# The first message an ambassador's WhatsApp link fills in (the person may change it).
WHATSAPP_TEXT = "Hoi Leerwijzer! Ik kom via code {code}"
MAX_NAME, MAX_PLACE, MAX_CONTACT = 80, 120, 200
# Name and place of a forgotten ambassador (refused for a new one).
FORGOTTEN = "(verwijderd)"


class AmbassadorError(ValueError):
    """An ambassador that cannot be saved (its message says why)."""


class Welcome(NamedTuple):
    """Who a referred chat is greeted as coming from."""

    name: str
    place: str


def new_code() -> str:
    """A random code of CODE_LENGTH letters and digits that are hard to mix up."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(value: Any) -> str | None:
    """The code in canonical form, or None when it cannot be one (never raises)."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if CODE.fullmatch(code) else None


def code_in_text(text: str) -> str | None:
    """The ambassador code a first message carries ("... code ABCD2345"), or None."""
    found = CODE_IN_TEXT.search(text or "")
    return clean_code(found.group(1)) if found else None


def links(code: str, chat_page: str, whatsapp_number: str | None) -> Dict[str, str | None]:
    """The web link, the WhatsApp click-to-chat link and number (both None without a number)."""
    separator = "&" if "?" in chat_page else "?"
    web = f"{chat_page}{separator}{urlencode({'ref': code})}"
    digits = re.sub(r"\D", "", (whatsapp_number or "").removeprefix("whatsapp:"))
    if not digits:
        return {"web": web, "whatsapp": None, "whatsapp_number": None}
    whatsapp = f"https://wa.me/{digits}?text={quote(WHATSAPP_TEXT.format(code=code))}"
    return {"web": web, "whatsapp": whatsapp, "whatsapp_number": f"+{digits}"}


def qr_code(url: str, kind: str) -> bytes:
    """A printable QR code of `url` as PNG or SVG (segno: pure Python, no image library)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind=kind, scale=10 if kind == "png" else 8, border=4)
    return out.getvalue()


def _counts(session: Session, ambassador_id: int | None = None) -> Dict[int, Dict[str, int]]:
    """Chats counted per ambassador and stage, over all months (one ambassador's when given)."""
    query = select(ReferralCount.ambassador_id, ReferralCount.stage, func.sum(ReferralCount.count)).group_by(
        ReferralCount.ambassador_id, ReferralCount.stage
    )
    if ambassador_id is not None:
        query = query.where(ReferralCount.ambassador_id == ambassador_id)
    rows = session.execute(query).all()
    counts: Dict[int, Dict[str, int]] = {}
    for ambassador_id, stage, total in rows:
        counts.setdefault(ambassador_id, {})[stage] = int(total or 0)
    return counts


def ambassador_view(ambassador: Ambassador, counts: Dict[str, int] | None = None) -> Dict[str, Any]:
    """JSON view for coordinators: who, where, code, and the chats counted per stage (small ones hidden)."""
    counts = counts or {}
    return {
        "id": ambassador.id,
        "code": ambassador.code,
        "name": ambassador.name,
        "place": ambassador.place,
        "contact": ambassador.contact,
        "active": ambassador.active,
        "created_at": iso(ambassador.created_at),
        "counts": {stage: shown(counts.get(stage, 0)) for stage in REFERRAL_STAGES},
    }


def _view_with_counts(session: Session, ambassador: Ambassador) -> Dict[str, Any]:
    return ambassador_view(ambassador, _counts(session, ambassador.id).get(ambassador.id))


def find_ambassador(session: Session, ambassador_id: int) -> Dict[str, Any] | None:
    """One ambassador's view with their counts, or None."""
    ambassador = session.get(Ambassador, ambassador_id)
    return _view_with_counts(session, ambassador) if ambassador else None


def list_ambassadors(session: Session) -> List[Dict[str, Any]]:
    """Every ambassador with the chats counted for them, active ones first."""
    counts = _counts(session)
    rows = session.execute(select(Ambassador).order_by(Ambassador.active.desc(), Ambassador.name)).scalars()
    return [ambassador_view(a, counts.get(a.id)) for a in rows]


def create_ambassador(
    session: Session, name: str, place: str, contact: str, advisor_id: int
) -> Dict[str, Any]:
    """Register an ambassador with a new code."""
    if not name or not place:
        raise AmbassadorError("name and neighbourhood or employer are required")
    if FORGOTTEN in (name, place):
        raise AmbassadorError(f"{FORGOTTEN} marks a forgotten ambassador")
    if len(name) > MAX_NAME or len(place) > MAX_PLACE or len(contact) > MAX_CONTACT:
        raise AmbassadorError(f"at most {MAX_NAME} characters for a name, {MAX_PLACE} for a place")
    ambassador = Ambassador(
        code=new_code(), name=name, place=place, contact=contact or None, active=True, created_by=advisor_id
    )
    session.add(ambassador)
    session.flush()
    return ambassador_view(ambassador)


def set_active(session: Session, ambassador_id: int, active: bool) -> Dict[str, Any] | None:
    """Switch a code on or off; None when there is no such ambassador (a forgotten one stays off)."""
    ambassador = session.get(Ambassador, ambassador_id)
    if ambassador is None:
        return None
    if ambassador.name == FORGOTTEN:
        active = False
    ambassador.active = active
    session.flush()
    return _view_with_counts(session, ambassador)


def forget_ambassador(session: Session, ambassador_id: int) -> Dict[str, Any] | None:
    """Forget an ambassador who stops or asks for it; None when there is no such one.

    Name, place and contact go, the code is switched off for good, the counts stay (they hold no one).
    Copies in chats already held (the welcome line, the greeting's data) go with those chats:
    on request, and by the retention purge.
    """
    ambassador = session.get(Ambassador, ambassador_id)
    if ambassador is None:
        return None
    ambassador.name, ambassador.place, ambassador.contact = FORGOTTEN, FORGOTTEN, None
    ambassador.active = False
    session.flush()
    return _view_with_counts(session, ambassador)


def _count(session: Session, ambassador_id: int, stage: str) -> None:
    add_one(session, ReferralCount, ambassador_id=ambassador_id, month=current_month(), stage=stage)


def start_referral(session: Session, code: Any, sender_id: str, channel: str) -> Welcome | None:
    """Record that this conversation starts from an ambassador's code; their welcome, or None.

    None, and nothing recorded, for a code that is malformed, unknown or switched off, and for
    a conversation that already has a referral (it is counted once). The channels call it only
    for a conversation's first message (channels/referrals.py).
    """
    clean = clean_code(code)
    if clean is None:
        return None
    ambassador = session.execute(
        select(Ambassador).where(Ambassador.code == clean, Ambassador.active.is_(True))
    ).scalar_one_or_none()
    if ambassador is None or session.get(Referral, sender_id) is not None:
        return None
    try:
        with session.begin_nested():
            session.add(Referral(sender_id=sender_id, ambassador_id=ambassador.id, channel=channel or "?"))
    except IntegrityError:  # the same conversation, twice at once
        return None
    _count(session, ambassador.id, "started")
    return Welcome(ambassador.name, ambassador.place)


def welcome_of(session: Session, sender_id: str, code: Any) -> Welcome | None:
    """The welcome of a conversation already referred by this very code (nothing counted again)."""
    referral = session.get(Referral, sender_id)
    ambassador = session.get(Ambassador, referral.ambassador_id) if referral else None
    if ambassador is None or not ambassador.active or ambassador.code != clean_code(code):
        return None
    return Welcome(ambassador.name, ambassador.place)


def mark_stage(session: Session, sender_id: str, stage: str) -> bool:
    """Count a stage a referred conversation reached, once; False when not referred or counted."""
    if stage not in REFERRAL_STAGES:
        raise ValueError(f"stage must be one of {', '.join(REFERRAL_STAGES)}")
    referral = session.get(Referral, sender_id)
    if referral is None:
        return False
    reached = referral.stages.split(",")
    if stage in reached:
        return False
    referral.stages = ",".join([*reached, stage])
    _count(session, referral.ambassador_id, stage)
    return True
