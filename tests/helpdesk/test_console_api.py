"""The console's HTTP API against a real console process and a real database."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from typing import List

import httpx
import jwt
import pytest

from channels.identity import channel_of
from channels.inbound import InboundMessage, RouteOutcome
from helpdesk import store
from helpdesk.console import ConfigurationError, create_app
from helpdesk.database import session_scope
from helpdesk.gate import DatabaseGate
from helpdesk.models import Case, Conversation
from helpdesk.openapi import openapi_spec
from leerwijzer.settings import Settings
from tests.conftest import free_port
from tests.helpdesk.support import ADMIN_PASSWORD, ADVISOR_PASSWORD, TEST_JWT_SECRET, start_console

PUBLIC = {("post", "/api/login"), ("get", "/api/openapi.json")}


def waiting_conversation(
    url: str, summary: dict | None = None, sender: str | None = None, language: str = "nl"
) -> tuple[int, str]:
    """Queue a new conversation as action_request_handoff does; return (id, sender)."""
    sender = sender or f"web:user-{uuid.uuid4().hex[:10]}"
    with session_scope(url) as session:
        result = store.request_handoff(
            session,
            sender,
            channel_of(sender) or "rest",
            "asked_for_person",
            summary or {"goal": "werk vinden", "municipality": "Eindhoven", "language": language},
            language,
            [
                {"author": "user", "text": "ik wil een mens", "timestamp": time.time() - 5},
                {"author": "bot", "text": "Ik geef je door.", "timestamp": time.time() - 4},
            ],
        )
    return result.conversation_id, sender


def owner(url: str, conversation_id: int) -> Conversation:
    with session_scope(url) as session:
        return session.get(Conversation, conversation_id)


def test_every_api_route_is_documented_and_refuses_anonymous_callers(helpdesk):
    app = create_app(
        Settings(database_url=helpdesk.database_url, rasa_jwt_secret=TEST_JWT_SECRET), name="route_check"
    )
    spec = openapi_spec()
    documented = {(method, path) for path, operations in spec["paths"].items() for method in operations}
    routes = set()
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        if not path.startswith("/api"):
            continue
        path = re.sub(r"<(\w+):\w+>", r"{\1}", path)
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                routes.add((method.lower(), path))
    assert routes == documented

    anonymous = helpdesk.console.client()
    for method, path in sorted(documented - PUBLIC):
        reply = anonymous.request(
            method.upper(),
            re.sub(r"\{\w+_id\}", "1", path),
            json={},
        )
        assert reply.status_code == 401, (method, path, reply.status_code)
    assert anonymous.get("/api/openapi.json").json()["openapi"].startswith("3.")


def test_login_sets_a_safe_cookie_and_wrong_passwords_are_refused(helpdesk):
    client = helpdesk.console.client()
    wrong = client.post("/api/login", json={"username": "anna", "password": "not-her-password"})
    assert wrong.status_code == 401
    reply = client.post("/api/login", json={"username": "anna", "password": ADVISOR_PASSWORD})
    assert reply.status_code == 200
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # LEERWIJZER_CONSOLE_COOKIE_SECURE=false for local http
    assert "csp" not in reply.text.lower()
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


def test_writes_need_the_csrf_token_and_the_same_origin(helpdesk):
    conversation_id, _ = waiting_conversation(helpdesk.database_url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    no_token = anna.http.post(f"/api/conversations/{conversation_id}/claim")
    assert no_token.status_code == 403
    wrong_token = anna.http.post(f"/api/conversations/{conversation_id}/claim", headers={"X-CSRF-Token": "x"})
    assert wrong_token.status_code == 403
    other_site = anna.http.post(
        f"/api/conversations/{conversation_id}/claim",
        headers={"X-CSRF-Token": anna.csrf, "Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert owner(helpdesk.database_url, conversation_id).owner == "waiting"


def test_queue_is_sorted_by_waiting_time_and_carries_the_summary(helpdesk):
    first, _ = waiting_conversation(helpdesk.database_url, {"goal": "eerste", "channel": "webchat"})
    second, _ = waiting_conversation(helpdesk.database_url, {"goal": "tweede"})
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    waiting = anna.get("/api/queue").json()["waiting"]
    ids = [item["id"] for item in waiting]
    assert ids.index(first) < ids.index(second)
    assert waiting[ids.index(first)]["summary"]["goal"] == "eerste"
    detail = anna.get(f"/api/conversations/{first}").json()
    assert [line["author"] for line in detail["transcript"]] == ["user", "bot"]


def test_two_advisors_racing_for_a_chat_yield_exactly_one_winner(helpdesk):
    sessions = [helpdesk.console.login(name, ADVISOR_PASSWORD) for name in ("anna", "bram") * 3]
    for _ in range(3):
        conversation_id, _ = waiting_conversation(helpdesk.database_url)
        barrier = threading.Barrier(len(sessions))
        statuses: List[int] = []

        def claim(session, statuses=statuses, barrier=barrier, conversation_id=conversation_id) -> None:
            barrier.wait()
            statuses.append(session.post(f"/api/conversations/{conversation_id}/claim").status_code)

        threads = [threading.Thread(target=claim, args=(s,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200] + [409] * (len(sessions) - 1)
        assert owner(helpdesk.database_url, conversation_id).owner == "advisor"


def test_only_the_owner_may_write_and_hand_back_resumes_the_bot(helpdesk):
    url = helpdesk.database_url
    conversation_id, sender = waiting_conversation(url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    bram = helpdesk.console.login("bram", ADVISOR_PASSWORD)
    assert (
        anna.post(f"/api/conversations/{conversation_id}/messages", {"text": "te vroeg"}).status_code == 409
    )
    assert anna.post(f"/api/conversations/{conversation_id}/claim").status_code == 200
    assert bram.post(f"/api/conversations/{conversation_id}/messages", {"text": "ik ook"}).status_code == 409
    assert bram.post(f"/api/conversations/{conversation_id}/handback").status_code == 409

    sent = anna.post(f"/api/conversations/{conversation_id}/messages", {"text": "Hoi, ik ben Anna."})
    assert sent.status_code == 201
    offer = anna.get("/api/offers", params={"q": "computer"}).json()["offers"][0]
    assert (
        anna.post(f"/api/conversations/{conversation_id}/offers", {"offer_id": offer["offer_id"]}).status_code
        == 201
    )
    assert anna.post(f"/api/conversations/{conversation_id}/notes", {"text": "belt later"}).status_code == 201

    reply = anna.post(f"/api/conversations/{conversation_id}/handback")
    assert reply.status_code == 200 and reply.json()["owner"] == "bot"
    calls = helpdesk.rasa.bodies(sender)
    assert calls[0] == (
        "events",
        {
            "event": "bot",
            "text": "Je praat nu met Anna, adviseur van de bibliotheek.",
            "metadata": {"source": "helpdesk"},
        },
    )
    assert calls[1] == (
        "events",
        {"event": "bot", "text": "Hoi, ik ben Anna.", "metadata": {"source": "advisor", "advisor": "Anna"}},
    )
    assert calls[2][1]["text"].startswith(offer["title"])
    assert calls[3:] == [
        ("events", [{"event": "resume"}, {"event": "action", "name": "action_listen"}]),
        ("trigger_intent", {"name": "handed_back", "entities": {}}),
    ]
    transcript = anna.get(f"/api/conversations/{conversation_id}").json()
    authors = [m["author"] for m in transcript["transcript"]]
    assert authors[-5:] == ["system", "bot", "advisor", "advisor", "system"]  # joined, notice, ..., back
    assert transcript["notes"][0]["text"] == "belt later"
    assert (
        anna.post(f"/api/conversations/{conversation_id}/messages", {"text": "nog iets"}).status_code == 409
    )


def test_close_records_the_outcome_and_a_later_request_opens_a_new_case(helpdesk):
    url = helpdesk.database_url
    conversation_id, sender = waiting_conversation(url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.post(f"/api/conversations/{conversation_id}/claim").status_code == 200
    assert (
        anna.post(f"/api/conversations/{conversation_id}/close", {"outcome": "whatever"}).status_code == 400
    )
    reply = anna.post(f"/api/conversations/{conversation_id}/close", {"outcome": "advice_given"})
    assert reply.status_code == 200 and reply.json()["owner"] == "closed"
    assert helpdesk.rasa.bodies(sender)[-1] == (
        "events",
        [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
    )
    with session_scope(url) as session:
        cases = session.query(Case).filter_by(conversation_id=conversation_id).all()
        assert [(c.end_kind, c.outcome) for c in cases] == [("closed", "advice_given")]
    with session_scope(url) as session:
        result = store.request_handoff(session, sender, "webchat", "asked_for_person", {}, "nl")
    assert result.conversation_id == conversation_id and not result.already_waiting
    assert owner(url, conversation_id).owner == "waiting"


def test_a_failed_delivery_is_reported_and_not_logged(helpdesk):
    conversation_id, _ = waiting_conversation(helpdesk.database_url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    anna.post(f"/api/conversations/{conversation_id}/claim")
    helpdesk.rasa.fail_next(500)
    reply = anna.post(f"/api/conversations/{conversation_id}/messages", {"text": "kwijt?"})
    assert reply.status_code == 502
    texts = [m["text"] for m in anna.get(f"/api/conversations/{conversation_id}").json()["transcript"]]
    assert "kwijt?" not in texts


async def test_the_gate_holds_messages_of_waiting_and_advisor_chats_and_streams_them(helpdesk):
    url = helpdesk.database_url
    gate = DatabaseGate(url)
    free = InboundMessage(channel="webchat", sender_id=f"web:free-{uuid.uuid4().hex[:6]}", text="hoi")
    assert (await gate.receive(free, 20)).outcome is RouteOutcome.TO_BOT
    conversation_id, sender = waiting_conversation(url)

    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    received: List[str] = []

    def listen() -> None:
        with anna.http.stream("GET", "/api/events", timeout=20) as stream:
            for line in stream.iter_lines():
                received.append(line)
                if "message" in line and str(conversation_id) in line:
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    time.sleep(1.0)
    held = InboundMessage(channel="webchat", sender_id=sender, text="/restart", provider_message_id="m-1")
    assert (await gate.receive(held, 20)).outcome is RouteOutcome.TO_ADVISOR
    listener.join(15)
    assert any('"kind": "message"' in line for line in received), received
    transcript = anna.get(f"/api/conversations/{conversation_id}").json()["transcript"]
    assert transcript[-1]["author"] == "user" and transcript[-1]["text"] == "/restart"
    assert (await gate.receive(held, 20)).outcome is RouteOutcome.DUPLICATE


def test_admins_manage_advisors_and_advisors_cannot(helpdesk):
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.get("/api/advisors").status_code == 403
    assert anna.post("/api/advisors", {"username": "x", "password": "y" * 12}).status_code == 403
    admin = helpdesk.console.login("admin", ADMIN_PASSWORD)
    assert admin.post("/api/advisors", {"username": "kort", "password": "short"}).status_code == 400
    made = admin.post(
        "/api/advisors", {"username": "dirk", "display_name": "Dirk", "password": "dirk-password-1"}
    )
    assert made.status_code == 201
    dirk_id = made.json()["id"]
    assert helpdesk.console.login("dirk", "dirk-password-1").get("/api/me").status_code == 200
    assert admin.post(f"/api/advisors/{dirk_id}", {"active": False}).json()["active"] is False
    refused = helpdesk.console.client().post(
        "/api/login", json={"username": "dirk", "password": "dirk-password-1"}
    )
    assert refused.status_code == 401


def test_login_is_rate_limited_per_account(helpdesk):
    admin = helpdesk.console.login("admin", ADMIN_PASSWORD)
    assert admin.post("/api/advisors", {"username": "carl", "password": "carl-password-1"}).status_code == 201
    client = helpdesk.console.client()
    statuses = [
        client.post("/api/login", json={"username": "carl", "password": f"wrong-{i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5
    locked = client.post("/api/login", json={"username": "carl", "password": "carl-password-1"})
    assert locked.status_code == 429
    assert helpdesk.console.login("bram", ADVISOR_PASSWORD).get("/api/me").status_code == 200


def test_health_and_page_are_public_but_data_is_not(helpdesk):
    client = httpx.Client(base_url=helpdesk.console.base_url)
    assert client.get("/health").json() == {"status": "ok"}
    assert "Leerwijzer" in client.get("/").text
    assert client.get("/static/console.js").status_code == 200
    assert client.get("/static/../settings.py").status_code == 404
    assert client.get("/api/queue").status_code == 401


# ---- telling the user, stuck chats, Rasa refusing -------------------------------------

RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


def case_of(url: str, conversation_id: int) -> Case:
    with session_scope(url) as session:
        conversation = session.get(Conversation, conversation_id)
        return session.get(Case, conversation.case_id)


def test_the_user_is_told_in_english_who_took_over_and_gets_a_goodbye_before_the_bot_resumes(helpdesk):
    conversation_id, sender = waiting_conversation(helpdesk.database_url, language="en")
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    claimed = anna.post(f"/api/conversations/{conversation_id}/claim")
    assert claimed.status_code == 200 and claimed.json()["notice_sent"] is True
    closed = anna.post(f"/api/conversations/{conversation_id}/close", {"outcome": "advice_given"})
    assert closed.status_code == 200 and closed.json()["notice_sent"] is True
    assert helpdesk.rasa.bodies(sender) == [
        (
            "events",
            {
                "event": "bot",
                "text": "You are now talking to Anna, an advisor from the library.",
                "metadata": {"source": "helpdesk"},
            },
        ),
        (
            "events",
            {
                "event": "bot",
                "text": (
                    "Anna is closing the chat. Thank you for your questions! Do you have another question? "
                    "Just send a message. The chatbot will help you."
                ),
                "metadata": {"source": "helpdesk"},
            },
        ),
        ("events", RESUME),  # the goodbye first, then the bot may speak again
    ]
    lines = anna.get(f"/api/conversations/{conversation_id}").json()["transcript"]
    assert [m["author"] for m in lines[-4:]] == ["system", "bot", "bot", "system"]
    assert lines[-4]["text"] == "Anna neemt het gesprek over"
    assert lines[-3]["text"].startswith("You are now talking to Anna")
    assert lines[-2]["text"].startswith("Anna is closing the chat.")
    assert lines[-1]["text"] == "Anna sloot het gesprek af: advies gegeven"


def test_hand_back_and_close_keep_the_chat_with_the_advisor_while_rasa_refuses_the_resume(helpdesk):
    url = helpdesk.database_url
    conversation_id, sender = waiting_conversation(url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.post(f"/api/conversations/{conversation_id}/claim").status_code == 200
    for path, body in (("handback", None), ("close", {"outcome": "no_response"})):
        helpdesk.rasa.refuse_resumes(1)
        refused = anna.post(f"/api/conversations/{conversation_id}/{path}", body)
        assert refused.status_code == 502, path
        assert owner(url, conversation_id).owner == "advisor"  # never "bot" while Rasa is paused
        assert case_of(url, conversation_id).ended_at is None
    # Once Rasa accepts, the hand back goes through.
    assert anna.post(f"/api/conversations/{conversation_id}/handback").json()["owner"] == "bot"
    assert helpdesk.rasa.bodies(sender, answered=True)[-2:] == [
        ("events", RESUME),
        ("trigger_intent", {"name": "handed_back", "entities": {}}),
    ]


def test_an_admin_releases_stuck_chats_to_the_bot_and_the_user_is_told(helpdesk):
    url = helpdesk.database_url
    waiting_id, waiting_sender = waiting_conversation(url)
    held_id, held_sender = waiting_conversation(url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    admin = helpdesk.console.login("admin", ADMIN_PASSWORD)
    assert anna.post(f"/api/conversations/{held_id}/claim").status_code == 200
    assert anna.post(f"/api/conversations/{waiting_id}/release").status_code == 403  # admins only

    helpdesk.rasa.refuse_resumes(1)
    assert admin.post(f"/api/conversations/{waiting_id}/release").status_code == 502
    assert owner(url, waiting_id).owner == "waiting"  # Rasa still paused: the helpdesk keeps it

    for conversation_id, sender in ((waiting_id, waiting_sender), (held_id, held_sender)):
        reply = admin.post(f"/api/conversations/{conversation_id}/release")
        assert reply.status_code == 200 and reply.json()["owner"] == "bot"
        assert case_of(url, conversation_id).end_kind == "released"
        resume_then_notice = helpdesk.rasa.bodies(sender, answered=True)[-2:]
        assert resume_then_notice[0] == ("events", RESUME)
        notice = resume_then_notice[1][1]
        assert notice["text"].startswith("Er kan nu geen adviseur verder met dit gesprek.")
        assert [b["payload"] for b in notice["data"]["buttons"]] == ["/request_human", "/request_callback"]
        lines = admin.get(f"/api/conversations/{conversation_id}").json()["transcript"]
        assert [m["author"] for m in lines[-2:]] == ["system", "bot"]
        assert lines[-2]["text"] == "Admin gaf het vastgelopen gesprek terug aan de bot"
    assert anna.post(f"/api/conversations/{held_id}/messages", {"text": "nog daar?"}).status_code == 409
    assert admin.post(f"/api/conversations/{waiting_id}/release").status_code == 409  # the bot has it


def test_the_queue_marks_chats_that_wait_too_long(helpdesk):
    url = helpdesk.database_url
    late_id, _ = waiting_conversation(url)
    fresh_id, _ = waiting_conversation(url)
    with session_scope(url) as session:
        case = session.get(Case, session.get(Conversation, late_id).case_id)
        case.requested_at = case.requested_at - dt.timedelta(minutes=11)  # warning after 10 by default
    queue = helpdesk.console.login("anna", ADVISOR_PASSWORD).get("/api/queue").json()
    items = {item["id"]: item for item in queue["waiting"]}
    assert queue["wait_warning_minutes"] == 10 and queue["wait_timeout_minutes"] == 120
    assert items[late_id]["waiting_too_long"] is True and items[late_id]["waiting_seconds"] >= 660
    assert items[fresh_id]["waiting_too_long"] is False
    ids = [item["id"] for item in queue["waiting"]]
    assert ids.index(late_id) < ids.index(fresh_id)  # longest wait first


def test_requests_to_rasa_carry_a_jwt_and_never_a_token_in_the_url(helpdesk):
    conversation_id, sender = waiting_conversation(helpdesk.database_url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    anna.post(f"/api/conversations/{conversation_id}/claim")
    anna.post(f"/api/conversations/{conversation_id}/messages", {"text": "Hallo"})
    anna.post(f"/api/conversations/{conversation_id}/handback")
    requests = [r for r in helpdesk.rasa.requests if f"/conversations/{sender}/" in r.path]
    assert len(requests) == 4  # notice, message, resume, handed_back
    for request in requests:
        assert "token" not in request.params["raw_path"].lower()
        assert "fake-static-token" not in request.params["raw_path"]
        assert request.params["raw_path"].startswith(f"/conversations/{sender}/")  # the id as it is
        scheme, _, token = request.headers["Authorization"].partition(" ")
        claims = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])
        assert scheme == "Bearer" and claims["user"]["role"] == "admin"


def test_logs_never_name_a_full_phone_number(helpdesk):
    number = f"+316{uuid.uuid4().int % 10**8:08d}"
    conversation_id, sender = waiting_conversation(helpdesk.database_url, sender=f"whatsapp:{number}")
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    helpdesk.rasa.fail_next(500)  # the "Anna is here" notice fails and is logged
    assert anna.post(f"/api/conversations/{conversation_id}/claim").json()["notice_sent"] is False
    helpdesk.rasa.fail_next(500)
    assert anna.post(f"/api/conversations/{conversation_id}/messages", {"text": "Hoi"}).status_code == 502
    helpdesk.rasa.refuse_resumes(1)
    assert anna.post(f"/api/conversations/{conversation_id}/handback").status_code == 502
    time.sleep(0.5)  # let the console write its log lines
    log = helpdesk.console.log.read_text(errors="replace")
    assert log.count(f"whatsapp:{number[:4]}*****{number[-3:]}") >= 3, log[-2000:]
    assert number[1:] not in log and TEST_JWT_SECRET not in log


def test_the_console_refuses_to_start_without_the_jwt_secret(helpdesk, tmp_path):
    with pytest.raises(RuntimeError) as refused:
        start_console(
            free_port(),
            {
                "LEERWIJZER_DATABASE_URL": helpdesk.database_url,
                "RASA_JWT_SECRET": "",
                "RASA_API_TOKEN": "a-static-token-is-not-enough",
            },
            tmp_path,
            timeout=30,
        )
    assert "RASA_JWT_SECRET is not set" in str(refused.value)
    with pytest.raises(ConfigurationError, match="RASA_JWT_SECRET"):
        create_app(Settings(database_url=helpdesk.database_url, rasa_jwt_secret=None), name="no_secret")
