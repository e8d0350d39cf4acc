"""A simulated user for the conversation suite: answers the bot truthfully from a person's facts.

The user never reads the bot's wording. It finds out which question was asked from the name of
the response the bot uttered (Rasa puts it in `metadata.utter_action` of every bot event) and
answers from the person's `facts` in `tests/eval/conversations.yml`:

* a question is mapped to the fact it needs by words in the response name (`role`, `goal`,
  `topic`/`learn`, `municipality`/`place`, `budget`/`price`, `time`, `hours`, `mode`,
  `language`, `summary`/`confirm`, ...; see `question_kind`);
* the fact becomes an answer: a choice code where the fact is clear ("avonds" -> evenings) and
  a short sentence built from the fact otherwise (`answer_for`);
* when the bot offers buttons, the user taps the one whose payload carries the code, else the
  one whose title is most like the answer (rapidfuzz), else types the answer (`choose_button`);
* asked the same question again, the user first tries another wording of the fact, then says
  "I don't know"; after that the conversation counts as stuck.

Nothing here talks to a server; `benchmarks/eval_conversations.py` drives it.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

from rapidfuzz import fuzz

from offer_catalogue.region import canonical_municipality, normalise

# ----------------------------------------------------------------------------- question kinds
# Checked in order; the first kind whose word occurs in the response name wins. Names such as
# utter_ask_time_preference, utter_ask_max_price or utter_ask_teaching_language map
# without a list of exact names, so a renamed or new question of the same kind still works.
KIND_WORDS: Sequence[tuple[str, Sequence[str]]] = (
    ("handoff", ("handoff", "handed", "walk_in", "callback", "queue")),
    ("helpful", ("helpful", "did_this_help", "useful")),
    # "Niets tot € 100; vanaf € 150. Wil je dat zien?" [Ja, laat zien | adviseur | inloop]
    ("relax", ("relax",)),
    ("advisor", ("advisor", "adviseur", "human")),
    ("what_to_change", ("what_to_change", "change_what")),
    ("clarify", ("clarify", "did_you_mean", "meant", "which_theme", "which_one")),
    ("confirm", ("summary", "confirm", "klopt", "is_this_right", "correct")),
    ("language_choice", ("choose_language", "which_language", "teaching_language", "language")),
    ("employer", ("employer",)),
    ("scan", ("scan", "skill_")),
    ("role", ("role", "situation", "who_are_you")),
    ("goal", ("goal",)),
    ("hours", ("hours", "uren")),
    ("price_cap", ("price_cap",)),
    ("budget", ("budget", "price", "cost")),
    ("mode", ("mode", "online")),
    ("time", ("time", "when", "days")),
    ("distance", ("distance", "how_far", "travel")),
    ("place", ("municipality", "place", "town", "where")),
    ("topic", ("topic", "what_to_learn", "learn", "subject", "interest")),
)
# Responses after which the bot waits for anything (no question): the user says what they want.
OPEN_WORDS = (
    "greet",
    "default",
    "rephrase",
    "out_of_scope",
    "no_offers",
    "search_again",
    "glad",
    "what_i_can_do",
)


def question_kind(response: str | None) -> str:
    """The kind of question a response name asks, or "open" / "other"."""
    name = (response or "").lower()
    for kind, words in KIND_WORDS:
        if any(word in name for word in words):
            return kind
    if any(word in name for word in OPEN_WORDS):
        return "open"
    return "other"


# ----------------------------------------------------------------------------- facts -> answers
SITUATION_ROLE = {
    "employee": "employee",
    "job_seeker": "job_seeker",
    "zzp": "entrepreneur",
    "employer": "entrepreneur",
    "student": "young",
    "retired": "retiree",
    "other": "other",
}
ROLE_WORDS = {
    "nl": {
        "employee": "ik werk",
        "job_seeker": "ik zoek werk",
        "entrepreneur": "ik heb een eigen bedrijf",
        "young": "ik ben student",
        "retiree": "ik ben met pensioen",
        "other": "iets anders",
        "newcomer": "ik ben nieuw in Nederland",
    },
    "en": {
        "employee": "I work",
        "job_seeker": "I am looking for work",
        "entrepreneur": "I run my own business",
        "young": "I am a student",
        "retiree": "I am retired",
        "other": "something else",
        "newcomer": "I am new in the Netherlands",
    },
}
# Goal codes by words in what the person wants to learn (first match wins, first clause first).
GOAL_RULES: Sequence[tuple[str, Sequence[str]]] = (
    ("exploring", ("weet ik niet", "don't know", "not sure")),
    (
        "recognition",
        ("erkennen", "erkenning", "erkend", "waarderen", "recognis", "recogniz", "evc", "big registration"),
    ),
    (
        "dutch_language",
        ("nederlands", "dutch", "taal", "lezen", "schrijven", "nt2", "taalmaatje", "taalvrijwilliger"),
    ),
    (
        "digital_skills",
        (
            "computer",
            "digid",
            "smartphone",
            "excel",
            "word",
            "digitaal",
            "tablet",
            "programm",
            "web ",
            "data analysis",
            "e-mail",
        ),
    ),
    (
        "business",
        (
            "zzp",
            "bedrijf",
            "starten",
            "ondernem",
            "freelancer",
            "bookkeeping",
            "boekhoud",
            "btw",
            "vat",
            "marketing",
        ),
    ),
    (
        "find_work",
        (
            "solliciteren",
            "sollicitatie",
            "cv ",
            "cv maken",
            "finding work",
            "job-search",
            "werk vinden",
            "find work",
        ),
    ),
    (
        "grow_in_job",
        (
            "teamleider",
            "leidinggeven",
            "doorgroeien",
            "gevorderd",
            "project management",
            "cnc",
            "lassen",
            "certificaat",
            "certificate",
            "vca",
        ),
    ),
    (
        "switch_career",
        (
            "ander werk",
            "omscholen",
            "switch",
            "nurse",
            "verpleeg",
            "verzorg",
            "zorg",
            "planner",
            "mbo",
            "heftruck",
            "forklift",
            "electrical",
        ),
    ),
)
# Time of day: words in the `time` fact (and codes of the hard limit).
TIME_WORDS: Dict[str, Sequence[str]] = {
    "evenings": ("avond", "avonds", "evening", "evenings", "after 18", "after 20", "night"),
    "weekends": ("weekend", "zaterdag", "zondag", "saturday", "sunday"),
    "daytime": (
        "overdag",
        "ochtend",
        "middag",
        "daytime",
        "morning",
        "afternoon",
        "lunchtime",
        "schooltijd",
        "werktijd",
        "during work",
        "9 tot",
    ),
    "any_time": (
        "maakt niet uit",
        "any time",
        "anytime",
        "flexibel",
        "flexible",
        "wisselend",
        "wisseldienst",
        "ploegendienst",
    ),
}
LIMIT_TIME = {"evening": "evenings", "daytime": "daytime", "weekend": "weekends"}
TIME_SAY = {
    "nl": {
        "evenings": "'s avonds",
        "weekends": "in het weekend",
        "daytime": "overdag",
        "any_time": "maakt niet uit",
    },
    "en": {"evenings": "evenings", "weekends": "weekends", "daytime": "daytime", "any_time": "any time"},
}
MODE_FACT = {
    "either": "both",
    "on site": "on_site",
    "not online": "on_site",
    "online": "online",
    "not on site": "online",
}
MODE_SAY = {
    "nl": {"both": "allebei goed", "on_site": "op locatie", "online": "online"},
    "en": {"both": "both are fine", "on_site": "on site", "online": "online"},
}
BUDGET_SAY = {
    "nl": {
        "free": "gratis",
        "up_to_100": "tot 100 euro",
        "up_to_500": "tot 500 euro",
        "more": "meer dan 500 euro",
    },
    "en": {
        "free": "free",
        "up_to_100": "up to 100 euros",
        "up_to_500": "up to 500 euros",
        "more": "more than 500 euros",
    },
}
BUDGET_BOUNDS = {0: "free", 100: "up_to_100", 500: "up_to_500"}
DONT_KNOW = {"nl": "weet ik niet", "en": "I don't know"}
YES = {"nl": "ja", "en": "yes"}
NO = {"nl": "nee", "en": "no"}
LANGUAGE_SWITCH = {"nl": "Nederlands graag", "en": "English please"}
NUMBER = re.compile(r"\d[\d.]*")


def _lower(text: Any) -> str:
    return f" {str(text or '').lower()} "


def _has(text: str, words: Sequence[str]) -> bool:
    return any(word in text for word in words)


def first_clause(text: str) -> str:
    """The first part of a fact ("computer: e-mailen, ..." -> "computer")."""
    part = re.split(r"[;:,]| - | — ", str(text or ""), maxsplit=1)[0].strip()
    return part or str(text or "").strip()


def clauses(text: str) -> List[str]:
    """All parts of a fact split on punctuation, in order."""
    return [part.strip() for part in re.split(r"[;:,]| - | — ", str(text or "")) if part.strip()]


def place_names(place: str) -> List[str]:
    """Ways to name the person's place, most natural first: "Stiphout (Helmond)" -> [Stiphout, Helmond]."""
    main = re.sub(r"\(.*?\)", "", place or "").strip()
    inner = re.findall(r"\((.*?)\)", place or "")
    names = [main] + [name.strip() for name in inner]
    municipality = canonical_municipality(main) or next(
        (canonical_municipality(name) for name in inner if canonical_municipality(name)), None
    )
    if municipality:
        names.append(municipality)
    unique: List[str] = []
    for name in names:
        if name and name.lower() not in [u.lower() for u in unique]:
            unique.append(name)
    return unique


def role_code(facts: Dict[str, Any]) -> str | None:
    """The role button code for the person's situation (None for a newcomer: own words)."""
    return SITUATION_ROLE.get(str(facts.get("situation")))


def goal_code(facts: Dict[str, Any]) -> str | None:
    """The goal code that fits what the person wants to learn, or None (own words then)."""
    wants = str(facts.get("wants_to_learn") or "")
    for text in (_lower(first_clause(wants)), _lower(wants)):
        for code, words in GOAL_RULES:
            if _has(text, words):
                return code
    return None


def budget_cap(conversation: Dict[str, Any]) -> float | None:
    """The most the person will pay: the hard limit, else a number in the budget fact."""
    limit = (conversation.get("hard_limits") or {}).get("max_price_eur")
    if limit is not None:
        return float(limit)
    text = _lower(conversation["facts"].get("budget"))
    if _has(text, (" gratis", " free", "geen geld", "no money")) and not NUMBER.search(text):
        return 0.0
    numbers = [float(n.replace(".", "")) for n in NUMBER.findall(text)]
    return max(numbers) if numbers else None


def budget_answer(conversation: Dict[str, Any], lang: str) -> tuple[str | None, str]:
    """(choice code or None, typed answer) for "how much may it cost?"."""
    cap = budget_cap(conversation)
    text = _lower(conversation["facts"].get("budget"))
    if cap is None:
        if _has(
            text, ("werkgever", "employer", "company pays", "baas", "thousand", "duizend", "maakt niet uit")
        ):
            return "more", BUDGET_SAY[lang]["more"]
        return None, str(conversation["facts"].get("budget") or DONT_KNOW[lang])
    if cap in BUDGET_BOUNDS:
        code = BUDGET_BOUNDS[int(cap)]
        return code, BUDGET_SAY[lang][code]
    if cap > 500:
        return "more", BUDGET_SAY[lang]["more"]
    # Between the buttons' bounds: type the real cap rather than tap a button that allows more.
    return None, (f"max {int(cap)} euro" if lang == "nl" else f"at most {int(cap)} euros")


def time_code(conversation: Dict[str, Any]) -> str | None:
    """When the person can learn: the hard limit's time of day, else the first time word."""
    limit = (conversation.get("hard_limits") or {}).get("time_of_day")
    if limit in LIMIT_TIME:
        return LIMIT_TIME[limit]
    text = _lower(conversation["facts"].get("time"))
    found = [
        (min(text.find(w) for w in words if w in text), code)
        for code, words in TIME_WORDS.items()
        if _has(text, words)
    ]
    return min(found)[1] if found else None


def hours_code(conversation: Dict[str, Any]) -> str | None:
    """Hours a week where the facts say it (full-time, a day a week, a few mornings), else None."""
    text = _lower(conversation["facts"].get("time"))
    if _has(text, ("full-time", "fulltime", "voltijd")):
        return "10+"
    if _has(text, ("dag per week", "day a week", "paar ochtenden", "few mornings")):
        return "6-10"
    return None


def distance_answer(conversation: Dict[str, Any], lang: str) -> tuple[str | None, str]:
    """(choice code or None, typed answer) for "how far do you want to travel?".

    The hard limit's km when there is one (typed unless a button says exactly that), else
    the travel fact in the person's words, else "any distance".
    """
    limit = (conversation.get("hard_limits") or {}).get("within_km_of") or {}
    km = limit.get("km") if isinstance(limit, dict) else None
    if km is not None:
        km = int(km)
        if km in (10, 25):
            return str(km), (f"tot {km} km" if lang == "nl" else f"up to {km} km")
        return None, (f"max {km} km" if lang == "nl" else f"at most {km} km")
    travel = str(conversation["facts"].get("max_travel") or "").strip()
    if travel:
        return None, travel
    return "any", ("maakt niet uit" if lang == "nl" else "any distance")


def mode_code(facts: Dict[str, Any]) -> str:
    """online, on_site or both from the `mode` fact."""
    return MODE_FACT.get(str(facts.get("mode") or "either").strip().lower(), "both")


def topic_text(facts: Dict[str, Any], attempt: int = 0) -> str:
    """What the person wants to learn, as typed: the first clause, later the next ones."""
    parts = clauses(str(facts.get("wants_to_learn") or ""))
    if not parts:
        return ""
    return parts[min(attempt, len(parts) - 1)] if attempt < 2 else ", ".join(parts[:2])


# ----------------------------------------------------------------------------- buttons
@dataclass
class Reply:
    """What the user sends: a tapped button (payload) or typed text; `why` is for the log."""

    text: str
    why: str
    tapped: str | None = None  # the title of the tapped button


def payload_parts(payload: str) -> tuple[str | None, Dict[str, Any]]:
    """Intent and entities of a button payload ('/inform{"role": "x"}' -> ("inform", {"role": "x"})).

    (None, {}) when it is no intent payload; {} entities when they do not parse.
    """
    match = re.match(r"/([\w]+)(\{.*\})?$", str(payload or "").strip(), re.S)
    if not match:
        return None, {}
    entities: Dict[str, Any] = {}
    if match.group(2):
        with contextlib.suppress(ValueError):
            parsed = json.loads(match.group(2))
            entities = parsed if isinstance(parsed, dict) else {}
    return match.group(1), entities


def payload_values(payload: str) -> List[str]:
    """The intent and entity values of a button payload ('/inform{"role": "x"}' -> ["inform", "x"])."""
    payload = str(payload or "")
    if not payload.startswith("/"):
        return [payload.strip().lower()]
    intent, entities = payload_parts(payload)
    if intent is None:
        return []
    return [intent.lower(), *(str(value).lower() for value in entities.values())]


def choose_button(
    buttons: Sequence[Dict[str, Any]],
    code: str | None = None,
    answer: str | None = None,
    threshold: float = 80.0,
) -> Dict[str, Any] | None:
    """The button that fits: its payload carries `code`, else its title is like `answer`."""
    if not buttons:
        return None
    if code:
        for button in buttons:
            if code.lower() in payload_values(button.get("payload", ""))[1:] or (
                code.lower() in payload_values(button.get("payload", ""))
            ):
                return button
    if answer:
        wanted = normalise(answer)
        scored = [
            (
                max(
                    fuzz.ratio(wanted, normalise(b.get("title", ""))),
                    fuzz.token_set_ratio(wanted, normalise(b.get("title", ""))) - 5,
                ),
                i,
            )
            for i, b in enumerate(buttons)
        ]
        best, index = max(scored)
        if best >= threshold:
            return buttons[index]
    return None


def dont_know_button(buttons: Sequence[Dict[str, Any]]) -> Dict[str, Any] | None:
    """A skip button ("/dont_know" payload, or a title like "weet ik niet" / "I don't know")."""
    button = choose_button(buttons, code="dont_know")
    if button is not None:
        return button
    for title in ("weet ik niet", "i don't know", "maakt niet uit", "any time"):
        button = choose_button(buttons, answer=title, threshold=85)
        if button is not None:
            return button
    return None


def yes_no_button(buttons: Sequence[Dict[str, Any]], yes: bool) -> Dict[str, Any] | None:
    """The yes (/affirm) or no (/deny) button, by payload only."""
    wanted = "affirm" if yes else "deny"
    return next((b for b in buttons if payload_values(b.get("payload", ""))[:1] == [wanted]), None)


def _stem(word: str) -> str:
    return word[:5]


def best_title_match(
    buttons: Sequence[Dict[str, Any]], texts: Sequence[str], threshold: float = 80.0
) -> Dict[str, Any] | None:
    """The button whose title best matches one of `texts` (fuzzy, or a shared word stem)."""
    best: tuple[float, int] | None = None
    for index, button in enumerate(buttons):
        if payload_values(button.get("payload", ""))[:1] in (["dont_know"], ["deny"]):
            continue
        title = normalise(button.get("title", ""))
        title_stems = {_stem(w) for w in title.split() if len(w) >= 4}
        for text in texts:
            wanted = normalise(text)
            score = float(fuzz.token_set_ratio(wanted, title))
            if title_stems & {_stem(w) for w in wanted.split() if len(w) >= 4}:
                score = max(score, 90.0)
            if best is None or score > best[0]:
                best = (score, index)
    if best is not None and best[0] >= threshold:
        return buttons[best[1]]
    return None


# The bot's name of the limit that blocked (slot `unmet_limit`) -> the person's hard limit it is.
HARD_LIMIT_OF = {
    "price": "max_price_eur",
    "time": "time_of_day",
    "language": "language",
    "distance": "within_km_of",
    "online": "mode_not",
    "on_site": "mode_not",
}


def breaks_a_hard_limit(blocked: str, button: Dict[str, Any], limits: Dict[str, Any]) -> bool:
    """Whether loosening `blocked` as the button does goes past one of the person's hard limits."""
    key = HARD_LIMIT_OF.get(blocked)
    if key is None:
        return True  # a limit this user cannot judge: no
    if key == "mode_not" and "municipality" in _payload(button) and limits.get("within_km_of"):
        # Nothing online, something at a place: the place becomes the offer's town. With a
        # distance limit from their own town the user says no without working out whether that
        # town is within it (errs on the side of no).
        return True
    limit = limits.get(key)
    if limit in (None, {}, ""):
        return False
    if key == "mode_not":
        # "online" is loosened to online offers, "on_site" to offers at a place.
        return str(limit) == ("online" if blocked == "online" else "on_site")
    if key == "language":
        # The bot's button asks for lessons in Dutch: fine for someone whose limit is Dutch.
        return str(limit) != str(_payload(button).get("teaching_language"))
    if key == "max_price_eur":
        amount = _payload(button).get("max_price_eur")
        return amount is None or float(amount) > float(limit)
    return True


def _payload(button: Dict[str, Any]) -> Dict[str, Any]:
    """The entities of a button's payload ({} when it has none or they do not parse)."""
    return payload_parts(str(button.get("payload", "")))[1]


def tap(button: Dict[str, Any], why: str) -> Reply:
    """Tapping a button sends its payload."""
    return Reply(
        text=str(button.get("payload") or button.get("title")), why=why, tapped=str(button.get("title"))
    )


# ----------------------------------------------------------------------------- the user
@dataclass
class SimulatedUser:
    """One person of the suite; `reply` decides the next message from the bot's last question."""

    conversation: Dict[str, Any]
    asked: Dict[str, int] = field(default_factory=dict)
    corrected: bool = False
    switched_language: bool = False
    open_turns: int = 0
    # The user of sessions 1-7 stopped at "Wil je dat zien?" whatever the limit (for comparison).
    stop_at_relax: bool = False

    @property
    def lang(self) -> str:
        """The conversation's language (nl or en)."""
        return "en" if self.conversation.get("lang") == "en" else "nl"

    @property
    def facts(self) -> Dict[str, Any]:
        """The person's facts."""
        return self.conversation["facts"]

    @property
    def limits(self) -> Dict[str, Any]:
        """The person's hard limits (null ones included)."""
        return self.conversation.get("hard_limits") or {}

    def attempt(self, kind: str) -> int:
        """How often this kind of question was asked before (0 the first time)."""
        return self.asked.get(kind, 1) - 1

    def reply(
        self,
        response: str | None,
        buttons: Sequence[Dict[str, Any]] = (),
        slots: Dict[str, Any] | None = None,
    ) -> Reply | None:
        """The next message for the bot's question `response`, or None when the user stops."""
        slots = slots or {}
        kind = question_kind(response)
        self.asked[kind] = self.asked.get(kind, 0) + 1
        lang = self.lang
        if slots.get("language") and slots["language"] != lang and not self.switched_language:
            self.switched_language = True
            button = next((b for b in buttons if lang in payload_values(b.get("payload", ""))[1:]), None)
            if button is not None and "choose_language" in payload_values(button.get("payload", "")):
                return tap(button, "the bot speaks the other language")
            return Reply(LANGUAGE_SWITCH[lang], "the bot speaks the other language")
        if kind == "other" and not buttons and not (response or "").startswith("utter_ask"):
            kind = "open"  # an answer or remark, no question: the user goes on with their need
        handler = getattr(self, f"_answer_{kind}", self._answer_other)
        return handler(buttons, slots)

    # -- one method per kind of question ------------------------------------------------
    def _with_retries(
        self, kind: str, buttons: Sequence[Dict[str, Any]], code: str | None, answer: str
    ) -> Reply:
        """First the best answer; asked again, the plain code's words; then "I don't know"."""
        attempt = self.attempt(kind)
        if attempt == 0:
            button = choose_button(buttons, code=code, answer=answer)
            return (
                tap(button, f"{kind}: fits the fact")
                if button
                else Reply(answer, f"{kind}: typed from the fact")
            )
        if attempt == 1 and code:
            button = choose_button(buttons, answer=answer, threshold=60)
            if button is not None:
                return tap(button, f"{kind}: nearest button on the second ask")
        button = dont_know_button(buttons)
        if button is not None:
            return tap(button, f"{kind}: asked again, skips")
        return Reply(DONT_KNOW[self.lang], f"{kind}: asked again, skips")

    def _answer_role(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code = role_code(self.facts)
        situation = "newcomer" if code is None else code
        words = ROLE_WORDS[self.lang][situation]
        if code is None:
            occupation = first_clause(str(self.facts.get("occupation") or ""))
            words = f"{words}, {occupation}" if occupation else words
        return self._with_retries("role", buttons, code, words)

    def _answer_goal(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code = goal_code(self.facts)
        return self._with_retries("goal", buttons, code, topic_text(self.facts) if code is None else code)

    def _answer_topic(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        attempt = self.attempt("topic")
        text = topic_text(self.facts, attempt)
        if attempt >= 3:
            button = dont_know_button(buttons)
            return (
                tap(button, "topic: asked again, skips")
                if button
                else Reply(DONT_KNOW[self.lang], "topic: skips")
            )
        return Reply(text, "topic: what the person wants to learn")

    def _answer_place(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        names = place_names(str(self.facts.get("place") or ""))
        attempt = self.attempt("place")
        if attempt < len(names):
            name = names[attempt]
            button = next((b for b in buttons if normalise(b.get("title", "")) == normalise(name)), None)
            return tap(button, "place: button with the place") if button else Reply(name, "place: typed")
        return self._with_retries("place", buttons, None, DONT_KNOW[self.lang])

    def _answer_price_cap(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        """After "Meer": the most the person will pay, typed, else the "doesn't matter" button."""
        cap = budget_cap(self.conversation)
        if cap is not None and self.attempt("price_cap") == 0:
            words = f"max {int(cap)} euro" if self.lang == "nl" else f"at most {int(cap)} euros"
            return Reply(words, "price cap: typed from the facts")
        anything = [button for button in buttons if '"any"' in str(button.get("payload"))]
        if anything:
            return tap(anything[0], "price cap: not in the facts")
        return Reply(DONT_KNOW[self.lang], "price cap: not in the facts")

    def _answer_budget(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code, words = budget_answer(self.conversation, self.lang)
        if code is None and self.attempt("budget") == 0:
            return Reply(words, "budget: typed, no button fits the fact")
        return self._with_retries("budget", buttons, code, words)

    def _answer_time(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code = time_code(self.conversation)
        words = TIME_SAY[self.lang][code] if code else str(self.facts.get("time") or DONT_KNOW[self.lang])
        return self._with_retries("time", buttons, code, words)

    def _answer_hours(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code = hours_code(self.conversation)
        if code is None:
            button = dont_know_button(buttons)
            return (
                tap(button, "hours: not in the facts")
                if button
                else Reply(DONT_KNOW[self.lang], "hours: not in the facts")
            )
        return self._with_retries("hours", buttons, code, code)

    def _answer_distance(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code, words = distance_answer(self.conversation, self.lang)
        if code is None and self.attempt("distance") == 0:
            return Reply(words, "distance: typed, no button fits the fact")
        return self._with_retries("distance", buttons, code, words)

    def _answer_mode(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        code = mode_code(self.facts)
        return self._with_retries("mode", buttons, code, MODE_SAY[self.lang][code])

    def _answer_language_choice(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        wanted = str(self.facts.get("teaching_language") or self.lang)
        if wanted not in ("nl", "en"):
            button = choose_button(
                buttons, answer="maakt niet uit" if self.lang == "nl" else "either", threshold=70
            )
            return (
                tap(button, "language: either")
                if button
                else Reply("maakt niet uit" if self.lang == "nl" else "either is fine", "language: either")
            )
        names = {"nl": {"nl": "Nederlands", "en": "Engels"}, "en": {"nl": "Dutch", "en": "English"}}[
            self.lang
        ]
        return self._with_retries("language_choice", buttons, wanted, names[wanted])

    def _answer_confirm(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        names = place_names(str(self.facts.get("place") or ""))
        municipality = canonical_municipality(names[0]) if names else None
        noted = slots.get("municipality")
        if (
            not self.corrected
            and municipality
            and noted not in (None, "unknown", municipality)
            and mode_code(self.facts) != "online"
        ):
            self.corrected = True
            text = f"nee, ik woon in {names[0]}" if self.lang == "nl" else f"no, I live in {names[0]}"
            return Reply(text, f"confirm: the bot noted {noted}, the person lives in {municipality}")
        button = yes_no_button(buttons, yes=True)
        return tap(button, "confirm: yes") if button else Reply(YES[self.lang], "confirm: yes")

    def _answer_what_to_change(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        button = choose_button(buttons, code="municipality") or choose_button(
            buttons, answer="plaats" if self.lang == "nl" else "place", threshold=70
        )
        return (
            tap(button, "change: the place")
            if button
            else Reply(place_names(str(self.facts.get("place") or ""))[0], "change: the place")
        )

    def _answer_employer(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        if self.facts.get("situation") == "employer":
            button = choose_button(
                buttons,
                answer="een cursus voor mijn team" if self.lang == "nl" else "a course for my team",
                threshold=70,
            )
            if button is not None:
                return tap(button, "employer: training for the staff")
        else:
            button = choose_button(
                buttons,
                answer="een cursus voor mezelf" if self.lang == "nl" else "a course for myself",
                threshold=70,
            )
            if button is not None:
                return tap(button, "employer: a course for myself")
        return Reply(topic_text(self.facts), "employer: what the person wants to learn")

    def _answer_scan(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        # The interest test's questions are not in the facts: the middle answer ("a bit");
        # "shall I search for it?" after the test gets yes.
        button = yes_no_button(buttons, yes=True)
        if button is not None:
            return tap(button, "scan: yes, search")
        if buttons:
            return tap(buttons[len(buttons) // 2], "scan: not in the facts, middle answer")
        return Reply(DONT_KNOW[self.lang], "scan: not in the facts")

    def _answer_clarify(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply:
        """A "did you mean ...?" or "one of these subjects?": the subject that fits, else reword."""
        attempt = self.attempt("clarify")
        button = yes_no_button(buttons, yes=True)
        if button is not None:
            return tap(button, "clarify: yes")
        wants = str(self.facts.get("wants_to_learn") or "")
        button = best_title_match(buttons, [*clauses(wants), wants])
        if button is not None and attempt == 0:
            return tap(button, "clarify: the subject that fits the fact")
        if attempt <= 1:
            return Reply(topic_text(self.facts, attempt), "clarify: says what they want to learn")
        button = dont_know_button(buttons)
        return tap(button, "clarify: skips") if button else Reply(DONT_KNOW[self.lang], "clarify: skips")

    def _answer_open(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply | None:
        """The bot waits without a question: say what you want to learn (twice at most)."""
        self.open_turns += 1
        if self.open_turns > 3:
            return None
        subject = topic_text(self.facts, self.open_turns - 1)
        place = place_names(str(self.facts.get("place") or ""))[0]
        if self.lang == "nl":
            return Reply(f"ik zoek iets voor {subject} in {place}", "open: says what they look for")
        return Reply(f"I am looking for {subject} in {place}", "open: says what they look for")

    def _answer_other(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply | None:
        """A question this user has no fact for: a yes/no gets yes, a choice "I don't know"."""
        if self.attempt("other") >= 3:
            return None
        button = yes_no_button(buttons, yes=True) or dont_know_button(buttons)
        if button is not None:
            return tap(button, "other: no fact for this question")
        return Reply(DONT_KNOW[self.lang], "other: no fact for this question")

    def _answer_helpful(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply | None:
        return None  # the runner stops here; the offers are scored, not the user's opinion

    def _answer_relax(self, buttons: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Reply | None:
        """Answer "Wil je dat zien?" after nothing fitted one limit.

        Answered truthfully: yes when that limit is not one of the person's hard limits (a
        price is compared with the amount the button names), else the user stops at the advisor
        the question also offers. `stop_at_relax` keeps the older user, who always stopped.
        """
        if self.stop_at_relax:
            return None
        button = next((b for b in buttons if str(b.get("payload", "")).startswith("/inform")), None)
        if button is None or breaks_a_hard_limit(str(slots.get("unmet_limit") or ""), button, self.limits):
            return None
        return tap(button, "relax: not a hard limit, wants to see it")

    _answer_advisor = _answer_helpful
    _answer_handoff = _answer_helpful
