"""Chat throughput: Leerwijzer against a bare `rasa init` bot, same machine, same run.

Starts Leerwijzer (action server + Rasa, as `make run` does, on free ports and a throw-away
tracker store) and a bare `rasa init` bot trained in a temporary folder, then drives N
concurrent REST conversations against each and prints p50/p95 latency, throughput and ratios.
Loopback only; every loop is bounded by a message count.

Usage: .venv/bin/python benchmarks/chat_bench.py --model models/leerwijzer-<hash>.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from leerwijzer.launcher import Stack, wait_until_up  # noqa: E402
from leerwijzer.settings import Settings, get_settings  # noqa: E402

# The search message states every limit the search form would ask (online or not, how far, what
# it may cost, when): since 2026-12-07 the bot asks the missing ones first, and the bench measures
# a search turn, not a question.
LEERWIJZER_SCRIPT = [
    "hoi",
    "Ik zoek een gratis computercursus in Helmond, op locatie, tot 10 km, overdag",
    "ja",
    "doei",
]
MOODBOT_SCRIPT = ["hi", "I am sad", "yes", "bye"]
# What a correct answer contains (script index -> one of these texts): a bot that errors out is
# fast but wrong, so the run fails instead of printing figures for it.
LEERWIJZER_EXPECT = {1: ("Dit vond ik voor",)}
MOODBOT_EXPECT = {1: ("cheer you up",)}
# Issue 13's search-heavy mix (`--mix search-heavy`): a 12-turn conversation in which every
# second message searches (a new search with every limit, a refinement after the details,
# "meer", another place); the others are a greeting, thanks, a knowledge question and details.
SEARCHED = (
    "Dit vond ik voor",
    "vond ik niets voor",
    "Ik vond niets voor",
    "Ik vond online niets",
    "Meer vond ik niet",
)
DETAILS = ("Meer info en aanmelden",)
SEARCH_HEAVY_SCRIPT = [
    "hoi",
    "Ik zoek een gratis computercursus in Helmond, op locatie, tot 10 km, overdag",
    "de tweede",
    "liever 's avonds",
    "dank je",
    "Ik zoek een gratis cursus Nederlands in Eindhoven, op locatie, tot 10 km, overdag",
    "de eerste",
    "meer",
    "wat is SLIM?",
    "Ik zoek een gratis cursus mantelzorg in Helmond, op locatie, tot 25 km, overdag",
    "de eerste",
    "in Deurne",
]
SEARCH_HEAVY_EXPECT = {
    **{index: SEARCHED for index in (1, 3, 5, 7, 9, 11)},
    **{index: DETAILS for index in (2, 6, 10)},
}
MOODBOT_TWELVE = MOODBOT_SCRIPT * 3
MOODBOT_TWELVE_EXPECT = {index: ("cheer you up",) for index in (1, 5, 9)}
RASA = str(Path(sys.executable).parent / "rasa")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def conversation(
    client: httpx.AsyncClient,
    url: str,
    script: List[str],
    rounds: int,
    latencies: List[float],
    expect: Dict[int, tuple] | None = None,
    headers: Dict[str, str] | None = None,
    search_latencies: List[float] | None = None,
) -> None:
    """One user: send the script `rounds` times, one message after the other.

    Turns whose expected answer is a search's (`SEARCHED`) are also kept in `search_latencies`.
    """
    sender = uuid.uuid4().hex
    for _ in range(rounds):
        for index, text in enumerate(script):
            started = time.perf_counter()
            response = await client.post(url, json={"sender": sender, "message": text}, headers=headers)
            response.raise_for_status()
            took = time.perf_counter() - started
            latencies.append(took)
            wanted = (expect or {}).get(index)
            if wanted:
                replies = " ".join(str(m.get("text", "")) for m in response.json())
                if not any(marker in replies for marker in wanted):
                    raise SystemExit(f"wrong answer to {text!r}: {replies!r} (expected one of {wanted!r})")
                if wanted is SEARCHED and search_latencies is not None:
                    search_latencies.append(took)


async def drive(
    url: str,
    script: List[str],
    chats: int,
    rounds: int,
    expect: Dict[int, tuple] | None = None,
    headers: Dict[str, str] | None = None,
) -> Dict[str, float]:
    """Run `chats` concurrent conversations; p50/p95 (ms) of all turns and of search turns, msg/s."""
    latencies: List[float] = []
    searches: List[float] = []
    limits = httpx.Limits(max_connections=chats + 4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await conversation(client, url, script, 1, [], expect, headers)  # warm-up, not measured
        started = time.perf_counter()
        await asyncio.gather(
            *(
                conversation(client, url, script, rounds, latencies, expect, headers, searches)
                for _ in range(chats)
            )
        )
        elapsed = time.perf_counter() - started
    row = {"p50": _quantile(latencies, 0.5), "p95": _quantile(latencies, 0.95)}
    row.update(rate=len(latencies) / elapsed, n=len(latencies))
    if searches:
        row.update(search_p50=_quantile(searches, 0.5), search_p95=_quantile(searches, 0.95))
    return row


def _quantile(values: List[float], share: float) -> float:
    """The value below which `share` of the values lie, in ms (the median for 0.5)."""
    ordered = sorted(values)
    if share == 0.5:
        return statistics.median(ordered) * 1000
    return ordered[int(share * (len(ordered) - 1))] * 1000


def start_bare_bot(folder: Path) -> subprocess.Popen:
    """Create and train `rasa init` in a temporary folder, then serve it on a free port."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [RASA, "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    print(f"bare rasa init bot trained in {time.monotonic() - started:.0f} s", flush=True)
    port = free_port()
    process = subprocess.Popen(
        [RASA, "run", "--port", str(port), "--interface", "127.0.0.1", "-m", "models"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    process.port = port  # type: ignore[attr-defined]
    wait_until_up(f"http://127.0.0.1:{port}/", process, 300)
    return process


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--chats", default="1,8,32", help="concurrency levels, comma-separated")
    parser.add_argument("--rounds", type=int, default=None, help="times each user repeats the script")
    parser.add_argument(
        "--mix",
        choices=("basic", "search-heavy"),
        default="basic",
        help="basic: 4 messages, one search; search-heavy: 12 messages, every second one searches",
    )
    args = parser.parse_args()
    heavy = args.mix == "search-heavy"
    ours_script, ours_expect = (
        (SEARCH_HEAVY_SCRIPT, SEARCH_HEAVY_EXPECT) if heavy else (LEERWIJZER_SCRIPT, LEERWIJZER_EXPECT)
    )
    theirs_script, theirs_expect = (
        (MOODBOT_TWELVE, MOODBOT_TWELVE_EXPECT)
        if heavy
        else (
            MOODBOT_SCRIPT,
            MOODBOT_EXPECT,
        )
    )
    rounds = args.rounds or (2 if heavy else 5)
    levels = [int(n) for n in args.chats.split(",")]

    work = Path(tempfile.mkdtemp(prefix="leerwijzer-bench-"))
    bare = start_bare_bot(work / "bare")
    settings = Settings(
        runtime_dir=work,
        database_url=get_settings().database_url,
        tracker_store_db=str(work / "tracker.db"),
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
    )
    # One bench user sends its script several times in a few seconds, far more than a person
    # types; the per-conversation rate limit would answer "slow down", so it is lifted here.
    stack = Stack(
        model=args.model,
        settings=settings,
        log_dir=work / "logs",
        extra_env={"LEERWIJZER_RATE_LIMIT_PER_MINUTE": "0"},
    )
    stack.start(timeout=300)
    try:
        print(f"mix: {args.mix}, {len(ours_script)} messages x {rounds} rounds per chat", flush=True)
        print(f"{'chats':>5} | {'bot':<10} | {'p50 ms':>7} | {'p95 ms':>7} | {'msg/s':>6}")
        for chats in levels:
            ours = asyncio.run(
                drive(
                    f"{stack.rasa_url}/webhooks/rest/webhook",
                    ours_script,
                    chats,
                    rounds,
                    ours_expect,
                    {"Authorization": f"Bearer {stack.secrets['LEERWIJZER_REST_TOKEN']}"},
                )
            )
            theirs = asyncio.run(
                drive(
                    f"http://127.0.0.1:{bare.port}/webhooks/rest/webhook",  # type: ignore[attr-defined]
                    theirs_script,
                    chats,
                    rounds,
                    theirs_expect,
                )
            )
            for name, row in (("leerwijzer", ours), ("rasa init", theirs)):
                print(
                    f"{chats:>5} | {name:<10} | {row['p50']:>7.1f} | {row['p95']:>7.1f} | {row['rate']:>6.1f}"
                )
            if "search_p50" in ours:
                print(f"{chats:>5} | searches   | {ours['search_p50']:>7.1f} | {ours['search_p95']:>7.1f} |")
            print(
                f"{chats:>5} | ratio      | p50 {ours['p50'] / theirs['p50']:.2f}x | "
                f"p95 {ours['p95'] / theirs['p95']:.2f}x | "
                f"throughput {ours['rate'] / theirs['rate']:.2f}x",
                flush=True,
            )
    finally:
        stack.stop()
        os.killpg(bare.pid, 15)
        bare.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
