"""Standard replies in the console API: everyone reads, coordinators and admins write."""

from __future__ import annotations

from tests.helpdesk.support import ADMIN_PASSWORD, ADVISOR_PASSWORD, new_coordinator


def delete(who, reply_id: int) -> int:
    """DELETE a reply with the CSRF header; the status code."""
    return who.http.delete(f"/api/replies/{reply_id}", headers={"X-CSRF-Token": who.csrf}).status_code


def test_a_new_helpdesk_has_standard_replies_in_both_languages(helpdesk):
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    dutch = anna.get("/api/replies", params={"language": "nl"}).json()["replies"]
    english = anna.get("/api/replies", params={"language": "en"}).json()["replies"]
    assert dutch and english
    assert {r["language"] for r in dutch} == {"nl"} and {r["language"] for r in english} == {"en"}
    assert any("inloopspreekuur" in r["text"].lower() for r in dutch)
    assert anna.get("/api/replies", params={"language": "de"}).status_code == 400


def test_advisors_cannot_change_replies_and_coordinators_can(helpdesk):
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    cora = new_coordinator(helpdesk)
    reply = {"language": "nl", "title": "Bellen", "text": "Wil je dat we je bellen? Stuur je nummer."}
    assert anna.post("/api/replies", reply).status_code == 403

    made = cora.post("/api/replies", reply)
    assert made.status_code == 201
    reply_id = made.json()["id"]
    changed = cora.post(f"/api/replies/{reply_id}", {**reply, "text": "Zullen we je bellen?"})
    assert changed.status_code == 200
    texts = {r["id"]: r["text"] for r in anna.get("/api/replies").json()["replies"]}
    assert texts[reply_id] == "Zullen we je bellen?"

    assert delete(anna, reply_id) == 403
    assert delete(cora, reply_id) == 200
    assert reply_id not in {r["id"] for r in anna.get("/api/replies").json()["replies"]}
    assert delete(cora, reply_id) == 404
    # A coordinator is no admin: accounts stay with the admins.
    assert cora.get("/api/advisors").status_code == 403


def test_a_reply_without_text_or_in_an_unknown_language_is_refused(helpdesk):
    admin = helpdesk.console.login("admin", ADMIN_PASSWORD)
    for wrong in (
        {"language": "nl", "title": "Leeg", "text": "  "},
        {"language": "fr", "title": "Bonjour", "text": "Salut"},
        {"language": "nl", "title": "x" * 81, "text": "Hoi"},
    ):
        assert admin.post("/api/replies", wrong).status_code == 400, wrong
    fine = {"language": "nl", "title": "Hoi", "text": "Hoi"}
    assert admin.post("/api/replies/999999", fine).status_code == 404
