"""Which shown offer someone asks about: "de tweede", "meer over nummer 3", "the first one".

After the offers the bot offers buttons "Meer over 1/2/3" (payload `/offer_details`), but
people also type it. A short message that is only such a choice becomes `offer_details` with
the entity `offer_number`; anything longer stays with the classifier. A bare digit is not
enough ("2" may answer "hoeveel uur per week?"); on WhatsApp and SMS the connector already
maps a bare digit to the numbered button it stands for.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.readings import read_as

INTENT_NAME = "offer_details"
WALK_IN_CHOICE = "choose_walk_in"
ENTITY = "offer_number"
ORDINALS = {
    "eerste": 1, "1e": 1, "1ste": 1, "first": 1, "1st": 1,
    "tweede": 2, "2e": 2, "2de": 2, "second": 2, "2nd": 2,
    "derde": 3, "3e": 3, "3de": 3, "third": 3, "3rd": 3,
}  # fmt: skip
_ASK = (
    r"(?:(?:ik wil |graag |kan ik |can i |i want |i'd like )?"
    r"(?:meer (?:info |informatie )?over|info over|informatie over|details (?:van|over|of|about|for)|details"
    r"|vertel (?:me )?(?:meer )?over|tell me (?:more )?about|more (?:info |information )?(?:about|on)) )"
)
_WANT = r"(?:ik wil |ik neem |doe maar |geef me |i want |i'll take |i take |give me )"
_POINTER = r"(?:de |het |the |nummer |nr |number |optie |option |aanbod |offer )"
_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
_TAIL = r"(?: (?:one|optie|aanbod|cursus|graag|alsjeblieft|please|pls))?"
CHOICE = re.compile(
    rf"^(?:{_ASK}|{_WANT})?{_POINTER}*(?P<ordinal>{_ORDINAL}){_TAIL}$"
    rf"|^(?:{_ASK}{_POINTER}*|{_WANT}?{_POINTER}+)(?P<digit>[1-3]){_TAIL}$"
)


def offer_number(text: str) -> int | None:
    """The number of the offer a short message picks, or None when it is no such choice."""
    plain = re.sub(r"[^\w' ]+", " ", (text or "").lower())
    plain = re.sub(r"\s+", " ", plain).strip()
    match = CHOICE.match(plain)
    if not match:
        return None
    return ORDINALS[match.group("ordinal")] if match.group("ordinal") else int(match.group("digit"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OfferChoiceReader(GraphComponent):
    """Reads "de tweede" and the like as `offer_details` with the offer's number."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OfferChoiceReader:
        """Create the component; it has no state to train or load."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent and the number for a message that only picks a shown offer."""
        for message in messages:
            text = message.get(TEXT) or ""
            if (message.get(INTENT) or {}).get("name") == WALK_IN_CHOICE:
                # The classifier knows "de tweede" from the walk-in hours' choice too; which list
                # it answers, the dialogue knows (rules in data/rules/search.yml and handoff.yml).
                continue
            number = None if text.startswith("/") else offer_number(text)
            if number is None:
                continue
            read_as(message, INTENT_NAME)
            entity = {
                "entity": ENTITY,
                "value": str(number),
                "start": 0,
                "end": len(text),
                "confidence_entity": 1.0,
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
