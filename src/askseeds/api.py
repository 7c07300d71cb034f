"""The Assistant facade: open or build an index over a folder, retrieve, ask."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .answer.query import Query, read_query
from .answer.reader import NONE, Reader, get_reader
from .answer.scorer import Scorer
from .answer.select import Answerer, Candidate
from .config import Settings
from .embed import get_embedder
from .errors import CorpusError
from .index import Index, sync
from .load import load_folder
from .rerank import rerank
from .retrieve import MODES, Hit, Mode, rank, to_passages
from .types import Answer, Passage, SkippedFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexStats:
    """What an Assistant searches."""

    documents: int
    passages: int
    model: str
    skipped: tuple[SkippedFile, ...]
    changes: dict
    reader: str = NONE  # the reader in use, or "none"


class Assistant:
    """Question answering over one folder of documents.

    Example:
        >>> bot = Assistant.from_folder("seeds")
        >>> answer = bot.ask("Where was the seventh conference held?")
        >>> answer.citations[0].snippet
    """

    def __init__(
        self,
        index: Index,
        settings: Settings,
        docs_dir: Path,
        *,
        scorer: Scorer | None = None,
        reader: Reader | None = None,
    ) -> None:
        """``scorer`` defaults to the shipped weights, ``reader`` to ``settings.reader``
        (None when it is "none" or cannot load: answers then rest on the features alone)."""
        self.index = index
        self.settings = settings
        self.docs_dir = docs_dir
        self.embedder = get_embedder(settings.model)
        if reader is None:
            reader = get_reader(settings.reader)
        self.answerer = Answerer(index, settings, scorer, reader)
        running = {
            "model": settings.model,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap_tokens": settings.chunk_overlap_tokens,
        }
        if self.answerer.reader is not None:  # without one, its models go unused
            running["reader"] = self.answerer.reader.name
        for mismatch in self.answerer.scorer.mismatches(running):
            log.warning("answer scorer %s; rerun training/train_scorer.py", mismatch)
        # The faiss/bm25 objects are read-only after opening; the lock only guards the model.
        self._lock = threading.Lock()

    @classmethod
    def from_folder(
        cls,
        folder: str | Path = "seeds",
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        progress: bool = True,
        *,
        scorer: Scorer | None = None,
        reader: Reader | None = None,
    ) -> Assistant:
        """Build, update or open the index for ``folder`` and return an Assistant over it.

        Args:
            folder: the documents (.txt, .md), searched recursively.
            index_dir: where the index lives; defaults to ``embeddings/`` beside ``folder``.
            settings: model, chunking and answering settings; defaults to ``Settings()``.
            progress: show a progress bar while embedding.
            scorer, reader: as for ``Assistant()``.

        Raises:
            CorpusError: the folder is missing or holds no readable document.
            ModelLoadError: the embedding model cannot be loaded.
        """
        settings = settings or Settings()
        folder = Path(folder)
        index_dir = (
            Path(index_dir) if index_dir is not None else folder.resolve().parent / "embeddings"
        )
        documents, skipped = load_folder(folder)
        if not documents:
            detail = f" ({len(skipped)} files skipped: {skipped[0].reason}, ...)" if skipped else ""
            raise CorpusError(
                f"No readable .txt or .md documents in {folder}{detail}. "
                "Point --docs at a folder of text files."
            )
        embedder = get_embedder(settings.model)
        index = sync(documents, skipped, index_dir, settings, embedder, progress=progress)
        return cls(index, settings, folder, scorer=scorer, reader=reader)

    @property
    def stats(self) -> IndexStats:
        """Counts of documents and passages searched, the model, skipped files."""
        return IndexStats(
            documents=len(self.index.docs),
            passages=len(self.index.chunks),
            model=self.settings.model,
            skipped=self.index.skipped,
            changes=self.index.changes,
            reader=self.answerer.reader.name if self.answerer.reader else NONE,
        )

    def retrieve(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> list[Passage]:
        """The ``k`` best distinct passages for ``question``.

        Raises:
            EmptyQueryError: the question has no letters or digits.
        """
        query = read_query(question).asked
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        k = k or self.settings.k
        vec = self.encode(query) if mode != "bm25" else None
        hits, _ = self.search(query, query, vec, mode)
        return to_passages(self.index, hits, k, self.settings)

    def retrieve_batch(
        self, questions: list[str], k: int | None = None, mode: Mode = "hybrid"
    ) -> list[list[Passage]]:
        """``retrieve`` for many questions, encoding them in one model batch."""
        queries = [read_query(q).asked for q in questions]
        k = k or self.settings.k
        vecs = (
            self.embedder.encode(queries, self.settings.batch_size)
            if mode != "bm25"
            else [None] * len(queries)
        )
        return [
            to_passages(self.index, self.search(q, q, v, mode)[0], k, self.settings)
            for q, v in zip(queries, vecs)
        ]

    def search(
        self, question: str, query: str, vec: np.ndarray | None, mode: Mode = "hybrid"
    ) -> tuple[list[Hit], list[Candidate] | None]:
        """Ranked chunks for ``query`` (``question`` plus any context it leans on).

        Hybrid also scores the top chunks' sentences as answers and reorders the
        chunks by them (``rerank.py``); those candidate sentences are returned
        for the answer, else None.
        """
        hits = rank(self.index, query, vec, self.settings, mode)
        if mode != "hybrid" or self.settings.rerank_weight <= 0:
            return hits, None
        cands = self.answerer.candidates(question, query, vec, hits)
        return rerank(hits, cands, self.settings.rerank_weight), cands

    def ask(
        self,
        question: str,
        *,
        history: list[dict] | None = None,
        mode: Mode = "hybrid",
        filters: dict | None = None,
    ) -> Answer:
        """Answer ``question`` with sentences quoted from the documents, or abstain.

        Args:
            question: the user's question.
            history: earlier chat turns, ``{"role": "user"|"assistant", "content": str}``.
                A question that may lean on them ("What was its theme?") is answered from
                whichever reading, alone or with the earlier questions, is better supported;
                one that stands on its own is answered alone.
            mode: the retriever ("hybrid", "dense" or "bm25").
            filters: restrict the search to some documents (not available yet).

        Returns:
            An Answer whose citations point at exact character spans of the sources.

        Raises:
            EmptyQueryError: the question has no letters or digits.
            ValueError: an unknown ``mode``, or ``filters`` given.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if filters is not None:
            # TODO(filters): retrieval applies them (rank/to_passages) once filtering lands.
            raise ValueError("filters are not supported yet; leave filters=None")
        query = read_query(question, history)
        alone = self._answer(query.alone(), mode)
        if not query.context:
            return alone
        # Which reading does the evidence support? A question that names what it is about
        # is answered alone when it can be; one that points back ("its theme") is answered
        # from the reading the documents support better.
        if not alone.abstained and not query.points_back:
            return alone
        merged = self._answer(query, mode)
        if merged.abstained and not alone.abstained:
            return alone
        if alone.abstained and not merged.abstained:
            return merged
        return merged if merged.confidence >= alone.confidence else alone

    def _answer(self, query: Query, mode: Mode) -> Answer:
        vec = self.encode(query.search)  # bm25 ranks without it; the answer stage reads it
        hits, cands = self.search(query.asked, query.search, vec if mode != "bm25" else None, mode)
        passages = to_passages(self.index, hits, self.settings.k, self.settings)
        if cands is None:
            cands = self.answerer.candidates(query.asked, query.search, vec, hits)
        answer = self.answerer.answer(query.asked, query.search, passages, cands)
        return replace(answer, question=query.text)

    def encode(self, text: str) -> np.ndarray:
        """The question vector, as ``ask`` encodes it (the model is shared across threads)."""
        with self._lock:
            return self.embedder.encode_query(text)


__all__ = ["Assistant", "CorpusError", "IndexStats"]
