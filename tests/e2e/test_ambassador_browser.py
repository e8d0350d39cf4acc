"""A learning ambassador in headless Chromium: registered in the console, their link opens a chat.

The coordinator registers Fatima of buurthuis De Kastanje through the console's own form, takes
her chat link and QR code from the page, and a new user follows the link: the bot welcomes them
for Fatima, and the chat is counted for her (started, offer shown) without anything about them.
A forged code opens an ordinary chat.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.browser import chromium, tap_through_limits
from tests.helpdesk.support import add_account

pytestmark = pytest.mark.e2e

SCREENSHOT = PROJECT_ROOT / "docs" / "img" / "ambassadors.png"
FLYER = PROJECT_ROOT / "docs" / "img" / "ambassador-flyer.png"
PASSWORD = "coordinator-password-1"


def log_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("#live")).to_have_text("live", timeout=15_000)


def test_an_ambassadors_link_opens_a_welcomed_chat_that_is_counted(rasa_stack, console_stack):
    cora = f"cora-{uuid.uuid4().hex[:6]}"
    add_account(console_stack.database_url, cora, PASSWORD, "coordinator")
    place = f"buurthuis De Kastanje {uuid.uuid4().hex[:4]}"
    with chromium() as browser:
        coordinator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(coordinator, console_stack.url, cora)
        coordinator.get_by_label("Naam ambassadeur").fill("Fatima")
        coordinator.get_by_label("Buurt, buurthuis of werkgever").fill(place)
        coordinator.get_by_label("Contact (alleen voor coördinatoren)").fill("06 12 34 56 78")
        coordinator.get_by_role("button", name="Ambassadeur toevoegen").click()
        card = coordinator.locator("#ambassadors li", has_text=place)
        expect(card).to_contain_text("gestart 0")
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

        # Counted for Fatima: started and an offer shown; the page shows no one's messages.
        coordinator.reload()
        card = coordinator.locator("#ambassadors li", has_text=place)
        expect(card).to_contain_text("gestart 1", timeout=15_000)
        expect(card).to_contain_text("aanbod gezien 1")
        expect(card).not_to_contain_text("computercursus")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        card.screenshot(path=str(SCREENSHOT))

        # A forged code is an ordinary chat: the usual greeting, nothing counted.
        stranger = browser.new_context().new_page()
        stranger.goto(rasa_stack.chat_url + "?ref=FORGED99")
        expect(stranger.locator(".lw-msg.lw-bot").first).to_contain_text("Leerwijzer", timeout=30_000)
        expect(stranger.locator(".lw-msg.lw-bot").first).not_to_contain_text("Welkom! Je komt via")

        # Switched off, the same link opens an ordinary chat too.
        card.get_by_role("button", name="Code uitzetten van Fatima").click()
        expect(coordinator.locator("#ambassadors li", has_text=place)).to_contain_text("(uit)")
        late = browser.new_context().new_page()
        late.goto(link)
        expect(late.locator(".lw-msg.lw-bot").first).to_contain_text("Leerwijzer", timeout=30_000)
        expect(late.locator(".lw-msg.lw-bot").first).not_to_contain_text("Welkom! Je komt via")
        coordinator.reload()
        expect(coordinator.locator("#ambassadors li", has_text=place)).to_contain_text("gestart 1")
