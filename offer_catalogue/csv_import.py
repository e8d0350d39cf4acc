"""Import offers from a CSV file (one row per offering; header documented in docs/catalogue.md).

The delimiter (comma or semicolon) is detected from the header. Files must be UTF-8;
a row with bytes that are not UTF-8 is rejected on its own, the other rows still import.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from offer_catalogue import region
from offer_catalogue.importing import (
    MAX_DESCRIPTION,
    MAX_ID,
    MAX_TITLE,
    MAX_URL,
    ImportReport,
    ItemError,
    LocationRecord,
    OfferingRecord,
    OfferRecord,
    ProviderRecord,
    check_choice,
    check_date,
    check_float,
    check_int,
    check_price,
    check_text,
    write_records,
)
from offer_catalogue.models import DELIVERY_MODES, OFFER_KINDS

DEFAULT_SOURCE = "csv"
REQUIRED_COLUMNS = (
    "offering_id",
    "offer_id",
    "provider_id",
    "provider_name",
    "kind",
    "title_nl",
    "mode",
    "checked_on",
)
OPTIONAL_COLUMNS = (
    "title_en",
    "description_nl",
    "url",
    "level",
    "themes",
    "target_groups",
    "skills",
    "keywords",
    "start_date",
    "end_date",
    "enroll_start_date",
    "enroll_end_date",
    "price_eur",
    "seats",
    "teaching_language",
    "location_name",
    "street",
    "street_number",
    "postal_code",
    "city",
    "municipality",
    "latitude",
    "longitude",
    "schedule",
    "valid_from",
    "valid_until",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_FIELD = 100_000
EXAMPLE_FILE = Path(__file__).resolve().parent / "data" / "example_offers.csv"


def _split_list(value: str | None) -> list[str]:
    """Split a "a; b; c" list cell."""
    if not value:
        return []
    return [part.strip() for part in value.replace("|", ";").split(";") if part.strip()]


def _row_location(row: dict[str, str]) -> LocationRecord | None:
    """Build the location of a row, or None when it has no address fields."""
    city = check_text(row.get("city"), "city", 100)
    municipality_text = check_text(row.get("municipality"), "municipality", 60)
    if not city and not municipality_text:
        return None
    municipality = region.canonical_municipality(municipality_text or city or "")
    if municipality_text and municipality is None:
        raise ItemError(f"unknown municipality {municipality_text!r} (not in the Metropoolregio Eindhoven)")
    return LocationRecord(
        name=check_text(row.get("location_name"), "location_name", 300),
        street=check_text(row.get("street"), "street", 200),
        street_number=check_text(row.get("street_number"), "street_number", 20),
        postal_code=check_text(row.get("postal_code"), "postal_code", 10),
        city=city or municipality,
        municipality=municipality,
        latitude=check_float(row.get("latitude"), "latitude", -90, 90),
        longitude=check_float(row.get("longitude"), "longitude", -180, 180),
    )


def _decode_rows(data: bytes, report: ImportReport) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Parse the CSV bytes into (header, [(line number, row)]); bad bytes become U+FFFD."""
    text = data.decode("utf-8-sig", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    csv.field_size_limit(MAX_FIELD * 2)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        return [], []
    rows = []
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.reject(f"line {reader.line_num}", f"broken CSV: {error}")
            continue
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            report.reject(f"line {line}", f"has {len(values)} fields, header has {len(header)}")
            continue
        rows.append((line, dict(zip(header, values, strict=True))))
    return header, rows


def import_csv(session_factory: sessionmaker, path: Path, source: str | None = None) -> ImportReport:
    """Import a CSV file; each row is one offering, rows with the same offer_id form one offer."""
    started = time.perf_counter()
    source = source or DEFAULT_SOURCE
    report = ImportReport(source=source)
    data = Path(path).read_bytes()
    header, rows = _decode_rows(data, report)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        report.reject(f"file {Path(path).name}", f"missing required columns: {', '.join(missing)}")
        report.seconds = time.perf_counter() - started
        return report
    providers: dict[str, ProviderRecord] = {}
    offers: dict[str, OfferRecord] = {}
    seen_offerings: set[str] = set()
    for line, row in rows:
        label = f"line {line} (offering {row.get('offering_id', '')[:60]})"
        try:
            if any("\ufffd" in value for value in row.values()):
                raise ItemError("contains bytes that are not UTF-8; save the file as UTF-8")
            offering_id = check_text(row["offering_id"], "offering_id", MAX_ID, required=True) or ""
            if offering_id in seen_offerings:
                raise ItemError(f"duplicate offering_id {offering_id!r}")
            offer_id = check_text(row["offer_id"], "offer_id", MAX_ID, required=True) or ""
            provider_id = check_text(row["provider_id"], "provider_id", MAX_ID, required=True) or ""
            provider_name = check_text(row["provider_name"], "provider_name", MAX_TITLE, required=True) or ""
            kind = check_choice(row["kind"].strip(), "kind", OFFER_KINDS)
            mode = check_choice(row["mode"].strip(), "mode", DELIVERY_MODES)
            title_nl = check_text(row["title_nl"], "title_nl", MAX_TITLE, required=True) or ""
            checked_on = check_date(row["checked_on"], "checked_on")
            if checked_on is None:
                raise ItemError("missing required field 'checked_on'")
            location = _row_location(row)
            if mode != "online" and location is None:
                raise ItemError("on-site or hybrid offering needs a city or municipality")
            offering = OfferingRecord(
                source_id=offering_id,
                mode=mode,
                start_date=check_date(row.get("start_date"), "start_date"),
                end_date=check_date(row.get("end_date"), "end_date"),
                enroll_start_date=check_date(row.get("enroll_start_date"), "enroll_start_date"),
                enroll_end_date=check_date(row.get("enroll_end_date"), "enroll_end_date"),
                price_eur=check_price(row.get("price_eur")),
                seats=check_int(row.get("seats"), "seats"),
                teaching_language=check_text(row.get("teaching_language"), "teaching_language", 10),
                level=check_text(row.get("level"), "level", 60),
                location=location,
                schedule_text=check_text(row.get("schedule"), "schedule", 300),
                checked_on=checked_on,
            )
            offer = offers.get(offer_id)
            if offer is None:
                offer = OfferRecord(
                    source_id=offer_id,
                    provider_source_id=provider_id,
                    kind=kind,
                    title_nl=title_nl,
                    title_en=check_text(row.get("title_en"), "title_en", MAX_TITLE),
                    description_nl=check_text(row.get("description_nl"), "description_nl", MAX_DESCRIPTION),
                    url=check_text(row.get("url"), "url", MAX_URL),
                    level=check_text(row.get("level"), "level", 60),
                    keywords=check_text(row.get("keywords"), "keywords", 2000),
                    themes=_split_list(row.get("themes")),
                    target_groups=_split_list(row.get("target_groups")),
                    skills=_split_list(row.get("skills")),
                    valid_from=check_date(row.get("valid_from"), "valid_from"),
                    valid_until=check_date(row.get("valid_until"), "valid_until"),
                    checked_on=checked_on,
                    item_label=f"offer {offer_id}",
                )
            elif offer.provider_source_id != provider_id:
                raise ItemError(
                    f"offer {offer_id!r} already belongs to provider {offer.provider_source_id!r}"
                )
            if provider_id not in providers:
                providers[provider_id] = ProviderRecord(
                    source_id=provider_id, name=provider_name, checked_on=checked_on
                )
            offer.offerings.append(offering)
            offers[offer_id] = offer
            seen_offerings.add(offering_id)
        except ItemError as error:
            report.reject(label, str(error))
    write_records(session_factory, source, providers.values(), offers.values(), report)
    report.seconds = time.perf_counter() - started
    return report
