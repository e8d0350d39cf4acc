"""Scale-out: two console instances on PostgreSQL + Redis behave exactly like one.

Needs the services this machine runs (PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379);
on a machine without them the test is skipped with the reason shown, never passed.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import List

import pytest

from channels.inbound import InboundMessage, RouteOutcome
from helpdesk import store
from helpdesk.database import session_scope
from helpdesk.gate import DatabaseGate
from tests.conftest import free_port
from tests.helpdesk.support import ADVISOR_PASSWORD, FakeRasa, add_account, start_console, throwaway_postgres

pytestmark = pytest.mark.e2e
REDIS_URL = "redis://127.0.0.1:6379/5"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def two_consoles(tmp_path_factory):
    if not (_listening(5432) and _listening(6379)):
        pytest.skip("scale-out test needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    rasa = FakeRasa().start()
    folder = tmp_path_factory.mktemp("scale")
    with throwaway_postgres() as url:
        add_account(url, "anna", ADVISOR_PASSWORD)
        add_account(url, "bram", ADVISOR_PASSWORD)
        env = {
            "LEERWIJZER_DATABASE_URL": url,
            "LEERWIJZER_HELPDESK_BROKER_URL": REDIS_URL,
            # Slow safety poll: a live update within seconds can only come from Redis.
            "LEERWIJZER_HELPDESK_POLL_SECONDS": "30",
            "LEERWIJZER_RASA_URL": rasa.base_url,
            "RASA_API_TOKEN": "fake-token",
        }
        consoles = [start_console(free_port(), env, folder / "logs") for _ in range(2)]
        try:
            yield url, consoles, rasa
        finally:
            for console in consoles:
                console.stop()
            rasa.stop()


def queue_one(url: str, sender: str) -> int:
    with session_scope(url) as session:
        return store.request_handoff(
            session, sender, "webchat", "asked_for_person", {"goal": "x"}, "nl"
        ).conversation_id


def test_a_message_arriving_anywhere_is_seen_live_on_the_other_console(two_consoles):
    url, (console_a, console_b), _ = two_consoles
    conversation_id = queue_one(url, "scale-live")
    on_b = console_b.login("bram", ADVISOR_PASSWORD)
    received: List[dict] = []
    connected = threading.Event()

    def listen() -> None:
        with on_b.http.stream("GET", "/api/events", timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("event: hello"):
                    connected.set()
                if line.startswith("data: {") and '"kind"' in line:
                    received.append({"at": time.monotonic(), **json.loads(line[6:])})
                    if received[-1].get("author") == "advisor":
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(10)
    time.sleep(0.5)

    # A user message held by the gate of "another Rasa replica" (this process).
    sent_at = time.monotonic()
    gate = DatabaseGate(url, REDIS_URL)
    receipt = asyncio.run(
        gate.receive(InboundMessage(channel="webchat", sender_id="scale-live", text="hallo?"), 20)
    )
    assert receipt.outcome is RouteOutcome.TO_ADVISOR
    deadline = time.monotonic() + 5
    while not any(e.get("author") == "user" for e in received) and time.monotonic() < deadline:
        time.sleep(0.05)
    user_events = [
        e for e in received if e.get("author") == "user" and e["conversation_id"] == conversation_id
    ]
    assert user_events and user_events[0]["at"] - sent_at < 3, "seen live through Redis, not by polling"

    # An advisor writes through console A; console B's stream shows it.
    on_a = console_a.login("anna", ADVISOR_PASSWORD)
    assert on_a.post(f"/api/conversations/{conversation_id}/claim").status_code == 200
    assert on_a.post(f"/api/conversations/{conversation_id}/messages", {"text": "Hoi!"}).status_code == 201
    listener.join(10)
    assert any(e.get("author") == "advisor" for e in received)
    transcript = on_b.get(f"/api/conversations/{conversation_id}").json()["transcript"]
    said = [m["text"] for m in transcript if m["author"] != "system"]
    # The console may add its own notice on claim ("Je praat nu met ..."); the user's message
    # comes first and the advisor's last, whichever console wrote it.
    assert said[0] == "hallo?" and said[-1] == "Hoi!", said


def test_a_claim_race_across_both_instances_has_exactly_one_winner(two_consoles):
    url, consoles, _ = two_consoles
    sessions = [consoles[i % 2].login(("anna", "bram")[i % 2], ADVISOR_PASSWORD) for i in range(6)]
    for round_no in range(5):
        conversation_id = queue_one(url, f"scale-race-{round_no}")
        barrier = threading.Barrier(len(sessions))
        statuses: List[int] = []

        def claim(session, barrier=barrier, statuses=statuses, conversation_id=conversation_id) -> None:
            barrier.wait()
            statuses.append(session.post(f"/api/conversations/{conversation_id}/claim").status_code)

        threads = [threading.Thread(target=claim, args=(s,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200, 409, 409, 409, 409, 409]


def test_sessions_and_login_limits_are_shared_between_instances(two_consoles):
    _, (console_a, console_b), _ = two_consoles
    on_a = console_a.login("anna", ADVISOR_PASSWORD)
    cookie = on_a.http.cookies.get("lw_console")
    with console_b.client() as other:
        other.cookies.set("lw_console", cookie)
        assert other.get("/api/me").json()["advisor"]["username"] == "anna"
    add_account(two_consoles[0], "cees", "cees-password-1")
    for i, console in enumerate([console_a, console_b] * 3):
        status = (
            console.client().post("/api/login", json={"username": "cees", "password": f"x{i}"}).status_code
        )
        if i < 5:
            assert status == 401
        else:
            assert status == 429


# ---- two Rasa replicas ------------------------------------------------------------------


def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory):
    """Action server, two Rasa replicas (shared PG/Redis/RabbitMQ) and a console on replica B."""
    if not (_listening(5432) and _listening(6379) and _listening(5672)):
        pytest.skip("two-replica test needs PostgreSQL :5432, Redis :6379 and RabbitMQ :5672 on 127.0.0.1")
    import os
    import secrets
    import subprocess

    from leerwijzer.launcher import VENV_BIN, compose_credentials, wait_until_up
    from leerwijzer.settings import PROJECT_ROOT
    from offer_catalogue.database import make_engine, make_session_factory, migrate, seed_sample_if_empty
    from tests.conftest import trained_model

    folder = tmp_path_factory.mktemp("replicas")
    with throwaway_postgres() as app_url, throwaway_postgres() as tracker_url:
        engine = make_engine(app_url)
        migrate(engine)
        seed_sample_if_empty(make_session_factory(engine))
        engine.dispose()
        add_account(app_url, "anna", ADVISOR_PASSWORD)
        action_port, ports = free_port(), [free_port(), free_port()]
        # Secrets only through the environment, as the launcher passes them (never as arguments).
        shared_secrets = {
            name: secrets.token_urlsafe(24)
            for name in (
                "RASA_API_TOKEN",
                "RASA_JWT_SECRET",
                "LEERWIJZER_ACTION_SECRET",
                "LEERWIJZER_REST_TOKEN",
                "LEERWIJZER_WEB_SESSION_SECRET",
            )
        }
        env = dict(os.environ)
        env.update(
            {
                "PYTHONPATH": str(PROJECT_ROOT),
                "RASA_TELEMETRY_ENABLED": "false",
                **shared_secrets,
                "LEERWIJZER_HOST": "127.0.0.1",
                "LEERWIJZER_ACTION_PORT": str(action_port),
                "LEERWIJZER_DATABASE_URL": app_url,
                "LEERWIJZER_ACTION_URL": f"http://127.0.0.1:{action_port}/webhook",
                "LEERWIJZER_PG_HOST": "127.0.0.1",
                "LEERWIJZER_PG_PORT": "5432",
                "LEERWIJZER_PG_TRACKER_DB": _database_name(tracker_url),
                "LEERWIJZER_PG_USER": "postgres",
                "LEERWIJZER_PG_PASSWORD": "",
                "LEERWIJZER_REDIS_HOST": "127.0.0.1",
                "LEERWIJZER_REDIS_PORT": "6379",
                "LEERWIJZER_REDIS_LOCK_DB": "6",
                "LEERWIJZER_RABBITMQ_HOST": "127.0.0.1",
                "LEERWIJZER_RABBITMQ_USER": "guest",
                "LEERWIJZER_RABBITMQ_PASSWORD": "guest",
                "LEERWIJZER_SOCKETIO_MANAGER_URL": "redis://127.0.0.1:6379/7",
                "LEERWIJZER_HELPDESK_BROKER_URL": REDIS_URL,
                "LEERWIJZER_OFFICE_HOURS": "always",
            }
        )
        credentials = folder / "credentials.yml"
        compose_credentials(credentials, env)
        logs = folder / "logs"
        logs.mkdir()
        processes = []

        def spawn(name, args):
            with open(logs / f"{name}.log", "ab") as output:
                process = subprocess.Popen(
                    args,
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            processes.append(process)
            return process

        actions = spawn("actions", [str(VENV_BIN / "python"), "-m", "actions.server"])
        replicas = [
            spawn(
                f"rasa-{port}",
                [
                    # As the launcher starts Rasa: the API secrets come from the environment.
                    str(VENV_BIN / "python"),
                    "-m",
                    "bot.server",
                    "run",
                    "--model",
                    str(trained_model()),
                    "--enable-api",
                    "--cors",
                    "*",
                    "--credentials",
                    str(credentials),
                    "--endpoints",
                    str(PROJECT_ROOT / "bot" / "endpoints.scale.yml"),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
            )
            for port in ports
        ]
        console = None
        try:
            wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, 120)
            for port, process in zip(ports, replicas, strict=True):
                wait_until_up(f"http://127.0.0.1:{port}/webhooks/webchat/", process, 600)
            console = start_console(
                free_port(),
                {
                    "LEERWIJZER_DATABASE_URL": app_url,
                    "LEERWIJZER_HELPDESK_BROKER_URL": REDIS_URL,
                    "LEERWIJZER_RASA_URL": f"http://127.0.0.1:{ports[1]}",
                    "RASA_API_TOKEN": shared_secrets["RASA_API_TOKEN"],
                    "RASA_JWT_SECRET": shared_secrets["RASA_JWT_SECRET"],
                },
                logs,
            )
            yield [f"http://127.0.0.1:{port}" for port in ports], console
        except Exception:
            for log in sorted(logs.glob("*.log")):
                print(f"----- {log.name} -----\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            if console is not None:
                console.stop()
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, 15)
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
            from helpdesk.database import dispose_engines

            dispose_engines()


def test_two_rasa_replicas_behave_like_one(two_replicas):
    from playwright.sync_api import expect

    from tests.e2e.browser import chromium

    (replica_a, _replica_b), console = two_replicas
    advisor = console.login("anna", ADVISOR_PASSWORD)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{replica_a}/webhooks/webchat/chat")
        bot = page.locator(".lw-msg.lw-bot")
        expect(bot.first).to_contain_text("Leerwijzer", timeout=60_000)
        page.get_by_label("Typ je bericht").fill("Ik wil een mens spreken")
        page.keyboard.press("Enter")
        expect(bot.last).to_contain_text("Je komt dan in de wachtrij", timeout=60_000)
        page.get_by_role("button", name="Ja, graag").click()
        expect(bot.last).to_contain_text("nummer 1 in de rij", timeout=60_000)

        waiting = advisor.get("/api/queue").json()["waiting"]
        assert len(waiting) == 1
        conversation_id = waiting[0]["id"]
        assert advisor.post(f"/api/conversations/{conversation_id}/claim").status_code == 200

        # The console talks to replica B; the browser is connected to replica A.
        assert (
            advisor.post(
                f"/api/conversations/{conversation_id}/messages", {"text": "Hoi, ik ben Anna."}
            ).status_code
            == 201
        )
        expect(bot.last).to_contain_text("ik ben Anna", timeout=30_000)

        page.get_by_label("Typ je bericht").fill("Fijn, ik zoek werk")
        page.keyboard.press("Enter")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            texts = [
                m["text"] for m in advisor.get(f"/api/conversations/{conversation_id}").json()["transcript"]
            ]
            if "Fijn, ik zoek werk" in texts:
                break
            time.sleep(0.3)
        assert "Fijn, ik zoek werk" in texts
        assert "ik ben Anna" in bot.last.inner_text()  # the bot said nothing

        assert advisor.post(f"/api/conversations/{conversation_id}/handback").status_code == 200
        expect(bot.last).to_contain_text("weer met Leerwijzer", timeout=30_000)
        page.get_by_label("Typ je bericht").fill("Ik zoek een computercursus in Helmond")
        page.keyboard.press("Enter")
        expect(page.locator(".lw-msg.lw-bot", has_text="Helmond").last).to_be_visible(timeout=60_000)
