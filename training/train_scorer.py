"""Fit how the reader enters the answer stage, and when askseeds abstains, on one split.

The split (``data.py``): fit on SQuAD v1.1's first 12 articles, the SQuAD 2.0 articles of
``FIT_V2`` (answerable and their real near misses) and off-topic questions; report on v1.1's
last 12 articles and the SQuAD 2.0 articles of ``REPORT_V2``. Every threshold is chosen on
the fit questions.

For every question, as ``ask()`` finds them: its candidate sentences ranked by the features
(``Scorer.rank``, fitted listwise on v1.1's first 12), and the reader's logits for the
leading ``--top`` (cached in .cache/reader_scores-*.jsonl, one file per reader, so a refit
reads nothing twice).
Fitted:

- ``reader.rank``: listwise over the leading candidates, (their rank score, reader logit);
- ``reader.answerable``: stacked on the features-only abstention model (``fit_stacked``):
  a class-weighted logistic regression over that model's logit, the reader's logit for the
  sentence answered first and its best logit; a question is answerable unless SQuAD 2.0 marks
  it impossible or it is off topic; ``min_confidence`` has the best answer-or-abstain
  accuracy on the fit questions (an answer is right when its first quoted sentence holds a
  gold answer);
- ``answerable`` (features alone) is kept as shipped; ``--refit-features`` fits it the same
  way over all its inputs (it then refuses too many answerable seeds questions);
- when the reader is skipped: the widest rule (features' rank margin, features-only
  confidence) that costs at most ``--skip-cost`` of fit accuracy.

    python training/train_scorer.py             # fit and print fit figures
    python training/train_scorer.py --write     # ... and save src/askseeds/answer/scorer_weights.json
    python training/train_scorer.py --report    # shipped weights on the report articles (ask())
    python training/train_scorer.py --warm      # read the report questions into the cache first
    python training/train_scorer.py --ceiling   # report articles: top-k recall, the reader's pick
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from data import CACHE, CachedReader, CrossFittedOnly, question_sets
from scipy.optimize import minimize

from askseeds.answer.reader import NONE, get_reader
from askseeds.answer.scorer import Linear, ReaderModels, Scorer, default_scorer
from askseeds.answer.select import Answerer, Candidate, reread
from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.eval.metrics import answer_in_text

L2 = 1.0  # ridge penalty: keeps weights small where inputs are collinear


@dataclass
class Seen:
    """One question as the answer stage sees it, before the reader."""

    group: str  # its question set
    answerable: bool
    answers: tuple[str, ...]
    question: str
    cands: list[Candidate]  # best first by the features
    logits: np.ndarray  # the reader's, for cands[:top]


# Candidates per question the reader's scores are collected for (``--top`` may read fewer):
# tune_reader.py trains on as many and cross-fits their scores.
READ = 5


def collect(sets, reader: CachedReader | None, top: int = READ) -> list[Seen]:
    """The questions of ``sets`` with their candidates, and ``reader``'s logits for the
    leading ``top`` (none without a reader)."""
    out = []
    for qs in sets:
        t0 = time.perf_counter()
        for q, a, cands in qs.candidates():
            if reader:
                logits = reader.score(qs.bot.answerer.reader_pairs(a, cands[:top]))
            else:
                logits = np.zeros(0, np.float32)
            out.append(Seen(qs.name, q.answerable, q.answers, a, cands, logits))
        read = f" ({reader.misses} pairs read so far)" if reader else ""
        print(f"  {qs.name}: {len(qs.questions)} questions, {time.perf_counter() - t0:.0f} s"
              + read, flush=True)
    return out


KEPT = 10  # candidates kept per question in the collection file (more are never quoted)
COLLECTED = CACHE / "fit_questions.json"


def save(seen: list[Seen]) -> None:
    """The collection as JSON, so a refit reads no index and runs no model."""
    rows = [
        {"group": s.group, "answerable": s.answerable, "answers": list(s.answers),
         "question": s.question, "logits": [float(x) for x in s.logits],
         "cands": [[c.position, c.start, c.end, c.text, c.score, c.rank_score, c.dense,
                    c.passage_rank, [float(x) for x in c.features]] for c in s.cands[:KEPT]]}
        for s in seen
    ]  # fmt: skip
    COLLECTED.write_text(json.dumps(rows), encoding="utf-8")


def load() -> list[Seen]:
    out = []
    for r in json.loads(COLLECTED.read_text(encoding="utf-8")):
        cands = [
            Candidate(p, a, b, t, sc, rs, d, pr, np.array(f, np.float32))
            for p, a, b, t, sc, rs, d, pr, f in r["cands"]
        ]
        out.append(Seen(r["group"], r["answerable"], tuple(r["answers"]), r["question"], cands,
                        np.array(r["logits"], np.float32)))
    return out


def fit_listwise(lists: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Weights maximising the softmax share of each list's positive rows."""
    lists = [(x.astype(np.float64), y) for x, y in lists if y.any() and not y.all()]

    def loss(w):
        total, grad = L2 * w @ w / 2, L2 * w
        for x, y in lists:
            s = x @ w
            s -= s.max()
            p = np.exp(s)
            p /= p.sum()
            q = p * y
            q /= q.sum()
            total -= np.log((p * y).sum())
            grad = grad + x.T @ (p - q)
        return total, grad

    return minimize(loss, np.zeros(lists[0][0].shape[1]), jac=True, method="L-BFGS-B").x


def logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-penalised weighted logistic regression by Newton's method: (weights, bias)."""
    x1 = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    reg = L2 * np.eye(x1.shape[1])
    reg[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ (weight * (p - y)) + reg @ w
        hess = (x1 * (weight * p * (1 - p))[:, None]).T @ x1 + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def holds(s: Seen, c: Candidate) -> bool:
    return s.answerable and answer_in_text(s.answers, c.text)


@dataclass
class Outcome:
    """What one reading (features alone, or with the reader) makes of one question."""

    inputs: np.ndarray | None  # what its abstention model weighs
    right_if_answered: bool  # the first quoted sentence holds a gold answer


def features_only(answerer: Answerer, s: Seen) -> Outcome:
    quoted = answerer.quoted(s.cands)
    return Outcome(answerer.evidence(quoted), bool(quoted) and holds(s, quoted[0]))


def with_reader(answerer: Answerer, s: Seen, rank: Linear, top: int) -> Outcome:
    head = s.cands[:top]
    if not head:
        return Outcome(None, False)
    read = reread(head, s.logits[: len(head)], rank)
    quoted = answerer.quoted(read)
    return Outcome(answerer.reader_evidence(quoted, read), holds(s, quoted[0]))


def fit_answerable(seen: list[Seen], outcomes: list[Outcome]) -> tuple[Linear, float]:
    """An abstention model (answerable: the documents hold an answer) and its threshold (the
    best answer-or-abstain accuracy on these questions)."""
    rows, ys = [], []
    for s, o in zip(seen, outcomes):
        if o.inputs is None:
            continue
        rows.append(o.inputs)
        ys.append(float(s.answerable))
    x, y = np.array(rows, np.float64), np.array(ys)
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    w, b = logistic(x, y, weight)
    model = Linear(w.astype(np.float32), b)
    conf = confidences(model, outcomes)
    best = max(np.arange(0.05, 0.95, 0.01), key=lambda t: accuracy(seen, outcomes, conf, t))
    return model, round(float(best), 2)


def fit_stacked(
    features: Linear, seen: list[Seen], outcomes: list[Outcome]
) -> tuple[Linear, float]:
    """The reader's abstention model stacked on the features-only one: only the weight of
    ``features``' logit, the reader's two logits and a bias are fitted. Returned as one linear
    model over ``READER_ANSWERABLE_INPUTS`` (``features`` scaled), with its threshold.

    Fitted on all 18 inputs, SQuAD 2.0's near misses (written to reuse their paragraph's
    words) teach it that a sentence covering every word pair of the question is less likely
    to answer it (bigram weight -1.5), and it refuses "How do I install Requests?" over
    Requests' README.
    """
    n = len(features.weights)
    stacked = [
        replace(o, inputs=None if o.inputs is None else np.array(
            [features(o.inputs[:n]), o.inputs[n], o.inputs[n + 1]], np.float32))
        for o in outcomes
    ]  # fmt: skip
    top, t = fit_answerable(seen, stacked)
    a, r, r_best = (float(x) for x in top.weights)
    print(f"  reader answerable: features' logit x {a:.4f}, reader x {r:.4f}, "
          f"reader_best x {r_best:.4f}, bias {top.bias:.4f}; min_confidence {t}")
    weights = np.concatenate([a * features.weights, [r, r_best]]).astype(np.float32)
    return Linear(weights, a * features.bias + top.bias), t


def confidences(model: Linear, outcomes: list[Outcome]) -> np.ndarray:
    return np.array(
        [0.0 if o.inputs is None else 1 / (1 + np.exp(-model(o.inputs))) for o in outcomes]
    )


def right(s: Seen, o: Outcome, answered: bool) -> bool:
    return bool((answered and o.right_if_answered) if s.answerable else not answered)


def accuracy(seen, outcomes, conf, threshold) -> float:
    return statistics.mean(right(s, o, c >= threshold) for s, o, c in zip(seen, outcomes, conf))


def answered_refused(seen, outcomes, conf, threshold) -> tuple[float, float]:
    """Answerable questions answered right, and unanswerable ones refused, at ``threshold``."""
    ok = [(s.answerable, right(s, o, c >= threshold)) for s, o, c in zip(seen, outcomes, conf)]
    return (statistics.mean(r for a, r in ok if a), statistics.mean(r for a, r in ok if not a))


def balanced(seen, outcomes, conf, threshold) -> float:
    return statistics.mean(answered_refused(seen, outcomes, conf, threshold))


def choose_skip(seen, plain, plain_conf, plain_t, read, read_conf, read_t, max_cost):
    """The skip rule (margin, above, below) skipping most fit questions for at most
    ``max_cost`` of balanced accuracy."""
    margins = np.array([
        s.cands[0].rank_score - s.cands[1].rank_score if len(s.cands) > 1 else np.inf
        for s in seen
    ])  # fmt: skip
    right_plain = np.array([right(s, o, c >= plain_t) for s, o, c in zip(seen, plain, plain_conf)])
    right_read = np.array([right(s, o, c >= read_t) for s, o, c in zip(seen, read, read_conf)])
    pos = np.array([s.answerable for s in seen])

    def bal(ok):
        return (ok[pos].mean() + ok[~pos].mean()) / 2

    full = bal(right_read)
    best = (np.inf, 1.1, -0.1, 0.0, full)
    for m in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0):
        for above in (0.8, 0.85, 0.9, 0.95, 0.98, 1.1):
            for below in (-0.1, 0.02, 0.05, 0.1, 0.2):
                skip = (margins >= m) & ((plain_conf >= above) | (plain_conf < below))
                acc = bal(np.where(skip, right_plain, right_read))
                if full - acc <= max_cost and skip.mean() > best[3]:
                    best = (m, above, below, float(skip.mean()), acc)
    return best, full


def fit(
    answerer: Answerer, seen: list[Seen], top: int, max_cost: float, refit_features: bool = False
) -> Scorer:
    """``answerer``'s scorer with the reader's models fitted, and its features-only abstention
    model kept (``refit_features``: fitted on ``seen`` too)."""
    base = answerer.scorer
    print(f"\n== Fit ({len(seen)} questions) ==")
    lists = []
    for s in seen:
        head = s.cands[:top]
        if head:
            x = np.column_stack([[c.rank_score for c in head], s.logits[: len(head)]])
            lists.append((x, np.array([float(holds(s, c)) for c in head])))
    rank = Linear(fit_listwise(lists).astype(np.float32))
    print(f"  reader rank: {rank.to_dict(('rank', 'reader'))}")
    plain = [features_only(answerer, s) for s in seen]
    read = [with_reader(answerer, s, rank, top) for s in seen]
    if refit_features:
        plain_model, plain_t = fit_answerable(seen, plain)
    else:
        plain_model, plain_t = base.answerable_model, base.min_confidence
    read_model, read_t = fit_stacked(plain_model, seen, read)
    plain_conf, read_conf = confidences(plain_model, plain), confidences(read_model, read)
    (m, above, below, skip_rate, acc), full = choose_skip(
        seen, plain, plain_conf, plain_t, read, read_conf, read_t, max_cost
    )
    print(f"  skip: margin >= {m}, confidence >= {above} or < {below}: skips {skip_rate:.3f}, "
          f"balanced accuracy {acc:.3f} (reader always: {full:.3f})")
    figures = []
    for group in dict.fromkeys(s.group for s in seen):
        idx = [i for i, s in enumerate(seen) if s.group == group]
        line = f"fit {group}: "
        for name, outs, conf, t in (("features", plain, plain_conf, plain_t),
                                    ("reader", read, read_conf, read_t)):
            ok = [right(seen[i], outs[i], conf[i] >= t) for i in idx]
            line += f"{name} {statistics.mean(ok):.3f} "
        figures.append(line.strip() + " right (answer-or-abstain)")
        print("  " + figures[-1])
    if not refit_features:
        figures.append(
            "features-only answerable model and min_confidence: as before this fit "
            "(refit here, it refused too many answerable questions of the seeds check set)"
        )
    # How far the reader reads on before refusing is fitted apart (fit_read_more.py), on top
    # of these models: kept as it is.
    kept = base.reader
    reader_models = ReaderModels(
        top, rank, read_model, read_t, m, above, below,
        more=kept.more if kept else 0,
        more_min_confidence=kept.more_min_confidence if kept else 1.1,
    )  # fmt: skip
    return replace(
        base, answerable_model=plain_model, min_confidence=plain_t, reader=reader_models,
        figures=tuple(figures),
    )  # fmt: skip


def report(settings: Settings, reader: CachedReader, every: int = 1) -> None:
    """The shipped weights on the report articles, through ask() (``evaluate``), the reader's
    scores read from the cache where it has them (the same figures, not the same latency:
    ``benchmarks/core.py`` times ask())."""
    from askseeds.eval.harness import evaluate, format_report

    for qs in question_sets(settings, "report"):
        bot = Assistant(qs.bot.index, settings, qs.bot.docs_dir, reader=reader)
        questions = qs.questions[::every]
        print(f"\n== {qs.name}: {len(questions)} questions (every {every}), "
              f"reader {bot.stats.reader} ==")
        # Retrieval is not scored: the reader acts after it (askseeds eval --squad scores it).
        rep = evaluate(bot, questions, retrievers=(), progress=True)
        rep["failed"] = rep["failed"][:10]
        print(format_report(rep))


def ceiling(settings: Settings, reader: CachedReader, top: int) -> None:
    """What answering can reach on the report articles before abstention: how often the
    features' top k candidates hold an answer, and the reader's pick among the top ``top``."""
    seen = collect(question_sets(replace(settings, reader=NONE), "report"), reader, top)
    rank = default_scorer().reader.rank
    for group in dict.fromkeys(s.group for s in seen):
        answerable = [s for s in seen if s.group == group and s.answerable]
        held = {k: statistics.mean(any(holds(s, c) for c in s.cands[:k]) for s in answerable)
                for k in (1, 2, 3, 5, 10)}  # fmt: skip
        picked = statistics.mean(
            bool(s.cands) and holds(s, reread(s.cands[:top], s.logits[:top], rank)[0])
            for s in answerable
        )
        print(f"{group} ({len(answerable)} answerable): an answer among the features' top k: "
              + ", ".join(f"k={k} {v:.3f}" for k, v in held.items())
              + f"; the reader's pick of {top}, never abstaining: {picked:.3f}")
    abstention_ceiling(seen, top)


def abstention_ceiling(
    seen: list[Seen], top: int, goal_answered: float = 0.80, goal_refused: float = 0.60
) -> None:
    """How far abstention can go on the report articles with the reader's inputs as they are:
    the shipped model at every threshold, and a model refitted on the very questions it is
    scored on (which no shipped model may be: what it reaches, one fitted elsewhere on these
    inputs hardly can). ``ask()`` differs a little: it reads on before refusing, and skips the
    reader when the features are sure."""
    answerer = Answerer.__new__(Answerer)  # quoted() and reader_evidence() read no index
    answerer.settings, answerer.scorer = Settings(), default_scorer()
    models = answerer.scorer.reader
    outcomes = [with_reader(answerer, s, models.rank, top) for s in seen]
    shipped = confidences(models.answerable, outcomes)
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(seen):
        groups.setdefault(s.group, []).append(i)
    mixed = {  # the groups with unanswerable questions: their questions, outcomes, confidences
        g: ([seen[i] for i in idx], [outcomes[i] for i in idx], shipped[idx])
        for g, idx in groups.items() if not all(seen[i].answerable for i in idx)
    }  # fmt: skip
    for group, (group_seen, group_out, group_conf) in mixed.items():
        refit, _ = fit_answerable(group_seen, group_out)
        for name, conf in (("shipped model", group_conf),
                           ("refitted on these questions", confidences(refit, group_out))):
            curve = [(t, *answered_refused(group_seen, group_out, conf, t))
                     for t in np.arange(0.0, 1.0, 0.01)]
            share = statistics.mean(s.answerable for s in group_seen)
            t, answered, refused = max(curve, key=lambda r: r[1] * share + r[2] * (1 - share))
            line = (f"{group}, {name}: best overall {answered * share + refused * (1 - share):.3f}"
                    f" ({answered:.3f} answered right / {refused:.3f} refused at {t:.2f})")
            if conf is group_conf:
                at = answered_refused(group_seen, group_out, conf, models.min_confidence)
                line += (f"; at the shipped threshold {models.min_confidence}: "
                         f"{at[0]:.3f} / {at[1]:.3f}")
            held = [r for r in curve if r[1] >= goal_answered]
            if held:
                most = max(held, key=lambda r: r[2])
                line += (f"; refused at most {most[2]:.3f} while answering >= "
                         f"{goal_answered:.2f} right (at {most[0]:.2f})")
            print(line)
    # What refusing that many unanswerable questions costs the answerable ones of every group.
    for t in np.arange(0.0, 1.0, 0.01):
        if all(answered_refused(*group, t)[1] >= goal_refused for group in mixed.values()):
            answered = {g: statistics.mean(right(seen[i], outcomes[i], shipped[i] >= t)
                                           for i in idx if seen[i].answerable)
                        for g, idx in groups.items()}  # fmt: skip
            print(f"shipped model refusing >= {goal_refused:.2f} of the unanswerable (at {t:.2f}): "
                  + "; ".join(f"{g} answered right {a:.3f}" for g, a in answered.items()))
            break


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="save the weights")
    ap.add_argument("--report", action="store_true", help="report the shipped weights, then stop")
    ap.add_argument("--warm", action="store_true",
                    help="only read the report questions' leading candidates into the cache")
    ap.add_argument("--ceiling", action="store_true",
                    help="what the report articles allow before abstention, then stop")
    ap.add_argument("--collect", action="store_true",
                    help=f"only collect the fit questions' candidates ({COLLECTED.name})")
    ap.add_argument("--reuse", action="store_true",
                    help=f"fit on the questions collected last time ({COLLECTED.name})")
    ap.add_argument("--every", type=int, default=1,
                    help="--report/--warm: every n-th report question (to bound the run)")
    ap.add_argument("--top", type=int, default=3, help=f"candidates the reader reads (<= {READ})")
    ap.add_argument("--skip-cost", type=float, default=0.005, help="fit accuracy a skip may cost")
    ap.add_argument("--refit-features", action="store_true",
                    help="also refit the features-only abstention model (kept by default)")
    args = ap.parse_args(argv)
    settings = Settings(reader="bundled")
    reader = CachedReader(get_reader(settings.reader))
    if args.warm:
        sets = question_sets(replace(settings, reader=NONE), "report")
        for qs in sets:
            qs.questions = qs.questions[:: args.every]
        collect(sets, reader, args.top)
        return 0
    if args.report:
        report(settings, reader, args.every)
        return 0
    if args.ceiling:
        ceiling(settings, reader, args.top)
        return 0
    t0 = time.perf_counter()
    if args.reuse and COLLECTED.exists():
        seen = load()
    else:
        # tune_reader.py needs only the candidates: --collect reads no reader.
        fit_sets = question_sets(replace(settings, reader=NONE), "fit")
        fit_reader = None if args.collect else reader
        if fit_reader and getattr(fit_reader.reader, "tuned", False):
            fit_reader.reader = CrossFittedOnly(reader.name)  # the cache's scores, never its own
        try:
            seen = collect(fit_sets, fit_reader)
        except LookupError as exc:
            print(exc)
            return 1
        save(seen)
        if args.collect:
            return 0
    if any(s.cands and not len(s.logits) for s in seen):
        print(f"{COLLECTED} was collected without the reader (--collect): run without --reuse")
        return 1
    # quoted() and evidence() read only the settings and the candidates given.
    answerer = Answerer.__new__(Answerer)
    answerer.settings, answerer.scorer = settings, default_scorer()
    for top in range(2, READ + 1):
        if top != args.top:
            print(f"\n-- with the reader reading {top} candidates (not written):")
            fit(answerer, seen, top, args.skip_cost, args.refit_features)
    print(f"\n-- with the reader reading {args.top} candidates:")
    scorer = fit(answerer, seen, args.top, args.skip_cost, args.refit_features)
    scorer = replace(scorer, fitted_with={
        "model": settings.model, "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap_tokens": settings.chunk_overlap_tokens, "reader": reader.name,
    })  # fmt: skip
    print(f"\ntook {time.perf_counter() - t0:.0f} s")
    if args.write:
        scorer.save()
        print("wrote src/askseeds/answer/scorer_weights.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
