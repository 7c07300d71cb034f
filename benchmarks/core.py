"""Core speed figures on a corpus (default: seeds/), printed as a small table.

- index build time vs. raw model encoding of the same chunk texts (goal: ratio <= 1.25);
- ask() p50/p95 over 50 questions (x --repeat) with the shipped reader (goal <= 100 / 200 ms) and
  without it, beside encoding the question alone and the reader reading its leading candidates,
  and how often the reader was skipped.

With ``--int8``, the same figures for the float32 PyTorch model and its int8 ONNX export
(``onnx-int8:``) side by side, in one run: index build of each / the float32 raw encode
(goal <= 0.5x for int8), question encode p50 int8 / float32 (goal <= 0.4), and with
``--squad FILE`` SQuAD v1.1 R@5 and MRR@10 of both (goal: within 0.005).

With ``--cache-effect``: ``ask()`` without its encode (the question vectors computed first)
right after nothing, after a model run, and after reading 96 MB or 1 MB of other memory: what
a model run costs the Python around it by evicting the CPU's caches.

Usage: python benchmarks/core.py [--docs seeds] [--repeat 3] [--int8 [--squad FILE]]
                                 [--cache-effect]
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

import numpy as np

from askseeds import Assistant
from askseeds.answer.reader import NONE
from askseeds.config import Settings
from askseeds.embed.encoder import get_embedder
from askseeds.embed.int8 import INT8_PREFIX
from askseeds.eval.harness import load_questions, source_ranking

ROOT = Path(__file__).resolve().parent.parent


def questions(limit: int = 50) -> list[str]:
    out = [q.question for q in load_questions(ROOT / "eval" / "seeds_questions.jsonl")]
    return (out * (limit // len(out) + 1))[:limit]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed(fn, repeat: int) -> tuple[object, float, float]:
    """``fn()``'s last result, and its best wall and best process-CPU seconds over ``repeat``.

    CPU seconds (all the process's threads) hold still on a machine others are loading.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, min(walls), min(cpus)


def build_index(docs: str, settings: Settings, repeat: int) -> tuple[Assistant, float, float]:
    """An assistant over ``docs``; best wall and CPU seconds of ``repeat`` fresh builds."""

    def one() -> Assistant:
        with tempfile.TemporaryDirectory() as tmp:
            return Assistant.from_folder(docs, index_dir=tmp, settings=settings, progress=False)

    return timed(one, repeat)  # type: ignore[return-value]


def raw_encode(texts: list[str], batch_size: int, repeat: int) -> tuple[float, float]:
    """Best wall and CPU seconds of the float32 sentence-transformers model encoding ``texts``."""
    embedder = get_embedder()
    _, wall, cpu = timed(lambda: embedder.encode(texts, batch_size=batch_size), repeat)
    return wall, cpu


def squad_retrieval(squad: Path, settings: Settings) -> dict[str, dict]:
    """R@5 and MRR@10 on all 24 articles, hybrid and dense, with ``settings``' model."""
    from squad_eval import corpus, metrics_of

    bot, split = corpus(squad, settings)
    qs = split["all24"]
    out = {}
    for mode in ("hybrid", "dense"):
        ranked = bot.retrieve_batch([q.question for q in qs], k=20, mode=mode)
        out[mode] = metrics_of([source_ranking(p) for p in ranked], qs)
    return out


def compare_int8(args) -> None:
    """float32 and int8 figures side by side, measured in this one run."""
    names = {"float32": Settings().model, "int8": INT8_PREFIX + Settings().model}
    embedders = {k: get_embedder(m) for k, m in names.items()}  # int8: exported on first use
    bots, builds = {}, {}
    for kind, model in names.items():
        embedders[kind].encode(["warm up the model"])
        bot, wall, cpu = build_index(args.docs, Settings(model=model), args.repeat)
        bots[kind], builds[kind] = bot, (wall, cpu)
    texts = [c.text for c in bots["float32"].index.chunks]
    raw = raw_encode(texts, Settings().batch_size, args.repeat)
    qs = questions()
    enc: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    asks: dict[str, list[float]] = {k: [] for k in names}
    for q in qs[:5]:
        for kind in names:
            bots[kind].ask(q)
    for q in qs:  # interleaved, so both see the same moments of a shared machine
        for kind in names:
            t = time.perf_counter()
            embedders[kind].encode_query(q)
            enc[kind].append((time.perf_counter() - t) * 1000)
            t = time.thread_time()  # one thread does a question's work: its CPU time
            embedders[kind].encode_queries([q])
            cpu[kind].append((time.thread_time() - t) * 1000)
            t = time.perf_counter()
            bots[kind].ask(q)
            asks[kind].append((time.perf_counter() - t) * 1000)
    rows = [
        ("corpus", f"{args.docs}: {len(texts)} chunks", "", ""),
        ("raw float32 encode of the chunks (s): wall, CPU", f"{raw[0]:.2f}, {raw[1]:.2f}", "", ""),
    ]
    for i, clock in enumerate(("wall", "CPU")):
        b32, b8 = builds["float32"][i], builds["int8"][i]
        rows.append((f"index build (s), {clock}", f"{b32:.2f}", f"{b8:.2f}", f"{b8 / b32:.2f}x"))
        rows.append(
            (
                f"index build / raw float32 encode, {clock}",
                f"{b32 / raw[i]:.2f}x",
                f"{b8 / raw[i]:.2f}x",
                "int8 goal <= 0.5x",
            )
        )
    for clock, values in (("wall", enc), ("CPU", cpu)):
        e32, e8 = statistics.median(values["float32"]), statistics.median(values["int8"])
        rows.append(
            (
                f"question encode p50 (ms), {clock}",
                f"{e32:.2f}",
                f"{e8:.2f}",
                f"{e8 / e32:.2f} (<= 0.4)",
            )
        )
    a32, a8 = pct(asks["float32"], 50), pct(asks["int8"], 50)
    rows.append(("ask() p50 (ms), wall", f"{a32:.1f}", f"{a8:.1f}", f"{a8 / a32:.2f}"))
    if args.squad:
        found = {k: squad_retrieval(Path(args.squad), Settings(model=m)) for k, m in names.items()}
        for mode in ("hybrid", "dense"):
            for metric in ("recall@5", "mrr@10"):
                a, b = found["float32"][mode][metric], found["int8"][mode][metric]
                rows.append((f"SQuAD {mode} {metric}", f"{a:.4f}", f"{b:.4f}", f"{b - a:+.4f}"))
    rows.insert(0, ("figure", "float32", "int8", "int8 vs float32"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(f"{v:<{w}}" for v, w in zip(r, widths)).rstrip())
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def cache_effect(args) -> None:
    """ask() p50 without the encode, after each kind of cache pollution."""
    bot = build_index(args.docs, Settings(reader="bundled"), 1)[0]
    qs = questions()
    vecs = {q: bot.embedder.encode_query(q) for q in qs}
    model = bot.embedder.encode_query
    bot.embedder.encode_query = vecs.__getitem__  # ask() now runs no model of its own
    sweeps = {"96 MB": np.ones(96 << 17), "1 MB": np.ones(1 << 17)}  # float64: 8 bytes each
    before = {
        "nothing": lambda q: None,
        "a question encode (the model's float32 weights stream through the caches)": lambda q: (
            model("another question: " + q)
        ),
        "reading 96 MB of other memory": lambda q: sweeps["96 MB"].sum(),
        "reading 1 MB of other memory": lambda q: sweeps["1 MB"].sum(),
    }
    for q in qs:
        bot.ask(q)
    for name, pollute in before.items():
        ms = []
        for q in qs * args.repeat:
            pollute(q)
            t = time.perf_counter()
            bot.ask(q)
            ms.append((time.perf_counter() - t) * 1000)
        print(f"ask() without the encode, right after {name}: p50 {pct(ms, 50):.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", default=str(ROOT / "seeds"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--int8", action="store_true", help="float32 and int8 ONNX side by side")
    ap.add_argument("--squad", help="with --int8: also SQuAD v1.1 retrieval of both")
    ap.add_argument("--cache-effect", action="store_true", help="ask() after cache pollution")
    args = ap.parse_args()
    if args.cache_effect:
        cache_effect(args)
        return
    if args.int8:
        compare_int8(args)
        return

    embedder = get_embedder()
    embedder.encode(["warm up the model"])
    bot, build_s, _ = build_index(args.docs, Settings(reader="bundled"), args.repeat)
    texts = [c.text for c in bot.index.chunks]
    raw = raw_encode(texts, bot.settings.batch_size, args.repeat)[0]

    qs = questions()
    plain = Assistant(bot.index, replace(bot.settings, reader=NONE), bot.docs_dir)
    reader = bot.answerer.reader
    top = bot.answerer.scorer.reader.top if bot.answerer.scorer.reader else 0
    for q in qs[:5]:
        bot.ask(q)
        plain.ask(q)
    # The model calls ask() makes, timed where they run (the encoder's batcher, the reader).
    inside = [0.0]

    def clocked(fn):
        def run(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                inside[0] += time.perf_counter() - t

        return run

    bot.embedder._batcher.fn = clocked(bot.embedder._batcher.fn)
    if reader is not None:
        reader.score = clocked(reader.score)
    ask_ms, plain_ms, enc_ms, read_ms, verdicts, inside_ms = [], [], [], [], [], []
    for q in qs * args.repeat:  # one round is too few for a steady p50 on a shared machine
        inside[0] = 0.0
        t = time.perf_counter()
        verdicts.append(bot.ask(q).reader)
        ask_ms.append((time.perf_counter() - t) * 1000)
        inside_ms.append(inside[0] * 1000)
        t = time.perf_counter()
        plain.ask(q)
        plain_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        vec = embedder.encode_query(q)
        enc_ms.append((time.perf_counter() - t) * 1000)
        if reader is not None:
            cands = bot.search(q, q, vec)[1] or []
            t = time.perf_counter()
            reader.score(bot.answerer.reader_pairs(q, cands[:top]))
            read_ms.append((time.perf_counter() - t) * 1000)

    p50, p95, enc50 = pct(ask_ms, 50), pct(ask_ms, 95), statistics.median(enc_ms)
    inside_mean = statistics.fmean(ask_ms) / statistics.fmean(inside_ms)
    skipped = sum(v == "skipped" for v in verdicts) / len(verdicts)
    # The model work each ask() did: encoding its question, and the reader's pairs when it read.
    model_ms = [
        e + (r if v == "read" else 0.0)
        for e, r, v in zip(enc_ms, read_ms or [0.0] * len(enc_ms), verdicts)
    ]
    ratio_mean = statistics.fmean(ask_ms) / statistics.fmean(model_ms)
    rows = [
        ("corpus", f"{args.docs}: {bot.stats.documents} docs, {len(texts)} chunks"),
        ("index build (load+clean+chunk+embed+write)", f"{build_s:.3f} s (best of {args.repeat})"),
        ("raw model encode of the same chunks", f"{raw:.3f} s = {len(texts) / raw:.0f} chunks/s"),
        ("build / raw encode", f"{build_s / raw:.2f}x (goal <= 1.25x)"),
        (f"ask() p50 / p95 over {len(qs)} questions x {args.repeat}, reader {bot.stats.reader}",
         f"{p50:.1f} / {p95:.1f} ms (goal <= 100 / 200 ms)"),
        ("  reader skipped", f"{skipped:.2f} of the questions"),
        ("  / the model work it did (encode + reader pairs when read): p50 / mean",
         f"{p50 / pct(model_ms, 50):.2f}x / {ratio_mean:.2f}x (goal <= 1.3x)"),
        ("  / its model calls timed inside each ask(): p50 / mean",
         f"{p50 / pct(inside_ms, 50):.2f}x / {inside_mean:.2f}x"),
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
