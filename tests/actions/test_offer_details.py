"""Details of a shown offer, and the buttons after the offers."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.offer_details import ActionOfferDetails, next_step_buttons
from actions.search import ActionSearchOffers


def _number(value: str) -> list:
    return [{"entity": "offer_number", "value": value}]


async def _search(tracker_for) -> tuple[list, list]:
    """The offers a search for a computer course in Helmond shows: (their ids, their messages)."""
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(slots={"topic": "computercursus", "municipality": "Helmond"})
    events = await ActionSearchOffers().run(dispatcher, tracker, {})
    [shown] = [event["value"] for event in events if event.get("name") == "offers_shown"]
    return shown, dispatcher.messages


async def test_the_offers_end_with_a_details_button_per_offer(tracker_for, app_settings):
    shown, messages = await _search(tracker_for)
    last = messages[-1]
    assert last["response"] == "utter_ask_helpful"
    payloads = [button["payload"] for button in last["buttons"]]
    # The details come first, so "2" typed on WhatsApp is the second offer.
    assert payloads[: len(shown)] == [
        f'/offer_details{{"offer_number": "{n}"}}' for n in range(1, len(shown) + 1)
    ]
    assert payloads[len(shown) :] == ["/more_offers", "/affirm", "/deny"]
    # the cards carry the numbers the buttons name
    numbers = [message["number"] for message in messages if message["response"] == "utter_offer"]
    assert numbers == list(range(1, len(shown) + 1))


async def test_the_second_offer_s_details(dispatcher, tracker_for, app_settings):
    shown, messages = await _search(tracker_for)
    assert len(shown) >= 2
    titles = [message["title"] for message in messages if message["response"] == "utter_offer"]
    tracker = tracker_for(
        "de tweede", intent="offer_details", entities=_number("2"), slots={"offers_shown": shown}
    )
    events = await ActionOfferDetails().run(dispatcher, tracker, {})
    details, ask = dispatcher.messages
    assert details["response"] == "utter_offer_details" and details["number"] == 2
    assert details["title"] == titles[1]
    assert details["description"] and details["link"].startswith("http")
    assert ask["response"] == "utter_ask_helpful" and len(ask["buttons"]) == len(shown) + 3
    assert events == []  # the shown offers stay, so "de derde" still works


async def test_a_number_that_was_not_shown_asks_which(dispatcher, tracker_for, app_settings):
    tracker = tracker_for(
        "/offer_details", intent="offer_details", entities=_number("3"), slots={"offers_shown": ["1"]}
    )
    await ActionOfferDetails().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_offer_details_which"
    assert [button["title"] for button in message["buttons"]][:1] == ["Meer over 1"]


async def test_no_offers_shown_yet(dispatcher, tracker_for, app_settings):
    tracker = tracker_for("de tweede", intent="offer_details", entities=_number("2"))
    await ActionOfferDetails().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_details_none_shown"]


def test_buttons_in_english():
    titles = [button["title"] for button in next_step_buttons(2, "en")]
    assert titles == ["More on 1", "More on 2", "More offers", "This helps", "Not for me"]


async def test_a_typed_choice_read_as_the_walk_in_choice_still_gets_the_offer(
    dispatcher, tracker_for, app_settings
):
    # Right after the offers the rules send a `choose_walk_in` reading here; the number is typed.
    shown, messages = await _search(tracker_for)
    titles = [message["title"] for message in messages if message["response"] == "utter_offer"]
    for text in ("de tweede", "2"):
        dispatcher.messages.clear()
        tracker = tracker_for(text, intent="choose_walk_in", slots={"offers_shown": shown})
        await ActionOfferDetails().run(dispatcher, tracker, {})
        assert dispatcher.messages[0]["title"] == titles[1]
