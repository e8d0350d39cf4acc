"""Shared import machinery: validated records, upsert by source ids, report, search index.

Every importer turns its input into `ProviderRecord`/`OfferRecord` objects, then calls
`write_records`, which runs in ONE transaction (a crash leaves nothing half-written) and
puts each item in a savepoint so one bad item is rejected without stopping the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from offer_catalogue.models import (
    DELIVERY_MODES,
    OFFER_KINDS,
    CatalogueMeta,
    Location,
    Offer,
    Offering,
    OfferSearchTerm,
    Provider,
    SearchTermWeight,
    SearchVocabulary,
    Skill,
    TargetGroup,
    Theme,
    offer_themes,
)
from offer_catalogue.schedule import normalise_language, parse_schedule
from offer_catalogue.text import (
    WEIGHT_DESCRIPTION,
    WEIGHT_KEYWORDS,
    WEIGHT_PROVIDER,
    WEIGHT_TITLE,
    analyse_document,
)
from offer_catalogue.theme_tagging import WEIGHT_THEME, tag_offer, theme_term
from offer_catalogue.themes import themes as taxonomy

logger = logging.getLogger(__name__)

# Field length limits; longer input is rejected with a reason instead of truncated silently.
MAX_TITLE = 300
MAX_DESCRIPTION = 20000
MAX_ID = 200
MAX_URL = 500


class ItemError(ValueError):
    """An input item is invalid; the message is the reason shown in the import report."""


@dataclass
class Rejection:
    """One rejected input item and why."""

    item: str
    reason: str


@dataclass
class ImportReport:
    """Outcome of an import: counts of created/updated items and every rejection."""

    source: str
    created: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    providers_created: int = 0
    providers_updated: int = 0
    seconds: float = 0.0

    def reject(self, item: str, reason: str) -> None:
        """Record a rejected item."""
        self.rejected.append(Rejection(item=str(item)[:200], reason=reason[:500]))

    def summary(self) -> str:
        """Return a one-line human summary."""
        return (
            f"{self.source}: {self.created} created, {self.updated} updated, "
            f"{len(self.rejected)} rejected ({self.seconds:.2f} s)"
        )


@dataclass
class LocationRecord:
    """A validated address."""

    name: str | None = None
    street: str | None = None
    street_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    municipality: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def key(self) -> str:
        """Return a stable id for de-duplicating identical addresses."""
        raw = "|".join(
            str(part or "").strip().lower()
            for part in (self.name, self.street, self.street_number, self.postal_code, self.city)
        )
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


@dataclass
class OfferingRecord:
    """A validated offering (one run of an offer)."""

    source_id: str
    mode: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    enroll_start_date: dt.date | None = None
    enroll_end_date: dt.date | None = None
    price_eur: Decimal | None = None
    seats: int | None = None
    teaching_language: str | None = None
    level: str | None = None
    location: LocationRecord | None = None
    place_text: str | None = None
    schedule_text: str | None = None
    # More texts that may state the day and time (OOAPI: offering and course name/description),
    # most specific first; read after `schedule_text`, the ext schedule and the date-times.
    schedule_texts: list[str] = field(default_factory=list)
    start_datetime: str | None = None
    end_datetime: str | None = None
    url: str | None = None
    checked_on: dt.date | None = None
    ext: dict[str, Any] | None = None


@dataclass
class ProviderRecord:
    """A validated provider."""

    source_id: str
    name: str
    short_name: str | None = None
    organization_type: str | None = None
    description: str | None = None
    url: str | None = None
    municipality: str | None = None
    fictional: bool = False
    checked_on: dt.date | None = None
    ext: dict[str, Any] | None = None


@dataclass
class OfferRecord:
    """A validated offer with its offerings."""

    source_id: str
    provider_source_id: str
    kind: str
    title_nl: str
    title_en: str | None = None
    description_nl: str | None = None
    description_en: str | None = None
    url: str | None = None
    level: str | None = None
    study_load_hours: float | None = None
    keywords: str | None = None
    # Evidence for theme tagging only (not stored): OOAPI learningOutcomes and fieldsOfStudy.
    learning_outcomes: list[str] = field(default_factory=list)
    fields_of_study: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    fictional: bool = False
    checked_on: dt.date | None = None
    ext: dict[str, Any] | None = None
    offerings: list[OfferingRecord] = field(default_factory=list)
    item_label: str = ""


def check_text(value: Any, name: str, max_length: int, required: bool = False) -> str | None:
    """Return a cleaned string or raise ItemError for wrong type, missing or too long."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ItemError(f"missing required field '{name}'")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ItemError(f"field '{name}' must be text, got {type(value).__name__}")
    text = str(value).strip()
    if "\x00" in text or "\ufffd" in text:
        raise ItemError(f"field '{name}' contains invalid characters (wrong encoding?)")
    if len(text) > max_length:
        raise ItemError(f"field '{name}' is too long ({len(text)} characters, max {max_length})")
    return text


def check_date(value: Any, name: str) -> dt.date | None:
    """Parse an ISO date (or date-time) or raise ItemError."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ItemError(f"field '{name}' must be a date (YYYY-MM-DD), got {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as error:
        raise ItemError(f"field '{name}' is not a valid date: {value[:40]!r}") from error


def check_price(value: Any, name: str = "price_eur") -> Decimal | None:
    """Parse a non-negative EUR amount (Decimal) or raise ItemError; empty means unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ItemError(f"field '{name}' must be a number")
    try:
        amount = Decimal(str(value).strip().replace("€", "").replace(",", "."))
    except Exception as error:  # decimal.InvalidOperation and friends
        raise ItemError(f"field '{name}' is not a number: {str(value)[:40]!r}") from error
    if not amount.is_finite() or amount < 0 or amount > Decimal("1000000"):
        raise ItemError(f"field '{name}' is out of range: {str(value)[:40]!r}")
    return amount.quantize(Decimal("0.01"))


def check_int(value: Any, name: str) -> int | None:
    """Parse a non-negative integer or raise ItemError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ItemError(f"field '{name}' must be a whole number")
    try:
        number = int(str(value).strip())
    except ValueError as error:
        raise ItemError(f"field '{name}' must be a whole number: {str(value)[:40]!r}") from error
    if number < 0 or number > 1_000_000:
        raise ItemError(f"field '{name}' is out of range: {number}")
    return number


def check_float(value: Any, name: str, low: float, high: float) -> float | None:
    """Parse a float within [low, high] or raise ItemError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ItemError(f"field '{name}' must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise ItemError(f"field '{name}' must be a number: {str(value)[:40]!r}") from error
    if not low <= number <= high:
        raise ItemError(f"field '{name}' is out of range: {number}")
    return number


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return value if it is one of `choices`, else raise ItemError."""
    allowed = tuple(choices)
    if value not in allowed:
        raise ItemError(f"field '{name}' must be one of {', '.join(allowed)}; got {str(value)[:40]!r}")
    return str(value)


def validate_offer(record: OfferRecord) -> list[tuple[OfferingRecord, str]]:
    """Check an offer (raise ItemError) and return its bad offerings with a reason each."""
    check_choice(record.kind, "kind", OFFER_KINDS)
    check_text(record.title_nl, "title", MAX_TITLE, required=True)
    if record.valid_from and record.valid_until and record.valid_until < record.valid_from:
        raise ItemError("valid_until is before valid_from")
    bad: list[tuple[OfferingRecord, str]] = []
    seen = set()
    for offering in record.offerings:
        reason = None
        if offering.mode not in DELIVERY_MODES:
            reason = f"mode must be one of {', '.join(DELIVERY_MODES)}"
        elif offering.source_id in seen:
            reason = f"duplicate offering id {offering.source_id!r}"
        elif offering.start_date and offering.end_date and offering.end_date < offering.start_date:
            reason = "endDate is before startDate"
        elif offering.mode != "online" and offering.location is None and not offering.place_text:
            reason = "on-site offering needs a location"
        seen.add(offering.source_id)
        if reason:
            bad.append((offering, reason))
    return bad


def _lookup_table(session: Session, model: Any, codes: Iterable[str], cache: dict) -> list[Any]:
    """Return rows of Theme/Skill/TargetGroup for codes, creating missing ones."""
    rows = []
    for raw in codes:
        label = str(raw).strip()
        if not label:
            continue
        code = label.lower().replace(" ", "_")[:60]
        key = (model.__name__, code)
        row = cache.get(key)
        if row is None:
            row = session.execute(select(model).where(model.code == code)).scalar_one_or_none()
            if row is None:
                row = model(code=code, name_nl=label.replace("_", " ")[:200])
                session.add(row)
                session.flush()
            cache[key] = row
        if row not in rows:
            rows.append(row)
    return rows


def first_sentence(text: str | None) -> str | None:
    """The text up to its first full stop, question or exclamation mark (all of it without one)."""
    if not text:
        return None
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _location_row(session: Session, source: str, record: LocationRecord, cache: dict) -> Location:
    """Find or create a location by its address key (cached: rows may not be flushed yet)."""
    key = record.key()
    row = cache.get(("location", key))
    if row is None:
        row = session.execute(
            select(Location).where(Location.source == source, Location.source_id == key)
        ).scalar_one_or_none()
    if row is None:
        row = Location(source=source, source_id=key)
        session.add(row)
    cache[("location", key)] = row
    for name in (
        "name",
        "street",
        "street_number",
        "postal_code",
        "city",
        "municipality",
        "latitude",
        "longitude",
    ):
        setattr(row, name, getattr(record, name))
    return row


def _upsert_provider(session: Session, source: str, record: ProviderRecord, report: ImportReport) -> Provider:
    """Create or update a provider by (source, source_id)."""
    row = session.execute(
        select(Provider).where(Provider.source == source, Provider.source_id == record.source_id)
    ).scalar_one_or_none()
    if row is None:
        row = Provider(source=source, source_id=record.source_id)
        session.add(row)
        report.providers_created += 1
    else:
        report.providers_updated += 1
    for name in (
        "name",
        "short_name",
        "organization_type",
        "description",
        "url",
        "municipality",
        "fictional",
        "checked_on",
        "ext",
    ):
        setattr(row, name, getattr(record, name))
    return row


def _upsert_offer(
    session: Session, source: str, record: OfferRecord, provider: Provider, cache: dict
) -> tuple[Offer, bool, dict[str, float]]:
    """Create or update an offer and its offerings; return (offer, created, theme scores)."""
    with session.no_autoflush:
        return _upsert_offer_unflushed(session, source, record, provider, cache)


def _upsert_offer_unflushed(
    session: Session, source: str, record: OfferRecord, provider: Provider, cache: dict
) -> tuple[Offer, bool, dict[str, float]]:
    """Do the work of `_upsert_offer` without autoflush (rows are incomplete meanwhile)."""
    offer = session.execute(
        select(Offer).where(Offer.source == source, Offer.source_id == record.source_id)
    ).scalar_one_or_none()
    created = offer is None
    if offer is None:
        offer = Offer(source=source, source_id=record.source_id)
        session.add(offer)
    offer.provider = provider
    for name in (
        "kind",
        "title_nl",
        "title_en",
        "description_nl",
        "description_en",
        "url",
        "level",
        "study_load_hours",
        "keywords",
        "valid_from",
        "valid_until",
        "fictional",
        "checked_on",
        "ext",
    ):
        setattr(offer, name, getattr(record, name))
    scores = assign_themes(
        session, offer, record.themes, cache, record.learning_outcomes, record.fields_of_study
    )
    offer.skills = _lookup_table(session, Skill, record.skills, cache)
    offer.target_groups = _lookup_table(session, TargetGroup, record.target_groups, cache)
    existing = {offering.source_id: offering for offering in offer.offerings}
    for item in record.offerings:
        offering = existing.get(item.source_id)
        if offering is None:
            # The offering may belong to another offer in the database (moved); re-parent it.
            offering = session.execute(
                select(Offering).where(Offering.source == source, Offering.source_id == item.source_id)
            ).scalar_one_or_none() or Offering(source=source, source_id=item.source_id)
            offer.offerings.append(offering)
        location = _location_row(session, source, item.location, cache) if item.location else None
        offering.location = location
        for name in (
            "mode",
            "start_date",
            "end_date",
            "enroll_start_date",
            "enroll_end_date",
            "price_eur",
            "seats",
            "level",
            "schedule_text",
            "url",
            "checked_on",
            "ext",
        ):
            setattr(offering, name, getattr(item, name))
        offering.teaching_language = normalise_language(item.teaching_language)
        # The offer's own words say when too ("Een avond voor mantelzorgers"); OOAPI's importer
        # passes its offering's names and descriptions, the sample and CSV importers none. Only
        # the description's first sentence: further on it tells more than when the offer is
        # ("Geen les op zaterdag en zondag").
        texts = item.schedule_texts or [
            record.title_nl,
            record.title_en,
            first_sentence(record.description_nl),
        ]
        offering.days_mask, offering.day_parts = parse_schedule(
            [item.schedule_text, *texts], item.start_datetime, item.ext, item.end_datetime
        )
        offering.municipality = (
            None if item.mode == "online" else (item.location.municipality if item.location else None)
        )
        offering.latitude = item.location.latitude if item.location else None
        offering.longitude = item.location.longitude if item.location else None
        offering.place_text = item.place_text or (
            "online" if item.mode == "online" else (item.location.city if item.location else None)
        )
    return offer, created, scores


def _theme_code(label: str) -> str:
    """The Theme.code a label from the data gets (the same rule as `_lookup_table`)."""
    return str(label).strip().lower().replace(" ", "_")[:60]


def assign_themes(
    session: Session,
    offer: Offer,
    given: Iterable[str],
    cache: dict,
    learning_outcomes: Iterable[str] = (),
    fields_of_study: Iterable[str] = (),
) -> dict[str, float]:
    """Tag an offer from its texts and set `offer.themes`; return the score per taxonomy id.

    Labels given in the data that are no taxonomy id stay attached as before (score NULL).
    Write the scores with `store_theme_scores` once the rows are flushed.
    """
    given = list(given)
    scored = tag_offer(
        " / ".join(title for title in (offer.title_nl, offer.title_en) if title),
        "\n".join(text for text in (offer.description_nl, offer.description_en) if text),
        offer.keywords,
        list(learning_outcomes),
        list(fields_of_study),
        given,
    )
    legacy = [label for label in given if _theme_code(label) not in taxonomy()]
    offer.themes = _taxonomy_theme_rows(session, [theme for theme, _ in scored], cache) + [
        row for row in _lookup_table(session, Theme, legacy, cache) if row.code not in taxonomy()
    ]
    return dict(scored)


def _taxonomy_theme_rows(session: Session, theme_ids: Iterable[str], cache: dict) -> list[Theme]:
    """Theme rows for taxonomy ids (code = id, taxonomy labels), created or relabelled as needed."""
    known = taxonomy()
    rows = []
    for theme_id in theme_ids:
        key = (Theme.__name__, theme_id)
        row = cache.get(key)
        if row is None:
            row = session.execute(select(Theme).where(Theme.code == theme_id)).scalar_one_or_none()
            if row is None:
                row = Theme(code=theme_id)
                session.add(row)
            row.name_nl, row.name_en = known[theme_id].nl[:200], known[theme_id].en[:200]
            session.flush([row])
            cache[key] = row
        rows.append(row)
    return rows


def store_theme_scores(session: Session, offer: Offer, scores: dict[str, float]) -> None:
    """Write the tagger's score of each taxonomy theme into offer_themes (after a flush)."""
    for row in offer.themes:
        if row.code in scores:
            session.execute(
                update(offer_themes)
                .where(offer_themes.c.offer_id == offer.id, offer_themes.c.theme_id == row.id)
                .values(score=scores[row.code])
            )


def offer_theme_scores(session: Session, offer_id: int) -> list[tuple[str, float | None]]:
    """(theme code, score) of one offer, best first; labels that are no theme have score None."""
    rows = session.execute(
        select(Theme.code, offer_themes.c.score)
        .join(offer_themes, offer_themes.c.theme_id == Theme.id)
        .where(offer_themes.c.offer_id == offer_id)
    ).all()
    return sorted(((code, score) for code, score in rows), key=lambda pair: -(pair[1] or 0.0))


def offer_search_fields(offer: Offer, provider_name: str) -> list[tuple[str, int]]:
    """Return (text, weight) pairs that make up an offer's search terms.

    Taxonomy themes are indexed as `theme_term` terms by `index_offer`, not as label words:
    a tagged theme is a guess, and its words would otherwise count as keywords.
    """
    known = taxonomy()
    legacy_themes = [row for row in offer.themes if row.code not in known]
    labels = " ".join(
        f"{row.name_nl} {row.code}" for row in [*legacy_themes, *offer.skills, *offer.target_groups]
    )
    return [
        (offer.title_nl, WEIGHT_TITLE),
        (offer.title_en or "", WEIGHT_KEYWORDS),
        (f"{offer.keywords or ''} {labels}", WEIGHT_KEYWORDS),
        (provider_name, WEIGHT_PROVIDER),
        (offer.description_nl or "", WEIGHT_DESCRIPTION),
        (offer.description_en or "", WEIGHT_DESCRIPTION),
    ]


def index_offer(session: Session, offer: Offer) -> None:
    """Recompute the search terms of one offer (done at import time, not at query time)."""
    terms = analyse_document(offer_search_fields(offer, offer.provider.name))
    known = taxonomy()
    for row in offer.themes:
        if row.code in known:
            terms[theme_term(row.code)] = WEIGHT_THEME
    offer.search_text = " ".join(sorted(terms))
    session.execute(delete(OfferSearchTerm).where(OfferSearchTerm.offer_id == offer.id))
    if terms:
        session.execute(
            insert(OfferSearchTerm),
            [{"term": term, "offer_id": offer.id, "weight": weight} for term, weight in terms.items()],
        )


def rebuild_vocabulary(session: Session) -> None:
    """Recount the search vocabulary and term weights; bump the version so query caches refresh.

    Run it after every change to `offer_search_terms`: search takes its score levels from
    `search_term_weights`.
    """
    session.execute(delete(SearchVocabulary))
    session.execute(
        insert(SearchVocabulary).from_select(
            ["term", "offer_count"],
            select(OfferSearchTerm.term, func.count()).group_by(OfferSearchTerm.term),
        )
    )
    session.execute(delete(SearchTermWeight))
    session.execute(
        insert(SearchTermWeight).from_select(
            ["term", "weight", "offer_count"],
            select(OfferSearchTerm.term, OfferSearchTerm.weight, func.count()).group_by(
                OfferSearchTerm.term, OfferSearchTerm.weight
            ),
        )
    )
    version = uuid.uuid4().hex
    row = session.get(CatalogueMeta, "vocabulary_version")
    if row is None:
        session.add(CatalogueMeta(key="vocabulary_version", value=version))
    else:
        row.value = version


def write_records(
    session_factory: sessionmaker,
    source: str,
    providers: Iterable[ProviderRecord],
    offers: Iterable[OfferRecord],
    report: ImportReport,
) -> ImportReport:
    """Upsert providers and offers in one transaction; reject bad items one by one."""
    with session_factory() as session, session.begin():
        provider_rows: dict[str, Provider] = {}
        for record in providers:
            try:
                with session.begin_nested():
                    provider_rows[record.source_id] = _upsert_provider(session, source, record, report)
                    session.flush()
            except SQLAlchemyError as error:
                report.reject(
                    f"organization {record.source_id}", f"database error: {error.__class__.__name__}"
                )
        cache: dict = {}
        touched: list[Offer] = []
        for record in offers:
            label = record.item_label or f"offer {record.source_id}"
            # Every offer carries the date it was last checked; an import counts as a check.
            record.checked_on = record.checked_on or dt.date.today()
            try:
                bad_offerings = validate_offer(record)
                for offering, reason in bad_offerings:
                    report.reject(f"offering {offering.source_id} ({label})", reason)
                    record.offerings.remove(offering)
                if bad_offerings and not record.offerings:
                    continue
                provider = (
                    provider_rows.get(record.provider_source_id)
                    or session.execute(
                        select(Provider).where(
                            Provider.source == source, Provider.source_id == record.provider_source_id
                        )
                    ).scalar_one_or_none()
                )
                if provider is None:
                    raise ItemError(f"unknown organization {record.provider_source_id!r}")
                with session.begin_nested():
                    offer, created, scores = _upsert_offer(session, source, record, provider, cache)
                    session.flush()
                    store_theme_scores(session, offer, scores)
                    index_offer(session, offer)
                count = max(1, len(record.offerings))
                if created:
                    report.created += count
                else:
                    report.updated += count
                touched.append(offer)
            except ItemError as error:
                report.reject(label, str(error))
            except SQLAlchemyError as error:
                cache.clear()
                report.reject(
                    label, f"database error: {str(error.orig if hasattr(error, 'orig') else error)[:200]}"
                )
        if touched:
            rebuild_vocabulary(session)
    return report


@dataclass
class RetagReport:
    """Outcome of `retag_all`: offers re-tagged and offerings whose schedule is known."""

    offers: int = 0
    offerings: int = 0
    offerings_with_days: int = 0
    offerings_with_parts: int = 0

    def summary(self) -> str:
        """Return a one-line human summary."""
        return (
            f"retag: {self.offers} offers re-tagged and re-indexed; {self.offerings} offerings, "
            f"{self.offerings_with_days} with days, {self.offerings_with_parts} with parts of the day"
        )


def retag_all(session_factory: sessionmaker) -> RetagReport:
    """Re-tag, re-parse schedules and re-index every offer (after a taxonomy or tagger change).

    Uses what the database holds: themes given in the data (score 1.0, or NULL from before
    scores existed), titles, descriptions, keywords, `schedule_text` and the offering's `ext`.
    OOAPI learning outcomes, fields of study, date-times and offering texts are not stored, so
    a schedule value that the stored data no longer states is kept; re-import a feed to
    refresh those fully.
    """
    report = RetagReport()
    with session_factory() as session, session.begin():
        cache: dict = {}
        offers = session.execute(select(Offer).order_by(Offer.id)).scalars().all()
        for offer in offers:
            given = [code for code, score in offer_theme_scores(session, offer.id) if score in (None, 1.0)]
            with session.no_autoflush:
                scores = assign_themes(session, offer, given, cache)
            for offering in offer.offerings:
                days, parts = parse_schedule([offering.schedule_text], None, offering.ext)
                offering.days_mask = days if days is not None else offering.days_mask
                offering.day_parts = parts if parts is not None else offering.day_parts
                offering.teaching_language = normalise_language(offering.teaching_language)
                report.offerings += 1
                report.offerings_with_days += offering.days_mask is not None
                report.offerings_with_parts += offering.day_parts is not None
            session.flush()
            store_theme_scores(session, offer, scores)
            index_offer(session, offer)
            report.offers += 1
        if offers:
            rebuild_vocabulary(session)
    return report


def remove_source(session_factory: sessionmaker, source: str) -> int:
    """Delete every offer of `source` with its offerings, index terms and orphaned providers.

    Returns the number of offers removed. Providers and locations of the source that nothing
    refers to any more go too; the search vocabulary is recounted.
    """
    with session_factory() as session, session.begin():
        offers = session.execute(select(Offer).where(Offer.source == source)).scalars().all()
        for offer in offers:
            # ORM delete: offerings, theme/skill/group links and index rows go with the offer
            # on every database, without relying on ON DELETE CASCADE being switched on.
            session.execute(delete(OfferSearchTerm).where(OfferSearchTerm.offer_id == offer.id))
            session.delete(offer)
        session.flush()
        used_providers = select(Offer.provider_id)
        session.execute(
            delete(Provider)
            .where(Provider.source == source, Provider.id.not_in(used_providers))
            .execution_options(synchronize_session=False)
        )
        used_locations = select(Offering.location_id).where(Offering.location_id.is_not(None))
        session.execute(
            delete(Location)
            .where(Location.source == source, Location.id.not_in(used_locations))
            .execution_options(synchronize_session=False)
        )
        rebuild_vocabulary(session)
    return len(offers)
