"""Fault probe: one process dies, users still get answers, and the launcher brings it back.

Each test kills one child of the running stack by its PID (SIGKILL: no chance to clean up),
checks what a user sees meanwhile, and waits until the launcher has started it again and it
serves normally. Time limits below only stop a hanging test; how long each step took is
printed (run with -s to see it).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Any, Callable

import httpx
import pytest
from rasa.shared.core.domain import Domain

from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.chat import say, search, texts

pytestmark = [pytest.mark.e2e, pytest.mark.probe]

SEARCH = "Ik zoek een computercursus in Helmond"


def try_again_texts() -> set[str]:
    """Both language variants of utter_try_again_later, from the domain."""
    domain = Domain.load(str(PROJECT_ROOT / "bot" / "domain"))
    return {variant["text"] for variant in domain.responses["utter_try_again_later"]}


def wait_until(condition: Callable[[], Any], limit: float, what: str) -> float:
    """Poll `condition` until it holds; return the seconds it took (fail after `limit`)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if condition():
                return time.monotonic() - started
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {limit:.0f} s")


def answers(url: str) -> bool:
    """True when `url` answers 200."""
    return httpx.get(url, timeout=5).status_code == 200


def kill(stack: Any, name: str) -> Any:
    """SIGKILL one child by its PID and wait until it is gone; return the old process."""
    process = stack.processes[name]
    os.kill(process.pid, signal.SIGKILL)
    wait_until(lambda: process.poll() is not None, 30, f"the {name} process to die")
    return process


def test_action_server_down_user_hears_try_again_then_normal_service(rasa_stack):
    before = search(rasa_stack, f"fault-{uuid.uuid4().hex}", SEARCH)
    assert "Helmond" in texts(before) and not set(texts(before).splitlines()) & try_again_texts()

    killed_at = time.monotonic()
    # Restarts wait until this message is answered, however slow the machine: the launcher
    # would otherwise start the action server again after 1 s, perhaps before Rasa calls it.
    user = f"fault-{uuid.uuid4().hex}"
    with rasa_stack.restarts_held():
        old = kill(rasa_stack, "actions")
        during = say(rasa_stack, user, SEARCH)
    answered_during = time.monotonic() - killed_at
    assert during, "never silence"
    assert [r["text"] for r in during if r.get("text") in try_again_texts()], during
    assert rasa_stack.processes["rasa"].poll() is None and rasa_stack.processes["console"].poll() is None

    restarted = wait_until(lambda: rasa_stack.processes["actions"] is not old, 60, "the restart")
    healthy = wait_until(lambda: answers(f"{rasa_stack.action_server_url}/health"), 120, "health")
    after = search(rasa_stack, user, SEARCH)  # the same user tries again, as asked
    normal_at = time.monotonic() - killed_at
    assert "Helmond" in texts(after) and after[-1].get("buttons"), after
    assert not set(texts(after).splitlines()) & try_again_texts()
    print(
        f"\naction server killed: try-again answer after {answered_during:.1f} s, restarted after "
        f"{restarted:.1f} s, healthy {healthy:.1f} s later, normal answer {normal_at:.1f} s after the kill"
    )


def test_console_down_chat_goes_on_and_console_comes_back(rasa_stack):
    killed_at = time.monotonic()
    old = kill(rasa_stack, "console")
    replies = say(rasa_stack, f"fault-{uuid.uuid4().hex}", "hoi")
    assert "Leerwijzer" in texts(replies)
    restarted = wait_until(lambda: rasa_stack.processes["console"] is not old, 60, "the restart")
    healthy = wait_until(lambda: answers(f"{rasa_stack.console_url}/health"), 120, "the console's health")
    print(
        f"\nconsole killed: REST answered meanwhile, restarted after {restarted:.1f} s, healthy "
        f"{healthy:.1f} s later ({time.monotonic() - killed_at:.1f} s after the kill)"
    )


def test_rasa_down_is_restarted_and_answers_again(rasa_stack):
    killed_at = time.monotonic()
    old = kill(rasa_stack, "rasa")
    assert rasa_stack.processes["actions"].poll() is None and rasa_stack.processes["console"].poll() is None
    restarted = wait_until(lambda: rasa_stack.processes["rasa"] is not old, 60, "the restart")
    up = wait_until(lambda: answers(f"{rasa_stack.rasa_url}/webhooks/webchat/"), 300, "Rasa to serve again")
    replies = search(rasa_stack, f"fault-{uuid.uuid4().hex}", SEARCH)
    assert "Helmond" in texts(replies) and replies[-1].get("buttons"), replies
    print(
        f"\nRasa killed: restarted after {restarted:.1f} s, serving {up:.1f} s later, "
        f"normal answer {time.monotonic() - killed_at:.1f} s after the kill"
    )


def test_a_message_kept_before_rasa_died_is_answered_after_the_restart(rasa_stack):
    # Telegram got its 200 (the message was kept), then Rasa died before or while answering.
    import sqlalchemy as sa

    from tests.e2e.phone import Phone

    phone = Phone(rasa_stack, "telegram")
    killed_at = time.monotonic()
    phone.send("Ik zoek een computercursus in Helmond")
    old = kill(rasa_stack, "rasa")
    wait_until(lambda: rasa_stack.processes["rasa"] is not old, 60, "the restart")
    # Answered before the kill, or replayed from the inbox by the new process (lease 15 s).
    phone.wait_for(lambda text: True, timeout=180)  # any answer: the kept message was not lost
    engine = sa.create_engine(rasa_stack.settings.database_url)

    def inbox_rows() -> list:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT status, attempts FROM channel_inbox WHERE conversation_id = :c"),
                {"c": phone.conversation_id},
            ).all()

    try:
        # The row is marked done right after the answer went out.
        done = lambda: [row.status for row in inbox_rows()] == ["done"]  # noqa: E731
        wait_until(done, 30, "the kept message marked done")
        rows = inbox_rows()
    finally:
        engine.dispose()
    print(
        f"\nRasa killed right after a kept message: answered {time.monotonic() - killed_at:.1f} s after "
        f"the kill (delivery attempts of the kept message: {rows[0].attempts})"
    )
