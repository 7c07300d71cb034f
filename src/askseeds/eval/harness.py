"""Score askseeds on a question set: retrieval, answers, citations, abstention, latency.

Question sets are JSONL, one question per line::

    {"id": "s01", "question": "...", "answers": ["Suzhou"], "sources": ["a.txt"]}
    {"id": "u01", "question": "...", "answers": [], "sources": [], "unanswerable": true}
    {"id": "d01", "turns": ["q1", "q2"], "answers": ["..."], "sources": ["b.txt"]}

A dialogue is scored on its last turn; the earlier turns are asked first and go
in as history (the user's turns, and the assistant's answer text as its turns).

``--squad FILE`` evaluates on a SQuAD v1.1 or 2.0 file instead: every paragraph
becomes one document ``<title>/<nnn>.txt`` in a cache folder, and a question's
gold source is its paragraph. A SQuAD 2.0 question without answers
(``is_impossible``) is unanswerable: it is right when refused.

Retrieval is scored at source level: the ranked passages are collapsed to the
list of their sources (a passage's ``also_in`` places count too, first
occurrence wins) and Recall@k / MRR@10 are computed over answerable questions.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import AskseedsError
from ..retrieve.hybrid import MODES
from ..types import Answer, Citation, Passage
from .metrics import (
    answer_in_text,
    best_span,
    dedupe_ranking,
    exact_match,
    f1_score,
    first_relevant_rank,
    mrr_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
)

__all__ = [
    "Question",
    "answer_record",
    "citation_exact",
    "evaluate",
    "format_report",
    "load_questions",
    "load_squad",
    "retrieval_metrics",
    "run_cli",
    "source_ranking",
    "squad_questions",
    "summarize_answers",
    "write_squad_docs",
]

RECALL_KS = (1, 5, 10)
CURVE_DEPTH = 20  # Recall@k is also reported for k = 1..CURVE_DEPTH
MRR_K = 10
SNIPPET_CHARS = 300  # answered text kept per failed question in the report


class EvalFileError(AskseedsError):
    """The question set cannot be read."""


@dataclass(frozen=True)
class Question:
    """One question of a question set; ``turns`` holds earlier dialogue turns."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    unanswerable: bool = False
    turns: tuple[str, ...] = ()  # the turns before ``question``

    @property
    def answerable(self) -> bool:
        return not self.unanswerable and bool(self.answers)


# --------------------------------------------------------------------------- loading


def _question_from(rec: dict, where: str) -> Question:
    if not isinstance(rec, dict):
        raise EvalFileError(f"{where}: expected a JSON object")
    turns = rec.get("turns")
    if turns is not None:
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) for t in turns):
            raise EvalFileError(f"{where}: 'turns' must be a non-empty list of strings")
        text, earlier = turns[-1], tuple(turns[:-1])
    else:
        text, earlier = rec.get("question"), ()
    if not isinstance(text, str) or not text.strip():
        raise EvalFileError(f"{where}: no 'question' (or 'turns')")
    answers = rec.get("answers") or []
    sources = rec.get("sources") or []
    if not all(isinstance(a, str) for a in answers) or not all(isinstance(s, str) for s in sources):
        raise EvalFileError(f"{where}: 'answers' and 'sources' must be lists of strings")
    blank = [a for a in answers if not normalize_answer(a)]
    if blank:
        raise EvalFileError(
            f"{where}: answer {blank[0]!r} is only punctuation once normalised, so no reply can"
            " hold it; write it with a word beside it"
        )
    unanswerable = bool(rec.get("unanswerable", False))
    if not unanswerable and not answers:
        raise EvalFileError(f"{where}: no answers; mark it \"unanswerable\": true")
    return Question(
        id=str(rec.get("id", where)),
        question=text,
        answers=tuple(answers),
        sources=tuple(sources),
        unanswerable=unanswerable,
        turns=earlier,
    )


def load_questions(path: str | Path) -> list[Question]:
    """Read a JSONL question set (blank lines are skipped).

    Raises:
        EvalFileError: the file is missing or a line is not a valid question.
    """
    path = Path(path)
    out = [_question_from(rec, where) for where, rec in jsonl_records(path)]
    if not out:
        raise EvalFileError(f"{path} holds no questions")
    return out


def jsonl_records(
    path: Path, error: type[AskseedsError] = EvalFileError, what: str = "question set"
) -> list[tuple[str, object]]:
    """``("name:line", record)`` for each non-blank line of a JSONL file.

    Raises:
        ``error``: the file cannot be read, or a line is not JSON (its number said).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} {path}: {exc}") from exc
    out = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append((f"{Path(path).name}:{n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{n}: not JSON ({exc})") from exc
    return out


def _safe_name(title: str) -> str:
    return re.sub(r"[^\w.,()\-]+", "_", title).strip("._") or "untitled"


def load_squad(path: str | Path) -> list[dict]:
    """The ``data`` list (articles) of a SQuAD v1.1 or 2.0 JSON file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvalFileError(f"{path} is not a readable SQuAD v1.1/2.0 file ({exc})") from exc
    return data


def squad_source(title: str, n: int) -> str:
    """The document name of paragraph ``n`` of a SQuAD article."""
    return f"{_safe_name(title)}/{n:03d}.txt"


def _squad_paragraphs(articles: Sequence[dict]) -> Iterator[tuple[str, dict]]:
    """``(source, paragraph)`` for every paragraph of SQuAD ``articles``."""
    for article in articles:
        title = str(article.get("title", "untitled"))
        for n, para in enumerate(article.get("paragraphs", [])):
            yield squad_source(title, n), para


def squad_questions(articles: Sequence[dict]) -> list[Question]:
    """The questions of SQuAD ``articles``; each one's gold source is its paragraph."""
    questions = []
    for source, para in _squad_paragraphs(articles):
        for qa in para.get("qas", []):
            golds = tuple(dict.fromkeys(a["text"] for a in qa.get("answers", [])))
            questions.append(
                Question(
                    id=str(qa["id"]),
                    question=qa["question"],
                    answers=golds,
                    sources=(source,),
                    unanswerable=not golds,
                )
            )
    return questions


def write_squad_docs(
    articles: Sequence[dict], folder: str | Path
) -> tuple[Path, list[Question]]:
    """Write each paragraph as ``folder/<title>/<nnn>.txt`` and return the questions.

    Files whose content is already right are left alone (so the index sees no change);
    other ``.txt`` files under ``folder`` (articles no longer asked for) are removed.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    for source, para in _squad_paragraphs(articles):
        path = folder / source
        wanted.add(path)
        # Bytes, not text: the context is kept exact (no newline translation either way).
        data = para["context"].encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for stale in folder.rglob("*.txt"):
        if stale not in wanted:
            stale.unlink()
    return folder, squad_questions(articles)


# --------------------------------------------------------------------------- scoring pieces


def source_ranking(passages: Iterable[Passage]) -> list[str]:
    """Ranked passages as a ranked list of distinct sources, ``also_in`` places included."""
    return dedupe_ranking(
        src for p in passages for src in (p.source, *(loc.source for loc in p.also_in))
    )


def retrieval_metrics(
    rankings: Sequence[Sequence[str]],
    relevant: Sequence[Iterable[str]],
    ks: Iterable[int] = RECALL_KS,
    curve: int = CURVE_DEPTH,
) -> dict:
    """Recall@k for ``ks``, MRR@10 and the Recall@1..``curve`` curve over answerable queries.

    Queries with no relevant source are left out; ``n`` says how many were scored.
    """
    pairs = [(list(r), set(rel)) for r, rel in zip(rankings, relevant) if set(rel)]
    if not pairs:
        return {"n": 0}
    ranked, rel = [p[0] for p in pairs], [p[1] for p in pairs]
    out: dict = {"n": len(pairs)}
    for k in ks:
        out[f"recall@{k}"] = recall_at_k(ranked, rel, k)
    out[f"mrr@{MRR_K}"] = mrr_at_k(ranked, rel, MRR_K)
    out["curve"] = [recall_at_k(ranked, rel, k) for k in range(1, curve + 1)]
    return out


class SourceTexts:
    """The original text of corpus files, read with each document's encoding, cached."""

    def __init__(
        self,
        folder: str | Path,
        encodings: dict[str, str],
        stored: Callable[[str], str | None] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.encodings = encodings
        self.stored = stored  # a converted file's (PDF, HTML, DOCX) text, kept in the index
        self._cache: dict[str, str | None] = {}

    def text(self, source: str) -> str | None:
        if source not in self._cache and self.stored is not None:
            kept = self.stored(source)
            if kept is not None:
                self._cache[source] = kept
        if source not in self._cache:
            try:
                with open(
                    self.folder / source, encoding=self.encodings.get(source, "utf-8")
                ) as fh:
                    self._cache[source] = fh.read()
            except (OSError, UnicodeDecodeError, LookupError):
                self._cache[source] = None
        return self._cache[source]


def citation_exact(citation: Citation, texts: SourceTexts) -> bool:
    """True if the citation's snippet is exactly the file's text at its offsets."""
    text = texts.text(citation.source)
    return text is not None and text[citation.start : citation.end] == citation.snippet


def _first_sentence(p: Passage) -> str:
    if not p.sentences:
        return p.text
    s = p.sentences[0]
    return p.text[: s.end - s.start]


def answer_record(
    q: Question, answer: Answer, texts: SourceTexts, latency: float | None = None
) -> dict:
    """Everything scored for one answered (or abstained) question, as a JSON-ready dict."""
    golds = list(q.answers)
    cites = list(answer.citations)
    # The first quote as shown: under the heading that gives what it does not (a release).
    top = f"{cites[0].heading} {cites[0].snippet}".lstrip() if cites else ""
    spans = [s for c in cites if (s := best_span(c.snippet, golds)) is not None] if golds else []
    span = min(spans, key=len) if spans else top
    gold_sources = set(q.sources)
    top_hit = bool(golds) and bool(cites) and answer_in_text(golds, top)
    rec = {
        "id": q.id,
        "question": q.question,
        "answers": golds,
        "sources": list(q.sources),
        "unanswerable": not q.answerable,
        "abstained": answer.abstained,
        "answered": answer.text[:SNIPPET_CHARS],
        "cited": [c.source for c in cites],
        "answer_hit": bool(golds) and not answer.abstained and answer_in_text(golds, answer.text),
        "top_citation_hit": top_hit,
        # ... and it quotes a file the question names (SQuAD: the answer's own paragraph).
        "top_citation_source_hit": top_hit
        and (not gold_sources or cites[0].source in gold_sources),
        "first_sentence_hit": bool(golds)
        and bool(answer.passages)
        and answer_in_text(golds, _first_sentence(answer.passages[0])),
        "em": exact_match(span, golds) if golds else 0.0,
        "f1": f1_score(span, golds) if golds else 0.0,
        "citations": len(cites),
        "citations_gold": sum(c.source in gold_sources for c in cites),
        "citations_exact": sum(citation_exact(c, texts) for c in cites),
        "top_source": answer.passages[0].source if answer.passages else None,
        "confidence": round(answer.confidence, 4),
        "reader": answer.reader,
    }
    if latency is not None:
        rec["latency_ms"] = round(latency * 1000, 2)
    return rec


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def summarize_answers(records: Sequence[dict]) -> dict:
    """Answer, citation, abstention and latency figures over ``answer_record`` dicts."""
    answerable = [r for r in records if not r["unanswerable"]]
    unanswerable = [r for r in records if r["unanswerable"]]
    abstained = [r for r in records if r["abstained"]]
    # Citation precision is about questions that have gold sources.
    graded = [r for r in answerable if r["sources"]]
    n_cites = sum(r["citations"] for r in graded)
    all_cites = sum(r["citations"] for r in records)
    lat = [r["latency_ms"] for r in records if "latency_ms" in r]
    judged = [r for r in records if r.get("reader")]
    answered = [r for r in records if not r["abstained"]]
    out = {
        "n": len(records),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_hit": _mean([float(r["answer_hit"]) for r in answerable]),
        "top_citation_hit": _mean([float(r["top_citation_hit"]) for r in answerable]),
        "top_citation_source_hit": _mean(  # .get: a report saved before the field existed
            [float(r.get("top_citation_source_hit", False)) for r in answerable]
        ),
        "first_sentence_hit": _mean([float(r["first_sentence_hit"]) for r in answerable]),
        "em": _mean([r["em"] for r in answerable]),
        "f1": _mean([r["f1"] for r in answerable]),
        "citation_precision": sum(r["citations_gold"] for r in graded) / n_cites if n_cites else None,
        "citation_exactness": (
            sum(r["citations_exact"] for r in records) / all_cites if all_cites else None
        ),
        "abstention_precision": (
            sum(r["unanswerable"] for r in abstained) / len(abstained) if abstained else None
        ),
        "abstention_recall": (
            sum(r["abstained"] for r in unanswerable) / len(unanswerable) if unanswerable else None
        ),
        "false_abstention": _mean([float(r["abstained"]) for r in answerable]),
        # Right is: an answerable question answered with the answer in the first citation,
        # an unanswerable one refused.
        "answer_or_abstain": _mean(
            [float(r["abstained"] if r["unanswerable"] else r["top_citation_hit"]) for r in records]
        ),
        "sentences_per_answer": _mean([float(r["citations"]) for r in answered]),
        "reader_skip_rate": (
            _mean([float(r["reader"] == "skipped") for r in judged]) if judged else None
        ),
        "latency_p50_ms": percentile(lat, 50) if lat else None,
        "latency_p95_ms": percentile(lat, 95) if lat else None,
    }
    return out


def failed(records: Sequence[dict]) -> list[dict]:
    """Questions answered wrongly: a miss, a false abstention, or an answer where none exists."""
    out = []
    for r in records:
        if r["unanswerable"]:
            bad, why = not r["abstained"], "answered an unanswerable question"
        elif r["abstained"]:
            bad, why = True, "abstained"
        else:
            bad, why = not r["answer_hit"], "no gold answer in the answer"
        if bad:
            out.append(
                {k: r[k] for k in ("id", "question", "answers", "sources", "answered", "cited")}
                | {"why": why}
            )
    return out


# --------------------------------------------------------------------------- running


def _progress(items, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="q", file=sys.stderr)


def evaluate(
    assistant,
    questions: Sequence[Question],
    retrievers: Sequence[str] = ("hybrid",),
    k: int = 10,
    progress: bool = False,
    answer_retrievers: Sequence[str] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> dict:
    """Score ``assistant`` on ``questions``.

    Answers come from ``assistant.ask`` (the hybrid product path, timed for the
    latency figures); ``answer_retrievers`` adds answer metrics for other
    retrievers (same answerer, different ranking). Retrieval metrics are computed
    with ``retrieve_batch`` for every retriever in ``retrievers``.

    Returns:
        ``{"retrieval": {mode: {...}}, "answers": {mode: {...}}, "failed": [...],
        "questions": [...]}``.
    """
    for mode in retrievers:
        if mode not in MODES:
            raise ValueError(f"retriever must be one of {MODES}")
    extra = [m for m in (answer_retrievers or []) if m != "hybrid"]
    texts = SourceTexts(
        assistant.docs_dir,
        {s: d.encoding for s, d in assistant.index.docs.items()},
        getattr(assistant.index, "stored_text", None),  # a stand-in index may have none
    )

    records: dict[str, list[dict]] = {"hybrid": []}
    records.update({m: [] for m in extra})
    queries: list[str] = []
    for q in _progress(questions, "Answering", progress):
        history: list[dict] = []
        for turn in q.turns:
            earlier = assistant.ask(turn, history=list(history) or None)
            history += [
                {"role": "user", "content": turn},
                {"role": "assistant", "content": earlier.text},
            ]
        t0 = clock()
        answer = assistant.ask(q.question, history=history or None)
        elapsed = clock() - t0
        records["hybrid"].append(answer_record(q, answer, texts, elapsed))
        queries.append(answer.resolved_question)
        for mode in extra:
            t1 = clock()
            other = assistant.ask(q.question, history=history or None, mode=mode)
            records[mode].append(answer_record(q, other, texts, clock() - t1))

    depth = max(k, CURVE_DEPTH, *RECALL_KS)
    retrieval = {}
    gold = [set(q.sources) if q.answerable else set() for q in questions]
    for mode in retrievers:
        t0 = clock()
        ranked = assistant.retrieve_batch(queries, k=depth, mode=mode)
        seconds = clock() - t0
        rankings = [source_ranking(ps) for ps in ranked]
        retrieval[mode] = retrieval_metrics(rankings, gold, ks=sorted({*RECALL_KS, k}))
        retrieval[mode]["batch_ms_per_query"] = 1000 * seconds / max(len(queries), 1)
        for g, r, rec in zip(gold, rankings, records["hybrid"]):
            rec.setdefault("rank", {})[mode] = first_relevant_rank(r[:depth], g)

    return {
        "retrieval": retrieval,
        "answers": {mode: summarize_answers(recs) for mode, recs in records.items()},
        "failed": failed(records["hybrid"]),
        "questions": records["hybrid"],
    }


# --------------------------------------------------------------------------- report


def _fmt(x) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def format_report(report: dict) -> str:
    """The report as a plain-text table plus the list of failed questions."""
    retrieval = report["retrieval"]
    modes = list(retrieval)
    lines = []
    if modes:
        head = f"{'retrieval (source level)':<28}" + "".join(f"{m:>10}" for m in modes)
        lines += [head, "-" * len(head)]
        keys = [k for k in retrieval[modes[0]] if k.startswith(("recall@", "mrr@"))]
        for key in keys:
            lines.append(f"{key:<28}" + "".join(f"{_fmt(retrieval[m].get(key)):>10}" for m in modes))
        lines.append(
            f"{'ms/query (batched)':<28}"
            + "".join(f"{retrieval[m]['batch_ms_per_query']:>10.1f}" for m in modes)
        )
        lines.append(f"{'questions scored':<28}" + "".join(f"{retrieval[m]['n']:>10}" for m in modes))
        lines.append("")
    answers = report["answers"]
    amodes = list(answers)
    head = f"{'answers (ask)':<28}" + "".join(f"{m:>10}" for m in amodes)
    lines += [head, "-" * len(head)]
    rows = [
        ("answer hit", "answer_hit"),
        ("top-citation hit", "top_citation_hit"),
        ("  ... from a gold file", "top_citation_source_hit"),
        ("  baseline: 1st sentence", "first_sentence_hit"),
        ("EM (best cited span)", "em"),
        ("F1 (best cited span)", "f1"),
        ("citation precision", "citation_precision"),
        ("citation exactness", "citation_exactness"),
        ("abstention precision", "abstention_precision"),
        ("abstention recall", "abstention_recall"),
        ("false abstention", "false_abstention"),
        ("answer-or-abstain right", "answer_or_abstain"),
        ("  answerable: 1st cite hit", "top_citation_hit"),
        ("  unanswerable: refused", "abstention_recall"),
        ("sentences per answer", "sentences_per_answer"),
        ("reader skip rate", "reader_skip_rate"),
    ]
    for label, key in rows:
        lines.append(f"{label:<28}" + "".join(f"{_fmt(answers[m].get(key)):>10}" for m in amodes))
    for label, key in (("latency p50 (ms)", "latency_p50_ms"), ("latency p95 (ms)", "latency_p95_ms")):
        vals = "".join(
            f"{answers[m][key]:>10.1f}" if answers[m].get(key) is not None else f"{'n/a':>10}"
            for m in amodes
        )
        lines.append(f"{label:<28}{vals}")
    first = answers[amodes[0]]
    lines.append(
        f"{'questions':<28}{first['n']:>10}  ({first['answerable']} answerable, "
        f"{first['unanswerable']} unanswerable)"
    )
    fails = report["failed"]
    lines += ["", f"Failed questions ({len(fails)}):"]
    for f in fails[:50]:
        answered = " ".join(f["answered"].split())[:160]
        lines.append(f"  {f['id']}: {f['question']}")
        lines.append(f"      expected {f['answers'] or 'abstention'}; {f['why']}: {answered}")
    if len(fails) > 50:
        lines.append(f"  ... and {len(fails) - 50} more (see --json)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- CLI


def squad_paths(squad: str | Path, settings: Settings, cache: str | Path = ".cache") -> tuple[Path, Path]:
    """Cache folders for a SQuAD file's documents and for its index (one per chunking)."""
    cache = Path(cache)
    model = re.sub(r"[^\w.-]+", "_", settings.model)
    stem = _safe_name(Path(squad).stem)
    docs = cache / "squad" / stem
    index = cache / "squad-index" / f"{stem}-{model}-{settings.chunk_tokens}-{settings.chunk_overlap_tokens}"
    return docs, index


def feedback_questions(feedback: str | Path, labels: str | Path | None = None) -> dict:
    """Add the down-voted answers of a feedback file to its question set to label.

    The set (``labels``, default ``<feedback file stem>-questions.jsonl`` beside it) keeps
    its entries and their labels; each down vote not in it yet is added with empty
    ``answers`` and ``sources`` for a person to fill in (or ``"unanswerable": true``).

    Returns:
        ``{"path", "votes", "down", "added", "labelled": [Question], "to_label": int}``.

    Raises:
        FeedbackError: a line of the feedback file is not a vote (its number said).
        EvalFileError: a line of the question set is not JSON or not a valid question.
    """
    from ..web.feedback import is_labelled, merge_to_label, read_votes, write_jsonl

    feedback = Path(feedback)
    votes = read_votes(feedback)
    path = Path(labels) if labels else feedback.with_name(f"{feedback.stem}-questions.jsonl")
    existing = jsonl_records(path) if path.exists() else []
    for where, rec in existing:
        if not isinstance(rec, dict):
            raise EvalFileError(f"{where}: expected a JSON object")
    entries, added = merge_to_label(votes, [rec for _, rec in existing])
    if added or not path.exists():
        write_jsonl(path, entries)
    # New entries are unlabelled; labelled ones are reported with their line in the file.
    labelled = [_question_from(rec, where) for where, rec in existing if is_labelled(rec)]
    return {
        "path": path,
        "votes": len(votes),
        "down": sum(v.vote == "down" for v in votes),
        "added": added,
        "labelled": labelled,
        "to_label": len(entries) - len(labelled),
    }


def run_cli(args, settings: Settings) -> int:
    """``askseeds eval``: score a JSONL question set or a SQuAD file and print the table."""
    from ..api import Assistant

    feedback = None
    if getattr(args, "feedback", None):
        feedback = feedback_questions(args.feedback, getattr(args, "labels", None))
        print(
            f"{args.feedback}: {feedback['votes']} votes, {feedback['down']} down; "
            f"{feedback['added']} new questions added to {feedback['path']} "
            f"({len(feedback['labelled'])} labelled, {feedback['to_label']} to label)."
        )
        if feedback["to_label"]:
            print(
                '  To label one, fill in its "answers" (and "sources") with what the documents '
                'say, or set "unanswerable": true if they do not say.'
            )
        if not feedback["labelled"]:
            return 0
        print()
    if feedback is not None:
        questions = feedback["labelled"]
        docs_dir, index_dir, progress = Path(args.docs), args.index_dir, False
    elif args.squad:
        docs_dir, default_index = squad_paths(args.squad, settings)
        _, questions = write_squad_docs(load_squad(args.squad), docs_dir)
        index_dir = args.index_dir or default_index
        progress = True
    else:
        if not args.file:
            raise EvalFileError("give a question set (JSONL), --squad FILE or --feedback FILE")
        questions = load_questions(args.file)
        docs_dir, index_dir, progress = Path(args.docs), args.index_dir, False
    if args.limit:
        questions = questions[: args.limit]
    if args.k < 1:
        raise EvalFileError("--k must be >= 1")
    retrievers = list(MODES) if args.retriever == "all" else [args.retriever]
    bot = Assistant.from_folder(docs_dir, index_dir=index_dir, settings=settings, progress=True)
    report = evaluate(
        bot,
        questions,
        retrievers=retrievers,
        k=args.k,
        progress=progress,
        answer_retrievers=retrievers,
    )
    report["settings"] = settings.to_dict()
    report["corpus"] = {
        "docs": str(docs_dir),
        "documents": bot.stats.documents,
        "passages": bot.stats.passages,
        "questions": str(feedback["path"]) if feedback else args.squad or args.file,
    }
    print(
        f"askseeds eval: {len(questions)} questions, {bot.stats.documents} documents, "
        f"{bot.stats.passages} passages, model {settings.model}, reader {bot.stats.reader}\n"
    )
    print(format_report(report))
    if args.json_out:
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"\nWrote {out}")
    return 0
