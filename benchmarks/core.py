"""Core speed figures on a corpus (default: seeds/), printed as a small table.

- index build time vs. raw model encoding of the same chunk texts (goal: ratio <= 1.25);
- ask() p50/p95 over 50 questions with the shipped reader (goal <= 100 / 200 ms) and
  without it, beside encoding the question alone and the reader reading its leading candidates,
  and how often the reader was skipped.

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

from dataclasses import replace

from askseeds import Assistant
from askseeds.answer.reader import NONE
from askseeds.config import Settings
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
            bot = Assistant.from_folder(
                args.docs, index_dir=tmp, settings=Settings(reader="bundled"), progress=False
            )
            builds.append(time.perf_counter() - t)
    texts = [c.text for c in bot.index.chunks]
    raws = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        embedder.encode(texts, batch_size=bot.settings.batch_size)
        raws.append(time.perf_counter() - t)
    build, raw = min(builds), min(raws)

    qs = questions()
    plain = Assistant(bot.index, replace(bot.settings, reader=NONE), bot.docs_dir)
    reader = bot.answerer.reader
    top = bot.answerer.scorer.reader.top if bot.answerer.scorer.reader else 0
    for q in qs[:5]:
        bot.ask(q)
        plain.ask(q)
    ask_ms, plain_ms, enc_ms, read_ms, verdicts = [], [], [], [], []
    for q in qs:
        t = time.perf_counter()
        verdicts.append(bot.ask(q).reader)
        ask_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        plain.ask(q)
        plain_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        vec = embedder.encode_query(q)
        enc_ms.append((time.perf_counter() - t) * 1000)
        if reader is not None:
            cands = bot.search(q, q, vec)[1] or []
            t = time.perf_counter()
            reader.score([(q, c.text) for c in cands[:top]])
            read_ms.append((time.perf_counter() - t) * 1000)

    p50, p95, enc50 = pct(ask_ms, 50), pct(ask_ms, 95), statistics.median(enc_ms)
    skipped = sum(v == "skipped" for v in verdicts) / len(verdicts)
    rows = [
        ("corpus", f"{args.docs}: {bot.stats.documents} docs, {len(texts)} chunks"),
        ("index build (load+clean+chunk+embed+write)", f"{build:.3f} s (best of {args.repeat})"),
        ("raw model encode of the same chunks", f"{raw:.3f} s = {len(texts) / raw:.0f} chunks/s"),
        ("build / raw encode", f"{build / raw:.2f}x (goal <= 1.25x)"),
        (f"ask() p50 / p95 over 50 questions, reader {bot.stats.reader}",
         f"{p50:.1f} / {p95:.1f} ms (goal <= 100 / 200 ms)"),
        ("  reader skipped", f"{skipped:.2f} of the questions"),
        ("ask() p50 / p95 without the reader", f"{pct(plain_ms, 50):.1f} / {pct(plain_ms, 95):.1f} ms"),
        ("encode question alone p50", f"{enc50:.1f} ms"),
        (f"reader reading {top} candidates p50 / p95",
         f"{pct(read_ms, 50):.1f} / {pct(read_ms, 95):.1f} ms" if read_ms else "no reader"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
