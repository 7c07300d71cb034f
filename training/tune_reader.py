"""Tune the bundled reader's top layers to tell a sentence that answers a question.

The bundled cross-encoder (ms-marco-MiniLM-L-12-v2) was trained to tell a passage that is
relevant to a web search from one that is not; askseeds asks it whether a sentence *answers* a
question. Its top ``--layers`` transformer layers, its pooler and its classifier are trained
here on the fit questions' candidate sentences, the ones ``ask()`` finds (the leading
``READ`` of each, from ``train_scorer.py``'s collection):

- listwise: the softmax share of each answerable question's sentences that hold an answer;
- plus ``BINARY`` x the binary cross-entropy of every pair, near misses and off-topic questions
  included, so the logit also says how likely a sentence answers at all.

The layers below stay as shipped, so their int8 output is computed once and only the top runs
in torch (initialised from the shipped int8 weights; its logits are within 0.03 of the graph's on
average, 0.11 at most, the graph quantising its activations per batch).

Written: ``src/askseeds/answer/reader_tuned.npz``, the tuned layers' initializers under the
ONNX graph's own names and in its int8 format (``answer/reader.py`` puts them in place of the
shipped ones), with the SHA-256 of the model they were tuned from.

Cross-fitted scores: ``--folds`` models, each trained without one fold of the fit questions,
score that fold's pairs (int8, as ``ask()`` runs them) into the tuned reader's score cache, so
``train_scorer.py`` fits the reader's rank and abstention models on scores of questions the
reader never trained on.

Each finished stage (a fold's held-out scores, the final layers) is kept in
``.cache/tune_reader-<settings>-<pairs>-<model>/``, so a run cut short goes on where it stopped
when run again with the same settings, training pairs and shipped model. Delete that folder
after changing the training code itself. On 2 cores (2026-12-06, AMD EPYC) the frozen layers'
states of 26,290 pairs took 7.5 minutes and each fold's tuning 16-19. To refit the reader's
models on new candidates while keeping the shipped layers, pass ``--keep-layers``: they stand
in for the final stage, and the run is the folds alone (66 minutes).

    python training/train_scorer.py --collect   # the fit questions' candidates (if not cached)
    python training/tune_reader.py              # tune, cross-fit, write reader_tuned.npz
    python training/train_scorer.py --write     # refit the reader's models on the tuned reader
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import onnx
import onnxruntime
import torch
from data import CACHE, CachedReader, CrossFittedOnly
from onnx import numpy_helper
from train_scorer import COLLECTED, READ, holds, load

from askseeds.answer import reader as reader_module
from askseeds.checksum import sha256_file

BINARY = 0.3
HIDDEN, HEADS, LN_EPS = 384, 12, 1e-12


class Weights:
    """The shipped graph's initializers, its int8 matrices by the layer that multiplies them."""

    def __init__(self, model: onnx.ModelProto) -> None:
        self.init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
        self.matrix: dict[str, str] = {}  # "bert.encoder.layer.11.attention.self.query" -> name
        for node in model.graph.node:
            if node.op_type == "MatMulInteger":
                layer = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
                self.matrix[layer] = node.input[1].removesuffix("_quantized")

    def dense(self, layer: str, bias: str | None = None) -> torch.nn.Linear:
        name = self.matrix[layer]
        q = self.init[name + "_quantized"].astype(np.float32)
        w = (q - self.init[name + "_zero_point"].astype(np.float32)) * self.init[name + "_scale"]
        lin = torch.nn.Linear(*w.shape)
        lin.weight.data = torch.tensor(w.T.copy())
        lin.bias.data = torch.tensor(self.init[bias or layer + ".bias"].copy())
        lin.onnx_name = name  # type: ignore[attr-defined]
        lin.onnx_bias = bias or layer + ".bias"  # type: ignore[attr-defined]
        return lin


class LayerNorm(torch.nn.Module):
    def __init__(self, w: Weights, prefix: str) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(w.init[prefix + ".weight"].copy()))
        self.bias = torch.nn.Parameter(torch.tensor(w.init[prefix + ".bias"].copy()))
        self.onnx_prefix = prefix

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + LN_EPS) * self.weight + self.bias


class Layer(torch.nn.Module):
    """One BERT layer as the ONNX graph computes it."""

    def __init__(self, w: Weights, n: int) -> None:
        super().__init__()
        p = f"bert.encoder.layer.{n}."
        self.query = w.dense(p + "attention.self.query")
        self.key = w.dense(p + "attention.self.key")
        self.value = w.dense(p + "attention.self.value")
        self.out = w.dense(p + "attention.output.dense")
        self.norm1 = LayerNorm(w, p + "attention.output.LayerNorm")
        self.up = w.dense(p + "intermediate.dense")
        self.down = w.dense(p + "output.dense")
        self.norm2 = LayerNorm(w, p + "output.LayerNorm")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape

        def heads(z):
            return z.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)

        att = heads(self.query(x)) @ heads(self.key(x)).transpose(-1, -2)
        att = (att / math.sqrt(HIDDEN // HEADS) + mask).softmax(-1)
        ctx = (att @ heads(self.value(x))).transpose(1, 2).reshape(b, t, HIDDEN)
        x = self.norm1(self.out(ctx) + x)
        return self.norm2(self.down(torch.nn.functional.gelu(self.up(x))) + x)


class Top(torch.nn.Module):
    """The shipped cross-encoder from layer ``first`` up: layers, pooler, classifier."""

    def __init__(self, w: Weights, first: int, layers: int = 12) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(Layer(w, n) for n in range(first, layers))
        self.pooler = w.dense("bert.pooler.dense")
        self.classifier = w.dense("classifier")

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        mask = (~valid)[:, None, None, :].float() * -1e4
        for layer in self.layers:
            x = layer(x, mask)
        return self.classifier(torch.tanh(self.pooler(x[:, 0]))).squeeze(-1)

    def initializers(self) -> dict[str, np.ndarray]:
        """The tuned weights under the graph's names, matrices int8 with one symmetric scale
        per tensor, as the shipped graph quantises them."""
        out: dict[str, np.ndarray] = {}
        for m in self.modules():
            if isinstance(m, torch.nn.Linear):
                w = m.weight.detach().numpy().T
                scale = np.float32(np.abs(w).max() / 127)
                out[m.onnx_name + "_quantized"] = np.round(w / scale).clip(-127, 127).astype(np.int8)
                out[m.onnx_name + "_scale"] = np.array(scale, np.float32)
                out[m.onnx_name + "_zero_point"] = np.array(0, np.int8)
                out[m.onnx_bias] = m.bias.detach().numpy().astype(np.float32)
            elif isinstance(m, LayerNorm):
                out[m.onnx_prefix + ".weight"] = m.weight.detach().numpy().astype(np.float32)
                out[m.onnx_prefix + ".bias"] = m.bias.detach().numpy().astype(np.float32)
        return out


class Pairs:
    """Each (question, sentence) pair's token states entering the tuned layers (float16)."""

    def __init__(self, folder: Path, model: onnx.ModelProto, first: int, pairs, batch=16):
        below = f"/bert/encoder/layer.{first - 1}/output/LayerNorm/Add_1_output_0"
        model.graph.output.append(
            onnx.helper.make_tensor_value_info(below, onnx.TensorProto.FLOAT, None)
        )
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        encoded = reader_module.pair_tokenizer(folder).encode_batch(pairs)
        self.lens = np.array([len(e.ids) for e in encoded])
        self.offsets = np.concatenate([[0], np.cumsum(self.lens)])
        self.states = np.zeros((self.offsets[-1], HIDDEN), np.float16)
        order = np.argsort(self.lens, kind="stable")
        for lo in range(0, len(order), batch):
            idx = order[lo : lo + batch]
            feed = reader_module.padded_feed([encoded[i] for i in idx])
            hidden = session.run([below], feed)[0]
            for j, i in enumerate(idx):
                self.states[self.offsets[i] : self.offsets[i + 1]] = hidden[j, : self.lens[i]]

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        width = int(self.lens[idx].max())
        x = np.zeros((len(idx), width, HIDDEN), np.float32)
        valid = np.zeros((len(idx), width), bool)
        for j, i in enumerate(idx):
            x[j, : self.lens[i]] = self.states[self.offsets[i] : self.offsets[i + 1]]
            valid[j, : self.lens[i]] = True
        return torch.from_numpy(x), torch.from_numpy(valid)


def train(
    w: Weights, first: int, pairs: Pairs, groups: list[np.ndarray], labels: np.ndarray,
    epochs: int, lr: float, seed: int = 0,
) -> Top:
    """``Top`` trained on ``groups`` (each a question's pair indices), 8 questions a step."""
    groups = [g for g in groups if len(g)]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Top(w, first)
    y = torch.tensor(labels, dtype=torch.float32)
    per_step = 8
    steps = epochs * math.ceil(len(groups) / per_step)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / 100) * max(0.0, 1 - s / steps)
    )
    width = np.array([pairs.lens[g].max() for g in groups])
    t0 = time.perf_counter()
    for epoch in range(epochs):
        # questions of like length share a step (padding costs as much as text), in random order
        order = np.argsort(width + rng.uniform(0, 8, len(groups)))
        steps_of = [order[i : i + per_step] for i in range(0, len(order), per_step)]
        rng.shuffle(steps_of)
        for qs in steps_of:
            idx = np.concatenate([groups[q] for q in qs])
            z = model(*pairs.batch(idx))
            loss = BINARY * torch.nn.functional.binary_cross_entropy_with_logits(z, y[idx])
            at = 0
            for q in qs:
                n = len(groups[q])
                zq, yq = z[at : at + n], y[idx[at : at + n]]
                at += n
                if 0 < yq.sum() < n:
                    share = torch.logsumexp(torch.log_softmax(zq, 0)[yq > 0], 0)
                    loss = loss - share / len(qs)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"    epoch {epoch + 1}/{epochs}: {time.perf_counter() - t0:.0f} s", flush=True)
    return model.eval()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--layers", type=int, default=4, help="top layers tuned (of 12)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--folds", type=int, default=3, help="cross-fitted models (0: none)")
    ap.add_argument("--keep-layers", action="store_true",
                    help="keep the shipped tuned layers as the final model: only cross-fit")
    args = ap.parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    if not COLLECTED.exists():
        print(f"no {COLLECTED}: run training/train_scorer.py --collect first")
        return 1
    seen = load()
    texts, labels, owner = [], [], []
    for qi, s in enumerate(seen):
        for c in s.cands[:READ]:
            texts.append((s.question, c.text))
            labels.append(float(holds(s, c)))
            owner.append(qi)
    owner_arr = np.array(owner)
    groups = [np.flatnonzero(owner_arr == qi) for qi in range(len(seen))]  # empty: no candidate
    folder = reader_module.bundled_folder()
    shipped = onnx.load(str(folder / "model.onnx"))
    w = Weights(shipped)
    # Checked before an hour of folds, not after them.
    kept_layers = reader_module.tuned_layers(folder / "model.onnx") if args.keep_layers else None
    if args.keep_layers and kept_layers is None:
        print(f"no tuned layers of this model in {reader_module.TUNED_PATH} to keep")
        return 1
    first = 12 - args.layers
    labels_arr = np.array(labels, np.float32)
    base = sha256_file(folder / "model.onnx")
    trained_on = hashlib.sha256(json.dumps([texts, labels]).encode()).hexdigest()
    work = CACHE / (f"tune_reader-{args.layers}l-{args.epochs}e-{args.lr:g}-{args.folds}f-"
                    f"{trained_on[:8]}-{base[:8]}")
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    @functools.cache
    def pairs() -> Pairs:
        """The pairs' states below the tuned layers, computed only if a stage needs them."""
        states = Pairs(folder, shipped, first, texts)
        print(f"{len(texts)} pairs of {len(seen)} questions read up to layer {first} "
              f"({time.perf_counter() - t0:.0f} s); {np.mean(labels):.3f} hold an answer")
        return states

    crossed: list[tuple[list[tuple[str, str]], np.ndarray]] = []
    fold = np.arange(len(seen)) % max(args.folds, 1)
    for k in range(args.folds):
        done = work / f"fold{k}.json"
        if done.exists():
            kept = json.loads(done.read_text(encoding="utf-8"))
            crossed.append(([tuple(p) for p in kept["pairs"]], np.array(kept["scores"])))
            print(f"  fold {k + 1}/{args.folds}: kept from {done}")
            continue
        print(f"  fold {k + 1}/{args.folds}: trained without {np.sum(fold == k)} questions")
        model = train(w, first, pairs(), [g for q, g in enumerate(groups) if fold[q] != k],
                      labels_arr, args.epochs, args.lr)
        scorer = reader_module.OnnxReader(folder, f"fold {k}", model.initializers())
        held = [texts[i] for i in np.flatnonzero(fold[owner_arr] == k)]  # the pairs it left out
        scores = scorer.score(held)
        part = done.with_suffix(".part")  # renamed when whole: a run killed mid-write keeps none
        part.write_text(json.dumps({"pairs": held, "scores": scores.tolist()}), encoding="utf-8")
        part.replace(done)
        crossed.append((held, scores))
    final = work / "final.npz"
    if kept_layers is not None:  # the shipped file stays as it is
        out = kept_layers
        print(f"  all {len(seen)} questions: the shipped layers kept")
    elif final.exists():
        print(f"  all {len(seen)} questions: kept from {final}")
        with np.load(final) as stored:
            out = {key: stored[key] for key in stored.files}
    else:
        print(f"  all {len(seen)} questions:")
        out = train(w, first, pairs(), groups, labels_arr, args.epochs, args.lr).initializers()
        part = final.with_suffix(".part")
        with part.open("wb") as fh:
            np.savez_compressed(fh, **out)
        part.replace(final)
    name = reader_module.tuned_name(out)
    if kept_layers is None:
        np.savez_compressed(reader_module.TUNED_PATH, **out,
                            **{reader_module.TUNED_BASE_KEY: np.array(base)})
        print(f"wrote {reader_module.TUNED_PATH} ({reader_module.TUNED_PATH.stat().st_size} "
              f"bytes, {time.perf_counter() - t0:.0f} s)")
    cache = CachedReader(CrossFittedOnly(name))
    for held, scores in crossed:
        cache.put(held, scores)
    if crossed:
        print(f"  cross-fitted scores of {len(cache.scores)} pairs in {cache.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
