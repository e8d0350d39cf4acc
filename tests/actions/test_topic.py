"""Topic extraction from free text."""

import pytest

from actions.topic import extract_topic


@pytest.mark.parametrize(
    ("text", "places", "expected"),
    [
        ("Ik zoek een computercursus in Helmond", ("Helmond",), "computercursus"),
        ("ik wil beter Nederlands leren", (), "nederlands"),
        ("I am looking for a computer course in Eindhoven", ("Eindhoven",), "computer"),
        ("cursus mantelzorg", (), "mantelzorg"),
        ("ik zoek een cursus", (), None),
        ("", (), None),
        ("🙂🙂", (), None),
    ],
)
def test_extract_topic(text, places, expected):
    assert extract_topic(text, places) == expected
