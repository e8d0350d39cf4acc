"""Catalogue search used by the bot: Dutch-aware text matching, filters and explanations.

Ranking is integer arithmetic in SQL with ties broken by ids, so SQLite and PostgreSQL
return the same top results. Text matching uses the precomputed `offer_search_terms`.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Literal, Sequence, Union

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from offer_catalogue import region
from offer_catalogue.models import (
    CatalogueMeta,
    Location,
    Offer,
    Offering,
    OfferSearchTerm,
    Provider,
    SearchTermWeight,
    SearchVocabulary,
    TargetGroup,
    offer_target_groups,
)
from offer_catalogue.text import AnalysedQuery, QueryGroup, analyse_query, normalise, stem, words
from offer_catalogue.theme_tagging import THEME_PREFIX, theme_term

Mode = Literal["online", "on_site"]
Language = Literal["nl", "en"]

# Kinds that have no fixed start: you can walk in or start any time.
ONGOING_KINDS = ("walk_in_advice", "test_or_tool", "informal_learning", "scheme")
# Generic query words hint at a kind ("cursus" -> course/training).
_KIND_HINTS = {
    "cursus": ("course", "training", "informal_learning"),
    "cursuss": ("course", "training", "informal_learning"),
    "training": ("training", "course"),
    "opleiding": ("course", "training"),
    "les": ("course", "informal_learning", "training"),
    "workshop": ("course", "event", "training"),
    "module": ("course", "training"),
}
_SCORE_SAME_MUNICIPALITY = 60
_SCORE_ONLINE = 25
_SCORE_KIND_HINT = 50
_SCORE_TARGET_GROUP = 40
_SCORE_TIME_FIT = 30
# Quality of a theme group: with the theme term's index weight it outweighs every word of a
# query, so "fit to the person's themes" comes before text relevance.
QUALITY_THEME = 50
_VOCABULARY_VERSION_KEY = "vocabulary_version"


@dataclass
class SearchQuery:
    """What the user is looking for; every filter is optional."""

    text: str = ""
    municipality: str | None = None
    within_km: float | None = None
    # Where the person lives when it is more precise than the municipality's centre (a village:
    # Stiphout lies 3 km from Helmond's centre); `within_km` is measured from here.
    origin: tuple[float, float] | None = None
    free_only: bool = False
    max_price_eur: Union[Decimal, float] | None = None
    mode: Mode | None = None
    level: str | None = None
    target_group: str | None = None
    kinds: list[str] | None = None
    starting_within_months: int | None = None
    today: dt.date | None = None
    language: Language = "nl"
    # Theme ids of the taxonomy (offer_catalogue/data/themes.yml); an offer tagged with one
    # ranks above any offer that only shares words with the query.
    themes: list[str] | None = None
    # Teaching languages the person can follow ("nl", "en"); an offering that states none passes.
    teaching_languages: list[str] | None = None
    # Acceptable parts of the day and days of the week as bit masks of offer_catalogue.schedule;
    # an offering whose data states no time passes (nothing to break).
    day_parts: int | None = None
    days: int | None = None


@dataclass
class Reason:
    """Why a result fits, as a code with parameters; `format_reasons` turns it into text."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResult:
    """One offer with its best-fitting offering (date, place, price)."""

    offer_id: int
    offering_id: int | None
    title: str
    provider: str
    kind: str
    municipality: str | None
    place_text: str
    price_eur: Decimal | None
    start_date: dt.date | None
    url: str | None
    checked_on: dt.date | None
    reasons: list[Reason] = field(default_factory=list)
    score: int = 0
    mode: str | None = None
    fictional: bool = False
    language: Language = "nl"
    # What a person needs to act on it (shown on the offer card).
    address: str | None = None
    schedule_text: str | None = None
    day_parts: int | None = None
    days: int | None = None
    teaching_language: str | None = None
    enroll_end_date: dt.date | None = None
    # Theme ids of the query this offer is tagged with (the "why it fits").
    themes: list[str] = field(default_factory=list)


@dataclass
class SchemeInfo:
    """A funding or support scheme with its validity, including ended ones (STAP)."""

    offer_id: int
    title: str
    status: Literal["open", "ended", "not_started"]
    valid_from: dt.date | None
    valid_until: dt.date | None
    description: str | None
    url: str | None
    checked_on: dt.date | None
    provider: str


@dataclass(frozen=True, eq=False)
class _IndexInfo:
    """Per-database search data cached per vocabulary version: terms and their weights."""

    terms: frozenset[str]
    # term -> distinct index weights of that term, highest first
    weights: dict[str, tuple[int, ...]]
    # (term, weight) -> number of offers holding it, and the number of offers
    postings: dict[tuple[str, int], int] = field(default_factory=dict, compare=False, hash=False)
    offers: int = 0
    # catalogue_meta's vocabulary_version this was read at
    version: str = ""
    # query text -> analysed query (treated as read-only), bounded
    analysed: dict[str, AnalysedQuery] = field(default_factory=dict, compare=False, hash=False)

    def analyse(self, text: str) -> AnalysedQuery:
        """Analyse query text against this vocabulary, cached (typo correction is not cheap)."""
        result = self.analysed.get(text)
        if result is None:
            result = analyse_query(text, self.terms)
            if len(self.analysed) >= 2000:
                self.analysed.clear()
            self.analysed[text] = result
        return result


_index_lock = threading.Lock()
_index_cache: dict[tuple[str, str], _IndexInfo] = {}
# Database URL -> the newest index data read; searches assume it and check the version in
# their own statements (see `_StaleIndex`), which saves a round trip per search.
_latest_index: dict[str, _IndexInfo] = {}


class _StaleIndex(Exception):
    """The vocabulary changed since the cached index data was read: search again."""


_VERSION_STATEMENT = select(CatalogueMeta.value).where(CatalogueMeta.key == _VOCABULARY_VERSION_KEY)


def _current_version(connection: Any) -> str:
    """Return the vocabulary version stored in the database."""
    return connection.execute(_VERSION_STATEMENT).scalar_one_or_none() or ""


def _index_info(session: Session) -> _IndexInfo:
    """Return the indexed terms and weights, cached per database and vocabulary version."""
    version = _current_version(session.connection())
    url = str(session.get_bind().url)
    with _index_lock:
        cached = _index_cache.get((url, version))
        if cached is not None:
            _latest_index[url] = cached
    if cached is not None:
        return cached
    terms = frozenset(session.execute(select(SearchVocabulary.term)).scalars())
    weights: dict[str, list[int]] = {}
    postings: dict[tuple[str, int], int] = {}
    for term, weight, offer_count in session.execute(
        select(SearchTermWeight.term, SearchTermWeight.weight, SearchTermWeight.offer_count)
    ):
        weights.setdefault(term, []).append(int(weight))
        postings[(term, int(weight))] = int(offer_count)
    info = _IndexInfo(
        terms,
        {term: tuple(sorted(set(ws), reverse=True)) for term, ws in weights.items()},
        postings,
        int(session.execute(select(func.count(Offer.id))).scalar_one()),
        version,
    )
    with _index_lock:
        if len(_index_cache) > 8:
            _index_cache.clear()
        _index_cache[(url, version)] = info
        _latest_index[url] = info
    return info


def _vocabulary(session: Session) -> frozenset[str]:
    """Return the indexed terms (cached, see `_index_info`)."""
    return _index_info(session).terms


def _tagged_with_group() -> Any:
    """SQL condition: the offer is tagged with the target group `:group_code` / `:group_name`."""
    return (
        exists()
        .where(
            offer_target_groups.c.offer_id == Offer.id,
            offer_target_groups.c.target_group_id == TargetGroup.id,
            or_(
                TargetGroup.code == bindparam("group_code", type_=String),
                func.lower(TargetGroup.name_nl) == bindparam("group_name", type_=String),
            ),
        )
        # Explicit correlation: this also runs nested inside the offering probe.
        .correlate(Offer)
    )


_TARGET_GROUP_IN_USE = (
    select(offer_target_groups.c.offer_id)
    .join(TargetGroup, TargetGroup.id == offer_target_groups.c.target_group_id)
    .where(
        or_(
            TargetGroup.code == bindparam("group_code", type_=String),
            func.lower(TargetGroup.name_nl) == bindparam("group_name", type_=String),
        )
    )
    .limit(1)
)


def _target_group_in_use(session: Session, target_group: str) -> bool:
    """Return whether any offer is tagged with this target group (else its bonus never applies)."""
    row = session.connection().execute(_TARGET_GROUP_IN_USE, _target_group_params(target_group)).first()
    return row is not None


def _target_group_params(target_group: str) -> dict[str, str]:
    """Bound parameters that name a target group by code or Dutch name."""
    return {
        "group_code": normalise(target_group).replace(" ", "_"),
        "group_name": normalise(target_group),
    }


def _strip_places(text: str) -> tuple[str, region.PlaceMatch | None]:
    """Remove place mentions from the query text; return the text and the first place."""
    matches = region.resolve_all_places(text)
    first = region.resolve_place(text) if matches else None
    for match in matches:
        text = text.replace(match.matched_text, " ", 1)
    return text, first


def _add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    return dt.date(year, month, 28)


# Municipalities whose centre lies this much farther than `within_km` are still looked at.
_BORDER_KM = 8.0
_KM_PER_DEGREE_LAT = 110.57


def _distance_params(
    municipality: str, km: float, near: list[str], origin: tuple[float, float] | None = None
) -> dict[str, Any]:
    """Bound parameters of `_within_distance`: the centre, km per degree there, the limit.

    The centre is the person's own place (`origin`) when known, else the municipality's.
    """
    lat, lon = origin or region.centre(municipality)
    return {
        "geo_lat": lat,
        "geo_lon": lon,
        "geo_kx": 111.32 * math.cos(math.radians(lat)),
        "geo_km2": float(km) ** 2,
        "geo_near": near,
    }


def _within_distance() -> Any:
    """SQL condition: the offering's location lies within `:geo_km2` (squared km) of the centre.

    Plain arithmetic (an equirectangular approximation, well under 1 % off at this size), so
    SQLite needs no math functions. An offering without coordinates counts by its
    municipality's centre (`:geo_near`).
    """
    dy = (Offering.latitude - bindparam("geo_lat", type_=Float)) * _KM_PER_DEGREE_LAT
    dx = (Offering.longitude - bindparam("geo_lon", type_=Float)) * bindparam("geo_kx", type_=Float)
    located = and_(Offering.latitude.is_not(None), Offering.longitude.is_not(None))
    return or_(
        and_(located, dx * dx + dy * dy <= bindparam("geo_km2", type_=Float)),
        and_(~located, Offering.municipality.in_(bindparam("geo_near", expanding=True))),
    )


def open_offering_condition(today: Any) -> Any:
    """SQL condition for offerings a person can still join today (a date or a bound parameter)."""
    return and_(
        or_(Offering.end_date.is_(None), Offering.end_date >= today),
        or_(Offering.enroll_end_date.is_(None), Offering.enroll_end_date >= today),
        # A course that already started and has no enrolment deadline is closed.
        or_(
            Offering.start_date.is_(None),
            Offering.start_date >= today,
            Offering.enroll_end_date.is_not(None),
            Offer.kind.in_(ONGOING_KINDS + ("event",)),
            Offering.end_date.is_(None),
            # Online courses are mostly self-paced: you can join while they run.
            Offering.mode == "online",
        ),
        or_(Offer.valid_until.is_(None), Offer.valid_until > today),
    )


@dataclass(frozen=True)
class _Shape:
    """Everything that changes the SQL text of a search; all values go in as bound parameters."""

    kinds: bool = False
    free_only: bool = False
    max_price: bool = False
    mode: str | None = None
    level: bool = False
    starting_within: bool = False
    target_group: bool = False
    municipality: bool = False
    languages: bool = False
    day_parts: bool = False
    days: bool = False
    # `within_km` measured from the offering's own coordinates (municipality centre when none).
    geo: bool = False
    # Other municipalities within `within_km`, each with its own location score.
    nearby: int = 0
    kind_hint: bool = False
    # Per meaningful query word: how many distinct match qualities its terms have.
    groups: tuple[int, ...] = ()


def search_offers(session: Session, query: SearchQuery, limit: int = 3) -> list[SearchResult]:
    """Return the best `limit` offers for the query, one (best) offering per offer."""
    today = query.today or dt.date.today()
    text, place_in_text = _strip_places(query.text or "")
    mode = query.mode
    municipality: str | None = None
    if query.municipality:
        if normalise(query.municipality) in {"online", "thuis", "overal"}:
            mode = mode or "online"
        else:
            municipality = region.canonical_municipality(query.municipality)
            if municipality is None:
                return []
    elif place_in_text is not None:
        if place_in_text.kind == "online":
            mode = mode or "online"
        else:
            municipality = place_in_text.municipality

    with _index_lock:
        index = _latest_index.get(str(session.get_bind().url))
    if index is not None:
        try:
            return _search(session, query, limit, index, False, text, mode, municipality, today)
        except _StaleIndex:
            pass
    return _search(session, query, limit, _index_info(session), True, text, mode, municipality, today)


def _search(
    session: Session,
    query: SearchQuery,
    limit: int,
    index: _IndexInfo,
    verified: bool,
    text: str,
    mode: Mode | None,
    municipality: str | None,
    today: dt.date,
) -> list[SearchResult]:
    """Search with this index data; raise `_StaleIndex` when it turns out to be outdated."""
    analysed = index.analyse(text)
    # Themes first: their terms weigh more than any word (see theme_tagging.WEIGHT_THEME), and
    # each theme is its own group, so an offer with two of the person's themes ranks higher.
    groups = [
        QueryGroup(theme_term(theme), {theme_term(theme): QUALITY_THEME}) for theme in query.themes or []
    ] + analysed.meaningful_groups
    kind_hints = sorted({kind for word in analysed.generic_words for kind in _KIND_HINTS.get(word, ())})

    params: dict[str, Any] = {"today": today}
    if query.kinds:
        params["kinds"] = list(query.kinds)
    if query.max_price_eur is not None:
        params["max_price_cents"] = int(Decimal(str(query.max_price_eur)) * 100)
    if query.level:
        params["level"] = query.level.strip().lower()
    if query.starting_within_months is not None:
        params["until"] = _add_months(today, query.starting_within_months)
    if query.target_group:
        params.update(_target_group_params(query.target_group))
    if query.teaching_languages:
        params["languages"] = list(query.teaching_languages)
    if query.day_parts:
        params["day_parts"] = query.day_parts
    if query.days:
        params["days"] = query.days
    distances: dict[str, float] = {}
    nearby: list[tuple[str, int]] = []
    if municipality:
        allowed = [municipality]
        if query.within_km:
            distances = dict(region.municipalities_within(municipality, query.within_km))
            # An offering near the border of a farther municipality can still be close: take
            # those municipalities too and let the offering's coordinates decide.
            wider = region.municipalities_within(municipality, query.within_km + _BORDER_KM)
            allowed = [name for name, _km in wider]
            params.update(_distance_params(municipality, query.within_km, list(distances), query.origin))
        params["municipality"] = municipality
        params["allowed"] = allowed
        nearby = [
            (other, max(_SCORE_ONLINE + 5, 55 - int(km * 2)))
            for other, km in sorted(distances.items())
            if other != municipality
        ]
        for number, (other, score) in enumerate(nearby):
            params[f"near{number}"] = other
            params[f"near_score{number}"] = score
    if kind_hints:
        params["kind_hints"] = kind_hints
    quality_counts = []
    for number, group in enumerate(groups):
        by_quality: dict[int, list[str]] = {}
        for term, quality in group.terms.items():
            by_quality.setdefault(quality, []).append(term)
        params[f"g{number}_terms"] = sorted(group.terms)
        for position, quality in enumerate(sorted(by_quality, reverse=True)):
            params[f"g{number}_q{position}"] = sorted(by_quality[quality])
            params[f"g{number}_v{position}"] = quality
        quality_counts.append(len(by_quality))
    shape = _Shape(
        kinds=bool(query.kinds),
        free_only=query.free_only,
        max_price=query.max_price_eur is not None,
        mode=mode,
        level=bool(query.level),
        starting_within=query.starting_within_months is not None,
        target_group=bool(query.target_group),
        municipality=municipality is not None,
        geo=bool(municipality and query.within_km),
        languages=bool(query.teaching_languages),
        day_parts=bool(query.day_parts),
        days=bool(query.days),
        nearby=len(nearby),
        kind_hint=bool(kind_hints),
        groups=tuple(quality_counts),
    )

    target_bonus = _SCORE_TARGET_GROUP if query.target_group else 0
    if target_bonus and not _target_group_in_use(session, query.target_group or ""):
        target_bonus = 0  # nobody is tagged with this group: the bonus can never apply
    max_bonus = (
        (_SCORE_SAME_MUNICIPALITY if municipality else 0)
        + (_SCORE_KIND_HINT if kind_hints else 0)
        + target_bonus
        + (_SCORE_TIME_FIT if query.day_parts else 0)
        + (_SCORE_TIME_FIT if query.days else 0)
    )
    # How much less an offer without an offering in the municipality itself can get.
    local_drop = (
        _SCORE_SAME_MUNICIPALITY - max([_SCORE_ONLINE] + [score for _other, score in nearby])
        if municipality
        else 0
    )
    connection = session.connection()
    chosen = _top_k(connection, _statements(shape), params, groups, index, max_bonus, local_drop, limit)
    if not chosen:
        # No chunk statement ran (or none found anything): check the version explicitly.
        if not verified and _current_version(connection) != index.version:
            raise _StaleIndex
        return []
    return _build_results(chosen, query, municipality, distances, groups, today)


_FIRST_CHUNK = 32
_MAX_CHUNK = 1000
# Walks that first visit offers with an offering in the municipality: windows of postings
# (only the local ones are scored, so a window can be big) and at most this many of them.
_FIRST_LOCAL_CHUNK = 256
_LOCAL_WINDOWS = 2
# Levels with fewer postings than this together are walked at once, in a single window.
_SMALL_WALK = 256
# Tests switch pruning off to compare with scoring every candidate.
_PRUNE = True
# Matched query words come back as a bit mask per offer (analyse_query keeps at most 20 words).
_MASK_BITS = 60


# The columns a search result shows (with the scores of the chunk statement).
_SHOWN_COLUMNS = (
    Offer.title_nl,
    Offer.title_en,
    Offer.kind,
    Offer.url.label("offer_url"),
    Offer.checked_on.label("offer_checked_on"),
    Offer.fictional,
    Offering.mode,
    Offering.municipality,
    Offering.place_text,
    Offering.price_cents,
    Offering.start_date,
    Offering.schedule_text,
    Offering.url,
    Offering.checked_on,
    Offering.teaching_language,
    Offering.day_parts,
    Offering.days_mask,
    Offering.enroll_end_date,
    Provider.name.label("provider_name"),
    Location.name.label("location_name"),
    Location.street,
    Location.street_number,
    Location.postal_code,
    Location.city,
)


# Building and cache-keying SQLAlchemy statements cost more Python time than running them
# (profiled on 100 000 offers), so every value is a bound parameter and the built
# statements are kept per search shape; SQLAlchemy's compiled cache then always hits.
class _Statements:
    """The SQL of one search shape, built once and reused by every search of that shape."""

    def __init__(self, shape: _Shape) -> None:
        self.shape = shape
        self.conditions = self._conditions()
        self.bonus = self._bonus()
        self._chunks: dict[tuple[int, bool], Any] = {}

    def _conditions(self) -> list[Any]:
        """The filters every offering must pass."""
        shape = self.shape
        today = bindparam("today", type_=Date)
        conditions = [open_offering_condition(today)]
        if shape.kinds:
            conditions.append(Offer.kind.in_(bindparam("kinds", expanding=True)))
        if shape.free_only:
            conditions.append(Offering.price_cents == 0)
        if shape.max_price:
            conditions.append(Offering.price_cents <= bindparam("max_price_cents", type_=Integer))
        if shape.mode == "online":
            conditions.append(Offering.mode.in_(("online", "hybrid")))
        elif shape.mode == "on_site":
            conditions.append(Offering.mode.in_(("on_site", "hybrid")))
        if shape.level:
            level = bindparam("level", type_=String)
            conditions.append(or_(func.lower(Offering.level) == level, func.lower(Offer.level) == level))
        if shape.starting_within:
            conditions.append(
                or_(
                    and_(Offering.start_date >= today, Offering.start_date <= bindparam("until", type_=Date)),
                    and_(Offering.start_date.is_(None), Offer.kind.in_(ONGOING_KINDS)),
                )
            )
        if shape.target_group:
            # Explicit correlation: these also run nested inside the offering probe.
            untagged = ~exists().where(offer_target_groups.c.offer_id == Offer.id).correlate(Offer)
            conditions.append(or_(_tagged_with_group(), untagged))
        if shape.languages:
            conditions.append(
                or_(
                    Offering.teaching_language.is_(None),
                    Offering.teaching_language.in_(bindparam("languages", expanding=True)),
                )
            )
        for column, name in _time_masks(shape):
            conditions.append(or_(column.is_(None), _shares_bits(column, name)))
        if shape.municipality:
            place = Offering.municipality.in_(bindparam("allowed", expanding=True))
            if shape.geo:
                place = and_(place, _within_distance())
            if shape.mode != "on_site":
                place = or_(place, Offering.mode == "online")
            conditions.append(place)
        return conditions

    def _bonus(self) -> Any:
        """Score for place, kind hint and target group of an (offer, offering) row."""
        shape = self.shape
        location: Any = literal(0)
        if shape.municipality:
            location = case(
                (Offering.municipality == bindparam("municipality", type_=String), _SCORE_SAME_MUNICIPALITY),
                *[
                    (
                        Offering.municipality == bindparam(f"near{number}", type_=String),
                        bindparam(f"near_score{number}", type_=Integer),
                    )
                    for number in range(shape.nearby)
                ],
                else_=_SCORE_ONLINE,
            )
        kind: Any = literal(0)
        if shape.kind_hint:
            kind = case((Offer.kind.in_(bindparam("kind_hints", expanding=True)), _SCORE_KIND_HINT), else_=0)
        target: Any = literal(0)
        if shape.target_group:
            target = case((_tagged_with_group(), _SCORE_TARGET_GROUP), else_=0)
        # An offering that states a fitting time beats one that states none (both pass the filter).
        when: Any = literal(0)
        for column, name in _time_masks(shape):
            stated_and_fits = and_(column.is_not(None), _shares_bits(column, name))
            when = when + case((stated_and_fits, _SCORE_TIME_FIT), else_=0)
        return location + kind + target + when

    def chunk(self, pairs: int, local: bool) -> Any:
        """The statement that takes and scores one chunk of candidates (see `_chunk_statement`)."""
        key = (pairs, local)
        statement = self._chunks.get(key)
        if statement is None:
            statement = self._chunks[key] = self._chunk_statement(pairs, local)
        return statement

    def _has_offering(self, offer_id: Any, local: bool) -> Any:
        """SQL condition: the offer has an offering passing every filter (`local`: in `:municipality`)."""
        # A scalar subquery with LIMIT 1 (not EXISTS): PostgreSQL may not turn it into a hash
        # of every open offering, it probes the offer's offerings by index instead.
        where = [Offering.offer_id == offer_id, *self.conditions]
        if local:
            where.append(Offering.municipality == bindparam("municipality", type_=String))
        return (
            select(Offering.id)
            .join(Offer, Offer.id == Offering.offer_id)
            .where(*where)
            .limit(1)
            .scalar_subquery()
            .is_not(None)
        )

    def _candidates(self, pairs: int) -> Any:
        """Select the first `:size` candidate offer ids above `:after` in id order."""
        # With pairs the candidates hold a posting (`:p<n>_term`, `:p<n>_weight`); each pair is
        # its own `ORDER BY offer_id LIMIT` walk of the (term, weight, offer_id) index, so the
        # database stops early instead of sorting every posting of the level. Without pairs
        # every offer is a candidate.
        after = bindparam("after", type_=Integer)
        size = bindparam("size", type_=Integer)
        if not pairs:
            return select(Offer.id.label("offer_id")).where(Offer.id > after).order_by(Offer.id).limit(size)
        branches = []
        for number in range(pairs):
            branch = (
                select(OfferSearchTerm.offer_id.label("offer_id"))
                .where(
                    OfferSearchTerm.term == bindparam(f"p{number}_term", type_=String),
                    OfferSearchTerm.weight == bindparam(f"p{number}_weight", type_=Integer),
                    OfferSearchTerm.offer_id > after,
                )
                .order_by(OfferSearchTerm.offer_id)
                .limit(size)
                .subquery()
            )
            branches.append(select(branch.c.offer_id))
        merged = (branches[0] if len(branches) == 1 else union(*branches)).subquery("postings")
        return select(merged.c.offer_id).order_by(merged.c.offer_id).limit(size)

    def _chunk_statement(self, pairs: int, local: bool) -> Any:
        """Take one chunk of candidates, score it and return its best `:limit` offers."""
        # One round trip per chunk. Rows: (last_id, taken, version, offer_id, offering_id,
        # total, mask, shown columns); `last_id` and `taken` describe the candidates taken (the
        # next chunk starts after `last_id`), the columns after `version` are NULL when no
        # candidate passes the filters. `mask` has bit n set when query word n matched, so the
        # reasons need no extra query. Per offer the best offering counts: total desc, with a
        # start date, earliest start, offering id.
        raw = self._candidates(pairs).cte("raw")
        # The candidates are limited first (LIMIT is a planner fence), then checked one by one,
        # so neither database turns this into a scan of all offerings; only survivors are
        # scored. `local` keeps only offers with such an offering in the municipality.
        viable = select(raw.c.offer_id).where(self._has_offering(raw.c.offer_id, local)).cte("viable")
        # PostgreSQL inlines a CTE used once (no query words) and may then run the check for
        # every pair of offers and candidates; materialised it runs once per candidate.
        viable = viable.prefix_with("MATERIALIZED", dialect="postgresql")
        chunk_ids = select(viable.c.offer_id)
        bonus = self.bonus
        if self.shape.groups:
            per_group = []
            for number, qualities in enumerate(self.shape.groups):
                quality: Any = literal(0)
                if qualities:
                    quality = case(
                        *[
                            (
                                OfferSearchTerm.term.in_(bindparam(f"g{number}_q{position}", expanding=True)),
                                bindparam(f"g{number}_v{position}", type_=Integer),
                            )
                            for position in range(qualities)
                        ],
                        else_=0,
                    )
                bit = 1 << number if number < _MASK_BITS else 0
                per_group.append(
                    select(
                        OfferSearchTerm.offer_id.label("offer_id"),
                        func.max(OfferSearchTerm.weight * quality).label("group_score"),
                        literal(bit, Integer).label("bit"),
                    )
                    .where(
                        OfferSearchTerm.offer_id.in_(chunk_ids),
                        OfferSearchTerm.term.in_(bindparam(f"g{number}_terms", expanding=True)),
                    )
                    .group_by(OfferSearchTerm.offer_id)
                )
            matched = union_all(*per_group).subquery("matched")
            text_scores = (
                select(
                    matched.c.offer_id,
                    func.sum(matched.c.group_score).label("text_score"),
                    func.sum(matched.c.bit).label("mask"),
                )
                .group_by(matched.c.offer_id)
                .subquery("text_scores")
            )
            total = text_scores.c.text_score + bonus
            mask: Any = text_scores.c.mask
        else:
            text_scores = None
            total = bonus
            mask = literal(0, Integer)
        no_start_last = case((Offering.start_date.is_(None), 1), else_=0)
        rank = func.row_number().over(
            partition_by=Offer.id,
            order_by=(total.desc(), no_start_last, Offering.start_date, Offering.id),
        )
        rows = (
            select(
                Offer.id.label("offer_id"),
                Offering.id.label("offering_id"),
                total.label("total"),
                mask.label("mask"),
                rank.label("rank"),
            )
            .select_from(Offer)
            .join(Offering, Offering.offer_id == Offer.id)
        )
        if text_scores is not None:
            rows = rows.join(text_scores, text_scores.c.offer_id == Offer.id)
        ranked = rows.where(Offer.id.in_(chunk_ids), *self.conditions).subquery("ranked")
        best = (
            select(ranked.c.offer_id, ranked.c.offering_id, ranked.c.total, ranked.c.mask)
            .where(ranked.c.rank == 1)
            .order_by(ranked.c.total.desc(), ranked.c.offer_id)
            .limit(bindparam("limit", type_=Integer))
            .subquery("best")
        )
        # What a result shows comes along, so no further query is needed once the walk ends.
        shown = (
            select(best, *_SHOWN_COLUMNS)
            .join(Offering, Offering.id == best.c.offering_id)
            .join(Offer, Offer.id == best.c.offer_id)
            .join(Provider, Provider.id == Offer.provider_id)
            .outerjoin(Location, Location.id == Offering.location_id)
            .subquery("shown")
        )
        last_id = func.max(raw.c.offer_id).label("last_id")
        taken = select(last_id, func.count().label("taken")).subquery("taken")
        # The vocabulary version comes along too: it tells whether the cached index data held.
        version = _VERSION_STATEMENT.scalar_subquery().label("version")
        return select(taken.c.last_id, taken.c.taken, version, shown).select_from(
            taken.outerjoin(shown, true())
        )


def _time_masks(shape: _Shape) -> list[tuple[Any, str]]:
    """The offering's time columns this search limits, with the name of their bound mask."""
    masks = [(Offering.day_parts, "day_parts")] if shape.day_parts else []
    return masks + ([(Offering.days_mask, "days")] if shape.days else [])


def _shares_bits(column: Any, name: str) -> Any:
    """SQL condition: the bit mask in `column` shares a bit with the bound mask `:name`."""
    return column.op("&")(bindparam(name, type_=Integer)) != 0


_statement_lock = threading.Lock()
_statement_cache: dict[_Shape, _Statements] = {}


def _statements(shape: _Shape) -> _Statements:
    """Return the (cached) statements of a search shape."""
    with _statement_lock:
        statements = _statement_cache.get(shape)
        if statements is None:
            if len(_statement_cache) >= 256:
                _statement_cache.clear()
            statements = _statement_cache[shape] = _Statements(shape)
    return statements


@dataclass(frozen=True)
class _Chosen:
    """One result of the top-k search, with the row of columns it shows."""

    offer_id: int
    offering_id: int
    score: int
    mask: int
    row: Any


def _top_k(
    connection: Any,
    statements: _Statements,
    params: dict[str, Any],
    groups: Sequence[Any],
    index: _IndexInfo,
    max_bonus: int,
    local_drop: int,
    limit: int,
) -> list[_Chosen]:
    """Exact top `limit` offers by (score desc, offer id), scoring as few offers as possible.

    The text score of an offer is the sum over query groups of its best weight x quality.
    Candidates are taken level by level: level L holds the offers with a posting whose
    weight x (best quality of its term) is L. An offer first met at a level scores at most
    the sum over groups of their best contribution below the previous level, plus the
    largest bonus (place, kind hint, target group). Inside a level offers are taken in id
    order in growing windows (`LIMIT` in SQL) and those passing the filters are scored; the
    search stops as soon as no unscored offer can beat the k-th result (a higher score, or
    the same score with a lower id). With a municipality, a level first scores, for at most
    `_LOCAL_WINDOWS` windows, only offers with an offering there: the others score at least
    `local_drop` less, so often they need no visit at all. Levels with few postings share
    one walk (a small catalogue needs one round trip). The outcome equals scoring every
    matching offer and sorting; only the amount of work differs.
    """
    if limit <= 0:
        return []
    # The best `limit` offers so far, best first (an offer may be scored twice: same row).
    best: list[_Chosen] = []

    def beaten(bound: int, next_id: int) -> bool:
        """True when an unscored offer with score <= bound and id >= next_id cannot get in."""
        if len(best) < limit or not _PRUNE:
            return False
        kth = best[-1]
        return kth.score > bound or (kth.score == bound and next_id > kth.offer_id)

    def walk(
        pairs: list[tuple[str, int]], local: bool, done: Callable[[int], bool], size: int, windows: int = 0
    ) -> int | None:
        """Score candidates in id order until `done(next id)`; the last id seen if `windows` ran out."""
        # Returns None when every candidate was seen or none left can get in; `windows` = 0
        # means no limit on the number of windows (round trips).
        statement = statements.chunk(len(pairs), local)
        values = dict(params, limit=limit)
        for number, (term, weight) in enumerate(pairs):
            values[f"p{number}_term"] = term
            values[f"p{number}_weight"] = weight
        last, executed = 0, 0
        while not done(last + 1):
            if windows and executed == windows:
                return last
            executed += 1
            values["after"], values["size"] = last, size
            rows = connection.execute(statement, values).all()
            if (rows[0].version or "") != index.version:
                raise _StaleIndex
            taken = rows[0].taken
            if not taken:
                return None
            last = rows[0].last_id
            found = {chosen.offer_id: chosen for chosen in best}
            for row in rows:
                if row.offer_id is not None:
                    found[row.offer_id] = _Chosen(
                        row.offer_id, row.offering_id, int(row.total), int(row.mask), row
                    )
            best[:] = sorted(found.values(), key=lambda chosen: (-chosen.score, chosen.offer_id))[:limit]
            if taken < size:
                return None
            if windows and rows[0].offer_id is None:
                return last  # a budgeted walk that found nothing here is unlikely to pay off
            size = min(size * 4, _MAX_CHUNK)
        return None

    def visit(pairs: list[tuple[str, int]], bound: int, candidates: int) -> None:
        """Visit one level: offers with an offering in the municipality first, then the rest."""
        first = max(_FIRST_CHUNK, limit * 8)
        if candidates < _SMALL_WALK:
            # One window takes them all: one round trip, no point in a local walk first.
            walk(pairs, False, lambda next_id: beaten(bound, next_id), max(first, candidates + 1))
            return
        if not local_drop:
            walk(pairs, False, lambda next_id: beaten(bound, next_id), first)
            return
        # Offers with an offering in the municipality are denser at the top; a few windows
        # of them often settle the top k. The budget keeps a level without such offers cheap.
        local_first = max(_FIRST_LOCAL_CHUNK, limit * 64)
        seen_to = walk(pairs, True, lambda next_id: beaten(bound, next_id), local_first, _LOCAL_WINDOWS)
        rest = bound - local_drop

        def done(next_id: int) -> bool:
            """Nothing unseen can get in: others score <= rest, unseen local ones <= bound."""
            if not beaten(rest, next_id):
                return False
            return seen_to is None or beaten(bound, max(seen_to + 1, next_id))

        walk(pairs, False, done, first)

    if not groups:
        visit([], max_bonus, index.offers)
        return best

    best_quality: dict[str, int] = {}
    for group in groups:
        for term, quality in group.terms.items():
            best_quality[term] = max(best_quality.get(term, 0), quality)
    weights = index.weights
    # Possible contributions per group, and the candidate levels.
    group_values = [
        sorted({w * q for term, q in group.terms.items() for w in weights.get(term, ())}, reverse=True)
        for group in groups
    ]
    levels = sorted({w * q for term, q in best_quality.items() for w in weights.get(term, ())}, reverse=True)
    # (bound, postings, how many) per walk; small levels share one walk.
    walks: list[tuple[int, list[tuple[str, int]], int]] = []
    previous: float = float("inf")
    for level in levels:
        # Offers not met at a higher level score at most this per group (+ the bonus).
        bound = sum(next((v for v in values if v < previous), 0) for values in group_values) + max_bonus
        # Postings whose weight x best quality lies in [level, previous): one index range each.
        pairs = [
            (term, weight)
            for term, quality in best_quality.items()
            for weight in weights.get(term, ())
            if level <= weight * quality < previous
        ]
        count = sum(index.postings.get(pair, 0) for pair in pairs)
        previous = level
        if walks and walks[-1][2] + count < _SMALL_WALK:
            # A round trip per level costs more than scoring a few more offers at once; the
            # walk's bound (of its highest level) holds for these lower levels too.
            walks[-1] = (walks[-1][0], walks[-1][1] + pairs, walks[-1][2] + count)
        else:
            walks.append((bound, pairs, count))
    for bound, pairs, count in walks:
        if beaten(bound, 0):
            break
        visit(sorted(pairs), bound, count)
    return best


def _build_results(
    chosen: list[_Chosen],
    query: SearchQuery,
    municipality: str | None,
    distances: dict[str, float],
    groups: Sequence[Any],
    today: dt.date,
) -> list[SearchResult]:
    """Turn the chosen rows into results and explain why each one fits."""
    results = []
    for item in chosen:
        offering = item.row
        title = offering.title_nl
        if query.language == "en" and offering.title_en:
            title = offering.title_en
        online_only = offering.mode == "online"
        price_eur = (
            None
            if offering.price_cents is None
            else (Decimal(offering.price_cents) / 100).quantize(Decimal("0.01"))
        )
        result = SearchResult(
            offer_id=offering.offer_id,
            offering_id=offering.offering_id,
            title=title,
            provider=offering.provider_name,
            kind=offering.kind,
            municipality=None if online_only else offering.municipality,
            place_text="online" if online_only else (offering.place_text or offering.municipality or ""),
            price_eur=price_eur,
            start_date=offering.start_date,
            url=offering.url or offering.offer_url,
            checked_on=offering.checked_on or offering.offer_checked_on,
            score=item.score,
            mode=offering.mode,
            fictional=bool(offering.fictional),
            language=query.language,
            address=None if online_only else _address(offering),
            schedule_text=offering.schedule_text,
            day_parts=offering.day_parts,
            days=offering.days_mask,
            teaching_language=offering.teaching_language,
            enroll_end_date=offering.enroll_end_date,
        )
        matched = [group.word for number, group in enumerate(groups) if item.mask >> number & 1]
        result.themes = [word[len(THEME_PREFIX) :] for word in matched if word.startswith(THEME_PREFIX)]
        matched = [word for word in matched if not word.startswith(THEME_PREFIX)]
        result.reasons = _reasons(result, offering, municipality, distances, matched, query, today)
        results.append(result)
    return results


def _address(row: Any) -> str | None:
    """Street, number and town of an offering's location ("Ridderplein 40, Gemert"), if known."""
    street = " ".join(part for part in (row.street, row.street_number) if part)
    town = row.city or row.municipality
    parts = [part for part in (row.location_name, street, town) if part]
    return ", ".join(dict.fromkeys(parts)) or None


def _reasons(
    result: SearchResult,
    offering: Any,
    municipality: str | None,
    distances: dict[str, float],
    matched: list[str],
    query: SearchQuery,
    today: dt.date,
) -> list[Reason]:
    """Build the list of reasons (codes with parameters) for one result."""
    reasons: list[Reason] = []
    if result.price_eur is not None and result.price_eur == 0:
        reasons.append(Reason("free"))
    elif result.price_eur is not None:
        reasons.append(Reason("price", {"amount": result.price_eur}))
    if offering.mode == "online":
        reasons.append(Reason("online"))
    elif municipality and offering.municipality != municipality and offering.municipality:
        reasons.append(
            Reason(
                "nearby", {"municipality": offering.municipality, "km": distances.get(offering.municipality)}
            )
        )
    elif offering.municipality:
        reasons.append(
            Reason(
                "in_place",
                {"place": result.place_text or offering.municipality, "municipality": offering.municipality},
            )
        )
    if offering.mode == "hybrid":
        reasons.append(Reason("hybrid"))
    if result.start_date and result.start_date >= today:
        reasons.append(
            Reason("starts", {"date": result.start_date, "same_year": result.start_date.year == today.year})
        )
    elif result.kind == "walk_in_advice":
        reasons.append(Reason("walk_in", {"schedule": offering.schedule_text}))
    elif result.kind in ONGOING_KINDS:
        reasons.append(Reason("any_time"))
    if query.target_group:
        reasons.append(Reason("target_group", {"target_group": query.target_group}))
    if matched:
        reasons.append(Reason("matches", {"words": matched}))
    return reasons


MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def format_price(result: SearchResult, lang: str = "nl") -> str:
    """Return the price as text: "gratis", "€ 45", or "prijs onbekend"."""
    if result.price_eur is None:
        return "price unknown" if lang == "en" else "prijs onbekend"
    return format_amount(result.price_eur, lang)


def format_amount(price_eur: Decimal | float | int, lang: str = "nl") -> str:
    """A known price as text: "gratis", "€ 45", "€ 1.195", "€ 12,50" (English "€1,195")."""
    english = lang == "en"
    if price_eur == 0:
        return "free" if english else "gratis"
    amount = Decimal(price_eur)
    if amount == amount.to_integral_value():
        text = f"{int(amount):,}".replace(",", "." if not english else ",")
    else:
        text = f"{amount:,.2f}"
        if not english:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}" if not english else f"€{text}"


def _format_reason(reason: Reason, result: SearchResult, lang: str) -> str | None:
    """Return one reason as a short phrase, or None when it is not worth saying."""
    english = lang == "en"
    params = reason.params
    if reason.code in {"free", "price"}:
        return format_price(result, lang)
    if reason.code == "online":
        return "online" if not english else "online"
    if reason.code == "hybrid":
        return "deels online" if not english else "partly online"
    if reason.code == "in_place":
        return f"in {params['place']}"
    if reason.code == "nearby":
        km = params.get("km")
        if km:
            return f"in {params['municipality']} (± {round(km)} km)"
        return f"in {params['municipality']}"
    if reason.code == "starts":
        day: dt.date = params["date"]
        month = MONTHS["en" if english else "nl"][day.month - 1]
        when = month if params.get("same_year") else f"{month} {day.year}"
        return f"starts in {when}" if english else f"start in {when}"
    if reason.code == "walk_in":
        return "walk in, no appointment" if english else "binnenlopen zonder afspraak"
    if reason.code == "any_time":
        return "start any time" if english else "altijd te starten"
    return None


def format_reasons(result: SearchResult, lang: str = "nl") -> str:
    """Return the reasons as one short line, e.g. "gratis, in Helmond, start in maart"."""
    phrases = []
    for reason in result.reasons:
        phrase = _format_reason(reason, result, lang)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return ", ".join(phrases)


def _scheme_status(offer: Offer, today: dt.date) -> Literal["open", "ended", "not_started"]:
    """Return whether a scheme is open, ended or not yet started on `today`."""
    if offer.valid_until is not None and offer.valid_until <= today:
        return "ended"
    if offer.valid_from is not None and offer.valid_from > today:
        return "not_started"
    return "open"


def find_scheme(session: Session, name: str, today: dt.date | None = None) -> SchemeInfo | None:
    """Find a scheme by name, ended ones included (e.g. "STAP" -> ended on 2024-01-01)."""
    today = today or dt.date.today()
    wanted = {stem(word) for word in words(name)}
    if not wanted:
        return None
    rows = session.execute(
        select(Offer, Provider.name)
        .join(Provider, Provider.id == Offer.provider_id)
        .where(Offer.kind == "scheme")
        .order_by(Offer.id)
    ).all()
    best: tuple[int, Offer, str] | None = None
    for offer, provider_name in rows:
        title_terms = {
            stem(word) for word in words(f"{offer.title_nl} {offer.title_en or ''} {offer.keywords or ''}")
        }
        overlap = len(wanted & title_terms)
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, offer, provider_name)
    if best is None:
        return None
    _overlap, offer, provider_name = best
    return SchemeInfo(
        offer_id=offer.id,
        title=offer.title_nl,
        status=_scheme_status(offer, today),
        valid_from=offer.valid_from,
        valid_until=offer.valid_until,
        description=offer.description_nl,
        url=offer.url,
        checked_on=offer.checked_on,
        provider=provider_name,
    )
