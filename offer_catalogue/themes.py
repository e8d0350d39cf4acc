"""Theme taxonomy of the regional learning offer: load it and map free text to themes.

The themes live in `data/themes.yml` (Dutch and English labels, the words that point to each
theme). The chatbot maps every message to themes with `match_themes`; the catalogue will tag
offers with the same ids, so this module imports nothing of the bot or the actions.

Matching, per message (about 20-60 microseconds):
1. exact phrases on normalised words, longest first, so "nederlandse gebarentaal" is sign
   language and not Dutch, and one word counts for one theme only;
2. compounds: a word that is a term plus a learning word ("ehbocursus") or starts with a
   term of six or more letters ("heftruckcertificaat");
3. typos: a word of six or more letters close to a term (rapidfuzz ratio >= 86); a real Dutch
   or English word form (spaCy's lemma tables in spacy-lookups-data) must be closer (>= 92):
   "children" is no typo of "schilderen" (89), "nederands" is one of "nederlands" (95).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import spacy_lookups_data
import yaml
from rapidfuzz import fuzz, process

from offer_catalogue.region import normalise

THEMES_FILE = Path(__file__).resolve().parent / "data" / "themes.yml"

# Words that only say "a learning offer": "ehbo" + "cursus" is still first aid.
LEARNING_SUFFIXES = (
    "cursus",
    "cursussen",
    "les",
    "lessen",
    "training",
    "trainingen",
    "opleiding",
    "workshop",
    "certificaat",
    "diploma",
    "examen",
)
MAX_PHRASE_WORDS = 5
FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 86
REAL_WORD_CUTOFF = 92
SCORE_EXACT = 1.0
SCORE_COMPOUND = 0.9
# Themes offered as buttons when nothing in the message is close to any theme.
DEFAULT_SUGGESTIONS = ("computer_basics", "dutch_second_language", "career", "job_applications")


@dataclass(frozen=True)
class Theme:
    """One theme: its id, labels in both languages, catalogue query words and terms."""

    id: str
    nl: str
    en: str
    query: str
    terms: tuple[str, ...]

    def label(self, language: str) -> str:
        """The short label in the user's language ("en", else Dutch)."""
        return self.en if language == "en" else self.nl


@dataclass(frozen=True)
class ThemeMatch:
    """A theme found in text: how sure (0-1) and which words of the text matched."""

    theme: str
    score: float
    matched_text: str
    start: int


@dataclass(frozen=True)
class _Index:
    """Lookup tables built once from the data file."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    long_words: dict[str, tuple[str, ...]]
    fuzzy_choices: tuple[str, ...]


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    """Load all themes from `data/themes.yml`, keyed by id (in file order)."""
    with THEMES_FILE.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)["themes"]
    return {
        theme_id: Theme(
            id=theme_id,
            nl=str(spec["nl"]),
            en=str(spec["en"]),
            query=str(spec["query"]),
            terms=tuple(
                dict.fromkeys(normalise(str(term)) for term in spec["terms"] if normalise(str(term)))
            ),
        )
        for theme_id, spec in raw.items()
    }


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Phrase table (normalised words -> theme ids) and the words used for typo matching."""
    phrases: dict[tuple[str, ...], list[str]] = {}
    for theme in themes().values():
        for term in theme.terms:
            ids = phrases.setdefault(tuple(term.split()), [])
            if theme.id not in ids:
                ids.append(theme.id)
    frozen = {key: tuple(ids) for key, ids in phrases.items()}
    long_words = {
        key[0]: ids for key, ids in frozen.items() if len(key) == 1 and len(key[0]) >= FUZZY_MIN_LENGTH
    }
    return _Index(phrases=frozen, long_words=long_words, fuzzy_choices=tuple(long_words))


def _diminutive_of(term: str, word: str) -> bool:
    """Whether `term` is `word` with a Dutch diminutive ending ("bedrijfje" of "bedrijf")."""
    return any(term == word + ending for ending in ("je", "tje", "pje", "jes", "tjes", "pjes"))


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Dutch and English word forms from spaCy's lemma lookup tables (both sides), ~0.2 s once.

    The tables ship in the locked spacy-lookups-data wheel; nothing is downloaded.
    """
    folder = Path(spacy_lookups_data.__file__).resolve().parent / "data"
    words: set[str] = set()
    for language in ("en", "nl"):
        with gzip.open(folder / f"{language}_lemma_lookup.json.gz", "rt", encoding="utf-8") as file:
            table = json.load(file)
        words.update(table)
        words.update(table.values())
    return frozenset(words)


def _word_themes(word: str) -> tuple[tuple[str, ...], float]:
    """Themes of one word that is no exact term: a compound or a typo."""
    index = _index()
    for suffix in LEARNING_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)]
            ids = index.phrases.get((stem,)) or index.phrases.get((stem.rstrip("s"),))
            if ids:
                return ids, SCORE_COMPOUND
    if len(word) < FUZZY_MIN_LENGTH:
        return (), 0.0
    # The longest known term the word starts with ("heftruckcertificaat" -> "heftruck").
    for end in range(len(word) - 3, FUZZY_MIN_LENGTH - 1, -1):
        ids = index.long_words.get(word[:end])
        if ids:
            return ids, SCORE_COMPOUND
    best = process.extractOne(word, index.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if best is not None and best[1] < REAL_WORD_CUTOFF and word in known_words():
        # A real word only loosely like a term is not a typo of it ("children" is 89 % like
        # "schilderen"); the tables hold common misspellings too ("nederands" 95 %), so a close
        # one still counts.
        return (), 0.0
    if best is None or best[0] in word or _diminutive_of(best[0], word):
        # A term inside a longer word is a compound we do not know ("inschrijven" is not
        # "schrijven"), not a typo; nor is the plain word of a diminutive term ("bedrijf" is
        # not "bedrijfje": everyone works at a company, few start one).
        return (), 0.0
    return index.long_words[best[0]], SCORE_COMPOUND * best[1] / 100


def match_themes(
    text: str, skip_words: Iterable[str] = (), skip_positions: Iterable[int] = ()
) -> list[ThemeMatch]:
    """Map a message to themes, best first; an empty list when none fits.

    Args:
        text: the user's message in Dutch or English.
        skip_words: normalised words that belong to something else (a place name, the
            language of teaching) and must not count as a theme anywhere in the text.
        skip_positions: indexes of words in `normalise(text).split()` that are context only
            there ("my Dutch wife"), while the same word elsewhere may be the wish
            ("improve my Dutch").
    """
    words = normalise(text).split()
    if not words:
        return []
    skipped = set(skip_words)
    positions = set(skip_positions)
    index = _index()
    used = [word in skipped or position in positions for position, word in enumerate(words)]
    found: dict[str, ThemeMatch] = {}

    def add(ids: tuple[str, ...], score: float, start: int, end: int) -> None:
        for theme_id in ids:
            old = found.get(theme_id)
            if old is None or score > old.score:
                found[theme_id] = ThemeMatch(theme_id, round(score, 3), " ".join(words[start:end]), start)

    # Longest phrases first: a word belongs to the longest phrase it is part of.
    for size in range(min(MAX_PHRASE_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            ids = index.phrases.get(tuple(words[start : start + size]))
            if ids:
                add(ids, SCORE_EXACT, start, start + size)
                for position in range(start, start + size):
                    used[position] = True
    for position, word in enumerate(words):
        if used[position] or word.isdigit():
            continue
        ids, score = _word_themes(word)
        if ids:
            add(ids, score, position, position + 1)
    return sorted(found.values(), key=lambda match: (-match.score, match.start))


def suggest_themes(text: str, limit: int = 3) -> list[str]:
    """The themes nearest to words that matched nothing, for a "did you mean" question.

    Uses a looser partial match than `match_themes`; falls back to common themes.
    """
    suggestions: list[str] = [match.theme for match in match_themes(text)]
    index = _index()
    all_terms = tuple(index.phrases)
    joined = tuple(" ".join(term) for term in all_terms)
    for word in normalise(text).split():
        if len(word) < 4:
            continue
        for _choice, score, position in process.extract(word, joined, scorer=fuzz.ratio, limit=5):
            if score < 60:
                break
            for theme_id in index.phrases[all_terms[position]]:
                if theme_id not in suggestions:
                    suggestions.append(theme_id)
    for theme_id in DEFAULT_SUGGESTIONS:
        if theme_id not in suggestions:
            suggestions.append(theme_id)
    return suggestions[:limit]


def theme_labels(theme_ids: Iterable[str], language: str) -> list[str]:
    """Labels of known theme ids in the user's language (unknown ids are left out)."""
    known = themes()
    return [known[theme_id].label(language) for theme_id in theme_ids if theme_id in known]


def theme_query(theme_ids: Iterable[str]) -> str:
    """Catalogue search words for the themes (their Dutch query words, no repeats)."""
    known = themes()
    words: list[str] = []
    for theme_id in theme_ids:
        if theme_id in known:
            words.extend(word for word in known[theme_id].query.split() if word not in words)
    return " ".join(words)
