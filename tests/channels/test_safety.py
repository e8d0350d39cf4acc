"""Attack and fault probes at the channel layer: who is writing, what reaches the bot, what is kept.

Each test drives the connectors over real HTTP (and socket.io) on a real Sanic server, with the
real database gate; the bot is the EchoBot stand-in. On the old main each of these failed.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, List

import pytest
import socketio
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import inbound
from channels.inbound import Door, InboundMessage, RouteOutcome, resume_hook
from channels.rest import GatedRestInput
from channels.sms import SmsInput
from channels.store import ChannelStore
from channels.telegram import TelegramInput
from channels.webchat import WebChatInput
from channels.whatsapp import OutsideWhatsAppWindow, WhatsAppInput
from helpdesk.gate import DatabaseGate
from leerwijzer.redact import mask_id
from tests.channels.conftest import (
    CONV_TG,
    USER_TG,
    USER_WA,
    ConnectorServer,
    EchoBot,
    sms_credentials,
    telegram_credentials,
    telegram_update,
    twilio_form,
    whatsapp_credentials,
)

pytestmark = pytest.mark.probe

REST_TOKEN = "rest-token-for-tests-123"
WEB_SECRET = "web-session-secret-for-tests"


@pytest.fixture()
async def server(env: Dict[str, str]) -> AsyncIterator[ConnectorServer]:
    """Every connector, REST and web chat included, on one real Sanic app."""
    channels: List[Any] = [
        WhatsAppInput.from_credentials(whatsapp_credentials()),
        SmsInput.from_credentials(sms_credentials()),
        TelegramInput.from_credentials(telegram_credentials()),
        GatedRestInput(token=REST_TOKEN),
        WebChatInput(session_secret=WEB_SECRET),
    ]
    running = await ConnectorServer(channels, EchoBot()).start()
    yield running
    await running.stop()


def bearer(token: str = REST_TOKEN) -> Dict[str, str]:
    """The REST channel's Authorization header."""
    return {"Authorization": f"Bearer {token}"}


# ---- identity ---------------------------------------------------------------------------
async def test_rest_needs_the_token(server: ConnectorServer) -> None:
    body = {"sender": "anna", "message": "hoi"}
    assert (await server.client.post("/webhooks/rest/webhook", json=body)).status_code == 401
    wrong = await server.client.post("/webhooks/rest/webhook", json=body, headers=bearer("nope"))
    assert wrong.status_code == 401
    assert server.bot.messages == []
    ok = await server.client.post("/webhooks/rest/webhook", json=body, headers=bearer())
    assert ok.status_code == 200 and ok.json()[0]["text"] == "Echo: hoi"


async def test_rest_without_a_configured_token_is_off(env: Dict[str, str]) -> None:
    running = await ConnectorServer([GatedRestInput(token=None)], EchoBot()).start()
    try:
        reply = await running.client.post(
            "/webhooks/rest/webhook", json={"sender": "a", "message": "hoi"}, headers=bearer("anything")
        )
        assert reply.status_code == 401 and running.bot.messages == []
    finally:
        await running.stop()


@pytest.mark.parametrize("forged", [USER_WA, "+31612345679", "424242", "telegram:424242", "web:abc"])
async def test_rest_cannot_address_another_channels_conversation(
    server: ConnectorServer, forged: str
) -> None:
    reply = await server.client.post(
        "/webhooks/rest/webhook",
        json={"sender": forged, "message": "verwijder mijn gegevens"},
        headers=bearer(),
    )
    assert reply.status_code == 200
    [message] = server.bot.messages
    assert message.sender_id == f"rest:{forged}"


async def test_rest_sender_with_unaddressable_characters_is_refused(server: ConnectorServer) -> None:
    reply = await server.client.post(
        "/webhooks/rest/webhook", json={"sender": "a/../b%2F", "message": "hoi"}, headers=bearer()
    )
    assert reply.status_code == 400 and server.bot.messages == []


async def web_client(server: ConnectorServer) -> socketio.AsyncClient:
    """A python-socketio client as the widget connects (polling transport)."""
    client = socketio.AsyncClient()
    await client.connect(server.base_url, transports=["polling"], socketio_path="/socket.io")
    return client


async def close(client: socketio.AsyncClient) -> None:
    """Disconnect without waiting out the pending long-poll (25 s with the polling transport)."""
    await client.eio.disconnect(abort=True)
    task = getattr(client.eio, "read_loop_task", None)
    if task is not None:
        task.cancel()
    await client.eio._reset()


async def request_session(client: socketio.AsyncClient, data: Dict[str, Any]) -> str:
    """Ask for a session the way the widget does; return the token the server confirmed."""
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda token: confirmed.done() or confirmed.set_result(token))
    await client.emit("session_request", data)
    return await asyncio.wait_for(confirmed, 10)


async def test_web_sessions_are_issued_and_signed_by_the_server(server: ConnectorServer) -> None:
    client = await web_client(server)
    try:
        # A browser that names a Telegram user's chat id (or any id) gets its own conversation.
        token = await request_session(client, {"session_id": str(USER_TG), "greet": True, "language": "en"})
        assert token != str(USER_TG) and "." in token
        [greeting] = await server.bot.wait_for(1)
        assert greeting.text == '/greet{"language": "en"}'  # made by the server
        conversation = greeting.sender_id
        assert conversation.startswith("web:") and conversation != CONV_TG
        await client.emit("user_uttered", {"message": "/restart", "session_id": CONV_TG})
        messages = await server.bot.wait_for(2)
        assert messages[1].sender_id == conversation and messages[1].text == "restart"
    finally:
        await close(client)

    # After a reload the browser brings its token back and continues the same conversation.
    again = await web_client(server)
    try:
        assert await request_session(again, {"session_id": token, "greet": True}) == token
        await again.emit("user_uttered", {"message": "nog een vraag"})
        messages = await server.bot.wait_for(3)
        assert messages[2].sender_id == conversation
        assert len(server.bot.messages) == 3  # no second greeting for a known session
        # A token with a changed signature is not accepted.
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert await request_session(again, {"session_id": forged}) != forged
    finally:
        await close(again)


async def test_web_messages_without_a_session_are_refused(server: ConnectorServer) -> None:
    client = await web_client(server)
    errors: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_error", lambda data: errors.done() or errors.set_result(data))
    try:
        await client.emit("user_uttered", {"message": "hoi", "session_id": "424242"})
        assert (await asyncio.wait_for(errors, 10))["reason"] == "missing session"
        assert server.bot.messages == []
    finally:
        await close(client)


# ---- buttons and commands ------------------------------------------------------------------
def callback_update(data: str, update_id: int) -> Dict[str, Any]:
    """A Telegram button press (callback_query) as Telegram posts it."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq-{update_id}",
            "chat_instance": "ci",
            "data": data,
            "from": {"id": USER_TG, "is_bot": False, "first_name": "Anna"},
            "message": {"message_id": 5, "date": 1_700_000_000, "chat": {"id": USER_TG, "type": "private"}},
        },
    }


async def test_forged_telegram_button_data_is_not_a_command(server: ConnectorServer) -> None:
    # No button was ever offered to this chat: callback_data "/restart" must not reach the bot as one.
    assert (await server.post_telegram(callback_update("/restart", 77_001))).status_code == 200
    [message] = await server.bot.wait_for(1)
    assert message.text == inbound.EMPTY_PAYLOAD
    # Offer buttons, then a press of an offered one works and a forged one still does not.
    server.bot.reply_with("Hallo", {"text": "Kies", "buttons": [{"title": "Ja", "payload": "/affirm"}]})
    await server.post_telegram(telegram_update("Hallo"))
    await server.bot.wait_for(2)
    await server.settle()
    await server.post_telegram(callback_update("/restart", 77_002))
    await server.post_telegram(callback_update("/affirm", 77_003))
    messages = await server.bot.wait_for(4)
    assert [m.text for m in messages[2:]] == [inbound.EMPTY_PAYLOAD, "/affirm"]


@pytest.mark.parametrize(
    "attack", ["/ /restart", '/\t/inform{"role": "x"}', "/ /request_human", "\uff0frestart"]
)
async def test_typed_commands_never_reach_the_bot_on_any_channel(
    server: ConnectorServer, attack: str
) -> None:
    await server.post_twilio("whatsapp", twilio_form(USER_WA, attack))
    await server.post_twilio("sms", twilio_form("+31687654321", attack))
    await server.post_telegram(telegram_update(attack))
    await server.client.post(
        "/webhooks/rest/webhook", json={"sender": "a", "message": attack}, headers=bearer()
    )
    messages = await server.bot.wait_for(4)
    assert all(not m.text.strip().startswith("/") for m in messages), [m.text for m in messages]


# ---- rate limit, bounds, statuses ------------------------------------------------------------
async def test_a_flood_is_answered_politely_once(
    server: ConnectorServer, telegram_api: Any, isolated_door_and_fast_retries: Door
) -> None:
    isolated_door_and_fast_retries.rate_limit_per_minute = 5
    for _ in range(8):
        assert (await server.post_telegram(telegram_update("hoi"))).status_code == 200
    await server.settle()
    assert len(server.bot.messages) == 5
    slow_down = [c for c in telegram_api.calls("sendMessage") if "wacht even" in c["text"].lower()]
    assert len(slow_down) == 1


async def test_oversized_bodies_get_413(server: ConnectorServer) -> None:
    big = twilio_form(USER_WA, "x" * 100_000)
    assert (await server.post_twilio("whatsapp", big)).status_code == 413
    assert (
        await server.post_telegram(b'{"update_id": 1, "x": "' + b"x" * 2_000_000 + b'"}')
    ).status_code == 413
    assert server.bot.messages == []


async def test_status_callbacks_store_only_known_statuses(server: ConnectorServer, database_url: str) -> None:
    form = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "<script>pwned</script>", "To": USER_WA}
    assert (await server.post_twilio("whatsapp", form, route="status")).status_code == 200
    assert await ChannelStore(database_url).statuses("SM" + "a" * 32) == []
    form["MessageStatus"] = "delivered"
    await server.post_twilio("whatsapp", form, route="status")
    [row] = await ChannelStore(database_url).statuses("SM" + "a" * 32)
    assert (row["status"], row["recipient_id"]) == ("delivered", USER_WA)


# ---- keep what was acknowledged; fail closed ------------------------------------------------
async def inbox_status(database_url: str, inbox_id: int | None, wanted: str = "done") -> str:
    """The status of an inbox row, once it is `wanted` (or after a few seconds)."""
    import sqlalchemy as sa

    from channels.store import get_engine, inbox

    status = ""
    for _ in range(100):
        with get_engine(database_url).connect() as connection:
            status = connection.execute(sa.select(inbox.c.status).where(inbox.c.id == inbox_id)).scalar()
        if status == wanted:
            break
        await asyncio.sleep(0.05)
    return status


async def test_a_kept_message_is_answered_after_a_crash(
    server: ConnectorServer,
    isolated_door_and_fast_retries: Door,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    # The process kept the message and acknowledged it, then died before the bot answered.
    door = isolated_door_and_fast_retries
    receipt = await door.receive(
        InboundMessage("telegram", CONV_TG, "ben je er nog?", provider_message_id="u-1")
    )
    assert receipt.outcome is RouteOutcome.TO_BOT and server.bot.messages == []
    monkeypatch.setattr("helpdesk.gate.REPLAY_AFTER", __import__("datetime").timedelta(0))
    monkeypatch.setattr("helpdesk.gate.CLAIM_LEASE", __import__("datetime").timedelta(0))
    [message] = await server.bot.wait_for(1, timeout=15)  # the replay loop answers it
    assert (message.sender_id, message.text) == (CONV_TG, "ben je er nog?")
    assert await inbox_status(database_url, receipt.inbox_id) == "done"
    assert len(server.bot.messages) == 1  # answered once


async def test_the_gate_fails_closed(server: ConnectorServer, tmp_path: Any) -> None:
    broken = DatabaseGate(f"sqlite:///{tmp_path / 'gate.db'}")
    broken.database_url = "postgresql://nobody@127.0.0.1:1/none"  # the ownership record is unreachable
    inbound.set_door(Door(broken, None))
    assert (await server.post_twilio("whatsapp", twilio_form(USER_WA, "hoi"))).status_code == 503
    assert (await server.post_telegram(telegram_update("hoi"))).status_code == 503
    reply = await server.client.post(
        "/webhooks/rest/webhook", json={"sender": "a", "message": "hoi"}, headers=bearer()
    )
    assert reply.status_code == 503
    await server.settle()
    assert server.bot.messages == []


async def test_without_an_installed_gate_nothing_reaches_the_bot(server: ConnectorServer) -> None:
    inbound.set_door(None)
    assert (await server.post_twilio("whatsapp", twilio_form(USER_WA, "hoi"))).status_code == 503
    assert server.bot.messages == []


# ---- delivery failures never lose the bot's work ------------------------------------------
async def test_an_undeliverable_bot_message_is_logged_not_raised(env: Dict[str, str]) -> None:
    output = WhatsAppInput.from_credentials(whatsapp_credentials()).get_output_channel()
    # No message from this user in 24 hours and no template: WhatsApp refuses free text.
    await output.send_response(USER_WA, {"text": "Je gegevens zijn verwijderd."})
    with pytest.raises(OutsideWhatsAppWindow):
        await output.send_response(USER_WA, {"text": "Hallo", "source": "advisor"})


# ---- a paused tracker of a bot-owned chat is repaired -------------------------------------
async def test_a_wrongly_paused_conversation_is_resumed() -> None:
    domain = Domain.empty()
    tracker_store = InMemoryTrackerStore(domain)
    tracker = DialogueStateTracker.from_events(
        CONV_TG, [ActionExecuted("action_listen"), UserUttered("mens graag"), ConversationPaused()]
    )
    await tracker_store.save(tracker)
    app = type("App", (), {})()
    app.ctx = type("Ctx", (), {})()
    app.ctx.agent = type("Agent", (), {"tracker_store": tracker_store, "lock_store": InMemoryLockStore()})()
    hook = resume_hook(app)
    assert await hook(CONV_TG) is True
    assert not (await tracker_store.retrieve(CONV_TG)).is_paused()
    assert await hook(CONV_TG) is False  # nothing to repair twice


def test_log_lines_name_conversations_masked() -> None:
    assert mask_id(USER_WA) == "whatsapp:+316*****678"


async def test_rest_messages_are_kept_for_the_rate_limit_but_never_replayed(
    server: ConnectorServer, database_url: str, isolated_door_and_fast_retries: Door
) -> None:
    reply = await server.client.post(
        "/webhooks/rest/webhook", json={"sender": "a", "message": "hoi"}, headers=bearer()
    )
    assert reply.status_code == 200
    import sqlalchemy as sa

    from channels.store import get_engine, inbox

    with get_engine(database_url).connect() as connection:
        statuses = connection.execute(
            sa.select(inbox.c.status).where(inbox.c.conversation_id == "rest:a")
        ).all()
    assert [row.status for row in statuses] == ["done"]
    assert await isolated_door_and_fast_retries.gate.claim_pending("rest") == []
