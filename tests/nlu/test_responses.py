"""Every response: an English variant, Dutch at B1 level, and dated knowledge answers."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain

from leerwijzer.settings import PROJECT_ROOT

MAX_WORDS_PER_SENTENCE = 15.0
# Officialese ("ambtelijke taal") that B1 texts avoid; checked as whole words, lower case.
OFFICIALESE = frozenset(
    [
        "aanvang",
        "aangaande",
        "aanmelden_bij",
        "alsmede",
        "bedoelde",
        "betreffende",
        "bijgevolg",
        "derhalve",
        "dienen",
        "doch",
        "echter",
        "evenwel",
        "geachte",
        "hetgeen",
        "hieromtrent",
        "hiertoe",
        "indien",
        "inzake",
        "middels",
        "mits",
        "namens",
        "nader",
        "omtrent",
        "onderhavige",
        "overeenkomstig",
        "teneinde",
        "ten_behoeve",
        "terzake",
        "thans",
        "uiteraard",
        "vanwege",
        "voorafgaand",
        "voornoemde",
        "wegens",
        "woonachtig",
        "zulks",
        "verstrekken",
        "verzoeke",
        "conform",
        "vigerend",
    ]
)
EN_CONDITION = [{"type": "slot", "name": "language", "value": "en"}]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")
WORD = re.compile(r"[\wÀ-ÿ'’-]+", re.UNICODE)


@lru_cache(maxsize=1)
def responses() -> Dict[str, List[Dict[str, Any]]]:
    """All responses of the domain (every file under bot/domain)."""
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain")).responses


def dutch_default(variants: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Variants without a condition (the Dutch default)."""
    return [v for v in variants if not v.get("condition")]


def words_per_sentence(text: str) -> float:
    """Average words per sentence; placeholders count as one word, list lines as sentences."""
    text = PLACEHOLDER.sub("X", text)
    sentences = [s for s in SENTENCE_END.split(text) if WORD.search(s)]
    if not sentences:
        return 0.0
    return sum(len(WORD.findall(s)) for s in sentences) / len(sentences)


def officialese_in(text: str) -> List[str]:
    """The officialese words that occur in a text."""
    words = {w.lower() for w in WORD.findall(text)}
    return sorted(words & OFFICIALESE)


@pytest.mark.parametrize("name", sorted(responses()))
def test_response_has_dutch_default_and_english_variant(name):
    variants = responses()[name]
    assert dutch_default(variants), f"{name} has no Dutch default"
    english = [v for v in variants if v.get("condition") == EN_CONDITION]
    assert english, f"{name} has no English variant with condition language=en"
    for variant in variants:
        if variant.get("buttons"):
            assert all(b.get("title") and b.get("payload") for b in variant["buttons"])
    dutch_buttons = [len(v.get("buttons", [])) for v in dutch_default(variants)]
    english_buttons = [len(v.get("buttons", [])) for v in english]
    assert dutch_buttons[:1] == english_buttons[:1], f"{name}: Dutch and English offer different choices"


@pytest.mark.parametrize("name", sorted(responses()))
def test_dutch_is_b1(name):
    for variant in dutch_default(responses()[name]):
        text = variant.get("text") or ""
        average = words_per_sentence(text)
        assert average <= MAX_WORDS_PER_SENTENCE, f"{name}: {average:.1f} words per sentence: {text!r}"
        assert not officialese_in(text), f"{name} uses officialese: {officialese_in(text)}"


@pytest.mark.parametrize("name", sorted(n for n in responses() if n.startswith("utter_faq/")))
def test_knowledge_answers_say_when_they_were_checked(name):
    for variant in responses()[name]:
        assert re.search(r"\((Gecontroleerd|Checked): [A-Za-z]+ 20\d\d\)", variant["text"]), name


@pytest.mark.parametrize("name", sorted(n for n in responses() if n.startswith("utter_faq/")))
def test_no_ended_scheme_is_promised(name):
    for variant in responses()[name]:
        text = variant["text"].lower()
        if "stap" in text:
            assert "niet meer" in text or "no longer" in text


def test_the_b1_check_can_fail():
    long_sentence = (
        "Dit is een hele lange zin die veel te veel woorden bevat voor iemand"
        " die net Nederlands leert en snel wil lezen."
    )
    assert words_per_sentence(long_sentence) > MAX_WORDS_PER_SENTENCE
    assert words_per_sentence("Kort. Ook kort. Nog een zin.") < 4
    assert officialese_in("Indien u woonachtig bent in Best") == ["indien", "woonachtig"]
