"""A learning ambassador in headless Chromium: registered in the console, their link opens a chat.

The coordinator registers Fatima of buurthuis De Kastanje through the console's own form, takes
her chat link and QR code from the page, and a new user follows the link: the bot welcomes them
for Fatima, and the chat is counted for her (started, offer shown) without anything about them.
A forged code opens an ordinary chat.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from helpdesk.database import session_scope
from helpdesk.models import Ambassador, PinnedEvent, ReferralCount
from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.browser import chromium, log_in, tap_through_limits
from tests.helpdesk.support import add_account

pytestmark = pytest.mark.e2e

SCREENSHOT = PROJECT_ROOT / "docs" / "img" / "ambassadors.png"
FLYER = PROJECT_ROOT / "docs" / "img" / "ambassador-flyer.png"
PASSWORD = "coordinator-password-1"


def stage_counts(database_url: str, link: str) -> dict:
    """The exact counts of the ambassador whose link this is (the page rounds small ones)."""
    code = link.rsplit("ref=", 1)[1]
    with session_scope(database_url) as session:
        rows = session.execute(
            select(ReferralCount.stage, ReferralCount.count)
            .join(Ambassador, Ambassador.id == ReferralCount.ambassador_id)
            .where(Ambassador.code == code)
        ).all()
    return {stage: count for stage, count in rows}


def test_an_ambassadors_link_opens_a_welcomed_chat_that_is_counted(rasa_stack, console_stack):
    cora = f"cora-{uuid.uuid4().hex[:6]}"
    add_account(console_stack.database_url, cora, PASSWORD, "coordinator")
    place = f"buurthuis De Kastanje {uuid.uuid4().hex[:4]}"
    try:
        ambassador_day(rasa_stack, console_stack, cora, place)
    finally:
        # The stack is shared: a pinned event left behind would show in other tests' chats.
        with session_scope(console_stack.database_url) as session:
            ours = select(PinnedEvent).where(PinnedEvent.title.endswith(place[-4:]))
            for event in session.execute(ours).scalars():
                event.active = False


def ambassador_day(rasa_stack, console_stack, cora: str, place: str) -> None:
    """The test's steps (see the module docstring)."""
    with chromium() as browser:
        coordinator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(coordinator, console_stack.url, cora, PASSWORD)
        coordinator.get_by_label("Naam ambassadeur").fill("Fatima")
        coordinator.get_by_label("Buurt, buurthuis of werkgever").fill(place)
        coordinator.get_by_label("Contact (alleen voor coördinatoren)").fill("06 12 34 56 78")
        coordinator.get_by_role("button", name="Ambassadeur toevoegen").click()
        card = coordinator.locator("#ambassadors li", has_text=place)
        expect(card).to_contain_text("gestart 0 · intake klaar 0 · aanbod gezien 0 · bij adviseur 0")
        link = card.get_by_role("link", name="Chatlink").get_attribute("href")
        assert link.startswith(rasa_stack.chat_url) and "?ref=" in link
        qr = coordinator.request.get(
            console_stack.url + card.get_by_role("link", name="QR (PNG)").get_attribute("href")
        )
        assert qr.ok and qr.body().startswith(b"\x89PNG")
        with coordinator.expect_popup() as opened:
            card.get_by_role("link", name="Flyer").click()
        flyer = opened.value
        expect(flyer.get_by_role("heading", level=1)).to_have_text("Iets leren? Vraag het Leerwijzer.")
        expect(flyer.locator("main")).to_contain_text(f"Fatima van {place} helpt je op weg.")
        expect(flyer.locator("main")).to_contain_text(link)
        code = link.rsplit("ref=", 1)[1]
        expect(flyer.locator("main")).to_contain_text(f"Liever WhatsApp? Stuur code {code} naar +")
        assert flyer.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
        FLYER.parent.mkdir(parents=True, exist_ok=True)
        flyer.set_viewport_size({"width": 800, "height": 1000})
        flyer.screenshot(path=str(FLYER), full_page=True)
        flyer.close()

        # The coordinator also pins a walk-in week for computer learners in Helmond.
        coordinator.get_by_label("Naam van het evenement").fill(f"Week van het digitale leren {place[-4:]}")
        coordinator.get_by_label("Waar (adres of plek)").fill("Bibliotheek Helmond")
        soon = dt.date.today() + dt.timedelta(days=3)
        coordinator.get_by_label("Eerste dag").fill(soon.isoformat())
        coordinator.get_by_label("Laatste dag").fill((soon + dt.timedelta(days=4)).isoformat())
        coordinator.get_by_label("Gemeente").select_option("Helmond")
        coordinator.get_by_label("Thema's (leeg: elk onderwerp)").select_option(label="basis computer")
        coordinator.get_by_role("button", name="Evenement vastzetten").click()
        pinned = coordinator.locator("#pinned-events li", has_text=place[-4:])
        expect(pinned).to_contain_text("Helmond")

        # A neighbour scans the QR code: the chat opens and welcomes them for Fatima.
        user = browser.new_context().new_page()
        user.goto(link)
        bot = user.locator(".lw-msg.lw-bot")
        expect(bot.first).to_contain_text(f"Welkom! Je komt via Fatima van {place}", timeout=30_000)
        expect(bot.nth(1)).to_contain_text("Leerwijzer")
        user.get_by_label("Typ je bericht").fill("Ik zoek een computercursus in Helmond")
        user.keyboard.press("Enter")
        tap_through_limits(user)
        expect(user.get_by_role("button", name="Dit helpt me")).to_be_visible(timeout=30_000)
        # The pinned week fits place and theme: mentioned once, before the question.
        tip = user.locator(".lw-msg.lw-bot", has_text="Tip van de bibliotheek: Week van het digitale leren")
        expect(tip).to_have_count(1)
        expect(tip).to_contain_text("in Bibliotheek Helmond")
        pinned.get_by_role("button").click()  # unpin: the shared test stack's other chats see none
        expect(coordinator.locator("#pinned-events li", has_text=place[-4:])).to_contain_text("(losgemaakt)")

        # Counted for Fatima: started and an offer shown. The page shows counts from 1 to 4 as
        # "<5" (at a small employer one could point to a colleague) and no one's messages.
        assert stage_counts(console_stack.database_url, link) == {"started": 1, "offer_shown": 1}
        coordinator.reload()
        card = coordinator.locator("#ambassadors li", has_text=place)
        expect(card).to_contain_text("gestart <5 · intake klaar 0 · aanbod gezien <5 · bij adviseur 0")
        expect(card).not_to_contain_text("computercursus")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        card.screenshot(path=str(SCREENSHOT))

        # A forged code is an ordinary chat: the usual greeting, nothing counted.
        stranger = browser.new_context().new_page()
        stranger.goto(rasa_stack.chat_url + "?ref=ZZZZ2345")  # well-formed, unknown
        expect(stranger.locator(".lw-msg.lw-bot").first).to_contain_text("Leerwijzer", timeout=30_000)
        expect(stranger.locator(".lw-msg.lw-bot").first).not_to_contain_text("Welkom! Je komt via")

        # Switched off, the same link opens an ordinary chat too.
        card.get_by_role("button", name="Code uitzetten van Fatima").click()
        expect(coordinator.locator("#ambassadors li", has_text=place)).to_contain_text("(uit)")
        late = browser.new_context().new_page()
        late.goto(link)
        expect(late.locator(".lw-msg.lw-bot").first).to_contain_text("Leerwijzer", timeout=30_000)
        expect(late.locator(".lw-msg.lw-bot").first).not_to_contain_text("Welkom! Je komt via")
        assert stage_counts(console_stack.database_url, link) == {"started": 1, "offer_shown": 1}

        # Fatima stops and asks to be forgotten: her name, place and contact go, the counts stay.
        coordinator.on("dialog", lambda dialog: dialog.accept())
        card = coordinator.locator("#ambassadors li", has_text=place)
        card.get_by_role("button", name="Vergeet Fatima").click()
        gone = coordinator.locator("#ambassadors li", has_text=f"Code {code}")
        expect(gone).to_contain_text("(verwijderd) – (verwijderd)")
        expect(gone).not_to_contain_text("06 12 34 56 78")
        assert stage_counts(console_stack.database_url, link) == {"started": 1, "offer_shown": 1}
