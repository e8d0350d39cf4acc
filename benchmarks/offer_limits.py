"""Scoring of the conversation suite: the hard-limit checks and the success rule.

An offer is described by `OfferFacts` (read from the catalogue database, or made up in tests);
`broken_limits` lists which of a person's `hard_limits` (tests/eval/conversations.yml) it breaks:

* `max_price_eur` — an offering's price above it (an unknown price breaks nothing);
* `mode_not` — an offering delivered only that way (hybrid can be attended both ways);
* `within_km_of` — an on-site offering (or hybrid when online is excluded) farther than `km`
  from the named place: the offering's coordinates, else its municipality's centre, against
  the place itself from `offer_catalogue/region.py`'s gazetteer (villages and districts have
  approximate coordinates since 2026-12-07 session 3; before, "Stiphout" was measured from
  Helmond's centre), else its municipality's centre;
* `time_of_day` — evening / daytime / weekend, only where the schedule (or title or
  description) states a time and none of the stated times fits;
* `language` — the teaching language, where it is stated.

An offer with several offerings breaks a limit only when every current offering breaks it
(the slot that records shown offers names the offer, not the run that was shown).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Sequence

from offer_catalogue.region import canonical_municipality, centre, haversine_km, place_centre


@dataclass
class OfferingFacts:
    """One run of an offer: what the limits are checked against."""

    mode: str = "on_site"
    price_eur: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    municipality: str | None = None
    schedule: str = ""
    teaching_language: str | None = None
    end_date: dt.date | None = None


@dataclass
class OfferFacts:
    """An offer as the suite sees it: its catalogue id, kind, texts and offerings."""

    source_id: str
    kind: str = "course"
    title: str = ""
    description: str = ""
    offerings: List[OfferingFacts] = field(default_factory=list)
    offering_ids: List[str] = field(default_factory=list)  # an expected file may name runs (OOAPI)


# ----------------------------------------------------------------------------- time of day
EVENING = re.compile(r"avond|evening|night|\b(1[89]|2[0-3])[.:]\d\d|\b(1[89]|2[0-3]) ?uur")
DAYTIME = re.compile(
    r"ochtend|middag|morning|afternoon|lunch|overdag|daytime"
    r"|\b(0?[89]|1[0-7])[.:]\d\d|\b(0?[89]|1[0-7]) ?uur\b"
)
WEEKEND = re.compile(r"zaterdag|zondag|weekend|saturday|sunday")
WEEKDAY = re.compile(r"maandag|dinsdag|woensdag|donderdag|vrijdag|monday|tuesday|wednesday|thursday|friday")
# "1 keer per week 2 uur", "elke week, 1,5 uur": durations, not times of day.
DURATION = re.compile(r"\b\d+([.,]\d+)? ?(uur|hours?)\b(?! ?[-–])")


def stated_times(text: str) -> set[str]:
    """Which times of day a schedule or description states: evening, daytime, weekend, weekday."""
    text = (text or "").lower()
    found: set[str] = set()
    if EVENING.search(text):
        found.add("evening")
    daytime_text = DURATION.sub(" ", text) if not re.search(r"\d[.:]\d\d", text) else text
    if DAYTIME.search(daytime_text):
        found.add("daytime")
    if WEEKEND.search(text):
        found.add("weekend")
    if WEEKDAY.search(text):
        found.add("weekday")
    return found


def breaks_time(limit: str, schedule: str, title: str = "", description: str = "") -> bool:
    """Whether a schedule that states a time of day states none that fits `limit`."""
    times = stated_times(schedule) or stated_times(f"{title} {description}")
    if not times:
        return False
    if limit == "evening":
        return "evening" not in times and ("daytime" in times)
    if limit == "daytime":
        return "daytime" not in times and "evening" in times
    if limit == "weekend":
        return "weekend" not in times and "weekday" in times
    return False


# ----------------------------------------------------------------------------- distance
def place_point(name: str) -> tuple[float, float] | None:
    """(lat, lon) of a named place: the village itself ("Stiphout"), else its municipality's centre."""
    own = place_centre(name.strip())
    if own is not None:
        return own
    municipality = canonical_municipality(name)
    if municipality is None:
        return None
    try:
        return centre(municipality)
    except KeyError:
        return None


def offering_point(offering: OfferingFacts) -> tuple[float, float] | None:
    """The offering's coordinates, else its municipality's centre."""
    if offering.latitude is not None and offering.longitude is not None:
        return offering.latitude, offering.longitude
    if offering.municipality:
        return place_point(offering.municipality)
    return None


def distance_from(place: str, offering: OfferingFacts) -> float | None:
    """Straight-line km from the named place to the offering (None when either is unknown)."""
    here, there = place_point(place), offering_point(offering)
    if here is None or there is None:
        return None
    return haversine_km(*here, *there)


# ----------------------------------------------------------------------------- language
LANGUAGE_CODES = {"nld": "nl", "dut": "nl", "eng": "en"}


def language_code(code: str | None) -> str | None:
    """Two-letter language: "nl-NL", "nld" and "dut" are nl; "en-GB" and "eng" are en."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return LANGUAGE_CODES.get(base, base)


# ----------------------------------------------------------------------------- one offering
def offering_breaks(limits: Dict[str, Any], offering: OfferingFacts, offer: OfferFacts) -> List[str]:
    """The limits one offering breaks, each as a short reason."""
    broken: List[str] = []
    max_price = limits.get("max_price_eur")
    if max_price is not None and offering.price_eur is not None and offering.price_eur > float(max_price):
        broken.append(f"price {offering.price_eur:g} > {float(max_price):g}")
    mode_not = limits.get("mode_not")
    if mode_not and offering.mode == mode_not:
        broken.append(f"mode {offering.mode}")
    within = limits.get("within_km_of")
    attended = offering.mode == "on_site" or (offering.mode == "hybrid" and mode_not == "online")
    if within and attended:
        km = distance_from(str(within.get("place")), offering)
        if km is not None and km > float(within.get("km")):
            broken.append(f"{km:.1f} km from {within.get('place')} > {within.get('km')}")
    time_of_day = limits.get("time_of_day")
    if time_of_day and breaks_time(str(time_of_day), offering.schedule, offer.title, offer.description):
        broken.append(f"time: {offering.schedule or offer.title} is not {time_of_day}")
    language = limits.get("language")
    taught = language_code(offering.teaching_language)
    if language and taught and taught != language_code(str(language)):
        broken.append(f"taught in {offering.teaching_language}")
    return broken


def broken_limits(
    limits: Dict[str, Any] | None, offer: OfferFacts, today: dt.date | None = None
) -> List[str]:
    """The limits an offer breaks: those that every current offering of it breaks."""
    limits = limits or {}
    today = today or dt.date.today()
    offerings = [o for o in offer.offerings if o.end_date is None or o.end_date >= today] or offer.offerings
    if not offerings:
        return []
    per_offering = [offering_breaks(limits, offering, offer) for offering in offerings]
    if all(per_offering):
        return min(per_offering, key=len)
    return []


# ----------------------------------------------------------------------------- success
@dataclass
class Verdict:
    """The score of one conversation."""

    success: bool
    fits_hit: List[str]
    fallback_hit: List[str]
    limits_broken: Dict[str, List[str]]
    reason: str


def judge(
    shown: Sequence[str],
    expected: Dict[str, Any],
    limits: Dict[str, Any] | None,
    offers: Dict[str, OfferFacts],
    advisor_offered: bool,
    stuck: bool = False,
) -> Verdict:
    """Score one conversation.

    Success = a fitting offer shown (or, when nothing fits, a fallback or an advisor / walk-in
    hour offered) and no shown offer breaks a hard limit. `reason` names the main failure.
    """
    fits = set(expected.get("fits") or [])
    fallback = set(expected.get("fallback") or [])

    def names(offer: str) -> set[str]:
        facts = offers.get(offer)
        return {offer, *(facts.offering_ids if facts else [])}

    fits_hit = [offer for offer in shown if names(offer) & fits]
    fallback_hit = [offer for offer in shown if names(offer) & fallback]
    broken = {
        offer: reasons
        for offer in shown
        if offer in offers and (reasons := broken_limits(limits, offers[offer]))
    }
    found = bool(fits_hit) if fits else (bool(fallback_hit) or advisor_offered)
    success = found and not broken
    if success:
        reason = "ok"
    elif not found and not shown:
        if stuck:
            reason = "stuck on a question"
        else:
            reason = "no offer shown (advisor offered)" if advisor_offered else "no offer shown"
    elif not found and fits:
        reason = "wrong theme" + (" (and a limit broken)" if broken else "")
    elif not found:
        # Nothing in the catalogue fits: only a fallback or an advisor would have done.
        reason = "no fallback or advisor offered" + (" (and a limit broken)" if broken else "")
    else:
        reason = "limit broken"
    return Verdict(success, fits_hit, fallback_hit, broken, reason)


def totals(rows: Iterable[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Successes per language and overall: {"overall": {"n", "ok", "rate"}, "nl": ..., "en": ...}."""
    result: Dict[str, Dict[str, Any]] = {}
    rows = list(rows)
    for key, chosen in (
        ("overall", rows),
        ("nl", [r for r in rows if r["lang"] == "nl"]),
        ("en", [r for r in rows if r["lang"] == "en"]),
    ):
        ok = sum(1 for r in chosen if r.get("success"))
        result[key] = {"n": len(chosen), "ok": ok, "rate": ok / len(chosen) if chosen else 0.0}
    return result


def load_offers(database_url: str) -> Dict[int, OfferFacts]:
    """Every offer in the catalogue database, by its database id."""
    from sqlalchemy.orm import selectinload

    from offer_catalogue.database import make_engine, make_session_factory
    from offer_catalogue.models import Offer, Offering

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = (
                session.query(Offer)
                .options(selectinload(Offer.offerings).selectinload(Offering.location))
                .all()
            )
            result: Dict[int, OfferFacts] = {}
            for offer in rows:
                offerings = []
                for item in offer.offerings:
                    location = item.location
                    offerings.append(
                        OfferingFacts(
                            mode=item.mode,
                            price_eur=None if item.price_cents is None else item.price_cents / 100,
                            latitude=location.latitude if location else None,
                            longitude=location.longitude if location else None,
                            municipality=item.municipality or (location.municipality if location else None),
                            schedule=item.schedule_text or "",
                            teaching_language=item.teaching_language,
                            end_date=item.end_date,
                        )
                    )
                result[offer.id] = OfferFacts(
                    source_id=offer.source_id,
                    kind=offer.kind,
                    title=offer.title_nl or "",
                    description=offer.description_nl or "",
                    offerings=offerings,
                    offering_ids=[item.source_id for item in offer.offerings],
                )
            return result
    finally:
        engine.dispose()
