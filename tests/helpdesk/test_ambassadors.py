"""Learning ambassadors: codes, one count per stage per chat, and counts that outlive the chats."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from helpdesk import ambassadors
from helpdesk.database import session_scope
from helpdesk.models import REFERRAL_STAGES, Referral, ReferralCount
from helpdesk.privacy import erase_conversation, purge_expired
from leerwijzer.settings import Settings


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        tracker_store_db=str(tmp_path / "tracker.db"),
        retention_days=30,
    )


def new(settings: Settings, name: str = "Fatima", place: str = "buurthuis De Kastanje") -> dict:
    with session_scope(settings.database_url) as session:
        return ambassadors.create_ambassador(session, name, place, "fatima@example.org", None)


def totals(settings: Settings) -> dict:
    """The exact counts per stage (the console shows 1 to 4 as "<5")."""
    with session_scope(settings.database_url) as session:
        counted = {stage: 0 for stage in REFERRAL_STAGES}
        for row in session.execute(select(ReferralCount)).scalars():
            counted[row.stage] += row.count
        return {"Fatima": counted}


def test_codes_are_readable_and_links_carry_them():
    code = ambassadors.new_code()
    assert len(code) == 8 and not set(code) & set("01OIL")
    assert ambassadors.clean_code(f"  {code.lower()} ") == code
    assert ambassadors.clean_code("ABC") is None and ambassadors.clean_code(None) is None
    assert ambassadors.code_in_text(f"Hoi! Ik kom via code {code}") == code
    links = ambassadors.links(code, "https://bieb.example/chat", "whatsapp:+31 970 1234")
    assert links["web"] == f"https://bieb.example/chat?ref={code}"
    assert links["whatsapp"].startswith("https://wa.me/319701234?text=Hoi%20Leerwijzer")
    assert links["whatsapp"].endswith(code) and links["whatsapp_number"] == "+319701234"
    assert ambassadors.links(code, "https://bieb.example/chat?lang=en", None) == {
        "web": f"https://bieb.example/chat?lang=en&ref={code}",
        "whatsapp": None,
        "whatsapp_number": None,
    }


def test_qr_codes_are_png_and_svg_of_the_link():
    png = ambassadors.qr_code("https://bieb.example/chat?ref=ABCDEFGH", "png")
    svg = ambassadors.qr_code("https://bieb.example/chat?ref=ABCDEFGH", "svg")
    assert png.startswith(b"\x89PNG") and b"<svg" in svg[:300]


def test_each_stage_counts_once_per_chat(settings):
    fatima = new(settings)
    with session_scope(settings.database_url) as session:
        welcome = ambassadors.start_referral(session, fatima["code"], "whatsapp:+31612345678", "whatsapp")
        assert welcome == ambassadors.Welcome("Fatima", "buurthuis De Kastanje")
        # A second start of the same chat, and a forged code, count nothing.
        again = ambassadors.start_referral(session, fatima["code"], "whatsapp:+31612345678", "whatsapp")
        assert again is None
        assert ambassadors.start_referral(session, "ZZZZZZZZ", "web:other", "webchat") is None
        assert ambassadors.mark_stage(session, "whatsapp:+31612345678", "offer_shown") is True
        assert ambassadors.mark_stage(session, "whatsapp:+31612345678", "offer_shown") is False
        assert ambassadors.mark_stage(session, "web:not-referred", "offer_shown") is False
        with pytest.raises(ValueError):
            ambassadors.mark_stage(session, "whatsapp:+31612345678", "bought_a_car")
    assert totals(settings)["Fatima"] == {"started": 1, "intake_done": 0, "offer_shown": 1, "handed_off": 0}


def test_a_switched_off_code_starts_nothing(settings):
    fatima = new(settings)
    with session_scope(settings.database_url) as session:
        ambassadors.set_active(session, fatima["id"], False)
        assert ambassadors.start_referral(session, fatima["code"], "web:abc", "webchat") is None
        assert ambassadors.set_active(session, 999, True) is None


def test_the_erase_and_the_purge_delete_the_referral_and_keep_the_counts(settings):
    fatima = new(settings)
    with session_scope(settings.database_url) as session:
        for sender in ("sms:+31611111111", "web:old-one"):
            ambassadors.start_referral(session, fatima["code"], sender, "sms")
        ambassadors.mark_stage(session, "sms:+31611111111", "handed_off")
        session.execute(
            update(Referral)
            .where(Referral.sender_id == "web:old-one")
            .values(started_at=dt.datetime.utcnow() - dt.timedelta(days=40))
        )

    erase_conversation("sms:+31611111111", settings)
    purge_expired(settings)

    with session_scope(settings.database_url) as session:
        assert session.execute(select(Referral)).first() is None
        assert session.execute(select(ReferralCount)).first() is not None
    assert totals(settings)["Fatima"] == {"started": 2, "intake_done": 0, "offer_shown": 0, "handed_off": 1}


def test_a_name_and_place_are_required(settings):
    with session_scope(settings.database_url) as session:
        with pytest.raises(ambassadors.AmbassadorError):
            ambassadors.create_ambassador(session, "", "buurthuis", "", None)
        with pytest.raises(ambassadors.AmbassadorError):
            ambassadors.create_ambassador(session, "Fatima", "x" * 121, "", None)


def test_counts_from_one_to_four_are_not_shown(settings):
    fatima = new(settings)
    with session_scope(settings.database_url) as session:
        for number in range(5):
            ambassadors.start_referral(session, fatima["code"], f"web:{number}", "webchat")
        ambassadors.mark_stage(session, "web:0", "handed_off")
        [view] = ambassadors.list_ambassadors(session)
    assert view["counts"] == {"started": 5, "intake_done": 0, "offer_shown": 0, "handed_off": None}



def test_a_forgotten_ambassador_keeps_the_counts_and_never_comes_back(settings):
    fatima = new(settings)
    with session_scope(settings.database_url) as session:
        ambassadors.start_referral(session, fatima["code"], "web:1", "webchat")
        view = ambassadors.forget_ambassador(session, fatima["id"])
        assert (view["name"], view["place"], view["contact"], view["active"]) == (
            ambassadors.FORGOTTEN, ambassadors.FORGOTTEN, None, False
        )
        assert ambassadors.set_active(session, fatima["id"], True)["active"] is False
        assert ambassadors.start_referral(session, fatima["code"], "web:2", "webchat") is None
        assert ambassadors.forget_ambassador(session, 999) is None
    assert totals(settings)["Fatima"]["started"] == 1
