"""SQuAD v1.1 (24 dev articles) figures for askseeds: retrieval, tuning sweeps, sentence
selection and the Recall@k plot (the answer scorer and abstention: train_scorer.py).

Tuning uses the FIRST 12 articles only; the LAST 12 are held out and reported separately.

Usage (each step is bounded and prints its figures):
    python benchmarks/squad_eval.py retrieval            # bm25/dense/hybrid on first-12/last-12/all
    python benchmarks/squad_eval.py fusion               # fusion sweeps on the first 12
    python benchmarks/squad_eval.py sentences            # top sentence vs first sentence, per half
    python benchmarks/squad_eval.py latency              # single-query retrieve() and ask() latency
    python benchmarks/squad_eval.py plot                 # docs/recall_at_k.png
    askseeds eval --squad FILE --retriever all --json .cache/squad_all.json
    python benchmarks/squad_eval.py report               # per-half tables + plot from that JSON
    python benchmarks/squad_eval.py all                  # everything above
Options: --squad FILE, --chunk-tokens N (an index per value, cached under .cache/).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.eval.harness import (
    load_squad,
    retrieval_metrics,
    source_ranking,
    squad_paths,
    squad_questions,
    squad_source,
    write_squad_docs,
)
from askseeds.eval.metrics import answer_in_text, dedupe_ranking
from askseeds.retrieve.hybrid import Hit, bm25_search, dense_search, fuse, rank, to_passages
from askseeds.terms import terms

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "bench" / "squad-v1.1-dev-24articles.json"
CACHE = ROOT / ".cache"
MODES = ("bm25", "dense", "hybrid")
DEPTH = 200  # raw hits kept per retriever for the fusion sweeps


# --------------------------------------------------------------------------- data


def corpus(squad: Path, settings: Settings, half: str = "all"):
    """(assistant, questions split by half) for the 24 articles, or an index of the first 12."""
    articles = load_squad(squad)
    docs, index = squad_paths(squad, settings, CACHE)
    if half == "first12":
        docs = docs.with_name(docs.name + "-first12")
        index = index.with_name(index.name + "-first12")
        articles_indexed = articles[:12]
    else:
        articles_indexed = articles
    write_squad_docs(articles_indexed, docs)
    questions = squad_questions(articles)
    first = {a["title"] for a in articles[:12]}
    split = {
        "first12": [q for q in questions if q.sources[0].split("/")[0] in first],
        "last12": [q for q in questions if q.sources[0].split("/")[0] not in first],
    }
    split["all24"] = split["first12"] + split["last12"]
    bot = Assistant.from_folder(docs, index_dir=index, settings=settings, progress=True)
    return bot, split


def metrics_of(rankings, questions) -> dict:
    return retrieval_metrics(rankings, [set(q.sources) for q in questions])


def row(name: str, m: dict) -> str:
    return (
        f"{name:<44} R@1 {m['recall@1']:.3f}  R@5 {m['recall@5']:.3f}  "
        f"R@10 {m['recall@10']:.3f}  MRR@10 {m['mrr@10']:.3f}"
    )


# --------------------------------------------------------------------------- steps


def step_retrieval(bot, split) -> dict:
    print(f"\n== Retrieval (source level), chunk_tokens={bot.settings.chunk_tokens}, "
          f"{bot.stats.passages} passages ==")
    out = {}
    for half, qs in split.items():
        queries = [q.question for q in qs]
        for mode in MODES:
            t0 = time.perf_counter()
            ranked = bot.retrieve_batch(queries, k=20, mode=mode)
            ms = 1000 * (time.perf_counter() - t0) / len(qs)
            m = metrics_of([source_ranking(p) for p in ranked], qs)
            m["batch_ms_per_query"] = ms
            out[f"{half}/{mode}"] = m
            print(row(f"{half:<8} {mode:<7} (n={m['n']})", m) + f"  {ms:.1f} ms/q")
    return out


def raw_hits(bot, qs):
    vecs = bot.embedder.encode([q.question for q in qs], bot.settings.batch_size)
    dense = [dense_search(bot.index, v, DEPTH) for v in vecs]
    sparse = [bm25_search(bot.index, terms(q.question), DEPTH) for q in qs]
    return vecs, dense, sparse


def to_sources(bot, hits) -> list[str]:
    return dedupe_ranking(bot.index.chunks[h.position].source for h in hits)


# Alternative fusion formulas tried in the sweep (the winner went into retrieve.fuse).
def fuse_rrf(dense, sparse, s):
    total = {}
    for w, hits in ((s.dense_weight, dense), (s.bm25_weight, sparse)):
        for r, h in enumerate(hits):
            total[h.position] = total.get(h.position, 0.0) + w / (s.rrf_k + r + 1)
    return sorted((Hit(p, v) for p, v in total.items()), key=lambda h: -h.score)


def _norm(hits, how):
    if not hits:
        return {}
    xs = np.array([h.score for h in hits], dtype=np.float64)
    if how == "minmax":
        lo, hi = xs.min(), xs.max()
        ys = (xs - lo) / (hi - lo) if hi > lo else np.ones_like(xs)
    elif how == "zscore":
        sd = xs.std()
        ys = (xs - xs.mean()) / sd if sd > 0 else np.zeros_like(xs)
    else:  # max
        ys = xs / xs.max() if xs.max() > 0 else xs
    return {h.position: float(y) for h, y in zip(hits, ys)}


def make_norm_fusion(how):
    def f(dense, sparse, s):
        d, b = _norm(dense, how), _norm(sparse, how)
        d_floor = min(d.values(), default=0.0)
        b_floor = min(b.values(), default=0.0)
        total = {
            p: s.dense_weight * d.get(p, d_floor) + s.bm25_weight * b.get(p, b_floor)
            for p in set(d) | set(b)
        }
        return sorted((Hit(p, v) for p, v in total.items()), key=lambda h: -h.score)

    return f


def step_fusion(bot, split) -> list:
    qs = split["first12"]
    print(f"\n== Fusion sweep on the first 12 articles (n={len(qs)}), "
          f"chunk_tokens={bot.settings.chunk_tokens} ==")
    _, dense, sparse = raw_hits(bot, qs)
    base = bot.settings
    results = []

    def run(name, f, s):
        c = s.candidates
        rankings = [to_sources(bot, f(d[:c], b[:c], s)) for d, b in zip(dense, sparse)]
        m = metrics_of(rankings, qs)
        results.append((name, m))
        print(row(name, m))

    run("bm25 alone", lambda d, b, s: b, base)
    run("dense alone", lambda d, b, s: d, base)
    run("plain RRF k=60", fuse_rrf, replace(base, rrf_k=60, dense_weight=1, bm25_weight=1))
    for how in ("max", "minmax", "zscore"):
        for w in (0.3, 0.4, 0.5, 0.6):
            for c in (50, 100):
                s = replace(base, dense_weight=w, bm25_weight=1 - w, candidates=c)
                run(f"{how} dense_w={w} cand={c}", make_norm_fusion(how), s)
    for w in (0.3, 0.4, 0.5, 0.6):
        for c in (50, 100):
            s = replace(base, dense_weight=w, bm25_weight=1 - w, candidates=c)
            run(f"retrieve.fuse dense_w={w} cand={c}", fuse, s)
    run("retrieve.fuse (current defaults)", fuse, base)
    return results


def step_sentences(bot, split, limit: int = 1200) -> dict:
    """Top answer sentence vs the top passage's first sentence, per half (weights: train_scorer.py)."""
    out = {}
    for half in ("first12", "last12"):
        qs = split[half][:limit]
        vecs = bot.embedder.encode([q.question for q in qs], bot.settings.batch_size)
        hits = [rank(bot.index, q.question, v, bot.settings) for q, v in zip(qs, vecs)]
        passages = [to_passages(bot.index, h, 1, bot.settings) for h in hits]
        first = statistics.mean(
            answer_in_text(q.answers, p[0].text[: p[0].sentences[0].end - p[0].sentences[0].start])
            if p else 0.0
            for q, p in zip(qs, passages)
        )
        top = statistics.mean(
            float(bool(c) and answer_in_text(q.answers, c[0].text))
            for q, v, h in zip(qs, vecs, hits)
            for c in [bot.answerer.candidates(q.question, q.question, v, h)]
        )
        print(f"\n== Sentence selection, {half} (n={len(qs)}) ==")
        print(f"{'baseline: first sentence of top passage':<44} {first:.3f}")
        print(f"{'askseeds: top-scored sentence':<44} {top:.3f}")
        out[half] = {"first_sentence": first, "top_sentence": top, "n": len(qs)}
    return out


def step_latency(bot, split, n: int = 200, repeat: int = 3) -> dict:
    """p50/p95 of single questions, each path timed in turn over the same questions.

    Besides askseeds' own retrievers, "plain dense" is the reference dense
    retriever the issue compares with: sentence-transformers' ``encode`` and an
    exact FAISS inner-product search over the same chunk vectors, nothing else.
    Paths are interleaved question by question (``repeat`` rounds), so a burst
    of load from elsewhere on the machine hits them all alike.
    """
    import faiss

    qs = [q.question for q in split["all24"][:: max(1, len(split["all24"]) // n)]][:n]
    print(f"\n== Single-query latency over {len(qs)} questions x {repeat} (ms) ==")
    flat = faiss.IndexFlatIP(bot.index.chunk_vecs.shape[1])
    flat.add(np.asarray(bot.index.chunk_vecs, dtype=np.float32))
    model = bot.embedder._model

    def plain_dense(q: str) -> None:
        vec = model.encode([q], normalize_embeddings=True, show_progress_bar=False)
        flat.search(np.asarray(vec, dtype=np.float32), 10)

    paths = {
        "encode (library)": lambda q: model.encode([q], show_progress_bar=False),
        "encode (askseeds)": bot.embedder.encode_query,
        "plain dense": plain_dense,
        "retrieve/dense": lambda q: bot.retrieve(q, k=10, mode="dense"),
        "retrieve/hybrid": lambda q: bot.retrieve(q, k=10, mode="hybrid"),
        "retrieve/bm25": lambda q: bot.retrieve(q, k=10, mode="bm25"),
        "ask/hybrid": bot.ask,
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    for q in qs[:5]:
        for fn in paths.values():
            fn(q)
    for _ in range(repeat):
        for q in qs:
            for name, fn in paths.items():
                t0 = time.perf_counter()
                fn(q)
                times[name].append(1000 * (time.perf_counter() - t0))
    out = {name: (np.percentile(ts, 50), np.percentile(ts, 95)) for name, ts in times.items()}
    for k, (p50, p95) in out.items():
        print(f"{k:<20} p50 {p50:6.1f}  p95 {p95:6.1f}")
    return out


def step_plot(bot, split, path: Path) -> None:
    qs = split["all24"]
    curves = {}
    for mode in MODES:
        ranked = bot.retrieve_batch([q.question for q in qs], k=20, mode=mode)
        curves[mode] = metrics_of([source_ranking(p) for p in ranked], qs)["curve"]
    plot_curves(curves, len(qs), path)


def plot_curves(curves: dict, n: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ks = list(range(1, 21))
    for mode, style in zip(MODES, ("s--", "o:", "D-")):
        ax.plot(ks, curves[mode], style, label=mode, markersize=4)
    ax.set_xlabel("k (retrieved paragraphs)")
    ax.set_ylabel("Recall@k (gold paragraph in top k)")
    ax.set_title(f"askseeds on SQuAD v1.1 dev, 24 articles ({n} questions, 913 paragraphs)",
                 fontsize=9)
    ax.set_xticks(ks)
    ax.set_ylim(min(min(c) for c in curves.values()) - 0.02, 1.0)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"\nWrote {path}")
    for mode, c in curves.items():
        print(f"{mode:<7} " + " ".join(f"{x:.3f}" for x in c))


def _split_rows(records, first_titles):
    halves = {
        "first12": [r for r in records if r["sources"][0].split("/")[0] in first_titles],
        "last12": [r for r in records if r["sources"][0].split("/")[0] not in first_titles],
    }
    halves["all24"] = list(records)
    return halves


def step_report(squad: Path, report_path: Path, plot_path: Path) -> dict:
    """Tables per half from an `askseeds eval --squad ... --retriever all --json` report."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    records = report["questions"]
    first = {_title(a) for a in load_squad(squad)[:12]}
    halves = _split_rows(records, first)
    modes = list(report["retrieval"])
    out: dict = {"retrieval": {}, "answers": {}}
    print(f"\n== Retrieval (source level) from {report_path.name} ==")
    for half, recs in halves.items():
        for mode in modes:
            ranks = [r["rank"][mode] for r in recs]
            m = {f"recall@{k}": statistics.mean(x is not None and x <= k for x in ranks)
                 for k in range(1, 21)}
            m["mrr@10"] = statistics.mean(1 / x if x is not None and x <= 10 else 0 for x in ranks)
            m["n"] = len(ranks)
            out["retrieval"][f"{half}/{mode}"] = m
            print(row(f"{half:<8} {mode:<7} (n={m['n']})", m))
    print("\n== Answers (hybrid ask()) ==")
    from askseeds.eval.harness import summarize_answers

    for half, recs in halves.items():
        a = summarize_answers(recs)
        out["answers"][half] = a
        print(f"{half:<8} answer hit {a['answer_hit']:.3f}  top-citation hit {a['top_citation_hit']:.3f}"
              f"  (1st sentence baseline {a['first_sentence_hit']:.3f})  EM {a['em']:.3f}"
              f"  F1 {a['f1']:.3f}  cit. precision {a['citation_precision']:.3f}"
              f"  exactness {a['citation_exactness']:.3f}  false abst. {a['false_abstention']:.3f}"
              f"  p50 {a['latency_p50_ms']:.1f} ms  p95 {a['latency_p95_ms']:.1f} ms")
    curves = {m: [out["retrieval"][f"all24/{m}"][f"recall@{k}"] for k in range(1, 21)]
              for m in modes}
    plot_curves(curves, len(records), plot_path)
    return out


def _title(article: dict) -> str:
    return squad_source(str(article.get("title", "untitled")), 0).split("/")[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("step", choices=["retrieval", "fusion", "sentences", "latency",
                                     "plot", "report", "all"])
    ap.add_argument("--report", type=Path, default=ROOT / ".cache" / "squad_all.json",
                    help="for `report`: the JSON of `askseeds eval --squad ... --retriever all`")
    ap.add_argument("--squad", type=Path, default=SQUAD)
    ap.add_argument("--chunk-tokens", type=int, default=None)
    ap.add_argument("--plot-path", type=Path, default=ROOT / "docs" / "recall_at_k.png")
    ap.add_argument("--json", type=Path, help="write the figures of this run here")
    args = ap.parse_args(argv)
    settings = Settings()
    if args.chunk_tokens:
        settings = replace(settings, chunk_tokens=args.chunk_tokens)
    steps = ["retrieval", "fusion", "sentences", "latency", "plot"]
    todo = steps if args.step == "all" else [args.step]
    out: dict = {"settings": settings.to_dict()}
    bot = split = None
    for step in todo:
        if step == "report":
            out[step] = step_report(args.squad, args.report, args.plot_path)
            continue
        if bot is None:
            bot, split = corpus(args.squad, settings)
        if step == "retrieval":
            out[step] = step_retrieval(bot, split)
        elif step == "fusion":
            out[step] = step_fusion(bot, split)
        elif step == "sentences":
            out[step] = step_sentences(bot, split)
        elif step == "latency":
            out[step] = step_latency(bot, split)
        elif step == "plot":
            step_plot(bot, split, args.plot_path)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
