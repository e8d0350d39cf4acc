"""Import OOAPI v5 offerings documents (paginated, one file or a folder of pages).

Accepts the responses of `GET /organizations/{id}/offerings` and `GET /courses/{id}/offerings`
(`{pageSize, pageNumber, hasPreviousPage, hasNextPage, totalPages, items}`). An offering's
`course` and `organization` are ids or expanded objects; ids are joined with the courses and
organizations documents found in the same folder. Each offering is one report item.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from offer_catalogue.models import OFFER_KINDS

DEFAULT_SOURCE = "ooapi"
MAX_FILE_BYTES = 50 * 1024 * 1024

# OOAPI v5 enumerations used for validation.
MODES_OF_DELIVERY = ("distance-learning", "on campus", "online", "hybrid", "situated")
LEVELS = (
    "secondary vocational education",
    "secondary vocational education 1",
    "secondary vocational education 2",
    "secondary vocational education 3",
    "secondary vocational education 4",
    "associate degree",
    "bachelor",
    "master",
    "doctoral",
    "undefined",
    "undivided",
    "nt2-1",
    "nt2-2",
)
OFFERING_TYPES = ("program", "course", "component")
ORGANIZATION_TYPES = ("root", "institute", "department", "faculty", "branch", "academy", "school")
ADDRESS_TYPES = ("postal", "visit", "deliveries", "billing", "teaching")
# `costType` is an *extensible* enumeration in v5 (x-ooapi-extensible-enum): feeds may add
# their own values ("tuition fees"), but not ones that overlap a defined value, so a
# misspelt defined value is rejected instead of being read as a different kind of cost.
COST_TOTAL = "total costs"
COST_STAP = "STAP eligible"
COST_TYPES = (COST_STAP, COST_TOTAL)
_COST_TYPE_VARIANTS = {
    "totalcosts": COST_TOTAL,
    "totalcost": COST_TOTAL,
    "total": COST_TOTAL,
    "stapeligible": COST_STAP,
}
MAX_COST_TYPE = 100
# Language preference for language-typed strings.
_DUTCH = ("nl-NL", "nl", "nl-BE")
_ENGLISH = ("en-GB", "en-US", "en")
_PAGINATION_KEYS = {"pageSize", "pageNumber", "items"}


@dataclass
class _Collected:
    """Everything read from the input files, before validation."""

    offerings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)


def language_string(
    value: Any, name: str, max_length: int, prefer: tuple[str, ...] = _DUTCH, required: bool = False
) -> str | None:
    """Pick a value from `[{language, value}]`, preferring Dutch then English; plain text too."""
    if value is None:
        if required:
            raise ItemError(f"missing required field '{name}'")
        return None
    if isinstance(value, str):
        return check_text(value, name, max_length, required)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ItemError(f"field '{name}' must be a list of {{language, value}} objects")
    by_language: dict[str, str] = {}
    for item in value:
        language = item.get("language")
        text = item.get("value")
        if not isinstance(language, str) or not isinstance(text, str):
            raise ItemError(f"field '{name}' has an entry without text 'language' and 'value'")
        by_language.setdefault(language, text)
    if required and not by_language:
        raise ItemError(f"field '{name}' needs at least one language entry")
    for language in (*prefer, *_DUTCH, *_ENGLISH):
        if language in by_language:
            return check_text(by_language[language], name, max_length, required)
    for language, text in sorted(by_language.items()):
        if language.lower().startswith(prefer[0][:2]):
            return check_text(text, name, max_length, required)
    if by_language:
        return check_text(next(iter(by_language.values())), name, max_length, required)
    return None


def _english_only(value: Any, name: str, max_length: int) -> str | None:
    """Return the English entry of a language-typed string, or None if there is none."""
    if not isinstance(value, list):
        return None
    for item in value:
        if isinstance(item, dict) and str(item.get("language", "")).lower().startswith("en"):
            return check_text(item.get("value"), name, max_length)
    return None


def all_texts(value: Any, limit: int = 50) -> list[str]:
    """Every text in a plain or language-typed string, or nested lists of them (lenient).

    Used for evidence only (learning outcomes, schedule hints), so odd shapes are skipped
    instead of rejecting the item.
    """
    found: list[str] = []

    def walk(item: Any, depth: int) -> None:
        if len(found) >= limit or depth > 3:
            return
        if isinstance(item, str) and item.strip():
            found.append(item.strip()[:MAX_DESCRIPTION])
        elif isinstance(item, dict):
            walk(item.get("value"), depth + 1)
        elif isinstance(item, list):
            for child in item:
                walk(child, depth + 1)

    walk(value, 0)
    return found


def _fields_of_study(value: Any) -> list[str]:
    """ISCED-F codes of `fieldsOfStudy` (v5: one string; some feeds send a list)."""
    values = value if isinstance(value, list) else [value]
    return [str(item).strip()[:40] for item in values if isinstance(item, (str, int)) and str(item).strip()]


def _identifier(value: Any, name: str) -> str:
    """Return an id string or raise ItemError."""
    if not isinstance(value, str) or not value.strip():
        raise ItemError(f"missing or invalid '{name}' (must be a non-empty string)")
    return check_text(value, name, MAX_ID, required=True) or ""


def mode_from_delivery(value: Any, has_address: bool) -> str:
    """Map OOAPI modeOfDelivery (an array) to online / on_site / hybrid."""
    if value is None:
        if has_address:
            return "on_site"
        raise ItemError("missing 'modeOfDelivery' and no address: cannot tell online or on site")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ItemError("field 'modeOfDelivery' must be a non-empty array")
    for mode in value:
        check_choice(mode, "modeOfDelivery", MODES_OF_DELIVERY)
    modes = set(value)
    remote = bool(modes & {"online", "distance-learning"})
    local = bool(modes & {"on campus", "situated"})
    if "hybrid" in modes or (remote and local):
        return "hybrid"
    return "online" if remote else "on_site"


def check_cost_type(value: Any) -> str:
    """Return a v5 costType: a defined value or an extension that does not overlap one."""
    if not isinstance(value, str) or not value.strip():
        raise ItemError("priceInformation entry without 'costType'")
    cost_type = check_text(value, "priceInformation.costType", MAX_COST_TYPE, required=True) or ""
    if cost_type in COST_TYPES:
        return cost_type
    defined = _COST_TYPE_VARIANTS.get("".join(char for char in cost_type.lower() if char.isalnum()))
    if defined is not None:
        raise ItemError(
            f"priceInformation costType {cost_type[:40]!r} is not a v5 value: write {defined!r} "
            f"(defined values: {', '.join(COST_TYPES)}; own values must not overlap them)"
        )
    return cost_type


def price_from_information(value: Any) -> Any | None:
    """Return the EUR price from priceInformation: total costs, else the sum of the other costs."""
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ItemError("field 'priceInformation' must be a list of cost objects")
    amounts = []
    for item in value:
        cost_type = check_cost_type(item.get("costType"))
        currency = item.get("currency", "EUR")
        if currency != "EUR":
            raise ItemError(f"priceInformation currency {str(currency)[:10]!r} is not supported (EUR only)")
        amount = item.get("amount")
        if amount is None:
            # v5 requires only costType; a cost without an amount leaves the price unknown.
            continue
        if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
            raise ItemError("priceInformation 'amount' must be a number")
        amounts.append((cost_type, check_price(amount, "priceInformation.amount")))
    for cost_type, amount in amounts:
        if cost_type == COST_TOTAL:
            return amount
    # STAP-eligible costs are the part of the costs a subsidy covers, not a cost on top.
    parts = [amount for cost_type, amount in amounts if cost_type != COST_STAP and amount is not None]
    return sum(parts) if parts else None


def location_from_addresses(value: Any) -> LocationRecord | None:
    """Return the teaching/visit address (else the first) as a LocationRecord."""
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ItemError("field 'addresses' must be a list of address objects")
    ranked = sorted(
        value,
        key=lambda item: {"teaching": 0, "visit": 1}.get(
            item.get("addressType") or item.get("AddressType"), 2
        ),
    )
    address = ranked[0]
    address_type = address.get("addressType", address.get("AddressType"))
    if address_type is not None:
        check_choice(address_type, "addressType", ADDRESS_TYPES)
    geolocation = address.get("geolocation") or {}
    if not isinstance(geolocation, dict):
        raise ItemError("field 'geolocation' must be an object")
    latitude = check_float(geolocation.get("latitude"), "geolocation.latitude", -90, 90)
    longitude = check_float(geolocation.get("longitude"), "geolocation.longitude", -180, 180)
    city = check_text(address.get("city"), "city", 100)
    municipality = region.canonical_municipality(city) if city else None
    if municipality is None and latitude is not None and longitude is not None:
        municipality = nearest_municipality(latitude, longitude)
    return LocationRecord(
        # v5 `additional` is a language-typed string array; older feeds send plain text.
        name=language_string(address.get("additional"), "additional", 300),
        street=check_text(address.get("street"), "street", 200),
        street_number=check_text(address.get("streetNumber"), "streetNumber", 20),
        postal_code=check_text(address.get("postalCode"), "postalCode", 10),
        city=city,
        municipality=municipality,
        latitude=latitude,
        longitude=longitude,
    )


def nearest_municipality(latitude: float, longitude: float, max_km: float = 6.0) -> str | None:
    """Return the municipality whose centre is nearest, if within `max_km`."""
    best = min(
        (region.haversine_km(latitude, longitude, *region.centre(name)), name)
        for name in region.MUNICIPALITIES
    )
    return best[1] if best[0] <= max_km else None


def _leerwijzer_ext(value: Any) -> dict[str, Any]:
    """Return our own extension block `ext.leerwijzer` (kind, themes, target groups...)."""
    if isinstance(value, dict) and isinstance(value.get("leerwijzer"), dict):
        return value["leerwijzer"]
    return {}


def _string_list(value: Any, name: str) -> list[str]:
    """Return a list of short strings or raise ItemError."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ItemError(f"field '{name}' must be a list of strings")
    return [item[:60] for item in value]


def organization_record(raw: Any) -> ProviderRecord:
    """Validate an OOAPI Organization and return a ProviderRecord."""
    if not isinstance(raw, dict):
        raise ItemError("organization must be an object")
    organization_id = _identifier(raw.get("organizationId"), "organizationId")
    name = language_string(raw.get("name"), "name", MAX_TITLE, required=True) or ""
    short_name = language_string(raw.get("shortName"), "shortName", 100)
    organization_type = raw.get("organizationType", raw.get("type"))
    if organization_type is None:
        raise ItemError(f"organization {organization_id!r}: missing required field 'organizationType'")
    check_choice(organization_type, "organizationType", ORGANIZATION_TYPES)
    location = location_from_addresses(raw.get("addresses"))
    return ProviderRecord(
        source_id=organization_id,
        name=name,
        short_name=short_name,
        organization_type=organization_type,
        description=language_string(raw.get("description"), "description", MAX_DESCRIPTION),
        url=check_text(raw.get("link"), "link", MAX_URL),
        municipality=location.municipality if location else None,
        ext=raw.get("ext") if isinstance(raw.get("ext"), dict) else None,
    )


# OOAPI has no kind for walk-in hours, events or tests; a feed without our `ext.leerwijzer.kind`
# names it in the title ("Inloopspreekuur mantelzorg", "Taalcafé", "Los VCA-examen"). Without a
# kind, a walk-in hour that runs all year counted as a course that had already started.
KIND_WORDS = (
    ("walk_in_advice", re.compile(
        r"\b(?:\w*spreekuur|inloop\w*|\w*caf[eé]|hulpplein|informatiepunt|walk-in|drop-in|advice hours)\b"
    )),
    ("test_or_tool", re.compile(r"\b(?:\w*examen|\w*test|\w*toets|\w*scan|exam|assessment)\b")),
    ("event", re.compile(
        r"\b(?:informatieavond|informatiebijeenkomst|open dag|open werkplaats|proefles"
        r"|(?:vrijwilligers|banen|informatie|opleidings)?markt|open day|information evening"
        r"|taster session|webinar)\b"
    )),
)


# "Heftruckcertificaat (training en examen)", "Staatsexamen NT2: voorbereiding" are courses.
COURSE_WORDS = re.compile(
    r"\b(?:cursus|training|voorbereiding|opleiding|programma|e-learning|intensief|course|programme"
    r"|preparation)\b"
)


def kind_from_name(name: Any) -> str:
    """The offer kind a title names (see KIND_WORDS), else "course"."""
    values = name if isinstance(name, list) else [{"value": name}]
    text = " ".join(str(item.get("value", "")) for item in values if isinstance(item, dict)).lower()
    if COURSE_WORDS.search(text):
        return "course"
    for kind, pattern in KIND_WORDS:
        if pattern.search(text):
            return kind
    return "course"


def course_fields(raw: Any) -> dict[str, Any]:
    """Validate an OOAPI Course and return the offer fields it provides."""
    if not isinstance(raw, dict):
        raise ItemError("course must be an object")
    course_id = _identifier(raw.get("courseId"), "courseId")
    for required in ("name", "abbreviation", "description", "teachingLanguage", "level", "primaryCode"):
        if raw.get(required) in (None, "", []):
            raise ItemError(f"course {course_id!r}: missing required field '{required}'")
    check_choice(raw["level"], "level", LEVELS)
    ext = _leerwijzer_ext(raw.get("ext"))
    kind = ext.get("kind") or kind_from_name(raw["name"])
    check_choice(kind, "ext.leerwijzer.kind", OFFER_KINDS)
    study_load = raw.get("studyLoad")
    hours = None
    if isinstance(study_load, dict) and study_load.get("studyLoadUnit") == "hour":
        hours = check_float(study_load.get("value"), "studyLoad.value", 0, 100000)
    return {
        "source_id": course_id,
        "kind": kind,
        "title_nl": language_string(raw["name"], "name", MAX_TITLE, required=True),
        "title_en": _english_only(raw["name"], "name", MAX_TITLE),
        "description_nl": language_string(raw["description"], "description", MAX_DESCRIPTION),
        "description_en": _english_only(raw["description"], "description", MAX_DESCRIPTION),
        "url": check_text(raw.get("link"), "link", MAX_URL),
        "level": raw["level"],
        "study_load_hours": hours,
        "themes": _string_list(ext.get("themes"), "ext.leerwijzer.themes"),
        "target_groups": _string_list(ext.get("targetGroups"), "ext.leerwijzer.targetGroups"),
        "skills": _string_list(ext.get("skills"), "ext.leerwijzer.skills"),
        "keywords": check_text(ext.get("keywords"), "ext.leerwijzer.keywords", 2000),
        "learning_outcomes": all_texts(raw.get("learningOutcomes")),
        "fields_of_study": _fields_of_study(raw.get("fieldsOfStudy")),
        "valid_from": check_date(ext.get("validFrom"), "ext.leerwijzer.validFrom"),
        "valid_until": check_date(ext.get("validUntil"), "ext.leerwijzer.validUntil"),
        "fictional": bool(ext.get("fictional", False)),
        "organization": raw.get("organization"),
        "ext": raw.get("ext") if isinstance(raw.get("ext"), dict) else None,
        "checked_on": check_date(ext.get("checkedOn"), "ext.leerwijzer.checkedOn"),
    }


def offering_record(raw: dict[str, Any]) -> OfferingRecord:
    """Validate an OOAPI CourseOffering and return an OfferingRecord."""
    offering_id = _identifier(raw.get("offeringId"), "offeringId")
    for required in (
        "primaryCode",
        "offeringType",
        "name",
        "description",
        "teachingLanguage",
        "resultExpected",
        "startDate",
        "endDate",
    ):
        if required not in raw or raw[required] in (None, "", []):
            raise ItemError(f"missing required field '{required}'")
    check_choice(raw["offeringType"], "offeringType", OFFERING_TYPES)
    if not isinstance(raw["resultExpected"], bool):
        raise ItemError("field 'resultExpected' must be true or false")
    if not isinstance(raw["primaryCode"], dict) or not {"codeType", "code"} <= set(raw["primaryCode"]):
        raise ItemError("field 'primaryCode' must be an object with codeType and code")
    language_string(raw["name"], "name", MAX_TITLE, required=True)
    language_string(raw["description"], "description", MAX_DESCRIPTION)
    language = check_text(raw["teachingLanguage"], "teachingLanguage", 10, required=True) or ""
    location = location_from_addresses(raw.get("addresses"))
    ext = _leerwijzer_ext(raw.get("ext"))
    return OfferingRecord(
        source_id=offering_id,
        mode=mode_from_delivery(raw.get("modeOfDelivery"), location is not None),
        start_date=check_date(raw["startDate"], "startDate"),
        end_date=check_date(raw["endDate"], "endDate"),
        enroll_start_date=check_date(raw.get("enrollStartDate"), "enrollStartDate"),
        # A course with flexible entry ("je kunt altijd instromen") can be joined until the end
        # of its entry period (OOAPI v5 flexibleEntryPeriodEnd), though it started long ago.
        enroll_end_date=check_date(raw.get("enrollEndDate"), "enrollEndDate")
        or check_date(raw.get("flexibleEntryPeriodEnd"), "flexibleEntryPeriodEnd"),
        price_eur=price_from_information(raw.get("priceInformation")),
        seats=check_int(raw.get("maxNumberStudents"), "maxNumberStudents"),
        teaching_language=language[:10],
        level=None,
        location=location,
        schedule_text=check_text(ext.get("schedule"), "ext.leerwijzer.schedule", 300),
        # The offering's own name and description may say when it runs; the course's follow.
        schedule_texts=[*all_texts(raw["name"]), *all_texts(raw["description"])],
        start_datetime=raw.get("startDateTime") if isinstance(raw.get("startDateTime"), str) else None,
        end_datetime=raw.get("endDateTime") if isinstance(raw.get("endDateTime"), str) else None,
        url=check_text(raw.get("link"), "link", MAX_URL),
        checked_on=check_date(ext.get("checkedOn"), "ext.leerwijzer.checkedOn"),
        ext=raw.get("ext") if isinstance(raw.get("ext"), dict) else None,
    )


def _read_json(path: Path, report: ImportReport) -> Any:
    """Read one JSON file strictly as UTF-8; report and return None when unreadable."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            report.reject(f"file {path.name}", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            return None
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        report.reject(f"file {path.name}", f"not valid UTF-8 (byte {error.start}); save the file as UTF-8")
    except json.JSONDecodeError as error:
        report.reject(
            f"file {path.name}", f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        )
    except RecursionError:
        report.reject(f"file {path.name}", "JSON is nested too deeply")
    return None


def _collect(document: Any, name: str, collected: _Collected, report: ImportReport) -> None:
    """Sort the items of one document into offerings, courses and organizations."""
    if isinstance(document, dict) and set(document) >= _PAGINATION_KEYS:
        items = document["items"]
        if not isinstance(items, list):
            report.reject(f"file {name}", "'items' must be a list")
            return
    elif isinstance(document, dict):
        items = [document]
    elif isinstance(document, list):
        items = document
    else:
        report.reject(f"file {name}", "expected a paginated OOAPI document with 'items'")
        return
    for number, item in enumerate(items, start=1):
        label = f"{name} item {number}"
        if not isinstance(item, dict):
            report.reject(label, f"item must be an object, got {type(item).__name__}")
        elif "offeringId" in item:
            collected.offerings.append((label, item))
        elif "courseId" in item:
            collected.courses.setdefault(str(item["courseId"]), item)
        elif "organizationId" in item:
            collected.organizations.setdefault(str(item["organizationId"]), item)
        else:
            report.reject(
                label, "not an offering, course or organization (no offeringId/courseId/organizationId)"
            )


def import_ooapi(session_factory: sessionmaker, path: Path, source: str | None = None) -> ImportReport:
    """Import an OOAPI v5 offerings file or folder; re-import updates in place by ids."""
    started = time.perf_counter()
    source = source or DEFAULT_SOURCE
    report = ImportReport(source=source)
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    collected = _Collected()
    for file in files:
        document = _read_json(file, report)
        if document is not None:
            _collect(document, file.name, collected, report)

    providers: dict[str, ProviderRecord] = {}
    offers: dict[str, OfferRecord] = {}
    bad_organizations: dict[str, str] = {}
    seen_offerings: set[str] = set()

    def provider_for(reference: Any) -> str:
        """Validate/collect the organization an offering or course points to; return its id."""
        raw = reference
        if isinstance(reference, str):
            raw = collected.organizations.get(reference)
            if raw is None:
                raise ItemError(
                    f"organization {reference[:80]!r} not found (no organizations document with it)"
                )
        if not isinstance(raw, dict):
            raise ItemError("field 'organization' must be an id or an organization object")
        key = str(raw.get("organizationId"))
        if key in bad_organizations:
            raise ItemError(bad_organizations[key])
        if key not in providers:
            try:
                providers[key] = organization_record(raw)
            except ItemError as error:
                bad_organizations[key] = f"invalid organization: {error}"
                raise ItemError(bad_organizations[key]) from error
        return providers[key].source_id

    for label, raw in collected.offerings:
        item_label = f"offering {str(raw.get('offeringId'))[:80]} ({label})"
        try:
            offering = offering_record(raw)
            if offering.source_id in seen_offerings:
                raise ItemError(f"duplicate offeringId {offering.source_id!r}")
            course_ref = raw.get("course")
            course_raw = collected.courses.get(course_ref) if isinstance(course_ref, str) else course_ref
            if course_raw is None:
                raise ItemError(
                    "missing 'course'" if course_ref is None else f"course {str(course_ref)[:80]!r} not found"
                )
            fields = course_fields(course_raw)
            organization_ref = raw.get("organization") or fields.pop("organization")
            fields.pop("organization", None)
            if organization_ref is None:
                raise ItemError("missing 'organization' (on the offering or its course)")
            provider_id = provider_for(organization_ref)
            if offering.mode != "online" and offering.location is None:
                raise ItemError("on-site offering without an address")
            offer = offers.get(fields["source_id"])
            if offer is None:
                offer = OfferRecord(
                    provider_source_id=provider_id, item_label=f"course {fields['source_id']}", **fields
                )
                offers[offer.source_id] = offer
            offering.level = fields["level"]
            course_texts = ("title_nl", "title_en", "description_nl", "description_en")
            offering.schedule_texts.extend(fields[name] for name in course_texts if fields[name])
            offering.checked_on = offering.checked_on or fields["checked_on"] or offer.checked_on
            if offer.checked_on is None:
                offer.checked_on = offering.checked_on
            offer.offerings.append(offering)
            seen_offerings.add(offering.source_id)
        except ItemError as error:
            report.reject(item_label, str(error))

    write_records(session_factory, source, providers.values(), offers.values(), report)
    report.seconds = time.perf_counter() - started
    return report
