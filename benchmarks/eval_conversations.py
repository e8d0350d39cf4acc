"""Conversation suite: 50 blind conversations with a simulated user against the real stack.

Starts Leerwijzer as `make run` does (action server, Rasa, console) on free ports, a temporary
runtime folder and tracker store, a fresh copy of the catalogue database and no rate limit.
For each conversation in tests/eval/conversations.yml a simulated user
(`benchmarks/simulated_user.py`) sends the opening messages, answers every question from the
person's facts (the question is known by the name of the response the bot uttered, read from
the tracker), volunteers the `later` messages after the bot's second question, and stops when
offers were shown and the bot asks whether they help, when an advisor / call-back / walk-in hour
is offered, when it is stuck on a question, or after 16 user turns. When nothing fits one limit
and the bot asks "Wil je dat zien?", the user taps yes unless that limit is one of their hard
limits (since session 8; `--stop-at-relax` gives the earlier user, who always stopped there).
The offers shown come from the tracker's `offers_shown` slot, mapped to catalogue ids, and are scored against
tests/eval/expected_sample.yml and the person's hard limits (`benchmarks/offer_limits.py`).

Prints one line per conversation and the totals, writes results/conversations.json, exits 0.

Usage:
  .venv/bin/python benchmarks/eval_conversations.py --model models/leerwijzer-<hash>.tar.gz
  ... --catalogue tests/eval/catalogue2 [--expected FILE]   (OOAPI v5, imported into an empty database)
  ... --only c01,c07 -v                                        (some conversations, with transcripts)
  ... --totals-only                                            (a blind set: totals, nothing else)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.offer_limits import OfferFacts, judge, load_offers, totals  # noqa: E402
from benchmarks.simulated_user import SimulatedUser, question_kind  # noqa: E402
from leerwijzer.launcher import Stack  # noqa: E402
from leerwijzer.settings import PROJECT_ROOT, Settings  # noqa: E402

CONVERSATIONS = PROJECT_ROOT / "tests" / "eval" / "conversations.yml"
EXPECTED_SAMPLE = PROJECT_ROOT / "tests" / "eval" / "expected_sample.yml"
REPORT = PROJECT_ROOT / "results" / "conversations.json"
MAX_USER_TURNS = 16
STUCK_AFTER = 4  # the same question asked this many times in a row
GOAL = 0.90
SHOWN_SLOT = "offers_shown"
PROFILE_SLOTS = (
    "themes", "topic", "municipality", "mode_preference", "max_distance_km", "budget", "max_price_eur",
    "employer_pays", "time_preference", "days", "teaching_language", "role", "unmet_limit",
)  # fmt: skip
WALK_IN_SLOT = "walk_in_choices"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------- the database
def sample_database(folder: Path) -> str:
    """A fresh SQLite database with the sample catalogue (as `python -m offer_catalogue init`)."""
    from offer_catalogue.database import sample_sqlite_database

    return sample_sqlite_database(folder)


def ooapi_database(folder: Path, catalogue: Path) -> str:
    """A fresh SQLite database holding only an OOAPI v5 catalogue (no sample).

    `python -m offer_catalogue import-ooapi` migrates an empty database and imports into it; only
    `init` seeds the sample, so the sample never gets in.
    """
    url = f"sqlite:///{folder / 'leerwijzer.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "offer_catalogue", "--database-url", url, "import-ooapi", str(catalogue)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
    )
    print(done.stdout.strip().splitlines()[0] if done.stdout.strip() else done.stderr[-500:], flush=True)
    if done.returncode != 0 and "created" not in done.stdout:
        raise SystemExit(f"import-ooapi failed: {done.stderr[-2000:]}")
    return url


# ----------------------------------------------------------------------------- talking
@dataclass
class Turn:
    """One user message and what the bot answered (response names)."""

    user: str
    why: str
    bot: List[str]
    bot_text: List[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened in one conversation."""

    id: str
    lang: str
    turns: int = 0
    shown: List[str] = field(default_factory=list)
    walk_in: List[str] = field(default_factory=list)
    advisor_offered: bool = False
    stopped: str = ""
    # The profile slots at the end (printed with -v: what the bot understood).
    profile: Dict[str, Any] = field(default_factory=dict)
    stuck_on: str | None = None
    transcript: List[Turn] = field(default_factory=list)
    error: str | None = None


class Bot:
    """The REST channel and Rasa's tracker API of a running stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.client = httpx.Client(timeout=120)
        self.headers = {"Authorization": f"Bearer {stack.secrets['LEERWIJZER_REST_TOKEN']}"}

    def say(self, sender: str, text: str) -> List[dict]:
        """Send one message as `sender`; the bot's replies."""
        response = self.client.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=self.headers,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The conversation's tracker (REST conversation ids are rest:<sender>)."""
        response = self.client.get(
            f"{self.stack.rasa_url}/conversations/rest:{sender}/tracker",
            params={"token": self.stack.secrets["RASA_API_TOKEN"]},
        )
        response.raise_for_status()
        return response.json()


def bot_events(events: List[dict]) -> List[dict]:
    """The bot's utterances, each with its response name and buttons."""
    result = []
    for event in events:
        if event.get("event") != "bot":
            continue
        result.append(
            {
                "response": (event.get("metadata") or {}).get("utter_action"),
                "buttons": ((event.get("data") or {}).get("buttons")) or [],
                "text": event.get("text") or "",
            }
        )
    return result


def last_question(said: List[dict]) -> dict | None:
    """The bot's question in one reply: the last utterance that asks (or the last one)."""
    if not said:
        return None
    for item in reversed(said):
        kind = question_kind(item["response"])
        if (
            item["buttons"]
            or (item["response"] or "").startswith("utter_ask")
            or kind not in ("other", "open")
        ):
            return item
    return said[-1]


def slot_values(events: List[dict], name: str) -> List[Any]:
    """Every value a slot was set to, in order."""
    return [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == name]


def run_conversation(
    bot: Bot, conversation: Dict[str, Any], offers: Dict[int, OfferFacts], stop_at_relax: bool = False
) -> Outcome:
    """Drive one conversation to its end and collect what was shown."""
    sender = f"eval-{conversation['id']}-{uuid.uuid4().hex[:8]}"
    user = SimulatedUser(conversation, stop_at_relax=stop_at_relax)
    outcome = Outcome(id=conversation["id"], lang=conversation["lang"])
    seen = 0
    questions = 0
    later_sent = False
    previous_kind: str | None = None
    repeats = 0
    queue: List[tuple[str, str]] = [(text, "opening") for text in conversation.get("opening") or []]
    tracker: Dict[str, Any] = {}

    def send(text: str, why: str) -> List[dict]:
        nonlocal seen, tracker
        bot.say(sender, text)
        outcome.turns += 1
        tracker = bot.tracker(sender)
        outcome.profile = {
            name: value
            for name, value in (tracker.get("slots") or {}).items()
            if name in PROFILE_SLOTS and value not in (None, [], False)
        }
        events = tracker.get("events") or []
        said = bot_events(events[seen:])
        seen = len(events)
        outcome.transcript.append(
            Turn(
                user=text,
                why=why,
                bot=[s["response"] or "?" for s in said],
                bot_text=[s["text"] for s in said],
            )
        )
        return said

    said: List[dict] = []
    while True:
        if queue:
            text, why = queue.pop(0)
            said = send(text, why)
            if queue:
                continue
        question = last_question(said)
        response = question["response"] if question else None
        kind = question_kind(response)
        names = [s["response"] or "" for s in said]
        # The relax question ("Wil je dat zien?") offers an advisor and the walk-in hour too.
        if any(question_kind(n) in ("handoff", "advisor", "relax") for n in names) and not any(
            "failed" in n for n in names
        ):
            outcome.advisor_offered = True
        if (
            question is not None
            and kind not in ("open", "other", "handoff", "advisor", "helpful", "relax")
            or question is not None
            and question["buttons"]
        ):
            questions += 1
        shown_now = [v for v in slot_values(tracker.get("events") or [], SHOWN_SLOT) if v]
        handoff = [n for n in names if question_kind(n) == "handoff" and "failed" not in n]
        # "Niets tot € 100 ... [walk-in hour card] ... Wil je dat zien?": the walk-in card comes
        # before the relax question in the same reply; the user answers the question.
        if kind == "relax":
            handoff = [n for n in handoff if n != "utter_walk_in_instead"]
        if handoff:
            # Handed to an advisor, or offered a call-back / walk-in hour (even when the bot
            # goes on asking in the same reply): the conversation ends here.
            outcome.stopped = f"advisor, call-back or walk-in hour ({handoff[0]})"
            break
        if shown_now and kind in ("helpful", "advisor"):
            outcome.stopped = "offers shown, the bot asks if they help"
            break
        if kind == "advisor":
            outcome.stopped = "the bot offers an advisor"
            break
        if outcome.turns >= MAX_USER_TURNS:
            outcome.stopped = f"{MAX_USER_TURNS} user turns"
            break
        if not later_sent and questions >= 2 and conversation.get("later"):
            later_sent = True
            queue = [(text, "later (volunteered)") for text in conversation["later"]]
            continue
        repeats = repeats + 1 if (response and response == previous_kind) else 1
        previous_kind = response
        if repeats >= STUCK_AFTER:
            outcome.stopped = f"stuck: {response} asked {repeats} times"
            outcome.stuck_on = response
            break
        reply = user.reply(response, question["buttons"] if question else [], tracker.get("slots") or {})
        if reply is None:
            outcome.stopped = f"the user has nothing more to say after {response}"
            if kind in ("open", "other"):
                outcome.stuck_on = response
            break
        said = send(reply.text, reply.why + (f" [tap: {reply.tapped}]" if reply.tapped else ""))

    events = tracker.get("events") or []
    shown_ids: List[str] = []
    for value in slot_values(events, SHOWN_SLOT):
        for item in value or []:
            if str(item) not in shown_ids:
                shown_ids.append(str(item))
    outcome.shown = [offers[int(i)].source_id if i.isdigit() and int(i) in offers else i for i in shown_ids]
    for value in slot_values(events, WALK_IN_SLOT):
        for item in value or []:
            offer_id = str(item.get("offer_id") if isinstance(item, dict) else item)
            name = (
                offers[int(offer_id)].source_id
                if offer_id.isdigit() and int(offer_id) in offers
                else offer_id
            )
            if name not in outcome.walk_in:
                outcome.walk_in.append(name)
    if outcome.walk_in:
        outcome.advisor_offered = True
    return outcome


# ----------------------------------------------------------------------------- main
def _say_nothing(*_args: Any, **_kwargs: Any) -> None:
    """Print nothing (a conversation's row under --totals-only)."""


def main() -> int:
    """Run the suite, print the table and the totals, write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument(
        "--catalogue", type=Path, default=None, help="OOAPI v5 file or folder instead of the sample"
    )
    parser.add_argument(
        "--expected", type=Path, default=None, help="expected offers (default: expected_sample.yml)"
    )
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS)
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--only", default="", help="comma-separated conversation ids")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each transcript")
    parser.add_argument(
        "--totals-only",
        action="store_true",
        help="print only the totals (for a blind set: no ids, offers or failure kinds on screen;"
        " the JSON report still holds them)",
    )
    parser.add_argument(
        "--stop-at-relax",
        action="store_true",
        help="the user of sessions 1-7: stops at 'Wil je dat zien?' instead of answering it",
    )
    args = parser.parse_args()
    say_row = _say_nothing if args.totals_only else print

    started = time.monotonic()
    conversations = yaml.safe_load(args.conversations.read_text(encoding="utf-8"))["conversations"]
    if args.only:
        wanted = set(args.only.split(","))
        conversations = [c for c in conversations if c["id"] in wanted]
    expected_file = args.expected or (None if args.catalogue else EXPECTED_SAMPLE)
    expected = (
        yaml.safe_load(expected_file.read_text(encoding="utf-8"))["expected"] if expected_file else None
    )

    work = Path(tempfile.mkdtemp(prefix="leerwijzer-conversations-"))
    database_url = ooapi_database(work, args.catalogue) if args.catalogue else sample_database(work)
    offers = load_offers(database_url)
    settings = Settings(
        runtime_dir=work,
        database_url=database_url,
        tracker_store_db=str(work / "tracker.db"),
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
    )
    stack = Stack(
        model=args.model,
        settings=settings,
        log_dir=work / "logs",
        extra_env={"LEERWIJZER_RATE_LIMIT_PER_MINUTE": "0"},
    )
    stack.start(timeout=300)
    up = time.monotonic() - started
    rows: List[Dict[str, Any]] = []
    try:
        bot = Bot(stack)
        header = (
            f"{'id':<4} {'lang':<4} {'turns':>5}  {'shown offers':<70} {'fits hit':<30} "
            f"{'limits broken':<30} result"
        )
        print(header)
        for conversation in conversations:
            try:
                outcome = run_conversation(bot, conversation, offers, args.stop_at_relax)
            except Exception as error:  # noqa: BLE001 - one broken conversation must not end the run
                outcome = Outcome(id=conversation["id"], lang=conversation["lang"], error=repr(error))
            by_source = {offer.source_id: offer for offer in offers.values()}
            row: Dict[str, Any] = {
                "id": outcome.id,
                "lang": outcome.lang,
                "turns": outcome.turns,
                "shown": outcome.shown,
                "walk_in_offered": outcome.walk_in,
                "advisor_offered": outcome.advisor_offered,
                "stopped": outcome.stopped,
                "error": outcome.error,
                "transcript": [asdict(t) for t in outcome.transcript],
            }
            row["shown_titles"] = [by_source[o].title if o in by_source else "?" for o in outcome.shown]
            if expected is None:
                broken_only = judge(
                    outcome.shown, {}, conversation.get("hard_limits"), by_source, outcome.advisor_offered
                ).limits_broken
                row["limits_broken"] = broken_only
            if expected is not None:
                verdict = judge(
                    outcome.shown,
                    expected.get(outcome.id) or {},
                    conversation.get("hard_limits"),
                    by_source,
                    outcome.advisor_offered,
                    stuck=outcome.stuck_on is not None,
                )
                row.update(
                    success=verdict.success,
                    fits_hit=verdict.fits_hit,
                    fallback_hit=verdict.fallback_hit,
                    limits_broken=verdict.limits_broken,
                    reason=verdict.reason,
                )
                broken = "; ".join(f"{k}: {', '.join(v)}" for k, v in verdict.limits_broken.items())
                result = "OK" if verdict.success else f"FAIL ({verdict.reason})"
                say_row(
                    f"{outcome.id:<4} {outcome.lang:<4} {outcome.turns:>5}  "
                    f"{', '.join(outcome.shown) or '-':<70} "
                    f"{', '.join(verdict.fits_hit) or '-':<30} {broken or '-':<30} {result}",
                    flush=True,
                )
            else:
                pairs = zip(outcome.shown, row["shown_titles"], strict=True)
                shown = "; ".join(f"{o} ({t[:40]})" for o, t in pairs) or "-"
                broken = "; ".join(f"{k}: {', '.join(v)}" for k, v in row["limits_broken"].items()) or "-"
                say_row(
                    f"{outcome.id:<4} {outcome.lang:<4} {outcome.turns:>5}  {shown}  "
                    f"| limits broken: {broken}",
                    flush=True,
                )
            if args.verbose and not args.totals_only:
                for turn in outcome.transcript:
                    print(f"      > {turn.user!r:<60} ({turn.why})")
                    print(f"      < {', '.join(turn.bot)}")
                print(f"      stopped: {outcome.stopped}")
                print(f"      profile: {outcome.profile}")
            rows.append(row)
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)

    elapsed = time.monotonic() - started
    report: Dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model": str(args.model),
        "catalogue": str(args.catalogue or "offer_catalogue/data/sample_catalogue.json"),
        "expected": str(expected_file) if expected_file else None,
        "seconds": round(elapsed, 1),
        "startup_seconds": round(up, 1),
        "conversations": rows,
    }
    print(f"\n{len(rows)} conversations in {elapsed:.0f} s (stack start {up:.0f} s)")
    if expected is not None:
        summary = totals(rows)
        report["totals"] = summary
        report["goal"] = GOAL
        for key in ("overall", "nl", "en"):
            item = summary[key]
            print(f"{key:<8} {item['ok']:>3}/{item['n']:<3} {item['rate']:.0%}")
        met = summary["overall"]["rate"] >= GOAL
        report["goal_met"] = met
        print(f"GOAL (>= {GOAL:.0%} overall): {'MET' if met else 'NOT MET'}")
        failed = [r for r in rows if not r.get("success")]
        if failed and not args.totals_only:
            print("failed: " + ", ".join(f"{r['id']} ({r['reason']})" for r in failed))
    else:
        print("no expected offers for this catalogue: shown offers only, no score")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
