"""Detect whether a user writes Dutch or English, and report it as a `language` entity.

The words and the rule are in leerwijzer/language.py (the helpdesk uses them too).
The `language` slot is filled from this entity; responses pick their variant by that slot.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from leerwijzer.language import (  # noqa: F401 - re-exported for the NLU tests
    DUTCH_WORDS,
    ENGLISH_WORDS,
    LANGUAGE_NAMES,
    WORD_PATTERN,
    detect_language,
    requested_language,
)

SWITCH_INTENT = "choose_language"


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
