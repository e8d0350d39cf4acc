"""Quick 5-fold cross-validation of data/nlu with a linear model (seconds, not minutes).

A proxy for `make nlu-report` (which trains DIET five times, ~26 min) while writing training
data: same examples, same labels (retrieval intents collapsed to `faq`), word and char_wb 1-4
n-gram tf-idf with a linear SVM. Usage:
    .venv/bin/python benchmarks/nlu_quick_cv.py [INTENT ...]   (lists those intents' confusions)
"""

import collections
import logging
import sys
import warnings
from pathlib import Path

import numpy as np
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
DATA = Path(__file__).resolve().parent.parent / "data" / "nlu"
td = load_data(str(DATA))
X = np.array([m.get("text") for m in td.intent_examples], dtype=object)
y = np.array([m.get("intent").split("/")[0] for m in td.intent_examples], dtype=object)
dups = [t for t, c in collections.Counter(x.lower().strip() for x in X).items() if c > 1]
print(f"{len(X)} examples, {len(set(y))} labels; duplicate texts: {dups[:20]}")
skf = StratifiedKFold(5, shuffle=True, random_state=0)
preds = np.empty(len(y), dtype=object)
for tr, te in skf.split(X, y):
    m = make_pipeline(
        make_union(
            TfidfVectorizer(sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
        ),
        LinearSVC(C=1),
    )
    m.fit(list(X[tr]), list(y[tr]))
    preds[te] = m.predict(list(X[te]))
print(f"macro F1 {f1_score(y, preds, average='macro'):.3f}  accuracy {accuracy_score(y, preds):.3f}")
rep = classification_report(y, preds, output_dict=True, zero_division=0)
print(
    " ".join(
        f"{k}={v['f1-score']:.2f}({int(v['support'])})"
        for k, v in sorted(rep.items(), key=lambda kv: kv[1]["f1-score"] if isinstance(kv[1], dict) else 9)
        if isinstance(v, dict) and k not in ("macro avg", "weighted avg")
    )
)
show = set(sys.argv[1:])
for text, gold, pred in zip(X, y, preds, strict=True):
    if gold != pred and (not show or gold in show or pred in show):
        print(f"  {gold:>18} -> {pred:<18} {text}")
