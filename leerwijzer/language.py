"""Whether a text is Dutch or English, from function words: deterministic, no download.

It only names a language when the evidence is clear, so "ok" or "Helmond" never flips it.
Used by the NLU's language entity (bot/nlu/language_detector.py) and by the helpdesk, which
counts the language a chat starts in (helpdesk/counts.py).
"""

from __future__ import annotations

import re

# Words that are common in one language and rare in the other.
DUTCH_WORDS = frozenset(
    [
        "ik",
        "je",
        "jij",
        "u",
        "wij",
        "we",
        "het",
        "een",
        "de",
        "wil",
        "zoek",
        "zoeken",
        "leren",
        "cursus",
        "cursussen",
        "waar",
        "wat",
        "hoe",
        "niet",
        "geen",
        "ja",
        "nee",
        "graag",
        "bedankt",
        "dank",
        "hoi",
        "hallo",
        "goedemorgen",
        "goedemiddag",
        "mijn",
        "voor",
        "met",
        "van",
        "kan",
        "kun",
        "kunt",
        "ben",
        "heb",
        "hebt",
        "wordt",
        "werk",
        "werken",
        "ook",
        "maar",
        "dat",
        "deze",
        "dit",
        "die",
        "naar",
        "om",
        "welke",
        "wanneer",
        "waarom",
        "iets",
        "iemand",
        "alsjeblieft",
        "alstublieft",
        "doei",
        "dag",
        "tot",
        "ziens",
        "hulp",
        "adviseur",
        "spreken",
        "mag",
        "moet",
        "zou",
        "gratis",
        "woon",
        "woont",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "i",
        "you",
        "we",
        "the",
        "a",
        "an",
        "want",
        "looking",
        "look",
        "learn",
        "learning",
        "course",
        "courses",
        "where",
        "what",
        "how",
        "not",
        "no",
        "yes",
        "please",
        "thanks",
        "thank",
        "hello",
        "hi",
        "good",
        "morning",
        "my",
        "for",
        "with",
        "can",
        "could",
        "am",
        "have",
        "has",
        "work",
        "working",
        "also",
        "but",
        "that",
        "this",
        "these",
        "those",
        "which",
        "when",
        "why",
        "something",
        "someone",
        "bye",
        "see",
        "help",
        "advisor",
        "speak",
        "talk",
        "may",
        "must",
        "would",
        "free",
        "live",
        "living",
        "english",
        "would",
        "like",
        "need",
    ]
)
WORD_PATTERN = re.compile(r"[a-zà-ÿ']+")


def detect_language(text: str) -> str | None:
    """Return "nl" or "en" when the text clearly is that language, else None."""
    words = WORD_PATTERN.findall(text.lower())
    dutch = sum(word in DUTCH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    if english > dutch and (dutch == 0 or english >= 2 * dutch):
        return "en"
    if dutch > english and (english == 0 or dutch >= 2 * english):
        return "nl"
    return None


# Names of the two languages, as people type them when they ask to switch.
LANGUAGE_NAMES = {
    "en": frozenset(["english", "engels", "engelse", "engelstalig", "eng", "inglés", "ingles"]),
    "nl": frozenset(["dutch", "nederlands", "nederlandse", "nederlandstalig", "hollands", "nl"]),
}


def requested_language(text: str) -> str | None:
    """The language a switch request names ("in het Engels graag" -> "en"), if exactly one."""
    words = set(WORD_PATTERN.findall(text.lower()))
    named = [language for language, names in LANGUAGE_NAMES.items() if words & names]
    return named[0] if len(named) == 1 else None
