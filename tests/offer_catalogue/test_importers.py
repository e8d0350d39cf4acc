"""Importer tests: OOAPI v5 and CSV, valid, partial and malformed input, idempotent re-import."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

import offer_catalogue.importing as importing
from offer_catalogue.csv_import import EXAMPLE_FILE, import_csv
from offer_catalogue.models import Offer, Offering, Provider
from offer_catalogue.ooapi import import_ooapi
from offer_catalogue.search import SearchQuery, search_offers

TODAY = dt.date(2026, 12, 1)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _count(sessions, model) -> int:
    """Count rows of a model."""
    with sessions() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_ooapi_expanded_objects(sqlite_sessions) -> None:
    """Expanded course/organization objects import with prices, modes and places."""
    report = import_ooapi(sqlite_sessions, FIXTURES / "ooapi_expanded")
    assert (report.created, report.updated, report.rejected) == (3, 0, [])
    with sqlite_sessions() as session:
        offerings = {o.source_id: o for o in session.execute(select(Offering)).scalars()}
        digital = offerings["8a1f4c2e-0001-4d1a-9a61-000000000001"]
        english = offerings["8a1f4c2e-0001-4d1a-9a61-000000000002"]
        hybrid = offerings["8a1f4c2e-0001-4d1a-9a61-000000000003"]
        assert (digital.mode, digital.municipality, digital.price_cents) == ("on_site", "Helmond", 0)
        assert (english.mode, english.municipality, english.price_cents) == ("online", None, 20550)
        assert (hybrid.mode, hybrid.municipality, hybrid.price_cents) == ("hybrid", "Geldrop-Mierlo", None)
        course = digital.offer
        assert course.title_nl == "Computercursus digitale basisvaardigheden"
        assert course.title_en == "Computer course: basic digital skills"
        assert [group.code for group in course.target_groups] == ["senioren"]
        assert str(course.checked_on) == "2026-11-20"
        results = search_offers(
            session, SearchQuery(text="computercursus", municipality="Helmond", today=TODAY)
        )
        assert results and results[0].offering_id == digital.id


def test_ooapi_id_references_and_idempotent_reimport(sqlite_sessions) -> None:
    """Ids are joined with the courses/organizations documents; re-import updates in place."""
    first = import_ooapi(sqlite_sessions, FIXTURES / "ooapi_refs")
    assert (first.created, first.updated, first.rejected) == (3, 0, [])
    counts = (
        _count(sqlite_sessions, Offer),
        _count(sqlite_sessions, Offering),
        _count(sqlite_sessions, Provider),
    )
    assert counts == (2, 3, 1)
    second = import_ooapi(sqlite_sessions, FIXTURES / "ooapi_refs")
    assert (second.created, second.updated, second.rejected) == (0, 3, [])
    assert (
        _count(sqlite_sessions, Offer),
        _count(sqlite_sessions, Offering),
        _count(sqlite_sessions, Provider),
    ) == counts
    with sqlite_sessions() as session:
        painter = session.execute(select(Offering).where(Offering.source_id == "b7c3-0003")).scalar_one()
        assert painter.municipality == "Waalre" and painter.offer.kind == "course"


def _offering(**changes):
    """Return a valid expanded offering from the fixture, with changes applied."""
    document = json.loads((FIXTURES / "ooapi_expanded" / "offerings.json").read_text(encoding="utf-8"))
    item = document["items"][0]
    item.update(changes)
    return item


def _page(items) -> dict:
    """Wrap items in an OOAPI page."""
    return {
        "pageSize": 50,
        "pageNumber": 1,
        "hasPreviousPage": False,
        "hasNextPage": False,
        "totalPages": 1,
        "items": items,
    }


BAD_ITEMS = [
    ({"offeringId": "bad-1", "startDate": 20270101}, "startDate"),
    ({"offeringId": "bad-2", "name": None}, "name"),
    ({"offeringId": "bad-3", "modeOfDelivery": ["telepathy"]}, "modeOfDelivery"),
    ({"offeringId": "bad-4", "offeringType": "lecture"}, "offeringType"),
    ({"offeringId": "bad-5", "name": [{"language": "nl-NL", "value": "x" * 5000}]}, "too long"),
    (
        {
            "offeringId": "bad-6",
            "priceInformation": [{"costType": "total costs", "amount": "veel", "currency": "EUR"}],
        },
        "not a number",
    ),
    ({"offeringId": "bad-7", "course": "does-not-exist"}, "not found"),
    ({"offeringId": "bad-8", "resultExpected": "yes"}, "resultExpected"),
    ({"offeringId": "bad-9", "endDate": "2027-01-01", "startDate": "2027-05-01"}, "before"),
    ({"offeringId": 12345}, "offeringId"),
]


def test_ooapi_rejects_bad_items_but_keeps_the_rest(sqlite_sessions, tmp_path) -> None:
    """Each malformed offering is rejected with a reason; valid ones still import."""
    items = [_offering(offeringId="good-1")]
    for changes, _reason in BAD_ITEMS:
        items.append(_offering(**changes))
    items.append(_offering(offeringId="good-1"))  # duplicate id
    items.append("not an object")
    items.append(
        _offering(offeringId="bad-course", course={**_offering()["course"], "level": "kindergarten"})
    )
    (tmp_path / "offerings.json").write_text(json.dumps(_page(items)), encoding="utf-8")
    report = import_ooapi(sqlite_sessions, tmp_path)
    assert report.created == 1
    reasons = {
        rejection.item.split(" ")[1]: rejection.reason
        for rejection in report.rejected
        if rejection.item.startswith("offering")
    }
    for changes, expected in BAD_ITEMS:
        key = str(changes["offeringId"])
        assert key in reasons, (key, report.rejected)
        assert expected in reasons[key], (key, reasons[key])
    assert "duplicate" in reasons["good-1"]
    assert "level" in reasons["bad-course"]
    assert any("must be an object" in rejection.reason for rejection in report.rejected)
    assert _count(sqlite_sessions, Offering) == 1


def test_ooapi_bad_files_do_not_stop_good_files(sqlite_sessions, tmp_path) -> None:
    """Invalid JSON and non-UTF-8 files are reported; the good file in the folder imports."""
    shutil.copy(FIXTURES / "ooapi_expanded" / "offerings.json", tmp_path / "a_good.json")
    (tmp_path / "b_broken.json").write_text('{"items": [', encoding="utf-8")
    (tmp_path / "c_latin1.json").write_bytes(
        json.dumps(_page([_offering(offeringId="latin")]))
        .replace("Digitale", "Digitale caf\u00e9")
        .encode("utf-8")
        .replace(b"\xc3\xa9", b"\xe9")
    )
    (tmp_path / "d_not_ooapi.json").write_text('"just a string"', encoding="utf-8")
    report = import_ooapi(sqlite_sessions, tmp_path)
    assert report.created == 3
    reasons = {rejection.item: rejection.reason for rejection in report.rejected}
    assert "invalid JSON" in reasons["file b_broken.json"]
    assert "UTF-8" in reasons["file c_latin1.json"]
    assert "file d_not_ooapi.json" in reasons


def test_crash_leaves_no_half_written_import(sqlite_sessions, monkeypatch) -> None:
    """An unexpected error rolls back the whole import."""
    calls = {"n": 0}
    original = importing.index_offer

    def crash_on_second(session, offer) -> None:
        """Index the first offer, then crash like a bug or power cut would."""
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash")
        original(session, offer)

    monkeypatch.setattr(importing, "index_offer", crash_on_second)
    with pytest.raises(RuntimeError):
        import_ooapi(sqlite_sessions, FIXTURES / "ooapi_expanded")
    assert _count(sqlite_sessions, Offer) == 0 and _count(sqlite_sessions, Provider) == 0


def test_csv_example_imports_and_reimports(sqlite_sessions) -> None:
    """The shipped example CSV imports; importing it again only updates."""
    first = import_csv(sqlite_sessions, EXAMPLE_FILE)
    assert (first.created, first.updated, first.rejected) == (3, 0, [])
    second = import_csv(sqlite_sessions, EXAMPLE_FILE)
    assert (second.created, second.updated, second.rejected) == (0, 3, [])
    with sqlite_sessions() as session:
        buddy = session.execute(select(Offering).where(Offering.source_id == "vb-taalmaatje")).scalar_one()
        assert buddy.municipality == "Geldrop-Mierlo" and buddy.price_cents == 0
        excel = session.execute(select(Offering).where(Offering.source_id == "vb-excel-2027-03")).scalar_one()
        assert excel.price_cents == 14950


def test_csv_malformed_rows(sqlite_sessions, tmp_path) -> None:
    """Bad rows are rejected one by one (types, missing, encoding, duplicates, huge text)."""
    header = EXAMPLE_FILE.read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")

    def row(**values) -> str:
        """Build a CSV line from column values."""
        base = {
            "offering_id": "r1",
            "offer_id": "o1",
            "provider_id": "p1",
            "provider_name": "P",
            "kind": "course",
            "title_nl": "Cursus",
            "mode": "online",
            "checked_on": "2026-11-20",
        }
        base.update(values)
        return ",".join(f'"{base.get(column, "")}"' for column in columns)

    lines = [
        header,
        row(),
        row(offering_id="r2", price_eur="gratis"),
        row(offering_id="r3", start_date="31-12-2026"),
        row(offering_id="r4", kind="podcast"),
        row(offering_id="r5", title_nl=""),
        row(offering_id="r6", title_nl="x" * 400),
        row(offering_id="r7", mode="on_site"),
        row(offering_id="r8", mode="on_site", municipality="Amsterdam"),
        row(offering_id="r1"),
        row(offering_id="r9", seats="-3"),
        "only,three,fields",
    ]
    data = (
        ("\n".join(lines) + "\n").encode("utf-8")
        + row(offering_id="r10", title_nl="Caf\u00e9").encode("latin-1")
        + b"\n"
    )
    (tmp_path / "bad.csv").write_bytes(data)
    report = import_csv(sqlite_sessions, tmp_path / "bad.csv")
    assert report.created == 1
    reasons = " | ".join(f"{r.item}: {r.reason}" for r in report.rejected)
    for expected in [
        "not a number",
        "not a valid date",
        "must be one of",
        "missing required field 'title_nl'",
        "too long",
        "needs a city",
        "unknown municipality",
        "duplicate offering_id",
        "out of range",
        "has 3 fields",
        "not UTF-8",
    ]:
        assert expected in reasons, expected
    assert len(report.rejected) == 11


def test_csv_missing_columns(sqlite_sessions, tmp_path) -> None:
    """A file without the required header is rejected as a whole with the missing names."""
    (tmp_path / "x.csv").write_text("naam;plaats\nCursus;Helmond\n", encoding="utf-8")
    report = import_csv(sqlite_sessions, tmp_path / "x.csv")
    assert report.created == 0 and "offering_id" in report.rejected[0].reason


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Inloopspreekuur mantelzorg", "walk_in_advice"),
        ("Taalcafé: Nederlands oefenen", "walk_in_advice"),
        ("Digi-inloop elke donderdagmiddag", "walk_in_advice"),
        ("Los VCA-examen – 27 januari", "test_or_tool"),
        ("Heftruckcertificaat (training en examen)", "course"),
        ("Informatieavond: ervaring laten erkennen", "event"),
        ("Excel voor beginners", "course"),
        ("Werken in Nederland: de arbeidsmarkt", "course"),
    ],
)
def test_a_feed_without_our_kind_gets_the_kind_its_title_names(title, kind):
    from offer_catalogue.ooapi import kind_from_name

    assert kind_from_name([{"language": "nl-NL", "value": title}]) == kind


def test_flexible_entry_can_be_joined_until_the_entry_period_ends() -> None:
    from offer_catalogue.ooapi import offering_record

    flexible = {"flexibleEntryPeriodStart": "2026-09-01", "flexibleEntryPeriodEnd": "2027-08-31"}
    raw = _offering(enrollEndDate=None, **flexible)
    assert offering_record(raw).enroll_end_date == dt.date(2027, 8, 31)
    raw = _offering(enrollEndDate="2027-01-15", flexibleEntryPeriodEnd="2027-08-31")
    assert offering_record(raw).enroll_end_date == dt.date(2027, 1, 15)  # an explicit deadline wins
