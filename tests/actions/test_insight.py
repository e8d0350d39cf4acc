"""The search counts each question for the library's insight: theme, place, channel and what failed."""

from __future__ import annotations

from typing import Dict, Tuple

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.database import session_scope
from actions.insight import insight_place
from actions.search import ActionSearchOffers
from helpdesk.models import InsightCount

Key = Tuple[str, str, str, str, str, str]


def searches() -> Dict[Key, int]:
    """Search counts by (metric, channel, language, theme, municipality, result); the database is shared."""
    with session_scope() as session:
        rows = session.execute(
            select(InsightCount).where(InsightCount.metric.in_(("search", "search_theme")))
        ).scalars()
        return {(r.metric, r.channel, r.language, r.theme, r.municipality, r.detail): r.count for r in rows}


def added(before: Dict[Key, int]) -> Dict[Key, int]:
    after = searches()
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}


def on_whatsapp(tracker):
    tracker.events[-1]["input_channel"] = "whatsapp"
    return tracker


def remembered(events: list) -> list:
    return next(e["value"] for e in events if e.get("name") == "questions_counted")


async def test_a_question_that_fits_is_counted_once_and_per_theme(dispatcher, tracker_for, app_settings):
    before = searches()
    slots = {"topic": "computer", "themes": ["computer_basics", "english"], "municipality": "Helmond"}
    events = await ActionSearchOffers().run(dispatcher, on_whatsapp(tracker_for(slots=slots)), {})
    assert any(m["response"] == "utter_offer" for m in dispatcher.messages)
    assert added(before) == {
        ("search", "whatsapp", "nl", "", "Helmond", "fitted"): 1,
        ("search_theme", "whatsapp", "nl", "computer_basics", "Helmond", "fitted"): 1,
        ("search_theme", "whatsapp", "nl", "english", "Helmond", "fitted"): 1,
    }

    # The same question again in this chat ("meer", a limit loosened with one tap) is not new.
    again = {**slots, "questions_counted": remembered(events)}
    before = searches()
    await ActionSearchOffers().run(CollectingDispatcher(), tracker_for(slots=again), {})
    await ActionSearchOffers().run(
        CollectingDispatcher(),
        tracker_for("meer", intent="more_offers", slots={**again, "offers_shown": ["1"]}),
        {},
    )
    assert added(before) == {}


async def test_a_question_blocked_by_the_budget_is_counted_with_that_limit(
    dispatcher, tracker_for, app_settings
):
    before = searches()
    slots = {"themes": ["cnc"], "topic": "cnc", "municipality": "Helmond", "budget": "free"}
    await ActionSearchOffers().run(dispatcher, tracker_for(slots=slots), {})
    assert added(before) == {
        ("search", "", "nl", "", "Helmond", "price"): 1,
        ("search_theme", "", "nl", "cnc", "Helmond", "price"): 1,
    }
    # Dearer offers shown because the employer may pay still missed the person's own budget.
    before = searches()
    await ActionSearchOffers().run(
        CollectingDispatcher(), tracker_for(slots={**slots, "employer_pays": True}), {}
    )
    assert added(before)[("search", "", "nl", "", "Helmond", "price")] == 1


async def test_a_question_with_nothing_at_all_counts_as_nothing(dispatcher, tracker_for, app_settings):
    before = searches()
    await ActionSearchOffers().run(
        dispatcher, tracker_for(slots={"topic": "onderwaterfietsen", "municipality": "Asten"}), {}
    )
    assert added(before) == {
        ("search", "", "nl", "", "Asten", "nothing"): 1,
        ("search_theme", "", "nl", "", "Asten", "nothing"): 1,
    }


async def test_a_failing_count_never_costs_the_answer(dispatcher, tracker_for, app_settings, monkeypatch):
    calls = []

    def broken(*_args, **_kwargs):
        calls.append(1)
        raise RuntimeError("database gone")

    monkeypatch.setattr("helpdesk.counts.count", broken)
    slots = {"topic": "computer", "themes": ["computer_basics"], "municipality": "Helmond"}
    events = await ActionSearchOffers().run(dispatcher, tracker_for(slots=slots), {})
    assert calls and any(m["response"] == "utter_offer" for m in dispatcher.messages)
    assert not any(e.get("name") == "questions_counted" for e in events)  # tried again next time


@pytest.mark.parametrize(
    ("said", "counted"), [("Helmond", "Helmond"), ("elsewhere", "elsewhere"), ("unknown", ""), (None, "")]
)
def test_places_are_counted_as_region_municipalities_only(said, counted):
    assert insight_place(said) == counted
