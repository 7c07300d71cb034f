"""The loops BM25 search spends its time in, compiled with numba when it is installed.

Each walks one term's postings in one segment (``docs`` local documents, ``tfs`` counts;
``offset`` turns a local document into its row of ``table``) and adds the term's score
``weight * tf / (tf + norm)`` to a document. ``table`` holds, per document of all segments,
its score so far and its ``norm`` side by side (float32): one memory read serves both, and
a question's postings touch documents all over the corpus. A document is a candidate once
its score is above 0 (every term it holds adds more than 0); a dead one's score is -inf, so
it never becomes one.

* ``gather``: add to every document the ``mask`` keeps (None: all) and append those that
  were not candidates before to ``found`` after its first ``count``; returns the new count.
* ``add_to_candidates``: add only to the candidates.
* ``reset``: the scores of ``found[:count]`` back to 0.

numpy does each as a few whole-array steps, each a pass over the postings with its own
temporary arrays; compiled, each is one pass (1M passages, ``benchmarks/scale.py
--lexical``: p50 1.49 ms with numpy, 0.52 ms compiled). Both
compute a score as numpy does (``tf + norm`` in float32, the rest in float64) and sum it
in float32, so they agree to the last bit.
"""

from __future__ import annotations

import numpy as np

SCORE, NORM = 0, 1  # the columns of a table


def _gather_numpy(docs, tfs, offset, weight, table, mask, found, count):
    keys = docs + offset if offset else docs
    if mask is not None:
        keep = mask[keys]
        keys, tfs = keys[keep], tfs[keep]
    tf = tfs.astype(np.float32)
    before = table[keys, SCORE]
    new = keys[before == 0]
    found[count : count + len(new)] = new
    # A term's keys are distinct, so one scatter adds every score.
    table[keys, SCORE] = before + np.float64(weight) * tf / (tf + table[keys, NORM])
    return count + len(new)


def _add_numpy(docs, tfs, offset, weight, table):
    keys = docs + offset if offset else docs
    candidate = table[keys, SCORE] > 0
    keys, tf = keys[candidate], tfs[candidate].astype(np.float32)
    table[keys, SCORE] += np.float64(weight) * tf / (tf + table[keys, NORM])


def _compiled():
    """The numba versions, or None when numba is not installed."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=True, nogil=True)
    def score(weight, tf, norm):
        return weight * np.float64(tf) / np.float64(np.float32(tf) + norm)

    @numba.njit(cache=True, nogil=True)
    def gather(docs, tfs, offset, weight, table, mask, masked, found, count):
        for j in range(len(docs)):
            d = np.int64(docs[j]) + offset
            if masked and not mask[d]:
                continue
            if table[d, SCORE] == 0:
                found[count] = d
                count += 1
            table[d, SCORE] += score(weight, tfs[j], table[d, NORM])
        return count

    @numba.njit(cache=True, nogil=True)
    def add(docs, tfs, offset, weight, table):
        for j in range(len(docs)):
            d = np.int64(docs[j]) + offset
            if table[d, SCORE] > 0:
                table[d, SCORE] += score(weight, tfs[j], table[d, NORM])

    @numba.njit(cache=True, nogil=True)
    def reset(table, found, count):
        for j in range(count):
            table[found[j], SCORE] = 0

    return gather, add, reset


_KERNELS = _compiled()
_NO_MASK = np.zeros(0, bool)

COMPILED = _KERNELS is not None


def gather(
    docs: np.ndarray,
    tfs: np.ndarray,
    offset: int,
    weight: float,
    table: np.ndarray,
    mask: np.ndarray | None,
    found: np.ndarray,
    count: int,
) -> int:
    """Add the term's score to each document ``mask`` keeps; the new candidates go to
    ``found`` after ``count``; returns the new count."""
    if _KERNELS is None:
        return _gather_numpy(docs, tfs, offset, weight, table, mask, found, count)
    masked = mask is not None
    mask = mask if masked else _NO_MASK
    return _KERNELS[0](docs, tfs, int(offset), float(weight), table, mask, masked, found, count)


def add_to_candidates(
    docs: np.ndarray, tfs: np.ndarray, offset: int, weight: float, table: np.ndarray
) -> None:
    """Add the term's score to the candidates among its documents."""
    if _KERNELS is None:
        _add_numpy(docs, tfs, offset, weight, table)
    else:
        _KERNELS[1](docs, tfs, int(offset), float(weight), table)


def reset(table: np.ndarray, found: np.ndarray, count: int) -> None:
    """The scores of the candidates ``found[:count]`` back to 0."""
    if _KERNELS is None:
        table[found[:count], SCORE] = 0
    else:
        _KERNELS[2](table, found, int(count))


def warm_up() -> None:
    """Compile the loops now (or load them from numba's cache): a server calls this at start
    so that no visitor's first question waits for it. Postings are read-only when memory
    mapped from disk and writable when just built; numba compiles each kind apart."""
    if _KERNELS is None:
        return
    for writable in (False, True):
        docs, tfs = np.zeros(1, np.int32), np.ones(1, np.uint16)
        docs.setflags(write=writable)
        tfs.setflags(write=writable)
        table, found = np.zeros((1, 2), np.float32), np.zeros(1, np.int64)
        count = gather(docs, tfs, 0, 1.0, table, None, found, 0)
        add_to_candidates(docs, tfs, 0, 1.0, table)
        reset(table, found, count)
