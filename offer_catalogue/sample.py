"""Load the fictional sample catalogue (data/sample_catalogue.json) into the database."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from offer_catalogue.importing import (
    ImportReport,
    ItemError,
    LocationRecord,
    OfferingRecord,
    OfferRecord,
    ProviderRecord,
    check_date,
    check_float,
    check_int,
    check_price,
    check_text,
    write_records,
)
from offer_catalogue.region import canonical_municipality

SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "sample_catalogue.json"
SAMPLE_SOURCE = "sample"


def _location(raw: dict[str, Any] | None) -> LocationRecord | None:
    """Convert a sample location dict."""
    if not raw:
        return None
    municipality = canonical_municipality(raw.get("municipality") or raw.get("city") or "")
    return LocationRecord(
        name=check_text(raw.get("name"), "location.name", 300),
        street=check_text(raw.get("street"), "location.street", 200),
        street_number=check_text(raw.get("street_number"), "location.street_number", 20),
        postal_code=check_text(raw.get("postal_code"), "location.postal_code", 10),
        city=check_text(raw.get("city"), "location.city", 100),
        municipality=municipality,
        latitude=check_float(raw.get("latitude"), "latitude", -90, 90),
        longitude=check_float(raw.get("longitude"), "longitude", -180, 180),
    )


def records_from_document(
    document: dict[str, Any],
) -> tuple[list[ProviderRecord], list[OfferRecord], list[tuple[str, str]]]:
    """Turn the sample JSON into records; returns (providers, offers, rejections)."""
    fictional = bool(document.get("fictional", True))
    default_checked = check_date(document.get("checked_on"), "checked_on")
    providers = [
        ProviderRecord(
            source_id=raw["id"],
            name=raw["name"],
            organization_type=raw.get("organization_type"),
            municipality=raw.get("municipality"),
            url=raw.get("url"),
            description=raw.get("description"),
            fictional=fictional,
            checked_on=default_checked,
        )
        for raw in document["providers"]
    ]
    offers: list[OfferRecord] = []
    rejected: list[tuple[str, str]] = []
    for raw in document["offers"]:
        try:
            checked_on = check_date(raw.get("checked_on"), "checked_on") or default_checked
            offerings = [
                OfferingRecord(
                    source_id=item["id"],
                    mode=item["mode"],
                    start_date=check_date(item.get("start_date"), "start_date"),
                    end_date=check_date(item.get("end_date"), "end_date"),
                    enroll_end_date=check_date(item.get("enroll_end_date"), "enroll_end_date"),
                    price_eur=check_price(item.get("price_eur")),
                    seats=check_int(item.get("seats"), "seats"),
                    teaching_language=item.get("teaching_language"),
                    location=_location(item.get("location")),
                    schedule_text=check_text(item.get("schedule"), "schedule", 300),
                    checked_on=checked_on,
                )
                for item in raw["offerings"]
            ]
            offers.append(
                OfferRecord(
                    source_id=raw["id"],
                    provider_source_id=raw["provider"],
                    kind=raw["kind"],
                    title_nl=check_text(raw.get("title_nl"), "title_nl", 300, required=True) or "",
                    title_en=check_text(raw.get("title_en"), "title_en", 300),
                    description_nl=check_text(raw.get("description_nl"), "description_nl", 20000),
                    url=raw.get("url"),
                    level=raw.get("level"),
                    keywords=raw.get("keywords"),
                    themes=list(raw.get("themes") or []),
                    skills=list(raw.get("skills") or []),
                    target_groups=list(raw.get("target_groups") or []),
                    valid_from=check_date(raw.get("valid_from"), "valid_from"),
                    valid_until=check_date(raw.get("valid_until"), "valid_until"),
                    fictional=fictional,
                    checked_on=checked_on,
                    ext={"fictional": fictional},
                    offerings=offerings,
                    item_label=f"offer {raw['id']}",
                )
            )
        except (ItemError, KeyError) as error:
            rejected.append((str(raw.get("id")), str(error)))
    return providers, offers, rejected


def load_sample_catalogue(session_factory: sessionmaker, path: Path = SAMPLE_FILE) -> ImportReport:
    """Import (or re-import in place) the fictional sample catalogue."""
    started = time.perf_counter()
    document = json.loads(path.read_text(encoding="utf-8"))
    providers, offers, rejected = records_from_document(document)
    report = ImportReport(source=SAMPLE_SOURCE)
    for item, reason in rejected:
        report.reject(item, reason)
    write_records(session_factory, SAMPLE_SOURCE, providers, offers, report)
    report.seconds = time.perf_counter() - started
    return report
