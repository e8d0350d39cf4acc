"""The library's insight: aggregates of hd_insight_counts and hd_referral_counts, with small cells hidden.

Every figure is a sum of counts made when something happened (helpdesk/counts.py); no
conversation is read. A figure under MIN_SHOWN is never shown, in the page, the JSON or the CSV:
it becomes None ("<5"). Every other figure is rounded to a multiple of ROUND_TO, so a hidden
cell cannot be worked out by subtracting shown figures (a chart's total minus its table's
cells, or January-February minus January): the difference is only known to within a few.
Each section has a chart (labels and values) and a table (columns and rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.counts import MIN_SHOWN, WAIT_BANDS, WAIT_LONGEST, shown
from helpdesk.models import REFERRAL_STAGES, Ambassador, InsightCount, ReferralCount
from offer_catalogue import region
from offer_catalogue.themes import themes

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CHANNELS = {
    "whatsapp": "WhatsApp",
    "sms": "SMS",
    "telegram": "Telegram",
    "webchat": "Website",
    "rest": "Website (API)",
}
LANGUAGES = {"nl": "Nederlands", "en": "Engels"}
RESULTS = {
    "fitted": "Passend aanbod gevonden",
    "price": "Te duur",
    "time": "Niet op de gewenste tijd",
    "distance": "Te ver weg",
    "online": "Niet online",
    "on_site": "Alleen online",
    "language": "Niet in de gewenste taal",
    "nothing": "Geen aanbod over dit onderwerp",
}
HANDOFF_KINDS = {
    "asked_for_person": "Vroeg om een mens",
    "two_fallbacks": "Bot begreep het niet",
    "sensitive_topic": "Gevoelig onderwerp",
    "intake": "Na de intake",
    "callback": "Terugbelverzoek",
    "appointment": "Afspraak inloopspreekuur",
}
WAITS = {
    "under_2": "< 2 min",
    "2_to_10": "2–10 min",
    "10_to_30": "10–30 min",
    "30_to_120": "30 min–2 uur",
    WAIT_LONGEST: "> 2 uur",
}
OUTCOMES = {
    "referred_to_offer": "Doorverwezen naar aanbod",
    "appointment_made": "Afspraak gemaakt",
    "advice_given": "Advies gegeven",
    "no_response": "Geen reactie",
    "handed_back": "Teruggegeven aan de bot",
    "released": "Vrijgegeven door admin",
    "timed_out": "Niemand pakte het op",
    "helped": "Taak: geholpen",
    "not_reached": "Taak: niet bereikt",
    "came_by": "Taak: is langsgekomen",
    "did_not_come": "Taak: niet gekomen",
    "no_longer_needed": "Taak: niet meer nodig",
    "done": "Taak: gedaan",
}
STAGES = {
    "started": "Gestart",
    "intake_done": "Intake klaar",
    "offer_shown": "Aanbod gezien",
    "handed_off": "Naar adviseur",
}
NO_THEME = "Geen thema herkend"
NO_PLACE = "Niet genoemd"


class FilterError(ValueError):
    """A filter value that is not a month, municipality or channel the page offers."""


@dataclass(frozen=True)
class Filters:
    """Which months (inclusive, "2026-12"), municipality and channel the figures cover; None: all."""

    since: str | None = None
    until: str | None = None
    municipality: str | None = None
    channel: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the page's query string; FilterError for a value it does not offer."""
        values = {
            key: (args.get(key) or "").strip() or None
            for key in ("since", "until", "municipality", "channel")
        }
        for key in ("since", "until"):
            if values[key] and not MONTH.match(values[key]):
                raise FilterError(f"{key} must be a month like 2026-12")
        if values["since"] and values["until"] and values["since"] > values["until"]:
            raise FilterError("since must not be after until")
        if values["municipality"] and values["municipality"] not in (*region.MUNICIPALITIES, "elsewhere"):
            raise FilterError("unknown municipality")
        if values["channel"] and values["channel"] not in CHANNELS:
            raise FilterError("unknown channel")
        return cls(**values)

    def as_args(self) -> Dict[str, str]:
        """The filters that are set, for a link (the CSV export) carrying the same view."""
        return {key: value for key, value in vars(self).items() if value}


def _sums(session: Session, metric: str, group: Sequence[str], filters: Filters) -> List[Tuple[Any, ...]]:
    """Sums of `metric` per value of the `group` columns, within the filters, biggest first."""
    columns = [getattr(InsightCount, name) for name in group]
    query = select(*columns, func.sum(InsightCount.count)).where(InsightCount.metric == metric)
    if filters.since:
        query = query.where(InsightCount.month >= filters.since)
    if filters.until:
        query = query.where(InsightCount.month <= filters.until)
    if filters.channel:
        query = query.where(InsightCount.channel == filters.channel)
    if filters.municipality and metric in ("search", "search_theme"):  # only searches know the place
        query = query.where(InsightCount.municipality == filters.municipality)
    rows = session.execute(query.group_by(*columns)).all()
    # Ordered by the figure as shown, then by name: the exact order would tell hidden counts apart.
    return sorted(
        ((*row[:-1], int(row[-1])) for row in rows),
        key=lambda row: (-(shown(row[-1]) or 0), *map(str, row[:-1])),
    )


def _label(names: Mapping[str, str], value: str, empty: str = "Onbekend") -> str:
    return names.get(value, value) if value else empty


def _section(
    key: str,
    title: str,
    note: str,
    chart: Iterable[Tuple[str, int]],
    columns: List[str],
    rows: Iterable[List[Any]],
) -> Dict[str, Any]:
    """One block of the page: a bar chart and its table, every count made safe to show."""
    bars = list(chart)
    return {
        "id": key,
        "title": title,
        "note": note,
        "chart": {"labels": [label for label, _ in bars], "values": [shown(value) for _, value in bars]},
        "columns": columns,
        "rows": [[*row[:-1], shown(row[-1])] for row in rows],
    }


def _theme_names() -> Dict[str, str]:
    return {theme.id: theme.nl[:1].upper() + theme.nl[1:] for theme in themes().values()}


def _place(value: str) -> str:
    return "Buiten de regio" if value == "elsewhere" else (value or NO_PLACE)


def questions(session: Session, filters: Filters) -> Dict[str, Any]:
    """Searches per theme (chart) and per theme, municipality and month (table)."""
    names = _theme_names()
    per_theme = _sums(session, "search_theme", ["theme"], filters)
    detail = _sums(session, "search_theme", ["theme", "municipality", "month"], filters)
    return _section(
        "questions",
        "Vragen per thema",
        "Een vraag over twee thema's telt bij allebei.",
        [(_label(names, theme, NO_THEME), total) for theme, total in per_theme],
        ["Thema", "Gemeente", "Maand", "Zoekvragen"],
        [
            [_label(names, theme, NO_THEME), _place(place), month, total]
            for theme, place, month, total in detail
        ],
    )


def months(session: Session, filters: Filters) -> Dict[str, Any]:
    """Searches and new chats per month."""
    searches = dict(_sums(session, "search", ["month"], filters))
    chats = dict(_sums(session, "chat", ["month"], filters))
    all_months = sorted(set(searches) | set(chats))
    return _section(
        "months",
        "Zoekvragen per maand",
        "Nieuwe gesprekken en zoekvragen per maand.",
        [(month, searches.get(month, 0)) for month in all_months],
        ["Maand", "Nieuwe gesprekken", "Zoekvragen"],
        [[month, shown(chats.get(month, 0)), searches.get(month, 0)] for month in all_months],
    )


def unmet_demand(session: Session, filters: Filters) -> Dict[str, Any]:
    """Searches where nothing fitted: which limit kept the offers out, per theme."""
    names = _theme_names()
    per_limit = [row for row in _sums(session, "search", ["detail"], filters) if row[0] != "fitted"]
    detail = [
        row
        for row in _sums(session, "search_theme", ["theme", "detail", "municipality"], filters)
        if row[1] != "fitted"
    ]
    return _section(
        "unmet",
        "Wat mensen zoeken en niet vinden",
        "Zoekvragen zonder passend aanbod, en wat niet paste. Hier kunnen partners aanbod toevoegen."
        " De tabel telt per thema.",
        [(_label(RESULTS, limit), total) for limit, total in per_limit],
        ["Thema", "Wat niet paste", "Gemeente", "Zoekvragen"],
        [
            [_label(names, theme, NO_THEME), _label(RESULTS, limit), _place(place), total]
            for theme, limit, place, total in detail
        ],
    )


def handoffs(session: Session, filters: Filters) -> Dict[str, Any]:
    """Requests for a person: live chats by reason, call-backs and walk-in appointments."""
    rows = _sums(session, "handoff", ["detail", "channel"], filters)
    return _section(
        "handoffs",
        "Naar een adviseur",
        "Gesprekken die naar een adviseur gingen, en terugbel- en inloopverzoeken.",
        [
            (_label(HANDOFF_KINDS, kind), total)
            for kind, total in _sums(session, "handoff", ["detail"], filters)
        ],
        ["Soort", "Kanaal", "Aantal"],
        [[_label(HANDOFF_KINDS, kind), _label(CHANNELS, channel), total] for kind, channel, total in rows],
    )


def waiting(session: Session, filters: Filters) -> Dict[str, Any]:
    """How long people waited until an advisor picked up their chat (in bands, in band order)."""
    totals = dict(_sums(session, "wait", ["detail"], filters))
    order = [band for _, band in WAIT_BANDS] + [WAIT_LONGEST]
    # No chart of five empty bands before anyone waited.
    bars = [(WAITS[band], totals.get(band, 0)) for band in order] if totals else []
    return _section(
        "waiting",
        "Wachttijd tot een adviseur",
        "Hoe lang mensen wachtten tot een adviseur hun gesprek oppakte.",
        bars,
        ["Wachttijd", "Gesprekken"],
        [[label, total] for label, total in bars],
    )


def outcomes(session: Session, filters: Filters) -> Dict[str, Any]:
    """How chats with an advisor and call-back or walk-in tasks ended."""
    totals = _sums(session, "outcome", ["detail"], filters)
    return _section(
        "outcomes",
        "Uitkomsten",
        "Hoe gesprekken met een adviseur en terugbel- en inloopafspraken afliepen.",
        [(_label(OUTCOMES, outcome), total) for outcome, total in totals],
        ["Uitkomst", "Aantal"],
        [[_label(OUTCOMES, outcome), total] for outcome, total in totals],
    )


def channel_mix(session: Session, filters: Filters) -> Dict[str, Any]:
    """New chats per channel (chart) and per channel and language (table)."""
    return _section(
        "channels",
        "Kanalen en talen",
        "Nieuwe gesprekken per kanaal en de taal van het eerste bericht.",
        [
            (_label(CHANNELS, channel), total)
            for channel, total in _sums(session, "chat", ["channel"], filters)
        ],
        ["Kanaal", "Taal", "Nieuwe gesprekken"],
        [
            [_label(CHANNELS, channel), _label(LANGUAGES, language), total]
            for channel, language, total in _sums(session, "chat", ["channel", "language"], filters)
        ],
    )


def referrals(session: Session, filters: Filters) -> Dict[str, Any]:
    """Chats per learning ambassador and how far they came (months only: no channel or place)."""
    query = (
        select(
            Ambassador.id,
            Ambassador.name,
            Ambassador.place,
            ReferralCount.stage,
            func.sum(ReferralCount.count),
        )
        .join(Ambassador, Ambassador.id == ReferralCount.ambassador_id)
        .group_by(Ambassador.id, Ambassador.name, Ambassador.place, ReferralCount.stage)
    )
    if filters.since:
        query = query.where(ReferralCount.month >= filters.since)
    if filters.until:
        query = query.where(ReferralCount.month <= filters.until)
    # Keyed by id: two ambassadors may share a name and place ("Fatima", "bibliotheek").
    names: Dict[int, Tuple[str, str]] = {}
    per_ambassador: Dict[int, Dict[str, int]] = {}
    for ambassador_id, name, place, stage, total in session.execute(query).all():
        names[ambassador_id] = (name, place)
        per_ambassador.setdefault(ambassador_id, {})[stage] = int(total)
    ordered = sorted(
        per_ambassador.items(), key=lambda item: (-(shown(item[1].get("started", 0)) or 0), names[item[0]])
    )
    section = _section(
        "referrals",
        "Leerambassadeurs",
        "Gesprekken die via een ambassadeur begonnen, en hoe ver ze kwamen."
        " Kanaal en gemeente gelden hier niet.",
        [(f"{names[key][0]} ({names[key][1]})", stages.get("started", 0)) for key, stages in ordered],
        ["Ambassadeur", "Plek", *(STAGES[stage] for stage in REFERRAL_STAGES)],
        [],
    )
    section["rows"] = [
        [*names[key], *(shown(stages.get(stage, 0)) for stage in REFERRAL_STAGES)] for key, stages in ordered
    ]
    return section


# Each section's id (as its function names it in the report) and the function making it.
SECTIONS = {
    "questions": questions,
    "months": months,
    "unmet": unmet_demand,
    "handoffs": handoffs,
    "waiting": waiting,
    "outcomes": outcomes,
    "channels": channel_mix,
    "referrals": referrals,
}


def report(session: Session, filters: Filters) -> Dict[str, Any]:
    """Every section of the insight page for these filters, plus the months there are figures for."""
    first, last = session.execute(select(func.min(InsightCount.month), func.max(InsightCount.month))).one()
    return {
        "filters": filters.as_args(),
        "min_shown": MIN_SHOWN,
        "months": {"first": first, "last": last},
        "sections": [section(session, filters) for section in SECTIONS.values()],
    }


def filter_options() -> Dict[str, Any]:
    """What the filter form offers: the region's municipalities and the channels."""
    return {
        "municipalities": [*sorted(region.MUNICIPALITIES), "elsewhere"],
        "channels": CHANNELS,
    }
