"""Offer search: fill what and where, query the catalogue, show up to three offers."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent, latest_text, user_language
from actions.database import run_in_session
from actions.formatting import ONLINE, format_start, place_phrase
from actions.intake import ELSEWHERE, UNKNOWN, answer_place, label
from actions.profile import (
    KeepProfileSlots,
    ask_topic,
    known_themes,
    latest_profile,
    place_optional,
    topic_label,
    topic_update,
    understood_sentence,
)
from actions.topic import extract_topic
from leerwijzer.settings import get_settings
from offer_catalogue.region import normalise, resolve_place
from offer_catalogue.search import SearchQuery, SearchResult, format_price, format_reasons, search_offers
from offer_catalogue.themes import theme_query

logger = logging.getLogger(__name__)

# When nothing is found in the user's own municipality, look this far around it.
NEARBY_KM = 20.0


class ValidateSearchForm(KeepProfileSlots, FormValidationAction):
    """Fills `topic` and `municipality` from free text, whichever turn they come in.

    The topic comes from the themes the profile extractor found (never from leftover words);
    the place is only asked when it is missing and online is not fine.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_search_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """Always a topic; a place only when none is known and online is not wanted."""
        if place_optional(tracker.slots):
            return ["topic"]
        return ["topic", "municipality"]

    async def extract_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Take the subject from the themes of a new request or of the answer to "what?"."""
        return topic_update(tracker, new_request=latest_intent(tracker) == "search_offer")

    async def extract_municipality(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Find a municipality, village or "online" anywhere in the message."""
        text = latest_text(tracker)
        if text.startswith("/"):
            return {}
        place = resolve_place(text)
        if place is None and tracker.get_slot("requested_slot") == "municipality":
            place = answer_place(text)
        profile = latest_profile(tracker)
        if place is not None and not (place.kind == "online" and profile.get("mode_preference") == "on_site"):
            municipality = ONLINE if place.kind == "online" else place.municipality
            return {"municipality": municipality}
        if tracker.get_slot("requested_slot") == "municipality" and not profile:
            # Only when the message said nothing else we understood.
            dispatcher.utter_message(response="utter_place_unknown")
        return {}


class ActionAskSearchTopic(Action):
    """Asks the search's topic question; after an unclear wish, with buttons of near themes."""

    def name(self) -> str:
        """Name of the action in the domain (the form calls it instead of the response)."""
        return "action_ask_search_form_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Utter the plain question or the clarifying one."""
        ask_topic(dispatcher, tracker.slots, user_language(tracker), "utter_ask_topic")
        return []


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
        after_intake = tracker.latest_action_name == "action_save_intake"
        refinement = "" if after_intake else refinement_word(latest_text(tracker))
        if refinement == "other":
            # "iets anders": forget the subject and ask for a new one (the place etc. stay).
            dispatcher.utter_message(response="utter_ask_topic")
            return [SlotSet("topic", None), SlotSet("themes", None), SlotSet("wish_unclear", None)]
        if not after_intake and not _has_subject(tracker):
            # Nothing to search for yet ("meer" before any theme, an unclear answer).
            words = extract_topic(latest_text(tracker)) or "?"
            ask_topic(dispatcher, {"wish_unclear": words, "role": tracker.get_slot("role")}, language, "")
            return [SlotSet("wish_unclear", words)]
        municipality = tracker.get_slot("municipality")
        theme_ids = known_themes(tracker.slots)
        query = build_query(tracker, search_text(tracker), language)
        topic = shown_topic(tracker, language)
        limit = get_settings().max_offers_shown
        # "meer": the next offers, leaving out the ones already shown.
        skip = {str(i) for i in tracker.get_slot("offers_shown") or []} if refinement == "more" else set()

        def search(session: Any) -> List[SearchResult]:
            def run(current: SearchQuery) -> List[SearchResult]:
                found = search_offers(session, current, limit=limit + len(skip))
                return [result for result in found if str(result.offer_id) not in skip][:limit]

            def find(text: str) -> List[SearchResult]:
                current = dataclasses.replace(query, text=text)
                results = run(current)
                if not results and current.target_group:
                    current.target_group = None
                    results = run(current)
                if not results and current.municipality and current.within_km is None:
                    # Never wider than a distance the user set ("niet verder dan 10 km").
                    current.within_km = NEARBY_KM
                    results = run(current)
                return results

            if len(theme_ids) < 2:
                return find(query.text)
            # One query for several themes lets the best-covered theme take every place;
            # take turns instead: the best offer per theme first ("heftruck", "computer").
            per_theme = [find(theme_query([theme])) for theme in theme_ids]
            merged: List[SearchResult] = []
            seen: set = set()
            for rank in range(limit):
                for found in per_theme:
                    if rank < len(found) and found[rank].offer_id not in seen and len(merged) < limit:
                        seen.add(found[rank].offer_id)
                        merged.append(found[rank])
            return merged

        results = await run_in_session(search)
        if tracker.latest_action_name != "action_save_intake":
            # Say back what was understood; after the intake its summary already did.
            sentence = understood_sentence(tracker.slots, language)
            if sentence:
                dispatcher.utter_message(response="utter_understood", understood=sentence)
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


# Short replies after the offers that change the list, not the profile.
MORE_WORDS = frozenset(
    ["meer", "meer opties", "laat meer zien", "nog meer", "more", "show me more", "more options"]
)
OTHER_WORDS = frozenset(["iets anders", "wat anders", "anders", "something else", "something different"])


def refinement_word(text: str) -> str:
    """Return "more" or "other" for those short replies, else an empty string."""
    cleaned = normalise(text)
    if cleaned in MORE_WORDS:
        return "more"
    if cleaned in OTHER_WORDS:
        return "other"
    return ""


def _has_subject(tracker: Tracker) -> bool:
    """Whether there is anything to search for: themes, a topic or an intake goal."""
    topic = tracker.get_slot("topic")
    return bool(known_themes(tracker.slots) or (topic and topic != UNKNOWN) or tracker.get_slot("goal"))


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
    """What to search for: the themes' words, else the topic, else words for the intake goal."""
    theme_ids = known_themes(tracker.slots)
    if theme_ids:
        return theme_query(theme_ids)
    topic = tracker.get_slot("topic")
    if topic and topic != UNKNOWN:
        return str(topic)
    return GOAL_SEARCH_WORDS.get(tracker.get_slot("goal") or "", "")


def shown_topic(tracker: Tracker, language: str) -> str:
    """What the results are "for": the theme labels, the intake goal, or "je vraag".

    The user's leftover words are not repeated ("just moved and need dutch job cheap").
    """
    if known_themes(tracker.slots):
        return topic_label(tracker.slots, language)
    goal = tracker.get_slot("goal")
    if goal in GOAL_SEARCH_WORDS:
        return label("goal", goal, language).lower()
    return topic_label({}, language)


def _number(value: Any) -> float | None:
    """A slot value as a number (entities may arrive as text), else None."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def build_query(tracker: Tracker, topic: str, language: str) -> SearchQuery:
    """Turn the slots (search or intake) into a catalogue query with filters."""
    municipality = tracker.get_slot("municipality")
    mode_preference = tracker.get_slot("mode_preference")
    online = municipality in (ONLINE, ELSEWHERE) or mode_preference == "online"
    mode = "online" if online else ("on_site" if mode_preference == "on_site" else None)
    place = None if municipality in (None, ONLINE, ELSEWHERE, UNKNOWN) else municipality
    if mode_preference == "on_site" and not place:
        mode = "on_site"
    budget = tracker.get_slot("budget")
    max_price = _number(tracker.get_slot("max_price_eur"))
    if max_price is None:
        max_price = BUDGET_MAX_EUR.get(budget or "")
    distance = _number(tracker.get_slot("max_distance_km"))
    role = tracker.get_slot("role")
    return SearchQuery(
        text=topic,
        municipality=place,
        within_km=distance if place and distance else None,
        mode=mode,
        free_only=budget == "free" or max_price == 0,
        max_price_eur=max_price if max_price else None,
        # With themes the subject is clear; the target group (it filters, in the catalogue)
        # turned "Nederlands" for a worker into English courses tagged "werkenden".
        target_group=None if known_themes(tracker.slots) else ROLE_TARGET_GROUP.get(role or ""),
        language=language,
    )
