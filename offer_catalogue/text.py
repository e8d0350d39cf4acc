"""Dutch-aware text analysis for catalogue search: normalising, stemming, compounds, synonyms.

The same analysis runs at import time (index terms per offer) and at query time
(query terms with a quality), so "computercursus", "cursus computer" and "computr" meet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from offer_catalogue.region import levenshtein, normalise

DATA_FILE = Path(__file__).resolve().parent / "data" / "synonyms.json"

# Query quality per way of matching, in percent; integers keep ranking identical across DBs.
QUALITY_EXACT = 10
QUALITY_COMPOUND = 9
QUALITY_ENGLISH = 9
QUALITY_SYNONYM = 7
QUALITY_TYPO = 6
QUALITY_RELATED = 4

# Index weight per field of an offer.
WEIGHT_TITLE = 30
WEIGHT_KEYWORDS = 20
WEIGHT_PROVIDER = 8
WEIGHT_DESCRIPTION = 10
MAX_TERM_LENGTH = 64

STOPWORDS = frozenset(
    [
        "aan",
        "al",
        "alle",
        "alles",
        "als",
        "ben",
        "bent",
        "bij",
        "daar",
        "dan",
        "dat",
        "de",
        "der",
        "deze",
        "die",
        "dit",
        "doe",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "ga",
        "gaan",
        "graag",
        "had",
        "heb",
        "hebben",
        "heeft",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "jij",
        "kan",
        "kun",
        "kunnen",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "mag",
        "moet",
        "na",
        "naar",
        "niet",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "ons",
        "onze",
        "ook",
        "op",
        "over",
        "te",
        "tot",
        "u",
        "uw",
        "van",
        "veel",
        "voor",
        "waar",
        "wat",
        "we",
        "wel",
        "welk",
        "welke",
        "wie",
        "wil",
        "willen",
        "word",
        "wordt",
        "zal",
        "ze",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zoals",
        "zoek",
        "zoeken",
        "zou",
        "zit",
        "wij",
        "jullie",
        "hallo",
        "hoi",
        "hey",
        "dag",
        "beetje",
        "even",
        "soort",
        "zoiets",
        "weet",
        "weten",
        "vinden",
        "vind",
        "iemand",
        "mensen",
        "mogelijk",
        "heel",
        "erg",
        "echt",
        "goed",
        "goede",
        "leuk",
        "leuke",
        "nieuw",
        "nieuwe",
        "krijgen",
        "ergens",
        "s",
        "t",
        "eigen",
        "beginnen",
        "begin",
        "buurt",
        "omgeving",
        "dichtbij",
        "regio",
        "woon",
        "wonen",
        "woonachtig",
        "a",
        "an",
        "the",
        "i",
        "im",
        "i'm",
        "am",
        "looking",
        "for",
        "want",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "my",
        "me",
        "some",
        "any",
        "please",
        "what",
        "where",
        "is",
        "are",
        "do",
        "does",
        "can",
        "you",
        "course",
        "courses",
        "near",
        "gratis",
        "free",
    ]
)


@dataclass(frozen=True)
class QueryGroup:
    """One meaningful query word and the index terms that count for it, with a quality."""

    word: str
    terms: Mapping[str, int]
    generic: bool = False


@dataclass
class AnalysedQuery:
    """The query split into meaningful groups; `generic_words` only hint at a kind."""

    groups: list[QueryGroup] = field(default_factory=list)
    generic_words: list[str] = field(default_factory=list)

    @property
    def meaningful_groups(self) -> list[QueryGroup]:
        """Groups that must drive matching (not generic words like 'cursus')."""
        return [group for group in self.groups if not group.generic]


@lru_cache(maxsize=1)
def _vocab_data() -> dict:
    """Load the synonym data file once."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def words(text: str) -> list[str]:
    """Split text into normalised words (accents removed, lower case)."""
    return [word.strip("'") for word in normalise(text).split() if word.strip("'")]


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, str], ...]:
    """Multi-word phrases and their one-word replacement, longest first."""
    raw = _vocab_data().get("phrases", {})
    pairs = [(" ".join(words(key)), normalise(value)) for key, value in raw.items()]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def apply_phrases(text: str, keep_original: bool = False) -> str:
    """Replace phrases such as "eigen bedrijf" by one word ("ondernemen")."""
    joined = " " + " ".join(words(text)) + " "
    for phrase, replacement in _phrases():
        if f" {phrase} " in joined:
            new = f" {phrase} {replacement} " if keep_original else f" {replacement} "
            joined = joined.replace(f" {phrase} ", new)
    return joined.strip()


_VOWELS = "aeiouy"


def stem(word: str) -> str:
    """Return a light Dutch stem: plural, diminutive and -heid endings removed.

    Simplified from the Snowball Dutch stemmer; good enough to join "cursussen"/"cursus",
    "talen"/"taal", "vaardigheden"/"vaardigheid", "computers"/"computer".
    """
    if len(word) <= 3 or word.isdigit():
        return word
    original = word
    if word.endswith("heden"):
        word = word[:-5] + "heid"
    elif word.endswith(("tjes", "etjes")) and len(word) > 7:
        word = word[:-4]
    elif word.endswith("tje") and len(word) > 6:
        word = word[:-3]
    elif word.endswith("ene") and len(word) > 5:
        word = word[:-1]
    elif word.endswith("en") and len(word) > 4 and word[-3] not in _VOWELS:
        word = word[:-2]
    elif word.endswith("'s") or (word.endswith("s") and len(word) > 4 and word[-2] not in _VOWELS + "sj"):
        word = word.rstrip("s").rstrip("'")
    elif word.endswith("e") and len(word) > 4 and word[-2] not in _VOWELS:
        word = word[:-1]
    # Undouble a final double consonant ("lessen" -> "less" -> "les").
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]
    # Undouble a long vowel before a final consonant ("taal" -> "tal") so "talen" meets it.
    if (
        len(word) > 3
        and word[-1] not in _VOWELS
        and word[-2] == word[-3]
        and word[-2] in "aeou"
        and word[-4] not in _VOWELS
    ):
        word = word[:-2] + word[-1]
    return word if len(word) >= 2 else original


@lru_cache(maxsize=1)
def _compound_parts() -> frozenset[str]:
    """Known word pieces for compound splitting, including every synonym word."""
    data = _vocab_data()
    parts = {normalise(p) for p in data["compound_parts"]}
    for group in data["groups"]:
        parts.update(normalise(w) for w in group if " " not in normalise(w))
    return frozenset(p for p in parts if len(p) >= 2)


_LINKING = ("", "s", "e", "en")


@lru_cache(maxsize=20000)
def split_compound(word: str) -> tuple[str, ...]:
    """Split a compound into known pieces ("computercursus" -> computer, cursus); () if none."""
    parts = _compound_parts()
    best: tuple[str, ...] = ()

    def walk(rest: str, found: tuple[str, ...]) -> None:
        nonlocal best
        if not rest:
            if len(found) >= 2 and (not best or len(found) < len(best)):
                best = found
            return
        for end in range(len(rest), 1, -1):
            head = rest[:end]
            if head in parts or stem(head) in parts:
                tail = rest[end:]
                for link in _LINKING:
                    if tail.startswith(link) and (len(found) < 4):
                        walk(tail[len(link) :], (*found, head))
                        if best and len(best) == 2:
                            return

    # A word that is itself known ("digitaal") is never split ("digi" + "taal").
    if len(word) >= 6 and word not in parts and stem(word) not in parts:
        walk(word, ())
    return best


def index_terms_for_word(word: str) -> dict[str, int]:
    """Return index terms for one word: its stem (100 %) and its compound pieces (90 %)."""
    terms = {stem(word)[:MAX_TERM_LENGTH]: 100}
    for part in split_compound(word):
        terms.setdefault(stem(part), 90)
    return terms


def analyse_document(fields: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Return {term: weight} for an offer from (text, field weight) pairs; max weight wins."""
    result: dict[str, int] = {}
    for text, weight in fields:
        if not text:
            continue
        for word in apply_phrases(text[:20000], keep_original=True).split():
            if word in STOPWORDS or len(word) < 2:
                continue
            for term, percent in index_terms_for_word(word).items():
                value = weight * percent // 100
                if value > result.get(term, 0):
                    result[term] = value
    return result


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, tuple[int, ...]]:
    """Map each stemmed synonym word to the indexes of the groups it belongs to."""
    index: dict[str, list[int]] = {}
    for number, group in enumerate(_vocab_data()["groups"]):
        for member in group:
            for key in {stem(normalise(member)), normalise(member)}:
                index.setdefault(key, [])
                if number not in index[key]:
                    index[key].append(number)
    return {key: tuple(value) for key, value in index.items()}


def _group_terms(number: int) -> set[str]:
    """Return the index terms of one synonym group (multi-word members use every word)."""
    terms: set[str] = set()
    for member in _vocab_data()["groups"][number]:
        member_words = words(member)
        if len(member_words) == 1:
            terms.add(stem(member_words[0]))
    return terms


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    """Stems of generic words such as "cursus" and "training"."""
    return frozenset(stem(normalise(w)) for w in _vocab_data()["generic"])


@lru_cache(maxsize=1)
def _related() -> dict[str, list[str]]:
    """One-way related words, stemmed."""
    return {
        stem(normalise(key)): [stem(normalise(v)) for v in values]
        for key, values in _vocab_data()["related"].items()
    }


@lru_cache(maxsize=1)
def _english() -> dict[str, str]:
    """English query word -> Dutch word."""
    return {normalise(key): normalise(value) for key, value in _vocab_data()["english"].items()}


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """All stems the analyser knows from its data file (used for typo correction)."""
    known = set(_synonym_index()) | set(_generic_stems()) | set(_compound_parts())
    return frozenset(known)


def expand_stem(term: str, quality: int, into: dict[str, int]) -> None:
    """Add a term, its synonyms and related words to `into` with decreasing quality."""
    if quality > into.get(term, 0):
        into[term] = quality
    synonym_quality = min(quality, QUALITY_SYNONYM)
    for number in _synonym_index().get(term, ()):
        for other in _group_terms(number):
            if synonym_quality > into.get(other, 0):
                into[other] = synonym_quality
    for related_word in _related().get(term, ()):
        for number in _synonym_index().get(related_word, ()):
            for other in _group_terms(number):
                if into.get(other, 0) < QUALITY_RELATED:
                    into[other] = QUALITY_RELATED


def closest_terms(word: str, vocabulary: Iterable[str]) -> list[str]:
    """Return vocabulary terms within the typo budget of `word` (1 edit from 5, 2 from 9 letters)."""
    if len(word) < 5:
        return []
    budget = 2 if len(word) >= 9 else 1
    found = []
    for candidate in vocabulary:
        if (
            abs(len(candidate) - len(word)) <= budget
            and candidate[:1] == word[:1]
            and levenshtein(word, candidate, budget) <= budget
        ):
            found.append(candidate)
    return sorted(found)


def analyse_query(text: str, vocabulary: frozenset[str] = frozenset()) -> AnalysedQuery:
    """Turn a free-text query into groups of weighted index terms.

    `vocabulary` is the set of terms in the index; words not found there or in the
    synonym data get typo correction against both.
    """
    result = AnalysedQuery()
    english = _english()
    known = lexicon() | vocabulary
    seen: set[str] = set()
    for word in apply_phrases(text[:500]).split()[:20]:
        if word in STOPWORDS or len(word) < 2 or word in seen:
            continue
        seen.add(word)
        base = stem(word)
        terms: dict[str, int] = {}
        generic = base in _generic_stems()
        if word in english and base not in known:
            translated = stem(english[word])
            generic = translated in _generic_stems()
            expand_stem(translated, QUALITY_ENGLISH, terms)
            result.groups.append(QueryGroup(word, terms, generic))
            if generic:
                result.generic_words.append(translated)
            continue
        if generic:
            result.generic_words.append(base)
            result.groups.append(QueryGroup(word, {base: QUALITY_EXACT}, True))
            continue
        pieces = split_compound(word)
        meaningful_pieces = [p for p in pieces if stem(p) not in _generic_stems()]
        if pieces and base not in _synonym_index():
            result.generic_words.extend(stem(p) for p in pieces if stem(p) in _generic_stems())
            if not meaningful_pieces:
                result.groups.append(QueryGroup(word, {base: QUALITY_EXACT}, True))
                continue
            # The whole compound is one group: any of its meaningful pieces counts.
            terms[base] = QUALITY_EXACT
            for piece in meaningful_pieces:
                expand_stem(stem(piece), QUALITY_COMPOUND, terms)
            terms[base] = QUALITY_EXACT
            result.groups.append(QueryGroup(word, terms))
            continue
        expand_stem(base, QUALITY_EXACT, terms)
        if base not in known:
            for corrected in closest_terms(base, known):
                expand_stem(corrected, QUALITY_TYPO, terms)
        result.groups.append(QueryGroup(word, terms))
    return result
