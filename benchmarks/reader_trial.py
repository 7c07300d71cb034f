"""Trial of a reader trained here: can a cross-encoder fine-tuned on SQuAD's first 12 articles
pick answer sentences better than the feature scorer? (It is not part of askseeds: its gain was
too small to ship; docs/results.md, "Eighth pass".)

The reader reads "question [SEP] sentence" through the bundled MiniLM. Its first 4 layers stay
frozen, so their output is computed once per pair; its last 2 layers and a linear head on their
mean-pooled output are trained (binary: the sentence holds a gold answer), 2 epochs, on the top
8 candidate sentences of each question as ``ask()`` ranks them. Training all 6 layers costs
about 7x as much on 2 cores.

Figures, top sentence holds the answer (among the top 8):
  first 12: out-of-fold, each half scored by a reader trained on the other half;
  last 12:  held out, scored by a reader trained on all of the first 12.
"reader + features" is the listwise ranker of train_scorer.py with the reader's logit as one
more feature, fitted on the first 12's out-of-fold logits.

    python benchmarks/reader_trial.py        # ~35 min on 2 cores; 3.8 GB of states under .cache/ while it runs
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from squad_eval import CACHE, ROOT, SQUAD, corpus
from train_scorer import candidates_of, fit_rank, top_hit

from askseeds.answer.features import FEATURES
from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.embed import DEFAULT_MODEL, resolve_model
from askseeds.evaluate import load_questions
from askseeds.metrics import answer_in_text

TOP = 8  # candidates per question the reader reads
FROZEN = 4  # MiniLM layers left as they are
MAX_TOKENS = 128


class Head(torch.nn.Module):
    """The trainable top: MiniLM's last layers and a linear head on their mean-pooled output."""

    def __init__(self, model) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(copy.deepcopy(model.encoder.layer[FROZEN:]))
        self.out = torch.nn.Linear(model.config.hidden_size, 1)

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        additive = (1.0 - mask[:, None, None, :]) * -1e4
        for layer in self.layers:
            h = layer(h, attention_mask=additive)
        m = mask.unsqueeze(-1)
        return self.out((h * m).sum(1) / m.sum(1)).squeeze(-1)


def frozen_part(model):
    """A copy of ``model`` with only its first ``FROZEN`` layers: the layers above would be
    computed and thrown away."""
    bottom = copy.deepcopy(model)
    bottom.encoder.layer = bottom.encoder.layer[:FROZEN]
    return bottom


def pairs_of(bot, questions):
    """Per question: (its top candidates' features, labels, texts)."""
    out = []
    for q, cands in candidates_of(bot, questions):
        top = cands[:TOP]
        out.append((
            q.question,
            np.stack([c.features for c in top]) if top else np.zeros((0, len(FEATURES)), np.float32),
            np.array([float(answer_in_text(q.answers, c.text)) for c in top]),
            [c.text for c in top],
        ))  # fmt: skip
    return out


def frozen_states(bottom, tok, items, path: Path):
    """Layer-``FROZEN`` states of every (question, sentence) pair, memory-mapped at ``path``."""
    qs = [q for q, _, _, texts in items for _ in texts]
    ss = [t for _, _, _, texts in items for t in texts]
    enc = tok(qs, ss, truncation="only_second", max_length=MAX_TOKENS)
    lens = np.array([len(x) for x in enc["input_ids"]])
    states = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float16, shape=(len(qs), MAX_TOKENS, bottom.config.hidden_size)
    )
    order = np.argsort(lens)  # similar lengths together: less padding
    with torch.no_grad():
        for i in range(0, len(order), 32):
            idx = order[i : i + 32]
            batch = tok.pad({k: [enc[k][j] for j in idx] for k in enc}, return_tensors="pt")
            h = bottom(**batch).last_hidden_state
            for row, j in enumerate(idx):
                states[j, : h.shape[1]] = h[row].numpy()
    return states, lens


def batch(states, lens, ids):
    n = int(lens[ids].max())
    h = torch.from_numpy(np.asarray(states[ids, :n], np.float32))
    mask = torch.from_numpy((np.arange(n)[None, :] < lens[ids][:, None]).astype(np.float32))
    return h, mask


def train(model, states, lens, labels, ids, epochs: int = 2, size: int = 32, lr: float = 5e-5):
    torch.manual_seed(0)
    net = Head(model)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    pos = labels[ids].mean()
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - pos) / pos))
    steps = epochs * (len(ids) // size) + 1
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, pct_start=0.1)
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        perm = rng.permutation(ids)
        for start in range(0, len(perm), size * 50):  # shuffled, but batched by length
            chunk = perm[start : start + size * 50]
            chunk = chunk[np.argsort(lens[chunk])]
            batches = [chunk[i : i + size] for i in range(0, len(chunk), size)]
            rng.shuffle(batches)
            for b in (b for b in batches if len(b) > 1):
                loss = loss_of(net(*batch(states, lens, b)), torch.from_numpy(labels[b]))
                opt.zero_grad()
                loss.backward()
                opt.step()
                if sched.last_epoch < steps - 1:
                    sched.step()
    return net.eval()


def predict(net, states, lens, ids) -> np.ndarray:
    out = np.zeros(len(ids), np.float32)
    with torch.no_grad():
        for i in range(0, len(ids), 64):
            b = ids[i : i + 64]
            out[i : i + 64] = net(*batch(states, lens, b)).numpy()
    return out


def seeds_check(bottom, tok, net, weights: dict) -> dict:
    """Per ranker, how many of the seeds' single-turn answerable questions get a top sentence
    holding the answer."""
    bot = Assistant.from_folder(ROOT / "seeds", progress=False)
    qs = [
        q for q in load_questions(ROOT / "eval" / "seeds_questions.jsonl")
        if q.answerable and not q.turns
    ]
    hits = dict.fromkeys(weights, 0)
    for question, x, y, texts in pairs_of(bot, qs):
        if not texts:
            continue
        enc = tok([question] * len(texts), texts, truncation="only_second",
                  max_length=MAX_TOKENS, padding=True, return_tensors="pt")
        with torch.no_grad():
            h = bottom(**enc).last_hidden_state
            logit = net(h, enc["attention_mask"].float()).numpy()
        for name, (w, with_reader) in weights.items():
            xs = np.hstack([x, logit[:, None]]) if with_reader else x
            hits[name] += int(y[int(np.argmax(xs @ w))])
    return {"questions": len(qs), **hits}


def row_ranges(flat) -> list[np.ndarray]:
    """Each question's rows among all pairs, in ``flat`` order."""
    ends = np.cumsum([len(y) for _, _, y, _ in flat])
    return [np.arange(e - len(y), e) for e, (_, _, y, _) in zip(ends, flat)]


def reader_logits(model, states, lens, flat, rows, n1: int):
    """The reader's logit for every pair (the first ``n1`` questions out of fold, the rest by a
    reader trained on all of them), and that last reader."""
    labels = np.concatenate([y for _, _, y, _ in flat]).astype(np.float32)
    logit = np.zeros(len(labels), np.float32)

    def ids(qs):
        return np.concatenate([rows[i] for i in qs])

    halves = (range(n1 // 2), range(n1 // 2, n1))
    for fit_on, score in (halves, halves[::-1]):
        net = train(model, states, lens, labels, ids(fit_on))
        logit[ids(score)] = predict(net, states, lens, ids(score))
    net = train(model, states, lens, labels, ids(range(n1)))
    held = range(n1, len(flat))
    logit[ids(held)] = predict(net, states, lens, ids(held))
    return logit, net


def main() -> int:
    t0 = time.perf_counter()
    bot, split = corpus(SQUAD, Settings())
    items = {half: pairs_of(bot, split[half]) for half in ("first12", "last12")}
    path = resolve_model(DEFAULT_MODEL)
    tok, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    bottom = frozen_part(model)
    flat = items["first12"] + items["last12"]
    rows, n1 = row_ranges(flat), len(items["first12"])
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        states, lens = frozen_states(bottom, tok, flat, Path(tmp) / "states.npy")
        logit, net = reader_logits(model, states, lens, flat, rows, n1)
        del states  # the memory map, before its folder goes

    def sets(qs, with_reader: bool):
        out = []
        for i in qs:
            _, x, y, _ = flat[i]
            out.append((np.hstack([x, logit[rows[i], None]]) if with_reader else x, y))
        return out

    first, last = range(n1), range(n1, len(flat))
    w_feat = fit_rank(sets(first, False))
    w_both = fit_rank(sets(first, True))
    table = [
        ("reader alone", lambda x: x[:, -1], True),
        ("features (the shipped ranker's inputs)", lambda x: x @ w_feat, False),
        ("reader + features", lambda x: x @ w_both, True),
    ]
    print(f"\n{'top sentence holds the answer':<42} first 12 (out of fold)  last 12 (held out)")
    for name, score, with_reader in table:
        a, b = (top_hit(score, sets(qs, with_reader)) for qs in (first, last))
        print(f"{name:<42} {a:>22.3f}  {b:>18.3f}")
    print(f"reader weight in the joint ranker: {w_both[-1]:+.3f}")
    seeds = seeds_check(bottom, tok, net, {"features": (w_feat, False), "both": (w_both, True)})
    print(f"seeds, {seeds['questions']} single-turn answerable questions, top sentence holds the "
          f"answer: features {seeds['features']}, reader + features {seeds['both']}")
    print(f"took {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
