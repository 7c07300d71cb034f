"""The one split the answer stage is fitted and reported on, and a disk cache of reader scores.

Fit: SQuAD v1.1's first 12 articles (answerable) and the SQuAD 2.0 articles of ``FIT_V2``
(answerable, and their real near misses: questions written against a paragraph that does not
answer them). Off-topic questions: the ``FIT_V2`` articles that v1.1 lacks, asked of the v1.1
index. Report: v1.1's last 12 articles and the SQuAD 2.0 articles of ``REPORT_V2``. No report
article's question is ever fitted on; its paragraphs are only searched among the others.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askseeds.answer.query import read_query
from askseeds.answer.select import Candidate
from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.eval.harness import (
    Question,
    load_squad,
    squad_paths,
    squad_questions,
    write_squad_docs,
)

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
# ../shared/bench beside the checkout (or beside a worktree's parent folder)
BENCH = Path(
    os.environ.get("ASKSEEDS_BENCH")
    or next(
        (p for p in (ROOT.parent / "shared" / "bench", ROOT.parent.parent / "shared" / "bench")
         if p.is_dir()),
        ROOT.parent / "shared" / "bench",
    )
)
SQUAD_V1 = BENCH / "squad-v1.1-dev-24articles.json"
SQUAD_V2 = BENCH / "squad-v2.0-dev-10articles.json"
FIT_V2 = (
    "Normans", "Computational_complexity_theory", "Huguenot", "1973_oil_crisis",
    "European_Union_law", "Packet_switching",
)  # fmt: skip
OFF_TOPIC_EVERY = 3  # a third of them: off-topic questions are the easy refusals
REPORT_V2 = ("Steam_engine", "Yuan_dynasty", "Harvard_University", "Immune_system")


@dataclass
class QuestionSet:
    """Questions asked of one assistant (its index)."""

    name: str
    bot: Assistant
    questions: list[Question]

    def candidates(self) -> Iterator[tuple[Question, str, list[Candidate]]]:
        """Each question, the question as ``ask()`` reads it, and its candidate sentences as
        ``ask()`` finds them (best first by the features)."""
        asked = [read_query(q.question).asked for q in self.questions]
        vecs = self.bot.embedder.encode(asked, 64)
        for q, a, v in zip(self.questions, asked, vecs):
            yield q, a, self.bot.search(a, a, v)[1] or []


def _title(q: Question) -> str:
    return q.sources[0].split("/")[0]


def _open(squad: Path, settings: Settings) -> tuple[Assistant, list[Question]]:
    articles = load_squad(squad)
    docs, index = squad_paths(squad, settings, CACHE)
    write_squad_docs(articles, docs)
    bot = Assistant.from_folder(docs, index_dir=index, settings=settings, progress=True)
    return bot, squad_questions(articles)


def question_sets(settings: Settings, part: str) -> list[QuestionSet]:
    """The sets of ``part`` ("fit" or "report"), each with the assistant it is asked of."""
    v1, v1_questions = _open(SQUAD_V1, settings)
    v2, v2_questions = _open(SQUAD_V2, settings)
    first12 = {a["title"] for a in load_squad(SQUAD_V1)[:12]}
    v1_titles = {a["title"] for a in load_squad(SQUAD_V1)}
    if part == "fit":
        return [
            QuestionSet("v1.1 first 12", v1, [q for q in v1_questions if _title(q) in first12]),
            QuestionSet("v2.0 fit", v2, [q for q in v2_questions if _title(q) in FIT_V2]),
            QuestionSet(
                "off-topic (v2.0 fit articles v1.1 lacks, asked of v1.1)",
                v1,
                [
                    Question(q.id + "-off", q.question, unanswerable=True)
                    for q in v2_questions
                    if _title(q) in FIT_V2 and _title(q) not in v1_titles
                ][::OFF_TOPIC_EVERY],
            ),
        ]
    if part == "report":
        return [
            QuestionSet("v1.1 last 12", v1, [q for q in v1_questions if _title(q) not in first12]),
            QuestionSet("v2.0 report", v2, [q for q in v2_questions if _title(q) in REPORT_V2]),
        ]
    raise ValueError(f"part must be 'fit' or 'report', not {part!r}")


class CachedReader:
    """A reader whose scores are kept in a JSON-lines file, one per reader, so refits read
    each pair once."""

    def __init__(self, reader, path: Path | None = None) -> None:
        self.reader = reader
        self.name = reader.name
        self.path = path or CACHE / (
            "reader_scores-" + hashlib.sha1(reader.name.encode()).hexdigest()[:10] + ".jsonl"
        )
        self.scores: dict[str, float] = {}
        self.misses = 0
        self._lock = threading.Lock()
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    self.scores[rec["k"]] = float(rec["s"])

    @staticmethod
    def key(question: str, sentence: str) -> str:
        return hashlib.sha1(f"{question}\x00{sentence}".encode()).hexdigest()

    def score(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        keys = [self.key(q, s) for q, s in pairs]
        todo = [i for i, k in enumerate(keys) if k not in self.scores]
        if todo:
            todo_pairs = [pairs[i] for i in todo]
            self.put(todo_pairs, self.reader.score(todo_pairs))
            with self._lock:
                self.misses += len(todo)
        return np.array([self.scores[k] for k in keys], np.float32)

    def put(self, pairs: list[tuple[str, str]], scores: np.ndarray) -> None:
        """Keep ``scores`` as the reader's for ``pairs`` (read from it, or cross-fitted)."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                for (q, s), x in zip(pairs, scores):
                    key = self.key(q, s)
                    self.scores[key] = float(x)
                    fh.write(json.dumps({"k": key, "s": round(float(x), 4)}) + "\n")


class CrossFittedOnly:
    """A tuned reader's name, for reading its cached scores of the fit questions: those must be
    ``tune_reader.py``'s cross-fitted ones, since its scores of questions it was trained on would
    teach the abstention model to trust it too much."""

    def __init__(self, name: str) -> None:
        self.name = name

    def score(self, pairs):
        raise LookupError(
            f"{len(pairs)} fit pairs have no cross-fitted score of this tuned reader: "
            "run training/tune_reader.py (it keeps finished stages) first"
        )
