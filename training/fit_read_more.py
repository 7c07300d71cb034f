"""Fit how far the reader reads on before refusing (``ReaderModels.more``).

Where the reader's leading candidates would be refused, ``select`` lets it read the next
``--more`` too. The best of more sentences looks like an answer by chance more often, so an
answer found that way must reach a higher confidence; this picks that bar on the fit questions
(``data.py``), every ``--every``-th of them. A question answered only by reading on scores +1
when its first quote holds a gold answer, -1 when it has none (an unanswerable question
answered) and -1/2 when it quotes a wrong sentence of an answerable one (refused before, a
wrong answer now: worse for its reader, though answer-or-abstain counts both as wrong).

    python training/fit_read_more.py            # print the fit figures
    python training/fit_read_more.py --write    # and store the bar in scorer_weights.json

The tuned reader was tuned on these questions' leading candidates, so its logits for them are
surer than for new ones: check the bar on the report articles (``train_scorer.py --report``).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from data import question_sets

from askseeds.answer.scorer import default_scorer
from askseeds.config import Settings
from askseeds.eval.metrics import answer_in_text

WRONG_ANSWER = -0.5  # a wrong answer where a refusal stood, against +1 for a right one


def read_on(every: int, more: int) -> list[tuple[float, float]]:
    """(confidence, score) of each fit question answered only by reading ``more`` further
    candidates; score as in the module's docstring."""
    settings = Settings(reader="bundled")
    shipped = default_scorer()
    assert shipped.reader is not None, "the shipped weights have no reader models"
    never = replace(shipped, reader=replace(shipped.reader, more=0))
    # Any confidence the plain threshold accepts: the bar is chosen here.
    always = replace(shipped, reader=replace(shipped.reader, more=more, more_min_confidence=0.0))
    out = []
    for qs in question_sets(settings, "fit"):
        qs.questions = qs.questions[::every]
        answerer = qs.bot.answerer
        found = 0
        for q, asked, cands in qs.candidates():
            answerer.scorer = never
            before = answerer.judge(asked, cands, asked)
            if before.answers:
                continue
            answerer.scorer = always
            after = answerer.judge(asked, cands, asked)
            if not after.answers:
                continue
            found += 1
            if not q.answerable:
                score = -1.0
            elif answer_in_text(q.answers, after.quoted[0].text):
                score = 1.0
            else:
                score = WRONG_ANSWER
            out.append((after.confidence, score))
        answerer.scorer = shipped
        print(f"  {qs.name}: {len(qs.questions)} questions, {found} answered by reading on",
              flush=True)  # fmt: skip
    return out


def best_bar(found: list[tuple[float, float]], floor: float) -> tuple[float, float]:
    """The confidence at or above ``floor`` from which reading on gains most, and the gain
    (1.1 and 0 where it gains nothing)."""
    bar, gain = 1.1, 0.0
    for t in sorted({c for c, _ in found if c >= floor}):
        g = sum(s for c, s in found if c >= t)
        if g > gain:
            bar, gain = t, g
    return bar, gain


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--more", type=int, default=3, help="further candidates read")
    ap.add_argument("--every", type=int, default=2, help="every n-th fit question")
    ap.add_argument("--write", action="store_true", help="store the bar in scorer_weights.json")
    args = ap.parse_args(argv)
    shipped = default_scorer()
    found = read_on(args.every, args.more)
    floor = shipped.reader.min_confidence
    for t in (floor, 0.40, 0.45, 0.50, 0.55, 0.60):
        kept = [s for c, s in found if c >= t]
        print(f"  bar {t:.2f}: {len(kept)} answered, {sum(s == 1 for s in kept)} right, "
              f"{sum(s == -1 for s in kept)} unanswerable, {sum(s == WRONG_ANSWER for s in kept)} "
              f"wrong; gain {sum(kept):+.1f}")  # fmt: skip
    bar, gain = best_bar(found, floor)
    print(f"bar: {bar:.3f} (gain {gain:+.1f} on {len(found)} answered by reading on)")
    if args.write:
        reader = replace(
            shipped.reader, more=args.more if gain > 0 else 0, more_min_confidence=round(bar, 3)
        )
        replace(shipped, reader=reader).save()
        print("wrote src/askseeds/answer/scorer_weights.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
