"""Domain guard: an intent reading needs more than the classifier's softmax.

The linear intent classifier (bot/nlu/linear_intent_classifier.py) must spread all its
probability over our intents, so it is confident about text it never saw anything like:
"verwijder alle wekkers" was read as `delete_my_data` (0.94) and "add this to my gaming
playlist" as `sensitive_topic` (0.89). This component runs after the classifier and demotes
such a reading to `out_of_scope` when

1. the message is far from every training example of the predicted intent: the highest
   cosine similarity of its tf-idf (words and character n-grams) to those examples is below
   `min_similarity` (or the stricter value in `strict_similarity` for intents that erase data
   or take an advisor's time). Out-of-domain text shares n-grams with the training data, but
   not a whole phrasing; in-domain text, even with typos, nearly always has a close neighbour.
2. an intent that erases or hands off (`evidence`) has no word for what it acts on: an erase
   needs a word about personal data or this chat ("gegevens", "gesprek", "alles over mij",
   "data", "privacy" ...), a person needs a word for one ("mens", "adviseur", "iemand",
   "human", "someone" ...), a call-back a word for a call ("bel", "phone" ...).
   "verwijder de herinnering" has none, so it is never an erase; "bel oma" names someone
   else, so it is no call-back.

`sensitive_topic` keeps its reading when the text names a crisis or debt keyword of
helpdesk/data/helplines.yml (the same list the handoff uses to pick the helpline), so the
crisis route does not depend on the similarity; the crisis safety net runs after this
component and still overrides everything for unmistakable crisis phrases.
Thresholds were tuned on our own out-of-scope examples and cross-validation of data/nlu,
never on the blind sets (docs/dialogue.md, "Out of scope and safety").
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_union
from sklearn.preprocessing import normalize

from bot.nlu.text_model import FastTfidf, load_saved, save
from helpdesk.helplines import classify

logger = logging.getLogger(__name__)

MODEL_FILE = "domain_guard.joblib"
OUT_OF_SCOPE = "out_of_scope"
SENSITIVE = "sensitive_topic"
GUARD_KEY = "domain_guard"

# Words that must be there before a message can erase or hand off (matched case-insensitively
# as regular expressions at a word start). Why each: see the module docstring; the lists cover
# every training example of the intent (tests/nlu/test_domain_guard.py checks that).
DEFAULT_EVIDENCE: Dict[str, List[str]] = {
    "delete_my_data": [
        r"gegeven",
        r"data\b",
        r"gesprek",
        r"chat",
        r"privacy",
        r"alles\b",
        r"mij\b",
        r"me\b",
        r"mijn (naam|nummer|telefoonnummer|adres|info|antwoorden|berichten|profiel|account)",
        r"antwoorden",
        r"informatie",
        r"info\b",
        r"persoonlijk",
        r"avg\b",
        r"gdpr",
        r"vergeet",
        r"vergeten",
        r"forget",
        r"personal",
        r"conversation",
        r"everything",
        r"history",
        r"geschiedenis",
        r"berichten",
        r"messages",
        r"what i (wrote|said|typed)",
        r"wat ik",
        r"details",
        r"account",
        r"profiel",
        r"profile",
        r"records?\b",
        r"answers",
        r"(tele)?foonnummer",
        r"phone number",
        r"\bnaam\b",
        r"\bname\b",
        r"ingevuld",
        r"opgeslagen",
        r"bewaard",
        r"stored",
        r"saved",
        r"kept",
        r"allemaal",
        r"information",
        r"forgotten",
        r"vergetelheid",
        r"verwijderverzoek",
        r"recht op",
        r"right to",
        r"number",
    ],
    "request_human": [
        r"mens",
        r"persoon",
        r"personen",
        r"iemand",
        r"advis",
        r"medewerker",
        r"mevrouw",
        r"meneer",
        r"echte?\b",
        r"levend",
        r"human",
        r"person",
        r"people",
        r"someone",
        r"somebody",
        r"anyone",
        r"agent",
        r"staff",
        r"employee",
        r"advis",
        r"consultant",
        r"coach",
        r"begeleider",
        r"bibliothec",
        r"librarian",
        r"mensen",
        r"collega",
        r"live\b",
        r"real\b",
        r"man\b",
        r"vrouw",
        r"woman",
        r"operator",
        r"service desk",
        r"helpdesk",
        r"klantenservice",
        r"support",
        r"team",
        r"jullie",
        r"you guys",
        r"doorverbind",
        r"doorverbinden",
        r"doorsturen",
        r"transfer",
        r"connect",
        r"bellen",
        r"bel me",
        r"call me",
        r"spreken",
        r"speak",
        r"talk",
        r"customer service",
        r"representative",
        r"medewerk",
    ],
    # A call-back takes an advisor's time too: it needs a word for a call ("bel", "opbellen",
    # "telefoon", "call", "ring", "phone").
    "request_callback": [
        r"bel",
        r"gebeld",
        r"opbel",
        r"terugbel",
        r"teruggebeld",
        r"telefo",
        r"call",
        r"phone",
        r"ring",
        r"trugbel",
        r"contact",
        r"bereik",
        r"reach",
        r"in touch",
        r"\+?\d[\d -]{8,}\d",  # a phone number
    ],
}

# Words that name something outside Leerwijzer (another app, the phone, a company, a relative):
# "wis mijn whatsapp gesprek met Piet" has "gesprek" but is not about this chat, and "verbind me
# met de klantenservice van KPN" is not a request for our advisor.
DEFAULT_COUNTER_EVIDENCE: Dict[str, List[str]] = {
    "delete_my_data": [
        r"whats\s?app",
        r"facebook",
        r"insta",
        r"spotify",
        r"netflix",
        r"tiktok",
        r"snapchat",
        r"signal\b",
        r"telegram",
        r"google",
        r"gmail",
        r"outlook",
        r"icloud",
        r"amazon",
        r"bol\b",
        r"telefoon\b",
        r"phone\b(?! ?number)",
        r"mobiel\b",
        r"app\b",
        r"apps\b",
        r"e?-?mails?\b",
        r"inbox",
        r"browser",
        r"foto",
        r"photo",
        r"video",
        r"wekker",
        r"alarm",
        r"timer",
        r"herinnering",
        r"reminder",
        r"agenda",
        r"calendar",
        r"afspraak",
        r"appointment",
        r"contacts?\b",
        r"contacten\b",
        r"playlist",
        r"afspeellijst",
        r"nummer uit",
        r"song",
        r"liedje",
        r"boodschappen",
        r"shopping",
        r"lijst",
        r"list\b",
        r"taak",
        r"task",
        r"notitie",
        r"note",
        r"bestand",
        r"file",
        r"download",
    ],
    "request_human": [
        r"moeder",
        r"vader",
        r"mama",
        r"papa",
        r"mam\b",
        r"pap\b",
        r"mum\b",
        r"mom\b",
        r"dad\b",
        r"oma\b",
        r"opa\b",
        r"grandma",
        r"grandpa",
        r"zus\b",
        r"broer",
        r"sister",
        r"brother",
        r"vriend(in)?\b",
        r"friends?\b",
        r"buurman",
        r"buurvrouw",
        r"neighbou?r",
        r"baas",
        r"boss",
        r"kpn",
        r"vodafone",
        r"ziggo",
        r"odido",
        r"t-mobile",
        r"tele2",
        r"eneco",
        r"essent\b",
        r"vattenfall",
        r"\bing\b",
        r"rabo",
        r"abn",
        r"bank\b",
        r"verzeker",
        r"insurance",
        r"huisarts\b",
        r"doctors?\b",
        r"dokter\b",
        r"tandarts\b",
        r"dentists?\b",
        r"taxi\b",
        r"cab\b",
        r"uber\b",
        r"pizza\b",
        r"restaurant\b",
        r"loodgieter",
        r"plumber",
        r"kappers?\b",
        r"hairdresser",
        r"whats\s?app",
        r"facetime",
        r"skype",
        r"teams\b",
        r"zoom\b",
    ],
}
# "bel mama", "call my dentist back": a call to someone else is no call-back from our advisor.
# Only the one called counts: "Mijn vriendin zei dat jullie helpen, bel me terug" and "ik werk
# bij de Rabobank, kunnen jullie me bellen?" are ours.
_CALLED = (
    r"moeder|vader|mama|papa|mam|pap|mum|mom|dad|oma|opa|grandma|grandpa|zus|broer|sister|brother"
    r"|vriend|vriendin|friend|buurman|buurvrouw|neighbou?r|huisarts|dokter|doctor|tandarts|dentist"
    r"|kapper|hairdresser|loodgieter|plumber|taxi|uber|pizza\w*|restaurant|kpn|vodafone|ziggo|odido"
    r"|t-mobile|tele2|eneco|essent|vattenfall|ing|rabo\w*|abn|bank|verzeker\w*|insurance"
)
DEFAULT_COUNTER_EVIDENCE["request_callback"] = [
    rf"(?:bel|call|ring|phone|contact)\w*(?: \w+){{0,2}} (?:{_CALLED})s?\b",
    # Dutch puts the verb last: "kun je mijn moeder bellen", "ik moet de huisarts terugbellen"
    # (not when "me"/"mij" is the one called: "mijn vriendin zei: bel me")
    rf"(?:{_CALLED})s?(?: (?!me\b|mij\b|ons\b|us\b)\w+){{0,3}} (?:op|terug)?bel(?:len|t)?\b",
]


# Texts on which the fast similarity must equal sklearn's before it is used.
FAST_PATH_PROBES = ("hoi", "verwijder mijn gegevens", "Set an alarm for 7", "", "123 ?? é", "ik wil een mens")


def _vectorizer() -> FeatureUnion:
    """Word and character n-gram tf-idf, as the classifier uses (bot/nlu/text_model.py)."""
    return make_union(
        TfidfVectorizer(sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
    )


def _replace_reading(message: Message, intent: str, new: str, verdict: Dict[str, Any]) -> None:
    """Read `message` as `new` instead of `intent`, and say why under `GUARD_KEY`.

    Keep the classifier's confidence: a message it was unsure of still reaches the
    FallbackClassifier ("could you say that differently?") as before. The demoted intent drops
    to 0 so it cannot make the reading look ambiguous.
    """
    confidence = float((message.get(INTENT) or {}).get("confidence") or 0.0)
    ranking = [{"name": new, "confidence": confidence}] + [
        {**other, "confidence": 0.0 if other.get("name") == intent else other.get("confidence", 0.0)}
        for other in message.get(INTENT_RANKING_KEY) or []
        if other.get("name") != new
    ]
    message.set(INTENT, ranking[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    message.set(GUARD_KEY, verdict, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class DomainGuard(GraphComponent):
    """Demotes an intent reading to `out_of_scope` when the message is far from that intent."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Thresholds (cosine similarity to the nearest training example) and evidence words."""
        return {
            # Intents the guard never touches: already "not ours", or single-word answers
            # (a bare "ja" must stay affirm) are handled by their own thresholds below.
            "skip_intents": [OUT_OF_SCOPE, "nlu_fallback"],
            # Tuned on our own out-of-scope examples and 5-fold cross-validation of data/nlu
            # (docs/dialogue.md): a higher floor cost far more in-domain messages than it caught.
            "min_similarity": 0.0,
            "strict_similarity": {
                "delete_my_data": 0.3,
                "request_human": 0.3,
                "request_callback": 0.3,
                "sensitive_topic": 0.3,
            },
            "out_of_scope_margin": 0.0,
            # Not for: sensitive_topic (a distressed message worded unlike any example may still
            # sit near chatter; it must not lose its person on a nearest-neighbour vote); the
            # intake's answers (inform, inform_place, dont_know: a demoted answer would interrupt
            # the form), short replies and knowledge questions. On our own cross-validation these
            # cost 0.004 macro F1 for one point of out-of-scope acceptance (docs/dialogue.md).
            "no_margin_intents": [
                "sensitive_topic",
                "inform",
                "inform_place",
                "dont_know",
                "affirm",
                "deny",
                "greet",
                "thanks",
                "goodbye",
                "choose_language",
                "faq",
            ],
            "evidence": DEFAULT_EVIDENCE,
            "counter_evidence": DEFAULT_COUNTER_EVIDENCE,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        saved: Dict[str, Any] | None = None,
    ) -> None:
        """Keep the config and, once trained or loaded, the vectorizer and example matrix."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._evidence = {
            intent: re.compile("|".join(rf"(?<!\w){p}" for p in patterns), re.IGNORECASE)
            for intent, patterns in (self._config["evidence"] or {}).items()
        }
        self._counter = {
            intent: re.compile("|".join(rf"(?<!\w){p}" for p in patterns), re.IGNORECASE)
            for intent, patterns in (self._config["counter_evidence"] or {}).items()
        }
        self._saved = saved
        labels = np.array([]) if saved is None else saved["labels"]
        self._rows = {str(intent): np.flatnonzero(labels == intent) for intent in np.unique(labels)}
        self._fast = self._fast_path() if saved is not None else None

    def _fast_path(self) -> Dict[str, Any] | None:
        """The per-message fast path (FastTfidf and per-intent example columns), if it agrees.

        sklearn's `transform` costs ~3 ms per message (the guard was 10x every other NLU
        component); the sums themselves take microseconds. Checked against sklearn's own
        similarities on probe texts, as bot/nlu/text_model.py does for the classifier.
        """
        matrix = self._saved["matrix"]
        fast = {
            "features": FastTfidf(self._saved["vectorizer"]),
            "by_intent": {intent: matrix[rows].T.tocsr() for intent, rows in self._rows.items()},
        }
        for probe in FAST_PATH_PROBES:
            expected = self.similarities(probe)
            if any(abs(self._fast_similarity(fast, probe, i) - expected[i]) > 1e-9 for i in expected):
                logger.warning("Fast domain-guard similarity differs from sklearn's here; using sklearn's.")
                return None
        return fast

    @staticmethod
    def _fast_similarity(fast: Dict[str, Any], text: str, intent: str) -> float:
        """Cosine similarity of `text` to the nearest training example of `intent`."""
        columns = fast["by_intent"].get(intent)
        index, value = fast["features"](text)
        if columns is None or not index.size or not columns.shape[1]:
            return 0.0
        value = value / np.sqrt(np.dot(value, value))  # the union's own l2 norm (sklearn's normalize)
        return float((columns[index].T @ value).max())

    def similarity(self, text: str, intent: str) -> float:
        """Cosine similarity of `text` to the nearest training example of `intent` (0 when none)."""
        if self._fast is not None:
            return self._fast_similarity(self._fast, text, intent)
        return self.similarities(text).get(intent, 0.0)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DomainGuard:
        """A new, untrained guard."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DomainGuard:
        """Load what `train` saved (nothing when there was no training data)."""
        return cls(config, model_storage, resource, load_saved(model_storage, resource, MODEL_FILE))

    def train(self, training_data: TrainingData) -> Resource:
        """Remember every training example per (base) intent as a normalised tf-idf row."""
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if not examples:
            return self._resource
        vectorizer = _vectorizer()
        matrix = normalize(vectorizer.fit_transform([e.get(TEXT) for e in examples])).tocsr()
        labels = np.array([e.get(INTENT) for e in examples])
        self._saved = {"vectorizer": vectorizer, "matrix": matrix, "labels": labels}
        self._rows = {str(intent): np.flatnonzero(labels == intent) for intent in np.unique(labels)}
        self._fast = self._fast_path()
        save(self._model_storage, self._resource, MODEL_FILE, self._saved)
        return self._resource

    def similarities(self, text: str) -> Dict[str, float]:
        """Per intent, the cosine similarity of `text` to its nearest training example."""
        if self._saved is None:
            return {}
        vector = normalize(self._saved["vectorizer"].transform([text]))
        scores = (self._saved["matrix"] @ vector.T).toarray().ravel()
        return {intent: float(scores[rows].max()) for intent, rows in self._rows.items()}

    def threshold(self, intent: str) -> float:
        """The similarity a message needs to keep `intent`."""
        strict = self._config["strict_similarity"] or {}
        return float(strict.get(intent, self._config["min_similarity"]))

    def has_evidence(self, text: str, intent: str) -> bool:
        """Whether `text` names what `intent` acts on (always true for intents without a list)."""
        pattern = self._evidence.get(intent)
        return pattern is None or bool(pattern.search(text))

    def names_something_else(self, text: str, intent: str) -> bool:
        """Whether `text` names another app, the phone, a company or a relative for `intent`."""
        pattern = self._counter.get(intent)
        return pattern is not None and bool(pattern.search(text))

    def verdict(self, text: str, intent: str) -> Dict[str, Any] | None:
        """Why `intent` is not a safe reading of `text`, or None when it may stay."""
        if intent in self._config["skip_intents"]:
            return None
        if intent == "sensitive_topic" and classify(text):
            return None  # a crisis or debt keyword: the helpline route must not hang on similarity
        if not self.has_evidence(text, intent):
            return {"demoted": intent, "reason": "no_evidence"}
        if self.names_something_else(text, intent):
            return {"demoted": intent, "reason": "names_something_else"}
        if self._saved is None:
            return None  # untrained (no intents to learn from): nothing to compare with
        similarity = self.similarity(text, intent)
        if similarity < self.threshold(intent):
            return {"demoted": intent, "reason": "far_from_examples", "similarity": round(similarity, 3)}
        # The nearest out-of-scope example is closer than any example of the intent: a 1-nearest-
        # neighbour vote against the classifier (not for sensitive_topic: see the module docstring).
        margin = self._config["out_of_scope_margin"]
        exempt = margin is None or intent in self._config["no_margin_intents"]
        if not exempt and self.similarity(text, OUT_OF_SCOPE) - similarity > float(margin):
            return {"demoted": intent, "reason": "nearer_to_out_of_scope", "similarity": round(similarity, 3)}
        return None

    def learning_story(self, message: Message, intent: str) -> str | None:
        """The in-domain intent a learning story read as `sensitive_topic` should have, or None.

        A long message about a life and a learning wish ("mijn moeder heeft dementie ... ik wil
        in de zorg werken") can lean towards `sensitive_topic`, whose examples are long stories
        too. When the text names a learning theme (the profile extractor ran before), no
        helpline keyword, and its nearest example belongs to the next intent of the ranking
        rather than to `sensitive_topic`, that next intent is the reading.
        """
        text = message.get(TEXT) or ""
        if intent != SENSITIVE or classify(text) or self._saved is None:
            return None
        if not any(entity.get("entity") == "theme" for entity in message.get(ENTITIES) or []):
            return None
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in (SENSITIVE, None)]
        if not ranking:
            return None
        other = str(ranking[0]["name"])
        if other == OUT_OF_SCOPE or self.similarity(text, other) < self.similarity(text, SENSITIVE):
            return None
        return other

    def process(self, messages: List[Message]) -> List[Message]:
        """Demote far-away readings to `out_of_scope`; leave button payloads and the rest alone."""
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            if not text or text.startswith("/") or not intent:
                continue  # button payloads carry their own intent
            story = self.learning_story(message, intent)
            if story is not None:
                _replace_reading(message, intent, story, {"demoted": intent, "reason": "learning_story"})
                continue
            verdict = self.verdict(text, intent)
            if verdict is not None:
                _replace_reading(message, intent, OUT_OF_SCOPE, verdict)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data
