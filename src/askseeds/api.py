"""The Assistant facade: open or build an index over a folder, retrieve, ask."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .answer.query import clean_question, resolve_followup, strip_request
from .answer.select import Answerer, Candidate
from .config import Settings
from .embed import Embedder, get_embedder
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


class Assistant:
    """Question answering over one folder of documents.

    Example:
        >>> bot = Assistant.from_folder("seeds")
        >>> answer = bot.ask("Where was the seventh conference held?")
        >>> answer.citations[0].snippet
    """

    def __init__(
        self, index: Index, settings: Settings, docs_dir: Path, embedder: Embedder | None = None
    ) -> None:
        self.index = index
        self.settings = settings
        self.docs_dir = docs_dir
        self.embedder = embedder or get_embedder(settings.model)
        # The faiss/bm25 objects are read-only after opening, and the embedder is thread-safe,
        # so ask() may run on several threads at once (their questions share model batches).
        self._answerer = Answerer(index, settings)

    @classmethod
    def from_folder(
        cls,
        folder: str | Path = "seeds",
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        progress: bool = True,
        embedder: Embedder | None = None,
    ) -> Assistant:
        """Build, update or open the index for ``folder`` and return an Assistant over it.

        Args:
            folder: the documents (.txt, .md), searched recursively.
            index_dir: where the index lives; defaults to ``embeddings/`` beside ``folder``.
            settings: model, chunking and answering settings; defaults to ``Settings()``.
            progress: show a progress bar while embedding.
            embedder: encodes texts; defaults to the shared model ``settings.model`` names
                (tests pass a small stand-in; ``settings.model`` is what the manifest records).

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
        embedder = embedder or get_embedder(settings.model)
        index = sync(documents, skipped, index_dir, settings, embedder, progress=progress)
        return cls(index, settings, folder, embedder)

    @property
    def stats(self) -> IndexStats:
        """Counts of documents and passages searched, the model, skipped files."""
        return IndexStats(
            documents=len(self.index.docs),
            passages=len(self.index.chunks),
            model=self.settings.model,
            skipped=self.index.skipped,
            changes=self.index.changes,
        )

    def retrieve(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> list[Passage]:
        """The ``k`` best distinct passages for ``question``.

        Raises:
            EmptyQueryError: the question has no letters or digits.
        """
        query = strip_request(clean_question(question))
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        k = k or self.settings.k
        vec = self._encode(query) if mode != "bm25" else None
        hits, _ = self.search(query, query, vec, mode)
        return to_passages(self.index, hits, k, self.settings)

    def retrieve_batch(
        self, questions: list[str], k: int | None = None, mode: Mode = "hybrid"
    ) -> list[list[Passage]]:
        """``retrieve`` for many questions, encoding them in one model batch."""
        queries = [strip_request(clean_question(q)) for q in questions]
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
        cands = self._answerer.candidates(question, query, vec, hits)
        return rerank(hits, cands, self.settings.rerank_weight), cands

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """Answer ``question`` with sentences quoted from the documents, or abstain.

        Args:
            question: the user's question.
            history: earlier chat turns, ``{"role": "user"|"assistant", "content": str}``;
                used to resolve follow-ups such as "What was its theme?".

        Returns:
            An Answer whose citations point at exact character spans of the sources.

        Raises:
            EmptyQueryError: the question has no letters or digits.
        """
        question, asked, query = self._prepare(question, history)
        return self._answer(question, asked, query, self._encode(query))

    def ask_batch(
        self, requests: Sequence[tuple[str, list[dict] | None]]
    ) -> list[Answer | Exception]:
        """``ask`` for several ``(question, history)`` pairs, questions encoded in one call.

        Each result is the Answer, or the exception ``ask`` raised for that question
        (``EmptyQueryError`` for one without letters or digits, say): one bad question
        does not spoil the others.
        """
        prepared: list = []
        for question, history in requests:
            try:
                prepared.append(self._prepare(question, history))
            except Exception as exc:  # noqa: BLE001 - that question's result
                prepared.append(exc)
        todo = [p for p in prepared if not isinstance(p, Exception)]
        vecs = iter(self.embedder.encode_queries([p[2] for p in todo]) if todo else [])
        out: list[Answer | Exception] = []
        for p in prepared:
            if isinstance(p, Exception):
                out.append(p)
                continue
            try:
                out.append(self._answer(*p, next(vecs)))
            except Exception as exc:  # noqa: BLE001 - that question's result
                out.append(exc)
        return out

    def _prepare(self, question: str, history: list[dict] | None) -> tuple[str, str, str]:
        """The cleaned question, the question asked (request words off), the query searched."""
        question = clean_question(question)
        asked = strip_request(question)
        return question, asked, resolve_followup(asked, history)

    def _answer(self, question: str, asked: str, query: str, vec: np.ndarray) -> Answer:
        hits, cands = self.search(asked, query, vec)
        passages = to_passages(self.index, hits, self.settings.k, self.settings)
        answer = self._answerer.answer(asked, query, vec, hits, passages, cands)
        return replace(answer, question=question)

    def _encode(self, text: str):
        return self.embedder.encode_query(text)


__all__ = ["Assistant", "CorpusError", "IndexStats"]
