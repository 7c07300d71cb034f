"""Vector stores: where chunk vectors live and how the nearest ones are found.

Two backends behind one small protocol, picked by ``Settings.vector_store``:

* ``faiss`` (default): a file in ``index_dir``. Exact inner product (``IndexFlatIP``)
  up to ``Settings.faiss_exact_max`` vectors; above it an IVF index with 8-bit
  scalar quantisation (4x smaller than float32), whose ``nprobe`` is tuned at build
  time against exact search and saved, with the measured recall, in the manifest.
  Both kinds take ids, so a file's vectors can be removed and added without
  rebuilding, and both are memory-mapped when opened for search.
* ``milvus``: a collection in Milvus through ``pymilvus``; the URI is a local
  milvus-lite file or a server / cluster address. Each row also holds its chunk's
  ``source`` and ``date`` (for filters) and, where the server runs BM25 functions
  (Milvus 2.5+, milvus-lite 3.2), its terms as askseeds' own rules produce them, so
  that the lexical half of hybrid search runs in Milvus too.

Vectors are keyed by a chunk's stable *row* id, not by its position in the chunk
list, so an update only touches the rows of files that changed.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# Before faiss is imported: its loader reports, at INFO, each CPU-specific build it could not
# load ("ModuleNotFoundError ... swigfaiss_avx512"), lines that read like errors at start-up.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss
import numpy as np

from ..config import Settings
from ..errors import ConfigError, IndexCorruptError
from .bm25 import K1 as BM25_K1
from .bm25 import B as BM25_B

log = logging.getLogger(__name__)
_NO_BM25: set[str] = set()  # Milvus URIs already reported as lacking BM25 functions

NPROBES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
TUNE_QUERIES = 200  # queries used to pick nprobe; enough to read recall to about +-0.02
TUNE_K = 10
SMALL_BATCH = 8  # fewer queries than this are searched on one thread


@dataclass(frozen=True)
class RowFields:
    """What a store may keep beside each vector, in the order of the rows given with it."""

    sources: list[str]
    dates: list[str]  # ISO dates, "" where unknown
    terms: list[list[str]]  # the chunk's terms (terms.py), for a store that searches text


@dataclass(frozen=True)
class StoreInfo:
    """How a store was built, as written to the manifest's ``store`` entry."""

    backend: str
    kind: str  # "flat" | "ivf-sq8" | "milvus"
    params: dict  # backend parameters (nlist, nprobe, recall@10 at build, uri, collection, ...)
    file: str | None = None  # the artefact in index_dir (faiss only), checksummed with the rest

    def to_dict(self) -> dict:
        return {
            "backend": self.backend,
            "kind": self.kind,
            "params": self.params,
            "file": self.file,
        }

    @classmethod
    def from_dict(cls, data: dict) -> StoreInfo:
        return cls(data["backend"], data["kind"], dict(data.get("params", {})), data.get("file"))


class VectorStore(Protocol):
    """Nearest-neighbour search over unit vectors keyed by int64 row ids."""

    info: StoreInfo

    def count(self) -> int:
        """How many vectors the store holds."""

    def search(
        self, query: np.ndarray, n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Inner products and row ids of the ``n`` nearest vectors (ids -1 pad a short result).

        ``rows`` limits the search to those row ids, inside the search itself.
        """

    def update(
        self,
        add_rows: np.ndarray,
        add_vectors: np.ndarray,
        remove_rows: np.ndarray,
        add_fields: RowFields | None = None,
    ) -> None:
        """Stage an incremental change (visible to readers only once the manifest names it)."""

    def searches_text(self) -> bool:
        """Whether ``text_search`` serves BM25 over the rows' terms."""

    def text_search(
        self, query_terms: list[str], n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores (bm25s's scale) and row ids of the ``n`` best rows for the terms
        (only among ``rows`` if given)."""

    def save(self, index_dir: Path, generation: int) -> StoreInfo:
        """Persist staged changes as ``generation``; return what the manifest must record."""

    def finish(self, previous: StoreInfo | None) -> None:
        """Called after the new manifest is in place: drop what only the old one needed."""

    def needs_rebuild(self, total: int, settings: Settings) -> str | None:
        """Why the store no longer fits ``total`` vectors and must be rebuilt, or None."""


def _unit_f32(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float32).reshape(-1, x.shape[-1])


def _tune_queries(vectors: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Query-like probes: midpoints of two random stored vectors, slightly noised.

    A stored vector as its own query (or a noisy copy) stays inside its own IVF cell
    and flatters recall; a midpoint sits between topics as real questions do (their
    best cosine to a passage is about the same, ~0.68 on SQuAD).
    """
    rng = np.random.default_rng(seed)
    m = min(count, len(vectors))
    a = vectors[rng.choice(len(vectors), size=m, replace=False)].astype(np.float32)
    b = vectors[rng.choice(len(vectors), size=m, replace=False)].astype(np.float32)
    probe = a + b + rng.normal(0, 0.5 / math.sqrt(vectors.shape[1]), a.shape)
    return (probe / np.linalg.norm(probe, axis=1, keepdims=True)).astype(np.float32)


def recall_at_k(approx_ids: np.ndarray, exact_ids: np.ndarray, k: int = TUNE_K) -> float:
    """Mean share of the exact top ``k`` that the approximate top ``k`` also found."""
    hits = [len(set(a[:k]) & set(e[:k])) / k for a, e in zip(approx_ids, exact_ids)]
    return float(np.mean(hits)) if hits else 1.0


class FaissStore:
    """Vectors in one FAISS file per generation: exact below a size threshold, IVF-SQ8 above."""

    def __init__(self, index: faiss.Index, info: StoreInfo) -> None:
        self.index = index
        self.info = info
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = int(info.params.get("nprobe", 16))

    @classmethod
    def build(
        cls, rows: np.ndarray, vectors: np.ndarray, dim: int, settings: Settings
    ) -> FaissStore:
        """A new store over ``vectors``, its kind chosen by how many there are."""
        vectors = _unit_f32(vectors) if len(vectors) else np.zeros((0, dim), np.float32)
        rows = np.asarray(rows, dtype=np.int64)
        if len(vectors) <= settings.faiss_exact_max:
            index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
            if len(vectors):
                index.add_with_ids(vectors, rows)
            return cls(index, StoreInfo("faiss", "flat", {"metric": "ip"}))
        return cls._build_ivf(rows, vectors, dim, settings)

    @classmethod
    def _build_ivf(
        cls, rows: np.ndarray, vectors: np.ndarray, dim: int, settings: Settings
    ) -> FaissStore:
        t0 = time.perf_counter()
        n = len(vectors)
        # ~2 sqrt(n) lists balance the coarse scan against the list scans and keep
        # k-means (the bulk of build time) short; it wants >= 39 training points per list.
        nlist = max(1, min(int(2 * math.sqrt(n)), n // 39))
        rng = np.random.default_rng(0)
        sample = vectors[np.sort(rng.choice(n, size=min(n, 50 * nlist), replace=False))]
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.train(sample)
        index.add_with_ids(vectors, rows)
        nprobe, recall = _tune_nprobe(index, rows, vectors, settings.faiss_target_recall)
        params = {
            "metric": "ip",
            "nlist": nlist,
            "nprobe": nprobe,
            "quantizer": "SQ8",
            "trained_on": len(sample),
            "built_for": n,
            f"recall@{TUNE_K}": round(recall, 4),
            "target_recall": settings.faiss_target_recall,
        }
        log.info(
            "faiss ivf-sq8: %d vectors, nlist=%d, nprobe=%d (recall@%d %.3f vs exact) in %.1fs",
            n,
            nlist,
            nprobe,
            TUNE_K,
            recall,
            time.perf_counter() - t0,
        )
        return cls(index, StoreInfo("faiss", "ivf-sq8", params))

    @classmethod
    def open(cls, index_dir: Path, info: StoreInfo, writable: bool = False) -> FaissStore:
        """Read the store's file, memory-mapped unless it is about to be changed."""
        path = str(index_dir / info.file)
        if writable:
            flags = 0
        elif info.kind == "flat":
            flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY
        else:  # IVF lists become read-only on-disk (mmapped) lists
            flags = faiss.IO_FLAG_MMAP
        return cls(faiss.read_index(path, flags), info)

    def count(self) -> int:
        return int(self.index.ntotal)

    def search(
        self, query: np.ndarray, n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = _unit_f32(query)
        n = min(n, self.count() if rows is None else len(rows))
        if n <= 0:
            return np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
        # _bitmap stays referenced while faiss reads it through the selector.
        params, _bitmap = self._filtered(rows) if rows is not None else (None, None)
        if len(q) >= SMALL_BATCH:
            return self.index.search(q, n, params=params)
        # A few queries gain nothing from OpenMP, and on a busy 2-core machine its
        # threads wait on each other: 20 ms instead of 0.6 ms for one query over 10k.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self.index.search(q, n, params=params)
        finally:
            faiss.omp_set_num_threads(threads)

    def _filtered(self, rows: np.ndarray) -> tuple[faiss.SearchParameters, np.ndarray]:
        """Search parameters whose ID selector admits only ``rows`` (and the bitmap it reads).

        A bitmap over row ids costs one bit per id and a constant-time test per vector
        scanned; IndexIDMap applies it to the ids as stored, IVF while scanning its lists.
        """
        rows = np.asarray(rows, dtype=np.int64)
        bits = np.zeros(int(rows.max()) + 1 if len(rows) else 1, dtype=bool)
        bits[rows] = True
        bitmap = np.packbits(bits, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
        if isinstance(self.index, faiss.IndexIVF):
            params = faiss.SearchParametersIVF(sel=selector, nprobe=self.index.nprobe)
        else:
            params = faiss.SearchParameters(sel=selector)
        return params, bitmap

    def update(
        self,
        add_rows: np.ndarray,
        add_vectors: np.ndarray,
        remove_rows: np.ndarray,
        add_fields: RowFields | None = None,
    ) -> None:
        if len(remove_rows):
            self.index.remove_ids(np.asarray(remove_rows, dtype=np.int64))
        if len(add_rows):
            self.index.add_with_ids(_unit_f32(add_vectors), np.asarray(add_rows, dtype=np.int64))

    def searches_text(self) -> bool:
        return False

    def text_search(
        self, query_terms: list[str], n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError("FAISS holds vectors only")

    def needs_rebuild(self, total: int, settings: Settings) -> str | None:
        """Why the kind or training no longer fits ``total`` vectors, or None."""
        if self.info.kind == "flat" and total > settings.faiss_exact_max:
            return f"{total} vectors exceed faiss_exact_max={settings.faiss_exact_max}"
        if self.info.kind == "ivf-sq8":
            built = int(self.info.params.get("built_for", total))
            # Lists trained for n vectors grow long and unbalanced far beyond n, and are
            # wasteful far below it; retraining costs no embedding.
            if total <= settings.faiss_exact_max:
                return f"{total} vectors fit exact search again"
            if not built / 4 <= total <= built * 4:
                return f"ivf trained for {built} vectors, now {total}"
        return None

    def save(self, index_dir: Path, generation: int) -> StoreInfo:
        name = f"faiss-{generation}.index"
        faiss.write_index(self.index, str(index_dir / name))
        self.info = StoreInfo(self.info.backend, self.info.kind, self.info.params, name)
        return self.info

    def finish(self, previous: StoreInfo | None) -> None:
        """Old generation files are removed with the other artefacts."""


def subset_store(vectors: np.ndarray, ids: np.ndarray) -> FaissStore:
    """An in-memory store scanning all of ``vectors`` (keyed by ``ids``) as 8-bit codes.

    For a filter's passages: a full scan of a few thousand codes costs about what an
    IVF probe of the whole corpus does, at a quarter of float32's memory, and its
    candidates are rescored exactly by the caller.
    """
    vectors = _unit_f32(vectors)
    index = faiss.IndexScalarQuantizer(
        vectors.shape[1], faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.train(vectors)
    mapped = faiss.IndexIDMap(index)
    mapped.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
    return FaissStore(mapped, StoreInfo("faiss", "subset-sq8", {"metric": "ip"}))


def _tune_nprobe(
    index: faiss.IndexIVF, rows: np.ndarray, vectors: np.ndarray, target: float
) -> tuple[int, float]:
    """The smallest nprobe whose recall@10 against exact search reaches ``target``."""
    queries = _tune_queries(vectors, TUNE_QUERIES)
    k = min(TUNE_K, len(vectors))
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, k)
    del exact
    truth = rows[truth]
    recall = 0.0
    for nprobe in [p for p in NPROBES if p < index.nlist] + [index.nlist]:
        index.nprobe = nprobe
        _, got = index.search(queries, k)
        recall = recall_at_k(got, truth, k)
        if recall >= target:
            break
    # Real questions still do worse than the probes (SQuAD at 100k: probes reach 0.98 at
    # nprobe 8, questions 0.97 at 16); twice the lists costs little and closes the gap.
    index.nprobe = min(2 * index.nprobe, index.nlist)
    _, got = index.search(queries, k)
    return index.nprobe, recall_at_k(got, truth, k)


class MilvusStore:
    """Vectors in a Milvus collection (milvus-lite file, server or cluster).

    Milvus changes in place, so the generation protocol is kept by order: new rows
    are upserted before the manifest names them (rows nobody names are ignored by
    search), and removed rows are deleted only after the manifest stops naming
    them. A full rebuild fills a new collection and drops the old one afterwards.

    Where the server runs BM25 functions, each row's ``terms`` field holds the
    chunk's terms (askseeds' rules, joined by spaces; Milvus's standard tokenizer
    splits them back apart) and a BM25 function indexes them, with bm25s's k1 and b,
    so Milvus and the local index rank alike.
    """

    FIELD_ID = "id"
    FIELD_VEC = "vector"
    FIELD_SOURCE = "source"
    FIELD_DATE = "date"
    FIELD_TERMS = "terms"
    FIELD_SPARSE = "terms_bm25"
    BATCH = 2000
    MAX_TEXT = 65535  # bytes in a VARCHAR

    def __init__(self, client, info: StoreInfo) -> None:
        self.client = client
        self.info = info
        self._removed = np.zeros(0, np.int64)

    @property
    def collection(self) -> str:
        return self.info.params["collection"]

    @staticmethod
    def connect(uri: str, token: str = ""):
        """A MilvusClient for ``uri`` (a ``.db`` path means embedded milvus-lite)."""
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise ConfigError(
                "vector_store='milvus' needs pymilvus (and milvus-lite for a local file): "
                "pip install 'askseeds[milvus]'"
            ) from exc
        kwargs = {"token": token} if token else {}
        return MilvusClient(uri, **kwargs)

    @classmethod
    def build(
        cls,
        rows: np.ndarray,
        vectors: np.ndarray,
        dim: int,
        settings: Settings,
        uri: str,
        generation: int,
        fields: RowFields | None = None,
    ) -> MilvusStore:
        """A new collection ``<milvus_collection>_g<generation>`` holding ``vectors``."""
        client = cls.connect(uri, settings.milvus_token)
        name = f"{settings.milvus_collection}_g{generation}"
        if client.has_collection(name):
            client.drop_collection(name)
        text = cls._create(client, name, dim, settings, uri, with_text=True)
        if not text:
            cls._create(client, name, dim, settings, uri, with_text=False)
        params = {
            "uri": uri,
            "collection": name,
            "index": settings.milvus_index,
            "metric": "ip",
            "text": "bm25" if text else "",
        }
        store = cls(client, StoreInfo("milvus", "milvus", params))
        store._insert(rows, vectors, fields)
        client.load_collection(name)
        return store

    @classmethod
    def _create(
        cls, client, name: str, dim: int, settings: Settings, uri: str, with_text: bool
    ) -> bool:
        """Create the collection; False if ``with_text`` and the server has no BM25 functions."""
        from pymilvus import DataType, MilvusClient, MilvusException

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(cls.FIELD_ID, DataType.INT64, is_primary=True)
        schema.add_field(cls.FIELD_VEC, DataType.FLOAT_VECTOR, dim=dim)
        # For metadata filters: the chunk's file and the document's date ("" if unknown).
        schema.add_field(cls.FIELD_SOURCE, DataType.VARCHAR, max_length=4096)
        schema.add_field(cls.FIELD_DATE, DataType.VARCHAR, max_length=32)
        index_params = client.prepare_index_params()
        index_params.add_index(
            field_name=cls.FIELD_VEC, index_type=settings.milvus_index, metric_type="IP"
        )
        if with_text:
            from pymilvus import Function, FunctionType

            schema.add_field(
                cls.FIELD_TERMS,
                DataType.VARCHAR,
                max_length=cls.MAX_TEXT,
                enable_analyzer=True,
                analyzer_params={"tokenizer": "standard"},
            )
            schema.add_field(cls.FIELD_SPARSE, DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(
                Function(
                    name="terms_bm25",
                    function_type=FunctionType.BM25,
                    input_field_names=[cls.FIELD_TERMS],
                    output_field_names=[cls.FIELD_SPARSE],
                )
            )
            index_params.add_index(
                field_name=cls.FIELD_SPARSE,
                index_type="SPARSE_INVERTED_INDEX",
                metric_type="BM25",
                params={"bm25_k1": BM25_K1, "bm25_b": BM25_B},
            )
        try:
            # Strong consistency: a search right after an update must see it.
            client.create_collection(
                name, schema=schema, index_params=index_params, consistency_level="Strong"
            )
        except MilvusException as exc:
            if not with_text:
                raise
            if client.has_collection(name):  # made, but its BM25 index was refused
                client.drop_collection(name)
            if uri not in _NO_BM25:
                _NO_BM25.add(uri)
                log.warning(
                    "this Milvus server (%s) has no BM25 functions (Milvus 2.5+ has); "
                    "BM25 stays in the local index: %s",
                    _server_version(client),
                    exc,
                )
            return False
        return True

    @classmethod
    def open(cls, info: StoreInfo, settings: Settings) -> MilvusStore:
        client = cls.connect(info.params["uri"], settings.milvus_token)
        if not client.has_collection(info.params["collection"]):
            raise IndexCorruptError(
                f"Milvus collection {info.params['collection']!r} at {info.params['uri']} is missing"
            )
        client.load_collection(info.params["collection"])
        return cls(client, info)

    def searches_text(self) -> bool:
        return self.info.params.get("text") == "bm25"

    def _insert(self, rows: np.ndarray, vectors: np.ndarray, fields: RowFields | None) -> None:
        vectors = _unit_f32(vectors) if len(vectors) else vectors
        text = self.searches_text()
        for i in range(0, len(rows), self.BATCH):
            data = []
            for j, (r, v) in enumerate(zip(rows[i : i + self.BATCH], vectors[i : i + self.BATCH])):
                row = {self.FIELD_ID: int(r), self.FIELD_VEC: v}
                if fields is not None:
                    row[self.FIELD_SOURCE] = fields.sources[i + j]
                    row[self.FIELD_DATE] = fields.dates[i + j] or ""
                else:
                    row[self.FIELD_SOURCE] = row[self.FIELD_DATE] = ""
                if text:
                    row[self.FIELD_TERMS] = milvus_text(fields.terms[i + j] if fields else [])
                data.append(row)
            # Upsert, not insert: rows left by an interrupted update may already exist.
            self.client.upsert(self.collection, data)

    def count(self) -> int:
        res = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(res[0]["count(*)"])

    def search(
        self, query: np.ndarray, n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = _unit_f32(query)
        if n <= 0:
            return np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
        # Milvus filters inside its search with a boolean expression on the primary key.
        where = {} if rows is None else {"filter": f"{self.FIELD_ID} in {_id_list(rows)}"}
        res = self.client.search(
            self.collection,
            data=[v for v in q],
            anns_field=self.FIELD_VEC,
            limit=n,
            output_fields=[],
            search_params={"metric_type": "IP"},
            **where,
        )
        return self._hits(res, n, len(q))

    def _hits(self, res, n: int, queries: int) -> tuple[np.ndarray, np.ndarray]:
        scores = np.full((queries, n), -np.inf, np.float32)
        ids = np.full((queries, n), -1, np.int64)
        for i, hits in enumerate(res):
            for j, hit in enumerate(hits[:n]):
                ids[i, j] = int(hit.get("id", hit.get(self.FIELD_ID)))
                scores[i, j] = float(hit["distance"])
        return scores, ids

    def text_search(
        self, query_terms: list[str], n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        text = milvus_text(query_terms)
        if n <= 0 or not text:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        where = {} if rows is None else {"filter": f"{self.FIELD_ID} in {_id_list(rows)}"}
        res = self.client.search(
            self.collection,
            data=[text],
            anns_field=self.FIELD_SPARSE,
            limit=n,
            output_fields=[self.FIELD_ID],
            search_params={"metric_type": "BM25"},
            **where,
        )
        scores, ids = self._hits(res, n, 1)
        keep = ids[0] >= 0
        # Milvus scales by k1 + 1 (and milvus-lite negates); bm25s's scale is kept here.
        return np.abs(scores[0][keep]) / (BM25_K1 + 1), ids[0][keep]

    def update(
        self,
        add_rows: np.ndarray,
        add_vectors: np.ndarray,
        remove_rows: np.ndarray,
        add_fields: RowFields | None = None,
    ) -> None:
        if len(add_rows):
            self._insert(np.asarray(add_rows, np.int64), add_vectors, add_fields)
        self._removed = np.asarray(remove_rows, np.int64)

    def save(self, index_dir: Path, generation: int) -> StoreInfo:
        # Remembered so that deletes cut short by a crash are issued again next time.
        params = {**self.info.params, "pending_delete": [int(r) for r in self._removed]}
        self.info = StoreInfo("milvus", "milvus", params)
        return self.info

    def needs_rebuild(self, total: int, settings: Settings) -> str | None:
        # A collection's own index (FLAT, HNSW, ...) serves any size; only its schema can age.
        if "text" not in self.info.params:
            return "the Milvus collection predates the source, date and terms fields"
        return None

    def finish(self, previous: StoreInfo | None) -> None:
        pending = list(self.info.params.get("pending_delete", []))
        if previous is not None and previous.backend == "milvus":
            collection = previous.params.get("collection")
            same_server = previous.params.get("uri") == self.info.params.get("uri")
            if collection == self.collection:
                pending += list(previous.params.get("pending_delete", []))
            elif same_server and self.client.has_collection(collection):
                self.client.drop_collection(collection)
        if pending:
            # Issued again next time from the manifest; harmless, as row ids are never reused.
            self.client.delete(self.collection, ids=sorted(set(pending)))


def milvus_text(terms: list[str]) -> str:
    """Terms as the text Milvus's standard tokenizer splits back into the same terms.

    The tokenizer breaks at apostrophes ("o'neil") and dashes but not at underscores,
    which terms never hold, and it folds case: a command-line option ("-V", which "-v"
    is not) is written as "opt" and its bytes in hex. A text over a VARCHAR's limit is cut
    at a term boundary.
    """
    text = " ".join(
        "opt" + t.encode().hex() if t.startswith("-") else t.replace("'", "_") for t in terms
    )
    data = text.encode("utf-8")
    if len(data) <= MilvusStore.MAX_TEXT:
        return text
    return data[: MilvusStore.MAX_TEXT].decode("utf-8", "ignore").rsplit(" ", 1)[0]


def _server_version(client) -> str:
    from pymilvus import MilvusException

    try:
        return str(client.get_server_version())
    except MilvusException:  # only for the message
        return "version unknown"


def _id_list(rows: np.ndarray) -> str:
    return "[" + ",".join(str(int(r)) for r in rows) + "]"


def default_milvus_uri(index_dir: Path, settings: Settings) -> str:
    """``Settings.milvus_uri``, or a milvus-lite file inside ``index_dir``."""
    return settings.milvus_uri or str((index_dir / "milvus.db").resolve())


def build_store(
    rows: np.ndarray,
    vectors: np.ndarray,
    dim: int,
    settings: Settings,
    index_dir: Path,
    generation: int,
    fields: RowFields | None = None,
) -> VectorStore:
    """A new store of the kind ``settings.vector_store`` names, holding ``vectors``."""
    if settings.vector_store == "faiss":
        return FaissStore.build(rows, vectors, dim, settings)
    uri = default_milvus_uri(index_dir, settings)
    return MilvusStore.build(rows, vectors, dim, settings, uri, generation, fields)


def open_store(
    info: StoreInfo, index_dir: Path, settings: Settings, writable: bool = False
) -> VectorStore:
    """Open the store a manifest names.

    Raises:
        IndexCorruptError: the store is missing or unreadable.
    """
    try:
        if info.backend == "faiss":
            return FaissStore.open(index_dir, info, writable=writable)
        if info.backend == "milvus":
            return MilvusStore.open(info, settings)
    except IndexCorruptError:
        raise
    except ConfigError:
        raise
    except Exception as exc:  # faiss raises RuntimeError, pymilvus its own kinds
        raise IndexCorruptError(f"vector store {info.backend} cannot be opened ({exc})") from exc
    raise IndexCorruptError(f"unknown vector store {info.backend!r} in the manifest")


def store_mismatch(info: StoreInfo, index_dir: Path, settings: Settings) -> str | None:
    """Why the store a manifest names is not the one ``settings`` ask for, or None."""
    if info.backend != settings.vector_store:
        return f"vector store changed ({info.backend} -> {settings.vector_store})"
    if info.backend == "milvus":
        uri = default_milvus_uri(index_dir, settings)
        if info.params.get("uri") != uri:
            return f"milvus uri changed ({info.params.get('uri')} -> {uri})"
        if not str(info.params.get("collection", "")).startswith(settings.milvus_collection + "_g"):
            return f"milvus collection changed (-> {settings.milvus_collection})"
    return None
