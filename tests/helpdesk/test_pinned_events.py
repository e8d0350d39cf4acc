"""Pinned events: what a coordinator may pin, and which one fits a person's place and themes."""

from __future__ import annotations

import datetime as dt

import pytest

from helpdesk import pinned_events
from helpdesk.database import session_scope

TODAY = dt.date(2026, 12, 7)


@pytest.fixture()
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


def pin(url: str, today: dt.date = TODAY, **fields) -> dict:
    data = {"title": "Open dag", "place": "Bibliotheek Helmond", "starts_on": "2026-12-12", **fields}
    with session_scope(url) as session:
        return pinned_events.pin_event(session, data, None, today)


def fitting(url: str, municipality: str | None, themes: list, today: dt.date = TODAY) -> str | None:
    with session_scope(url) as session:
        event = pinned_events.event_for(session, municipality, themes, today)
        return event.title if event else None


def test_an_event_fits_its_place_and_themes_only(url):
    pin(url, title="Digitaal café-week", municipality="Helmond", themes=["computer_basics"])
    assert fitting(url, "Helmond", ["computer_basics", "dutch_second_language"]) == "Digitaal café-week"
    assert fitting(url, "Eindhoven", ["computer_basics"]) is None
    assert fitting(url, "Helmond", ["care_work"]) is None


def test_a_regional_event_without_themes_fits_everyone_the_soonest_first(url):
    pin(url, title="Later", starts_on="2026-12-20")
    pin(url, title="Eerst", starts_on="2026-12-10", ends_on="2026-12-14")
    assert fitting(url, "Best", []) == "Eerst"
    assert fitting(url, None, ["welding"]) == "Eerst"


def test_ended_far_away_and_unpinned_events_are_not_mentioned(url):
    pin(url, title="Voorbij", starts_on="2026-11-01", ends_on="2026-11-30", today=dt.date(2026, 10, 1))
    pin(url, title="Volgend jaar", starts_on="2027-06-01")
    gone = pin(url, title="Losgemaakt")
    with session_scope(url) as session:
        assert pinned_events.unpin(session, gone["id"]) and not pinned_events.unpin(session, 999)
    assert fitting(url, "Helmond", []) is None
    # Still listed for the coordinator until it ends (unpinned ones too, marked).
    with session_scope(url) as session:
        titles = {e["title"]: e["active"] for e in pinned_events.list_events(session, TODAY)}
    assert titles == {"Volgend jaar": True, "Losgemaakt": False}


@pytest.mark.parametrize(
    "wrong",
    [
        {"title": ""},
        {"starts_on": "12-12-2026"},
        {"ends_on": "2026-12-01"},
        {"municipality": "Amsterdam"},
        {"themes": ["no_such_theme"]},
        {"link": "javascript:alert(1)"},
        {"link": "http://bieb.example/open-dag"},
        {"link": "https://bieb.example/open dag"},
        {"themes": "computer_basics"},
        {"themes": 5},
        {"starts_on": "2026-12-01", "ends_on": "2026-12-06"},  # ended yesterday
    ],
)
def test_a_wrong_field_is_refused_with_a_reason(url, wrong):
    with pytest.raises(pinned_events.EventError):
        pin(url, **wrong)


def test_a_village_name_is_stored_as_its_municipality_and_options_name_themes(url):
    assert pin(url, municipality="eindhoven")["municipality"] == "Eindhoven"
    options = pinned_events.options()
    assert "Helmond" in options["municipalities"]
    computer = next(t for t in options["themes"] if t["id"] == "computer_basics")
    assert computer["name"]


def test_the_event_for_this_place_and_wish_comes_before_a_regional_campaign(url):
    pin(url, title="Campagne Leven Lang Ontwikkelen", starts_on="2026-12-01", ends_on="2027-11-30",
        today=dt.date(2026, 11, 1))
    pin(url, title="Open dag computers Helmond", starts_on="2026-12-20", municipality="Helmond",
        themes=["computer_basics"])
    assert fitting(url, "Helmond", ["computer_basics"]) == "Open dag computers Helmond"
    assert fitting(url, "Best", ["computer_basics"]) == "Campagne Leven Lang Ontwikkelen"
