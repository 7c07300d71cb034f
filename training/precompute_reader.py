"""Score the leading candidates of every fit and report question with the reader, once, into
the cache of ``data.CachedReader`` (.cache/reader_scores.jsonl)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import CachedReader, question_sets

from askseeds.answer.query import clean_question, strip_request
from askseeds.answer.reader import get_reader
from askseeds.config import Settings

TOP = 4


def main() -> None:
    reader = CachedReader(get_reader("bundled"))
    for part in ("fit", "report"):
        for qs in question_sets(Settings(), part):
            t0 = time.perf_counter()
            asked = [strip_request(clean_question(q.question)) for q in qs.questions]
            vecs = qs.bot.embedder.encode(asked, 64)
            for n, (a, v) in enumerate(zip(asked, vecs)):
                _, cands = qs.bot.search(a, a, v)
                reader.score([(a, c.text) for c in (cands or [])[:TOP]])
                if n % 200 == 0:
                    print(f"{qs.name}: {n}/{len(asked)} {time.perf_counter() - t0:.0f} s "
                          f"({reader.misses} pairs read)", flush=True)
            print(f"{qs.name}: done in {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
