"""What an offer card says beyond title and price: when, where exactly, why it fits, where to sign up.

Everything is built from the catalogue's structured data in the user's language (weekdays,
parts of the day, "doorlopend"), so an English chat never gets Dutch schedule text; a start
date in the past is never shown as the start.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from offer_catalogue import schedule
from offer_catalogue.search import MONTHS, SearchResult
from offer_catalogue.themes import theme_labels

WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
# Dutch joins a weekday and a part of the day into one word ("dinsdagavond").
PARTS = {
    "nl": ((schedule.MORNING, "ochtend"), (schedule.AFTERNOON, "middag"), (schedule.EVENING, "avond")),
    "en": ((schedule.MORNING, "morning"), (schedule.AFTERNOON, "afternoon"), (schedule.EVENING, "evening")),
}
PART_ALONE = {
    "nl": {schedule.MORNING: "'s ochtends", schedule.AFTERNOON: "'s middags", schedule.EVENING: "'s avonds"},
    "en": {schedule.MORNING: "mornings", schedule.AFTERNOON: "afternoons", schedule.EVENING: "evenings"},
}
ONGOING = {"nl": "doorlopend, je kunt altijd starten", "en": "ongoing, start any time"}
NO_LINK = {"nl": "vraag het bij de bibliotheek", "en": "ask at the library"}


def _lang(language: str) -> str:
    return "en" if language == "en" else "nl"


def format_date(day: dt.date, language: str) -> str:
    """A date as "12 januari 2027" or "January 12, 2027"."""
    lang = _lang(language)
    month = MONTHS[lang][day.month - 1]
    return f"{month} {day.day}, {day.year}" if lang == "en" else f"{day.day} {month} {day.year}"


def join_words(items: list[str], language: str) -> str:
    """Join phrases as "a, b en c" or "a, b and c" (for the card and the bot's say-back)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if _lang(language) == "en" else " en ") + items[-1]


def schedule_phrase(days: int | None, parts: int | None, language: str) -> str | None:
    """Days and parts of the day as words: "dinsdagavond", "Tuesday evening", "'s ochtends"."""
    lang = _lang(language)
    day_names = [WEEKDAYS[lang][number] for number in range(7) if days and days >> number & 1]
    part_names = [name for bit, name in PARTS[lang] if parts and parts & bit]
    if day_names and len(part_names) == 1 and len(day_names) <= 2:
        glue = "" if lang == "nl" else " "
        return join_words([f"{day}{glue}{part_names[0]}" for day in day_names], language)
    if day_names:
        return join_words(day_names, language)
    alone = [PART_ALONE[lang][bit] for bit, _name in PARTS[lang] if parts and parts & bit]
    return join_words(alone, language) or None


def when_text(result: SearchResult, language: str, today: dt.date) -> str:
    """When the offer runs: a start date from today on with its days, else "doorlopend" with them."""
    lang = _lang(language)
    times = schedule_phrase(result.days, result.day_parts, language)
    if result.start_date and result.start_date >= today:
        start = ("starts " if lang == "en" else "start ") + format_date(result.start_date, language)
        return f"{start}, {times}" if times else start
    if lang == "nl" and result.schedule_text:
        return result.schedule_text  # Dutch data text with its clock times ("van 13.30 tot 16.00")
    if times:
        return ("every " if lang == "en" else "elke ") + times
    return ONGOING[lang]  # no date from today on: walk-in hours, online courses, ongoing groups


def why_it_fits(result: SearchResult, reasons: str, language: str) -> str:
    """The themes it matched in the person's words, then the limits it meets ("gratis, in Helmond")."""
    parts: list[str] = theme_labels(result.themes, language)
    if reasons:
        parts.append(reasons)
    return ", ".join(parts)


def link_text(result: SearchResult, language: str) -> str:
    """Where to read more and sign up: the provider's page, else the library."""
    return result.url or NO_LINK[_lang(language)]


LINK_BUTTON = {"nl": "Meer info en aanmelden", "en": "More info and sign up"}


def link_buttons(url: str | None, language: str, channel: str | None) -> list[dict[str, str]]:
    """An inline button that opens the provider's page, on Telegram, under the card's text.

    None elsewhere: on WhatsApp and SMS buttons become numbered replies, and a number that
    opens nothing would confuse; the link is in the card's text on every channel.
    """
    if channel != "telegram" or not url or not _web_page(url):
        return []
    return [{"title": LINK_BUTTON[_lang(language)], "url": url}]


def _web_page(url: str) -> bool:
    """An address Telegram accepts for a URL button: http(s), a host with a dot, no spaces.

    Telegram refuses the whole message (text included) for a malformed button URL.
    """
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and "." in parts.netloc and not any(c.isspace() for c in url)


def place_text(result: SearchResult, language: str) -> str:
    """Where: the address for an offer at a place, "online" otherwise."""
    if result.mode == "online" or not (result.address or result.place_text):
        return "online"
    return result.address or result.place_text


def enrol_by(result: SearchResult, language: str, today: dt.date) -> str:
    """A sentence with the enrolment deadline when one is coming, else an empty string."""
    deadline = result.enroll_end_date
    if not deadline or deadline < today:
        return ""
    lang = _lang(language)
    day = format_date(deadline, language)
    return f" Sign up before {day}." if lang == "en" else f" Aanmelden vóór {day}."
