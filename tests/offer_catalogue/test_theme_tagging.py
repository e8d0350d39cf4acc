"""Theme tagging of offers: a set of invented, realistic offers (nl and en) with the expected themes."""

from __future__ import annotations

import pytest

from offer_catalogue.theme_tagging import (
    MAX_THEMES,
    WEIGHT_THEME,
    doubt_reason,
    isced_themes,
    tag_offer,
    theme_term,
)
from offer_catalogue.themes import themes

# (title, description, keywords, learning outcomes, ISCED fields, given themes) -> expected themes.
# `expected` must all be found; `absent` must not be found. Written from the offer text, not
# from the tagger's output.
# fmt: off
OFFERS = [
    (
        "Digitale basisvaardigheden voor 55-plussers",
        "In zes lessen leer je werken met de computer: e-mail, internet en bestanden opslaan. "
        "De lessen zijn in het Nederlands.",
        None, None, None, (),
        {"computer_basics"}, {"dutch_second_language"},
    ),
    (
        "Bakken voor beginners",
        "Werken met mensen vind je leuk? In deze workshop bak je brood en taart. "
        "De lessen zijn in het Nederlands. Neem je laptop mee voor de recepten.",
        None, None, None, (),
        set(), {"care_work", "dutch_second_language", "computer_basics"},
    ),
    (
        "Nederlands als tweede taal (NT2) A2",
        "Je leert beter Nederlands spreken, lezen en schrijven voor je inburgering.",
        None, None, None, (),
        {"dutch_second_language"}, set(),
    ),
    (
        "Learn Dutch: beginners course",
        "A course for newcomers who want to speak Dutch at work and in daily life.",
        None, None, None, (),
        {"dutch_second_language"}, {"english"},
    ),
    (
        "Business English for professionals",
        "Improve your English for meetings, e-mails and presentations. Taught in English.",
        None, None, None, (),
        {"english"}, set(),
    ),
    (
        "Heftruckcertificaat in één dag",
        "Praktijktraining heftruck rijden met theorie-examen. Veilig werken in het magazijn.",
        None, None, None, (),
        {"forklift"}, set(),
    ),
    (
        "Basiscursus lassen MIG/MAG",
        "Leer lassen in onze werkplaats. Je werkt met staal en aluminium.",
        None, None, "0715", (),
        {"welding"}, {"care_work"},
    ),
    (
        "Verzorgende IG (mbo 3) leren en werken",
        "Je werkt in de ouderenzorg en leert op school. Een mooi vak voor wie graag werkt met mensen.",
        None, None, "0913", (),
        {"care_work"}, set(),
    ),
    (
        "Training omgaan met dementie",
        "Voor mantelzorgers die zorgen voor een partner of ouder met dementie.",
        None, None, None, (),
        {"dementia_informal_care"}, set(),
    ),
    (
        "Excel voor op het werk",
        "Leer rekenen met formules, tabellen maken en grafieken. Neem je laptop mee.",
        "excel spreadsheet", None, None, (),
        {"excel"}, {"numeracy", "computer_basics"},
    ),
    (
        "Boekhouden en btw voor zzp'ers",
        "Je leert je administratie bijhouden, facturen maken en btw-aangifte doen.",
        None, None, "0411", (),
        {"bookkeeping_vat"}, set(),
    ),
    (
        "Start je eigen bedrijf",
        "Van idee tot ondernemingsplan: alles wat je moet weten om als zzp'er te beginnen.",
        None, None, None, (),
        {"starting_business"}, set(),
    ),
    (
        "Bedrijfsoverdracht: stoppen met je onderneming",
        "Wat regel je als je met je bedrijf stopt? Over bedrijfsoverdracht, pensioen en belasting.",
        None, None, None, (),
        {"stopping_business"}, set(),
    ),
    (
        "AI voor iedereen",
        "Wat kun je met ChatGPT en andere vormen van kunstmatige intelligentie?",
        None, None, None, (),
        {"ai"}, set(),
    ),
    (
        "Sollicitatietraining",
        "Schrijf een sterke sollicitatiebrief en oefen het sollicitatiegesprek. Ook je cv komt aan bod.",
        None, None, None, (),
        {"job_applications"}, set(),
    ),
    (
        "Loopbaanadvies voor 45-plussers",
        "Wil je ander werk of omscholen? Een loopbaancoach denkt met je mee.",
        None, None, None, (),
        {"career"}, set(),
    ),
    (
        "EHBO-diploma",
        "Leer eerste hulp verlenen bij ongelukken. Inclusief reanimatie en AED.",
        None, None, None, (),
        {"first_aid"}, set(),
    ),
    (
        "VCA Basis",
        "Het veiligheidscertificaat voor wie in de bouw of techniek werkt.",
        None, None, "1022", (),
        {"safety_vca"}, {"construction", "technical_trades"},
    ),
    (
        "Cursus Nederlandse Gebarentaal 1",
        "Communiceren met doven en slechthorenden in je omgeving.",
        None, None, None, (),
        {"sign_language"}, {"dutch_second_language"},
    ),
    (
        "Breien en haken voor beginners",
        "Gezellig samen handwerken. Materiaal is aanwezig.",
        None, None, None, (),
        {"crafts"}, set(),
    ),
    (
        "Omgaan met geld",
        "Leer budgetteren en een huishoudboekje bijhouden, zodat je beter rondkomt.",
        None, None, None, (),
        {"money_budgeting"}, set(),
    ),
    (
        "Monteur installatietechniek (mbo 2)",
        "Je installeert warmtepompen en zonnepanelen. Leren en werken tegelijk.",
        None, None, "0713", (),
        {"technical_trades"}, set(),
    ),
    (
        "Timmeren en metselen: oriëntatie op de bouw",
        "Drie praktijkdagen op een bouwplaats.",
        None, None, "0732", (),
        {"construction"}, set(),
    ),
    (
        "Pedagogisch medewerker kinderopvang",
        "Je werkt met kinderen van 0 tot 4 jaar in een kinderdagverblijf.",
        None, None, "0922", (),
        {"childcare_education"}, set(),
    ),
    (
        "Schoonmaakmedewerker: basistraining",
        "Professioneel schoonmaken in kantoren en scholen.",
        None, None, None, (),
        {"cleaning"}, {"office_admin"},
    ),
    (
        "Opleiding beveiliger (mbo 2)",
        "Word beveiliger bij evenementen en in winkels.",
        None, None, "1032", (),
        {"security"}, set(),
    ),
    (
        "Secretariële vaardigheden",
        "Agendabeheer, notuleren en correspondentie voor het secretariaat.",
        None, None, "0415", (),
        {"office_admin"}, set(),
    ),
    (
        "Instagram en Facebook voor je winkel",
        "Laat je bedrijf zien op sociale media.",
        None, None, None, (),
        {"social_media"}, set(),
    ),
    (
        "Veilig online: herken phishing",
        "Nepmails, oplichting en sterke wachtwoorden. Neem je eigen telefoon mee.",
        None, None, None, (),
        {"online_safety"}, {"smartphone_tablet"},
    ),
    (
        "Gezond leven na je 60ste",
        "Over gezond eten, bewegen en goed slapen.",
        None, None, None, (),
        {"health_lifestyle"}, set(),
    ),
    (
        "Positief opvoeden",
        "Cursus voor ouders van pubers over opvoeding en grenzen stellen.",
        None, None, None, (),
        {"parenting"}, set(),
    ),
    (
        "Spaans voor op vakantie",
        "Eenvoudige gesprekken in het Spaans. De les wordt gegeven in het Nederlands.",
        None, None, None, (),
        {"other_languages"}, {"dutch_second_language"},
    ),
    (
        "Code 95 nascholing",
        "Verplichte nascholing voor vrachtwagenchauffeurs.",
        None, None, None, (),
        {"driving_licence"}, set(),
    ),
    (
        "Verkoopmedewerker retail",
        "Klanten adviseren in de winkel en afrekenen aan de kassa.",
        None, None, "0416", (),
        {"retail_sales"}, set(),
    ),
    (
        "Hovenier: groen vakmanschap",
        "Tuinen aanleggen en onderhouden in de groenvoorziening.",
        None, None, "0812", (),
        {"green_sector"}, set(),
    ),
    (
        "Leren programmeren in Python",
        "Bring your own laptop. Je bouwt je eerste programma's.",
        None, None, "0613", (),
        {"it_programming"}, {"computer_basics"},
    ),
    (
        "Smartphone en tablet voor senioren",
        "WhatsApp, foto's sturen en apps installeren.",
        None, None, None, (),
        {"smartphone_tablet"}, set(),
    ),
    (
        "Van collega naar teamleider",
        "Leer leidinggeven aan je oud-collega's.",
        None, None, "0413", (),
        {"leadership"}, set(),
    ),
    pytest.param(
        (
            "Word taalmaatje",
            "Als vrijwilliger help je een nieuwkomer met de Nederlandse taal.",
            None, None, None, (),
            {"volunteering"}, set(),
        ),
        # Known miss: one mention in a description is below the evidence bar by design.
        marks=pytest.mark.xfail(reason="single description mention", strict=True),
    ),
    (
        "Kitchen skills for hospitality jobs",
        "Learn to cook in a professional kitchen and work in a restaurant.",
        None, ["You can prepare simple dishes", "You work safely and hygienically"], "1013", (),
        {"hospitality"}, set(),
    ),
    (
        "Werken in de logistiek",
        "Oriëntatie op werk als orderpicker in een magazijn.",
        None, None, "1041", (),
        {"logistics"}, set(),
    ),
    (
        "Studievaardigheden: leren leren",
        "Plannen, concentratie en examen voorbereiden.",
        None, None, "0031", (),
        {"learning_skills"}, set(),
    ),
    (
        "Taalcursus in de bibliotheek",
        "Oefen met lezen en schrijven in een kleine groep.",
        None, None, None, ("reading_writing",),
        {"reading_writing"}, set(),
    ),
]
# fmt: on


def _values(offer) -> tuple:
    """The fields of an offer tuple or pytest.param."""
    return offer.values[0] if hasattr(offer, "values") else offer


@pytest.mark.parametrize("offer", OFFERS, ids=[_values(offer)[0][:40] for offer in OFFERS])
def test_offer_gets_expected_themes(offer) -> None:
    """Each offer gets its subject themes and none of the themes its incidental words suggest."""
    title, description, keywords, outcomes, fields, given, expected, absent = _values(offer)
    found = dict(tag_offer(title, description, keywords, outcomes, fields, given))
    assert expected <= set(found), (title, found)
    assert not absent & set(found), (title, found)


def test_set_is_large_and_uses_only_known_themes() -> None:
    """The evaluation set is big enough to mean something and names only taxonomy ids."""
    assert len(OFFERS) >= 40
    known = set(themes())
    for offer in map(_values, OFFERS):
        assert offer[6] | offer[7] <= known, offer[0]


def test_given_taxonomy_themes_score_one_and_inferred_less() -> None:
    """Themes given in the data score 1.0; inferred themes stay below 1.0; sorted by score."""
    scored = tag_offer("Excel voor beginners", "", "excel", None, None, ["office_admin", "mantelzorg"])
    assert scored[0] == ("office_admin", 1.0)
    assert all(score < 1.0 for theme, score in scored if theme != "office_admin")
    assert [score for _, score in scored] == sorted((score for _, score in scored), reverse=True)


def test_given_labels_that_are_no_theme_count_as_keywords() -> None:
    """An old label such as "mantelzorg" points to its theme but does not score 1.0."""
    scored = dict(tag_offer("Mantelzorgcafé", "", None, None, None, ["mantelzorg"]))
    assert 0.5 < scored["dementia_informal_care"] < 1.0


def test_at_most_four_themes() -> None:
    """An offer that mentions everything still gets at most MAX_THEMES themes."""
    title = "Excel, lassen, EHBO, heftruck, boekhouden en Engels"
    assert len(tag_offer(title, title, title)) == MAX_THEMES == 4


def test_description_alone_needs_repetition_phrase_or_field() -> None:
    """One passing mention in a description is not enough; a second or an ISCED field is."""
    once = "Een gezellige middag. Je leert ook iets over lassen."
    assert tag_offer("Open dag", once) == []
    assert "welding" in dict(tag_offer("Open dag", once + " Lassen doe je zelf, met begeleiding."))
    assert "welding" in dict(tag_offer("Open dag", once, fields_of_study="0715"))


def test_two_devices_listed_together_are_the_subject() -> None:
    """"met uw computer, tablet of telefoon": phone help too, not only computer help (session 4).

    The four skills of a language course ("spreken, luisteren, lezen en schrijven") make no
    reading-and-writing course.
    """
    cafe = "Elke week helpen vrijwilligers u met uw computer, tablet of telefoon. De koffie staat klaar."
    assert "smartphone_tablet" in dict(tag_offer("Digitaal Café", cafe))
    passing = "Neem uw tablet mee. Koffie staat klaar."
    assert "smartphone_tablet" not in dict(tag_offer("Digitaal Café", passing))
    language = "Je oefent spreken, luisteren, lezen en schrijven in kleine groepen."
    assert "reading_writing" not in dict(tag_offer("Nederlands B1 (NT2)", language))


def test_typo_matching_is_not_used_for_course_text() -> None:
    """Typo matching is off for course text: learning is no typo of cleaning."""
    assert "cleaning" not in dict(tag_offer("Learning and working advice", ""))


def test_isced_codes_fall_back_to_shorter_prefixes() -> None:
    """A 4-digit code without its own entry uses its 3- or 2-digit field."""
    assert isced_themes("0732") == {"construction": 0.3, "painting_trade": 0.3}
    assert isced_themes("0923")["care_work"] == 0.5
    assert "care_work" in isced_themes("0919")  # not listed: field 091 health
    assert isced_themes(["0231 Talen"])["english"] > 0
    assert isced_themes(None) == {} and isced_themes("geen code") == {}


def test_theme_term_and_weight() -> None:
    """Theme index terms are "#" + id, at most 64 characters, weighted above titles."""
    assert theme_term("care_work") == "#care_work"
    assert len(theme_term("x" * 100)) == 64
    assert WEIGHT_THEME == 60


def test_doubt_reason() -> None:
    """Offers without a theme or with only weak themes are doubtful, with a reason."""
    assert doubt_reason([]) == "no theme found"
    assert "0.50" in (doubt_reason([("welding", 0.5)]) or "")
    assert doubt_reason([("welding", 0.9)]) is None
