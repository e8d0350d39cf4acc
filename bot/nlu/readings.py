"""One way for a word-rule component to set a message's intent after the classifier."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def read_as(message: Message, intent: str) -> None:
    """Make `intent` the message's reading (confidence 1.0), first in the ranking.

    The classifier's other guesses stay in the ranking with their confidences, so the parse
    still shows what the classifier thought.
    """
    reading = {"name": intent, "confidence": 1.0}
    ranking = [reading] + [
        other for other in message.get(INTENT_RANKING_KEY) or [] if other.get("name") != intent
    ]
    message.set(INTENT, reading, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
