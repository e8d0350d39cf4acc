"""Build the FICTIONAL sample catalogue (sample_catalogue.json) from hand-written Dutch texts.

Run: python -m offer_catalogue.data.build_sample. All providers, offers, dates, prices and
addresses are made up for demos and tests; they are not real offers. Only the two schemes
(SLIM, STAP-budget) describe real national schemes with their real dates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "sample_catalogue.json"
CHECKED_ON = "2026-11-20"
BASE_URL = "https://voorbeeld.leerwijzer.example"

# (municipality, main place, postal code, street, lat, lon) per municipality; all fictional.
TOWNS: dict[str, tuple[str, str, str, float, float]] = {
    "Asten": ("Asten", "5721 AA", "Markt 12", 51.404, 5.748),
    "Bergeijk": ("Bergeijk", "5571 CA", "Hof 20", 51.319, 5.359),
    "Best": ("Best", "5683 AB", "Hoofdstraat 44", 51.507, 5.390),
    "Bladel": ("Bladel", "5531 BK", "Markt 3", 51.368, 5.221),
    "Cranendonck": ("Budel", "6021 CK", "Markt 8", 51.273, 5.575),
    "Deurne": ("Deurne", "5751 BE", "Stationsplein 2", 51.461, 5.797),
    "Eersel": ("Eersel", "5521 JB", "Markt 25", 51.357, 5.318),
    "Eindhoven": ("Eindhoven", "5611 EM", "Emmasingel 22", 51.441, 5.478),
    "Geldrop-Mierlo": ("Geldrop", "5664 HA", "Heuvel 5", 51.421, 5.557),
    "Gemert-Bakel": ("Gemert", "5421 KM", "Ridderplein 31", 51.556, 5.689),
    "Heeze-Leende": ("Heeze", "5591 JA", "Jan Deckersstraat 4", 51.383, 5.571),
    "Helmond": ("Helmond", "5701 PL", "Watermolenwal 9", 51.481, 5.661),
    "Laarbeek": ("Beek en Donk", "5741 EG", "Piet van Thielplein 1", 51.535, 5.632),
    "Nuenen c.a.": ("Nuenen", "5671 CH", "Jan van Hooffstraat 10", 51.473, 5.551),
    "Oirschot": ("Oirschot", "5688 BH", "Sint-Odulphusstraat 11", 51.505, 5.313),
    "Reusel-De Mierden": ("Reusel", "5541 EB", "Wilhelminalaan 7", 51.362, 5.163),
    "Someren": ("Someren", "5711 GX", "Wilhelminaplein 6", 51.385, 5.711),
    "Son en Breugel": ("Son", "5691 AM", "Raadhuisplein 3", 51.513, 5.494),
    "Valkenswaard": ("Valkenswaard", "5554 AR", "Markt 36", 51.351, 5.459),
    "Veldhoven": ("Veldhoven", "5502 JS", "Meiveld 1", 51.418, 5.403),
    "Waalre": ("Waalre", "5581 HB", "Willibrorduslaan 1", 51.387, 5.446),
}
# Extra villages used for walk-in hours and dorpshuizen: (village, municipality, postcode, street).
VILLAGES = [
    ("Mierlo", "Geldrop-Mierlo", "5731 HP", "Dorpsstraat 18", 51.440, 5.620),
    ("Stiphout", "Helmond", "5708 ZA", "Dorpsstraat 60", 51.493, 5.620),
    ("Gerwen", "Nuenen c.a.", "5674 NA", "Gerwenseweg 30", 51.490, 5.590),
    ("Maarheeze", "Cranendonck", "6026 BR", "Beukenlaan 3", 51.311, 5.616),
    ("Aarle-Rixtel", "Laarbeek", "5735 CB", "Dorpsstraat 40", 51.508, 5.637),
    ("Leende", "Heeze-Leende", "5595 CA", "Dorpstraat 50", 51.350, 5.550),
    ("Bakel", "Gemert-Bakel", "5761 AR", "Kerkstraat 5", 51.502, 5.741),
    ("Lierop", "Someren", "5715 AA", "Lieropsedijk 2", 51.418, 5.678),
    ("Hapert", "Bladel", "5527 AB", "Hoofdstraat 29", 51.363, 5.251),
    ("Westerhoven", "Bergeijk", "5563 AA", "Dorpstraat 9", 51.329, 5.408),
    ("Liessel", "Deurne", "5757 AM", "Dorpsstraat 21", 51.412, 5.820),
    ("Middelbeers", "Oirschot", "5091 AT", "Kerkstraat 2", 51.466, 5.249),
    ("Lage Mierde", "Reusel-De Mierden", "5094 AA", "Kerkstraat 17", 51.409, 5.147),
    ("Dommelen", "Valkenswaard", "5551 GA", "Dommelseweg 4", 51.345, 5.430),
    ("Aalst", "Waalre", "5582 GA", "Den Hof 8", 51.398, 5.477),
    ("Breugel", "Son en Breugel", "5694 BA", "Kerkstraat 14", 51.518, 5.512),
    ("Meerhoven", "Eindhoven", "5658 AA", "Sliffertsestraat 150", 51.443, 5.414),
    ("Heusden", "Asten", "5725 AA", "Kerkstraat 1", 51.391, 5.767),
    ("Vessem", "Eersel", "5512 AA", "Kapelweg 3", 51.412, 5.287),
    ("Zeelst", "Veldhoven", "5507 LA", "Kruisstraat 12", 51.426, 5.417),
    ("Lieshout", "Laarbeek", "5737 BA", "Grotenhof 2", 51.519, 5.599),
]


def place(municipality: str, name: str) -> dict[str, Any]:
    """Return a fictional address in the main place of a municipality."""
    city, postal_code, street, lat, lon = TOWNS[municipality]
    street_name, _, number = street.rpartition(" ")
    return {
        "name": name,
        "street": street_name,
        "street_number": number,
        "postal_code": postal_code,
        "city": city,
        "municipality": municipality,
        "latitude": lat,
        "longitude": lon,
    }


def village_place(village: str, name: str) -> dict[str, Any]:
    """Return a fictional address in a village."""
    for v_name, municipality, postal_code, street, lat, lon in VILLAGES:
        if v_name == village:
            street_name, _, number = street.rpartition(" ")
            return {
                "name": name,
                "street": street_name,
                "street_number": number,
                "postal_code": postal_code,
                "city": village,
                "municipality": municipality,
                "latitude": lat,
                "longitude": lon,
            }
    raise KeyError(village)


PROVIDERS = [
    ("bieb-eindhoven", "Bibliotheek Eindhoven", "library", "Eindhoven"),
    ("bieb-helmond-peel", "Bibliotheek Helmond-Peel", "library", "Helmond"),
    ("bieb-kempen", "Bibliotheek De Kempen", "library", "Eersel"),
    ("bieb-dommeldal", "Bibliotheek Dommeldal", "library", "Valkenswaard"),
    ("bieb-veldhoven", "Bibliotheek Veldhoven", "library", "Veldhoven"),
    ("bieb-best-son", "Bibliotheek Best en Son", "library", "Best"),
    ("taalhuis-helmond", "Taalhuis Helmond", "foundation", "Helmond"),
    ("taalhuis-eindhoven", "Taalhuis Eindhoven", "foundation", "Eindhoven"),
    ("digihulp-zuidoost", "Digihulp Senioren Zuidoost", "foundation", "Eindhoven"),
    ("zorgacademie-zo", "Zorgacademie Brabant-Zuidoost", "training provider", "Eindhoven"),
    ("mantelzorg-peel", "Steunpunt Mantelzorg De Peel", "foundation", "Deurne"),
    ("mantelzorg-kempen", "Steunpunt Mantelzorg Kempen en Dommel", "foundation", "Bladel"),
    ("ondernemershuis", "Ondernemershuis Regio Eindhoven", "foundation", "Eindhoven"),
    ("vakschool-afbouw", "Vakschool Schilders en Afbouw Zuidoost", "training provider", "Son en Breugel"),
    ("installatiecampus", "Installatiecampus De Kempen", "training provider", "Bladel"),
    ("leerfabriek", "Hightech Leerfabriek Brainport", "training provider", "Veldhoven"),
    ("logistiek-leerplein", "Logistiek Leerplein Helmond", "training provider", "Helmond"),
    ("kantoor-academie", "Kantooracademie Zuidoost", "training provider", "Veldhoven"),
    ("ai-werkplaats", "AI Werkplaats Eindhoven", "training provider", "Eindhoven"),
    ("volksuni-peelland", "Volksuniversiteit Peelland", "foundation", "Helmond"),
    ("talencentrum-dommel", "Talencentrum De Dommel", "training provider", "Geldrop-Mierlo"),
    ("leerwerkloket", "Leerwerkloket Zuidoost-Brabant", "government", "Eindhoven"),
    ("vrijwilligers", "Vrijwilligerscentrale Regio Eindhoven", "foundation", "Eindhoven"),
    ("dorpshuizen", "Samenwerkende Dorpshuizen Kempen en Peel", "foundation", "Gemert-Bakel"),
    ("loopbaanpunt", "Loopbaanpunt Kempen", "training provider", "Oirschot"),
    ("regelingen", "Landelijke regelingen (overzicht)", "government", None),
]

offers: list[dict[str, Any]] = []


def add(
    offer_id: str,
    provider: str,
    kind: str,
    title_nl: str,
    title_en: str,
    description: str,
    themes: list[str],
    offerings: list[dict[str, Any]],
    *,
    target_groups: list[str] | None = None,
    skills: list[str] | None = None,
    keywords: str = "",
    level: str | None = None,
    valid_from: str | None = None,
    valid_until: str | None = None,
    url: str | None = None,
) -> None:
    """Append one offer to the catalogue."""
    offers.append(
        {
            "id": offer_id,
            "provider": provider,
            "kind": kind,
            "title_nl": title_nl,
            "title_en": title_en,
            "description_nl": description,
            "themes": themes,
            "skills": skills or [],
            "target_groups": target_groups or [],
            "keywords": keywords,
            "level": level,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "url": url or f"{BASE_URL}/aanbod/{offer_id}",
            "checked_on": CHECKED_ON,
            "offerings": offerings,
        }
    )


def run(
    run_id: str,
    mode: str,
    start: str | None,
    end: str | None,
    price: str | None,
    *,
    location: dict[str, Any] | None = None,
    seats: int | None = None,
    schedule: str | None = None,
    enroll_end: str | None = None,
    language: str = "nl",
) -> dict[str, Any]:
    """Return one offering."""
    return {
        "id": run_id,
        "mode": mode,
        "start_date": start,
        "end_date": end,
        "enroll_end_date": enroll_end,
        "price_eur": price,
        "seats": seats,
        "teaching_language": language,
        "location": location,
        "schedule": schedule,
    }


LIBRARY_OF = {
    "Eindhoven": "bieb-eindhoven",
    "Helmond": "bieb-helmond-peel",
    "Deurne": "bieb-helmond-peel",
    "Gemert-Bakel": "bieb-helmond-peel",
    "Asten": "bieb-helmond-peel",
    "Someren": "bieb-helmond-peel",
    "Laarbeek": "bieb-helmond-peel",
    "Eersel": "bieb-kempen",
    "Bergeijk": "bieb-kempen",
    "Bladel": "bieb-kempen",
    "Reusel-De Mierden": "bieb-kempen",
    "Oirschot": "bieb-kempen",
    "Valkenswaard": "bieb-dommeldal",
    "Waalre": "bieb-dommeldal",
    "Heeze-Leende": "bieb-dommeldal",
    "Geldrop-Mierlo": "bieb-dommeldal",
    "Cranendonck": "bieb-dommeldal",
    "Nuenen c.a.": "bieb-dommeldal",
    "Veldhoven": "bieb-veldhoven",
    "Best": "bieb-best-son",
    "Son en Breugel": "bieb-best-son",
}
SLUG = {name: name.lower().replace(" ", "-").replace(".", "").replace("--", "-") for name in TOWNS}


def build() -> None:
    """Write all offers; grouped by theme so the texts stay readable."""
    # 1. Walk-in advice "Leren en Werken" in the library of every municipality.
    weekdays = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]
    for number, municipality in enumerate(TOWNS):
        city = TOWNS[municipality][0]
        day = weekdays[number % 5]
        add(
            f"inloop-leren-werken-{SLUG[municipality]}",
            LIBRARY_OF[municipality],
            "walk_in_advice",
            f"Inloopspreekuur Leren en Werken in {city}",
            f"Walk-in advice on learning and work in {city}",
            "Heeft u een vraag over werk, een opleiding of een cursus? Loop binnen zonder afspraak. "
            "Een adviseur van het Leerwerkloket denkt gratis met u mee. U krijgt tips voor een "
            "cursus, hulp bij uw cv of uitleg over EVC (erkenning van wat u al kunt).",
            ["loopbaan", "leren_en_werken"],
            [
                run(
                    f"inloop-leren-werken-{SLUG[municipality]}-1",
                    "on_site",
                    "2026-01-05",
                    None,
                    "0",
                    location=place(municipality, f"Bibliotheek {city}"),
                    schedule=f"elke {day} van 13.30 tot 16.00 uur",
                )
            ],
            keywords="spreekuur inloop advies werk opleiding cv evc leerwerkloket",
            target_groups=["iedereen"],
        )
    # 2. Digital help (Informatiepunt Digitale Overheid) and computer courses in libraries.
    for number, municipality in enumerate(TOWNS):
        city = TOWNS[municipality][0]
        add(
            f"ido-{SLUG[municipality]}",
            LIBRARY_OF[municipality],
            "walk_in_advice",
            f"Informatiepunt Digitale Overheid {city}",
            f"Help with government websites in {city}",
            "Hulp bij DigiD, toeslagen, belastingaangifte en andere websites van de overheid. "
            "Gratis en zonder lidmaatschap. Neem uw telefoon of laptop en uw inloggegevens mee.",
            ["digitale_vaardigheden"],
            [
                run(
                    f"ido-{SLUG[municipality]}-1",
                    "on_site",
                    "2026-01-05",
                    None,
                    "0",
                    location=place(municipality, f"Bibliotheek {city}"),
                    schedule=f"elke {weekdays[(number + 2) % 5]}ochtend van 10.00 tot 12.00 uur",
                )
            ],
            keywords="digid overheid toeslagen belastingaangifte formulieren hulp computer",
        )
    computer_towns = [
        "Helmond",
        "Eindhoven",
        "Deurne",
        "Veldhoven",
        "Valkenswaard",
        "Bladel",
        "Gemert-Bakel",
        "Someren",
        "Best",
        "Cranendonck",
        "Reusel-De Mierden",
    ]
    for number, municipality in enumerate(computer_towns):
        city = TOWNS[municipality][0]
        month = 1 + number % 4
        add(
            f"klik-tik-{SLUG[municipality]}",
            LIBRARY_OF[municipality],
            "course",
            f"Klik & Tik: computercursus voor beginners in {city}",
            f"Computer course for beginners in {city}",
            "In zes lessen leert u de basis van de computer: de muis en het toetsenbord, "
            "e-mail sturen, zoeken op internet en veilig inloggen. U oefent in kleine groepen "
            "met een vaste begeleider. U hoeft niets te weten.",
            ["digitale_vaardigheden"],
            [
                run(
                    f"klik-tik-{SLUG[municipality]}-2027-{month:02d}",
                    "on_site",
                    f"2027-{month:02d}-{10 + number:02d}",
                    f"2027-{month + 2:02d}-{10 + number:02d}",
                    "0" if number % 3 else "25",
                    location=place(municipality, f"Bibliotheek {city}"),
                    seats=8,
                    schedule="6 lessen, 1 keer per week 2 uur",
                )
            ],
            keywords="computer pc laptop internet email beginners basis digitale vaardigheden",
            target_groups=["iedereen"],
            level="beginner",
        )
    add(
        "helmond-computer-senioren",
        "digihulp-zuidoost",
        "course",
        "Computercursus voor 55-plussers in Helmond",
        "Computer course for people over 55 in Helmond",
        "Rustig leren werken met de computer of laptop. Voor senioren die weinig ervaring hebben. "
        "U leert mailen, foto's bewaren en videobellen met familie. Vrijwilligers helpen u "
        "persoonlijk.",
        ["digitale_vaardigheden"],
        [
            run(
                "helmond-computer-senioren-2027-02",
                "on_site",
                "2027-02-03",
                "2027-03-24",
                "35",
                location=place("Helmond", "Wijkhuis De Fonkel"),
                seats=10,
                schedule="8 lessen op woensdagochtend",
            )
        ],
        keywords="computer laptop senioren ouderen mailen videobellen",
        target_groups=["senioren"],
        level="beginner",
    )
    tablet_places = [
        ("Stiphout", "Buurthuis De Hoeksteen"),
        ("Mierlo", "Dorpshuis De Heuvel"),
        ("Gerwen", "Dorpshuis Gerwen"),
        ("Maarheeze", "Ontmoetingscentrum Maarheeze"),
        ("Aarle-Rixtel", "Dorpshuis De Dreef"),
        ("Leende", "Ontmoetingshuis Leende"),
        ("Bakel", "Dorpshuis Bakel"),
        ("Westerhoven", "Dorpshuis Westerhoven"),
    ]
    for number, (village, building) in enumerate(tablet_places):
        add(
            f"tablet-senioren-{village.lower()}",
            "digihulp-zuidoost",
            "course",
            f"Tablet en smartphone voor senioren in {village}",
            f"Tablet and smartphone for seniors in {village}",
            "Leer in vier ochtenden werken met uw tablet of smartphone. WhatsApp, foto's maken, "
            "apps installeren en veilig internetten. Neem uw eigen apparaat mee.",
            ["digitale_vaardigheden"],
            [
                run(
                    f"tablet-senioren-{village.lower()}-1",
                    "on_site",
                    f"2027-{2 + number % 5:02d}-0{1 + number % 8}",
                    f"2027-{3 + number % 5:02d}-0{1 + number % 8}",
                    "0" if number % 2 == 0 else "15",
                    location=village_place(village, building),
                    seats=8,
                    schedule="4 ochtenden",
                )
            ],
            keywords="tablet ipad smartphone telefoon whatsapp senioren digitaal",
            target_groups=["senioren"],
            level="beginner",
        )
    for number, municipality in enumerate(
        ["Eindhoven", "Helmond", "Veldhoven", "Geldrop-Mierlo", "Oirschot", "Asten"]
    ):
        city = TOWNS[municipality][0]
        add(
            f"digitaal-cafe-{SLUG[municipality]}",
            LIBRARY_OF[municipality],
            "walk_in_advice",
            f"Digitaal Café {city}",
            f"Digital café {city}",
            "Heeft u een vraag over uw telefoon, tablet of computer? Kom langs bij het Digitaal Café. "
            "Vrijwilligers helpen u gratis, met een kop koffie erbij.",
            ["digitale_vaardigheden"],
            [
                run(
                    f"digitaal-cafe-{SLUG[municipality]}-1",
                    "on_site",
                    "2026-01-01",
                    None,
                    "0",
                    location=place(municipality, f"Bibliotheek {city}"),
                    schedule=f"elke eerste {weekdays[number % 5]} van de maand, 14.00-16.00 uur",
                )
            ],
            keywords="digitaalcafe vragen telefoon tablet computer hulp vrijwilligers",
            target_groups=["senioren", "iedereen"],
        )
    add(
        "online-digisterker",
        "digihulp-zuidoost",
        "course",
        "Online cursus: veilig internetten en DigiD",
        "Online course: safe internet use and DigiD",
        "Leer thuis, op uw eigen tempo, hoe u veilig internet gebruikt en inlogt met DigiD. "
        "Met korte filmpjes en oefeningen. Een vrijwilliger belt u twee keer om te helpen.",
        ["digitale_vaardigheden"],
        [run("online-digisterker-1", "online", "2026-09-01", "2027-08-31", "0")],
        keywords="online veilig digid internet thuis e-learning",
        target_groups=["iedereen"],
    )
    # 3. Dutch language and literacy (NT2, taalhuis).
    taal = [
        ("taalhuis-helmond", "Helmond", "Taalcafé Helmond", "Language café Helmond", "walk_in_advice"),
        (
            "taalhuis-eindhoven",
            "Eindhoven",
            "Taalcafé Eindhoven Centrum",
            "Language café Eindhoven",
            "walk_in_advice",
        ),
        ("bieb-kempen", "Bladel", "Taalcafé De Kempen in Bladel", "Language café Bladel", "walk_in_advice"),
        (
            "bieb-dommeldal",
            "Valkenswaard",
            "Taalcafé Valkenswaard",
            "Language café Valkenswaard",
            "walk_in_advice",
        ),
        ("bieb-helmond-peel", "Deurne", "Taalcafé Deurne", "Language café Deurne", "walk_in_advice"),
    ]
    for provider, municipality, title, title_en, kind in taal:
        city = TOWNS[municipality][0]
        add(
            f"taalcafe-{SLUG[municipality]}",
            provider,
            kind,
            title,
            title_en,
            "Oefen Nederlands spreken in een gezellige groep. Iedereen is welkom, ook als u "
            "net begint. Een taalvrijwilliger helpt het gesprek op gang. Gratis.",
            ["taal"],
            [
                run(
                    f"taalcafe-{SLUG[municipality]}-1",
                    "on_site",
                    "2026-01-01",
                    None,
                    "0",
                    location=place(municipality, f"Bibliotheek {city}"),
                    schedule="elke week, 1,5 uur",
                )
            ],
            keywords="nederlands spreken oefenen taal nt2 nieuwkomers",
            target_groups=["nieuwkomers", "iedereen"],
            level="nt2-1",
        )
    for number, municipality in enumerate(
        ["Helmond", "Eindhoven", "Veldhoven", "Gemert-Bakel", "Someren", "Eersel", "Waalre", "Best"]
    ):
        city = TOWNS[municipality][0]
        provider = (
            "taalhuis-helmond"
            if municipality in ("Helmond", "Gemert-Bakel", "Someren")
            else "taalhuis-eindhoven"
        )
        add(
            f"beter-lezen-schrijven-{SLUG[municipality]}",
            provider,
            "course",
            f"Beter lezen en schrijven in {city}",
            f"Better reading and writing in {city}",
            "Vindt u lezen en schrijven lastig? In deze kleine groep oefent u met brieven, "
            "formulieren en berichten van school of werk. Voor mensen die Nederlands als moedertaal "
            "hebben. Niemand hoeft het te weten: u meldt zich vertrouwelijk aan bij het Taalhuis.",
            ["taal"],
            [
                run(
                    f"beter-lezen-schrijven-{SLUG[municipality]}-1",
                    "on_site",
                    f"2027-{1 + number % 6:02d}-15",
                    f"2027-{6 + number % 6:02d}-15",
                    "0",
                    location=place(municipality, f"Taalhuis in Bibliotheek {city}"),
                    seats=10,
                    schedule="1 keer per week 2 uur",
                )
            ],
            keywords="lezen schrijven laaggeletterdheid taal taalhuis brieven formulieren",
            target_groups=["laaggeletterden"],
            level="beginner",
        )
    nt2 = [
        (
            "nt2-a2-helmond",
            "volksuni-peelland",
            "Helmond",
            "Nederlands als tweede taal (NT2) niveau A2",
            "nt2-1",
            "2027-01-12",
            "295",
        ),
        (
            "nt2-b1-eindhoven",
            "taalhuis-eindhoven",
            "Eindhoven",
            "Nederlands op B1-niveau (NT2 programma I)",
            "nt2-1",
            "2027-02-02",
            "350",
        ),
        (
            "nt2-b2-eindhoven",
            "talencentrum-dommel",
            "Eindhoven",
            "NT2 programma II: Nederlands op B2-niveau",
            "nt2-2",
            "2027-03-01",
            "695",
        ),
        (
            "nt2-online",
            "talencentrum-dommel",
            None,
            "Online Nederlands leren (NT2) met docent",
            "nt2-1",
            "2027-01-18",
            "245",
        ),
        (
            "nt2-werk-veldhoven",
            "kantoor-academie",
            "Veldhoven",
            "Nederlands op de werkvloer",
            "nt2-1",
            "2027-04-05",
            "0",
        ),
    ]
    for offer_id, provider, municipality, title, level, start, price in nt2:
        add(
            offer_id,
            provider,
            "course",
            title,
            "Dutch as a second language" + (" (online)" if municipality is None else ""),
            "Voor anderstaligen die beter Nederlands willen spreken, lezen en schrijven. "
            "Met een ervaren NT2-docent en veel oefenen in situaties van elke dag en op het werk. "
            "U doet aan het eind een toets.",
            ["taal"],
            [
                run(
                    f"{offer_id}-1",
                    "online" if municipality is None else "on_site",
                    start,
                    "2027-07-01",
                    price,
                    location=None if municipality is None else place(municipality, "Leslocatie"),
                    seats=12,
                    schedule="2 avonden per week",
                )
            ],
            keywords="nt2 nederlands inburgering taal tweede taal anderstaligen",
            target_groups=["nieuwkomers"],
            level=level,
        )
    # 4. Care, dementia, family carers, entering healthcare.
    zorg_start = [
        ("Eindhoven", "2027-01-11"),
        ("Helmond", "2027-02-08"),
        ("Veldhoven", "2027-03-08"),
        ("Deurne", "2027-04-12"),
        ("Bladel", "2027-09-06"),
    ]
    for municipality, start in zorg_start:
        city = TOWNS[municipality][0]
        add(
            f"instroom-zorg-{SLUG[municipality]}",
            "zorgacademie-zo",
            "training",
            f"Aan de slag in de zorg: oriëntatietraject {city}",
            f"Start working in healthcare: orientation in {city}",
            "Wilt u werken in de zorg of het welzijn? In acht weken maakt u kennis met het werk als "
            "helpende of verzorgende. U loopt mee op een afdeling en krijgt hulp bij solliciteren. "
            "Ook voor zij-instromers zonder zorgdiploma.",
            ["zorg", "loopbaan"],
            [
                run(
                    f"instroom-zorg-{SLUG[municipality]}-1",
                    "on_site",
                    start,
                    None,
                    "0",
                    location=place(municipality, "Zorgacademie leslocatie"),
                    seats=15,
                    enroll_end=start,
                )
            ],
            keywords="zorg werken zij-instroom helpende verzorgende omscholen",
            target_groups=["werkzoekenden", "zij-instromers"],
        )
    add(
        "verzorgende-ig-bbl",
        "zorgacademie-zo",
        "course",
        "Opleiding Verzorgende IG (mbo 3) werken en leren",
        "Care worker training (MBO level 3), work and learn",
        "Leer het vak van verzorgende in de ouderenzorg of thuiszorg. U werkt en leert tegelijk (BBL). "
        "U krijgt salaris en een erkend mbo-diploma.",
        ["zorg"],
        [
            run(
                "verzorgende-ig-bbl-2027",
                "on_site",
                "2027-02-01",
                "2029-01-31",
                "0",
                location=place("Eindhoven", "Zorgacademie Eindhoven"),
                seats=20,
                enroll_end="2027-01-15",
            )
        ],
        keywords="verzorgende ig mbo bbl zorg ouderenzorg thuiszorg diploma",
        level="secondary vocational education 3",
    )
    add(
        "helpende-zorg-welzijn",
        "zorgacademie-zo",
        "course",
        "Opleiding Helpende Zorg en Welzijn (mbo 2)",
        "Care assistant training (MBO level 2)",
        "Een praktische opleiding van een jaar. Je leert mensen helpen bij wonen, eten en verzorgen. "
        "Daarna kun je doorleren tot verzorgende.",
        ["zorg"],
        [
            run(
                "helpende-zorg-welzijn-2027",
                "hybrid",
                "2027-03-01",
                "2028-02-28",
                "1150",
                location=place("Helmond", "Zorgacademie Helmond"),
                seats=18,
            )
        ],
        keywords="helpende zorg welzijn mbo2",
        level="secondary vocational education 2",
    )
    mantel = [
        (
            "mantelzorg-peel",
            "Deurne",
            "Mantelzorgcafé Deurne",
            "Family carers café Deurne",
            "event",
            "2027-01-21",
        ),
        (
            "mantelzorg-peel",
            "Asten",
            "Mantelzorgcafé Asten",
            "Family carers café Asten",
            "event",
            "2027-02-18",
        ),
        (
            "mantelzorg-peel",
            "Helmond",
            "Training: omgaan met dementie voor mantelzorgers (Helmond)",
            "Dementia training for family carers (Helmond)",
            "training",
            "2027-02-02",
        ),
        (
            "mantelzorg-kempen",
            "Bladel",
            "Training: omgaan met dementie voor mantelzorgers (Bladel)",
            "Dementia training for family carers (Bladel)",
            "training",
            "2027-03-09",
        ),
        (
            "mantelzorg-kempen",
            "Reusel-De Mierden",
            "Mantelzorgcafé Reusel",
            "Family carers café Reusel",
            "event",
            "2027-01-28",
        ),
        (
            "mantelzorg-kempen",
            "Oirschot",
            "Balans in mantelzorg: cursus voor mantelzorgers",
            "Keeping balance as a family carer",
            "course",
            "2027-04-06",
        ),
        (
            "mantelzorg-peel",
            "Gemert-Bakel",
            "Alzheimer Café Gemert-Bakel",
            "Alzheimer café Gemert-Bakel",
            "event",
            "2027-01-14",
        ),
        (
            "mantelzorg-kempen",
            "Heeze-Leende",
            "Dementievriendelijk Heeze-Leende: informatieavond",
            "Dementia-friendly Heeze-Leende: information evening",
            "event",
            "2027-02-24",
        ),
        (
            "mantelzorg-peel",
            "Laarbeek",
            "Mantelzorgcafé Laarbeek",
            "Family carers café Laarbeek",
            "event",
            "2027-03-04",
        ),
        (
            "mantelzorg-peel",
            "Someren",
            "Training: omgaan met dementie voor mantelzorgers (Someren)",
            "Dementia training for family carers (Someren)",
            "training",
            "2027-05-11",
        ),
    ]
    for number, (provider, municipality, title, title_en, kind, start) in enumerate(mantel):
        city = TOWNS[municipality][0]
        if kind == "event":
            description = (
                "Een avond voor mensen die zorgen voor een partner, ouder of kind. Praat met "
                "andere mantelzorgers en stel uw vragen aan een deskundige. Gratis, aanmelden "
                "is niet nodig."
            )
        else:
            description = (
                "Zorgt u voor iemand met dementie? In deze training leert u hoe dementie werkt, "
                "hoe u goed contact houdt en hoe u ook voor uzelf zorgt. Samen met andere "
                "mantelzorgers, onder leiding van een zorgprofessional."
            )
        add(
            f"mantelzorg-{number + 1:02d}",
            provider,
            kind,
            title,
            title_en,
            description,
            ["zorg", "mantelzorg"],
            [
                run(
                    f"mantelzorg-{number + 1:02d}-1",
                    "on_site",
                    start,
                    start if kind == "event" else None,
                    "0",
                    location=place(municipality, f"Ontmoetingscentrum {city}"),
                    seats=25,
                )
            ],
            keywords="mantelzorg mantelzorger dementie alzheimer zorgen voor partner ouder",
            target_groups=["mantelzorgers"],
        )
    add(
        "online-dementie-mantelzorg",
        "mantelzorg-kempen",
        "course",
        "Online cursus dementie voor familie en mantelzorgers",
        "Online dementia course for family carers",
        "Leer thuis in zes korte lessen wat dementie is en hoe u ermee omgaat. Met filmpjes en tips van "
        "andere mantelzorgers. Gratis.",
        ["zorg", "mantelzorg"],
        [run("online-dementie-mantelzorg-1", "online", "2026-06-01", "2027-12-31", "0")],
        keywords="dementie alzheimer mantelzorg online familie",
        target_groups=["mantelzorgers"],
    )
    add(
        "ehbo-reanimatie-waalre",
        "zorgacademie-zo",
        "course",
        "Cursus reanimatie en AED in Waalre",
        "CPR and AED course in Waalre",
        "Leer in één avond reanimeren en een AED gebruiken. Met oefenpoppen en een erkend certificaat.",
        ["zorg", "veiligheid"],
        [
            run(
                "ehbo-reanimatie-waalre-1",
                "on_site",
                "2027-02-16",
                "2027-02-16",
                "45",
                location=place("Waalre", "Gemeenschapshuis Waalre"),
                seats=16,
            )
        ],
        keywords="reanimatie aed ehbo",
    )
    # 5. Leadership and team leaders.
    leiding = [
        ("Eindhoven", "hybrid", "2027-02-15", "1450"),
        ("Helmond", "on_site", "2027-03-22", "1295"),
        ("Veldhoven", "on_site", "2027-09-13", "1450"),
        (None, "online", "2027-01-25", "695"),
    ]
    for number, (municipality, mode, start, price) in enumerate(leiding):
        where = TOWNS[municipality][0] if municipality else "online"
        add(
            f"teamleider-{number + 1}",
            "kantoor-academie",
            "training",
            f"Van collega naar teamleider ({where})",
            f"From colleague to team leader ({where})",
            "Word je teamleider of ben je het net? Je leert gesprekken voeren, feedback geven, "
            "werk verdelen en je team motiveren. Veel oefenen met een trainingsacteur.",
            ["leidinggeven"],
            [
                run(
                    f"teamleider-{number + 1}-1",
                    mode,
                    start,
                    None,
                    price,
                    location=place(municipality, "Trainingscentrum") if municipality else None,
                    seats=12,
                )
            ],
            keywords="leidinggeven leiderschap teamleider leidinggevende coachen feedback",
            target_groups=["werkenden"],
        )
    add(
        "leiderschap-zorg",
        "zorgacademie-zo",
        "training",
        "Leidinggeven in de zorg",
        "Leadership in healthcare",
        "Voor nieuwe leidinggevenden in zorg en welzijn. Over roosters, verzuim, teamoverleg en je "
        "eigen rol als coach.",
        ["leidinggeven", "zorg"],
        [
            run(
                "leiderschap-zorg-1",
                "on_site",
                "2027-04-12",
                None,
                "1100",
                location=place("Eindhoven", "Zorgacademie Eindhoven"),
            )
        ],
        keywords="leidinggeven zorg teamleider",
        target_groups=["werkenden"],
    )
    # 6. Starting and stopping a business (zzp).
    ondernemen = [
        (
            "starten-zzp-eindhoven",
            "Eindhoven",
            "Startersworkshop: zelf ondernemen als zzp'er",
            "Starting as a freelancer (workshop)",
            "event",
            "2027-01-19",
            "0",
        ),
        (
            "starten-zzp-helmond",
            "Helmond",
            "Startersworkshop: zelf ondernemen als zzp'er (Helmond)",
            "Starting as a freelancer (Helmond)",
            "event",
            "2027-02-09",
            "0",
        ),
        (
            "ondernemingsplan-online",
            None,
            "Online cursus: schrijf je ondernemingsplan",
            "Online course: write your business plan",
            "course",
            "2027-01-06",
            "149",
        ),
        (
            "stoppen-bedrijf",
            "Eindhoven",
            "Stoppen met je bedrijf: wat moet je regelen?",
            "Closing your business: what to arrange",
            "event",
            "2027-03-16",
            "0",
        ),
        (
            "bedrijf-overdragen-deurne",
            "Deurne",
            "Bedrijfsoverdracht en stoppen: informatieavond",
            "Business transfer and closing down: information evening",
            "event",
            "2027-04-20",
            "0",
        ),
        (
            "zzp-administratie-best",
            "Best",
            "Boekhouden en btw voor zzp'ers",
            "Bookkeeping and VAT for freelancers",
            "course",
            "2027-02-22",
            "195",
        ),
        (
            "ondernemerscafe-nuenen",
            "Nuenen c.a.",
            "Ondernemerscafé Nuenen",
            "Entrepreneurs' café Nuenen",
            "event",
            "2027-01-27",
            "0",
        ),
        (
            "starten-zzp-someren",
            "Someren",
            "Starten als ondernemer in de Peel",
            "Starting a business in the Peel region",
            "course",
            "2027-03-03",
            "95",
        ),
    ]
    for offer_id, municipality, title, title_en, kind, start, price in ondernemen:
        stop = "stop" in offer_id or "overdragen" in offer_id
        description = (
            "Wilt u stoppen met uw bedrijf of het overdragen? U hoort wat u moet regelen: KVK, "
            "belasting, personeel en uw inkomen daarna. Met tijd voor uw eigen vragen."
            if stop
            else "Wilt u een eigen bedrijf beginnen? Je leert de eerste stappen: je idee toetsen, "
            "inschrijven bij de KVK, prijzen bepalen, verzekeringen en je administratie. "
            "Je spreekt ook ervaren ondernemers."
        )
        add(
            offer_id,
            "ondernemershuis",
            kind,
            title,
            title_en,
            description,
            ["ondernemen"],
            [
                run(
                    f"{offer_id}-1",
                    "online" if municipality is None else "on_site",
                    start,
                    start if kind == "event" else None,
                    price,
                    location=place(municipality, "Ondernemershuis") if municipality else None,
                    seats=30,
                )
            ],
            keywords=(
                "stoppen bedrijfsbeeindiging overdracht ondernemer"
                if stop
                else "ondernemen zzp eigen bedrijf starter kvk ondernemingsplan"
            ),
            target_groups=["ondernemers"],
        )
    # 7. Trades: painter and installer.
    trades = [
        (
            "schilder-basis-son",
            "vakschool-afbouw",
            "Son en Breugel",
            "Basisopleiding schilder",
            "Basic painter training",
            "schilder",
            "2027-02-01",
            "0",
        ),
        (
            "schilder-helmond",
            "vakschool-afbouw",
            "Helmond",
            "Omscholen tot schilder (leren en werken)",
            "Retrain as a painter",
            "schilder",
            "2027-09-06",
            "0",
        ),
        (
            "schilder-hobby-valkenswaard",
            "vakschool-afbouw",
            "Valkenswaard",
            "Workshop schilderen en behangen in huis",
            "Workshop painting and wallpapering at home",
            "schilder",
            "2027-03-13",
            "65",
        ),
        (
            "installateur-bladel",
            "installatiecampus",
            "Bladel",
            "Opleiding monteur installatietechniek (mbo 2)",
            "Installation technician training",
            "installateur",
            "2027-02-15",
            "0",
        ),
        (
            "warmtepomp-eersel",
            "installatiecampus",
            "Eersel",
            "Cursus warmtepompen installeren",
            "Course: installing heat pumps",
            "installateur",
            "2027-03-01",
            "895",
        ),
        (
            "zonnepanelen-bergeijk",
            "installatiecampus",
            "Bergeijk",
            "Zonnepanelen monteren: korte praktijkcursus",
            "Mounting solar panels: short practical course",
            "installateur",
            "2027-04-05",
            "450",
        ),
        (
            "elektro-reusel",
            "installatiecampus",
            "Reusel-De Mierden",
            "Basis elektrotechniek voor zij-instromers",
            "Basic electrical engineering for career changers",
            "installateur",
            "2027-05-10",
            "0",
        ),
    ]
    for offer_id, provider, municipality, title, title_en, trade, start, price in trades:
        if trade == "schilder":
            description = (
                "Leer het schildersvak in de praktijk: voorbereiden, plamuren, verven en "
                "behangen. Je werkt bij een schildersbedrijf en gaat één dag per week naar school."
            )
            keywords = "schilder schilderen verven behangen afbouw vakman"
        else:
            description = (
                "Word installateur of monteur. Je leert leidingen aanleggen, elektra "
                "aansluiten en werken met warmtepompen en zonnepanelen. Veel vraag naar mensen in dit vak."
            )
            keywords = "installateur monteur installatietechniek elektra warmtepomp zonnepanelen"
        level = "secondary vocational education 2" if "mbo" in title or "Basis" in title else None
        add(
            offer_id,
            provider,
            "course" if "Workshop" not in title else "informal_learning",
            title,
            title_en,
            description,
            ["techniek", "vakmanschap"],
            [
                run(
                    f"{offer_id}-1",
                    "on_site",
                    start,
                    None,
                    price,
                    location=place(municipality, "Praktijklokaal"),
                    seats=12,
                )
            ],
            keywords=keywords,
            target_groups=["werkzoekenden", "zij-instromers"],
            level=level,
        )
    # 8. High tech, logistics, office work, AI, English.
    tech = [
        (
            "operator-hightech-veldhoven",
            "Veldhoven",
            "Operator in de hightech (omscholing)",
            "High-tech operator (retraining)",
            "2027-02-08",
            "0",
        ),
        (
            "cleanroom-best",
            "Best",
            "Werken in de cleanroom: basiscursus",
            "Working in a cleanroom: basics",
            "2027-03-15",
            "350",
        ),
        (
            "cnc-helmond",
            "Helmond",
            "CNC-verspanen voor beginners",
            "CNC machining for beginners",
            "2027-04-12",
            "1250",
        ),
        (
            "mechatronica-eindhoven",
            "Eindhoven",
            "Mechatronica: avondopleiding",
            "Mechatronics evening course",
            "2027-09-01",
            "2400",
        ),
        (
            "techniek-orientatie-son",
            "Son en Breugel",
            "Proefdag techniek: ontdek of hightech bij je past",
            "Try-out day: is high tech for you?",
            "2027-01-23",
            "0",
        ),
    ]
    for offer_id, municipality, title, title_en, start, price in tech:
        add(
            offer_id,
            "leerfabriek",
            "training" if price == "0" else "course",
            title,
            title_en,
            "De hightech bedrijven in de Brainport-regio zoeken veel mensen. Je leert werken met "
            "machines, meten en kwaliteit bewaken. Praktisch, met een stage bij een bedrijf in de regio.",
            ["techniek", "hightech"],
            [
                run(
                    f"{offer_id}-1",
                    "on_site",
                    start,
                    start if "Proefdag" in title else None,
                    price,
                    location=place(municipality, "Leerfabriek"),
                    seats=16,
                )
            ],
            keywords="hightech techniek operator maakindustrie brainport machines",
            target_groups=["werkzoekenden", "zij-instromers"],
            level="secondary vocational education 2",
        )
    logistics = [
        (
            "heftruck-helmond",
            "Helmond",
            "Heftruckcertificaat in twee dagen",
            "Forklift certificate in two days",
            "2027-01-14",
            "395",
        ),
        (
            "orderpicker-deurne",
            "Deurne",
            "Aan de slag als orderpicker",
            "Start as an order picker",
            "2027-02-01",
            "0",
        ),
        (
            "logistiek-medewerker-gemert",
            "Gemert-Bakel",
            "Logistiek medewerker (mbo 2) leren en werken",
            "Logistics employee (MBO 2), work and learn",
            "2027-03-01",
            "0",
        ),
        (
            "reachtruck-veldhoven",
            "Veldhoven",
            "Reachtruck rijden: praktijkcursus",
            "Reach truck driving: practical course",
            "2027-02-18",
            "425",
        ),
        (
            "logistiek-oriëntatie-someren",
            "Someren",
            "Oriëntatie op werk in de logistiek",
            "Orientation: working in logistics",
            "2027-01-26",
            "0",
        ),
    ]
    for offer_id, municipality, title, title_en, start, price in logistics:
        add(
            offer_id.replace("ë", "e"),
            "logistiek-leerplein",
            "training",
            title,
            title_en,
            "In de logistiek is veel werk: in magazijnen en distributiecentra in de regio. Je leert "
            "veilig werken, orders verzamelen en rijden met heftruck of reachtruck.",
            ["logistiek"],
            [
                run(
                    f"{offer_id.replace('ë', 'e')}-1",
                    "on_site",
                    start,
                    None,
                    price,
                    location=place(municipality, "Logistiek Leerplein"),
                    seats=10,
                )
            ],
            keywords="logistiek magazijn heftruck orderpicker distributiecentrum",
            target_groups=["werkzoekenden"],
            level="secondary vocational education 2" if "mbo" in title else None,
        )
    office = [
        (
            "excel-basis-veldhoven",
            "Veldhoven",
            "Excel voor beginners",
            "Excel for beginners",
            "hybrid",
            "2027-01-20",
            "225",
        ),
        (
            "office-online",
            None,
            "Online cursus Word, Excel en Outlook",
            "Online course Word, Excel and Outlook",
            "online",
            "2026-10-01",
            "129",
        ),
        (
            "administratief-medewerker-eindhoven",
            "Eindhoven",
            "Administratief medewerker (mbo 3)",
            "Administrative assistant (MBO 3)",
            "on_site",
            "2027-02-01",
            "1850",
        ),
        (
            "klantcontact-helmond",
            "Helmond",
            "Werken op kantoor: klantcontact en telefoon",
            "Office work: customer contact",
            "on_site",
            "2027-03-08",
            "0",
        ),
        (
            "secretariaat-geldrop",
            "Geldrop-Mierlo",
            "Secretariële vaardigheden opfrissen",
            "Refresh your secretarial skills",
            "on_site",
            "2027-04-14",
            "345",
        ),
    ]
    for offer_id, municipality, title, title_en, mode, start, price in office:
        add(
            offer_id,
            "kantoor-academie",
            "course",
            title,
            title_en,
            "Leer de vaardigheden voor werk op kantoor: mailen, plannen, werken met Word en Excel "
            "en klanten netjes te woord staan. Met oefeningen uit de praktijk.",
            ["kantoor", "digitale_vaardigheden"],
            [
                run(
                    f"{offer_id}-1",
                    mode,
                    start,
                    "2027-06-30" if mode == "online" else None,
                    price,
                    location=place(municipality, "Kantooracademie") if municipality else None,
                    seats=14,
                )
            ],
            keywords="kantoor administratie office excel word secretariaat klantcontact",
            level="secondary vocational education 3" if "mbo 3" in title else None,
        )
    ai = [
        (
            "ai-basis-eindhoven",
            "Eindhoven",
            "on_site",
            "AI voor iedereen: wat kun je met ChatGPT?",
            "AI for everyone: what can you do with ChatGPT?",
            "2027-01-13",
            "0",
        ),
        (
            "ai-werk-online",
            None,
            "online",
            "Online cursus: slim werken met AI",
            "Online course: working smarter with AI",
            "2026-11-01",
            "89",
        ),
        (
            "ai-senioren-helmond",
            "Helmond",
            "on_site",
            "Kunstmatige intelligentie uitgelegd voor senioren",
            "Artificial intelligence explained for seniors",
            "2027-02-17",
            "0",
        ),
        (
            "ai-ondernemers-veldhoven",
            "Veldhoven",
            "hybrid",
            "AI in je bedrijf: workshop voor mkb",
            "AI in your business: SME workshop",
            "2027-03-10",
            "150",
        ),
    ]
    for offer_id, municipality, mode, title, title_en, start, price in ai:
        add(
            offer_id,
            "ai-werkplaats",
            "course" if price != "0" else "event",
            title,
            title_en,
            "Wat is kunstmatige intelligentie (AI) en wat kun je ermee? Je probeert zelf ChatGPT en "
            "andere hulpmiddelen uit. Je leert ook waar je op moet letten: privacy en fouten.",
            ["digitale_vaardigheden", "ai"],
            [
                run(
                    f"{offer_id}-1",
                    mode,
                    start,
                    "2027-12-31" if mode == "online" else start if price == "0" else None,
                    price,
                    location=place(municipality, "AI Werkplaats") if municipality else None,
                    seats=30,
                )
            ],
            keywords="ai kunstmatige intelligentie chatgpt copilot digitaal",
            target_groups=["senioren"]
            if "senioren" in title
            else (["ondernemers"] if "mkb" in title else ["iedereen"]),
        )
    english = [
        (
            "engels-beginners-geldrop",
            "Geldrop-Mierlo",
            "on_site",
            "Engels voor beginners",
            "English for beginners",
            "2027-01-19",
            "185",
        ),
        (
            "engels-werk-eindhoven",
            "Eindhoven",
            "on_site",
            "Engels op het werk",
            "English at work",
            "2027-02-09",
            "325",
        ),
        (
            "engels-online",
            None,
            "online",
            "Online Engels opfrissen",
            "Online English refresher",
            "2027-01-04",
            "99",
        ),
        (
            "engels-conversatie-nuenen",
            "Nuenen c.a.",
            "on_site",
            "Engelse conversatie voor 55-plussers",
            "English conversation for over-55s",
            "2027-03-02",
            "120",
        ),
        (
            "engels-waalre",
            "Waalre",
            "on_site",
            "Engels voor op reis",
            "English for travelling",
            "2027-04-13",
            "110",
        ),
    ]
    for offer_id, municipality, mode, title, title_en, start, price in english:
        add(
            offer_id,
            "talencentrum-dommel",
            "course",
            title,
            title_en,
            "Leer Engels spreken en verstaan in een kleine groep. We oefenen met gesprekken uit het "
            "dagelijks leven en op het werk. Je hebt geen voorkennis nodig.",
            ["talen"],
            [
                run(
                    f"{offer_id}-1",
                    mode,
                    start,
                    None if mode != "online" else "2027-12-31",
                    price,
                    location=place(municipality, "Talencentrum") if municipality else None,
                    seats=12,
                    language="en",
                )
            ],
            keywords="engels english taal spreken",
            target_groups=["senioren"] if "55" in title else [],
            level="beginner" if "beginners" in title else None,
        )
    # 9. Career orientation, tests and tools, volunteering, events.
    add(
        "interessetest-online",
        "leerwerkloket",
        "test_or_tool",
        "Online interessetest: welk werk past bij mij?",
        "Online interest test: which work suits me?",
        "Doe gratis de interessetest. In 15 minuten ziet u welke beroepen bij uw interesses passen. "
        "Bespreek de uitslag daarna met een adviseur van het Leerwerkloket.",
        ["loopbaan"],
        [run("interessetest-online-1", "online", None, None, "0")],
        keywords="interessetest beroepentest test loopbaan beroepskeuze",
        target_groups=["iedereen"],
    )
    add(
        "vaardighedenscan-online",
        "leerwerkloket",
        "test_or_tool",
        "Vaardighedenscan: wat kan ik al?",
        "Skills scan: what can I already do?",
        "Met de vaardighedenscan brengt u in kaart wat u al kunt, ook als u geen diploma heeft. "
        "U krijgt een overzicht dat u kunt gebruiken voor uw cv of een EVC-traject.",
        ["loopbaan"],
        [run("vaardighedenscan-online-1", "online", None, None, "0")],
        keywords="vaardighedenscan skills scan test evc cv",
        target_groups=["iedereen"],
    )
    add(
        "digitale-vaardigheden-test",
        "digihulp-zuidoost",
        "test_or_tool",
        "Test je digitale vaardigheden",
        "Test your digital skills",
        "Hoe handig bent u met de computer en telefoon? Doe de korte test en krijg advies over een "
        "cursus die bij u past.",
        ["digitale_vaardigheden"],
        [run("digitale-vaardigheden-test-1", "online", None, None, "0")],
        keywords="test digitale vaardigheden computer zelftest",
    )
    loopbaan = [
        (
            "loopbaan-oirschot",
            "Oirschot",
            "Loopbaangesprek: wat wil ik met mijn werk?",
            "Career conversation",
            "walk_in_advice",
            None,
            "0",
        ),
        (
            "loopbaan-workshop-eersel",
            "Eersel",
            "Workshop: ontdek je talenten",
            "Workshop: discover your talents",
            "event",
            "2027-02-11",
            "0",
        ),
        (
            "loopbaan-45plus-bergeijk",
            "Bergeijk",
            "Loopbaanoriëntatie voor 45-plussers",
            "Career orientation for over-45s",
            "course",
            "2027-03-04",
            "175",
        ),
        (
            "evc-traject",
            "Eindhoven",
            "EVC-traject: erkenning van wat je al kunt",
            "Recognition of prior learning (EVC)",
            "course",
            None,
            "1250",
        ),
        (
            "sollicitatietraining-helmond",
            "Helmond",
            "Sollicitatietraining: cv en gesprek",
            "Job application training: CV and interview",
            "training",
            "2027-01-25",
            "0",
        ),
        (
            "loopbaan-online-webinar",
            None,
            "Webinar: ander werk zoeken na je 50ste",
            "Webinar: changing jobs after 50",
            "event",
            "2027-02-04",
            "0",
        ),
    ]
    for offer_id, municipality, title, title_en, kind, start, price in loopbaan:
        add(
            offer_id,
            "loopbaanpunt" if offer_id != "evc-traject" else "leerwerkloket",
            kind,
            title,
            title_en,
            "Weet u niet goed welk werk of welke opleiding bij u past? Samen met een loopbaanadviseur "
            "kijkt u naar uw talenten, uw ervaring en de banen in de regio. U gaat naar huis met een plan.",
            ["loopbaan"],
            [
                run(
                    f"{offer_id}-1",
                    "online" if municipality is None else "on_site",
                    start,
                    start if kind == "event" else None,
                    price,
                    location=place(municipality, "Loopbaanpunt") if municipality else None,
                    schedule="op afspraak" if kind == "walk_in_advice" else None,
                )
            ],
            keywords="loopbaan oriëntatie talenten ander werk beroepskeuze carriere evc",
            target_groups=["45-plussers"] if "45" in title or "50" in title else ["iedereen"],
        )
    vrijwillig = [
        (
            "vrijwilligerswerk-eindhoven",
            "Eindhoven",
            "Vrijwilligerswerk vinden: spreekuur",
            "Find volunteer work: walk-in hour",
            "walk_in_advice",
        ),
        (
            "vrijwilligers-training-helmond",
            "Helmond",
            "Training voor nieuwe vrijwilligers",
            "Training for new volunteers",
            "training",
        ),
        (
            "taalmaatje-worden",
            "Veldhoven",
            "Word taalmaatje: training voor vrijwilligers",
            "Become a language buddy: volunteer training",
            "training",
        ),
        (
            "vrijwilligersmarkt-valkenswaard",
            "Valkenswaard",
            "Vrijwilligersmarkt Valkenswaard",
            "Volunteer market Valkenswaard",
            "event",
        ),
        (
            "vrijwilligers-digihulp",
            "Eersel",
            "Word vrijwilliger bij het Digitaal Café",
            "Volunteer at the Digital Café",
            "informal_learning",
        ),
    ]
    for number, (offer_id, municipality, title, title_en, kind) in enumerate(vrijwillig):
        start = (
            None if kind in ("walk_in_advice", "informal_learning") else f"2027-{2 + number:02d}-1{number}"
        )
        add(
            offer_id,
            "vrijwilligers",
            kind,
            title,
            title_en,
            "Wilt u iets betekenen voor een ander en zelf iets leren? Als vrijwilliger doet u "
            "werkervaring op en leert u nieuwe mensen kennen. "
            "Wij helpen u een plek te vinden die bij u past.",
            ["vrijwilligerswerk"],
            [
                run(
                    f"{offer_id}-1",
                    "on_site",
                    start,
                    start if kind == "event" else None,
                    "0",
                    location=place(municipality, "Vrijwilligerscentrale"),
                    schedule="elke donderdag 10.00-12.00 uur" if kind == "walk_in_advice" else None,
                )
            ],
            keywords="vrijwilliger vrijwilligerswerk vrijwilligers helpen werkervaring",
            target_groups=["iedereen"],
        )
    events = [
        (
            "leerfestival-eindhoven",
            "Eindhoven",
            "Leerfestival Brainport: dag van leren en werken",
            "Brainport learning festival",
            "2027-03-20",
        ),
        (
            "banenmarkt-helmond",
            "Helmond",
            "Banen- en opleidingenmarkt Helmond",
            "Jobs and training fair Helmond",
            "2027-04-08",
        ),
        (
            "open-dag-zorg-veldhoven",
            "Veldhoven",
            "Open dag werken in de zorg",
            "Open day: working in healthcare",
            "2027-02-27",
        ),
        (
            "week-van-lezen-laarbeek",
            "Laarbeek",
            "Week van Lezen en Schrijven: open taalles",
            "Reading and writing week: open language class",
            "2027-09-08",
        ),
    ]
    for offer_id, municipality, title, title_en, start in events:
        add(
            offer_id,
            "leerwerkloket" if "zorg" not in offer_id else "zorgacademie-zo",
            "event",
            title,
            title_en,
            "Een dag vol informatie: maak kennis met opleidingen, werkgevers en adviseurs uit de regio. "
            "Gratis toegang, aanmelden is niet nodig.",
            ["loopbaan"],
            [
                run(
                    f"{offer_id}-1",
                    "on_site",
                    start,
                    start,
                    "0",
                    location=place(municipality, "Evenementenlocatie"),
                )
            ],
            keywords="evenement markt banen opleidingen informatie",
            target_groups=["iedereen"],
        )
    # Dorpshuizen: informal learning in villages (digital, language, meeting).
    dorp = [
        ("Lierop", "Koffie en computer in Lierop"),
        ("Hapert", "Samen digitaal in Hapert"),
        ("Liessel", "Buurtcomputerclub Liessel"),
        ("Middelbeers", "Computerhulp in het dorpshuis Middelbeers"),
        ("Lage Mierde", "Digitale hulp in Lage Mierde"),
        ("Dommelen", "Computerclub Dommelen"),
        ("Aalst", "Digitaal Café Aalst"),
        ("Breugel", "Computerinloop Breugel"),
        ("Meerhoven", "Buurthuis Meerhoven: hulp met je telefoon"),
        ("Heusden", "Computerhulp Heusden"),
        ("Vessem", "Samen digitaal in Vessem"),
        ("Zeelst", "Digitaal Café Zeelst"),
        ("Lieshout", "Computerinloop Lieshout"),
    ]
    for number, (village, title) in enumerate(dorp):
        add(
            f"dorpshuis-digitaal-{village.lower().replace(' ', '-')}",
            "dorpshuizen",
            "informal_learning",
            title,
            f"Digital help in the community centre of {village}",
            "Elke week helpen vrijwilligers u in het dorpshuis met uw computer, tablet of telefoon. "
            "Stel uw vraag of oefen samen met anderen. De koffie staat klaar.",
            ["digitale_vaardigheden"],
            [
                run(
                    f"dorpshuis-digitaal-{village.lower().replace(' ', '-')}-1",
                    "on_site",
                    None,
                    None,
                    "0" if number % 4 else "2",
                    location=village_place(village, f"Dorpshuis {village}"),
                    schedule=f"elke {weekdays[number % 5]}middag",
                )
            ],
            keywords="computer tablet telefoon hulp dorpshuis vrijwilligers digitaal",
            target_groups=["senioren", "iedereen"],
        )
    # Ended offering (must never show in search) and a full past course.
    add(
        "computer-2025-helmond",
        "bieb-helmond-peel",
        "course",
        "Computercursus najaar 2025 (afgelopen)",
        "Computer course autumn 2025 (ended)",
        "Deze cursus is afgelopen. Kijk voor een nieuwe cursus in het aanbod van de bibliotheek.",
        ["digitale_vaardigheden"],
        [
            run(
                "computer-2025-helmond-1",
                "on_site",
                "2025-09-01",
                "2025-11-30",
                "0",
                location=place("Helmond", "Bibliotheek Helmond"),
            )
        ],
        keywords="computer cursus",
    )
    # 10. Schemes with their validity dates (real national schemes, described as of 2026-11).
    add(
        "regeling-slim",
        "regelingen",
        "scheme",
        "SLIM-regeling voor werkgevers (mkb)",
        "SLIM scheme for employers (SMEs)",
        "SLIM is een subsidie voor werkgevers, vooral in het mkb. Niet voor individuele werknemers. "
        "Een werkgever kan subsidie krijgen voor een scan van het bedrijf, ontwikkeladvies voor "
        "personeel of leren op de werkvloer. De regeling loopt tot 1 januari 2030. Aanvragen kan in "
        "vaste periodes per jaar via uwv.nl.",
        ["regelingen"],
        [run("regeling-slim-1", "online", "2020-03-01", None, "0")],
        keywords="slim subsidie werkgever mkb scholing ontwikkeladvies leren werk regeling",
        target_groups=["werkgevers"],
        valid_from="2020-03-01",
        valid_until="2030-01-01",
        url="https://www.uwv.nl/werkgevers/",
    )
    add(
        "regeling-stap-budget",
        "regelingen",
        "scheme",
        "STAP-budget (gestopt)",
        "STAP budget (ended)",
        "Het STAP-budget was een budget van maximaal 1.000 euro per jaar voor scholing, via UWV. "
        "De regeling liep in 2022 en 2023. De laatste aanvraagronde was op 15 november 2023. "
        "Sinds 1 januari 2024 bestaat het STAP-budget niet meer. U kunt het niet meer aanvragen.",
        ["regelingen"],
        [run("regeling-stap-budget-1", "online", "2022-03-01", "2023-12-31", "0")],
        keywords="stap stapbudget budget scholing uwv subsidie regeling 1000 euro",
        target_groups=["iedereen"],
        valid_from="2022-03-01",
        valid_until="2024-01-01",
        url="https://www.uwv.nl/",
    )


def main() -> None:
    """Build and write the sample catalogue JSON."""
    build()
    seen = set()
    for offer in offers:
        assert offer["id"] not in seen, offer["id"]
        seen.add(offer["id"])
    document = {
        "_note": (
            "FICTIEF VOORBEELDAANBOD / FICTIONAL SAMPLE CATALOGUE. Aanbieders, cursussen, data, "
            "prijzen en adressen zijn verzonnen voor demo's en tests. Alleen de regelingen SLIM "
            "en STAP-budget beschrijven echte landelijke regelingen (stand november 2026)."
        ),
        "fictional": True,
        "source": "sample",
        "generated_by": "offer_catalogue/data/build_sample.py",
        "checked_on": CHECKED_ON,
        "providers": [
            {
                "id": provider_id,
                "name": name,
                "organization_type": kind,
                "municipality": municipality,
                "url": f"{BASE_URL}/aanbieders/{provider_id}",
                "description": "Fictieve aanbieder in het voorbeeldaanbod van Leerwijzer.",
            }
            for provider_id, name, kind, municipality in PROVIDERS
        ],
        "offers": offers,
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(offers)} offers from {len(PROVIDERS)} providers to {OUTPUT}")


if __name__ == "__main__":
    main()
