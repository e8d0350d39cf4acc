"""Held-out NLU accuracy with the already-trained model (never trained on tests/nlu/heldout.yml)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.nlu.evaluation import evaluate_model, load_examples
from leerwijzer.settings import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
GOAL = 0.90


def normalised(text: str) -> str:
    return re.sub(r"[^\w ]", "", text.lower()).strip()


def training_texts() -> set[str]:
    texts = set()
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for text, _label in load_examples(path):
            texts.add(normalised(text))
    return texts


def test_heldout_file_is_big_enough_and_never_trained_on():
    examples = load_examples(HELDOUT)
    assert len(examples) >= 200
    overlap = [text for text, _ in examples if normalised(text) in training_texts()]
    assert overlap == []


def test_heldout_labels_exist_in_the_training_data():
    labels = {label for _text, label in load_examples(HELDOUT)}
    trained = set()
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                trained.add(block["intent"])
    assert labels <= trained


def model_under_test() -> Path:
    """LEERWIJZER_TEST_MODEL, else the model `make train` built for the current data; else skip.

    A model trained on older data would measure the wrong thing, so it is never used.
    """
    configured = os.environ.get("LEERWIJZER_TEST_MODEL")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else PROJECT_ROOT / path
    fingerprint = subprocess.run(
        ["scripts/fingerprint.sh", "config.yml", "bot/domain", "bot/nlu", "data"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    model = PROJECT_ROOT / "models" / f"leerwijzer-{fingerprint}.tar.gz"
    if not model.exists():
        pytest.skip(f"no model for the current data ({model.name}); run `make train`")
    return model


async def test_heldout_accuracy():
    evaluation = await evaluate_model(model_under_test(), load_examples(HELDOUT))
    assert evaluation.accuracy >= GOAL, f"{evaluation.accuracy:.3f}; mistakes: {evaluation.mistakes[:20]}"
