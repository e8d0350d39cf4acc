"""Interest test and skills scan in chat: 11 button questions -> 2-3 suggestions -> search.

Questions score 0, 1 or 2. The profiles (weights, labels, search topics) live in
`actions/data/interest_profiles.yml`, so advisors can tune them without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.intake import INTERRUPTING_INTENTS
from offer_catalogue.region import normalise

PROFILES_FILE = Path(__file__).resolve().parent / "data" / "interest_profiles.yml"
A_BIT_WORDS = (
    "beetje",
    "een beetje",
    "soms",
    "redelijk",
    "gaat wel",
    "a bit",
    "sometimes",
    "somewhat",
    "so so",
)
YES_WORDS = ("ja", "graag", "goed", "heel goed", "yes", "good", "very good", "zeker")
NO_WORDS = ("nee", "niet", "slecht", "no", "not", "bad", "nooit", "never")


@lru_cache(maxsize=1)
def profiles() -> Dict[str, Any]:
    """Load the questions and suggestion profiles."""
    with PROFILES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


QUESTIONS: tuple[str, ...] = tuple(profiles()["questions"])


@dataclass
class ScanResult:
    """The outcome of the scan: suggestions, skills to develop and the topic to search."""

    suggestions: List[str]
    skills: List[str]
    topic: str
    codes: List[str]


def score_answer(text: str, intent: str | None, entity: str | None) -> int | None:
    """Turn a button payload or a typed answer into 0, 1 or 2."""
    if entity is not None and entity in {"0", "1", "2"}:
        return int(entity)
    if intent == "dont_know":
        return 1
    cleaned = f" {normalise(text)} "
    if any(f" {normalise(w)} " in cleaned for w in A_BIT_WORDS):
        return 1
    if intent == "deny" or any(f" {normalise(w)} " in cleaned for w in NO_WORDS):
        return 0
    if intent == "affirm" or any(f" {normalise(w)} " in cleaned for w in YES_WORDS):
        return 2
    return None


def evaluate(answers: Mapping[str, int | None], language: str = "nl", top: int = 3) -> ScanResult:
    """Score every suggestion; return the best 2-3 and the skills to develop.

    A third suggestion is shown only when it scores at least 80 % of the best one.
    """
    lang = "en" if language == "en" else "nl"
    data = profiles()
    values = {q: float(answers.get(q) if answers.get(q) is not None else 1) for q in QUESTIONS}
    scored = []
    for code, spec in data["suggestions"].items():
        score = sum(weight * values.get(dimension, 1.0) for dimension, weight in spec["weights"].items())
        maximum = sum(weight * 2 for weight in spec["weights"].values())
        scored.append((score / maximum if maximum else 0.0, score, code))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    best = scored[:2] + [item for item in scored[2:top] if item[0] >= 0.8 * scored[0][0]]
    codes = [code for _share, _score, code in best]
    skills: List[str] = []
    topic: str | None = None
    for skill, spec in data["basic_skills"].items():
        if values[skill] == 0:
            skills.append(spec[lang])
            topic = topic or spec["topic"]
    for code in codes:
        skill_text = data["suggestions"][code]["skills"][lang]
        if skill_text not in skills:
            skills.append(skill_text)
    suggestions = [data["suggestions"][code][lang] for code in codes]
    return ScanResult(suggestions, skills, topic or data["suggestions"][codes[0]]["topic"], codes)


def _extract_for(question: str):
    async def extract(
        self: ValidateInterestScanForm, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != question:
            return {}
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        if intent in INTERRUPTING_INTENTS:
            return {}
        entity = next(
            (str(e["value"]) for e in latest.get("entities") or [] if e.get("entity") == "score"), None
        )
        value = score_answer(latest.get("text") or "", intent, entity)
        return {} if value is None else {question: str(value)}

    extract.__doc__ = f"Score the answer to {question}."
    return extract


class ValidateInterestScanForm(FormValidationAction):
    """Scores each answer of the interest and skills scan (buttons or typed yes / a bit / no)."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_interest_scan_form"


for _question in QUESTIONS:
    setattr(ValidateInterestScanForm, f"extract_{_question}", _extract_for(_question))


class ActionScanResult(Action):
    """Shows 2-3 suggested directions and the skills to develop, and offers a search."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_scan_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Evaluate the answers, utter the result and set `topic` for the search."""
        language = "en" if tracker.get_slot("language") == "en" else "nl"
        answers = {
            q: (int(tracker.get_slot(q)) if tracker.get_slot(q) not in (None, "") else None)
            for q in QUESTIONS
        }
        result = evaluate(answers, language)
        dispatcher.utter_message(
            response="utter_scan_result",
            suggestions="\n".join(f"- {s}" for s in result.suggestions),
            skills="\n".join(f"- {s}" for s in result.skills),
        )
        dispatcher.utter_message(response="utter_ask_search_after_scan", topic=result.topic)
        profile = {"answers": answers, "suggestions": result.codes, "skills": result.skills}
        return [SlotSet("topic", result.topic), SlotSet("interest_profile", profile)]
