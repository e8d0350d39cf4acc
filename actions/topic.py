"""Turn a free-text request into the subject the user wants to learn about."""

from __future__ import annotations

import re

# Words that say *that* someone wants to learn, not *what*. Dutch and English.
REQUEST_WORDS = frozenset(
    [
        "ik",
        "je",
        "jij",
        "u",
        "we",
        "wij",
        "zoek",
        "zoeken",
        "zoekt",
        "op",
        "naar",
        "een",
        "de",
        "het",
        "in",
        "te",
        "bij",
        "om",
        "voor",
        "van",
        "met",
        "over",
        "mijn",
        "mij",
        "wil",
        "wilt",
        "willen",
        "graag",
        "leren",
        "volgen",
        "doen",
        "iets",
        "is",
        "er",
        "zijn",
        "waar",
        "kan",
        "kun",
        "kunnen",
        "ik'm",
        "heb",
        "hebt",
        "hebben",
        "welke",
        "wat",
        "hoe",
        "iemand",
        "beter",
        "meer",
        "ook",
        "even",
        "nog",
        "cursus",
        "cursussen",
        "opleiding",
        "opleidingen",
        "les",
        "lessen",
        "training",
        "trainingen",
        "workshop",
        "gratis",
        "online",
        "thuis",
        "buurt",
        "omgeving",
        "regio",
        "gemeente",
        "woon",
        "woont",
        "plaats",
        "dorp",
        "stad",
        "i",
        "am",
        "im",
        "i'm",
        "looking",
        "look",
        "for",
        "a",
        "an",
        "the",
        "to",
        "in",
        "at",
        "near",
        "want",
        "would",
        "like",
        "learn",
        "learning",
        "some",
        "something",
        "course",
        "courses",
        "class",
        "classes",
        "training",
        "lesson",
        "lessons",
        "about",
        "any",
        "please",
        "free",
        "my",
        "me",
        "is",
        "there",
        "are",
        "where",
        "can",
        "find",
        "of",
        "on",
    ]
)
WORD_PATTERN = re.compile(r"[\wÀ-ÿ'+#-]+", re.UNICODE)


def extract_topic(text: str, place_words: tuple[str, ...] = ()) -> str | None:
    """Return the subject words of a request, or None when only request words remain.

    Args:
        text: the user's message, e.g. "Ik zoek een computercursus in Helmond".
        place_words: the place text found in the message, removed from the topic.

    Returns:
        The remaining subject, e.g. "computercursus", or None.
    """
    lowered = text.lower()
    for place in place_words:
        if place:
            lowered = lowered.replace(place.lower(), " ")
    words = [w.strip("'-") for w in WORD_PATTERN.findall(lowered)]
    subject = [w for w in words if w and w not in REQUEST_WORDS and not w.isdigit()]
    if not subject:
        # "ik zoek een cursus" names no subject; a bare "cursus" does not either.
        return None
    return " ".join(subject)[:100]
