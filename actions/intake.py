"""Intake: fill a structured development question, show a summary, store it as a record.

The choices and their keywords live in `actions/data/intake_options.yml`; texts live in the
domain. Every question has buttons, and free text is accepted too. Corrections
("nee, ik woon in Best"), skips ("weet ik niet"), questions in between and "stop" work
while the form runs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import INTAKE_SLOTS, user_language
from actions.database import run_in_session
from actions.formatting import ONLINE
from actions.greeting import count_stage
from actions.profile import (
    KeepProfileSlots,
    ask_topic,
    latest_profile,
    needed_limits,
    place_optional,
    topic_update,
    understood_sentence,
)
from actions.records import QUESTION_FIELDS, save_question
from leerwijzer.budget import budget_code
from offer_catalogue.region import PlaceMatch, normalise, resolve_place

OPTIONS_FILE = Path(__file__).resolve().parent / "data" / "intake_options.yml"
UNKNOWN = "unknown"
ELSEWHERE = "elsewhere"
CHOICE_SLOTS = ("role", "goal", "budget", "time_preference", "hours_per_week", "mode_preference")
# Intents that interrupt a form: the form rejects, and a rule answers, then the form resumes.
INTERRUPTING_INTENTS = frozenset(
    [
        "faq",
        "out_of_scope",
        "bot_challenge",
        "what_can_you_do",
        "stop",
        "goodbye",
        "delete_my_data",
        "privacy_info",
        "choose_language",
        "request_human",
        "sensitive_topic",
        "thanks",
    ]
)
ELSEWHERE_WORDS = ("elders", "ergens anders", "buiten de regio", "elsewhere", "somewhere else", "outside")
# Their keywords ("auto", "nee") only mean something as the answer to their own question:
# "ik heb geen auto" in a first message is no 25 km, "nee" no "English only".
ANSWER_ONLY_WHEN_ASKED = frozenset(["max_distance_km", "teaching_language"])
NUMBER = re.compile(r"\d+")
NO_MAXIMUM = ("maakt niet uit", "geen maximum", "doesn't matter", "does not matter", "no limit", "no maximum")
KILOMETRES = re.compile(r"\d+\s*(?:km|kilometer|kilometers|kilometres)\b")
# Entities of the profile extractor (bot/nlu/profile_extractor.py) that change the summary.
PROFILE_ENTITIES = frozenset(
    [
        "theme",
        "role",
        "contract",
        "occupation",
        "age",
        "municipality",
        "max_distance_km",
        "no_car",
        "budget",
        "max_price_eur",
        "employer_pays",
        "time_preference",
        "mode_preference",
        "teaching_language",
        "reading_support",
    ]
)


@lru_cache(maxsize=1)
def options() -> Dict[str, Any]:
    """Load the intake choices (labels and keywords) from the data file."""
    with OPTIONS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _contains(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words (both normalised)."""
    wanted = normalise(phrase)
    return bool(wanted) and f" {wanted} " in f" {text} "


def _bucket_hours(hours: int) -> str:
    if hours <= 2:
        return "1-2"
    if hours <= 5:
        return "3-5"
    if hours <= 10:
        return "6-10"
    return "10+"


# Words that answer the question asked ("Online of op locatie?" - "thuis") but say nothing
# in a story ("ik ben 10 jaar thuis geweest", "ik zat in de klas van ...").
ANSWER_ONLY_KEYWORDS = frozenset(["thuis", "at home", "klas", "lokaal", "altijd", "beide"])


def parse_choice(slot: str, text: str, numbers: bool = True) -> str | None:
    """Map free text to a choice code of `slot`, or None when nothing fits.

    The longest matching keyword wins, so "meer dan 500" beats "500". Numbers ("3 uur",
    "200 euro") and `ANSWER_ONLY_KEYWORDS` count only when `numbers` is true, i.e. when that
    question was asked.
    """
    cleaned = normalise(text)
    if not cleaned:
        return None
    numbers_found = [int(n) for n in NUMBER.findall(cleaned)] if numbers else []
    if slot == "hours_per_week" and numbers_found:
        return _bucket_hours(max(numbers_found))
    if slot == "budget" and numbers_found and not _contains(cleaned, "meer dan"):
        return budget_code(max(numbers_found))
    if slot == "max_distance_km" and numbers_found and (cleaned.isdigit() or KILOMETRES.search(cleaned)):
        # "max 5 km" or a bare "5"; "ik ben 76" answers something else.
        return str(min(numbers_found))
    best: tuple[int, str] | None = None
    for code, spec in options()[slot].items():
        for keyword in spec.get("keywords", []):
            keyword = str(keyword)
            if keyword.isdigit():
                continue  # numbers are handled above
            if not numbers and keyword in ANSWER_ONLY_KEYWORDS:
                continue
            if _contains(cleaned, keyword) and (best is None or len(keyword) > best[0]):
                best = (len(keyword), str(code))
    return best[1] if best else None


def label(slot: str, value: str | None, language: str) -> str:
    """Return the text shown for a slot value (free text is shown as written)."""
    lang = "en" if language == "en" else "nl"
    if value is None or value == UNKNOWN:
        return options()["unknown"][lang]
    if slot == "municipality":
        if value == ONLINE:
            return "online"
        if value == ELSEWHERE:
            return "buiten de regio" if lang == "nl" else "outside the region"
        return value
    spec = options().get(slot, {}).get(value)
    if isinstance(spec, dict):
        return str(spec[lang])
    return str(value)


def _latest(tracker: Tracker) -> Dict[str, Any]:
    return tracker.latest_message or {}


def _intent(tracker: Tracker) -> str | None:
    return (_latest(tracker).get("intent") or {}).get("name")


def _text(tracker: Tracker) -> str:
    return _latest(tracker).get("text") or ""


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in _latest(tracker).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return str(entity["value"])
    return None


def answer_place(text: str) -> PlaceMatch | None:
    """A bare short answer to "which town?": "Best" and "Son" count without "in" here.

    The gazetteer only takes these ambiguous names after a preposition ("beste", "son" are
    words too); as the answer to the place question they mean the town.
    """
    if len(text.split()) > 3:
        return None
    return resolve_place(f"in {text}")


def find_place(text: str) -> str | None:
    """Return a municipality, "online" or "elsewhere" mentioned in text, else None."""
    if text.startswith("/"):
        return None
    place = resolve_place(text) or answer_place(text)
    if place is not None:
        return ONLINE if place.kind == "online" else place.municipality
    cleaned = normalise(text)
    if any(_contains(cleaned, word) for word in ELSEWHERE_WORDS):
        return ELSEWHERE
    return None


def online_is_the_place(profile: Dict[str, Any], asked: bool) -> bool:
    """Whether "online" in a message answers "where?": only when online is what the person wants.

    "alles gaat tegenwoordig online" or "partly online" in a story names no place (holdout 2:
    the place was never asked and the search ran over the whole region); "online werkt niet"
    even less. As the answer to the place question, "online" is the place.
    """
    mode = profile.get("mode_preference")
    return mode == ONLINE or (asked and mode != "on_site")


def corrections_in(text: str, requested: str | None = None) -> Dict[str, Any]:
    """Find answers to questions other than the one asked: a place, a budget, a mode."""
    found: Dict[str, Any] = {}
    if text.startswith("/"):
        return found
    if requested not in ("mode_preference", "municipality"):
        place = find_place(text)
        if place is not None and place != ONLINE:
            found["municipality"] = place
    cleaned = normalise(text)
    if requested != "budget" and (_contains(cleaned, "gratis") or _contains(cleaned, "free")):
        found["budget"] = "free"
    return found


class LimitAnswers:
    """Mixin for a FormValidationAction: the answers to the limit questions of both forms.

    Budget, time, online or not, travel distance and teaching language come from a button, a
    typed answer to the question asked, or (any turn) the profile extractor's entities.
    """

    def _interrupted(self, tracker: Tracker) -> bool:
        return _intent(tracker) in INTERRUPTING_INTENTS

    def _skip(self, tracker: Tracker, slot: str) -> bool:
        return tracker.get_slot("requested_slot") == slot and _intent(tracker) == "dont_know"

    def _choice(self, tracker: Tracker, slot: str) -> Dict[str, Any]:
        """Extract a choice slot: a button entity, "weet ik niet", or keywords."""
        if self._interrupted(tracker):
            return {}
        entity = _entity(tracker, slot)
        if entity is not None:
            return {slot: entity}
        if self._skip(tracker, slot):
            return {slot: UNKNOWN}
        text = _text(tracker)
        if text.startswith("/"):
            return {}
        requested_slot = tracker.get_slot("requested_slot")
        if requested_slot is None and slot in ANSWER_ONLY_WHEN_ASKED:
            return {}
        if requested_slot is None and _intent(tracker) == "inform":
            # The form starts with an answer ("ik zoek werk"): keep what fits, ask the rest.
            code = parse_choice(slot, text, numbers=False)
            return {slot: code} if code is not None else {}
        requested = requested_slot == slot
        if requested:
            code = parse_choice(slot, text)
            if code is not None:
                return {slot: code}
            if slot in ("role", "goal") and find_place(text) is None:
                # Free text is welcome: keep the user's own words.
                return {slot: text.strip()[:100]}
            return {}
        correction = corrections_in(text, tracker.get_slot("requested_slot"))
        return {slot: correction[slot]} if slot in correction else {}

    async def extract_budget(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Budget: free, up_to_100, up_to_500, more, unknown."""
        return self._choice(tracker, "budget")

    async def extract_price_cap(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The real maximum after "Meer": a button ("1000", "any"), a typed amount, "weet ik niet".

        An amount also sets `max_price_eur`, the search's hard limit.
        """
        if self._interrupted(tracker) or tracker.get_slot("requested_slot") != "price_cap":
            return {}
        if self._skip(tracker, "price_cap"):
            return {"price_cap": UNKNOWN}
        said = _entity(tracker, "price_cap") or _entity(tracker, "max_price_eur")
        if said is None and any(_contains(normalise(_text(tracker)), words) for words in NO_MAXIMUM):
            said = "any"
        if said is None and not _text(tracker).startswith("/"):
            numbers = [int(n) for n in NUMBER.findall(normalise(_text(tracker)))]
            said = max(numbers) if numbers else None
        if said is None:
            return {}
        if str(said) == "any":
            return {"price_cap": "any"}
        return {"price_cap": str(int(float(str(said)))), "max_price_eur": int(float(str(said)))}

    async def extract_time_preference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """When the user can learn: daytime, evenings, weekends, any_time."""
        return self._choice(tracker, "time_preference")

    async def extract_mode_preference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Online, on site or both."""
        return self._choice(tracker, "mode_preference")

    async def extract_max_distance_km(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """How far the user will travel: km as text, "0" (own town only) or "any"."""
        return self._choice(tracker, "max_distance_km")

    async def extract_teaching_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Whether a course in Dutch is fine ("nl") or only English will do ("en")."""
        return self._choice(tracker, "teaching_language")


class ValidateIntakeForm(LimitAnswers, KeepProfileSlots, FormValidationAction):
    """Fills the intake slots from buttons or free text, whichever turn they come in."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_intake_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """Only what a good search needs, plus a question being answered or changed.

        A topic always; a place unless online is fine and none is known. Other questions
        (role, budget, ...) are asked only when the user chose to change them at the summary
        (`intake_extra`); their answers still count when given in any message.
        """
        wanted = {"topic"}
        slots = tracker.slots
        if not place_optional(slots):
            wanted.add("municipality")
        wanted.update(needed_limits(slots, user_language(tracker)))
        wanted.update(slots.get("intake_extra") or [])
        requested = slots.get("requested_slot")
        if requested in domain_slots:
            wanted.add(requested)
        return [slot for slot in domain_slots if slot in wanted]

    async def extract_role(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Role: employee, job seeker, entrepreneur, young, retiree, other, or own words."""
        return self._choice(tracker, "role")

    async def extract_goal(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Goal: one of nine codes, or the user's own words."""
        return self._choice(tracker, "goal")

    async def extract_hours_per_week(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Hours per week as a bucket: 1-2, 3-5, 6-10, 10+."""
        return self._choice(tracker, "hours_per_week")

    async def extract_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The subject in the user's own words, when asked (or from a search request)."""
        if self._interrupted(tracker):
            return {}
        entity = _entity(tracker, "topic")
        if entity is not None:
            return {"topic": entity}
        if self._skip(tracker, "topic"):
            # "Iets anders" under the clarifying question: none of those themes, so the
            # user's own words are the subject; a plain "weet ik niet" skips it.
            unclear = tracker.get_slot("wish_unclear")
            return {"topic": str(unclear) if unclear else UNKNOWN, "wish_unclear": None}
        requested = tracker.get_slot("requested_slot")
        # A first message may name the wish; later ones only change it through themes
        # ("nee, liever op locatie" at the summary is no new subject).
        first = requested is None and not tracker.get_slot("topic")
        starting = first and _intent(tracker) in ("inform", "search_offer", "start_intake")
        return topic_update(tracker, new_request=starting, clear=False)

    async def extract_municipality(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A municipality, a village (mapped to its municipality), online or elsewhere."""
        if self._interrupted(tracker):
            return {}
        if self._skip(tracker, "municipality"):
            return {"municipality": UNKNOWN}
        text = _text(tracker)
        requested = tracker.get_slot("requested_slot")
        if requested == "municipality":
            place = find_place(text)
            profile = latest_profile(tracker)
            if place == ONLINE and not online_is_the_place(profile, asked=True):
                place = None  # "online werkt niet" names no place
            if place is not None:
                return {"municipality": place}
            if not text.startswith("/") and not profile:
                # Only when the message said nothing else we understood.
                dispatcher.utter_message(response="utter_place_unknown")
                return {"municipality": None}
            return {}
        correction = corrections_in(text, requested)
        return {"municipality": correction["municipality"]} if "municipality" in correction else {}


def summary_sentence(slots: Dict[str, Any], language: str) -> str:
    """The one-sentence summary: what was understood, or that the search will be broad."""
    sentence = understood_sentence(slots, language)
    if sentence:
        return sentence
    return "I will look broadly for you." if language == "en" else "Ik zoek breed voor je."


class ActionIntakeSummary(Action):
    """Shows the short summary of the development question and asks "Klopt dit?"."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_intake_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Utter the one-sentence summary with yes/no buttons; changed fields are done."""
        understood = summary_sentence(tracker.slots, user_language(tracker))
        dispatcher.utter_message(response="utter_intake_summary", understood=understood)
        return [SlotSet("intake_extra", None)] if tracker.get_slot("intake_extra") else []


class ActionIntakeCorrect(Action):
    """After "Klopt dit?" → "nee ...": apply a correction in the same message, else ask what to change."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_intake_correct"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Set corrected slots and show the summary again, or offer the fields as buttons."""
        text = _text(tracker)
        found = corrections_in(text)
        for slot in ("mode_preference", "time_preference"):
            code = parse_choice(slot, text)
            if code is not None:
                found.setdefault(slot, code)
        # What the profile extractor read from this message is a correction too; its slots
        # are already set by their from_entity mappings.
        entities = _latest(tracker).get("entities") or []
        profile_found = [entity for entity in entities if entity.get("entity") in PROFILE_ENTITIES]
        if not found and not profile_found:
            dispatcher.utter_message(response="utter_ask_what_to_change")
            return []
        events: List[EventType] = [SlotSet(slot, value) for slot, value in found.items()]
        dispatcher.utter_message(response="utter_intake_corrected")
        understood = summary_sentence({**tracker.slots, **found}, user_language(tracker))
        dispatcher.utter_message(response="utter_intake_summary", understood=understood)
        return events


class ActionIntakeResetField(Action):
    """Clears the answer the user wants to change, so the intake form asks it again."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_intake_reset_field"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Reset the slot named by the `intake_field` entity (or parsed from the text)."""
        field = _entity(tracker, "intake_field")
        if field not in INTAKE_SLOTS:
            text = normalise(_text(tracker))
            field = next((slot for slot in INTAKE_SLOTS if _contains(text, slot.replace("_", " "))), None)
        if field is not None:
            # The form asks only what a search needs; a field to change is asked too. A new
            # budget also forgets the old maximum, so "Meer" asks it again.
            linked = [SlotSet("price_cap", None), SlotSet("max_price_eur", None)] if field == "budget" else []
            return [SlotSet(field, None), *linked, SlotSet("intake_extra", [field])]
        # A typed new answer ("gratis", "liever online"): apply it directly.
        text = _text(tracker)
        found = corrections_in(text)
        for slot in CHOICE_SLOTS:
            code = parse_choice(slot, text)
            if code is not None and slot not in ("role", "goal"):
                found.setdefault(slot, code)
        return [SlotSet(slot, value) for slot, value in found.items()]


class ActionSaveIntake(Action):
    """Stores the confirmed development question as a record for search and handoff."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_save_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Write the record and remember its id in `question_id`."""
        values = {name: tracker.get_slot(name) for name in QUESTION_FIELDS}
        values["interest_profile"] = tracker.get_slot("interest_profile")
        question_id = await run_in_session(
            lambda session: save_question(session, tracker.sender_id, values), write=True
        )
        await count_stage(tracker, "intake_done")
        dispatcher.utter_message(response="utter_intake_saved")
        return [SlotSet("question_id", str(question_id))]


class ActionAskIntakeTopic(Action):
    """Asks the intake's topic question; after an unclear wish, with buttons of near themes."""

    def name(self) -> str:
        """Name of the action in the domain (the form calls it instead of the response)."""
        return "action_ask_intake_form_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Utter the plain question or the clarifying one."""
        ask_topic(dispatcher, tracker.slots, user_language(tracker), "utter_ask_intake_form_topic")
        return []
