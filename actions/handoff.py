"""Human handoff: queue the chat for an advisor, or offer a call-back or walk-in hour.

`action_request_handoff` runs for "I want a person", two fallbacks in a row, sensitive
topics and the end of the intake. Inside office hours it records the conversation as
`waiting` (with a case summary built from whatever slots exist), tells the user what
happens next and how long it takes, and pauses the conversation. Outside office hours it
offers a call-back (with consent) or an appointment at a walk-in advice hour instead.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions.conversation import INTAKE_SLOTS, latest_intent, user_language
from actions.greeting import count_stage
from actions.helpline_lines import say_helpline
from actions.person_name import clean_person_name, given_name
from actions.profile import theme_entities
from helpdesk import store, tasks
from helpdesk.broker import notifier_for
from helpdesk.database import session_scope
from helpdesk.helplines import classify, helpline, is_unmistakable_crisis, names_danger
from helpdesk.models import utcnow
from leerwijzer.settings import get_settings
from offer_catalogue.models import Offer, Offering
from offer_catalogue.search import SearchQuery, search_offers

logger = logging.getLogger(__name__)

CONSTRAINT_SLOTS = ("budget", "time_preference", "hours_per_week", "mode_preference")
REASONS = {
    "request_human": "asked_for_person",
    "sensitive_topic": "sensitive_topic",
}
DAY_NAMES = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
# What the call-back questions ask before the name; forgotten once saved or ended early.
CALLBACK_SLOTS = ("callback_consent", "callback_phone", "callback_time")
PHONE_RE = re.compile(r"^(\+31|0031|0)[1-9]\d{8}$")
WALK_IN_KM = 25.0
# handoff_status after the helpline and "Wil je nu met iemand praten?": a yes queues at once.
OFFERED = "offered"


def _slot(tracker: Tracker, name: str) -> Any:
    """A slot's value, or None when the domain has no such slot."""
    try:
        return tracker.get_slot(name)
    except Exception:  # pragma: no cover - get_slot returns None for unknown slots
        return None


async def _db(work: Any, write: bool = True) -> Any:
    """Run blocking helpdesk work in a thread, in a session of its own (most of it writes)."""
    url = get_settings().database_url

    def run() -> Any:
        with session_scope(url, write=write) as session:
            return work(session)

    return await asyncio.to_thread(run)


def office_hours_text(spec: str, language: str) -> str:
    """Office hours for people: "mo-fr 09:00-17:00" -> "ma-vr 09:00-17:00"."""
    names = DAY_NAMES[language]
    codes = ("mo", "tu", "we", "th", "fr", "sa", "su")

    def day(match: re.Match[str]) -> str:
        return names[codes.index(match.group(0)[:2])]

    return re.sub(r"\b(mo|tu|we|th|fr|sa|su)\b", day, spec.strip().lower())


def offer_titles(session: Any, offer_ids: List[Any]) -> List[str]:
    """Titles of the offers the bot showed, in the order shown."""
    ids = [int(i) for i in offer_ids if str(i).isdigit()]
    if not ids:
        return []
    rows = dict(session.execute(select(Offer.id, Offer.title_nl).where(Offer.id.in_(ids))).all())
    return [rows[i] for i in ids if i in rows]


def build_summary(tracker: Tracker, reason: str, topic_kind: str | None = None) -> Dict[str, Any]:
    """Case summary for the advisor from whatever the intake and search found."""
    summary: Dict[str, Any] = {
        name: _slot(tracker, name) for name in INTAKE_SLOTS if _slot(tracker, name) not in (None, "", [])
    }
    summary["constraints"] = {name: summary[name] for name in CONSTRAINT_SLOTS if name in summary}
    summary["offers_shown_ids"] = list(_slot(tracker, "offers_shown") or [])
    summary["language"] = user_language(tracker)
    summary["channel"] = tracker.get_latest_input_channel() or "unknown"
    summary["reason"] = reason
    if topic_kind:
        summary["sensitive"] = topic_kind
    summary["last_user_message"] = (tracker.latest_message or {}).get("text") or ""
    question = first_question(tracker)
    if question:
        summary["question"] = question
    return summary


# A message of this many words or more tells a story; "ja", "nummer 2" and button taps do not.
QUESTION_MIN_WORDS = 4
# A Dutch number (0 and nine digits) or an international one (+ or 00 and nine or more), spaces
# and dashes allowed between the digits ("06 12 34 56 78", "+31-6-12345678"); dates are no numbers.
PHONE_LIKE = re.compile(r"(?:\+|(?<!\d)00)\d(?:[\s-]*\d){8,}|(?<![\d+])0(?:[\s-]*\d){9}(?!\d)")


def first_question(tracker: Tracker) -> str | None:
    """The person's first message of this session that tells what they want, in their own words."""
    question = None
    for event in tracker.events:
        if event.get("event") == "session_started":
            question = None  # an earlier visit's question is not today's
        text = (event.get("text") or "").strip() if event.get("event") == "user" else ""
        if question is None and text and not text.startswith("/") and len(text.split()) >= QUESTION_MIN_WORDS:
            # A number typed in the call-back form may be the first long message: the task list
            # shows numbers only masked, so no run of six or more digits goes into the question.
            question = PHONE_LIKE.sub("[nummer]", text)[:500]
    return question


def transcript_lines(tracker: Tracker) -> List[Dict[str, Any]]:
    """User and bot lines of the current session, for the advisor's transcript."""
    lines = []
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("user", "bot") and event.get("timestamp") and event.get("text"):
            lines.append({"author": kind, "text": event["text"], "timestamp": event["timestamp"]})
    return lines


# Words of learning itself: "ik zie het niet zitten om weer in de schoolbanken te zitten".
# Whole words only ("exam", not "example"; "class", not "classmates").
LEARNING_WORDS = re.compile(
    r"\b(?:school|schoolbanken|cursus|cursussen|opleiding|opleidingen|leren|examen|examens|toets"
    r"|toetsen|lessen|diploma|studie|course|courses|exam|exams|class|classes|study|studying)\b",
    re.IGNORECASE,
)


def queues_at_once(text: str, themes: List[str]) -> bool:
    """Whether a `sensitive_topic` message goes to a person at once, without a question.

    Yes for a crisis keyword, an unmistakable crisis phrase or a danger word (violence, no
    place to sleep: helpdesk/data/helplines.yml), and for a reading only the classifier made
    when the message tells no learning story: someone in crisis must not have to say yes
    first. No for debts alone, and for a classifier-only reading of a message with a learning
    word or theme ("AI op mijn werk ... ik voel me een dinosaurus"): the lines, then a question.
    """
    kind = classify(text)
    if kind == "crisis" or is_unmistakable_crisis(text) or names_danger(text):
        return True
    if kind == "debt":
        return False
    return not (themes or LEARNING_WORDS.search(text))


def worry_in_learning_story(tracker: Tracker) -> bool:
    """Whether a `sensitive_topic` message is a worry about learning itself.

    True only when the text has a learning word and neither a helpline keyword nor one of the
    unmistakable crisis phrases (helpdesk/data/helplines.yml). A learning theme alone is not
    enough: "my partner hits me and takes my phone" names the smartphone theme. Measured on
    the blind crisis set (tests/eval/crisis.yml, 2026-12-07): none of its 82 crisis messages
    without a keyword meets this; the crisis lines are shown either way.
    """
    text = (tracker.latest_message or {}).get("text") or ""
    if classify(text) or is_unmistakable_crisis(text) or names_danger(text):
        return False
    return bool(LEARNING_WORDS.search(text))


def asked_confirmation_after(tracker: Tracker) -> str | None:
    """The intent that made the bot ask "Wil je met een adviseur chatten?", when this message answers it.

    None when the latest message answers something else. The question follows "ik wil een mens"
    and two misreads in a row ("nlu_fallback"; data/rules/handoff.yml).
    """
    users = [index for index, event in enumerate(tracker.events) if event.get("event") == "user"]
    if not users:
        return None
    asked = False
    for event in reversed(tracker.events[: users[-1]]):  # what came before the latest message
        if event.get("event") == "user":
            if not asked:
                return None  # the user spoke after the question: this is no answer to it
            return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or "unknown"
        if event.get("event") == "action" and event.get("name") == "utter_ask_confirm_handoff":
            asked = True
    return None


class ActionRequestHandoff(Action):
    """Queues the conversation for an advisor, or offers call-back/walk-in when closed."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_request_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Show a helpline when needed, then queue (and pause) or offer the offline options."""
        settings = get_settings()
        language = user_language(tracker)
        intent = latest_intent(tracker)
        reason = REASONS.get(intent or "", "intake" if intent == "affirm" else "asked_for_person")
        # A yes to "Wil je met een adviseur chatten?": asked after "ik wil een mens" or after the
        # bot did not understand twice (then it is not "intake", the yes after the intake).
        asked_after = asked_confirmation_after(tracker) if intent in ("affirm", "request_human") else None
        if asked_after == "nlu_fallback":
            reason = "two_fallbacks"
        elif asked_after is not None:
            reason = "asked_for_person"
        topic_kind = None
        status = tracker.get_slot("handoff_status")
        if status == OFFERED and intent in ("affirm", "request_human"):
            # "Ja" or the button after the lines: a person now, and the advisor sees why.
            reason, topic_kind = "sensitive_topic", tracker.get_slot("sensitive_kind") or "safety"
        elif intent == "deny":
            # "Nee" after the lines (gently, 113 stays named) or after the offline options.
            declined = "utter_talk_declined" if status == OFFERED else "utter_handoff_declined"
            dispatcher.utter_message(response=declined)
            return [SlotSet("handoff_status", None), SlotSet("sensitive_kind", None)]
        elif intent == "affirm" and status == "offline" and not settings.is_open():
            # "Ja" after the offline options names none of them: show them again (once the
            # helpdesk is open, a yes queues as usual).
            dispatcher.utter_message(
                response="utter_handoff_offline", hours=office_hours_text(settings.office_hours, language)
            )
            return []
        elif intent == "sensitive_topic":
            text = (tracker.latest_message or {}).get("text") or ""
            if worry_in_learning_story(tracker):
                # No helpline word, but a learning wish: "ik zie het niet zitten om weer in de
                # schoolbanken te zitten ... ik ken de logistiek". The crisis lines are shown and
                # a person is one word away, but nobody is queued unasked.
                line = helpline("crisis")
                dispatcher.utter_message(
                    response="utter_helpline_worry",
                    phone=line.get(f"phone_{language}", line["phone"]),
                    hours=line.get(f"hours_{language}", ""),
                )
                return [SlotSet("handoff_status", OFFERED), SlotSet("sensitive_kind", "crisis")]
            topic_kind = classify(text)
            shown = say_helpline(dispatcher, text, language)
            if settings.is_open() and not queues_at_once(text, theme_entities(tracker)):
                # Debts, or a reading only the classifier made about a learning story ("op mijn
                # werk gaat het alleen over AI ... ik voel me een dinosaurus"): the lines are
                # shown and a person is one tap away, but nobody is queued or muted unasked.
                dispatcher.utter_message(response="utter_ask_talk_to_person")
                return [SlotSet("handoff_status", OFFERED), SlotSet("sensitive_kind", shown)]

        if not settings.is_open():
            dispatcher.utter_message(
                response="utter_handoff_offline",
                hours=office_hours_text(settings.office_hours, language),
            )
            return [SlotSet("handoff_status", "offline")]

        summary = build_summary(tracker, reason, topic_kind)
        channel = summary["channel"]
        lines = transcript_lines(tracker)

        def record(session: Any) -> store.HandoffResult:
            summary["offers_shown"] = offer_titles(session, summary["offers_shown_ids"])
            return store.request_handoff(
                session, tracker.sender_id, channel, reason, summary, language, lines
            )

        try:
            result = await _db(record)
        except Exception:
            logger.exception("Could not queue %s for an advisor", tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        await notifier_for(settings.helpdesk_broker_url, settings.helpdesk_poll_seconds).publish()
        if reason != "sensitive_topic":  # count_stage also skips it once sensitive_kind is set
            await count_stage(tracker, "handed_off")
        minutes = max(settings.minutes_per_case, result.position * settings.minutes_per_case)
        dispatcher.utter_message(response="utter_handoff_waiting", position=result.position, minutes=minutes)
        return [SlotSet("handoff_status", "waiting"), ConversationPaused()]


class ValidateCallbackForm(FormValidationAction):
    """Checks consent first, then a Dutch phone number and a preferred time."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_callback_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """Without consent nothing more is asked, not even a name."""
        if tracker.get_slot("callback_consent") is False:
            return [slot for slot in domain_slots if slot != "person_name"]
        return domain_slots

    async def validate_person_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A name, or "-" for an answer that is none (see actions/person_name.py)."""
        return {"person_name": clean_person_name(value)}

    async def validate_callback_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Without consent we ask nothing more and keep no number."""
        if value is True:
            return {"callback_consent": True}
        return {"callback_consent": False, "callback_phone": "-", "callback_time": "-"}

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept Dutch phone numbers written with spaces, dashes or +31."""
        number = re.sub(r"[\s\-().]", "", str(value or ""))
        if PHONE_RE.match(number):
            return {"callback_phone": number}
        dispatcher.utter_message(response="utter_callback_phone_invalid")
        return {"callback_phone": None}

    async def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Keep a short free-text preference."""
        text = str(value or "").strip()[:200]
        return {"callback_time": text or None}


class ActionSaveCallback(Action):
    """Stores the call-back as a task for the advisors (only with consent)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_save_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Create the task, confirm it, and forget the number in the tracker."""
        clear = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        if tracker.get_slot("callback_consent") is not True:
            dispatcher.utter_message(response="utter_callback_cancelled")
            return clear
        phone, when = tracker.get_slot("callback_phone"), tracker.get_slot("callback_time")
        language = user_language(tracker)
        summary = build_summary(tracker, "callback")
        await _db(
            lambda s: tasks.create_task(
                s,
                "callback",
                tracker.sender_id,
                summary["channel"],
                language,
                summary,
                phone=phone,
                preferred_time=when,
                consent_at=utcnow(),
                name=given_name(tracker),
            )
        )
        settings = get_settings()
        await notifier_for(settings.helpdesk_broker_url, settings.helpdesk_poll_seconds).publish()
        await count_stage(tracker, "handed_off")
        dispatcher.utter_message(response="utter_callback_saved", phone=phone, time=when)
        return clear


class ActionForgetCallback(Action):
    """The call-back questions ended early (a crisis, an erase request, "stop"): forget the answers.

    Otherwise a later "bel me terug" would skip the consent and reuse the old number.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_forget_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Clear consent, number and time (the name stays: the person gave it)."""
        return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]


def walk_in_results(session: Any, municipality: str | None, language: str) -> List[Any]:
    """Walk-in advice hours near the user (or anywhere in the region)."""
    query = SearchQuery(
        text="",
        municipality=municipality if municipality and municipality != "online" else None,
        kinds=["walk_in_advice"],
        language=language,
        within_km=WALK_IN_KM if municipality else None,
    )
    results = search_offers(session, query, limit=3)
    if not results and query.municipality:
        query.municipality, query.within_km = None, None
        results = search_offers(session, query, limit=3)
    return results


def _schedule(result: Any) -> str:
    for reason in result.reasons:
        if reason.code == "walk_in" and reason.params.get("schedule"):
            return str(reason.params["schedule"])
    return ""


class ActionOfferWalkIn(Action):
    """Shows up to three walk-in advice hours to choose from."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_offer_walk_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Search the catalogue for walk-in hours and offer each with a button."""
        language = user_language(tracker)
        municipality = tracker.get_slot("municipality")
        results = await _db(lambda s: walk_in_results(s, municipality, language), write=False)
        if not results:
            dispatcher.utter_message(response="utter_walk_in_none")
            return []
        dispatcher.utter_message(response="utter_walk_in_intro")
        for result in results:
            dispatcher.utter_message(
                response="utter_walk_in_option",
                title=result.title,
                place=result.place_text,
                schedule=_schedule(result) or "-",
                offer_id=str(result.offer_id),
            )
        # Remembered so a typed "nummer 2", "de eerste" or "die in Best" finds its option.
        choices = [
            {"offer_id": str(result.offer_id), "words": f"{result.title} {result.place_text}".lower()}
            for result in results
        ]
        return [SlotSet("walk_in_choices", choices)]


# Not "een"/"one": those are also articles ("een in Best", "the one in Best").
ORDINALS = {
    "eerste": 1, "first": 1, "tweede": 2, "second": 2, "derde": 3, "third": 3,
    "één": 1, "twee": 2, "two": 2, "drie": 3, "three": 3,
}  # fmt: skip
LAST_WORDS = ("laatste", "last")


def chosen_walk_in(text: str, choices: List[Dict[str, str]]) -> str | None:
    """The offer id a typed answer points at: a number, an ordinal, "de laatste", or a place."""
    if not choices:
        return None
    words = re.findall(r"\w+", text.lower())
    for word in words:
        index = int(word) if word.isdigit() else ORDINALS.get(word)
        if index is not None and 1 <= index <= len(choices):
            return choices[index - 1]["offer_id"]  # a larger number may be a time: "om 10 uur"
    if any(word in LAST_WORDS for word in words):
        return choices[-1]["offer_id"]
    # A place or title word (at least 4 letters) that fits exactly one option.
    fitting = [c for c in choices if any(len(w) >= 4 and w in c["words"].split() for w in words)]
    return fitting[0]["offer_id"] if len(fitting) == 1 else None


class ActionBookWalkIn(Action):
    """Records the chosen walk-in hour as an appointment task for the advisors."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_book_walk_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Create the appointment task and confirm the place and time."""
        language = user_language(tracker)
        choices = tracker.get_slot("walk_in_choices") or []
        if not choices:
            # No hours on offer now: the booking emptied them. A second tap on an older hour
            # would book a second appointment; the hours are shown again to choose from.
            return [SlotSet("walk_in_offer", None), FollowupAction("action_offer_walk_in")]
        offer_id = str(tracker.get_slot("walk_in_offer") or "")
        if offer_id not in {choice["offer_id"] for choice in choices}:
            # Typed, not tapped: "nummer 2" means the second option, never offer id 2.
            offer_id = chosen_walk_in(tracker.latest_message.get("text") or "", choices) or ""
        summary = build_summary(tracker, "walk_in")

        def book(session: Any) -> Dict[str, str] | None:
            if not offer_id.isdigit():
                return None
            offer = session.get(Offer, int(offer_id))
            if offer is None or offer.kind != "walk_in_advice":
                return None
            offering = session.execute(
                select(Offering).where(Offering.offer_id == offer.id).order_by(Offering.id).limit(1)
            ).scalar_one_or_none()
            schedule = (offering.schedule_text or "") if offering else ""
            place = (offering.place_text or offering.municipality or "") if offering else ""
            title = (offer.title_en if language == "en" else None) or offer.title_nl
            tasks.create_task(
                session,
                "appointment",
                tracker.sender_id,
                summary["channel"],
                language,
                summary,
                offer_id=offer.id,
                offer_title=title,
                schedule=f"{place} {schedule}".strip(),
                name=given_name(tracker),
            )
            return {"title": title, "schedule": schedule or "-", "place": place or "-"}

        booked = await _db(book)
        if booked is None:
            dispatcher.utter_message(response="utter_walk_in_none")
            return [SlotSet("walk_in_offer", None)]  # the options stay for another try
        settings = get_settings()
        await notifier_for(settings.helpdesk_broker_url, settings.helpdesk_poll_seconds).publish()
        await count_stage(tracker, "handed_off")
        dispatcher.utter_message(response="utter_walk_in_booked", **booked)
        events: List[EventType] = [SlotSet("walk_in_offer", None), SlotSet("walk_in_choices", None)]
        if tracker.get_slot("person_name") is None:
            # Never asked in this conversation: ask it now (optional); action_save_name adds it.
            events.append(FollowupAction("name_form"))
        return events
