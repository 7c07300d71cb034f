"""Votes on answers: one JSON line each in a feedback file, read back as questions to label.

The web chat's thumbs up/down append a :class:`Vote` to the feedback file (by default
``<index folder>-feedback.jsonl`` beside the index folder, so rebuilding or deleting the
index keeps it; ``Settings.feedback_file`` moves it). A vote holds what the user typed
(question, earlier turns) and what askseeds answered, the vote and the time: no address,
session or browser detail.

Each vote is one ``os.write`` of a whole line to a file opened with ``O_APPEND``, under a
lock (a thread lock and, where the platform has it, ``flock``, so two servers sharing a
file never interleave lines). The file is bounded: once a vote would take it past
``Settings.feedback_max_mb``, votes are refused (the user is told, a warning is logged)
and nothing already recorded is dropped; export and empty it to record more.

``askseeds eval --feedback FILE`` turns the down-voted answers into a question set in
``evaluate``'s JSONL format, answer fields empty for a person to fill in; labelled
questions are scored like any question set (see ``evaluate.run_feedback``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import AskseedsError

try:  # POSIX: a lock that also holds between processes sharing the file
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock alone
    fcntl = None

log = logging.getLogger(__name__)

FORMAT = 1  # the "v" of every record
VOTES = ("up", "down")
MAX_TEXT_CHARS = 4000  # of a question, an earlier turn or an answer, as recorded
MAX_HISTORY_TURNS = 20  # the newest earlier turns recorded with a vote


class FeedbackError(AskseedsError):
    """The feedback file cannot be read, or a line of it is not a vote."""


@dataclass(frozen=True)
class Vote:
    """One thumbs up or down on one answer, as written to the feedback file."""

    vote: str  # "up" | "down"
    question: str
    answer: str  # the answer's text (markdown with [n] markers)
    abstained: bool = False
    history: tuple[dict, ...] = ()  # earlier turns: {"role": "user"|"assistant", "content"}
    citations: tuple[dict, ...] = ()  # render.citation_dict of each citation
    resolved_question: str = ""  # what was searched, after follow-up resolution
    time: str = ""  # UTC, ISO 8601, to the second

    def to_record(self) -> dict:
        return {"v": FORMAT, **asdict(self)}


def default_path(index_dir: str | Path) -> Path:
    """``<index folder>-feedback.jsonl`` beside the index folder (outside its artefacts)."""
    index_dir = Path(index_dir).resolve()
    return index_dir.parent / f"{index_dir.name}-feedback.jsonl"


def make_vote(
    vote: str,
    question: str,
    answer: str,
    *,
    abstained: bool = False,
    history: Iterable[dict] = (),
    citations: Iterable[dict] = (),
    resolved_question: str = "",
    now: float | None = None,
) -> Vote:
    """A :class:`Vote` with texts cut to ``MAX_TEXT_CHARS`` and history to its newest turns."""
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
    turns = [
        {"role": str(t.get("role")), "content": str(t.get("content", ""))[:MAX_TEXT_CHARS]}
        for t in history
        if isinstance(t, dict) and t.get("role") in ("user", "assistant")
    ][-MAX_HISTORY_TURNS:]
    return Vote(
        vote=vote,
        question=str(question)[:MAX_TEXT_CHARS],
        answer=str(answer)[:MAX_TEXT_CHARS],
        abstained=bool(abstained),
        history=tuple(turns),
        citations=tuple(dict(c) for c in citations),
        resolved_question=str(resolved_question)[:MAX_TEXT_CHARS],
        time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    )


class FeedbackLog:
    """Appends votes to one JSONL file, whole lines only, up to ``max_bytes``."""

    def __init__(self, path: str | Path, max_bytes: int) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def append(self, vote: Vote) -> bool:
        """Write ``vote`` as one line; False (and a warning) when the file is full.

        Raises:
            OSError: the file cannot be written (the line is then not in it, or is
                reported as malformed by :func:`read_votes` if the disk filled mid-line).
        """
        line = (json.dumps(vote.to_record(), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd is closed
                if os.fstat(fd).st_size + len(line) > self.max_bytes:
                    log.warning(
                        "feedback file %s is full (%d bytes); vote not recorded. Export it "
                        "with askseeds eval --feedback and empty it, or raise feedback_max_mb.",
                        self.path,
                        self.max_bytes,
                    )
                    return False
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"only {written} of {len(line)} bytes written to {self.path}")
                os.fsync(fd)
            finally:
                os.close(fd)
        return True


def read_votes(path: str | Path) -> list[Vote]:
    """Every vote in a feedback file, in order.

    Raises:
        FeedbackError: the file is missing, or a line is not a vote (its line number said).
    """
    from ..eval.harness import jsonl_records

    votes = []
    for where, rec in jsonl_records(Path(path), FeedbackError, "feedback file"):
        try:
            votes.append(_vote_from(rec))
        except (TypeError, ValueError) as exc:
            raise FeedbackError(f"{where}: not a feedback vote ({exc})") from exc
    return votes


def _vote_from(rec: object) -> Vote:
    if not isinstance(rec, dict):
        raise TypeError("expected a JSON object")
    if rec.get("v") != FORMAT:
        raise ValueError(f"unknown format {rec.get('v')!r}, expected {FORMAT}")
    if rec.get("vote") not in VOTES:
        raise ValueError(f"'vote' must be one of {VOTES}")
    for key in ("question", "answer"):
        if not isinstance(rec.get(key), str):
            raise TypeError(f"'{key}' must be text")
    history, citations = rec.get("history", []), rec.get("citations", [])
    if not isinstance(history, list) or not all(isinstance(t, dict) for t in history):
        raise TypeError("'history' must be a list of objects")
    if not isinstance(citations, list) or not all(isinstance(c, dict) for c in citations):
        raise TypeError("'citations' must be a list of objects")
    return Vote(
        vote=rec["vote"],
        question=rec["question"],
        answer=rec["answer"],
        abstained=bool(rec.get("abstained", False)),
        history=tuple(history),
        citations=tuple(citations),
        resolved_question=str(rec.get("resolved_question", "")),
        time=str(rec.get("time", "")),
    )


def question_id(vote: Vote) -> str:
    """A stable id for a voted question: the same vote always maps to the same entry."""
    key = json.dumps([vote.question, list(vote.history), vote.time], ensure_ascii=False)
    return "fb-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def to_label(vote: Vote) -> dict:
    """A down-voted answer as a question-set entry whose answer fields are left to fill in.

    A follow-up keeps the user's earlier turns (``turns``), so it is asked again in
    context; ``feedback`` shows the labeller what was answered and cited.
    """
    users = [t["content"] for t in vote.history if t.get("role") == "user" and t.get("content")]
    entry: dict = {"id": question_id(vote)}
    if users:
        entry["turns"] = [*users, vote.question]
    else:
        entry["question"] = vote.question
    entry.update(
        {
            "answers": [],
            "sources": [],
            "unanswerable": False,
            "feedback": {
                "time": vote.time,
                "answered": vote.answer,
                "abstained": vote.abstained,
                "cited": [c.get("source") for c in vote.citations],
            },
        }
    )
    return entry


def is_labelled(entry: dict) -> bool:
    """True once a person gave answers, or marked the question unanswerable."""
    return bool(entry.get("answers")) or bool(entry.get("unanswerable"))


def merge_to_label(votes: Sequence[Vote], existing: Sequence[dict]) -> tuple[list[dict], int]:
    """``existing`` entries (labels kept) plus one new entry per down vote not yet in them.

    Returns:
        The entries to write, and how many were added.
    """
    known = {e.get("id") for e in existing}
    added = []
    for vote in votes:
        if vote.vote != "down":
            continue
        entry = to_label(vote)
        if entry["id"] not in known:
            known.add(entry["id"])
            added.append(entry)
    return [*existing, *added], len(added)


def write_jsonl(path: str | Path, entries: Iterable[dict]) -> None:
    """Write ``entries`` one per line, replacing ``path`` atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
