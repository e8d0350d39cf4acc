"""Pinned events in the console API: coordinators pin and unpin, advisors cannot."""

from __future__ import annotations

from tests.helpdesk.support import ADVISOR_PASSWORD, new_coordinator


def test_a_coordinator_pins_and_unpins_an_event(helpdesk):
    cora = new_coordinator(helpdesk)
    options = cora.get("/api/pinned-events/options").json()
    assert "Helmond" in options["municipalities"] and options["themes"]
    event = {"title": "Open dag", "place": "Bibliotheek", "starts_on": "2099-01-05"}
    event["themes"] = ["computer_basics"]
    made = cora.post("/api/pinned-events", event)
    assert made.status_code == 201 and made.json()["ends_on"] == "2099-01-05"
    assert cora.post("/api/pinned-events", {**event, "starts_on": "gisteren"}).status_code == 400
    listed = {e["id"]: e for e in cora.get("/api/pinned-events").json()["events"]}
    assert listed[made.json()["id"]]["active"] is True
    assert cora.post(f"/api/pinned-events/{made.json()['id']}/unpin").status_code == 200
    assert cora.post("/api/pinned-events/999999/unpin").status_code == 404

    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.get("/api/pinned-events").status_code == 403
    assert anna.get("/api/pinned-events/options").status_code == 403
    assert anna.post(f"/api/pinned-events/{made.json()['id']}/unpin").status_code == 403
    assert anna.post("/api/pinned-events", event).status_code == 403
