"""Catalogue search used by the bot: Dutch-aware text matching, filters and explanations.

Ranking is integer arithmetic in SQL with ties broken by ids, so SQLite and PostgreSQL
return the same top results. Text matching uses the precomputed `offer_search_terms`.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Sequence, Union

from sqlalchemy import and_, bindparam, case, exists, func, literal, or_, select, union, union_all
from sqlalchemy.orm import Session

from catalogue import region
from catalogue.models import (
    CatalogueMeta,
    Offer,
    Offering,
    OfferSearchTerm,
    Provider,
    SearchTermWeight,
    SearchVocabulary,
    TargetGroup,
    offer_target_groups,
)
from catalogue.text import AnalysedQuery, analyse_query, normalise, stem, words

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
_VOCABULARY_VERSION_KEY = "vocabulary_version"


@dataclass
class SearchQuery:
    """What the user is looking for; every filter is optional."""

    text: str = ""
    municipality: str | None = None
    within_km: float | None = None
    free_only: bool = False
    max_price_eur: Union[Decimal, float] | None = None
    mode: Mode | None = None
    level: str | None = None
    target_group: str | None = None
    kinds: list[str] | None = None
    starting_within_months: int | None = None
    today: dt.date | None = None
    language: Language = "nl"


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


def _index_info(session: Session) -> _IndexInfo:
    """Return the indexed terms and weights, cached per database and vocabulary version."""
    version = (
        session.connection()
        .execute(select(CatalogueMeta.value).where(CatalogueMeta.key == _VOCABULARY_VERSION_KEY))
        .scalar_one_or_none()
    )
    key = (str(session.get_bind().url), version or "")
    with _index_lock:
        cached = _index_cache.get(key)
    if cached is not None:
        return cached
    terms = frozenset(session.execute(select(SearchVocabulary.term)).scalars())
    weights: dict[str, list[int]] = {}
    for term, weight in session.execute(select(SearchTermWeight.term, SearchTermWeight.weight)):
        weights.setdefault(term, []).append(int(weight))
    info = _IndexInfo(terms, {term: tuple(sorted(set(ws), reverse=True)) for term, ws in weights.items()})
    with _index_lock:
        if len(_index_cache) > 8:
            _index_cache.clear()
        _index_cache[key] = info
    return info


def _vocabulary(session: Session) -> frozenset[str]:
    """Return the indexed terms (cached, see `_index_info`)."""
    return _index_info(session).terms


def _target_group_in_use(session: Session, target_group: str) -> bool:
    """Return whether any offer is tagged with this target group (else its bonus never applies)."""
    group_code = normalise(target_group).replace(" ", "_")
    row = session.execute(
        select(offer_target_groups.c.offer_id)
        .join(TargetGroup, TargetGroup.id == offer_target_groups.c.target_group_id)
        .where(
            or_(TargetGroup.code == group_code, func.lower(TargetGroup.name_nl) == normalise(target_group))
        )
        .limit(1)
    ).first()
    return row is not None


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


def open_offering_condition(today: dt.date) -> Any:
    """SQL condition for offerings a person can still join today."""
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

    index = _index_info(session)
    analysed = index.analyse(text)
    groups = analysed.meaningful_groups

    conditions = [open_offering_condition(today)]
    if query.kinds:
        conditions.append(Offer.kind.in_(list(query.kinds)))
    if query.free_only:
        conditions.append(Offering.price_cents == 0)
    if query.max_price_eur is not None:
        conditions.append(Offering.price_cents <= int(Decimal(str(query.max_price_eur)) * 100))
    if mode == "online":
        conditions.append(Offering.mode.in_(("online", "hybrid")))
    elif mode == "on_site":
        conditions.append(Offering.mode.in_(("on_site", "hybrid")))
    if query.level:
        level = query.level.strip().lower()
        conditions.append(or_(func.lower(Offering.level) == level, func.lower(Offer.level) == level))
    if query.starting_within_months is not None:
        until = _add_months(today, query.starting_within_months)
        conditions.append(
            or_(
                and_(Offering.start_date >= today, Offering.start_date <= until),
                and_(Offering.start_date.is_(None), Offer.kind.in_(ONGOING_KINDS)),
            )
        )

    target_group_match = None
    if query.target_group:
        group_code = normalise(query.target_group).replace(" ", "_")
        tagged_with = (
            exists()
            .where(
                offer_target_groups.c.offer_id == Offer.id,
                offer_target_groups.c.target_group_id == TargetGroup.id,
                or_(
                    TargetGroup.code == group_code,
                    func.lower(TargetGroup.name_nl) == normalise(query.target_group),
                ),
            )
            .correlate(Offer)
        )
        # Explicit correlation: these also run nested inside the "viable offering" EXISTS.
        untagged = ~exists().where(offer_target_groups.c.offer_id == Offer.id).correlate(Offer)
        conditions.append(or_(tagged_with, untagged))
        target_group_match = tagged_with

    distances: dict[str, float] = {}
    if municipality:
        allowed = [municipality]
        if query.within_km:
            distances = dict(region.municipalities_within(municipality, query.within_km))
            allowed = list(distances)
        place_condition = Offering.municipality.in_(allowed)
        if mode != "on_site":
            place_condition = or_(place_condition, Offering.mode == "online")
        conditions.append(place_condition)
        location_score = case(
            (Offering.municipality == municipality, _SCORE_SAME_MUNICIPALITY),
            *[
                (Offering.municipality == other, max(_SCORE_ONLINE + 5, 55 - int(km * 2)))
                for other, km in sorted(distances.items())
                if other != municipality
            ],
            else_=_SCORE_ONLINE,
        )
    else:
        location_score = literal(0)

    kind_hints = sorted({kind for word in analysed.generic_words for kind in _KIND_HINTS.get(word, ())})
    kind_score = case((Offer.kind.in_(kind_hints), _SCORE_KIND_HINT), else_=0) if kind_hints else literal(0)
    target_score = (
        case((target_group_match, _SCORE_TARGET_GROUP), else_=0)
        if target_group_match is not None
        else literal(0)
    )

    target_bonus = _SCORE_TARGET_GROUP if target_group_match is not None else 0
    if target_bonus and not _target_group_in_use(session, query.target_group or ""):
        target_bonus = 0  # nobody is tagged with this group: the bonus can never apply
    scorer = _ChunkScorer(
        session,
        conditions,
        groups,
        location_score + kind_score + target_score,
        limit,
    )
    max_bonus = (
        (_SCORE_SAME_MUNICIPALITY if municipality else 0)
        + (_SCORE_KIND_HINT if kind_hints else 0)
        + target_bonus
    )
    chosen = _top_k(session, scorer, groups, index.weights, max_bonus, limit)
    if not chosen:
        return []
    return _build_results(session, chosen, query, municipality, distances, groups, today)


class _ChunkScorer:
    """Scores a chunk of candidate offers exactly in SQL and returns its top `limit` offers.

    The statement is built once per search; the chunk's offer ids are an expanding bind
    parameter, so later chunks reuse SQLAlchemy's compiled form.
    """

    def __init__(
        self, session: Session, conditions: list[Any], groups: Sequence[Any], bonus: Any, limit: int
    ) -> None:
        self.session = session
        self.conditions = conditions
        self.limit = limit
        self.page = max(limit, 1) * 10
        chunk = bindparam("chunk_ids", expanding=True)
        if groups:
            per_group = []
            for number, group in enumerate(groups):
                quality = case(dict(group.terms), value=OfferSearchTerm.term, else_=0)
                per_group.append(
                    select(
                        OfferSearchTerm.offer_id.label("offer_id"),
                        literal(number).label("group_number"),
                        func.max(OfferSearchTerm.weight * quality).label("group_score"),
                    )
                    .where(OfferSearchTerm.offer_id.in_(chunk), OfferSearchTerm.term.in_(sorted(group.terms)))
                    .group_by(OfferSearchTerm.offer_id)
                )
            matched = union_all(*per_group).subquery("matched")
            text_scores = (
                select(matched.c.offer_id, func.sum(matched.c.group_score).label("text_score"))
                .group_by(matched.c.offer_id)
                .subquery("text_scores")
            )
            total = (text_scores.c.text_score + bonus).label("total")
        else:
            text_scores = None
            total = bonus.label("total")
        no_start_last = case((Offering.start_date.is_(None), 1), else_=0)
        statement = (
            select(Offer.id, Offering.id, total)
            .select_from(Offer)
            .join(Offering, Offering.offer_id == Offer.id)
        )
        if text_scores is not None:
            statement = statement.join(text_scores, text_scores.c.offer_id == Offer.id)
        self.statement = (
            statement.where(Offer.id.in_(chunk), *conditions)
            .order_by(total.desc(), Offer.id, no_start_last, Offering.start_date, Offering.id)
            .limit(self.page)
        )

    def top(self, offer_ids: list[int]) -> list[tuple[int, int, int]]:
        """Return [(total, offer_id, offering_id)] of the chunk's best offers, best first."""
        connection = self.session.connection()
        chosen: dict[int, tuple[int, int]] = {}
        offset = 0
        while len(chosen) < self.limit:
            statement = self.statement.offset(offset) if offset else self.statement
            rows = connection.execute(statement, {"chunk_ids": offer_ids}).all()
            for offer_id, offering_id, score in rows:
                if offer_id not in chosen and len(chosen) < self.limit:
                    chosen[offer_id] = (offering_id, int(score or 0))
            if len(rows) < self.page:
                break
            offset += self.page
        return [(score, offer_id, offering_id) for offer_id, (offering_id, score) in chosen.items()]


_FIRST_CHUNK = 32
_MAX_CHUNK = 1000
# Tests switch pruning off to compare with scoring every candidate.
_PRUNE = True


def _level_postings(pairs: list[tuple[str, int]]) -> Any:
    """Select the first `:size` offer ids above `:after` holding any of the (term, weight) pairs.

    Each pair is its own `ORDER BY offer_id LIMIT` walk of the (term, weight, offer_id)
    index, so the database stops early instead of sorting every posting of the level.
    """
    branches = []
    for term, weight in pairs:
        branch = (
            select(OfferSearchTerm.offer_id.label("offer_id"))
            .where(
                OfferSearchTerm.term == term,
                OfferSearchTerm.weight == weight,
                OfferSearchTerm.offer_id > bindparam("after"),
            )
            .order_by(OfferSearchTerm.offer_id)
            .limit(bindparam("size"))
            .subquery()
        )
        branches.append(select(branch.c.offer_id))
    merged = (branches[0] if len(branches) == 1 else union(*branches)).subquery("postings")
    return select(merged.c.offer_id).order_by(merged.c.offer_id).limit(bindparam("size"))


def _with_viability(candidates: Any, conditions: list[Any]) -> Any:
    """Select (offer id, has an offering passing every filter) for a select of offer ids.

    The ids are limited first (a subquery with `LIMIT` is a planner fence), then checked one
    by one, so neither database turns this into a scan of all offerings.
    """
    raw = candidates.subquery("raw")
    # A scalar subquery with LIMIT 1 (not EXISTS): PostgreSQL may not turn it into a hash of
    # every open offering, it probes the offer's offerings by index instead.
    first_viable = (
        select(Offering.id)
        .join(Offer, Offer.id == Offering.offer_id)
        .where(Offering.offer_id == raw.c.offer_id, *conditions)
        .limit(1)
        .scalar_subquery()
    )
    viable = first_viable.is_not(None)
    return select(raw.c.offer_id, viable.label("viable")).order_by(raw.c.offer_id)


def _top_k(
    session: Session,
    scorer: _ChunkScorer,
    groups: Sequence[Any],
    weights: dict[str, tuple[int, ...]],
    max_bonus: int,
    limit: int,
) -> dict[int, tuple[int, int]]:
    """Exact top `limit` offers by (score desc, offer id), scoring as few offers as possible.

    The text score of an offer is the sum over query groups of its best weight x quality.
    Candidates are taken level by level: level L holds the offers with a posting whose
    weight x (best quality of its term) is L. An offer first met at a level scores at most
    the sum over groups of their best contribution below the previous level, plus the
    largest bonus (place, kind hint, target group). Inside a level offers are scored in id
    order in growing chunks (`LIMIT` in SQL); the search stops as soon as no unscored offer
    can beat the k-th result (a higher score, or the same score with a lower id). The outcome
    equals scoring every matching offer and sorting; only the amount of work differs.
    """
    if limit <= 0:
        return {}
    connection = session.connection()
    best: list[tuple[int, int, int]] = []  # (total, offer_id, offering_id), best first
    scored: set[int] = set()

    def beaten(bound: int, next_id: int) -> bool:
        """True when an unscored offer with score <= bound and id >= next_id cannot get in."""
        if len(best) < limit or not _PRUNE:
            return False
        kth_total, kth_id = best[-1][0], best[-1][1]
        return kth_total > bound or (kth_total == bound and next_id > kth_id)

    def walk(candidates: Any, bound: int) -> None:
        """Score candidates (ids above `:after`, at most `:size`) in id order until none can get in."""
        statement = _with_viability(candidates, scorer.conditions)
        last, size = 0, max(_FIRST_CHUNK, limit * 8)
        while not beaten(bound, last + 1):
            rows = connection.execute(statement, {"after": last, "size": size}).all()
            if not rows:
                return
            last = rows[-1][0]
            chunk = [offer_id for offer_id, viable in rows if viable and offer_id not in scored]
            if chunk:
                scored.update(chunk)
                best.extend(scorer.top(chunk))
                best.sort(key=lambda row: (-row[0], row[1]))
                del best[limit:]
            if len(rows) < size:
                return
            size = min(size * 4, _MAX_CHUNK)

    if not groups:
        walk(
            select(Offer.id.label("offer_id"))
            .where(Offer.id > bindparam("after"))
            .order_by(Offer.id)
            .limit(bindparam("size")),
            max_bonus,
        )
        return {offer_id: (offering_id, total) for total, offer_id, offering_id in best}

    best_quality: dict[str, int] = {}
    for group in groups:
        for term, quality in group.terms.items():
            best_quality[term] = max(best_quality.get(term, 0), quality)
    # Possible contributions per group, and the candidate levels.
    group_values = [
        sorted({w * q for term, q in group.terms.items() for w in weights.get(term, ())}, reverse=True)
        for group in groups
    ]
    levels = sorted({w * q for term, q in best_quality.items() for w in weights.get(term, ())}, reverse=True)
    previous: float = float("inf")
    for level in levels:
        # Offers not met at a higher level score at most this per group (+ the bonus).
        bound = sum(next((v for v in values if v < previous), 0) for values in group_values) + max_bonus
        if beaten(bound, 0):
            break
        # Postings whose weight x best quality lies in [level, previous): one index range each.
        pairs = sorted(
            (term, weight)
            for term, quality in best_quality.items()
            for weight in weights.get(term, ())
            if level <= weight * quality < previous
        )
        previous = level
        walk(_level_postings(pairs), bound)
    return {offer_id: (offering_id, total) for total, offer_id, offering_id in best}


def _build_results(
    session: Session,
    chosen: dict[int, tuple[int, int]],
    query: SearchQuery,
    municipality: str | None,
    distances: dict[str, float],
    groups: Sequence[Any],
    today: dt.date,
) -> list[SearchResult]:
    """Load the chosen offers and offerings and explain why each one fits."""
    offering_ids = [offering_id for offering_id, _score in chosen.values()]
    # One Core query with just the needed columns (no ORM entities, no N+1).
    rows = (
        session.connection()
        .execute(
            select(
                Offer.id.label("offer_id"),
                Offer.title_nl,
                Offer.title_en,
                Offer.kind,
                Offer.url.label("offer_url"),
                Offer.checked_on.label("offer_checked_on"),
                Offer.fictional,
                Offering.id.label("offering_id"),
                Offering.mode,
                Offering.municipality,
                Offering.place_text,
                Offering.price_cents,
                Offering.start_date,
                Offering.schedule_text,
                Offering.url,
                Offering.checked_on,
                Provider.name.label("provider_name"),
            )
            .join(Offering, Offering.offer_id == Offer.id)
            .join(Provider, Provider.id == Offer.provider_id)
            .where(Offering.id.in_(offering_ids))
        )
        .all()
    )
    by_offer = {row.offer_id: row for row in rows}
    matched_words = _matched_words(session, list(chosen), groups)
    results = []
    for offer_id, (_offering_id, score) in chosen.items():
        offering = by_offer[offer_id]
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
            score=score,
            mode=offering.mode,
            fictional=bool(offering.fictional),
            language=query.language,
        )
        result.reasons = _reasons(
            result, offering, municipality, distances, matched_words.get(offer_id, []), query, today
        )
        results.append(result)
    return results


def _matched_words(session: Session, offer_ids: list[int], groups: Sequence[Any]) -> dict[int, list[str]]:
    """Return, per offer, the query words that matched its search terms."""
    if not groups or not offer_ids:
        return {}
    wanted = sorted({term for group in groups for term in group.terms})
    rows = (
        session.connection()
        .execute(
            select(OfferSearchTerm.offer_id, OfferSearchTerm.term).where(
                OfferSearchTerm.offer_id.in_(offer_ids), OfferSearchTerm.term.in_(wanted)
            )
        )
        .all()
    )
    terms_by_offer: dict[int, set[str]] = {}
    for offer_id, term in rows:
        terms_by_offer.setdefault(offer_id, set()).add(term)
    return {
        offer_id: [group.word for group in groups if set(group.terms) & terms]
        for offer_id, terms in terms_by_offer.items()
    }


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
    english = lang == "en"
    if result.price_eur is None:
        return "price unknown" if english else "prijs onbekend"
    if result.price_eur == 0:
        return "free" if english else "gratis"
    amount = Decimal(result.price_eur)
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
