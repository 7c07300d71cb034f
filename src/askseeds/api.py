"""The Assistant facade: open or build an index over a folder, retrieve, ask."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .answer.query import Query, read_query
from .answer.reader import NONE, Reader, get_reader
from .answer.scorer import Scorer
from .answer.select import Answerer, Candidate
from .config import Settings
from .embed.encoder import Embedder, get_embedder
from .errors import CorpusError
from .index import Index, sync
from .ingest.load import FORMATS, load_folder
from .retrieve.filters import Filters, as_filters
from .retrieve.hybrid import MODES, Hit, Mode, rank, to_passages
from .retrieve.rerank import rerank
from .types import Answer, Passage, SkippedFile
from .workload import working

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
        embedder: Embedder | None = None,
        *,
        scorer: Scorer | None = None,
        reader: Reader | None = None,
    ) -> None:
        """``scorer`` defaults to the shipped weights, ``reader`` to ``settings.reader``
        (None when it is "none" or cannot load: answers then rest on the features alone)."""
        self.index = index
        self.settings = settings
        self.docs_dir = docs_dir
        self.embedder = embedder or get_embedder(settings.model)
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

    @classmethod
    def from_folder(
        cls,
        folder: str | Path = "seeds",
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        progress: bool = True,
        embedder: Embedder | None = None,
        *,
        scorer: Scorer | None = None,
        reader: Reader | None = None,
    ) -> Assistant:
        """Build, update or open the index for ``folder`` and return an Assistant over it.

        Args:
            folder: the documents (.txt, .md, .rst, .org, .html, .mhtml, .pdf, .docx, .doc, .rtf,
                .odt, .pptx, .epub, ...; see README "Formats"), searched recursively.
            index_dir: where the index lives; defaults to ``embeddings/`` beside ``folder``.
            settings: model, chunking and answering settings; defaults to ``Settings()``.
            progress: show a progress bar while embedding.
            embedder: encodes texts; defaults to the shared model ``settings.model`` names
                (tests pass a small stand-in; ``settings.model`` is what the manifest records).
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
                f"No readable documents in {folder}{detail}. Point --docs at a folder of "
                f"documents askseeds reads: {FORMATS}."
            )
        embedder = embedder or get_embedder(settings.model)
        index = sync(documents, skipped, index_dir, settings, embedder, progress=progress)
        return cls(index, settings, folder, embedder, scorer=scorer, reader=reader)

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

    def refresh(self, progress: bool = False) -> IndexStats:
        """Index the folder again (files added, changed or deleted since), re-embedding only those.

        Not thread-safe with ``ask``: the web chat runs both on its one worker thread.

        Raises:
            CorpusError: the folder is gone or holds no readable document any more; the
                index searched so far stays in use.
        """
        with working():
            documents, skipped = load_folder(self.docs_dir)
            if not documents:
                raise CorpusError(
                    f"No readable documents left in {self.docs_dir}; nothing changed."
                )
            index = sync(documents, skipped, self.index.dir, self.settings, self.embedder, progress)
        self.index = index
        self.answerer = Answerer(index, self.settings, self.answerer.scorer, self.answerer.reader)
        return self.stats

    def document_text(self, source: str) -> str:
        """The text that citations of ``source`` point into: ``text[c.start:c.end] == c.snippet``.

        For a text file (.txt, .md, .rst, .org) that is the file as ``open()`` reads it; for a
        converted or compressed one (PDF, HTML, DOCX, NEWS.gz), the text extracted at indexing,
        kept in the index.

        Raises:
            KeyError: ``source`` is not an indexed document.
        """
        info = self.index.docs[source]
        stored = self.index.stored_text(source)
        if stored is not None:
            return stored
        with open(self.docs_dir / source, encoding=info.encoding) as fh:
            return fh.read()

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        mode: Mode = "hybrid",
        *,
        filters: Filters | dict | None = None,
    ) -> list[Passage]:
        """The ``k`` best distinct passages for ``question``.

        Args:
            filters: search only some documents: a :class:`Filters` or a dict with
                ``sources`` (or ``only``: globs or folders), ``since``, ``until``
                (``YYYY[-MM[-DD]]``, inclusive) and ``keep_undated``.

        Raises:
            EmptyQueryError: the question has no letters or digits.
            FilterError: the filter is malformed or keeps no document.
        """
        query = read_query(question).asked
        _check_mode(mode)
        within = self._within(filters)
        k = k or self.settings.k
        vec = self.encode(query) if mode != "bm25" else None
        hits, _ = self.search(query, query, vec, mode, within)
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
        self,
        question: str,
        query: str,
        vec: np.ndarray | None,
        mode: Mode = "hybrid",
        within: np.ndarray | None = None,
    ) -> tuple[list[Hit], list[Candidate] | None]:
        """Ranked chunks for ``query`` (``question`` plus any context it leans on).

        Hybrid also scores the top chunks' sentences as answers and reorders the
        chunks by them (``retrieve/rerank.py``); those candidate sentences are returned
        for the answer, else None. ``within``: only these chunk positions
        (``Index.select``).
        """
        hits = rank(self.index, query, vec, self.settings, mode, within)
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
        filters: Filters | dict | None = None,
    ) -> Answer:
        """Answer ``question`` with sentences quoted from the documents, or abstain.

        Args:
            question: the user's question.
            history: earlier chat turns, ``{"role": "user"|"assistant", "content": str}``.
                A question that may lean on them ("What was its theme?") is answered from
                whichever reading, alone or with the earlier questions, is better supported;
                one that stands on its own is answered alone.
            mode: the retriever the answer's passages come from.
            filters: answer only from some documents (see ``retrieve``).

        Returns:
            An Answer whose citations point at exact character spans of the sources.

        Raises:
            EmptyQueryError: the question has no letters or digits.
            FilterError: the filter is malformed or keeps no document.
        """
        _check_mode(mode)
        filters = as_filters(filters)
        within = self._within(filters)
        with working():
            answer = self._best_reading(read_query(question, history), mode, within)
        if filters is not None:
            kept = len(self.index.chunks) if within is None else len(within)
            note = f"Searched only documents {filters.describe()} ({kept} passages)."
            answer = replace(answer, notes=(*answer.notes, note))
        return answer

    def _best_reading(self, query: Query, mode: Mode, within: np.ndarray | None) -> Answer:
        """The answer to ``query`` alone or with its context, whichever the evidence supports.

        A question that names what it is about is answered alone when it can be; one that
        points back ("its theme") from the reading the documents support better.
        """
        alone = self._answer(query.alone(), mode, within)
        if not query.context or (not alone.abstained and not query.points_back):
            return alone
        merged = self._answer(query, mode, within)
        if merged.abstained and not alone.abstained:
            return alone
        if alone.abstained and not merged.abstained:
            return merged
        return merged if merged.confidence >= alone.confidence else alone

    def _answer(self, query: Query, mode: Mode, within: np.ndarray | None) -> Answer:
        vec = self.encode(query.search)  # bm25 ranks without it; the answer stage reads it
        hits, cands = self.search(
            query.asked, query.search, vec if mode != "bm25" else None, mode, within
        )
        passages = to_passages(self.index, hits, self.settings.k, self.settings)
        if cands is None:
            cands = self.answerer.candidates(query.asked, query.search, vec, hits)
        answer = self.answerer.answer(query.asked, query.search, passages, cands)
        return replace(answer, question=query.text)

    def _within(self, filters: Filters | dict | None) -> np.ndarray | None:
        """The chunk positions ``filters`` keeps, or None for all."""
        filters = as_filters(filters)
        within = None if filters is None else self.index.select(filters)
        # Keeping everything is no filter: the unfiltered search is the cheaper one.
        return None if within is None or len(within) == len(self.index.chunks) else within

    def encode(self, text: str) -> np.ndarray:
        """The question vector, as ``ask`` encodes it (thread-safe: concurrent callers'
        questions share the embedder's batches)."""
        return self.embedder.encode_query(text)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")


__all__ = ["Assistant", "CorpusError", "Filters", "IndexStats"]
