"""Offer search: fill what and where, query the catalogue, show up to three offers."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent, latest_text, user_language
from actions.database import run_in_session
from actions.formatting import ONLINE, format_start, place_phrase
from actions.intake import ELSEWHERE, UNKNOWN
from actions.topic import extract_topic
from leerwijzer.settings import get_settings
from offer_catalogue.region import resolve_place
from offer_catalogue.search import SearchQuery, SearchResult, format_price, format_reasons, search_offers

logger = logging.getLogger(__name__)

# When nothing is found in the user's own municipality, look this far around it.
NEARBY_KM = 20.0


class ValidateSearchForm(FormValidationAction):
    """Fills `topic` and `municipality` from free text, whichever turn they come in."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_search_form"

    async def extract_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Take the subject from a new search request, or from the answer to "what?"."""
        text = latest_text(tracker)
        if text.startswith("/"):
            return {}  # a button payload fills topic through its entity
        new_request = latest_intent(tracker) == "search_offer"
        asked = tracker.get_slot("requested_slot") == "topic"
        if not (new_request or asked):
            return {}
        place = resolve_place(text)
        topic = extract_topic(text, (place.matched_text,) if place else ())
        if topic is None:
            # A new request without a subject clears the old one, so the form asks again.
            return {"topic": None} if new_request else {}
        return {"topic": topic}

    async def extract_municipality(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Find a municipality, village or "online" anywhere in the message."""
        text = latest_text(tracker)
        if text.startswith("/"):
            return {}
        place = resolve_place(text)
        if place is not None:
            municipality = ONLINE if place.kind == "online" else place.municipality
            return {"municipality": municipality}
        if tracker.get_slot("requested_slot") == "municipality":
            dispatcher.utter_message(response="utter_place_unknown")
        return {}


class ActionSearchOffers(Action):
    """Searches the offer catalogue for the topic and place, and shows the best offers."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_search_offers"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Query the catalogue and utter up to `max_offers_shown` offers with reasons."""
        language = user_language(tracker)
        topic = search_text(tracker)
        municipality = tracker.get_slot("municipality")
        query = build_query(tracker, topic, language)
        limit = get_settings().max_offers_shown

        def search(session: Any) -> List[SearchResult]:
            results = search_offers(session, query, limit=limit)
            if not results and query.target_group:
                query.target_group = None
                results = search_offers(session, query, limit=limit)
            if not results and query.municipality:
                query.within_km = NEARBY_KM
                results = search_offers(session, query, limit=limit)
            return results

        results = await run_in_session(search)
        where = place_phrase(None if municipality in (UNKNOWN, ELSEWHERE) else municipality, language)
        if not results:
            dispatcher.utter_message(response="utter_no_offers", topic=topic, where=where)
            return [SlotSet("offers_shown", [])]

        dispatcher.utter_message(response="utter_offers_intro", topic=topic, where=where)
        for result in results:
            dispatcher.utter_message(
                response="utter_offer",
                title=result.title,
                provider=result.provider,
                place=result.place_text,
                price=format_price(result, language),
                start=format_start(result.start_date, language),
                reasons=format_reasons(result, language),
            )
        if tracker.latest_action_name != "action_save_intake":
            # After the intake the bot asks about an advisor instead (see data/rules/intake.yml).
            dispatcher.utter_message(response="utter_ask_helpful")
        return [SlotSet("offers_shown", [str(result.offer_id) for result in results])]


# Intake answers -> catalogue filters.
BUDGET_MAX_EUR = {"up_to_100": 100, "up_to_500": 500}
ROLE_TARGET_GROUP = {
    "job_seeker": "werkzoekenden",
    "entrepreneur": "ondernemers",
    "retiree": "senioren",
    "employee": "werkenden",
}
GOAL_SEARCH_WORDS = {
    "digital_skills": "computer",
    "dutch_language": "nederlands",
    "care_for_relative": "mantelzorg",
    "business": "ondernemen",
    "find_work": "solliciteren",
    "recognition": "evc",
    "switch_career": "loopbaan",
    "grow_in_job": "loopbaan",
    "exploring": "loopbaan",
}


def search_text(tracker: Tracker) -> str:
    """What to search for: the topic, else words that fit the intake goal."""
    topic = tracker.get_slot("topic")
    if topic and topic != UNKNOWN:
        return str(topic)
    return GOAL_SEARCH_WORDS.get(tracker.get_slot("goal") or "", "")


def build_query(tracker: Tracker, topic: str, language: str) -> SearchQuery:
    """Turn the slots (search or intake) into a catalogue query with filters."""
    municipality = tracker.get_slot("municipality")
    mode_preference = tracker.get_slot("mode_preference")
    online = municipality in (ONLINE, ELSEWHERE) or mode_preference == "online"
    mode = "online" if online else ("on_site" if mode_preference == "on_site" else None)
    place = None if municipality in (None, ONLINE, ELSEWHERE, UNKNOWN) else municipality
    budget = tracker.get_slot("budget")
    return SearchQuery(
        text=topic,
        municipality=place,
        mode=mode,
        free_only=budget == "free",
        max_price_eur=BUDGET_MAX_EUR.get(budget or ""),
        target_group=ROLE_TARGET_GROUP.get(tracker.get_slot("role") or ""),
        language=language,
    )
