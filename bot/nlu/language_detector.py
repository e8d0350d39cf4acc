"""Detect whether a user writes Dutch or English, and report it as a `language` entity.

Deterministic and download-free: a small list of function words per language. It only
reports a language when the evidence is clear, so "ok" or "Helmond" never flips it.
The `language` slot is filled from this entity; responses pick their variant by that slot.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

# Words that are common in one language and rare in the other.
DUTCH_WORDS = frozenset(
    [
        "ik",
        "je",
        "jij",
        "u",
        "wij",
        "we",
        "het",
        "een",
        "de",
        "wil",
        "zoek",
        "zoeken",
        "leren",
        "cursus",
        "cursussen",
        "waar",
        "wat",
        "hoe",
        "niet",
        "geen",
        "ja",
        "nee",
        "graag",
        "bedankt",
        "dank",
        "hoi",
        "hallo",
        "goedemorgen",
        "goedemiddag",
        "mijn",
        "voor",
        "met",
        "van",
        "kan",
        "kun",
        "kunt",
        "ben",
        "heb",
        "hebt",
        "wordt",
        "werk",
        "werken",
        "ook",
        "maar",
        "dat",
        "deze",
        "dit",
        "die",
        "naar",
        "om",
        "welke",
        "wanneer",
        "waarom",
        "iets",
        "iemand",
        "alsjeblieft",
        "alstublieft",
        "doei",
        "dag",
        "tot",
        "ziens",
        "hulp",
        "adviseur",
        "spreken",
        "mag",
        "moet",
        "zou",
        "gratis",
        "woon",
        "woont",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "i",
        "you",
        "we",
        "the",
        "a",
        "an",
        "want",
        "looking",
        "look",
        "learn",
        "learning",
        "course",
        "courses",
        "where",
        "what",
        "how",
        "not",
        "no",
        "yes",
        "please",
        "thanks",
        "thank",
        "hello",
        "hi",
        "good",
        "morning",
        "my",
        "for",
        "with",
        "can",
        "could",
        "am",
        "have",
        "has",
        "work",
        "working",
        "also",
        "but",
        "that",
        "this",
        "these",
        "those",
        "which",
        "when",
        "why",
        "something",
        "someone",
        "bye",
        "see",
        "help",
        "advisor",
        "speak",
        "talk",
        "may",
        "must",
        "would",
        "free",
        "live",
        "living",
        "english",
        "would",
        "like",
        "need",
    ]
)
WORD_PATTERN = re.compile(r"[a-zà-ÿ']+")


def detect_language(text: str) -> str | None:
    """Return "nl" or "en" when the text clearly is that language, else None."""
    words = WORD_PATTERN.findall(text.lower())
    dutch = sum(word in DUTCH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    if english > dutch and (dutch == 0 or english >= 2 * dutch):
        return "en"
    if dutch > english and (english == 0 or dutch >= 2 * english):
        return "nl"
    return None


# Names of the two languages, as people type them when they ask to switch.
LANGUAGE_NAMES = {
    "en": frozenset(["english", "engels", "engelse", "engelstalig", "eng", "inglés", "ingles"]),
    "nl": frozenset(["dutch", "nederlands", "nederlandse", "nederlandstalig", "hollands", "nl"]),
}
SWITCH_INTENT = "choose_language"


def requested_language(text: str) -> str | None:
    """The language a switch request names ("in het Engels graag" -> "en"), if exactly one."""
    words = set(WORD_PATTERN.findall(text.lower()))
    named = [language for language, names in LANGUAGE_NAMES.items() if words & names]
    return named[0] if len(named) == 1 else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds a `language` entity ("nl" or "en") to messages whose language is clear."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Create the component; it has no state to train or load."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Append the language entity to each message where the language is clear."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads carry their own entities
            language = None
            if (message.get(INTENT) or {}).get("name") == SWITCH_INTENT:
                # "in het Engels graag" is Dutch, but asks for English.
                language = requested_language(text)
            language = language or detect_language(text)
            if language is None:
                continue
            entity = {
                "entity": "language",
                "value": language,
                "start": 0,
                "end": len(text),
                "confidence_entity": 1.0,
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages
