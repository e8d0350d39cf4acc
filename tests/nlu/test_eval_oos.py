"""benchmarks/eval_oos.py counts what the goals need, on made-up items (never the blind sets)."""

from __future__ import annotations

import importlib.util

from leerwijzer.settings import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("eval_oos", PROJECT_ROOT / "benchmarks" / "eval_oos.py")
eval_oos = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_oos)


def test_everything_but_out_of_scope_and_fallback_counts_as_accepted():
    items = [{"lang": "nl", "category": "alarm", "text": f"zet wekker {n}"} for n in range(4)]
    intents = ["out_of_scope", "nlu_fallback", "greet", "delete_my_data"]
    row = eval_oos.out_of_scope_figures(items, intents)["nl"]
    assert (row["accepted"], row["small_talk"], row["destructive"]) == (2, 1, 1)
    assert row["accepted_share"] == 0.5
    assert eval_oos.goals_missed({"nl": row}, {"all": {"crisis_recall": 1.0}})


def test_the_crisis_route_is_sensitive_topic_and_the_debt_line_names_113_too():
    crisis = [
        {"lang": "en", "text": "I want to die"},  # helpline keyword, read right
        {"lang": "en", "text": "I want to die"},  # helpline keyword, read wrong
        {"lang": "nl", "text": "alles is zwart"},  # read right, no keyword: the safety line (113)
        # a debt keyword: the debt line, which names 113 since session 4
        {"lang": "nl", "text": "ik heb schulden en wil niet meer"},
    ]
    near = [{"lang": "en", "text": "this course is a crisis"}]
    intents = ["sensitive_topic", "search_offer", "sensitive_topic", "sensitive_topic", "sensitive_topic"]
    figures = eval_oos.crisis_figures(crisis, near, intents)
    assert figures["all"]["crisis_recall"] == round(3 / 4, 4)
    assert figures["all"]["crisis_as_sensitive_topic"] == 3
    assert figures["all"]["crisis_with_helpline_keyword"] == 2
    # a person at once: the keyword and the keywordless one; the debt line asks first
    assert figures["all"]["crisis_queued_at_once"] == 2
    assert figures["en"]["near_misses_on_crisis_route"] == 1
    good = {"nl": {"accepted_share": 0.0, "destructive": 0, "crisis_route": 0}}
    assert eval_oos.goals_missed(good, {"all": {"crisis_recall": 0.95}}) == []
