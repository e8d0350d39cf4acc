"""The fast text-model predictor gives sklearn's own probabilities."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu import text_model
from bot.nlu.text_model import TEXT_MODEL_DEFAULTS, TextModelPredictor, fast_predictor, new_text_model

DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"
ODD_TEXTS = ["", " ", "???", "🙂🙂", "x" * 5000, "Een CURSUS in 's-Hertogenbosch", "\x00\x01", "ß é ñ ü"]


@pytest.fixture(scope="module")
def examples():
    logging.disable(logging.WARNING)
    try:
        messages = load_data(str(DATA)).intent_examples
    finally:
        logging.disable(logging.NOTSET)
    return [m.get("text") for m in messages], [m.get("intent") for m in messages]


def test_same_probabilities_as_the_pipeline_on_every_training_text(examples):
    texts, intents = examples
    pipeline = new_text_model(TEXT_MODEL_DEFAULTS).fit(texts[::3], intents[::3])  # a third: held out rest
    predictor = TextModelPredictor(pipeline)
    everything = texts + ODD_TEXTS
    assert list(predictor.classes_) == list(pipeline.classes_)
    expected = pipeline.predict_proba(everything)
    np.testing.assert_allclose(predictor.predict_proba(everything), expected, atol=1e-12)
    assert predictor.check()


def test_two_classes_use_the_sigmoid_as_sklearn_does():
    texts = ["hoi", "hallo", "goedemorgen", "ik zoek een cursus", "cursus excel", "training zorg"]
    labels = ["greet", "greet", "greet", "search", "search", "search"]
    pipeline = new_text_model(TEXT_MODEL_DEFAULTS).fit(texts, labels)
    probes = ["hoi daar", "cursus", "", *ODD_TEXTS]
    np.testing.assert_allclose(
        TextModelPredictor(pipeline).predict_proba(probes), pipeline.predict_proba(probes), atol=1e-12
    )


def test_the_pipeline_is_used_when_the_fast_path_disagrees(monkeypatch, caplog):
    pipeline = new_text_model(TEXT_MODEL_DEFAULTS).fit(["hoi", "cursus", "stop"], ["greet", "search", "stop"])
    assert isinstance(fast_predictor(pipeline), TextModelPredictor)
    monkeypatch.setattr(text_model.TextModelPredictor, "_probabilities", lambda self, text: np.ones(3) / 3)
    with caplog.at_level(logging.WARNING):
        assert fast_predictor(pipeline) is pipeline
    assert "differs" in caplog.text
