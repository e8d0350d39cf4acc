"""The text model shared by our NLU components: word and character tf-idf, logistic regression.

LinearIntentClassifier (intents) and LinearResponseSelector (knowledge keys) both learn with
this pipeline, straight from the message text; neither needs Rasa's tokenizer or featurizers.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Dict, List, Tuple

import joblib
import numpy as np
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

logger = logging.getLogger(__name__)

# The config keys `new_text_model` reads, with the values both components use by default.
TEXT_MODEL_DEFAULTS: Dict[str, Any] = {"C": 100.0, "max_iter": 3000, "char_ngram_max": 4, "random_state": 42}


def new_text_model(config: Dict[str, Any]) -> Pipeline:
    """An untrained tf-idf (words + char_wb n-grams) and logistic regression pipeline."""
    features = make_union(
        TfidfVectorizer(sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, int(config["char_ngram_max"])), sublinear_tf=True
        ),
    )
    classifier = LogisticRegression(
        C=float(config["C"]),
        max_iter=int(config["max_iter"]),
        random_state=config["random_state"],
    )
    return make_pipeline(features, classifier)


class FastTfidf:
    """The tf-idf features of a fitted union of TfidfVectorizers for one text, without sklearn.

    The same analyzer, sublinear tf, idf and l2 norm per vectorizer, word features before
    character features, as sparse (index, value) arrays: microseconds instead of sklearn's
    ~3 ms of input checks and sparse-matrix plumbing per call.
    """

    def __init__(self, union: Any) -> None:
        """Read the fitted vectorizers out of a FeatureUnion."""
        self._vectorizers = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            analyzer, vocabulary = vectorizer.build_analyzer(), vectorizer.vocabulary_
            self._vectorizers.append((analyzer, vocabulary, vectorizer.idf_, offset, vectorizer.sublinear_tf))
            offset += len(vocabulary)

    def __call__(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        """Feature indices and values of `text`."""
        indices: List[np.ndarray] = []
        values: List[np.ndarray] = []
        for analyzer, vocabulary, idf, offset, sublinear_tf in self._vectorizers:
            counts = Counter(vocabulary[gram] for gram in analyzer(text) if gram in vocabulary)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weight = (np.log(tf) + 1.0 if sublinear_tf else tf) * idf[index]
            weight /= np.sqrt(np.dot(weight, weight))
            indices.append(index + offset)
            values.append(weight)
        if not indices:
            return np.empty(0, dtype=np.intp), np.empty(0)
        return np.concatenate(indices), np.concatenate(values)


class TextModelPredictor:
    """`predict_proba` of a fitted text model for one message at a time, without sklearn's overhead.

    sklearn's pipeline spends ~3 ms per message on input checks and sparse-matrix plumbing
    (13 % of the Rasa server's time per message, for the two components together); the sums
    themselves take microseconds. This computes the same tf-idf features (analyzer, sublinear
    tf, idf, l2 norm per vectorizer, word features before character features) and the same
    logistic-regression probabilities with a few numpy operations. `check` compares it with
    the pipeline on probe texts when a model is loaded; if they ever differ (another sklearn
    version), the pipeline itself is used.
    """

    PROBES = ("hoi", "ik zoek een cursus in Helmond", "What is EVC?", "", "123 ?? é")

    def __init__(self, pipeline: Pipeline) -> None:
        """Read the fitted vectorizers and classifier out of the pipeline."""
        union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        self._pipeline = pipeline
        self._features = FastTfidf(union)
        self._weights = np.ascontiguousarray(classifier.coef_.T)  # features x classes
        self._intercept = classifier.intercept_
        self.classes_ = classifier.classes_

    def _probabilities(self, text: str) -> np.ndarray:
        index, value = self._features(text)
        decision = value @ self._weights[index] + self._intercept
        if decision.shape[0] == 1:  # two classes: sklearn's one-vs-rest sigmoid
            positive = 1.0 / (1.0 + np.exp(-decision[0]))
            return np.array([1.0 - positive, positive])
        decision = np.exp(decision - decision.max())
        return decision / decision.sum()

    def predict_proba(self, texts: List[str]) -> np.ndarray:
        """Class probabilities, one row per text, columns in the order of `classes_`."""
        return np.vstack([self._probabilities(text) for text in texts])

    def check(self) -> bool:
        """Whether it gives the pipeline's own probabilities on the probe texts."""
        expected = self._pipeline.predict_proba(list(self.PROBES))
        return bool(np.allclose(self.predict_proba(list(self.PROBES)), expected, rtol=1e-9, atol=1e-12))


def fast_predictor(pipeline: Pipeline) -> Any:
    """The fast predictor for a fitted text model, or the pipeline itself if they disagree."""
    predictor = TextModelPredictor(pipeline)
    if predictor.check():
        return predictor
    logger.warning("Fast text-model prediction differs from sklearn's here; using sklearn's pipeline.")
    return pipeline


def ranked(model: Any, texts: List[str], keep: int) -> List[List[Tuple[str, float]]]:
    """Per text, (label, probability) pairs, most likely first; at most `keep` (0: all)."""
    labels = model.classes_
    keep = keep if keep > 0 else len(labels)
    rankings = []
    for row in model.predict_proba(texts):
        order = np.argsort(row)[::-1][:keep]
        rankings.append([(str(labels[i]), float(row[i])) for i in order])
    return rankings


def save(model_storage: ModelStorage, resource: Resource, file_name: str, saved: Any) -> None:
    """Store what a component trained, with joblib, in its resource."""
    with model_storage.write_to(resource) as folder:
        joblib.dump(saved, folder / file_name)


def load_saved(model_storage: ModelStorage, resource: Resource, file_name: str) -> Any | None:
    """What `save` stored, or None when the component saved nothing (no data to learn from)."""
    try:
        with model_storage.read_from(resource) as folder:
            return joblib.load(folder / file_name)
    except (ValueError, FileNotFoundError):
        return None
