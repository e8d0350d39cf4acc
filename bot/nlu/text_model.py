"""The text model shared by our NLU components: word and character tf-idf, logistic regression.

LinearIntentClassifier (intents) and LinearResponseSelector (knowledge keys) both learn with
this pipeline, straight from the message text; neither needs Rasa's tokenizer or featurizers.
"""

from __future__ import annotations

from typing import Any, Dict

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

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
