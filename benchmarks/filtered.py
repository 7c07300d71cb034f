"""Filtered dense retrieval at scale: latency against unfiltered, recall against exact.

Usage:
    python benchmarks/filtered.py                      # 1M passages, IVF-SQ8
    python benchmarks/filtered.py --n 200000 --squad /path/to/squad-v1.1-dev-24articles.json

The corpus is benchmarks/scale.py's SYNTHETIC one (each passage three sentences of one SQuAD
paragraph, real all-MiniLM-L6-v2 sentence vectors summed plus noise; 200 real SQuAD questions
as queries), in a FAISS IVF-SQ8 store built and tuned as askseeds builds it (faiss_exact_max=0),
saved and opened memory-mapped. Passages belong to documents of 100 consecutive passages, the
documents to 100 folders ``f00/ .. f99/``; the filters keep one folder (1% of passages) or ten
(10%). Each query runs ``Index.dense`` as ``retrieve()`` does (50 candidates): unfiltered, and
filtered through each of the two paths ``Settings.filter_exact_max`` chooses between (a full
scan of the kept passages' stored vectors as SQ8 codes, built on a filter's first question and
kept; the store's IVF search with FAISS's ID selector), candidates rescored exactly as always.
Recall@10 is against an exact search of the kept passages. The selection itself (glob over
document names -> passage positions) is timed once; an open index caches it per filter.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import scale  # benchmarks/scale.py: the synthetic corpus

from askseeds.config import Settings
from askseeds.index import Index, map_rows
from askseeds.index.store import FaissStore, open_store, recall_at_k
from askseeds.retrieve.filters import Filters, select

PER_DOC = 100  # passages per document
FOLDERS = 100


def _p(times: list[float], q: int) -> float:
    return float(np.percentile(times, q))


def _run(index: Index, queries: np.ndarray, within: np.ndarray | None) -> tuple[list, np.ndarray]:
    times, tops = [], []
    index.dense(queries[0], scale.CANDIDATES, within)  # warm: faults in the coarse quantizer
    for q in queries:
        t0 = time.perf_counter()
        hits = index.dense(q, scale.CANDIDATES, within)
        times.append((time.perf_counter() - t0) * 1000)
        top = [p for p, _ in hits[:10]]
        tops.append(top + [-1] * (10 - len(top)))  # a filtered IVF probe may find fewer
    return times, np.array(tops)


def _exact_within(chunkvec: np.ndarray, queries: np.ndarray, within: np.ndarray) -> np.ndarray:
    scores = queries @ np.asarray(chunkvec[within], dtype=np.float32).T
    return within[np.argsort(-scores, axis=1)[:, :10]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="passages")
    ap.add_argument("--squad", default=str(scale.SQUAD), help="SQuAD v1.1 dev (24 articles)")
    ap.add_argument("--work", default=str(scale.CACHE / "filtered"))
    args = ap.parse_args()
    scale.SQUAD = Path(args.squad)
    start = time.perf_counter()
    print(f"load average at start: {os.getloadavg()}  ({os.cpu_count()} cores)", flush=True)
    sent, _, queries, _, para = scale._squad_material()
    folder = Path(args.work) / str(args.n)
    folder.mkdir(parents=True, exist_ok=True)
    scale._make_corpus(args.n, sent, para, folder)
    chunkvec = map_rows(folder / "chunkvec.npy")
    rows = np.arange(args.n, dtype=np.int64)

    t0 = time.perf_counter()
    vectors = np.asarray(chunkvec, dtype=np.float32)
    settings = Settings(faiss_exact_max=0)
    built = FaissStore.build(rows, vectors, vectors.shape[1], settings)
    del vectors
    info = built.save(folder, 1)
    del built
    print(f"built {info.kind} over {args.n} passages in {time.perf_counter() - t0:.0f}s: "
          f"{info.params}", flush=True)
    store = open_store(info, folder, settings)
    # Index.dense reads only the store, the row ids, the float16 vectors and how many chunks
    # there are; a real chunk list of 1M would only cost memory here.
    index = Index(folder, {}, range(args.n), [], {}, store, rows, chunkvec, None, None, None)

    n_docs = args.n // PER_DOC
    names = sorted(f"f{d % FOLDERS:02d}/d{d:07d}.txt" for d in range(n_docs))
    number = {name: i for i, name in enumerate(names)}
    doc_of_row = np.fromiter(
        (number[f"f{d % FOLDERS:02d}/d{d:07d}.txt"] for d in range(n_docs)), np.int64, n_docs
    )
    chunk_sources = np.repeat(doc_of_row, PER_DOC)[: args.n]
    dates = dict.fromkeys(names)

    unfiltered, _ = _run(index, queries, None)
    header = (f"{'filter':<22} {'kept':>8} {'path':<22} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'x unfilt.':>9} {'R@10':>6}")
    print("\n" + header + "\n" + "-" * len(header))
    base = _p(unfiltered, 50)
    print(f"{'none':<22} {args.n:>8} {info.kind + ' nprobe ' + str(info.params['nprobe']):<22} "
          f"{base:>7.2f} {_p(unfiltered, 95):>7.2f} {1.0:>9.2f} {'-':>6}", flush=True)
    notes = []
    for label, sources in (("1% (one folder)", ("f07/*",)), ("10% (ten folders)", ("f0?/*",))):
        t1 = time.perf_counter()
        within = select(Filters(sources=sources), chunk_sources, names, dates)
        notes.append(f"{label}: selection {1000 * (time.perf_counter() - t1):.1f} ms once "
                     f"({len(names)} documents; cached per filter by the open index)")
        index.filter_exact_max = len(within)
        t1 = time.perf_counter()
        index.dense(queries[0], scale.CANDIDATES, within)
        notes.append(f"{label}: the first question builds the filter's SQ8 scan in "
                     f"{1000 * (time.perf_counter() - t1):.0f} ms; it is kept for the next ones")
        truth = _exact_within(chunkvec, queries, within)
        for path, exact_max in (("full scan, SQ8 subset", len(within)), ("ivf + ID selector", 0)):
            index.filter_exact_max = exact_max
            times, got = _run(index, queries, within)
            print(f"{label:<22} {len(within):>8} {path:<22} {_p(times, 50):>7.2f} "
                  f"{_p(times, 95):>7.2f} {_p(times, 50) / base:>9.2f} "
                  f"{recall_at_k(got, truth):>6.3f}", flush=True)
    print()
    for note in notes:
        print("note:", note)
    print(f"default Settings.filter_exact_max = {Settings().filter_exact_max}: a filter keeping "
          "up to that many passages takes the full-scan path")
    print(f"\nload average at end: {os.getloadavg()}; total {time.perf_counter() - start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
