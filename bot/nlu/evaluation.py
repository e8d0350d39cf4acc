"""Score a trained model on labelled utterances (the held-out file), retrieval intents included.

An utterance labelled `faq/evc` counts as correct only when the intent is `faq` and the
response selector picked `faq/evc`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


@dataclass
class Evaluation:
    """Accuracy on labelled utterances, with the mistakes for the report."""

    total: int
    correct: int
    mistakes: List[Tuple[str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of utterances with the right (retrieval) intent."""
        return self.correct / self.total if self.total else 0.0


def load_examples(path: Path) -> List[Tuple[str, str]]:
    """Return (text, label) pairs from a Rasa NLU YAML file (entity annotations removed)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data.get("nlu", []):
        label = block.get("intent")
        if not label:
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", line[2:].strip())
                pairs.append((text, label))
    return pairs


def predicted_label(parse: Dict[str, Any]) -> str:
    """The intent, or `faq/<key>` for a retrieval intent."""
    intent = (parse.get("intent") or {}).get("name") or ""
    selector = parse.get("response_selector") or {}
    if intent in selector:
        key = ((selector[intent] or {}).get("response") or {}).get("intent_response_key")
        if key:
            return str(key)
    return intent


async def evaluate_model(model_path: Path, examples: List[Tuple[str, str]]) -> Evaluation:
    """Parse every example with the model and count the right labels."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    result = Evaluation(total=len(examples), correct=0)
    for text, label in examples:
        parse = await agent.parse_message(text)
        predicted = predicted_label(parse)
        if predicted == label:
            result.correct += 1
        else:
            result.mistakes.append((text, label, predicted))
    return result


def evaluate_model_sync(model_path: Path, examples: List[Tuple[str, str]]) -> Evaluation:
    """Synchronous wrapper for scripts."""
    return asyncio.run(evaluate_model(model_path, examples))
