"""Details of a shown offer ("de tweede", "Meer over 2"), and the buttons after the offers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import user_language
from actions.database import run_in_session
from bot.nlu.offer_choice import ORDINALS, offer_number
from offer_catalogue.offer_card import link_buttons
from offer_catalogue.offer_details import NO_DATE_OPEN, offer_details

NUMBER_ENTITY = "offer_number"
# A number or ordinal alone, after the offers' buttons ("2", "nr. 3", "tweede"); longer forms
# are read by bot/nlu/offer_choice.py, whose ordinals these are.
TYPED = frozenset(["1", "2", "3", *ORDINALS])
DETAILS_LABEL = {"nl": "Meer over {number}", "en": "More on {number}"}
MORE_LABEL = {"nl": "Meer aanbod", "en": "More offers"}
HELPS_LABEL = {"nl": "Dit helpt me", "en": "This helps"}
NOT_FOR_ME_LABEL = {"nl": "Niets voor mij", "en": "Not for me"}


def next_step_buttons(shown: int, language: str) -> List[Dict[str, Any]]:
    """Buttons after the offers: details of each (numbered as shown), more, helps, not for me.

    The details buttons come first, so on WhatsApp and SMS the number typed is the offer's.
    """
    lang = "en" if language == "en" else "nl"
    buttons = [
        {
            "title": DETAILS_LABEL[lang].format(number=number),
            "payload": f'/offer_details{{"{NUMBER_ENTITY}": "{number}"}}',
        }
        for number in range(1, shown + 1)
    ]
    buttons += [
        {"title": MORE_LABEL[lang], "payload": "/more_offers"},
        {"title": HELPS_LABEL[lang], "payload": "/affirm"},
        {"title": NOT_FOR_ME_LABEL[lang], "payload": "/deny"},
    ]
    return buttons


def chosen_number(tracker: Tracker) -> int | None:
    """The offer number of the latest message: the button's, or typed ("de tweede", "2"), or None.

    The typed forms also cover a message the classifier read as the walk-in hours' choice.
    """
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == NUMBER_ENTITY:
            try:
                return int(str(entity.get("value")))
            except ValueError:
                return None
    text = (tracker.latest_message or {}).get("text") or ""
    if text.startswith("/"):
        return None
    words = re.findall(r"\w+", text.lower())
    return offer_number(text) or next(
        (ORDINALS.get(word) or int(word) for word in words if word in TYPED), None
    )


class ActionOfferDetails(Action):
    """Shows what one of the shown offers is about, every date and place to join, and the link."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_offer_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Utter the details of the chosen offer, then the same next-step buttons again."""
        language = user_language(tracker)
        shown = [str(offer_id) for offer_id in tracker.get_slot("offers_shown") or []]
        if not shown:
            dispatcher.utter_message(response="utter_offer_details_none_shown")
            return []
        number = chosen_number(tracker)
        if number is None or not 1 <= number <= len(shown):
            dispatcher.utter_message(
                response="utter_offer_details_which", buttons=next_step_buttons(len(shown), language)
            )
            return []
        offer_id = int(shown[number - 1])
        details = await run_in_session(
            lambda session: offer_details(session, offer_id, language, dt.date.today())
        )
        if details is None:
            dispatcher.utter_message(response="utter_offer_details_gone")
        else:
            lang = "en" if language == "en" else "nl"
            dispatcher.utter_message(
                response="utter_offer_details",
                number=number,
                title=details.title,
                provider=details.provider,
                description=details.description or "-",
                dates="\n".join(f"- {line}" for line in details.dates) or NO_DATE_OPEN[lang],
                languages=details.languages or "-",
                link=details.link,
                buttons=link_buttons(details.link, language, tracker.get_latest_input_channel()),
            )
        dispatcher.utter_message(
            response="utter_ask_helpful", buttons=next_step_buttons(len(shown), language)
        )
        return []
