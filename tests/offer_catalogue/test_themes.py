"""Theme taxonomy: the data file is complete and the matcher maps everyday messages to themes."""

from __future__ import annotations

import time

import pytest

from offer_catalogue import themes as theme_module
from offer_catalogue.themes import match_themes, suggest_themes, theme_labels, theme_query, themes

# Themes the regional offer needs (the brief of the taxonomy); ids never change once used.
REQUIRED = (
    "leadership",
    "care_work",
    "dementia_informal_care",
    "dutch_second_language",
    "reading_writing",
    "smartphone_tablet",
    "computer_basics",
    "government_digid",
    "photos",
    "welding",
    "forklift",
    "cnc",
    "painting_trade",
    "bookkeeping_vat",
    "starting_business",
    "stopping_business",
    "ai",
    "english",
    "excel",
    "youth_sport_coaching",
    "volunteering",
    "recognising_skills",
    "job_applications",
    "customer_service",
    "hospitality",
    "logistics",
    "first_aid",
    "safety_vca",
    "sign_language",
    "crafts",
    "money_budgeting",
    "technical_trades",
)


def ids(text: str) -> list[str]:
    """Theme ids found in text, best first."""
    return [match.theme for match in match_themes(text)]


def test_the_taxonomy_is_big_enough_and_bilingual():
    loaded = themes()
    assert len(loaded) >= 40
    assert set(REQUIRED) <= set(loaded)
    for theme in loaded.values():
        assert theme.nl and theme.en and theme.query, theme.id
        assert len(theme.terms) >= 4, theme.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik wil leren leidinggeven aan mijn ploeg", "leadership"),
        ("I was just promoted to team leader", "leadership"),
        ("mijn moeder heeft dementie, hoe ga ik daarmee om", "dementia_informal_care"),
        ("I care for my dad who has dementia", "dementia_informal_care"),
        ("ik wil graag met mensen werken", "care_work"),
        ("I need to learn Dutch for my job", "dutch_second_language"),
        ("ik wil beter Nederlands leren", "dutch_second_language"),
        ("hoe werkt mijn smartfoon eigenlijk", "smartphone_tablet"),
        ("mijn mobieltje doet raar", "smartphone_tablet"),
        ("inloggen met DigiD lukt niet", "government_digid"),
        ("ik wil leren lassen", "welding"),
        ("heftruckcertificaat halen", "forklift"),
        ("een CNC cursus in de avond", "cnc"),
        ("boekhouding en btw voor mijn zzp bedrijf", "bookkeeping_vat"),
        ("ik wil voor mezelf beginnen", "starting_business"),
        ("ik wil stoppen met mijn bedrijf", "stopping_business"),
        ("wat kan ik met ChatGPT", "ai"),
        ("ik wil Excel leren", "excel"),
        ("jeugdtrainer worden bij de voetbalclub", "youth_sport_coaching"),
        ("ik zoek vrijwilligerswerk", "volunteering"),
        ("laten zien wat ik kan zonder diploma", "recognising_skills"),
        ("hulp bij mijn cv en sollicitatiebrief", "job_applications"),
        ("ehbo-cursus", "first_aid"),
        ("EHBOcursus", "first_aid"),
        ("VCA halen voor de bouw", "safety_vca"),
        ("cursus gebarentaal", "sign_language"),
        ("omgaan met geld en rondkomen", "money_budgeting"),
        ("warmtepomp installeren leren", "technical_trades"),
        ("foto's bewerken op de computer", "photos"),
    ],
)
def test_everyday_sentences_map_to_their_theme(text, expected):
    assert expected in ids(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("compuetr les", "computer_basics"),
        ("leidinggeve", "leadership"),
        ("boekhoudng", "bookkeeping_vat"),
        ("mantelzrg", "dementia_informal_care"),
        ("smartfoon", "smartphone_tablet"),
        # misspellings that the word tables hold as words still count (a review's examples)
        ("ik wil nederands leren", "dutch_second_language"),
        ("programing", "it_programming"),
        ("vrijwiliger worden", "volunteering"),
        # childcare in everyday words
        ("work with children, like in daycare or BSO", "childcare_education"),
        ("pensioen, kvk uitschrijven, misschien de zaak verkopen", "stopping_business"),
    ],
)
def test_typos_still_match(text, expected):
    assert ids(text)[:1] == [expected]


def test_exact_words_score_higher_than_typos():
    [exact] = match_themes("computer")
    [typo] = match_themes("compuetr")
    assert exact.score == 1.0
    assert 0.75 <= typo.score < exact.score


def test_the_longest_phrase_wins_so_one_word_counts_once():
    # "nederlandse gebarentaal" is sign language, not learning Dutch.
    assert ids("cursus nederlandse gebarentaal") == ["sign_language"]


@pytest.mark.parametrize(
    "text",
    [
        "ik wil me inschrijven",
        "hoi",
        "ja graag",
        "ik woon in Best",
        "ik heb het gelezen",
        "quantumfysica",
        # real words are no typos: "children" is not "schilderen" (session 4, development holdout)
        "I have two children",
        "my neighbours are friendly",
    ],
)
def test_messages_without_a_subject_find_no_theme(text):
    assert ids(text) == []


def test_skip_words_do_not_count():
    assert ids("les in het engels") == ["english"]
    assert match_themes("les in het engels", skip_words=["engels"]) == []


def test_suggestions_are_near_themes_or_common_ones():
    assert "painting_trade" in suggest_themes("schilderij restaureren")
    assert suggest_themes("xyzzy") == list(theme_module.DEFAULT_SUGGESTIONS[:3])


def test_labels_and_query_words():
    assert theme_labels(["welding", "nope"], "en") == ["welding"]
    assert theme_labels(["welding"], "nl") == ["lassen"]
    assert theme_query(["welding", "forklift"]) == "lassen lasser heftruck"


def test_matching_is_fast():
    text = "I just moved to Eindhoven and need to learn Dutch for my job, cheap please"
    match_themes(text)
    start = time.perf_counter()
    for _ in range(200):
        match_themes(text)
    per_message = (time.perf_counter() - start) / 200
    assert per_message < 0.001
