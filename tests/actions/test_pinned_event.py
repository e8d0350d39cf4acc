"""After a search the bot mentions a pinned event that fits, once per conversation."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.search import ActionSearchOffers
from helpdesk import pinned_events
from helpdesk.database import session_scope
from leerwijzer.settings import get_settings
from tests.helpdesk.support import copy_sample_database


@pytest.fixture()
def with_event(sample_database_url, tmp_path, monkeypatch) -> str:
    """A private catalogue copy with an open week for computer learners in Helmond."""
    url = copy_sample_database(sample_database_url, tmp_path)
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", url)
    get_settings.cache_clear()
    today = dt.date.today()
    with session_scope(url) as session:
        pinned_events.pin_event(
            session,
            {
                "title": "Week van het digitale leren",
                "title_en": "Digital learning week",
                "place": "Bibliotheek Helmond",
                "starts_on": (today + dt.timedelta(days=3)).isoformat(),
                "ends_on": (today + dt.timedelta(days=7)).isoformat(),
                "municipality": "Helmond",
                "themes": ["computer_basics"],
                "link": "https://bibliotheek.example/digitaal",
            },
            None,
        )
    yield url
    get_settings.cache_clear()


def responses(dispatcher) -> list:
    return [m["response"] for m in dispatcher.messages]


async def test_a_fitting_event_is_mentioned_once_before_the_question(dispatcher, tracker_for, with_event):
    slots = {"topic": "computercursus", "themes": ["computer_basics"], "municipality": "Helmond"}
    events = await ActionSearchOffers().run(dispatcher, tracker_for(slots=slots), {})
    said = responses(dispatcher)
    assert "utter_pinned_event_days" in said and "utter_pinned_event_link" in said
    assert said.index("utter_pinned_event_days") > said.index("utter_offer")
    assert said[-1] == "utter_ask_helpful"
    tip = next(m for m in dispatcher.messages if m["response"] == "utter_pinned_event_days")
    assert tip["title"] == "Week van het digitale leren" and tip["place"] == "Bibliotheek Helmond"
    assert [e["value"] for e in events if e.get("name") == "pinned_event_shown"] == [True]

    again = type(dispatcher)()
    await ActionSearchOffers().run(again, tracker_for(slots={**slots, "pinned_event_shown": True}), {})
    assert not {"utter_pinned_event", "utter_pinned_event_days"} & set(responses(again))


async def test_no_tip_for_another_place_and_the_english_title_in_english(dispatcher, tracker_for, with_event):
    slots = {"topic": "computer", "themes": ["computer_basics"], "municipality": "Eindhoven"}
    await ActionSearchOffers().run(dispatcher, tracker_for(slots=slots), {})
    assert "utter_pinned_event_days" not in responses(dispatcher)

    english = type(dispatcher)()
    slots = {**slots, "municipality": "Helmond", "language": "en", "teaching_language": "nl"}
    await ActionSearchOffers().run(english, tracker_for(slots=slots), {})
    tip = next(m for m in english.messages if m["response"] == "utter_pinned_event_days")
    assert tip["title"] == "Digital learning week"
