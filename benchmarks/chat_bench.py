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
# What a correct answer contains (script index -> text): a bot that errors out is fast but wrong,
# so the run fails instead of printing figures for it.
LEERWIJZER_EXPECT = {1: "Dit vond ik voor"}
MOODBOT_EXPECT = {1: "cheer you up"}
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
    expect: Dict[int, str] | None = None,
    headers: Dict[str, str] | None = None,
) -> None:
    """One user: send the script `rounds` times, one message after the other."""
    sender = uuid.uuid4().hex
    for _ in range(rounds):
        for index, text in enumerate(script):
            started = time.perf_counter()
            response = await client.post(url, json={"sender": sender, "message": text}, headers=headers)
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)
            wanted = (expect or {}).get(index)
            if wanted:
                replies = " ".join(str(m.get("text", "")) for m in response.json())
                if wanted not in replies:
                    raise SystemExit(f"wrong answer to {text!r}: {replies!r} (expected {wanted!r})")


async def drive(
    url: str,
    script: List[str],
    chats: int,
    rounds: int,
    expect: Dict[int, str] | None = None,
    headers: Dict[str, str] | None = None,
) -> Dict[str, float]:
    """Run `chats` concurrent conversations; return p50/p95 (ms) and messages per second."""
    latencies: List[float] = []
    limits = httpx.Limits(max_connections=chats + 4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await conversation(client, url, script, 1, [], expect, headers)  # warm-up, not measured
        started = time.perf_counter()
        await asyncio.gather(
            *(conversation(client, url, script, rounds, latencies, expect, headers) for _ in range(chats))
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "rate": len(latencies) / elapsed,
        "n": len(latencies),
    }


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
    parser.add_argument("--rounds", type=int, default=5, help="times each user repeats the script")
    args = parser.parse_args()
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
        print(f"{'chats':>5} | {'bot':<10} | {'p50 ms':>7} | {'p95 ms':>7} | {'msg/s':>6}")
        for chats in levels:
            ours = asyncio.run(
                drive(
                    f"{stack.rasa_url}/webhooks/rest/webhook",
                    LEERWIJZER_SCRIPT,
                    chats,
                    args.rounds,
                    LEERWIJZER_EXPECT,
                    {"Authorization": f"Bearer {stack.secrets['LEERWIJZER_REST_TOKEN']}"},
                )
            )
            theirs = asyncio.run(
                drive(
                    f"http://127.0.0.1:{bare.port}/webhooks/rest/webhook",  # type: ignore[attr-defined]
                    MOODBOT_SCRIPT,
                    chats,
                    args.rounds,
                    MOODBOT_EXPECT,
                )
            )
            for name, row in (("leerwijzer", ours), ("rasa init", theirs)):
                print(
                    f"{chats:>5} | {name:<10} | {row['p50']:>7.1f} | {row['p95']:>7.1f} | {row['rate']:>6.1f}"
                )
            print(
                f"{chats:>5} | ratio      | p50 {ours['p50'] / theirs['p50']:.2f}x | "
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
