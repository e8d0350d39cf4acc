"""Numbered buttons, reply matching, splitting and SMS encoding."""

from __future__ import annotations

import pytest

from channels.formatting import (
    SMS_PART_LIMIT_GSM7,
    SMS_PART_LIMIT_UCS2,
    gsm7_length,
    is_gsm7,
    match_button_reply,
    numbered_list,
    offered_buttons,
    sms_segments,
    split_sms,
    split_text,
    ucs2_length,
)

BUTTONS = offered_buttons([{"title": "Ja 👍", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}])


def test_numbered_list_is_one_message_with_numbers():
    assert numbered_list("Wil je verder?", BUTTONS) == "Wil je verder?\n\n1. Ja 👍\n2. Nee"


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", "/affirm"),
        ("2", "/deny"),
        (" 2. ", "/deny"),
        ("optie 1", "/affirm"),
        ("ja", "/affirm"),
        ("JA!", "/affirm"),
        ("nee", "/deny"),
        ("Jà 👍", "/affirm"),
    ],
)
def test_replies_map_to_button_payloads(reply, payload):
    assert match_button_reply(reply, BUTTONS)["payload"] == payload


@pytest.mark.parametrize("reply", ["3", "0", "misschien", "", "1 en 2"])
def test_other_replies_do_not_map(reply):
    assert match_button_reply(reply, BUTTONS) is None


def test_short_text_is_not_split():
    assert split_text("Korte zin.", 320) == ["Korte zin."]


def test_split_prefers_sentence_ends_and_keeps_every_word():
    sentences = [f"Dit is zin nummer {i} over leren in Eindhoven." for i in range(40)]
    text = " ".join(sentences)
    parts = split_sms(text)
    assert len(parts) > 1
    assert all(len(part) <= SMS_PART_LIMIT_GSM7 for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(parts).split() == text.split()


def test_split_cuts_a_huge_word_hard():
    parts = split_text("x" * 1000, 320)
    assert [len(p) for p in parts] == [320, 320, 320, 40]


def test_emoji_text_uses_ucs2_limit():
    text = "Hoi 😀! " * 80
    assert not is_gsm7(text)
    parts = split_sms(text)
    assert all(ucs2_length(part) <= SMS_PART_LIMIT_UCS2 for part in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_gsm7_extension_characters_count_twice():
    assert is_gsm7("Prijs: €10 [incl]")
    assert gsm7_length("€") == 2
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("é" * 70) == 1  # é is GSM-7
    assert sms_segments("ł" * 71) == 2  # ł needs UCS-2

