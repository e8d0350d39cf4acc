"""OOAPI v5 priceInformation: costType validation, prices, and the spec's own example document."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from offer_catalogue.importing import ItemError
from offer_catalogue.models import Location, Offering, Provider
from offer_catalogue.ooapi import COST_TYPES, check_cost_type, import_ooapi, price_from_information

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOREIGN = Path(__file__).resolve().parents[1] / "fixtures" / "ooapi" / "foreign"


def _cost(cost_type, amount="10", **extra) -> dict:
    """One v5 Cost object."""
    return {"costType": cost_type, "amount": amount, "currency": "EUR", **extra}


def test_the_defined_values_are_the_v5_enumeration() -> None:
    """v5 defines exactly these two values (x-ooapi-extensible-enum of costType)."""
    assert set(COST_TYPES) == {"STAP eligible", "total costs"}


@pytest.mark.parametrize("value", ["total costs", "STAP eligible", "tuition fees", "x-material costs"])
def test_defined_and_own_cost_types_are_accepted(value) -> None:
    """Defined values pass, and so do a feed's own values: the enumeration is extensible."""
    assert check_cost_type(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Total Costs", "write 'total costs'"),
        ("total_costs", "write 'total costs'"),
        ("TOTAL-COST", "write 'total costs'"),
        ("total", "write 'total costs'"),
        ("stap eligible", "write 'STAP eligible'"),
        ("STAP-eligible", "write 'STAP eligible'"),
        ("", "without 'costType'"),
        (None, "without 'costType'"),
        (340, "without 'costType'"),
        ("x" * 101, "too long"),
    ],
)
def test_values_that_overlap_a_defined_one_are_rejected_with_a_reason(value, expected) -> None:
    """A misspelt defined value would silently change the price, so it is an error."""
    with pytest.raises(ItemError) as error:
        check_cost_type(value)
    assert expected in str(error.value)


def test_total_costs_win_and_stap_eligible_is_not_added() -> None:
    """Total costs is the price; STAP-eligible costs are part of the costs, not extra."""
    assert price_from_information([_cost("tuition fees", "300"), _cost("total costs", "340.84")]) == Decimal(
        "340.84"
    )
    assert price_from_information([_cost("tuition fees", "300"), _cost("STAP eligible", "300")]) == Decimal(
        "300.00"
    )
    assert price_from_information([_cost("STAP eligible", "300")]) is None


def test_a_cost_without_amount_leaves_the_price_unknown() -> None:
    """v5 requires only costType; a missing amount is not an error and not "free"."""
    assert price_from_information([{"costType": "total costs"}]) is None
    assert price_from_information([{"costType": "tuition fees"}, _cost("exam fee", "25")]) == Decimal("25.00")


def _page_with_costs(costs_by_id: dict[str, list]) -> dict:
    """An offerings page: the fixture's first offering once per id, with the given costs."""
    document = json.loads((FIXTURES / "ooapi_expanded" / "offerings.json").read_text(encoding="utf-8"))
    template = document["items"][0]
    document["items"] = [
        {**template, "offeringId": offering_id, "priceInformation": costs}
        for offering_id, costs in costs_by_id.items()
    ]
    return document


def test_import_rejects_only_the_offering_with_a_bad_cost_type(sqlite_sessions, tmp_path) -> None:
    """The offering with "Total Costs" is rejected with the reason; the others import."""
    page = _page_with_costs(
        {
            "good-total": [_cost("total costs", "12.50")],
            "good-own": [_cost("tuition fees", "20"), _cost("exam fee", "5")],
            "bad-case": [_cost("Total Costs", "12.50")],
        }
    )
    (tmp_path / "offerings.json").write_text(json.dumps(page), encoding="utf-8")
    report = import_ooapi(sqlite_sessions, tmp_path)
    assert report.created == 2
    reasons = {rejection.item.split(" ")[1]: rejection.reason for rejection in report.rejected}
    assert list(reasons) == ["bad-case"], report.rejected
    assert "costType 'Total Costs'" in reasons["bad-case"]
    assert "write 'total costs'" in reasons["bad-case"]
    with sqlite_sessions() as session:
        prices = dict(session.execute(select(Offering.source_id, Offering.price_cents)).all())
    assert prices == {"good-total": 1250, "good-own": 2500}


def test_the_spec_example_document_imports_without_rejections(sqlite_sessions) -> None:
    """Offering, course and organization built from the v5 spec's examples import as they are."""
    report = import_ooapi(sqlite_sessions, FOREIGN, source="foreign")
    assert (report.created, report.updated, report.rejected) == (1, 0, [])
    with sqlite_sessions() as session:
        offering = session.execute(select(Offering)).scalar_one()
        provider = session.execute(select(Provider)).scalar_one()
        location = session.execute(select(Location)).scalar_one()
        assert offering.offer.title_nl == "Academic and Professional Writing"
        assert (offering.mode, offering.municipality, offering.price_cents) == ("online", None, 34084)
        assert provider.name == "Coöperatie SURF U.A."
        # v5 `additional` is a language-typed string array, not plain text.
        assert (location.name, location.city) == ("On the other side of the road", "Utrecht")
