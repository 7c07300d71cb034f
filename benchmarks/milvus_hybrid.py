"""Hybrid retrieval with BM25 inside Milvus (milvus-lite) against askseeds' local BM25.

Usage:
    python benchmarks/milvus_hybrid.py [--squad PATH] [--articles 24] [--questions 2000]

Indexes SQuAD v1.1 dev articles (one file per paragraph) with FAISS and local BM25,
switches a copy to ``vector_store="milvus"`` (a milvus-lite file; vectors reused, the
chunks' terms indexed by Milvus's BM25 function) and prints R@1/5/10 and MRR@10 of
the hybrid and BM25-only retrievers for both (the product path: hybrid reorders the top
passages by their best answer sentence), on every question or a seeded sample of them.
Questions are encoded once and the same vectors go to both stores.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from askseeds import Assistant
from askseeds.config import Settings
from askseeds.eval.harness import load_squad, retrieval_metrics, source_ranking, write_squad_docs
from askseeds.retrieve.hybrid import to_passages

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "bench" / "squad-v1.1-dev-24articles.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--squad", default=str(SQUAD))
    ap.add_argument("--articles", type=int, default=24)
    ap.add_argument("--questions", type=int, default=0, help="a seeded sample; 0 = all")
    ap.add_argument("--work", default=str(ROOT / ".cache" / "milvus_hybrid"))
    args = ap.parse_args()
    work = Path(args.work)
    articles = load_squad(args.squad)[: args.articles]
    docs, questions = write_squad_docs(articles, work / "docs")
    local = Assistant.from_folder(docs, index_dir=work / "local", progress=False)
    shutil.rmtree(work / "milvus", ignore_errors=True)
    shutil.copytree(work / "local", work / "milvus")
    t0 = time.perf_counter()
    milvus = Assistant.from_folder(
        docs,
        index_dir=work / "milvus",
        settings=replace(Settings(), vector_store="milvus"),
        progress=False,
    )
    took = time.perf_counter() - t0
    info = milvus.index.store.info.params
    print(
        f"{len(articles)} articles, {local.stats.passages} passages, {len(questions)} questions; "
        f"milvus store {info['collection']} (text search: {info.get('text') or 'no'}), "
        f"built from stored vectors in {took:.0f}s\n"
    )
    if 0 < args.questions < len(questions):
        questions = random.Random(0).sample(questions, args.questions)
    gold = [set(q.sources) for q in questions]
    queries = [q.question for q in questions]
    vecs = local.embedder.encode(queries, local.settings.batch_size)
    print(f"scored on {len(questions)} questions")
    print(
        f"{'retriever':<8} {'store':<14} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'ms/q':>6}"
    )
    for mode in ("hybrid", "bm25"):
        for name, bot in (("local", local), ("milvus-lite", milvus)):
            t0 = time.perf_counter()
            ranked = [
                to_passages(bot.index, bot.search(q, q, v, mode)[0], 10, bot.settings)
                for q, v in zip(queries, vecs)
            ]
            ms = 1000 * (time.perf_counter() - t0) / len(queries)
            m = retrieval_metrics([source_ranking(p) for p in ranked], gold, ks=(1, 5, 10))
            print(
                f"{mode:<8} {name:<14} {m['recall@1']:>6.3f} {m['recall@5']:>6.3f} "
                f"{m['recall@10']:>6.3f} {m['mrr@10']:>7.3f} {ms:>6.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
