"""The search counts each question for the library's insight: theme, place, channel and what failed."""

from __future__ import annotations

from typing import Dict, Tuple

import pytest
from sqlalchemy import select

from actions.database import session_scope
from actions.insight import insight_place
from actions.search import ActionSearchOffers
from helpdesk.models import InsightCount

Key = Tuple[str, str, str, str, str]


def searches() -> Dict[Key, int]:
    """Search counts by (channel, language, theme, municipality, result); the database is shared."""
    with session_scope() as session:
        rows = session.execute(select(InsightCount).where(InsightCount.metric == "search")).scalars()
        return {(r.channel, r.language, r.theme, r.municipality, r.detail): r.count for r in rows}


def added(before: Dict[Key, int]) -> Dict[Key, int]:
    after = searches()
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}


def on_whatsapp(tracker):
    tracker.events[-1]["input_channel"] = "whatsapp"
    return tracker


async def test_a_search_that_fits_is_counted_per_theme_and_place(dispatcher, tracker_for, app_settings):
    before = searches()
    slots = {"topic": "computer", "themes": ["computer_basics"], "municipality": "Helmond"}
    await ActionSearchOffers().run(dispatcher, on_whatsapp(tracker_for(slots=slots)), {})
    assert any(m["response"] == "utter_offer" for m in dispatcher.messages)
    assert added(before) == {("whatsapp", "nl", "computer_basics", "Helmond", "fitted"): 1}


async def test_a_search_blocked_by_the_budget_is_counted_with_that_limit(
    dispatcher, tracker_for, app_settings
):
    before = searches()
    slots = {"themes": ["cnc"], "topic": "cnc", "municipality": "Helmond", "budget": "free"}
    await ActionSearchOffers().run(dispatcher, tracker_for(slots=slots), {})
    assert added(before) == {("", "nl", "cnc", "Helmond", "price"): 1}


async def test_a_question_with_nothing_at_all_counts_as_nothing(dispatcher, tracker_for, app_settings):
    before = searches()
    await ActionSearchOffers().run(
        dispatcher, tracker_for(slots={"topic": "onderwaterfietsen", "municipality": "Asten"}), {}
    )
    assert added(before) == {("", "nl", "", "Asten", "nothing"): 1}


async def test_the_next_page_of_the_same_search_is_not_a_new_question(dispatcher, tracker_for, app_settings):
    slots = {
        "topic": "computer",
        "themes": ["computer_basics"],
        "municipality": "Helmond",
        "offers_shown": ["1"],
    }
    before = searches()
    await ActionSearchOffers().run(dispatcher, tracker_for("meer", intent="more_offers", slots=slots), {})
    assert added(before) == {}


async def test_a_failing_count_never_costs_the_answer(dispatcher, tracker_for, app_settings, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("helpdesk.counts.count", broken)
    slots = {"topic": "computer", "themes": ["computer_basics"], "municipality": "Helmond"}
    await ActionSearchOffers().run(dispatcher, tracker_for(slots=slots), {})
    assert any(m["response"] == "utter_offer" for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("said", "counted"), [("Helmond", "Helmond"), ("elsewhere", "elsewhere"), ("unknown", ""), (None, "")]
)
def test_places_are_counted_as_region_municipalities_only(said, counted):
    assert insight_place(said) == counted
