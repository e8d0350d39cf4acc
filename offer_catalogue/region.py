"""Region gazetteer of the Metropoolregio Eindhoven: municipalities, villages and distances.

Users name villages ("Mierlo", "Stiphout") more often than municipalities, so
`resolve_place` maps any mention in a free-text message to one of the 21 municipalities.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

DATA_FILE = Path(__file__).resolve().parent / "data" / "region.json"

PlaceKind = Literal["municipality", "village", "online"]
ONLINE = "online"

# Endings that turn a place name into an adjective or inhabitant ("Eindhovense", "Helmonder").
_DEMONYM_SUFFIXES = ("s", "se", "er", "ers", "aar", "aren", "naar", "naren", "e")
# Words that introduce a place; ambiguous names ("Best", "Son") only count after one of these.
_PLACE_PREPOSITIONS = frozenset(
    [
        "in",
        "uit",
        "bij",
        "naar",
        "rond",
        "rondom",
        "omgeving",
        "buurt",
        "regio",
        "te",
        "van",
        "nabij",
        "richting",
        "dichtbij",
    ]
)
# Common Dutch words that are one typo away from a place name; never fuzzy-match them.
_NOT_PLACES = frozenset(
    [
        "vasten",
        "kasten",
        "lasten",
        "gasten",
        "pasten",
        "deuren",
        "gemerkt",
        "beste",
        "besten",
        "handel",
        "handen",
        "achter",
        "soms",
        "zonder",
        "lenen",
        "lende",
        "geldig",
        "helmen",
        "somers",
        "hoogte",
        "eerste",
        "eersten",
        "steen",
        "stratum",
        "straten",
        "reuzel",
        "ommen",
        "modern",
        "hapert",
        "bakken",
        "gestelde",
        "heer",
        "heeft",
        "heel",
        "west",
    ]
)


@dataclass(frozen=True)
class PlaceMatch:
    """A place found in text: its municipality, the text that matched and the kind.

    For online words ("online", "thuis", "overal") `municipality` is "online".
    """

    municipality: str
    matched_text: str
    kind: PlaceKind
    place: str = ""
    fuzzy: bool = False


@dataclass(frozen=True)
class _Name:
    """One searchable name (normalised tokens) and what it points to."""

    tokens: tuple[str, ...]
    municipality: str
    place: str
    kind: PlaceKind
    ambiguous: bool


def normalise(text: str) -> str:
    """Lower-case, strip accents and turn punctuation into spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9']+", " ", without_accents.lower()).strip()


@lru_cache(maxsize=1)
def _data() -> dict:
    """Load the gazetteer data file once."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


MUNICIPALITIES: list[str] = [m["name"] for m in _data()["municipalities"]]


@lru_cache(maxsize=1)
def _names() -> tuple[_Name, ...]:
    """Build all searchable names, longest first so "Mierlo-Hout" beats "Mierlo"."""
    data = _data()
    ambiguous = {normalise(a) for a in data["ambiguous_names"]}
    names: list[_Name] = []
    for municipality in data["municipalities"]:
        official = municipality["name"]
        for label in [official, *municipality["aliases"]]:
            tokens = tuple(normalise(label).split())
            names.append(_Name(tokens, official, official, "municipality", " ".join(tokens) in ambiguous))
        for village in municipality["places"]:
            tokens = tuple(normalise(village).split())
            kind: PlaceKind = "municipality" if village == official else "village"
            names.append(_Name(tokens, official, village, kind, " ".join(tokens) in ambiguous))
    for phrase in data["online_words"]:
        names.append(_Name(tuple(normalise(phrase).split()), ONLINE, ONLINE, "online", False))
    names.sort(key=lambda name: (-len(" ".join(name.tokens)), name.place))
    return tuple(names)


def levenshtein(first: str, second: str, limit: int = 3) -> int:
    """Return the edit distance (a swap of two letters counts as one edit), capped at limit+1."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    before_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i, char_a in enumerate(first, start=1):
        current = [i]
        for j, char_b in enumerate(second, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == second[j - 2] and first[i - 2] == char_b:
                cost = min(cost, before_previous[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before_previous, previous = previous, current
    return min(previous[-1], limit + 1)


def allowed_typos(word: str) -> int:
    """Return how many typos a name of this length tolerates (0 for short names)."""
    if len(word) >= 9:
        return 2
    if len(word) >= 6:
        return 1
    return 0


def _tokenise(text: str) -> list[tuple[str, int, int]]:
    """Split text into normalised words with their start and end offsets in the original."""
    tokens = []
    for match in re.finditer(r"[^\W_]+(?:'[^\W_]+)?|'t", text):
        word = normalise(match.group())
        if word:
            tokens.append((word.replace(" ", ""), match.start(), match.end()))
    return tokens


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict[tuple[str, ...], list[_Name]], dict[str, list[_Name]]]:
    """Index names by their exact tokens and by first letter (for suffix and typo checks)."""
    exact: dict[tuple[str, ...], list[_Name]] = {}
    by_letter: dict[str, list[_Name]] = {}
    for name in _names():
        exact.setdefault(name.tokens, []).append(name)
        if not name.ambiguous and name.kind != "online":
            by_letter.setdefault(name.tokens[0][:1], []).append(name)
    return exact, by_letter


# "thuis" is online as an answer ("thuis graag"), not in a story ("10 jaar thuis geweest").
_SHORT_ANSWER_WORDS = 4


@lru_cache(maxsize=1)
def _online_alone() -> frozenset[str]:
    """Online words that count only in a short answer (region.json `online_words_alone`)."""
    return frozenset(normalise(word) for word in _data().get("online_words_alone", []))


@lru_cache(maxsize=4096)
def _candidates(text: str) -> tuple[tuple[int, int, int, PlaceMatch], ...]:
    """Return (quality, start, -length, match) for every place mention in the text."""
    tokens = _tokenise(text)
    words = [token[0] for token in tokens]
    exact_names, names_by_letter = _name_index()
    max_size = max(len(name.tokens) for name in _names())
    found = []
    for start in range(len(words)):
        previous_word = words[start - 1] if start > 0 else ""
        for size in range(1, min(max_size, len(words) - start) + 1):
            window = tuple(words[start : start + size])
            joined = " ".join(window)
            span_text = text[tokens[start][1] : tokens[start + size - 1][2]]
            candidates = [(0, name) for name in exact_names.get(window, ())]
            if not candidates:
                for name in names_by_letter.get(joined[:1], ()):
                    if len(name.tokens) != size:
                        continue
                    joined_name = " ".join(name.tokens)
                    last = name.tokens[-1]
                    if (
                        window[:-1] == name.tokens[:-1]
                        and len(last) >= 4
                        and window[-1].startswith(last)
                        and window[-1][len(last) :] in _DEMONYM_SUFFIXES
                    ):
                        candidates.append((1, name))
                    elif (
                        allowed_typos(joined_name) > 0
                        and abs(len(joined) - len(joined_name)) <= allowed_typos(joined_name)
                        and not (set(window) & _NOT_PLACES)
                        and levenshtein(joined, joined_name, allowed_typos(joined_name))
                        <= allowed_typos(joined_name)
                    ):
                        candidates.append((2, name))
            for quality, name in candidates:
                if name.ambiguous and previous_word not in _PLACE_PREPOSITIONS:
                    continue
                if name.kind == "online" and joined in _online_alone() and len(words) > _SHORT_ANSWER_WORDS:
                    continue
                match = PlaceMatch(
                    municipality=name.municipality,
                    matched_text=span_text,
                    kind=name.kind,
                    place=name.place,
                    fuzzy=quality == 2,
                )
                found.append((quality, tokens[start][1], -len(" ".join(name.tokens)), match))
    return tuple(found)


def resolve_place(text: str) -> PlaceMatch | None:
    """Find a municipality, village or online word mentioned anywhere in `text`.

    Exact mentions beat adjective forms ("Eindhovense"), which beat typo matches;
    among equals the earliest and then the longest mention wins.
    """
    if not text or not text.strip():
        return None
    found = list(_candidates(text[:2000]))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1], item[2], item[3].place))
    return found[0][3]


def resolve_all_places(text: str) -> list[PlaceMatch]:
    """Return every distinct place mentioned in `text`, in order of appearance."""
    found = sorted(_candidates(text[:2000]), key=lambda item: (item[1], item[0], item[2]))
    result: list[PlaceMatch] = []
    covered: list[tuple[int, int]] = []
    for _quality, start, negative_length, match in found:
        end = start + len(match.matched_text)
        if any(start < c_end and c_start < end for c_start, c_end in covered):
            continue
        del negative_length
        covered.append((start, end))
        result.append(match)
    return result


def canonical_municipality(name: str) -> str | None:
    """Return the official municipality name for a municipality, alias or village name."""
    if not name:
        return None
    for official in MUNICIPALITIES:
        if normalise(official) == normalise(name):
            return official
    for candidate in _names():
        if candidate.kind != "online" and " ".join(candidate.tokens) == normalise(name):
            return candidate.municipality
    match = resolve_place(f"in {name}")
    if match and match.kind != "online":
        return match.municipality
    return None


def centre(municipality: str) -> tuple[float, float]:
    """Return the approximate (lat, lon) centre of a municipality."""
    for entry in _data()["municipalities"]:
        if entry["name"] == municipality:
            return entry["lat"], entry["lon"]
    raise KeyError(municipality)


def place_centre(place: str | None) -> tuple[float, float] | None:
    """The (lat, lon) of a village, district or municipality by its name, else None."""
    if not place:
        return None
    coordinates = _data().get("place_coordinates", {}).get(place)
    if coordinates:
        return float(coordinates[0]), float(coordinates[1])
    try:
        return centre(place)
    except KeyError:
        return None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points in kilometres."""
    radius = 6371.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def distance_km(first: str, second: str) -> float:
    """Return the distance between two municipality centres in kilometres."""
    return haversine_km(*centre(first), *centre(second))


def neighbours(municipality: str) -> list[str]:
    """Return the municipalities that border this one (inside the region)."""
    for entry in _data()["municipalities"]:
        if entry["name"] == municipality:
            return list(entry["neighbours"])
    raise KeyError(municipality)


def municipalities_within(municipality: str, km: float) -> list[tuple[str, float]]:
    """Return (name, distance) of municipalities whose centre is within `km`, nearest first.

    The municipality itself comes first with distance 0.
    """
    result = [
        (other, round(distance_km(municipality, other), 1))
        for other in MUNICIPALITIES
        if other == municipality or distance_km(municipality, other) <= km
    ]
    return sorted(result, key=lambda item: (item[1], item[0]))
