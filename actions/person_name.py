"""The name a person gives for a call-back or walk-in appointment, so the advisor knows whom to expect.

Asked once, never required: the call-back form asks it last, and after a walk-in booking the
name form asks it (data/rules/handoff.yml) unless it is known. "Liever niet", "nee" or anything
that is not a name keeps "-" (not given), and the bot does not ask again in this conversation.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select, update

from actions.conversation import user_language
from actions.database import run_in_session
from actions.helpline_lines import say_helpline
from helpdesk.helplines import classify, is_unmistakable_crisis, names_danger
from helpdesk.models import Task
from leerwijzer.language import DUTCH_WORDS, ENGLISH_WORDS

NOT_GIVEN = "-"
MAX_NAME = 60
MAX_WORDS = 4
# What people write before their name: "ik heet Leonie", "mijn naam is Mick", "I'm Elvedin".
INTRODUCTION = re.compile(
    r"^(?:(?:hoi|hallo|hi|hello)[,!]?\s+)?(?:ik\s+heet|mijn\s+naam\s+is|dit\s+is|my\s+name\s+is|"
    r"call\s+me|noem\s+me)\s+",
    re.IGNORECASE,
)
# "ik ben Martine", "I'm Elvedin": only before a capital ("ik ben bang" is no name).
INTRODUCTION_BEFORE_A_CAPITAL = re.compile(
    r"^(?i:(?:(?:hoi|hallo|hi|hello)[,!]?\s+)?(?:ik\s+ben|i\s+am|i'm|it's))\s+(?=[A-ZÀ-Þ])"
)
# Words that make an answer no name, written in any case: a refusal, a question word, a subject.
NOT_A_NAME = frozenset([
    "liever", "niet", "nee", "geen", "niks", "niets", "weet", "wil", "hoeft", "zeg", "zeggen",
    "anoniem", "waarom", "no", "not", "rather", "don't", "dont", "want", "why", "anonymous", "skip",
    "none", "nothing", "ja", "yes", "ok", "oke", "okay", "bel", "maar", "ochtend", "middag", "avond",
    "help", "hulp", "stop", "stoppen", "wanneer", "waar", "hoe", "wat", "wie", "when", "where", "how",
    "what", "who", "verwijder", "delete", "gegevens", "data", "schulden", "bang", "open", "bieb",
    "bibliotheek", "library", "ik", "i", "i'm", "im", "it's", "its", "je", "jij", "you", "we", "wij",
    "my", "mijn", "me",
])  # fmt: skip
# The function words of both languages (leerwijzer/language.py) make it no name too, but only
# written small: "Ben", "May" and "An" are first names; "de", "van" are inside family names.
FUNCTION_WORDS = (DUTCH_WORDS | ENGLISH_WORDS) - frozenset(
    ["de", "van", "der", "den", "ter", "te", "la", "le", "du", "von", "el", "al"]
)
NAME_WORD = re.compile(r"^[^\W\d_][\w'’-]*$")


def sounds_sensitive(text: str) -> bool:
    """Whether the helpline keywords see a crisis, debts or danger in the text (helpdesk/helplines.py)."""
    return bool(classify(text) or names_danger(text) or is_unmistakable_crisis(text))


def clean_person_name(text: Any) -> str:
    """The name in an answer ("ik heet Leonie" -> "Leonie"), or NOT_GIVEN when it holds none."""
    answer = " ".join(str(text or "").split())
    if "?" in answer or sounds_sensitive(answer):
        return NOT_GIVEN  # a question, or a worry the NLU did not catch: never stored as a name
    answer = INTRODUCTION_BEFORE_A_CAPITAL.sub("", INTRODUCTION.sub("", answer)).strip(" .,!")
    words = answer.split()
    if not words or len(words) > MAX_WORDS or len(answer) > MAX_NAME:
        return NOT_GIVEN
    if any(
        word.lower() in NOT_A_NAME or (word.islower() and word in FUNCTION_WORDS) or not NAME_WORD.match(word)
        for word in words
    ):
        return NOT_GIVEN
    return answer


def given_name(tracker: Tracker) -> str | None:
    """The name this conversation gave, or None (not asked yet, or the person would rather not)."""
    name = tracker.get_slot("person_name")
    return name if name and name != NOT_GIVEN else None


class ValidateNameForm(FormValidationAction):
    """Keeps a name, or "-" for an answer that is no name (the form never asks twice)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_name_form"

    async def validate_person_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Clean the answer (see `clean_person_name`)."""
        return {"person_name": clean_person_name(value)}


def _name_latest_appointment(session: Any, sender_id: str, name: str) -> bool:
    """Put the name on this conversation's newest open walk-in appointment that has none."""
    task_id = session.execute(
        select(Task.id)
        .where(Task.sender_id == sender_id, Task.kind == "appointment", Task.status == "open")
        .where(Task.name.is_(None))
        .order_by(Task.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if task_id is None:
        return False
    session.execute(update(Task).where(Task.id == task_id).values(name=name))
    return True


class ActionSaveName(Action):
    """After the name form of a walk-in booking: the name goes on the appointment, with thanks."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_save_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Name the newest open appointment of this conversation, and say thanks (or that it is fine)."""
        name = given_name(tracker)
        if name is None:
            text = (tracker.latest_message or {}).get("text") or ""
            if sounds_sensitive(text):
                # A worry the NLU did not read as one (when it does, the form steps aside and
                # a rule gets the helpline and a person): at least the lines that fit.
                say_helpline(dispatcher, text, user_language(tracker))
                return []
            dispatcher.utter_message(response="utter_name_not_given")
            return []
        await run_in_session(
            lambda session: _name_latest_appointment(session, tracker.sender_id, name), write=True
        )
        dispatcher.utter_message(response="utter_name_saved", name=name)
        return []
