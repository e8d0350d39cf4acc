"""Safety net: a message with an unmistakable crisis phrase is always `sensitive_topic`.

The intent classifier learns from examples and can miss a crisis message it has never seen
the like of (in cross-validation English "I'd rather die" sometimes lost to `choose_walk_in`,
because "die" is a Dutch word). A missed crisis message would get a course suggestion instead
of a person and the 113 line, so a short list of phrases that mean nothing else
(`always_crisis` in helpdesk/data/helplines.yml, next to the helpline keywords) overrides the
classifier. Everything else stays with the classifier.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from helpdesk.helplines import is_unmistakable_crisis

SENSITIVE_INTENT = "sensitive_topic"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisSafetyNet(GraphComponent):
    """Sets the intent to `sensitive_topic` when a message holds an unmistakable crisis phrase."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisSafetyNet:
        """Create the component; it has no state to train or load."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Override the intent of crisis messages; leave every other message alone."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or not is_unmistakable_crisis(text):
                continue  # button payloads carry their own intent
            intent = {"name": SENSITIVE_INTENT, "confidence": 1.0}
            ranking = [intent] + [
                {**other, "confidence": 0.0}
                for other in message.get(INTENT_RANKING_KEY) or []
                if other.get("name") != SENSITIVE_INTENT
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
