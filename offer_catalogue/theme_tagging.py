"""Tag catalogue offers with themes of the taxonomy (data/themes.yml) at import time.

The chat matcher `match_themes` is reused, but a course text is not a chat message: a title
names the subject, a description also mentions the audience, the teaching language and what
to bring. So the evidence is weighed per field (see the SCORE_* constants) and combined as
independent evidence, 1 - (1 - a)(1 - b)...:

* themes given in the data that are taxonomy ids: 1.0 (only those score 1.0);
* the title: strong; keywords, learning outcomes and given labels that are no theme id: good;
* the description: weak. A theme found only there needs a term in two clauses, a strong
  phrase (several words, not on the weak list), three different weak terms ("computer",
  "e-mail", "internet"), or other evidence such as an ISCED field that points to it;
* ISCED-F 2013 fields of study (data/isced_themes.yml): supporting evidence.

Search finds the themes through index terms `theme_term(id)` ("#care_work") at WEIGHT_THEME.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from offer_catalogue.region import normalise
from offer_catalogue.themes import SCORE_COMPOUND, ThemeMatch, match_themes, themes

TAGGING_FILE = Path(__file__).resolve().parent / "data" / "isced_themes.yml"
THEME_PREFIX = "#"
# Index weight of a theme term: above a title word (text.WEIGHT_TITLE = 30).
WEIGHT_THEME = 60
MAX_THEMES = 4
MIN_SCORE = 0.45
# Inferred themes stay below 1.0, so 1.0 always means "given in the data".
MAX_INFERRED = 0.95
SCORE_GIVEN = 1.0
SCORE_TITLE = 0.85
SCORE_KEYWORDS = 0.7
# A weak term in keywords ("vrijwilligers" for a café run by volunteers) only corroborates.
SCORE_WEAK_KEYWORD = 0.3
SCORE_DESCRIPTION = 0.5
SCORE_DESCRIPTION_ONCE = 0.25
SCORE_ISCED_ALONE = 0.5
SCORE_ISCED_SUPPORT = {4: 0.3, 3: 0.25, 2: 0.15}
DOUBTFUL_SCORE = 0.6

# Phrases about the language of teaching or what to bring, not about the subject.
_NOT_A_SUBJECT = re.compile(
    r"\b(?:in het|voertaal:?|taal:?|gegeven in het|gegeven in|taught in|given in|held in|conducted in"
    r"|language of instruction:?|in)\s+(?:nederlands|engels|dutch|english)\b"
    r"|\b(?:nederlandstalig|engelstalig)e?\b"
    r"|\b(?:neem|nemen)\s+(?:je|jij|u|uw)\s+(?:eigen\s+)?(?:laptop|tablet|telefoon|smartphone|computer)"
    r"(?:\s+of\s+(?:tablet|telefoon|smartphone|laptop))?\s+mee\b"
    r"|\bbring\s+(?:your\s+)?(?:own\s+)?(?:laptop|tablet|phone|smartphone|computer)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
# Descriptions are counted per clause, so "e-mail, internet en de computer" is three mentions.
_CLAUSE = re.compile(r"(?<=[.!?;:,])\s+|\n+|\s+(?:en|and|of|or)\s+")
# Distinct weak terms of one theme that together make a description point to it.
MIN_WEAK_TERMS = 3
# Two words listed together: "tablet of telefoon", "tablet, telefoon", "phone/tablet".
# Language courses list the four skills ("spreken, luisteren, lezen en schrijven"): that makes
# no reading-and-writing course for people who struggle with it.
NOT_FROM_A_LIST = frozenset(["reading_writing"])
# (A lookahead, so "computer, tablet of telefoon" yields both pairs.)
_LISTED_PAIR = re.compile(r"\b(\w+)(?=\s*(?:,|/|\s(?:of|en|or|and))\s*(\w+)\b)")
_DIGITS = re.compile(r"\d{2,4}")


@dataclass(frozen=True)
class _TaggingData:
    """The ISCED map and the weak description terms, loaded once."""

    isced: dict[str, tuple[str, ...]]
    weak_terms: frozenset[str]


@lru_cache(maxsize=1)
def _data() -> _TaggingData:
    """Load data/isced_themes.yml, dropping ids that are not in the taxonomy."""
    with TAGGING_FILE.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    known = themes()
    isced = {str(code): tuple(theme for theme in ids if theme in known) for code, ids in raw["isced"].items()}
    weak = frozenset(normalise(str(term)) for term in raw["weak_description_terms"])
    return _TaggingData(isced=isced, weak_terms=weak)


def theme_term(theme_id: str) -> str:
    """The index term that marks an offer with a theme ("#care_work"), at most 64 characters."""
    return (THEME_PREFIX + theme_id)[:64]


def isced_themes(fields_of_study: Any) -> dict[str, float]:
    """Supporting score per theme from ISCED-F codes ("0413", ["0732", "0715"], "0231 Talen")."""
    values = fields_of_study if isinstance(fields_of_study, (list, tuple)) else [fields_of_study]
    table = _data().isced
    found: dict[str, float] = {}
    for value in values:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            continue
        code = _DIGITS.search(str(value).zfill(4) if isinstance(value, int) else str(value))
        if code is None:
            continue
        digits = code.group(0)
        for length in (len(digits), 3, 2):
            ids = table.get(digits[:length])
            if ids:
                alone = length == 4 and len(digits) == 4 and len(ids) == 1
                score = SCORE_ISCED_ALONE if alone else SCORE_ISCED_SUPPORT[min(length, 4)]
                for theme_id in ids:
                    found[theme_id] = max(found.get(theme_id, 0.0), score)
                break
    return found


def _clean(text: str | None) -> str:
    """Text without the phrases that name the teaching language or things to bring."""
    return _NOT_A_SUBJECT.sub(" . ", text or "")


def _matches(text: str, weak_terms: frozenset[str] = frozenset()) -> list[ThemeMatch]:
    """Exact and compound theme matches in text, leaving out matches on weak terms.

    Typo matches are for chat messages; in edited course text a close word is another
    word ("learning" is no typo of "cleaning").
    """
    return [
        match
        for match in match_themes(text)
        if match.score >= SCORE_COMPOUND and match.matched_text not in weak_terms
    ]


def _description_evidence(description: str, supported: set[str]) -> dict[str, float]:
    """Score per theme from a description: repeated, a strong phrase, or backed by other evidence.

    Weak terms count only together: three different ones ("computer", "e-mail", "internet"), or
    two of one theme listed together ("tablet of telefoon").
    """
    weak = _data().weak_terms
    mentions: dict[str, int] = defaultdict(int)
    weak_words: dict[str, set[str]] = defaultdict(set)
    strong: set[str] = set()
    for clause in _CLAUSE.split(_clean(description)[:20000]):
        for match in _matches(clause):
            if match.matched_text in weak:
                weak_words[match.theme].add(match.matched_text)
                continue
            mentions[match.theme] += 1
            if " " in match.matched_text and match.score >= 1.0:
                strong.add(match.theme)
    evidence = {
        theme_id: SCORE_DESCRIPTION for theme_id, words in weak_words.items() if len(words) >= MIN_WEAK_TERMS
    }
    # Two different weak terms of one theme listed together are the subject, not a passing
    # mention: "met uw computer, tablet of telefoon" (the clause split cuts at "of").
    for first, second in _LISTED_PAIR.findall(description.lower()):
        if first == second:
            continue
        both = {m.theme for m in _matches(first) if m.matched_text in weak} & {
            m.theme for m in _matches(second) if m.matched_text in weak
        }
        evidence.update((theme_id, SCORE_DESCRIPTION) for theme_id in both - NOT_FROM_A_LIST)
    for theme_id, count in mentions.items():
        if count >= 2 or theme_id in strong or theme_id in supported:
            evidence[theme_id] = SCORE_DESCRIPTION
        else:
            evidence.setdefault(theme_id, SCORE_DESCRIPTION_ONCE)
    return evidence


def _combine(scores: Iterable[float]) -> float:
    """Independent pieces of evidence combined: 1 - product of (1 - score)."""
    remaining = 1.0
    for score in scores:
        remaining *= 1.0 - score
    return 1.0 - remaining


def tag_offer(
    title: str | None,
    description: str | None = None,
    keywords: str | Iterable[str] | None = None,
    learning_outcomes: str | Iterable[str] | None = None,
    fields_of_study: Any = None,
    given_themes: Iterable[str] = (),
) -> list[tuple[str, float]]:
    """Return up to MAX_THEMES (theme id, score) pairs for an offer, best first.

    Args:
        title: the offer title (Dutch and English titles may be joined with " / ").
        description: the description(s), any language.
        keywords: keywords as one text or a list.
        learning_outcomes: learning outcomes as one text or a list.
        fields_of_study: ISCED-F 2013 code(s), e.g. "0413" or ["0732"].
        given_themes: themes stated in the data; taxonomy ids score 1.0, other labels
            ("mantelzorg", "digitale_vaardigheden") are read like keywords.
    """
    known = themes()
    evidence: dict[str, list[float]] = defaultdict(list)
    given = set()
    labels = []
    for raw in given_themes:
        label = str(raw).strip()
        code = label.lower().replace(" ", "_")
        if code in known:
            given.add(code)
        elif label:
            labels.append(label.replace("_", " "))
    for match in _matches(_clean(title)):
        evidence[match.theme].append(SCORE_TITLE * match.score)
    weak = _data().weak_terms
    for text, is_label in (
        (_joined(keywords), False),
        (_joined(learning_outcomes), False),
        (" ; ".join(labels), True),
    ):
        for part in _SENTENCE.split(_clean(text)):
            for match in _matches(part):
                strength = (
                    SCORE_WEAK_KEYWORD if match.matched_text in weak and not is_label else SCORE_KEYWORDS
                )
                evidence[match.theme].append(strength * match.score)
    isced = isced_themes(fields_of_study)
    for theme_id, score in isced.items():
        evidence[theme_id].append(score)
    supported = set(isced) | set(evidence)
    for theme_id, score in _description_evidence(description or "", supported).items():
        evidence[theme_id].append(score)
    scores = {theme_id: min(MAX_INFERRED, _combine(values)) for theme_id, values in evidence.items()}
    scores.update({theme_id: SCORE_GIVEN for theme_id in given})
    ranked = sorted(
        ((theme_id, round(score, 3)) for theme_id, score in scores.items() if score >= MIN_SCORE),
        key=lambda pair: (-pair[1], list(known).index(pair[0])),
    )
    return ranked[:MAX_THEMES]


def _joined(value: str | Iterable[str] | None) -> str:
    """One text from a string or a list of strings (items become separate sentences)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ; ".join(str(item) for item in value if item)


def doubt_reason(scored: list[tuple[str, float]], threshold: float = DOUBTFUL_SCORE) -> str | None:
    """Why an offer's themes need a maintainer's look, or None when they look fine."""
    if not scored:
        return "no theme found"
    best = max(score for _theme, score in scored)
    if best < threshold:
        return f"best theme {scored[0][0]} scores only {best:.2f} (< {threshold:.2f})"
    return None
