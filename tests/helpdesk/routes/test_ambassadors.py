"""Ambassadors in the console API: coordinators register them, get their flyer's links and QR codes."""

from __future__ import annotations

from tests.helpdesk.support import ADVISOR_PASSWORD, new_coordinator


def test_a_coordinator_registers_an_ambassador_and_gets_links_and_qr_codes(helpdesk):
    cora = new_coordinator(helpdesk)
    fields = {"name": "Fatima", "place": "buurthuis De Kastanje", "contact": "06"}
    made = cora.post("/api/ambassadors", fields)
    assert made.status_code == 201
    fatima = made.json()
    assert fatima["active"] and len(fatima["code"]) == 8
    assert fatima["links"]["web"].endswith(f"/webhooks/webchat/chat?ref={fatima['code']}")
    assert fatima["counts"] == {"started": 0, "intake_done": 0, "offer_shown": 0, "handed_off": 0}
    # The test console runs without a public URL: its links only work on this machine.
    assert fatima["links_public"] is False

    png = cora.get(f"/api/ambassadors/{fatima['id']}/qr")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = cora.get(f"/api/ambassadors/{fatima['id']}/qr", params={"format": "svg"})
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content[:300]
    assert cora.get(f"/api/ambassadors/{fatima['id']}/qr", params={"format": "gif"}).status_code == 400
    assert cora.get("/api/ambassadors/999999/qr").status_code == 404

    flyer = cora.get(f"/api/ambassadors/{fatima['id']}/flyer")
    assert flyer.headers["content-type"].startswith("text/html")
    assert "Fatima van buurthuis De Kastanje helpt je op weg." in flyer.text
    assert f"/api/ambassadors/{fatima['id']}/qr?format=svg" in flyer.text
    assert fatima["links"]["web"] in flyer.text

    off = cora.post(f"/api/ambassadors/{fatima['id']}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert cora.post(f"/api/ambassadors/{fatima['id']}", {"active": "no"}).status_code == 400
    listed = {a["id"]: a for a in cora.get("/api/ambassadors").json()["ambassadors"]}
    assert listed[fatima["id"]]["active"] is False

    forgotten = cora.post(f"/api/ambassadors/{fatima['id']}/forget").json()
    assert forgotten["name"] == "(verwijderd)" and forgotten["contact"] is None
    assert cora.post("/api/ambassadors/999999/forget").status_code == 404


def test_advisors_see_no_ambassadors(helpdesk):
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.get("/api/ambassadors").status_code == 403
    assert anna.post("/api/ambassadors", {"name": "X", "place": "Y"}).status_code == 403
    assert anna.get("/api/ambassadors/1/qr").status_code == 403


def test_an_ambassador_without_a_place_is_refused(helpdesk):
    cora = new_coordinator(helpdesk)
    assert cora.post("/api/ambassadors", {"name": "Fatima"}).status_code == 400


def test_a_name_on_the_flyer_is_text_not_html(helpdesk):
    cora = new_coordinator(helpdesk)
    hostile = {"name": "<script>alert(1)</script>", "place": "<b>buurt</b>"}
    made = cora.post("/api/ambassadors", hostile).json()
    flyer = cora.get(f"/api/ambassadors/{made['id']}/flyer").text
    assert "<script>alert" not in flyer and "&lt;script&gt;alert(1)&lt;/script&gt;" in flyer
    assert "<b>buurt</b>" not in flyer
