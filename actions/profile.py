"""The learner's profile as the actions see it: what is known, what to say back, what is missing.

The profile extractor (bot/nlu/profile_extractor.py) fills the slots from any message; this
module turns those slots into the one-sentence "Ik begrijp: ..." and into the topic of a
search, and decides which questions are still needed for a good search.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent, latest_text, slot_before_latest_message, user_language
from actions.topic import extract_topic
from offer_catalogue.offer_card import join_words
from offer_catalogue.region import canonical_municipality, normalise, resolve_place
from offer_catalogue.themes import suggest_themes, theme_labels, themes

ONLINE = "online"
UNKNOWN = "unknown"
ELSEWHERE = "elsewhere"
# Slots the topic extraction sets next to `topic`; they are no form slots, so rasa_sdk would
# drop them from the validation result (see KeepProfileSlots).
TOPIC_COMPANION_SLOTS = ("themes", "wish_unclear", "max_price_eur")
# Slots filled from the profile extractor's entities; an answer that only sets these keeps a
# form going. Not for questions in between (faq, out_of_scope, ...): those must interrupt.
PROFILE_SLOTS = (
    "role",
    "contract",
    "occupation",
    "age",
    "budget",
    "max_price_eur",
    "price_per_person",
    "employer_pays",
    "time_preference",
    "days",
    "mode_preference",
    "teaching_language",
    "reading_support",
    "max_distance_km",
    "no_car",
)
# Entity -> slot where the names differ (lists collect every value).
PROFILE_SLOT_OF = {"theme": "themes", "day": "days"}
ANSWER_INTENTS = frozenset(["inform", "inform_place", "search_offer", "start_intake"])
# Leftover words that name no subject: "ik zoek werk, wat nu?" has no wish to clarify.
GENERIC_WORDS = frozenset(
    [
        "kiezen",
        "keuze",
        "you",
        "have",
        "bijleren",
        "worden",
        "become",
        "could",
        "choose",
        "choosing",
        "pick",
        "helpen",
        "idee",
        "idea",
        "geen",
        "maar",
        "but",
        "don't",
        "know",
        "course",
        "cursus",
        "opleiding",
        "hallo",
        "hoi",
        "hi",
        "hello",
        "question",
        "vraag",
        "ja",
        "nee",
        "ok",
        "oke",
        "yes",
        "no",
        "werk",
        "baan",
        "job",
        "work",
        "nu",
        "wat",
        "help",
        "hulp",
        "advies",
        "tips",
        "dingen",
        "zo",
        "echt",
        "weet",
        "niet",
        "no",
        "not",
        "wel",
        "moet",
        "need",
        "want",
        "get",
        "just",
        "now",
        "what",
        "trouwens",
        "overigens",
        "btw",
        "by",
        "way",
        "anyway",
        "also",
        "ook",
        "dan",
    ]
)
# Themes offered first to a role when a wish is unclear.
ROLE_SUGGESTIONS = {
    "job_seeker": ("job_applications", "career"),
    "entrepreneur": ("bookkeeping_vat", "starting_business"),
    "employer": ("leadership", "safety_vca"),
    "retiree": ("smartphone_tablet", "volunteering"),
    "young": ("career", "job_applications"),
    "newcomer": ("dutch_second_language", "job_applications"),
    "employee": ("career", "recognising_skills"),
}

ROLE_PHRASES = {
    "employee": ("je werkt", "you work"),
    "job_seeker": ("je zoekt werk", "you are looking for work"),
    "entrepreneur": ("je bent ondernemer of zzp'er", "you run your own business"),
    "employer": ("je zoekt iets voor je mensen", "you are looking for something for your staff"),
    "retiree": ("je bent met pensioen", "you are retired"),
    "young": ("je bent jong of student", "you are young or a student"),
    "newcomer": ("je bent nieuw in Nederland", "you are new in the Netherlands"),
}
BUDGET_PHRASES = {
    "free": ("het mag niets kosten", "it must be free"),
    "up_to_100": ("het mag niet veel kosten", "it must not cost much"),
    "up_to_500": ("het mag hooguit 500 euro kosten", "it may cost up to 500 euros"),
}
TIME_PHRASES = {
    "daytime": ("overdag", "during the day"),
    "evenings": ("'s avonds", "in the evening"),
    "weekends": ("in het weekend", "at the weekend"),
}
MODE_PHRASES = {
    "online": ("online", "online"),
    "on_site": ("niet online maar op een plek", "not online but at a place"),
    "both": ("online of op een plek", "online or at a place"),
}
TEACHING_LANGUAGE = {
    "en": ("les in het Engels", "taught in English"),
    "nl": ("les in het Nederlands", "taught in Dutch"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    """The English or the Dutch text of a pair."""
    return pair[1] if language == "en" else pair[0]


def known_themes(slots: Mapping[str, Any]) -> List[str]:
    """Theme ids in the `themes` slot that exist in the taxonomy."""
    value = slots.get("themes") or []
    if isinstance(value, str):
        value = [value]
    known = themes()
    return [theme for theme in dict.fromkeys(value) if theme in known]


def topic_label(slots: Mapping[str, Any], language: str) -> str:
    """What the user wants to learn, as shown to them: theme labels, never leftover words."""
    labels = theme_labels(known_themes(slots), language)
    if labels:
        return join_words(labels, language)
    return "your question" if language == "en" else "je vraag"


def _amount(value: Any) -> int | None:
    """A slot value as whole euros (slots from entities may be text or numbers)."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def understood_parts(slots: Mapping[str, Any], language: str) -> List[str]:
    """The short phrases of "Ik begrijp: ..." for what the profile holds, in a fixed order."""
    parts: List[str] = []
    en = language == "en"
    age = _amount(slots.get("age"))
    occupation = slots.get("occupation")
    role = slots.get("role")
    if occupation:
        who = f"{age} and a {occupation}" if en and age else (f"a {occupation}" if en else str(occupation))
        if not en and age:
            who = f"{age} en {occupation}"
        parts.append(f"you are {who}" if en else f"je bent {who}")
    elif age:
        parts.append(f"you are {age}" if en else f"je bent {age}")
    if role in ROLE_PHRASES and not (occupation and role == "employee"):
        parts.append(_pick(ROLE_PHRASES[role], language))
    if slots.get("contract") == "temporary":
        parts.append("without a permanent contract" if en else "zonder vast contract")
    labels = theme_labels(known_themes(slots), language)
    if labels:
        joined = join_words(labels, language)
        parts.append(f"you want to learn about {joined}" if en else f"je wilt iets leren over {joined}")
    municipality = slots.get("municipality")
    if municipality and municipality not in (UNKNOWN, ELSEWHERE, ONLINE):
        home = slots.get("home_place")
        # Say the village the person named ("in Stiphout"), the distance is measured from there.
        village = home and home != municipality and canonical_municipality(home) == municipality
        parts.append(f"in {home}" if village else f"in {municipality}")
    distance = _amount(slots.get("max_distance_km"))
    if distance:
        parts.append(f"no further than {distance} km" if en else f"niet verder dan {distance} km")
    if slots.get("no_car"):
        parts.append("without a car" if en else "zonder auto")
    mode = slots.get("mode_preference") or (ONLINE if municipality == ONLINE else None)
    if mode in MODE_PHRASES:
        parts.append(_pick(MODE_PHRASES[mode], language))
    price = _amount(slots.get("max_price_eur"))
    budget = slots.get("budget")
    if budget == "free" or (budget == "up_to_100" and price in (None, 100)):
        parts.append(_pick(BUDGET_PHRASES[budget], language))
    elif price:
        parts.append(f"it may cost up to {price} euros" if en else f"het mag hooguit {price} euro kosten")
    elif budget in BUDGET_PHRASES:
        parts.append(_pick(BUDGET_PHRASES[budget], language))
    if slots.get("employer_pays"):
        parts.append("your employer may pay" if en else "je baas betaalt misschien mee")
    time = slots.get("time_preference")
    if time in TIME_PHRASES:
        parts.append(_pick(TIME_PHRASES[time], language))
    teaching = slots.get("teaching_language")
    if teaching in TEACHING_LANGUAGE:
        parts.append(_pick(TEACHING_LANGUAGE[teaching], language))
    if slots.get("reading_support"):
        parts.append("with help for reading" if en else "met hulp bij lezen")
    return parts


def understood_sentence(slots: Mapping[str, Any], language: str) -> str | None:
    """One B1 sentence that says back what the bot understood, or None when nothing is known."""
    parts = understood_parts(slots, language)
    if not parts:
        return None
    return ("I understand: " if language == "en" else "Ik begrijp: ") + ", ".join(parts) + "."


# The limits a good search needs, in the order they are asked (one question per turn, only
# when the user has not said it yet); both forms list them in the domain in this order.
LIMIT_SLOTS = (
    "mode_preference",
    "max_distance_km",
    "budget",
    "price_cap",
    "time_preference",
    "teaching_language",
)
# Themes whose courses are taught in Dutch by nature: no need to ask an English speaker.
# Themes whose subject is a language: their teaching language is not a limit (Dutch lessons are
# for people who cannot follow Dutch; reading and writing is always Dutch).
LANGUAGE_THEMES = frozenset(["english", "other_languages", "dutch_second_language", "reading_writing"])
DUTCH_TAUGHT_THEMES = frozenset(["dutch_second_language", "reading_writing", "numeracy"])


def needed_limits(slots: Mapping[str, Any], language: str) -> List[str]:
    """Which limit questions apply to this person (asked only while the slot is empty).

    The answer depends only on what is already known and never shrinks as answers come in:
    the travel distance only for someone learning at a place in a known town, the teaching
    language only in an English chat about something not Dutch itself.
    """
    municipality = slots.get("municipality")
    mode = slots.get("mode_preference") or (ONLINE if municipality == ONLINE else None)
    needed = ["budget", "time_preference"]
    if slots.get("budget") == "more" and (slots.get("max_price_eur") in (None, "") or slots.get("price_cap")):
        # "Meer" says no maximum: ask it once (an amount said any time counts). Still listed once
        # answered, so the answer is kept (a required-slot list must not shrink during a run).
        needed.insert(1, "price_cap")
    if municipality != ONLINE:
        needed.insert(0, "mode_preference")
        if mode in ("on_site", "both") and municipality not in (None, UNKNOWN, ELSEWHERE):
            needed.insert(1, "max_distance_km")
    if language == "en" and not DUTCH_TAUGHT_THEMES.intersection(known_themes(slots)):
        # Not asked when one wish is Dutch or reading: asking "logistics and Dutch" people made
        # those who answered "only English" lose the Dutch lessons (3 of 50 development
        # conversations, session 5), as a stated English holds for Dutch lessons too.
        needed.append("teaching_language")
    return needed


def place_optional(slots: Mapping[str, Any]) -> bool:
    """Whether the search can go without a place: none is known and online is fine.

    A known place keeps `municipality` among the form's slots, so a new place in a later
    message is still validated (a required-slot list must not shrink during one run).
    """
    return not slots.get("municipality") and slots.get("mode_preference") in (ONLINE, "both")


def theme_entities(tracker: Tracker) -> List[str]:
    """Theme ids named in the user's latest message (typed or from a button)."""
    found = [
        str(entity.get("value"))
        for entity in (tracker.latest_message or {}).get("entities") or []
        if entity.get("entity") == "theme" and entity.get("value")
    ]
    known = themes()
    return [theme for theme in dict.fromkeys(found) if theme in known]


def topic_from_themes(theme_ids: List[str], language: str) -> str:
    """The `topic` slot value for themes: their labels, so the record reads well."""
    return join_words(theme_labels(theme_ids, language), language)


def ask_topic(
    dispatcher: CollectingDispatcher, slots: Mapping[str, Any], language: str, response: str
) -> None:
    """Ask what to learn; after an unclear wish, offer the nearest themes as buttons.

    The unclear words themselves are never repeated to the user.
    """
    unclear = slots.get("wish_unclear")
    if not unclear:
        dispatcher.utter_message(response=response)
        return
    first = ROLE_SUGGESTIONS.get(str(slots.get("role")), ())
    nearest = list(dict.fromkeys([*first, *suggest_themes(str(unclear))]))[:4]
    labels = theme_labels(nearest, language)
    buttons: List[Dict[str, Any]] = [
        {"title": label, "payload": f'/inform{{"theme": "{theme}"}}'}
        for theme, label in zip(nearest, labels, strict=True)
    ]
    buttons.append(
        {"title": "Iets anders" if language != "en" else "Something else", "payload": "/dont_know"}
    )
    dispatcher.utter_message(response="utter_clarify_theme", buttons=buttons)


def topic_update(tracker: Tracker, new_request: bool, clear: bool = True) -> Dict[str, Any]:
    """Slot changes for the topic after the latest message (shared by search and intake).

    * themes in the message (typed or a button): the topic becomes their labels;
    * a new request or an answer to "what?" without any theme but with other words: the wish
      is unclear, so the form asks once more with buttons of the nearest themes (the words are
      kept in `wish_unclear` and never shown);
    * the answer after that question still without a theme, or "something else": search
      with the user's own words rather than ask a third time.

    `clear` is false for the intake: a start without a subject keeps an earlier topic.
    """
    language = user_language(tracker)
    found = theme_entities(tracker)
    if not found and not tracker.get_slot("topic"):
        # Themes said earlier (even in a message the bot did not understand, or answered with
        # the crisis lines: "op mijn werk gaat het alleen over AI ... ik voel me een
        # dinosaurus", then "is er iets voor iemand die er nul vanaf weet?") count, also for a
        # new request: no search has used them yet.
        found = known_themes(tracker.slots)
    if found:
        found = _with_earlier_wish(tracker, found, new_request)
        return {"topic": topic_from_themes(found, language), "themes": found, "wish_unclear": None}
    intent = latest_intent(tracker)
    unclear = tracker.get_slot("wish_unclear")
    asked = tracker.get_slot("requested_slot") == "topic"
    if asked and unclear and intent == "dont_know":
        return {"topic": str(unclear), "themes": None, "wish_unclear": None}
    text = latest_text(tracker)
    if text.startswith("/") or not (new_request or asked):
        return {}
    place = resolve_place(text)
    words = extract_topic(text, (place.matched_text,) if place else ())
    if words is not None:
        subject = [word for word in words.split() if word not in GENERIC_WORDS]
        # Under the clarifying question, "Ik woon in Nuenen trouwens" answers something else and
        # leaves a stray word; a new request ("een online cursus statistiek") keeps its subject.
        answers_other = asked and unclear and any(name != "theme" for name in latest_profile(tracker))
        words = None if not subject or (answers_other and len(subject) < 2) else words
    if words is None:
        # A new search without a subject clears the old one, so the form asks again.
        return {"topic": None, "themes": None} if new_request and clear else {}
    if asked and unclear:
        return {"topic": words, "themes": None, "wish_unclear": None}
    return {"topic": None, "themes": None, "wish_unclear": words}


# "toch liever", "eigenlijk", "instead": the new theme replaces the wish.
CORRECTION = re.compile(
    r"\b(?:toch|liever|eigenlijk|iets anders|niet meer|instead|rather|actually|no longer)\b"
)
MAX_THEMES = 4
# A new request names its own wish ("Ik zoek Nederlandse les in Eindhoven" after a computer
# search): it replaces the wish, unless it says it is one more ("ik wil ook Engels leren").
NEW_REQUEST = re.compile(
    r"\b(?:ik zoek|zoek ik|ik wil (?:graag |nu |liever )?(?:\w+ ){0,2}leren"
    r"|ik wil (?:graag )?(?:een|naar een) (?:cursus|opleiding|training)"
    r"|i am looking for|i'm looking for|im looking for|i want to learn|i would like to learn"
    r"|i'd like to learn)\b"
)
ALSO = re.compile(r"\b(?:ook|daarnaast|also|too|as well)\b")
# In a new search only "one more" next to the request counts: "ik zoek ook", "I also want",
# "Separately, ..." (not "mag ook online", "not too expensive").
ALSO_REQUEST = re.compile(
    r"\b(?:ik zoek ook|zoek ik ook|ik wil ook|wil ik ook|ik wil daarnaast|ik zoek daarnaast"
    r"|daarnaast (?:zoek|wil) ik|i also|also want|also need|also looking|also like|also would"
    r"|separately|besides|apart from that|on top of that|los daarvan|bovendien)\b"
)


def _with_earlier_wish(tracker: Tracker, found: List[str], new_request: bool) -> List[str]:
    """Themes of the latest message after the wish said before, unless this message replaces it.

    "My Dutch is A2 by the way" after "I am a nurse and need my BIG registration" adds Dutch;
    the nurse's wish stays first. A new request (also one the classifier read as `inform`:
    "Ik zoek Nederlandse les in Eindhoven"), the answer to "what?" and a correction ("toch
    liever ...") replace it; "ik wil ook ...", "I also want ..." add, also as a new request.
    """
    earlier = slot_before_latest_message(tracker, "themes") or []
    asked = tracker.get_slot("requested_slot") == "topic"
    text = normalise(latest_text(tracker))
    if asked or not earlier or CORRECTION.search(text):
        return found
    if new_request and not ALSO_REQUEST.search(text):
        return found
    if NEW_REQUEST.search(text) and not (ALSO.search(text) or ALSO_REQUEST.search(text)):
        return found
    known = themes()
    return [theme for theme in dict.fromkeys([*earlier, *found]) if theme in known][:MAX_THEMES]


class KeepProfileSlots:
    """Mixin for a FormValidationAction: keep the slots set next to `topic`.

    rasa_sdk's `get_validation_events` only returns slots of the form's required slots, so
    `themes` and `wish_unclear`, set by `extract_topic`, would be lost.
    """

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The form's validated slots plus the topic's companion slots this turn set."""
        events = await super().get_validation_events(dispatcher, tracker, domain)  # type: ignore[misc]
        named = {event.get("name") for event in events}
        recent = tracker.slots_to_validate()
        for slot in TOPIC_COMPANION_SLOTS:
            if slot in recent and slot not in named:
                events.append(SlotSet(slot, recent[slot]))
                named.add(slot)
        if latest_intent(tracker) in ANSWER_INTENTS:
            # "maar meer dan 1500 euro wordt lastig" while the place is asked is an answer: its
            # slots are already set by their from_entity mappings, but Rasa only counts form
            # slots, so it would reject the form. Repeating them lets the form ask again.
            for entity in latest_profile(tracker):
                slot = PROFILE_SLOT_OF.get(entity, entity)
                if slot in PROFILE_SLOTS and slot not in named:
                    events.append(SlotSet(slot, tracker.get_slot(slot)))
                    named.add(slot)
        return events


def latest_profile(tracker: Tracker) -> Dict[str, Any]:
    """Entities of the profile extractor in the latest message (name -> last value)."""
    return {
        str(entity.get("entity")): entity.get("value")
        for entity in (tracker.latest_message or {}).get("entities") or []
        if entity.get("extractor") == "ProfileExtractor"
    }
