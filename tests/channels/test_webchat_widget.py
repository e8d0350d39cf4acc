"""The embeddable widget in headless Chromium: one tag, keyboard, screen readers, 360 px."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import expect

from tests.conftest import free_port
from tests.e2e.browser import chromium, serious_violations, tap_through_limits

pytestmark = pytest.mark.e2e

HOST_PAGE = """<!doctype html>
<html lang="{page_lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Bibliotheek</title></head>
<body><main><h1>Bibliotheek</h1><p>Any site of a partner.</p></main>
<script src="{widget}" data-lang="{lang}" defer></script>
</body></html>
"""


@pytest.fixture()
def host_site(rasa_stack, tmp_path: Path) -> Iterator[str]:
    """A different origin that embeds the widget with one script tag."""
    widget = f"{rasa_stack.rasa_url}/webhooks/webchat/static/widget.js"
    (tmp_path / "nl.html").write_text(HOST_PAGE.format(page_lang="nl", widget=widget, lang="nl"))
    (tmp_path / "en.html").write_text(HOST_PAGE.format(page_lang="en", widget=widget, lang="en"))
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_keyboard_only_user_on_a_small_phone(rasa_stack, host_site):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 720})
        page.goto(f"{host_site}/nl.html")
        toggle = page.get_by_role("button", name="Chat met Leerwijzer")
        expect(toggle).to_be_visible(timeout=15_000)
        assert serious_violations(page) == []

        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        field = page.get_by_label("Typ je bericht")
        expect(field).to_be_focused()
        expect(page.get_by_role("log")).to_contain_text("Leerwijzer", timeout=30_000)

        panel = page.locator("#lw-panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.keyboard.type("Ik zoek een computercursus in Helmond")
        page.keyboard.press("Enter")
        tap_through_limits(page, keyboard=True)
        expect(page.get_by_role("button", name="Dit helpt me")).to_be_visible(timeout=30_000)
        # Quick replies are reachable with Tab and answer with Enter.
        yes = page.get_by_role("button", name="Dit helpt me")
        yes.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".lw-msg.lw-bot").last).to_contain_text("Fijn", timeout=30_000)
        assert serious_violations(page) == []


def test_english_interface_and_english_bot(rasa_stack, host_site):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{host_site}/en.html")
        page.get_by_role("button", name="Chat with Leerwijzer").click()
        expect(page.get_by_label("Type your message")).to_be_visible()
        expect(page.locator(".lw-msg.lw-bot").first).to_contain_text("Hi", timeout=30_000)


def test_bot_text_is_shown_as_text_not_html(rasa_stack, host_site):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{host_site}/nl.html")
        page.get_by_role("button", name="Chat met Leerwijzer").click()
        page.get_by_label("Typ je bericht").fill('<img src=x onerror="window.pwned=1"> hoi')
        page.keyboard.press("Enter")
        expect(page.locator(".lw-msg.lw-user").last).to_contain_text("<img src=x")
        expect(page.locator(".lw-msg.lw-bot").nth(1)).to_be_visible(timeout=30_000)
        assert page.evaluate("window.pwned === undefined")
        assert page.locator(".lw-log img").count() == 0
