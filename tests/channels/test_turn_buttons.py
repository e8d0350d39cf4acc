"""Every button of the bot's last turn can be tapped (web, REST, Telegram) or chosen by number (SMS).

The walk-in hours come as three messages with one "Hier wil ik heen" button each. Only the last
message's button used to be remembered, so tapping the first hour in the web chat was refused
as a forged payload and the user got "Daar kan ik je niet mee helpen"; on SMS each hour was
"1. Hier wil ik heen", and "1" booked the last one.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from channels.formatting import match_button_reply
from channels.rest import RestOutput
from channels.sms import SmsInput
from channels.store import ChannelStore
from leerwijzer.settings import get_settings
from tests.channels.conftest import CONV_SMS, sms_credentials


@pytest.fixture(autouse=True)
def settings_of_this_test(env) -> Iterator[None]:
    """The output channels find the button store through the settings: this test's database."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def hour(number: int) -> list:
    return [{"title": "Hier wil ik heen", "payload": f'/choose_walk_in{{"walk_in_offer": "{number}"}}'}]


async def test_a_tap_on_any_message_of_the_last_turn_is_offered(database_url, env):
    store = ChannelStore(database_url)
    turn = RestOutput()
    for number in (11, 12, 13):
        await turn.send_text_with_buttons("rest:leonie", f"Inloopspreekuur {number}", hour(number))
    offered = await store.get_button_offer("rest", "rest:leonie")
    assert [button["payload"] for button in offered] == [hour(n)[0]["payload"] for n in (11, 12, 13)]

    # The next turn's buttons replace them: an old hour cannot be tapped any more.
    await RestOutput().send_text_with_buttons(
        "rest:leonie", "Klopt dit?", [{"title": "Ja", "payload": "/affirm"}]
    )
    assert [button["payload"] for button in await store.get_button_offer("rest", "rest:leonie")] == [
        "/affirm"
    ]


async def test_on_sms_the_numbers_go_on_across_the_turn(database_url, env, twilio_api):
    store = ChannelStore(database_url)
    turn = SmsInput.from_credentials(sms_credentials()).get_output_channel()
    for number in (11, 12):
        await turn.send_text_with_buttons(CONV_SMS, f"Inloopspreekuur {number}", hour(number))
    bodies = [message["Body"] for message in twilio_api.messages_to(CONV_SMS.removeprefix("sms:"))]
    assert bodies == [
        "Inloopspreekuur 11\n\n1. Hier wil ik heen",
        "Inloopspreekuur 12\n\n2. Hier wil ik heen",
    ]
    offered = await store.get_button_offer("sms", CONV_SMS)
    # "1" is the first hour, not the last list's first option; the shared words say neither.
    assert match_button_reply("1", offered)["payload"] == hour(11)[0]["payload"]
    assert match_button_reply("2", offered)["payload"] == hour(12)[0]["payload"]
    assert match_button_reply("Hier wil ik heen", offered) is None

