"""When an offering takes place: weekdays and parts of the day as bit masks, and language codes.

`parse_schedule` reads, in order of trust, a structured schedule in an OOAPI `ext` object,
the offering's start/end date-time, and free Dutch or English text ("dinsdagavond van 19.30
tot 22.00 uur", "weekdays 10am-1pm"). Search stores the result in `Offering.days_mask` and
`Offering.day_parts`; None means the data does not say, which is not the same as "never".

Bit layout (shared with search):
    days_mask: bit 0 = Monday ... bit 6 = Sunday
    day_parts: bit 0 = morning (< 12:00), bit 1 = afternoon (12:00-18:00), bit 2 = evening (>= 18:00)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from offer_catalogue.region import normalise

LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = (1 << day for day in range(7))
WEEKDAYS = 0b0011111
WEEKEND_DAYS = 0b1100000
ALL_DAYS = 0b1111111
MORNING, AFTERNOON, EVENING = 1, 2, 4
DAYTIME = MORNING | AFTERNOON
NOON = 12 * 60
EVENING_START = 18 * 60

_DAY_NAMES = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
# Abbreviations are ordinary words too ("zo", "do", "sat"): they count only in ranges and lists.
_DAY_ABBREVIATIONS = {
    "ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
_PART_WORDS = {
    "ochtend": MORNING, "morgen": MORNING, "voormiddag": MORNING, "morning": MORNING,
    "middag": AFTERNOON, "namiddag": AFTERNOON, "afternoon": AFTERNOON,
    "avond": EVENING, "evening": EVENING, "night": EVENING, "nacht": EVENING,
}  # fmt: skip

_DAY = "|".join(sorted(_DAY_NAMES, key=len, reverse=True))
_ABBR = "|".join(sorted(_DAY_ABBREVIATIONS, key=len, reverse=True))
_ANY_DAY = rf"(?:{_DAY})s?|(?:{_ABBR})\.?"
_PART = "ochtend|morgen|middag|avond|nacht"
# "dinsdag", "dinsdagen", "dinsdagavond(en)", "'s zaterdags", "mondays"
_DAY_WORD = re.compile(rf"\b(?:s )?({_DAY})(?:en|s)?(?:({_PART})(?:en|s)?)?\b")
_RANGE_SEPARATOR = r"\s*(?:t/m|tm|t m|tot en met|tot|to|through|till|until|-)\s*"
_DAY_RANGE = re.compile(rf"\b({_ANY_DAY}){_RANGE_SEPARATOR}({_ANY_DAY})(?![a-z])")
_ABBR_LIST = re.compile(rf"\b((?:{_ABBR})\.?(?:\s*(?:,|/|&|en|and)\s*(?:{_ABBR})\.?)+)(?![a-z])")
_ABBR_WITH_TIME = re.compile(rf"\b({_ABBR})\.?\s+(?=\d{{1,2}}[:.]\d\d)")
_PART_WORD = re.compile(
    r"\b(?:s\s?)?(ochtend|morgen|voormiddag|middag|namiddag|avond|nacht)(?:en|s)?\b"
    r"|\b(morning|afternoon|evening|night)s?\b"
    r"|\b(overdag|daytime|during the day)\b"
    r"|\b(avond)(?:cursus|les|lessen|opleiding|school)\b"
)
_WEEKDAY_WORDS = re.compile(
    r"\b(?:werkdagen|werkdag|doordeweeks|door de week|weekdays|weekday|on weekdays|workdays)\b"
)
_WEEKEND_WORDS = re.compile(r"\b(?:weekend|weekends|weekenden)\b")
# "morgen" alone means "tomorrow"; only "'s morgens" and "ochtend" name the morning.
_TOMORROW = re.compile(r"(?<!s )(?<!s)\bmorgen\b(?!s)")
_CLOCK = r"(\d{1,2})(?:[:.u](\d\d))?\s*(am|pm|a\.m\.|p\.m\.)?"
_TIME_RANGE = re.compile(
    rf"(?:\bvan\s+|\bfrom\s+|\btussen\s+|\bbetween\s+)?\b{_CLOCK}\s*(?:-|–|—|tot|to|till|until|en|and)\s*"
    rf"{_CLOCK}(?:\s*(uur|u\b|h\b|hours|hour|o'clock))?"
)
# "van 8 tot 12 deelnemers", "4 tot 12 jaar": numbers that count something are no clock times.
_COUNTED = re.compile(
    r"\s*(?:deelnemers|personen|mensen|cursisten|kinderen|jaar|jarigen|weken|lessen|euro|keer"
    r"|participants|people|persons|students|years|weeks|lessons|times)\b"
)
_SINGLE_TIME = re.compile(rf"(?:\b(om|vanaf|at|from|starts at|begint om)\s+)?\b{_CLOCK}(?:\s*(uur|u\b|h\b))?")


def _minutes(hour: str, minute: str | None, meridiem: str | None) -> int | None:
    """Minutes after midnight for a clock time, or None when it is no time of day."""
    hours, minutes = int(hour), int(minute or 0)
    if meridiem:
        if hours > 12:
            return None
        hours = hours % 12 + (12 if meridiem.startswith("p") else 0)
    if hours > 24 or minutes > 59:
        return None
    return hours * 60 + minutes


def parts_for_times(start: int, end: int | None = None) -> int:
    """Day-part bits for a session from `start` to `end` (minutes after midnight)."""
    if end is None or end <= start:
        end = start + 1
    parts = 0
    if start < NOON:
        parts |= MORNING
    if start < EVENING_START and end > NOON:
        parts |= AFTERNOON
    if end > EVENING_START:
        parts |= EVENING
    return parts


def _text_times(text: str) -> int:
    """Day-part bits from clock times in normalised-for-times text; durations do not count."""
    parts = 0
    taken: list[tuple[int, int]] = []
    for match in _TIME_RANGE.finditer(text):
        h1, m1, ap1, h2, m2, ap2, unit = match.groups()
        lead = match.group(0).startswith(("van", "from", "tussen", "between"))
        has_marker = bool(m1 or m2 or ap1 or ap2 or lead)
        if unit in ("hours", "hour") or not (has_marker or unit) or _COUNTED.match(text, match.end()):
            continue  # "2-3 hours" is a duration, "3-4" may be anything
        if ap2 and not ap1:
            # "1-3pm" is afternoon, "10-1pm" and "10-12pm" start in the morning, "12-2pm" at noon.
            first, second = int(h1), int(h2)
            ap1 = "pm" if first == 12 else "am" if second == 12 or first > second else ap2
        start, end = _minutes(h1, m1, ap1), _minutes(h2, m2, ap2)
        if start is None or end is None:
            continue
        if not (ap1 or ap2) and start < 6 * 60 and end < 12 * 60:
            start, end = start + 12 * 60, end + 12 * 60  # "van 2 tot 4 uur" is the afternoon
        parts |= parts_for_times(start, end)
        taken.append(match.span())
    for match in _SINGLE_TIME.finditer(text):
        if any(begin <= match.start() < stop for begin, stop in taken):
            continue
        lead, hour, minute, meridiem, unit = match.groups()
        colon = ":" in match.group(0)
        if not (meridiem or minute and (lead or unit or colon) or lead and unit):
            continue  # "2 uur per week", "1.5 hours": durations, not times
        minutes = _minutes(hour, minute, meridiem)
        if minutes is not None:
            parts |= parts_for_times(minutes + (12 * 60 if not meridiem and minutes < 6 * 60 else 0))
    return parts


def _prepare(text: str) -> str:
    """Lower-case text with accents removed, keeping the characters times and ranges need."""
    lowered = text.lower().replace("\u2019", "'")
    lowered = re.sub(r"[–—]", "-", lowered)
    lowered = re.sub(r"'s\s*", "s ", lowered)  # "'s avonds" -> "s avonds"
    kept = re.sub(r"[^0-9a-z:./\-&,' ]+", " ", _strip_accents(lowered))
    return re.sub(r"\s+", " ", kept).strip()


def _strip_accents(text: str) -> str:
    """Remove accents but keep punctuation (the region normaliser drops it)."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _text_days(text: str) -> int:
    """Weekday bits named in prepared text."""
    days = 0
    for match in _DAY_RANGE.finditer(text):
        first, last = (_day_index(group) for group in match.groups())
        if first is not None and last is not None and first <= last:
            days |= sum(1 << day for day in range(first, last + 1))
    for match in _ABBR_LIST.finditer(text):
        for token in re.split(r"\s*(?:,|/|&|\ben\b|\band\b)\s*", match.group(1)):
            index = _day_index(token)
            if index is not None:
                days |= 1 << index
    for match in _ABBR_WITH_TIME.finditer(text):
        days |= 1 << _DAY_ABBREVIATIONS[match.group(1)]
    for match in _DAY_WORD.finditer(text):
        days |= 1 << _DAY_NAMES[match.group(1)]
    if _WEEKDAY_WORDS.search(text):
        days |= WEEKDAYS
    if _WEEKEND_WORDS.search(text):
        days |= WEEKEND_DAYS
    return days


def _day_index(token: str) -> int | None:
    """Index 0-6 of a day name or abbreviation ("vr.", "mondays"), else None."""
    word = token.strip().rstrip(".")
    if word in _DAY_ABBREVIATIONS:
        return _DAY_ABBREVIATIONS[word]
    for name, index in _DAY_NAMES.items():
        if word.startswith(name):
            return index
    return None


def _text_parts(text: str) -> int:
    """Day-part bits from words ("avond", "mornings", "overdag") and clock times."""
    parts = 0
    for match in _DAY_WORD.finditer(text):
        if match.group(2):
            parts |= _PART_WORDS[match.group(2)]
    cleaned = _TOMORROW.sub(" ", text)
    for match in _PART_WORD.finditer(cleaned):
        word = match.group(1) or match.group(2) or match.group(4)
        parts |= DAYTIME if match.group(3) else _PART_WORDS[word]
    return parts | _text_times(text)


def parse_text(text: str) -> tuple[int | None, int | None]:
    """Weekdays and day parts stated in one Dutch or English text; None where it says nothing."""
    prepared = _prepare(text or "")
    if not prepared:
        return None, None
    return (_text_days(prepared) or None), (_text_parts(prepared) or None)


def _parse_clock(value: Any) -> int | None:
    """Minutes after midnight of "19:30", "19.30", "7pm" or an ISO time; None when not a time."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(rf"\s*{_CLOCK}\s*(?::\d\d)?\s*", value.lower())
    return _minutes(*match.groups()) if match else None


def _ext_dicts(ext: Any) -> list[dict[str, Any]]:
    """Structured schedule objects inside an `ext` block (nested under any key, or lists)."""
    keys = {"daysOfWeek", "dayOfWeek", "days", "startTime", "endTime", "partOfDay", "partsOfDay", "weekend"}
    found: list[dict[str, Any]] = []

    def walk(value: Any, depth: int) -> None:
        if depth > 3:
            return
        if isinstance(value, dict):
            if keys & set(value):
                found.append(value)
            for child in value.values():
                if isinstance(child, (dict, list)):
                    walk(child, depth + 1)
        elif isinstance(value, list):
            for child in value:
                walk(child, depth + 1)

    walk(ext, 0)
    return found


def _as_list(value: Any) -> list[Any]:
    """A value as a list (a single string or number becomes a one-item list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_ext_schedule(ext: Any) -> tuple[int | None, int | None]:
    """Weekdays and day parts of structured schedules in an OOAPI `ext` object."""
    days = parts = 0
    for item in _ext_dicts(ext):
        for day in _as_list(item.get("daysOfWeek", item.get("dayOfWeek", item.get("days")))):
            if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 7:
                days |= 1 << (day - 1)  # ISO 8601: 1 = Monday
            elif isinstance(day, str):
                index = _day_index(normalise(day))
                days |= 0 if index is None else 1 << index
        if item.get("weekend") is True:
            days |= WEEKEND_DAYS
        for part in _as_list(item.get("partOfDay", item.get("partsOfDay"))):
            if isinstance(part, str):
                parts |= _text_parts(_prepare(part))
        start, end = _parse_clock(item.get("startTime")), _parse_clock(item.get("endTime"))
        if start is not None:
            parts |= parts_for_times(start, end)
    return days or None, parts or None


def _as_datetime(value: Any) -> dt.datetime | None:
    """An ISO date-time (string or datetime) or None; a bare date has no time of day."""
    if isinstance(value, str) and "T" in value:
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    # Feeds send UTC or an offset; people keep the local clock of the region.
    return value.astimezone(LOCAL_TIME) if value.tzinfo else value


def parse_datetimes(start: Any, end: Any = None) -> tuple[int | None, int | None]:
    """Day parts of the start/end date-times; the weekday only for a single-day session."""
    first, last = _as_datetime(start), _as_datetime(end)
    if first is None:
        return None, None
    days = None
    if last is not None and last.date() == first.date():
        days = 1 << first.weekday()
    begin = first.hour * 60 + first.minute
    if begin == 0 and (last is None or last.hour * 60 + last.minute == 0):
        return days, None  # midnight is how feeds write "date only"
    stop = last.hour * 60 + last.minute if last is not None else None
    return days, parts_for_times(begin, stop if stop and stop > begin else None)


def parse_schedule(
    texts: Iterable[str | None],
    start_datetime: Any = None,
    ext_schedule: Any = None,
    end_datetime: Any = None,
) -> tuple[int | None, int | None]:
    """Return (days_mask, day_parts) of an offering; None where no source states it.

    Each value comes from the first source that states it: the structured `ext_schedule`,
    then the start/end date-time, then the texts in the order given (most specific first,
    e.g. the offering's schedule text before the course description).
    """
    candidates = [parse_ext_schedule(ext_schedule), parse_datetimes(start_datetime, end_datetime)]
    candidates.extend(parse_text(text) for text in texts if text)
    days = next((found for found, _ in candidates if found), None)
    parts = next((found for _, found in candidates if found), None)
    return days, parts


_LANGUAGE_NAMES = {
    "nederlands": "nl", "dutch": "nl", "nederlandstalig": "nl", "vlaams": "nl",
    "engels": "en", "english": "en", "engelstalig": "en",
    "duits": "de", "german": "de", "frans": "fr", "french": "fr", "spaans": "es", "spanish": "es",
    "arabisch": "ar", "arabic": "ar", "turks": "tr", "turkish": "tr", "pools": "pl", "polish": "pl",
    "oekraiens": "uk", "ukrainian": "uk", "italiaans": "it", "italian": "it",
}  # fmt: skip


def normalise_language(code: Any) -> str | None:
    """A two-letter ISO 639-1 code for a teaching language ("nld", "nl-NL", "English" -> nl/en).

    Returns None when the value is no recognisable language.
    """
    if not isinstance(code, str) or not code.strip():
        return None
    raw = code.strip()
    named = _LANGUAGE_NAMES.get(normalise(raw))
    if named:
        return named
    import langcodes  # installed with the locked requirements; only needed at import time

    try:
        language = langcodes.Language.get(langcodes.standardize_tag(raw.replace("_", "-"))).language
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return None
    return language if language and len(language) == 2 and language.isalpha() else None
