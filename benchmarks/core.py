"""Core speed figures on a corpus (default: seeds/), printed as a small table.

- index build time vs. raw model encoding of the same chunk texts (goal: ratio <= 1.25);
- ask() p50/p95 over 50 questions vs. encoding the question alone (aim: p50 ratio <= 3).

Usage: python benchmarks/core.py [--docs seeds] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from askseeds import Assistant
from askseeds.embed import get_embedder
from askseeds.evaluate import load_questions

ROOT = Path(__file__).resolve().parent.parent


def questions(limit: int = 50) -> list[str]:
    out = [q.question for q in load_questions(ROOT / "eval" / "seeds_questions.jsonl")]
    return (out * (limit // len(out) + 1))[:limit]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", default=str(ROOT / "seeds"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    embedder = get_embedder()
    embedder.encode(["warm up the model"])
    builds = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            bot = Assistant.from_folder(args.docs, index_dir=tmp, progress=False)
            builds.append(time.perf_counter() - t)
    texts = [c.text for c in bot.index.chunks]
    raws = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        embedder.encode(texts, batch_size=bot.settings.batch_size)
        raws.append(time.perf_counter() - t)
    build, raw = min(builds), min(raws)

    qs = questions()
    for q in qs[:5]:
        bot.ask(q)
    ask_ms, enc_ms = [], []
    for q in qs:
        t = time.perf_counter()
        bot.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        embedder.encode_query(q)
        enc_ms.append((time.perf_counter() - t) * 1000)

    p50, p95, enc50 = pct(ask_ms, 50), pct(ask_ms, 95), statistics.median(enc_ms)
    rows = [
        ("corpus", f"{args.docs}: {bot.stats.documents} docs, {len(texts)} chunks"),
        ("index build (load+clean+chunk+embed+write)", f"{build:.3f} s (best of {args.repeat})"),
        ("raw model encode of the same chunks", f"{raw:.3f} s = {len(texts) / raw:.0f} chunks/s"),
        ("build / raw encode", f"{build / raw:.2f}x (goal <= 1.25x)"),
        ("ask() p50 / p95 over 50 questions", f"{p50:.1f} / {p95:.1f} ms"),
        ("encode question alone p50", f"{enc50:.1f} ms"),
        ("ask p50 / encode p50", f"{p50 / enc50:.2f}x (aim <= 3x)"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
