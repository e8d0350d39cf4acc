"""Response selector: picks the knowledge answer (`faq/<key>`) with the linear text model.

It replaces Rasa's `ResponseSelector`, which needed a tokenizer, four featurizers and a
TensorFlow call per message (together ~15 % of the Rasa server's CPU per message). The same
tf-idf + logistic regression model as the intent classifier (bot/nlu/text_model.py) learns the
`intent_response_key` of one retrieval intent from the text of its examples, and `process`
writes the `response_selector` property in exactly the format `ResponseSelector` writes it, so
`ActionRetrieveResponse`, Rasa's processor and `rasa test nlu` read it unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, List

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key
from sklearn.pipeline import Pipeline

from bot.nlu.text_model import TEXT_MODEL_DEFAULTS, fast_predictor, load_saved, new_text_model, ranked, save

MODEL_FILE = "linear_response_selector.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(GraphComponent):
    """Selects the response key of a retrieval intent with logistic regression over tf-idf features."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """retrieval_intent: the intent to learn the keys of (None: all, reported as `default`)."""
        return {"retrieval_intent": "faq", **TEXT_MODEL_DEFAULTS, "ranking_length": 10}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
        responses: Dict[str, List[Dict[str, Any]]] | None = None,
        all_retrieval_intents: List[str] | None = None,
    ) -> None:
        """Keep the config and, once trained or loaded, the pipeline and the responses."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = None if model is None else fast_predictor(model)
        self._responses = responses or {}
        self._all_retrieval_intents = all_retrieval_intents or []

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearResponseSelector:
        """A new, untrained selector."""
        return cls(config, model_storage, resource)

    @property
    def _selector_key(self) -> str:
        return self._config["retrieval_intent"] or RESPONSE_SELECTOR_DEFAULT_INTENT

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the examples of the retrieval intent; keep the responses as ResponseSelector does."""
        intent = self._config["retrieval_intent"]
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(TEXT) and e.get(INTENT_RESPONSE_KEY) and (not intent or e.get(INTENT) == intent)
        ]
        keys = {e.get(INTENT_RESPONSE_KEY) for e in examples}
        if len(keys) < 2:
            if keys:
                rasa.shared.utils.io.raise_warning(
                    f"{type(self).__name__} needs at least two response keys to choose from, "
                    f"found only {keys}; it will not select a response."
                )
            return self._resource  # process() then leaves messages alone
        model = new_text_model(self._config)
        model.fit([e.get(TEXT) for e in examples], [e.get(INTENT_RESPONSE_KEY) for e in examples])
        self._model = fast_predictor(model)
        # Like ResponseSelector: every retrieval intent in the data, and every retrieval response.
        self._all_retrieval_intents = sorted(training_data.retrieval_intents)
        self._responses = training_data.responses
        saved = {
            "model": model,
            "responses": self._responses,
            "all_retrieval_intents": self._all_retrieval_intents,
        }
        save(self._model_storage, self._resource, MODEL_FILE, saved)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearResponseSelector:
        """Load what `train` saved, if it saved anything."""
        saved = load_saved(model_storage, resource, MODEL_FILE)
        if saved is None:
            return cls(config, model_storage, resource)  # trained without response examples
        model, responses, intents = saved["model"], saved["responses"], saved["all_retrieval_intents"]
        return cls(config, model_storage, resource, model, responses, intents)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the `response_selector` property of each message with text, as ResponseSelector does."""
        if self._model is None:
            return messages
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        rankings = ranked(self._model, [m.get(TEXT) for m in with_text], int(self._config["ranking_length"]))
        for message, pairs in zip(with_text, rankings, strict=True):
            key, confidence = pairs[0]
            utter_action = intent_response_key_to_template_key(key)
            responses = self._responses.get(utter_action)
            if not responses:
                rasa.shared.utils.io.raise_warning(
                    f"Unable to fetch responses for {key}. Please make sure you have added responses "
                    f"for this intent."
                )
                responses = [{TEXT: key}]  # ResponseSelector's fallback
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: responses,
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: name} for name, p in pairs
                ],
            }
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self._all_retrieval_intents
            properties[self._selector_key] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
