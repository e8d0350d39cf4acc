"""Tests for the region gazetteer and place resolver."""

from __future__ import annotations

import pytest

from offer_catalogue.region import (
    MUNICIPALITIES,
    canonical_municipality,
    distance_km,
    municipalities_within,
    neighbours,
    resolve_place,
)


def test_municipalities_are_the_21_official_names() -> None:
    """The list holds exactly the 21 municipalities of the Metropoolregio Eindhoven."""
    assert len(MUNICIPALITIES) == 21
    assert MUNICIPALITIES[0] == "Asten" and MUNICIPALITIES[-1] == "Waalre"
    assert "Nuenen c.a." in MUNICIPALITIES and "Reusel-De Mierden" in MUNICIPALITIES


@pytest.mark.parametrize(
    ("message", "municipality", "kind"),
    [
        ("Ik zoek een computercursus in Helmond", "Helmond", "municipality"),
        ("ik woon in mierlo", "Geldrop-Mierlo", "village"),
        ("Gerwen", "Nuenen c.a.", "village"),
        ("iets in Budel of Maarheeze", "Cranendonck", "village"),
        ("ik woon in Stiphout", "Helmond", "village"),
        ("Meerhoven graag", "Eindhoven", "village"),
        ("cursus in Aarle-Rixtel", "Laarbeek", "village"),
        ("Aarle Rixtel", "Laarbeek", "village"),
        ("Leende", "Heeze-Leende", "village"),
        ("ik woon in Mierlo-Hout", "Helmond", "village"),
        ("in Budel-Schoot", "Cranendonck", "village"),
        ("bij de Eindhovense bibliotheek", "Eindhoven", "municipality"),
        ("Helmondse cursus", "Helmond", "municipality"),
        ("NUENEN", "Nuenen c.a.", "municipality"),
        ("ik woon in Best", "Best", "municipality"),
        ("Son en Breugel", "Son en Breugel", "municipality"),
        ("Someren-Eind", "Someren", "village"),
        ("Hapert", "Bladel", "village"),
        ("Lage Mierde", "Reusel-De Mierden", "village"),
    ],
)
def test_resolve_place_finds_municipality_or_village(message: str, municipality: str, kind: str) -> None:
    """Municipalities and villages are found anywhere in a message."""
    match = resolve_place(message)
    assert match is not None, message
    assert (match.municipality, match.kind) == (municipality, kind)


@pytest.mark.parametrize(
    ("message", "municipality", "matched"),
    [
        ("cursus in Helmnod", "Helmond", "Helmnod"),
        ("Veldhovn", "Veldhoven", "Veldhovn"),
        ("Eindhvoen", "Eindhoven", "Eindhvoen"),
        ("Valkenswaart", "Valkenswaard", "Valkenswaart"),
        ("Oirschott", "Oirschot", "Oirschott"),
    ],
)
def test_resolve_place_tolerates_typos(message: str, municipality: str, matched: str) -> None:
    """Longer names tolerate one or two typos and report the text that matched."""
    match = resolve_place(message)
    assert match is not None and match.municipality == municipality
    assert match.matched_text == matched and match.fuzzy


@pytest.mark.parametrize(
    "message", ["online graag", "liefst thuis", "maakt niet uit, overal", "op afstand leren"]
)
def test_resolve_place_online_words(message: str) -> None:
    """Online words resolve to kind "online"."""
    match = resolve_place(message)
    assert match is not None and match.kind == "online" and match.municipality == "online"


@pytest.mark.parametrize(
    "message",
    [
        "Ik wil best iets leren",
        "cursus handel en verkoop",
        "vasten en kasten",
        "ik zoek werk",
        "",
        "   ",
        "Best wel leuk",
        "acht uur per week",
        "Heusden is ver",
    ],
)
def test_resolve_place_no_false_positives(message: str) -> None:
    """Ordinary Dutch words that look like places are not taken as places."""
    match = resolve_place(message)
    assert match is None or match.kind == "online", (message, match)


def test_ambiguous_name_needs_preposition() -> None:
    """'Best' counts as a place only after words such as 'in'."""
    assert resolve_place("Ik wil best een cursus doen") is None
    match = resolve_place("een cursus in Best")
    assert match is not None and match.municipality == "Best"


def test_distance_and_neighbours() -> None:
    """Distances are plausible and neighbours are symmetric enough to be useful."""
    assert 8 < distance_km("Eindhoven", "Helmond") < 16
    assert distance_km("Helmond", "Helmond") == 0
    assert "Helmond" in neighbours("Geldrop-Mierlo")
    nearby = [name for name, _km in municipalities_within("Helmond", 10)]
    assert nearby[0] == "Helmond" and "Nuenen c.a." in nearby and "Bladel" not in nearby
    for municipality in MUNICIPALITIES:
        for other in neighbours(municipality):
            assert other in MUNICIPALITIES


def test_canonical_municipality() -> None:
    """Aliases and villages map to official names; unknown places give None."""
    assert canonical_municipality("nuenen") == "Nuenen c.a."
    assert canonical_municipality("Mierlo") == "Geldrop-Mierlo"
    assert canonical_municipality("Amsterdam") is None


@pytest.mark.parametrize(
    ("text", "online"),
    [
        ("thuis", True),
        ("thuis graag", True),
        ("ik wil het liefst vanuit huis leren", True),
        ("nu zit ik thuis en mijn moeder zegt dat ik iets moet doen", False),
        ("ik ben 10 jaar thuis geweest voor de kinderen", False),
    ],
)
def test_at_home_is_online_only_as_a_short_answer(text, online):
    place = resolve_place(text)
    assert (place is not None and place.kind == "online") is online


def test_every_village_has_coordinates_near_its_municipality():
    from offer_catalogue.region import _data, canonical_municipality, centre, haversine_km, place_centre

    for entry in _data()["municipalities"]:
        for place in entry["places"]:
            assert canonical_municipality(place) == entry["name"]
            lat, lon = place_centre(place)
            # A typo in the data (a swapped digit) would put a village far away.
            assert haversine_km(lat, lon, *centre(entry["name"])) <= 12, place
    assert place_centre("Nergenshuizen") is None
