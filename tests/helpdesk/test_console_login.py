"""Console login against a real console process: limits an outsider cannot turn against an advisor.

The console trusts no proxy header here, so the address a failure counts for is the real
peer address: the tests call from different loopback addresses (127.0.0.2, 127.0.0.3, ...).
"""

from __future__ import annotations

import threading
from typing import List

from sqlalchemy import func, select

from helpdesk.database import session_scope
from helpdesk.models import LoginAttempt
from tests.helpdesk.support import ADMIN_PASSWORD, add_account

LOGIN = "/api/login"


def failures(url: str, key: str) -> int:
    with session_scope(url) as session:
        query = select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key)
        return session.execute(query).scalar_one()


def test_wrong_passwords_from_one_address_do_not_lock_the_advisor_out_from_another(helpdesk):
    add_account(helpdesk.database_url, "erik", "erik-password-1")
    right = {"username": "erik", "password": "erik-password-1"}
    with helpdesk.console.client("127.0.0.2") as stranger, helpdesk.console.client("127.0.0.3") as erik:
        statuses = [
            stranger.post(LOGIN, json={"username": "erik", "password": f"guess-{i}"}).status_code
            for i in range(5)
        ]
        assert statuses == [401] * 5
        # A header naming another address changes nothing: no proxy is trusted.
        spoofed = stranger.post(
            LOGIN, json=right, headers={"X-Forwarded-For": "127.0.0.3", "X-Real-IP": "127.0.0.3"}
        )
        assert spoofed.status_code == 429
        assert erik.post(LOGIN, json=right).status_code == 200  # the advisor still gets in
        assert stranger.post(LOGIN, json=right).status_code == 429  # the guessing address does not


def test_parallel_wrong_logins_are_all_counted_and_never_fail(helpdesk):
    url = helpdesk.database_url
    add_account(url, "fenna", "fenna-password-1")
    count = 12
    barrier = threading.Barrier(count)
    statuses: List[int] = []

    def guess(i: int) -> None:
        with helpdesk.console.client("127.0.0.4") as client:
            barrier.wait()
            statuses.append(client.post(LOGIN, json={"username": "fenna", "password": f"x-{i}"}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # No "database is locked" 500s; exactly the limit of guesses got an answer, each one counted.
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert failures(url, "account:fenna@127.0.0.4") == 5
    assert failures(url, "address:127.0.0.4") == 5
    right = {"username": "fenna", "password": "fenna-password-1"}
    with helpdesk.console.client("127.0.0.4") as same, helpdesk.console.client("127.0.0.5") as other:
        assert same.post(LOGIN, json=right).status_code == 429
        assert other.post(LOGIN, json=right).status_code == 200


def test_an_address_guessing_many_accounts_is_stopped(helpdesk):
    url = helpdesk.database_url
    for name in ("gert", "hans", "ilse", "joke", "kees"):
        add_account(url, name, f"{name}-password-1")
    with helpdesk.console.client("127.0.0.6") as client:
        statuses = [
            client.post(LOGIN, json={"username": name, "password": f"guess-{i}"}).status_code
            for name in ("gert", "hans", "ilse", "joke", "kees")
            for i in range(4)  # under the per-account limit of 5 each
        ]
        assert statuses == [401] * 20
        right = {"username": "gert", "password": "gert-password-1"}
        assert client.post(LOGIN, json=right).status_code == 429
    with helpdesk.console.client("127.0.0.7") as elsewhere:
        assert elsewhere.post(LOGIN, json=right).status_code == 200


def test_a_new_password_ends_every_session_of_that_advisor(helpdesk):
    url = helpdesk.database_url
    lies_id = add_account(url, "lies", "lies-password-1")
    phone, laptop = (helpdesk.console.login("lies", "lies-password-1") for _ in range(2))
    admin = helpdesk.console.login("admin", ADMIN_PASSWORD)

    # An admin sets a new password: Lies is logged out everywhere.
    assert admin.post(f"/api/advisors/{lies_id}", {"password": "lies-new-password"}).status_code == 200
    assert phone.get("/api/me").status_code == 401 and laptop.get("/api/me").status_code == 401
    assert helpdesk.console.client().post(
        LOGIN, json={"username": "lies", "password": "lies-password-1"}
    ).status_code == 401

    # Lies changes it herself: her other sessions end, this one goes on with a new cookie.
    here, there = (helpdesk.console.login("lies", "lies-new-password") for _ in range(2))
    wrong = here.post(
        "/api/me/password", {"current_password": "not-my-password", "new_password": "lies-third-pw-1"}
    )
    assert wrong.status_code == 403
    assert failures(url, "account:lies@127.0.0.1") == 1  # a wrong current password counts
    short = here.post("/api/me/password", {"current_password": "lies-new-password", "new_password": "short"})
    assert short.status_code == 400
    changed = here.post(
        "/api/me/password", {"current_password": "lies-new-password", "new_password": "lies-third-pw-1"}
    )
    assert changed.status_code == 200
    assert there.get("/api/me").status_code == 401
    assert here.get("/api/me").status_code == 200  # the new cookie came with the answer
    here.csrf = changed.json()["csrf_token"]
    assert here.post("/api/logout").status_code == 200
    assert helpdesk.console.login("lies", "lies-third-pw-1").get("/api/me").status_code == 200
