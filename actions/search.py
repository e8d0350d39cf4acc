"""Offer search: fill what and where, query the catalogue, show up to three offers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import re
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent, latest_text, user_language
from actions.database import run_in_session
from actions.formatting import ONLINE, place_phrase
from actions.greeting import count_stage
from actions.insight import FITTED, NOTHING, count_search
from actions.intake import ELSEWHERE, UNKNOWN, LimitAnswers, answer_place, label, online_is_the_place
from actions.offer_details import next_step_buttons
from actions.pinned_event import mention_pinned_event
from actions.profile import (
    LANGUAGE_THEMES,
    KeepProfileSlots,
    ask_topic,
    known_themes,
    latest_profile,
    needed_limits,
    place_optional,
    topic_label,
    topic_update,
    understood_sentence,
)
from actions.topic import extract_topic
from leerwijzer.budget import budget_code
from leerwijzer.settings import get_settings
from offer_catalogue import offer_card, region, schedule
from offer_catalogue.region import normalise, resolve_place
from offer_catalogue.search import (
    SearchQuery,
    SearchResult,
    format_price,
    format_reasons,
    search_offers,
)
from offer_catalogue.themes import theme_query

logger = logging.getLogger(__name__)

# When nothing is found in the user's own municipality, look this far around it.
NEARBY_KM = 20.0
# The theme of walk-in hours where an advisor talks about learning and work (themes.yml).
ADVICE_THEME = "career"


class ValidateSearchForm(LimitAnswers, KeepProfileSlots, FormValidationAction):
    """Fills `topic`, `municipality` and the limits from free text, whichever turn they come in.

    The topic comes from the themes the profile extractor found (never from leftover words);
    the place is only asked when it is missing and online is not fine; a limit (online or
    not, distance, budget, time, teaching language) only when the user has not said it.
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
        """A topic; a place unless online is fine; the limits that apply and are not known."""
        wanted = {"topic", *needed_limits(tracker.slots, user_language(tracker))}
        if not place_optional(tracker.slots):
            wanted.add("municipality")
        return [slot for slot in domain_slots if slot in wanted]

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
        asked = tracker.get_slot("requested_slot") == "municipality"
        place = resolve_place(text)
        if place is None and asked:
            place = answer_place(text)
        profile = latest_profile(tracker)
        if place is not None and (place.kind != "online" or online_is_the_place(profile, asked)):
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
        if latest_intent(tracker) == "more_offers":
            refinement = "more"  # the "Meer aanbod" button
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
        slots = dict(tracker.slots)

        # The conversation's events are read once per search, not once per theme.
        kinds = kind_words(tracker)

        def theme_text(theme: str) -> str:
            return with_kind_words(theme_query([theme]), kinds)

        def languages_for(theme: str) -> List[str] | None:
            if not slots.get("teaching_language"):
                return query.teaching_languages  # not said: as for all the themes together
            return teaching_languages({**slots, "themes": [theme]}, language)

        query = build_query(tracker, search_text(tracker, kinds), language)
        topic = shown_topic(tracker, language)
        limit = get_settings().max_offers_shown
        widen = may_widen(tracker)
        # "meer": the next offers, leaving out the ones already shown.
        # Every page of this search counts, so a third "meer" does not show the first page again.
        seen = [str(i) for i in tracker.get_slot("offers_seen") or tracker.get_slot("offers_shown") or []]
        skip = set(seen) if refinement == "more" else set()

        def search(session: Any) -> List[SearchResult]:
            def run(current: SearchQuery) -> List[SearchResult]:
                found = search_offers(session, current, limit=limit + len(skip))
                return [result for result in found if str(result.offer_id) not in skip][:limit]

            def find(
                text: str, theme_ids: List[str] | None, languages: List[str] | None
            ) -> List[SearchResult]:
                current = dataclasses.replace(
                    query, text=text, themes=theme_ids, teaching_languages=languages
                )
                results = run(current)
                if not results and current.target_group:
                    current.target_group = None
                    results = run(current)
                if not results and current.municipality and current.within_km is None and widen:
                    # Never wider than a distance the user set ("niet verder dan 10 km").
                    current.within_km = NEARBY_KM
                    results = run(current)
                return results

            # When the catalogue has offers of the person's themes, only those count: an
            # offer that merely shares a word ("heftruck" in a logistics intro) is no fit.
            # Without any offer of those themes, a text match is a look-alike too ("lassen" in a
            # logistics intro for someone who wants to weld): nothing fits, an advisor may help.
            strict = bool(theme_ids)
            if len(theme_ids) < 2:
                return on_theme(find(query.text, query.themes, query.teaching_languages), strict)
            # One query for several themes lets the best-covered theme take every place;
            # take turns instead: the best offer per theme first ("heftruck", "computer").
            # The teaching language is a limit per theme: none for learning Dutch, but DigiD
            # help for someone who reads no Dutch must be in English.
            # Each theme's list is cut to offers of that theme first, or a look-alike of one
            # theme takes the place of a real offer of another.
            per_theme = [
                on_theme(find(theme_text(theme), [theme], languages_for(theme)), strict)
                for theme in theme_ids
            ]
            merged: List[SearchResult] = []
            seen: set = set()
            for rank in range(limit):
                for found in per_theme:
                    if rank < len(found) and found[rank].offer_id not in seen and len(merged) < limit:
                        seen.add(found[rank].offer_id)
                        merged.append(found[rank])
            return on_theme(merged, strict)

        employer_may_pay = bool(tracker.get_slot("employer_pays"))
        today = query.today or dt.date.today()

        def search_or_blocker(session: Any) -> tuple[List[SearchResult], str | None, List[SearchResult]]:
            nonlocal query
            results = search(session)
            if results or skip:
                return results, None, []
            blocked, relaxed = blocking_limit(session, query)
            if blocked == "price" and employer_may_pay:
                # The budget was what the person would pay themselves; their employer may pay
                # more. Show what is there, and say that it costs more (utter_offers_over_budget).
                own_budget = query
                query = dataclasses.replace(query, free_only=False, max_price_eur=None)
                dearer = search(session)
                if dearer:
                    return dearer, "price", []
                query = own_budget
            return [], blocked, relaxed

        results, blocked, relaxed = await run_in_session(search_or_blocker)
        channel = tracker.get_latest_input_channel()
        # "meer" is the next page of a question already counted. Dearer offers shown because an
        # employer may pay still missed the person's own budget.
        counted = (
            []
            if refinement == "more"
            else await count_search(
                tracker, theme_ids, municipality, language, blocked or (FITTED if results else NOTHING)
            )
        )
        walk_in: List[SearchResult] = []
        if not results and refinement != "more":
            walk_in = await run_in_session(lambda session: walk_in_within_limits(session, query, widen))
        if tracker.latest_action_name != "action_save_intake":
            # Say back what was understood; after the intake its summary already did.
            sentence = understood_sentence(tracker.slots, language)
            if sentence:
                dispatcher.utter_message(response="utter_understood", understood=sentence)
        where = place_phrase(None if municipality in (UNKNOWN, ELSEWHERE) else municipality, language)
        if not results and refinement == "more":
            # "meer" when all there is has been shown: say so, keep the shown offers' numbers.
            dispatcher.utter_message(response="utter_no_more_offers")
            return []
        if not results:
            if blocked and relaxed:
                # Something exists without one of the person's limits: say which and what there
                # is ("vanaf € 395"), never show it unasked; a button loosens that one limit.
                nearest, payload = relaxation(blocked, relaxed, query, language, today)
                dispatcher.utter_message(
                    response=f"utter_no_fit_{blocked}", topic=topic, where=where, nearest=nearest
                )
                utter_walk_in(dispatcher, walk_in, language, today, channel)
                pinned = await mention_pinned_event(dispatcher, tracker, language)
                if not after_intake:
                    dispatcher.utter_message(response="utter_ask_relax_or_advisor", relax_payload=payload)
            else:
                dispatcher.utter_message(response="utter_no_offers", topic=topic, where=where)
                utter_walk_in(dispatcher, walk_in, language, today, channel)
                pinned = await mention_pinned_event(dispatcher, tracker, language)
                if not after_intake:
                    # After the intake the rule offers an advisor already (data/rules/intake.yml).
                    dispatcher.utter_message(response="utter_ask_advisor_instead")
            shown = [str(result.offer_id) for result in walk_in]
            return [
                *counted,
                *pinned,
                SlotSet("offers_shown", shown),
                SlotSet("offers_seen", shown),
                SlotSet("unmet_limit", blocked or "nothing"),
            ]

        intro = "utter_offers_over_budget" if blocked == "price" else "utter_offers_intro"
        dispatcher.utter_message(response=intro, topic=topic, where=where)
        utter_cards(dispatcher, results, language, today, channel)
        # A pinned open day or walk-in week that fits, once per conversation (before the question).
        pinned = await mention_pinned_event(dispatcher, tracker, language)
        if tracker.latest_action_name != "action_save_intake":
            # After the intake the bot asks about an advisor instead (see data/rules/intake.yml).
            dispatcher.utter_message(
                response="utter_ask_helpful", buttons=next_step_buttons(len(results), language)
            )
        page = [str(result.offer_id) for result in results]
        await count_stage(tracker, "offer_shown")
        return [
            *counted,
            *pinned,
            SlotSet("offers_shown", page),
            SlotSet("offers_seen", [*seen, *page] if refinement == "more" else page),
        ]


def utter_cards(
    dispatcher: CollectingDispatcher,
    results: List[SearchResult],
    language: str,
    today: dt.date,
    channel: str | None = None,
) -> None:
    """One numbered card per offer: provider, place, when, price, why it fits, the link.

    On Telegram the link is also an inline URL button under the card (`offer_card.link_buttons`).
    """
    for number, result in enumerate(results, start=1):
        dispatcher.utter_message(
            response="utter_offer",
            buttons=offer_card.link_buttons(result.url, language, channel),
            number=number,  # what "Meer over 2" and "de tweede" refer to
            title=result.title,
            provider=result.provider,
            place=offer_card.place_text(result, language),
            price=format_price(result, language),
            start=offer_card.when_text(result, language, today)
            + offer_card.enrol_by(result, language, today),
            reasons=offer_card.why_it_fits(result, format_reasons(result, language), language),
            link=offer_card.link_text(result, language),
        )


def walk_in_within_limits(session: Any, query: SearchQuery, widen: bool) -> List[SearchResult]:
    """The nearest walk-in advice hour that keeps the person's place, distance, time and mode.

    When nothing fits, a named hour with its address and time is a step someone can take
    today; a button to an advisor alone left people waiting for office hours (holdout 2).
    Without a known place there is no "nearest": the advisor question covers it. `widen` is
    false for "only in my own town": then only that town counts.
    """
    if not query.municipality:
        return []
    walk_in = dataclasses.replace(
        query,
        text="",
        themes=[ADVICE_THEME],
        kinds=["walk_in_advice"],
        target_group=None,
        level=None,
        starting_within_months=None,
        within_km=query.within_km if query.within_km is not None or not widen else NEARBY_KM,
    )
    # Advice about learning and work: not a language café or phone help, which are walk-in
    # hours too but no answer to a wish nothing else fitted.
    return on_theme(search_offers(session, walk_in, limit=1), strict=True)


def utter_walk_in(
    dispatcher: CollectingDispatcher,
    walk_in: List[SearchResult],
    language: str,
    today: dt.date,
    channel: str | None,
) -> None:
    """The walk-in hour found for someone nothing fitted, as a card after a short lead-in."""
    if walk_in:
        dispatcher.utter_message(response="utter_walk_in_instead")
        utter_cards(dispatcher, walk_in, language, today, channel)


def on_theme(results: List[SearchResult], strict: bool) -> List[SearchResult]:
    """Only offers tagged with one of the person's themes when `strict` or when any is.

    Text matches are kept only for a wish in the person's own words (no theme known).
    """
    themed = [result for result in results if result.themes]
    return themed if strict else (themed or results)


UNKNOWN_AMOUNT = {"nl": "een bedrag dat er niet bij staat", "en": "an amount that is not listed"}
# The limits tried one at a time when nothing fits: the first that frees an offer is named.
RELAXATIONS = (
    ("time", {"day_parts": None, "days": None}),
    ("price", {"free_only": False, "max_price_eur": None}),
    ("language", {"teaching_languages": None}),
    ("distance", {"within_km": NEARBY_KM}),
    # Nothing at a place: online there is something. Nothing online: at a place there is.
    ("online", {"mode": "online", "municipality": None, "within_km": None}),
    ("on_site", {"mode": None}),
)


def blocking_limit(session: Any, query: SearchQuery) -> tuple[str | None, List[SearchResult]]:
    """Which single limit keeps every offer out ("price", "time", ...) and what is there without it.

    (None, []) when no single limit does.
    """
    strict = bool(query.themes)
    for code, change in RELAXATIONS:
        if all(getattr(query, name) == value for name, value in change.items()):
            continue  # that limit was not set
        if code == "on_site" and query.mode != "online":
            continue  # only for someone who wanted online
        found = on_theme(search_offers(session, dataclasses.replace(query, **change), limit=3), strict)
        if found:
            return code, found
    return None, []


def relaxation(
    code: str, relaxed: List[SearchResult], query: SearchQuery, language: str, today: dt.date
) -> tuple[str, str]:
    """What there is without limit `code` ("€ 395", "in Helmond") and a payload loosening it.

    The payload is an inform with only that limit changed, so a tap searches again
    (data/rules/search.yml: a changed wish after the offers searches again).
    """
    nearest: str = ""
    change: Dict[str, Any] = {}
    if code == "price":
        priced = [result for result in relaxed if result.price_eur is not None]
        if priced:
            cheapest = min(priced, key=lambda result: result.price_eur or 0)
            euros = math.ceil(cheapest.price_eur or 0)
            nearest = format_price(cheapest, language)
            change = {"max_price_eur": euros, "budget": budget_code(euros)}
        else:
            # Only offers of unknown price: no amount to name, and no limit below them.
            nearest = UNKNOWN_AMOUNT["en" if language == "en" else "nl"]
            change = {"budget": "more"}
    elif code == "time":
        nearest = offer_card.when_text(relaxed[0], language, today)
        # "any" is no day name, so time_filters adds no day: the days said before are lifted too.
        change = {"time_preference": "any_time", "day": "any"}
    elif code == "language":
        change = {"teaching_language": "nl"}
    elif code == "distance":
        town = next((result.municipality for result in relaxed if result.municipality), None)
        nearest = place_phrase(town, language)
        change = {"max_distance_km": str(int(NEARBY_KM))}
    elif code == "online":
        nearest = "online"
        change = {"mode_preference": "online"}
    elif code == "on_site":
        nearest = offer_card.place_text(relaxed[0], language)
        change = {"mode_preference": "both"}
        if query.municipality is None and relaxed[0].municipality:
            # Nothing online and no home town known ("online" was the answer to "where?"): the
            # offer's town becomes the place, or the tap would search online only again.
            change["municipality"] = relaxed[0].municipality
    return nearest, "/inform" + json.dumps(change)


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


# The kind of offer a person asked for in their own words ("een cursus", "a class"), as the
# catalogue's kind-hint words: an offer of that kind ranks first among those of the themes.
KIND_WORDS = {
    "cursus": "cursus",
    "cursussen": "cursus",
    "course": "cursus",
    "courses": "cursus",
    "class": "les",
    "classes": "les",
    "les": "les",
    "lessen": "les",
    "lessons": "les",
    "opleiding": "opleiding",
    "training": "training",
    "workshop": "workshop",
}


# Dutch glues the subject to the kind ("computercursus", "taallessen", "fotoworkshop"). Only these
# longer endings are read inside a compound: "les" alone would find "alles" and "kabels".
# Ending -> kind-hint word, plurals too; longest endings first.
COMPOUND_KIND_ENDINGS = {
    "cursussen": "cursus",
    "cursus": "cursus",
    "opleidingen": "opleiding",
    "opleiding": "opleiding",
    "trainingen": "training",
    "training": "training",
    "workshops": "workshop",
    "workshop": "workshop",
    "lessen": "les",
}
MIN_COMPOUND_HEAD = 3
# Words that end like a kind but are none: "bierflessen" (bottles), "kwaliteitsflessen".
NOT_A_KIND = re.compile(r"(?:fl|gl)essen$")


def kind_of_word(word: str) -> str | None:
    """The kind-hint word a typed word names, itself or as the end of a compound."""
    if word in KIND_WORDS:
        return KIND_WORDS[word]
    if NOT_A_KIND.search(word):
        return None
    for ending, kind in COMPOUND_KIND_ENDINGS.items():
        if word.endswith(ending) and len(word) - len(ending) >= MIN_COMPOUND_HEAD:
            return kind
    return None


def kind_words(tracker: Tracker) -> List[str]:
    """Kind-hint words the person typed in this conversation ("cursus" for "courses")."""
    said: Dict[str, None] = {}
    for event in tracker.events:
        text = (event.get("text") or "") if event.get("event") == "user" else ""
        if text and not text.startswith("/"):
            for word in normalise(text).split():
                kind = kind_of_word(word)
                if kind:
                    said[kind] = None
    return list(said)


def with_kind_words(text: str, kinds: List[str]) -> str:
    """The search text plus the kinds of offer the person asked for (`kind_words`)."""
    return " ".join([text, *kinds]).strip()


def search_text(tracker: Tracker, kinds: List[str] | None = None) -> str:
    """What to search for: the themes' words, else the topic, else words for the intake goal.

    `kinds`: the person's kind-hint words when already read (`kind_words`).
    """
    theme_ids = known_themes(tracker.slots)
    if theme_ids:
        return with_kind_words(theme_query(theme_ids), kind_words(tracker) if kinds is None else kinds)
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


# When the user can learn -> acceptable parts of the day / days of the week (offer_catalogue.schedule).
TIME_PARTS = {
    "daytime": schedule.DAYTIME,
    "evenings": schedule.EVENING,
}
TIME_DAYS = {"weekends": schedule.WEEKEND_DAYS}
# The profile extractor's day codes (English weekday names), Monday = bit 0.
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_BITS = {name: 1 << number for number, name in enumerate(DAY_NAMES)}
# Themes where the teaching language is the subject: no language filter.
OWN_TOWN_ONLY = "0"
ANY_DISTANCE = "any"
# Every municipality of the region lies within this distance of any other.
WHOLE_REGION_KM = 60.0


def teaching_languages(slots: Dict[str, Any], language: str) -> List[str] | None:
    """Teaching languages the person can follow, or None for no filter.

    In a Dutch chat a course in Dutch; in an English chat English, plus Dutch when the
    person said they can follow it. Not for language courses (their language is the subject),
    unless the person said they need English: some Dutch courses are taught in English, and
    when none fits the bot offers the others with one tap (the "language" relaxation).
    """
    said = slots.get("teaching_language")
    if said == "en":
        return ["en"]
    if LANGUAGE_THEMES.intersection(known_themes(slots)):
        return None
    if said == "nl":
        return ["nl", "en"] if language == "en" else ["nl"]
    return ["en"] if language == "en" else ["nl"]


def time_filters(slots: Dict[str, Any]) -> tuple[int | None, int | None]:
    """(day parts, days) masks for the time the person has, None where any time will do."""
    time = slots.get("time_preference")
    days = 0
    for name in slots.get("days") or []:
        days |= DAY_BITS.get(str(name), 0)
    days |= TIME_DAYS.get(str(time), 0)
    return TIME_PARTS.get(str(time)), days or None


def build_query(tracker: Tracker, topic: str, language: str) -> SearchQuery:
    """Turn the slots (search or intake) into a catalogue query with every hard limit."""
    slots = tracker.slots
    municipality = slots.get("municipality")
    mode_preference = slots.get("mode_preference")
    online = municipality in (ONLINE, ELSEWHERE) or mode_preference == "online"
    mode = "online" if online else ("on_site" if mode_preference == "on_site" else None)
    # Online offers have no place: a home town would keep all but hybrid ones out.
    place = None if online or municipality in (None, ONLINE, ELSEWHERE, UNKNOWN) else municipality
    if mode_preference == "on_site" and not place:
        mode = "on_site"
    budget = slots.get("budget")
    max_price = _number(slots.get("max_price_eur"))
    if max_price is None:
        max_price = BUDGET_MAX_EUR.get(budget or "")
    distance = _number(slots.get("max_distance_km"))
    if slots.get("max_distance_km") == ANY_DISTANCE:
        # "Maakt niet uit": the whole region, nearest first (not only the own town).
        distance = WHOLE_REGION_KM
    role = slots.get("role")
    day_parts, days = time_filters(slots)
    theme_ids = known_themes(slots)
    home = slots.get("home_place")
    in_place = bool(place and home and region.canonical_municipality(home) == place)
    origin = region.place_centre(home) if in_place else None
    return SearchQuery(
        text=topic,
        municipality=place,
        within_km=distance if place and distance else None,
        origin=origin,
        mode=mode,
        free_only=budget == "free" or max_price == 0,
        max_price_eur=max_price if max_price else None,
        # With themes the subject is clear; the target group (it filters, in the catalogue)
        # turned "Nederlands" for a worker into English courses tagged "werkenden".
        target_group=None if theme_ids else ROLE_TARGET_GROUP.get(role or ""),
        language=language,
        themes=theme_ids or None,
        teaching_languages=teaching_languages(slots, language),
        day_parts=day_parts,
        days=days,
    )


def may_widen(tracker: Tracker) -> bool:
    """Whether an empty search in the town may look around it (not when "only in my town")."""
    return str(tracker.get_slot("max_distance_km")) != OWN_TOWN_ONLY
