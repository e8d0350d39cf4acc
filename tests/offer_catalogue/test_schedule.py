"""Schedule parsing (weekdays and parts of the day as bit masks) and teaching language codes."""

from __future__ import annotations

import pytest

from offer_catalogue.schedule import (
    AFTERNOON,
    EVENING,
    FRIDAY,
    MONDAY,
    MORNING,
    SATURDAY,
    SUNDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    WEEKDAYS,
    WEEKEND_DAYS,
    normalise_language,
    parse_schedule,
    parse_text,
    parts_for_times,
)

TEXTS = [
    ("dinsdagavond van 19.30 tot 22.00 uur", TUESDAY, EVENING),
    ("elke donderdag van 13.30 tot 16.00", THURSDAY, AFTERNOON),
    ("op zaterdagochtend", SATURDAY, MORNING),
    ("maandag en woensdag 9:00-12:00", MONDAY | WEDNESDAY, MORNING),
    ("Tuesday evenings from 19:30 to 22:00", TUESDAY, EVENING),
    ("weekdays 10am–1pm", WEEKDAYS, MORNING | AFTERNOON),
    ("ma t/m vr", WEEKDAYS, None),
    ("maandag tot en met donderdag", MONDAY | TUESDAY | WEDNESDAY | THURSDAY, None),
    ("Mon-Fri 9am-5pm", WEEKDAYS, MORNING | AFTERNOON),
    ("overdag", None, MORNING | AFTERNOON),
    ("'s avonds", None, EVENING),
    ("every Saturday morning", SATURDAY, MORNING),
    ("in het weekend", WEEKEND_DAYS, None),
    ("za en zo 10:00", WEEKEND_DAYS, MORNING),
    ("5 dinsdagavonden", TUESDAY, EVENING),
    ("4 ochtenden", None, MORNING),
    ("elke eerste maandag van de maand, 14.00-16.00 uur", MONDAY, AFTERNOON),
    ("van 11:00 tot 14:00", None, MORNING | AFTERNOON),
    ("17:00-19:00", None, AFTERNOON | EVENING),
    ("om 19.30 uur", None, EVENING),
    ("tussen 10 en 12 uur", None, MORNING),
    ("van 2 tot 4 uur", None, AFTERNOON),
    ("12-2pm", None, AFTERNOON),
    ("avondcursus", None, EVENING),
    ("Zondags open", SUNDAY, None),
    # Durations, dates and other words that are no schedule.
    ("2 uur per week", None, None),
    ("1,5 hours", None, None),
    ("1.5 hours a week", None, None),
    ("elke week, 1,5 uur", None, None),
    ("6 lessen, 1 keer per week 2 uur", None, None),
    ("2-3 hours a week", None, None),
    ("start op 12.03.2027", None, None),
    ("morgen beginnen we", None, None),
    ("informatieavond op 5 maart", None, None),
    ("op afspraak", None, None),
    ("zo leer je het snel", None, None),
    ("groepen van 8 tot 12 deelnemers", None, None),
    ("voor kinderen van 4 tot 12 jaar", None, None),
    ("for ages 8 to 12 years", None, None),
    ("kosten: 12.50 euro", None, None),
]


@pytest.mark.parametrize(("text", "days", "parts"), TEXTS)
def test_free_text(text: str, days: int | None, parts: int | None) -> None:
    """Dutch and English schedule texts give the stated days and parts, nothing else."""
    assert parse_text(text) == (days, parts)


def test_bit_layout() -> None:
    """Monday is bit 0 and Sunday bit 6; morning, afternoon, evening are bits 0-2."""
    assert (MONDAY, FRIDAY, SUNDAY, WEEKEND_DAYS) == (1, 16, 64, 0b1100000)
    assert (MORNING, AFTERNOON, EVENING) == (1, 2, 4)


def test_day_part_boundaries() -> None:
    """Morning is before 12:00, afternoon 12-18, evening from 18:00; a span covers every part."""
    assert parts_for_times(9 * 60, 12 * 60) == MORNING
    assert parts_for_times(11 * 60, 14 * 60) == MORNING | AFTERNOON
    assert parts_for_times(12 * 60) == AFTERNOON
    assert parts_for_times(18 * 60) == EVENING
    assert parts_for_times(10 * 60, 21 * 60) == MORNING | AFTERNOON | EVENING


def test_structured_ext_schedule_comes_first() -> None:
    """An OOAPI ext schedule beats the date-time and the text."""
    ext = {"schedule": {"daysOfWeek": ["tuesday"], "startTime": "19:30", "endTime": "22:00"}}
    assert parse_schedule(["elke maandagochtend"], "2027-03-03T10:00:00+01:00", ext) == (TUESDAY, EVENING)
    assert parse_schedule([], None, {"leerwijzer": {"weekend": True, "partOfDay": ["ochtend"]}}) == (
        WEEKEND_DAYS,
        MORNING,
    )
    assert parse_schedule([], None, {"schedule": [{"daysOfWeek": [1, 3]}, {"dayOfWeek": "vrijdag"}]}) == (
        MONDAY | WEDNESDAY | FRIDAY,
        None,
    )


def test_datetimes_give_time_and_single_session_weekday() -> None:
    """Start/end date-times give the part of the day (local time); the weekday only for one day."""
    assert parse_schedule([], "2027-03-06T09:30:00+01:00", None, "2027-03-06T12:30:00+01:00") == (
        SATURDAY,
        MORNING | AFTERNOON,
    )
    # 18:30 UTC is 19:30 in the Netherlands; a course over weeks says nothing about the day.
    assert parse_schedule([], "2027-03-03T18:30:00Z", None, "2027-03-31T20:30:00Z") == (None, EVENING)
    # Midnight is how feeds write a date without a time.
    assert parse_schedule([], "2027-03-03T00:00:00", None) == (None, None)


def test_texts_are_read_in_order_per_value() -> None:
    """Each value comes from the first text that states it."""
    assert parse_schedule(["elke dinsdag", "maandagochtend"]) == (TUESDAY, MORNING)
    assert parse_schedule([None, "", "nothing here"]) == (None, None)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nld", "nl"),
        ("nl-NL", "nl"),
        ("dut", "nl"),
        ("NL", "nl"),
        ("eng", "en"),
        ("en-GB", "en"),
        ("English", "en"),
        ("Nederlands", "nl"),
        ("de", "de"),
        ("fra", "fr"),
        ("", None),
        (None, None),
        ("klingon", None),
    ],
)
def test_normalise_language(code, expected) -> None:
    """Teaching languages become two-letter ISO 639-1 codes."""
    assert normalise_language(code) == expected
