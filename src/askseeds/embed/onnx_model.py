"""A sentence-transformers model's transformer exported to ONNX: the export, its cache
folder checked by SHA-256, and an onnxruntime session over it.

The export is float32 and exact (checked against the library's vectors on probe texts);
``int8.py`` quantises it. A cache folder is named by the source model's files, the recipe
and the onnxruntime version, lives under ``ASKSEEDS_CACHE_DIR`` (default
``~/.cache/askseeds``) and is rebuilt, with a warning, when damaged. Pooling and
normalisation are the model's own (mean over tokens, unit length), done here in numpy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..checksum import sha256_file
from ..config import cache_root
from .encoder import unit

log = logging.getLogger(__name__)

EXPORT_TOLERANCE = 1e-4  # float32 ONNX vs the library's vectors: the export itself is exact
PROBES = [
    "Why?",
    "Where was the seventh China-U.S. Sister Cities Conference held?",
    "The conference was held in Hangzhou, where mayors of both countries met in 2024. " * 3,
    "word " * 600,  # longer than the model reads: truncated
]
FLOAT32_FILE = "model-fp32.onnx"
# The float32 question model's recipe; a change here rebuilds it. Eager attention: PyTorch's
# fused attention exports as masking operators that took 16% of the run time.
FLOAT32_RECIPE = {"format": 1, "opset": 17, "attention": "eager", "kind": "float32"}
EXPORT_TIMEOUT = 600  # seconds; an export takes 5-30 s
META_FILE, TOKENIZER_FILE = "meta.json", "tokenizer.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def open_session(path: Path, threads: int, initializers: dict | None = None):
    """An onnxruntime CPU session over the graph at ``path``, on ``threads`` threads.

    ``initializers`` (name -> ``OrtValue``) replace the graph's own weights; the session
    reads them from those values, which must outlive it.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Never spinning: workers spinning while they wait for work cost the other core 5-20x
    # the CPU when it is busy with the server's other questions.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    for key, value in (initializers or {}).items():
        options.add_initializer(key, value)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _fingerprint(path: str, recipe: dict) -> str:
    """Names, sizes and times of the source model's files, the recipe and library versions."""
    import onnxruntime

    parts: dict = {"source": path, "recipe": recipe, "onnxruntime": onnxruntime.__version__}
    folder = Path(path)
    if folder.is_dir():
        parts["files"] = sorted(
            (str(f.relative_to(folder)), f.stat().st_size, f.stat().st_mtime_ns)
            for f in folder.rglob("*")
            if f.is_file()
        )
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def cached_export(
    path: str, recipe: dict, build: Callable[[str, Path], dict], what: str
) -> tuple[Path, dict]:
    """The cache folder ``build(path, folder)`` makes for the model at ``path`` under
    ``recipe``, and its metadata; built when missing or failing its checks.

    ``build`` writes the files and returns the metadata, whose ``files`` maps each file
    that must be there to its size and SHA-256 (``file_entry``).
    """
    folder = cache_root() / "onnx" / _fingerprint(path, recipe)
    problem = _check_cache(folder)
    if problem is None:
        return folder, json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    if problem != "not built yet":
        log.warning("cached %s in %s is unusable (%s); rebuilding it", what, folder, problem)
    log.info("exporting %s to %s (once; about 10-30 s)", path, what)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=folder.parent))
    try:
        meta = build(path, tmp)
        (tmp / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)  # whole folder at once: no reader sees half a model
    except OSError:
        # Another process renamed its copy into place first; it is checked below.
        log.info("could not move the %s into %s", what, folder, exc_info=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problem = _check_cache(folder)
    if problem is not None:
        raise RuntimeError(f"the {what} in {folder} is unusable after export ({problem})")
    log.info("%s cached in %s", what, folder)
    return folder, json.loads((folder / META_FILE).read_text(encoding="utf-8"))


def file_entry(path: Path) -> dict:
    """What the cache checks of a file: its size and SHA-256."""
    return {"size": path.stat().st_size, "sha256": sha256_file(path)}


def _check_cache(folder: Path) -> str | None:
    """What is wrong with a cached model folder, or None."""
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        return "not built yet"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not (folder / TOKENIZER_FILE).is_file():
            return "tokenizer missing"
        if not meta["files"]:
            return "no model file listed"
        for name, expected in meta["files"].items():
            onnx_path = folder / name
            if not onnx_path.is_file() or onnx_path.stat().st_size != expected["size"]:
                return f"{name} missing or of the wrong size"
            if sha256_file(onnx_path) != expected["sha256"]:
                return f"{name} checksum mismatch"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"metadata unreadable: {exc}"
    return None


def not_exportable(model) -> str | None:
    """Why the sentence-transformers ``model`` cannot be exported here, or None: only a
    transformer with mean pooling (and unit length) is."""
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    pooling = modules[1].get_config_dict().get("pooling_mode") if len(modules) > 1 else None
    supported = kinds in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
    if not supported or pooling != "mean":
        return f"only transformer + mean pooling models export; this one is {kinds}, {pooling}"
    return None


def export_float32(path: str, out: Path, attention: str, opset: int):
    """Export the transformer of the sentence-transformers model at ``path`` to
    ``out / FLOAT32_FILE`` with its tokenizer; its metadata (no ``files`` yet) and the
    library's vectors of ``PROBES``, which the export matches within ``EXPORT_TOLERANCE``.

    Raises ValueError for a model that is not a transformer with mean pooling, or whose
    export does not match it.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu")
    problem = not_exportable(model)
    if problem:
        raise ValueError(problem)
    modules = list(model)
    backbone = modules[0].model
    if hasattr(backbone, "set_attn_implementation"):
        backbone.set_attn_implementation(attention)
    tokenizer = getattr(model.tokenizer, "backend_tokenizer", None)
    if tokenizer is None:
        raise ValueError("the model has no fast tokenizer to run without transformers")
    example = model.tokenizer(PROBES[:2], padding=True, return_tensors="pt")  # padded: masks
    names = [n for n in _INPUTS if n in example]

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = backbone

        def forward(self, *tensors):
            return self.backbone(**dict(zip(names, tensors))).last_hidden_state

    fp32 = out / FLOAT32_FILE
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings of the exporter
        torch.onnx.export(
            Hidden().eval(),
            tuple(example[n] for n in names),
            str(fp32),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )
    (out / TOKENIZER_FILE).write_text(tokenizer.to_str(), encoding="utf-8")
    meta = {
        "source": path,
        "dim": int(model.get_embedding_dimension()),
        "max_tokens": int(model.max_seq_length),
        "lower_case": bool(getattr(modules[0], "do_lower_case", False)),
        "inputs": names,
    }
    reference = model.encode(
        PROBES, batch_size=1, normalize_embeddings=True, show_progress_bar=False
    )
    worst = float(np.abs(OnnxModel(out, meta, fp32).encode(PROBES) - reference).max())
    if worst > EXPORT_TOLERANCE:
        raise ValueError(f"the ONNX export differs from the model by {worst:.2g}")
    return meta, reference


def float32_files(path: str) -> tuple[Path, dict]:
    """The cached float32 export of the model at ``path`` and its metadata, exported (in a
    child process) when missing or damaged.

    A child process, because the export leaves about 200 MB of the exporter's memory in the
    process that ran it, which a server would carry from then on.
    """
    return cached_export(path, FLOAT32_RECIPE, _build_float32, "float32 ONNX model")


def _build_float32(path: str, out: Path) -> dict:
    # The child imports this same askseeds, however the parent found it.
    package_parent = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (package_parent, os.environ.get("PYTHONPATH")) if p
    )}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", __name__, path, str(out)],
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the export stopped ({last})")
    return json.loads((out / META_FILE).read_text(encoding="utf-8"))


def _export_float32_here(path: str, out: Path) -> None:
    """The child process's work: export, check, and write the metadata into ``out``."""
    meta, _ = export_float32(path, out, FLOAT32_RECIPE["attention"], FLOAT32_RECIPE["opset"])
    meta["recipe"] = FLOAT32_RECIPE
    meta["files"] = {FLOAT32_FILE: file_entry(out / FLOAT32_FILE)}
    (out / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")


class OnnxModel:
    """One onnxruntime session over an exported transformer, with its tokenizer.

    Returns token vectors and character offsets, or mean-pooled unit vectors.
    Thread-safe: the tokenizer and ``InferenceSession.run`` may be called from any thread.
    """

    def __init__(self, folder: Path, meta: dict, onnx_path: Path, threads: int = 1):
        from tokenizers import Tokenizer

        self.meta = meta
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=meta["max_tokens"])
        self.session = open_session(onnx_path, threads)

    def tokens(self, texts: Sequence[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per text: token vectors ``(n_tokens, dim)`` and offsets ``(n_tokens, 2)``."""
        texts = [t.lower() for t in texts] if self.meta["lower_case"] else list(texts)
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encodings):
            n = len(e.ids)
            ids[i, :n], types[i, :n], mask[i, :n] = e.ids, e.type_ids, 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {n: feeds[n] for n in self.meta["inputs"]})[0]
        lengths = [len(e.ids) for e in encodings]
        return (
            [hidden[i, :n] for i, n in enumerate(lengths)],
            [np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2) for e in encodings],
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled unit vectors ``(len(texts), dim)``, as the library's Pooling does."""
        vecs = np.stack([t.mean(axis=0) for t in self.tokens(texts)[0]])
        return unit(vecs)


if __name__ == "__main__":  # python -m askseeds.embed.onnx_model MODEL_PATH OUT_FOLDER
    _export_float32_here(sys.argv[1], Path(sys.argv[2]))
