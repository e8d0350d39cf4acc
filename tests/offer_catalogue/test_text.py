"""Tests for Dutch text analysis: stemming, compounds, synonyms and typos."""

from __future__ import annotations

import pytest

from offer_catalogue.text import analyse_document, analyse_query, split_compound, stem


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("cursussen", "cursus"),
        ("computers", "computer"),
        ("talen", "tal"),
        ("taal", "tal"),
        ("vaardigheden", "vaardigheid"),
        ("lessen", "les"),
        ("mantelzorgers", "mantelzorger"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    """Plurals and -heden endings meet their singular form."""
    assert stem(word) == expected


def test_compound_splitting() -> None:
    """Compounds split into known pieces; known words stay whole."""
    assert split_compound("computercursus") == ("computer", "cursus")
    assert split_compound("taalcursus") == ("taal", "cursus")
    assert split_compound("heftruckcursussen") == ("heftruck", "cursussen")
    assert split_compound("digitaal") == ()


def test_query_drops_stopwords_and_marks_generic_words() -> None:
    """'ik zoek een cursus in' leaves only the meaningful word."""
    analysed = analyse_query("ik zoek een cursus over computers")
    assert [group.word for group in analysed.meaningful_groups] == ["computers"]
    assert "cursus" in analysed.generic_words


def test_query_synonyms_and_typos() -> None:
    """Synonyms and typo corrections add index terms with lower quality."""
    terms = analyse_query("mantelzrog").meaningful_groups[0].terms
    assert terms["mantelzorg"] < terms["mantelzrog"]
    assert "pc" in analyse_query("computer").meaningful_groups[0].terms
    english = analyse_query("dementia carers")
    assert "dementie" in english.meaningful_groups[0].terms


def test_document_terms_keep_the_best_weight() -> None:
    """A word in the title outweighs the same word in the description."""
    terms = analyse_document([("Computercursus", 30), ("computer en internet", 10)])
    assert terms["computer"] == 27 and terms["computercursus"] == 30 and terms["internet"] == 10
