"""Scale benchmark: vector stores and BM25 at 10k, 100k and 1M passages.

Usage:
    python benchmarks/scale.py                       # 10k, 100k, 1M; Milvus up to 100k
    python benchmarks/scale.py --sizes 10000,100000 --milvus-max 100000 --budget 1200
    python benchmarks/scale.py --lexical --sizes 1000000 --budget 900   # BM25 only, see below

``--lexical`` compares askseeds' segmented BM25 (``index/bm25.py``) with bm25s as askseeds
used it before (``get_scores`` + top 50) on a corpus of realistic vocabulary and lengths:
passages draw terms from a Zipf law whose exponent and vocabulary growth (Heaps' law) are
fitted on SQuAD's 913 paragraphs (stemmed terms, stopwords out), its top ranks SQuAD's own
terms in frequency order and its tail made-up terms up to the size Heaps' law predicts for
the corpus; 30% of each passage's terms repeat a topic of 20 terms shared with ~50 other
passages (the burstiness real text has); lengths are resampled from SQuAD's paragraphs.
Queries are 200 real SQuAD questions' terms. "Update" is one file: 20 passages removed and
20 added, written as a new generation; "rebuild" is building the index from token ids.

Vectors are SYNTHETIC at every size: each passage is three random sentences of one SQuAD
paragraph (24 dev articles), and its vector is the normalised sum of their real all-MiniLM-L6-v2 embeddings
plus Gaussian noise; its BM25 text is the same three sentences. Queries are 200 real SQuAD
questions embedded with the same model. "Exact" top-10s are computed by brute force.

Each store is built and searched in its own process, so RSS is that store's alone (minus the
interpreter's baseline; for Milvus it includes the milvus-lite server process). Retrieval is
what askseeds does per question: the store returns 2*50+10 candidates, which are re-scored
with the float16 vectors (memory-mapped) and cut to 50. Recall@10 compares that top 10 with
the exact one. The script stops by itself: a step that would start after --budget seconds
is skipped and reported as such.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SQUAD = Path(
    os.environ.get("ASKSEEDS_SQUAD")
    or ROOT.parent / "shared" / "bench" / "squad-v1.1-dev-24articles.json"
)
CACHE = ROOT / ".cache" / "scale"
QUERIES = 200
CANDIDATES = 50  # Settings.candidates: what retrieve() asks each retriever for
UPDATE_ROWS = 20  # one file's worth of chunks, removed and added again
NOISE = 1.0  # norm of the noise added to a sum of three unit vectors (norm ~2)


# ----------------------------------------------------------------------------- data
def _squad_material() -> tuple[np.ndarray, list, np.ndarray, list, np.ndarray]:
    """Sentence vectors, terms and paragraph ids; question vectors and terms (cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    files = [
        CACHE / n for n in ("sent.npy", "sent_terms.json", "q.npy", "q_terms.json", "para.npy")
    ]
    if all(f.exists() for f in files):
        return (
            np.load(files[0], allow_pickle=False),
            json.loads(files[1].read_text()),
            np.load(files[2], allow_pickle=False),
            json.loads(files[3].read_text()),
            np.load(files[4], allow_pickle=False),
        )
    from askseeds.embed.encoder import get_embedder
    from askseeds.ingest.chunk import split_sentences
    from askseeds.terms import terms
    from askseeds.types import Span

    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    sentences, questions, para_of = [], [], []
    paragraphs = [p for article in data for p in article["paragraphs"]]
    for number, para in enumerate(paragraphs):
        text = para["context"]
        found = [text[s.start : s.end] for s in split_sentences(text, Span(0, len(text)))]
        sentences += found
        para_of += [number] * len(found)
        questions += [qa["question"] for qa in para["qas"]]
    rng = np.random.default_rng(0)
    questions = [questions[i] for i in rng.choice(len(questions), QUERIES, replace=False)]
    model = get_embedder("bundled:all-MiniLM-L6-v2")
    sent = model.encode(sentences, 64).astype(np.float32)
    qv = model.encode(questions, 64).astype(np.float32)
    np.save(files[0], sent, allow_pickle=False)
    files[1].write_text(json.dumps([terms(s) for s in sentences]))
    np.save(files[2], qv, allow_pickle=False)
    files[3].write_text(json.dumps([terms(q) for q in questions]))
    np.save(files[4], np.asarray(para_of, dtype=np.int32), allow_pickle=False)
    return _squad_material()


def _make_corpus(n: int, sent: np.ndarray, para: np.ndarray, folder: Path) -> None:
    """``chunkvec.npy`` (n x dim float16, unit) and ``parts.npy`` (n x 3 sentence ids).

    A passage's three sentences come from one SQuAD paragraph, as a real chunk's do,
    so the corpus has topics rather than being uniform noise.
    """
    rng = np.random.default_rng(n)
    starts = np.searchsorted(para, np.arange(para.max() + 2))
    which = rng.integers(0, para.max() + 1, size=n)
    lo, size = starts[which], starts[which + 1] - starts[which]
    parts = (lo[:, None] + rng.integers(0, 1 << 30, size=(n, 3)) % size[:, None]).astype(np.int32)
    out = np.lib.format.open_memmap(
        folder / "chunkvec.npy", mode="w+", dtype=np.float16, shape=(n, sent.shape[1])
    )
    step = 100_000
    for a in range(0, n, step):
        p = parts[a : a + step]
        v = sent[p[:, 0]] + sent[p[:, 1]] + sent[p[:, 2]]
        v += rng.normal(0, NOISE / np.sqrt(sent.shape[1]), v.shape).astype(np.float32)
        out[a : a + len(p)] = v / np.linalg.norm(v, axis=1, keepdims=True)
    out.flush()
    del out
    np.save(folder / "parts.npy", parts, allow_pickle=False)


def _exact_top(chunkvec: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    """Brute-force top ``k`` row ids per query over the float16 vectors, in blocks."""
    best_s = np.full((len(queries), k), -np.inf, np.float32)
    best_i = np.zeros((len(queries), k), np.int64)
    step = 100_000
    for a in range(0, len(chunkvec), step):
        s = queries @ np.asarray(chunkvec[a : a + step], dtype=np.float32).T
        top = np.argpartition(-s, min(k, s.shape[1] - 1), axis=1)[:, :k]
        cand_s = np.concatenate([best_s, np.take_along_axis(s, top, 1)], axis=1)
        cand_i = np.concatenate([best_i, top + a], axis=1)
        order = np.argsort(-cand_s, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(cand_s, order, 1), np.take_along_axis(cand_i, order, 1)
    return best_i


# ------------------------------------------------------------------- child processes
def _rss_tree_mb(pid: int | None = None) -> tuple[float, float]:
    """Anonymous and file-backed resident MB of a process and its descendants.

    File-backed pages are the memory-mapped index files: clean page cache the kernel
    can drop at any time, and mapped in 64 KiB runs around each touched row.
    """
    pid = pid or os.getpid()
    anon, file, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(("RssAnon:", "RssShmem:")):
                    anon += int(line.split()[1])
                elif line.startswith("RssFile:"):
                    file += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return anon / 1024, file / 1024


def _rss_delta(base: tuple[float, float]) -> list[float]:
    now = _rss_tree_mb()
    return [now[0] - base[0], now[1] - base[1]]


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _disk_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def _timings(fn, queries) -> tuple[list[float], list]:
    times, out = [], []
    for q in queries:
        t0 = time.perf_counter()
        out.append(fn(q))
        times.append((time.perf_counter() - t0) * 1000)
    return times, out


def _dense(store, chunkvec: np.ndarray):
    """askseeds' dense path: store candidates re-scored with the float16 vectors."""

    def search(q: np.ndarray) -> np.ndarray:
        _, ids = store.search(q.reshape(1, -1), 2 * CANDIDATES + 10)
        pos = np.unique(ids[0][ids[0] >= 0])
        scores = np.asarray(chunkvec[pos], dtype=np.float32) @ q
        return pos[np.lexsort((pos, -scores))[:CANDIDATES]]

    return search


def child_build(kind: str, folder: Path) -> dict:
    """Build one store over ``folder/chunkvec.npy``, save it, time a small update."""
    from dataclasses import replace

    from askseeds.config import Settings
    from askseeds.index.store import FaissStore, MilvusStore

    chunkvec = np.load(folder / "chunkvec.npy", mmap_mode="r")
    n = len(chunkvec)
    rows = np.arange(n, dtype=np.int64)
    out: dict = {}
    t0 = time.perf_counter()
    if kind == "bm25":
        import bm25s
        from bm25s.tokenization import Tokenized

        sent_terms = json.loads((CACHE / "sent_terms.json").read_text())
        vocab: dict[str, int] = {}
        sent_ids = [[vocab.setdefault(t, len(vocab)) for t in ts] for ts in sent_terms]
        parts = np.load(folder / "parts.npy")
        docs = [sent_ids[a] + sent_ids[b] + sent_ids[c] for a, b, c in parts.tolist()]
        t0 = time.perf_counter()  # tokenisation is per sentence here, not per passage
        retriever = bm25s.BM25()
        retriever.index(Tokenized(ids=docs, vocab=vocab), show_progress=False)
        retriever.save(str(folder / "bm25"), allow_pickle=False)
        out["build_s"] = time.perf_counter() - t0
        out["disk_mb"] = _disk_mb(folder / "bm25")
    else:
        vectors = np.asarray(chunkvec, dtype=np.float32)
        if kind == "milvus":
            uri = str(folder / "milvus.db")
            settings = replace(Settings(), vector_store="milvus", milvus_index="FLAT")
            store = MilvusStore.build(rows, vectors, vectors.shape[1], settings, uri, 1)
            out["build_s"] = time.perf_counter() - t0
            out["info"] = store.info.to_dict()
            del vectors
            out["disk_mb"] = _disk_mb(folder / "milvus.db")
            t1 = time.perf_counter()
            store.update(
                rows[:UPDATE_ROWS] + n,
                np.asarray(chunkvec[:UPDATE_ROWS], np.float32),
                rows[:UPDATE_ROWS],
            )
            store.save(folder, 2)
            store.finish(None)
            out["update_s"] = time.perf_counter() - t1
            # Put rows 0..19 back so the search step sees the corpus the truth was made on.
            store.update(
                rows[:UPDATE_ROWS],
                np.asarray(chunkvec[:UPDATE_ROWS], np.float32),
                rows[:UPDATE_ROWS] + n,
            )
            store.save(folder, 3)
            store.finish(None)
        else:
            exact_max = n if kind == "faiss-flat" else 0
            settings = replace(Settings(), faiss_exact_max=exact_max)
            store = FaissStore.build(rows, vectors, vectors.shape[1], settings)
            del vectors
            info = store.save(folder, 1)
            out["build_s"] = time.perf_counter() - t0
            out["info"] = info.to_dict()
            out["disk_mb"] = _disk_mb(folder / info.file)
            # What sync() does for one changed file: reopen, remove + add its rows, write.
            t1 = time.perf_counter()
            again = FaissStore.open(folder, info, writable=True)
            again.update(
                rows[:UPDATE_ROWS] + n,
                np.asarray(chunkvec[:UPDATE_ROWS], np.float32),
                rows[:UPDATE_ROWS],
            )
            again.save(folder, 2)
            out["update_s"] = time.perf_counter() - t1
            os.unlink(folder / f"faiss-{2}.index")
            path = folder / info.file
            t2 = time.perf_counter()
            h = hashlib.sha256()
            for f in (path, folder / "chunkvec.npy"):
                with open(f, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
            out["sha256_s"] = time.perf_counter() - t2
    out["build_peak_mb"] = _peak_mb()
    return out


def child_search(kind: str, folder: Path, info: dict | None) -> dict:
    """Open a saved store as askseeds does (memory-mapped) and time single queries."""
    base = _rss_tree_mb()
    queries = np.load(CACHE / "q.npy")
    if kind == "bm25":
        import bm25s

        q_terms = json.loads((CACHE / "q_terms.json").read_text())
        retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=True, allow_pickle=False)
        vocab = retriever.vocab_dict

        def search(i: int):
            known = [t for t in q_terms[i] if t in vocab]
            return retriever.retrieve([known], k=CANDIDATES, show_progress=False, n_threads=1)

        times, _ = _timings(search, range(len(queries)))
        return {"rss_mb": _rss_delta(base), "times": times}
    from askseeds.config import Settings
    from askseeds.index import map_rows
    from askseeds.index.store import StoreInfo, open_store

    chunkvec = map_rows(folder / "chunkvec.npy")
    store = open_store(StoreInfo.from_dict(info), folder, Settings())
    search = _dense(store, chunkvec)
    search(queries[0])  # first query loads the collection / faults in the coarse quantizer
    times, got = _timings(search, queries)
    top = np.array([g[:10] for g in got])
    np.save(folder / f"top-{kind}.npy", top, allow_pickle=False)
    return {"rss_mb": _rss_delta(base), "times": times}


# ------------------------------------------------------------------ lexical corpus
TOPIC_SHARE, TOPIC_TERMS, TOPIC_PASSAGES = 0.3, 20, 50


def _squad_terms() -> tuple[list[list[str]], list[list[str]]]:
    """Stemmed terms of SQuAD's paragraphs and of 200 of its questions."""
    from askseeds.terms import terms

    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    questions = [qa["question"] for p in paragraphs for qa in p["qas"]]
    rng = np.random.default_rng(0)
    picked = [questions[i] for i in rng.choice(len(questions), QUERIES, replace=False)]
    return [terms(p["context"]) for p in paragraphs], [terms(q) for q in picked]


def _fit_text_model(docs: list[list[str]]) -> dict:
    """Zipf exponent (ranks 5..2000) and Heaps' law V = K T^beta, fitted on ``docs``."""
    counts: dict[str, int] = {}
    seen, growth, tokens = set(), [], 0
    for doc in docs:
        for t in doc:
            counts[t] = counts.get(t, 0) + 1
            seen.add(t)
        tokens += len(doc)
        growth.append((tokens, len(seen)))
    ranked = sorted(counts, key=lambda t: -counts[t])
    freq = np.array([counts[t] for t in ranked], np.float64)
    r = np.arange(5, min(2000, len(freq)))
    zipf = -np.polyfit(np.log(r + 1), np.log(freq[r]), 1)[0]
    g = np.array(growth[len(growth) // 10 :], np.float64)
    beta, log_k = np.polyfit(np.log(g[:, 0]), np.log(g[:, 1]), 1)
    lengths = [len(d) for d in docs]
    return {"terms": ranked, "zipf": zipf, "heaps": (np.exp(log_k), beta), "lengths": lengths}


def _make_text_corpus(n: int, model: dict, folder: Path) -> dict:
    """``tokens.npy`` (term ranks, int32), ``lengths.npy``; returns the corpus' figures."""
    rng = np.random.default_rng(n)
    lengths = rng.choice(np.asarray(model["lengths"]), size=n).astype(np.int64)
    total = int(lengths.sum())
    k, beta = model["heaps"]
    vocab = int(max(len(model["terms"]), min(k * total**beta, 20_000_000)))
    cdf = np.cumsum(np.arange(1, vocab + 1, dtype=np.float64) ** -model["zipf"])
    cdf /= cdf[-1]
    tokens = np.empty(total, np.int32)
    step = 5_000_000
    for a in range(0, total, step):
        m = min(step, total - a)
        tokens[a : a + m] = np.searchsorted(cdf, rng.random(m))
    # Topics: every TOPIC_PASSAGES passages share TOPIC_TERMS terms drawn past the top 100
    # ranks; TOPIC_SHARE of each passage's tokens are replaced by its topic's terms.
    topics = (n + TOPIC_PASSAGES - 1) // TOPIC_PASSAGES
    topic_terms = np.searchsorted(
        cdf, cdf[100] + (1 - cdf[100]) * rng.random((topics, TOPIC_TERMS))
    )
    doc = np.repeat(np.arange(n), lengths)
    swap = rng.random(total) < TOPIC_SHARE
    topic = rng.integers(0, topics, size=n)[doc[swap]]
    tokens[swap] = topic_terms[topic, rng.integers(0, TOPIC_TERMS, size=int(swap.sum()))]
    np.save(folder / "tokens.npy", tokens, allow_pickle=False)
    np.save(folder / "lengths.npy", lengths, allow_pickle=False)
    return {"tokens": total, "vocab": vocab, "used": len(np.unique(tokens))}


def _term_names(ranks: np.ndarray, known: list[str]) -> list[str]:
    """A term's text: SQuAD's own term at its rank, a made-up word past them."""
    return [known[r] if r < len(known) else f"zz{r}" for r in ranks.tolist()]


def child_lexical(kind: str, folder: Path) -> dict:
    """Build ``kind`` (bm25s | segments) over the text corpus, time queries and an update."""
    _, questions = _squad_terms()
    known = json.loads((folder / "terms.json").read_text())
    tokens = np.load(folder / "tokens.npy", mmap_mode="r")
    lengths = np.load(folder / "lengths.npy")
    n = len(lengths)
    out: dict = {}
    ranks = np.unique(tokens)  # the ranks used, each given a term id (its index here)
    names = _term_names(ranks, known)
    t0 = time.perf_counter()
    if kind == "bm25s":
        import bm25s
        from bm25s.tokenization import Tokenized

        ids = np.searchsorted(ranks, tokens).tolist()
        ends = np.cumsum(lengths).tolist()
        docs = [ids[a:b] for a, b in zip([0, *ends[:-1]], ends)]
        del ids
        vocab = dict(zip(names, range(len(names))))
        t0 = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(Tokenized(ids=docs, vocab=vocab), show_progress=False)
        retriever.save(str(folder / "bm25s"), allow_pickle=False)
        out["build_s"] = time.perf_counter() - t0
        out["disk_mb"] = _disk_mb(folder / "bm25s")
        del docs, retriever
        base = _rss_tree_mb()
        retriever = bm25s.BM25.load(str(folder / "bm25s"), mmap=True, allow_pickle=False)

        def search(q: list[str]):  # askseeds' bm25_search before segments
            found = [t for t in q if t in retriever.vocab_dict]
            if not found:
                return []
            scores = retriever.get_scores(found)
            top = np.argpartition(-scores, CANDIDATES - 1)[:CANDIDATES]
            return top[np.lexsort((top, -np.round(scores[top], 4)))].tolist()  # ties by row

    else:
        from askseeds.index.bm25 import LexicalIndex, Segment, term_keys

        rows = np.arange(n, dtype=np.int64)
        ids = np.searchsorted(ranks, tokens)
        segment = Segment.from_ids("seg-0", rows, lengths, ids, term_keys(names))
        empty = np.zeros(0, np.int64)
        LexicalIndex([segment], empty, empty, empty, 1).save(folder / "g1")
        out["build_s"] = time.perf_counter() - t0
        out["disk_mb"] = _disk_mb(folder / "g1")
        del segment, ids
        # One file changes: its 20 passages go, 20 new ones (other passages' terms) come.
        ends = np.cumsum(lengths)
        starts = ends - lengths
        old = [_term_names(np.asarray(tokens[a:b]), known) for a, b in zip(starts[:20], ends[:20])]
        new = [
            _term_names(np.asarray(tokens[a:b]), known) for a, b in zip(starts[-20:], ends[-20:])
        ]
        t1 = time.perf_counter()
        grown = LexicalIndex.open(folder / "g1").updated(rows[:20] + n, new, rows[:20], old)
        grown.save(folder / "g2")
        out["update_s"] = time.perf_counter() - t1
        out["segments"] = len(grown.segments)
        del grown
        base = _rss_tree_mb()
        index = LexicalIndex.open(folder / "g2")

        def ranked(index: LexicalIndex, q: list[str]) -> list[int]:
            # As Index.sparse: a little deeper, ties by row (bm25s's order above).
            rows, scores = index.search(q, CANDIDATES + 16)
            return rows[np.lexsort((rows, -np.round(scores, 4)))][:CANDIDATES].tolist()

        def search(q: list[str]):
            return ranked(index, q)

        before = LexicalIndex.open(folder / "g1")  # the corpus bm25s indexed
        out["top_before"] = [ranked(before, q) for q in questions]
        del before

    out["build_peak_mb"] = _peak_mb()
    search(questions[0])
    times, got = _timings(search, questions)
    out.update(times=times, rss_mb=_rss_delta(base), top=got)
    return out


def lexical_main(sizes: list[int], work: Path, deadline: float) -> None:
    """The ``--lexical`` table: segmented BM25 against bm25s on the text corpus."""
    docs, _ = _squad_terms()
    model = _fit_text_model(docs)
    k, beta = model["heaps"]
    print(
        f"text model fitted on SQuAD ({len(docs)} paragraphs): Zipf exponent "
        f"{model['zipf']:.3f}, Heaps V = {k:.1f} T^{beta:.3f}, mean length "
        f"{np.mean(model['lengths']):.1f} terms; topic share {TOPIC_SHARE}\n"
    )
    header = (
        f"{'passages':>9} {'index':<9} {'build s':>8} {'RSS anon+mapped MB':>18} {'disk MB':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'update s':>9}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        if time.perf_counter() > deadline:
            print(f"{n}: skipped, budget spent")
            continue
        folder = work / f"text-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        # The corpus depends only on n and SQuAD (seeded): made once, kept in the cache.
        corpus = CACHE / f"text-{n}"
        t0 = time.perf_counter()
        if not (corpus / "figures.json").exists():
            corpus.mkdir(parents=True, exist_ok=True)
            (corpus / "terms.json").write_text(json.dumps(model["terms"]))
            figures = _make_text_corpus(n, model, corpus)
            (corpus / "figures.json").write_text(json.dumps(figures))
        figures = json.loads((corpus / "figures.json").read_text())
        for name in ("terms.json", "tokens.npy", "lengths.npy"):
            os.link(corpus / name, folder / name)
        print(
            f"{n}: corpus of {figures['tokens']:,} terms, vocabulary {figures['vocab']:,} "
            f"({figures['used']:,} used), ready in {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
        results = {}
        for kind in ("bm25s", "segments"):
            left = deadline - time.perf_counter()
            try:
                results[kind] = res = _child(["lexical", kind, str(folder)], left)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"{n} {kind}: stopped ({exc})")
                continue
            anon, mapped = res["rss_mb"]
            update = f"{res['update_s']:.3f}" if "update_s" in res else "rebuild"
            print(
                f"{n:>9} {kind:<9} {res['build_s']:>8.1f} {f'{anon:.0f} + {mapped:.0f}':>18} "
                f"{res['disk_mb']:>8.0f} {np.percentile(res['times'], 50):>7.2f} "
                f"{np.percentile(res['times'], 95):>7.2f} {update:>9}",
                flush=True,
            )
        if len(results) == 2:
            a, b = results["bm25s"], results["segments"]
            ratio = np.percentile(b["times"], 50) / np.percentile(a["times"], 50)
            same = np.mean([x[:10] == y[:10] for x, y in zip(a["top"], b["top_before"])])
            print(
                f"{n}: query p50 segments / bm25s {ratio:.2f}; one-file update / rebuild "
                f"{b['update_s'] / b['build_s']:.4f} ({b['segments']} segments); "
                f"build peak RSS bm25s {a['build_peak_mb']:.0f} MB, segments "
                f"{b['build_peak_mb']:.0f} MB; same top 10 as bm25s (before the update) on {same:.0%} of queries",
                flush=True,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _child(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", *args]
    res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=max(timeout, 1))
    if res.returncode != 0:
        raise RuntimeError(res.stderr.strip().splitlines()[-1] if res.stderr else "failed")
    return json.loads(res.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--milvus-max", type=int, default=100_000)
    ap.add_argument("--stores", default="faiss-flat,faiss-ivf,bm25,milvus")
    ap.add_argument("--budget", type=float, default=1140, help="seconds; later steps are skipped")
    ap.add_argument("--work", default=str(CACHE / "stores"))
    ap.add_argument("--lexical", action="store_true", help="BM25 on a realistic text corpus")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child and args.child[0] == "lexical":
        print(json.dumps(child_lexical(args.child[1], Path(args.child[2]))))
        return 0
    if args.child:
        step, kind, folder = args.child[:3]
        info = json.loads(args.child[3]) if len(args.child) > 3 else None
        fn = child_build if step == "build" else child_search
        res = fn(kind, Path(folder)) if step == "build" else fn(kind, Path(folder), info)
        print(json.dumps(res))
        return 0

    start = time.perf_counter()
    deadline = start + args.budget
    print(f"load average at start: {os.getloadavg()}  ({os.cpu_count()} cores)")
    if args.lexical:
        lexical_main([int(s) for s in args.sizes.split(",")], Path(args.work), deadline)
        print(f"\nload average at end: {os.getloadavg()}; total {time.perf_counter() - start:.0f}s")
        return 0
    sent, _, queries, _, para = _squad_material()
    print(
        f"SYNTHETIC corpus: passage = 3 random sentences of one SQuAD paragraph ({len(sent)} real "
        f"sentence embeddings), vector = normalised sum + Gaussian noise (norm {NOISE}); "
        f"{len(queries)} real SQuAD questions as queries.\n"
    )
    header = (
        f"{'passages':>9} {'store':<12} {'build s':>8} {'RSS anon+mapped MB':>18} {'disk MB':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'R@10':>6} {'update s':>8}  params"
    )
    print(header)
    print("-" * len(header))
    notes = []
    work = Path(args.work)
    for n in [int(s) for s in args.sizes.split(",")]:
        folder = work / str(n)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if time.perf_counter() > deadline:
            notes.append(f"{n}: skipped, budget of {args.budget:.0f}s spent")
            continue
        _make_corpus(n, sent, para, folder)
        chunkvec = np.load(folder / "chunkvec.npy", mmap_mode="r")
        truth = _exact_top(chunkvec, queries)
        kinds = [k for k in args.stores.split(",") if k != "milvus" or n <= args.milvus_max]
        if n > args.milvus_max and "milvus" in args.stores:
            notes.append(
                f"{n}: milvus-lite not run (--milvus-max {args.milvus_max}): its FLAT index "
                "keeps float32 vectors (1.5 GB at 1M) and inserting through gRPC runs at "
                "a few thousand rows/s; a Milvus server with IVF_SQ8/HNSW is the way there"
            )
        for kind in kinds:
            left = deadline - time.perf_counter()
            if left < 5:
                notes.append(f"{n} {kind}: skipped, budget spent")
                continue
            try:
                built = _child(["build", kind, str(folder)], left)
                info = json.dumps(built.get("info")) if "info" in built else None
                left = deadline - time.perf_counter()
                found = _child(["search", kind, str(folder)] + ([info] if info else []), left)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                notes.append(f"{n} {kind}: stopped ({exc})")
                continue
            times = np.array(found["times"])
            recall = "-"
            if kind != "bm25":
                from askseeds.index.store import recall_at_k

                recall = f"{recall_at_k(np.load(folder / f'top-{kind}.npy'), truth):.3f}"
            params = (built.get("info") or {}).get("params", {})
            shown = {k: v for k, v in params.items() if k in ("nlist", "nprobe", "index")}
            update = f"{built['update_s']:.2f}" if "update_s" in built else "rebuild"
            anon, mapped = found["rss_mb"]
            rss = f"{anon:.0f} + {mapped:.0f}"
            print(
                f"{n:>9} {kind:<12} {built['build_s']:>8.1f} {rss:>18} "
                f"{built['disk_mb']:>8.0f} {np.percentile(times, 50):>7.2f} "
                f"{np.percentile(times, 95):>7.2f} {recall:>6} {update:>8}  {shown or ''}",
                flush=True,
            )
            if "sha256_s" in built:
                notes.append(
                    f"{n} {kind}: full SHA-256 of store + chunkvec {built['sha256_s']:.2f}s; "
                    f"build peak RSS {built['build_peak_mb']:.0f} MB"
                )
            elif kind == "bm25":
                notes.append(
                    f"{n} bm25: rebuilt in full on every update ({built['build_s']:.1f}s from "
                    f"token ids; build peak RSS {built['build_peak_mb']:.0f} MB)"
                )
        avg_sent = 9.0  # sentences per 256-token chunk, as measured on the SQuAD index
        notes.append(
            f"{n}: chunkvec float16 {_disk_mb(folder / 'chunkvec.npy'):.0f} MB on disk "
            f"(memory-mapped); sentvec float16 would be ~{n * avg_sent * 384 * 2 / 2**20:.0f} MB "
            f"(computed, {avg_sent:.0f} sentences/chunk; memory-mapped, only read rows load)"
        )
        shutil.rmtree(folder, ignore_errors=True)
    print()
    for note in notes:
        print("note:", note)
    print(f"\nload average at end: {os.getloadavg()}; total {time.perf_counter() - start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
