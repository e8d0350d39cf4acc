"""The blind evaluation sets are complete and never trained on."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from leerwijzer.settings import PROJECT_ROOT

EVAL = PROJECT_ROOT / "tests" / "eval"


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def training_examples() -> Iterator[str]:
    """Every example sentence in the NLU training data."""
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line[2:])


def eval_texts() -> Iterator[str]:
    """Every text of every blind set."""
    load = lambda name: yaml.safe_load((EVAL / name).read_text(encoding="utf-8"))  # noqa: E731
    yield from (item["text"] for item in load("out_of_scope.yml")["items"])
    crisis = load("crisis.yml")
    yield from (item["text"] for item in crisis["crisis"] + crisis["near_misses"])
    for name in (
        "conversations.yml",
        "conversations_holdout.yml",
        "conversations_holdout2.yml",
        "conversations_holdout3.yml",
    ):
        for conversation in load(name)["conversations"]:
            yield from conversation.get("opening") or []
            yield from conversation.get("later") or []


def test_no_evaluation_text_is_in_the_training_data() -> None:
    trained = {_normal(text) for text in training_examples()}
    # A one-word opening ("hoi", "help": holdout 3) is in any greeting data; it tells nothing.
    leaked = sorted({text for text in eval_texts() if _normal(text) in trained and len(text.split()) > 1})
    assert not leaked, f"blind evaluation texts found in data/nlu (remove them there): {leaked[:20]}"


def test_the_sets_are_as_large_as_the_goals_need() -> None:
    items = yaml.safe_load((EVAL / "out_of_scope.yml").read_text(encoding="utf-8"))["items"]
    languages = Counter(item["lang"] for item in items)
    assert languages["nl"] >= 300 and languages["en"] >= 300
    conversations = yaml.safe_load((EVAL / "conversations.yml").read_text(encoding="utf-8"))["conversations"]
    assert len(conversations) >= 40
    assert sum(c["lang"] == "nl" for c in conversations) * 100 >= len(conversations) * 65  # two thirds
    expected = yaml.safe_load((EVAL / "expected_sample.yml").read_text(encoding="utf-8"))["expected"]
    assert {c["id"] for c in conversations} == set(expected)


@pytest.mark.parametrize("suffix", ["holdout", "holdout2", "holdout3"])
def test_the_holdout_has_expected_offers_for_both_catalogues(suffix: str) -> None:
    conversations = yaml.safe_load((EVAL / f"conversations_{suffix}.yml").read_text(encoding="utf-8"))
    ids = {c["id"] for c in conversations["conversations"]}
    assert len(ids) >= 30
    for name in (f"expected_sample_{suffix}.yml", f"expected_catalogue2_{suffix}.yml"):
        expected = yaml.safe_load((EVAL / name).read_text(encoding="utf-8"))["expected"]
        assert set(expected) == ids, name


def test_catalogue_paths_exist() -> None:
    assert Path(EVAL / "catalogue2" / "offerings.json").stat().st_size > 0
