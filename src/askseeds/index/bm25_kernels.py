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
* ``take_top``: the best ``n`` of ``found[:count]`` with their scores, and every one of
  their scores back to 0 (ready for the next search), in one pass.
* ``n_above``: whether ``n`` of the candidates score above a bound.
* ``find_keys``: where a question's term keys are among a segment's (one call for all).

numpy does each as a few whole-array steps, each a pass over the postings with its own
temporary arrays; compiled, each is one pass (1M passages, ``benchmarks/scale.py
--lexical``: p50 1.49 ms with numpy, 0.52 ms compiled). Scores are float32 throughout,
as bm25s keeps them: a float64 division per posting cost a quarter of the compiled
loop's time. Both compute ``weight * tf / (tf + norm)`` in that order with the same
IEEE operations, so they agree to the last bit.
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
    table[keys, SCORE] = before + np.float32(weight) * tf / (tf + table[keys, NORM])
    return count + len(new)


def _add_numpy(docs, tfs, offset, weight, table):
    keys = docs + offset if offset else docs
    candidate = table[keys, SCORE] > 0
    keys, tf = keys[candidate], tfs[candidate].astype(np.float32)
    table[keys, SCORE] += np.float32(weight) * tf / (tf + table[keys, NORM])


def _take_top_numpy(table, found, count, n):
    keys = found[:count].copy()
    scores = table[keys, SCORE]
    table[keys, SCORE] = 0
    if count > n:
        top = np.argpartition(-scores, n - 1)[:n]
        keys, scores = keys[top], scores[top]
    return keys, scores


def _compiled():
    """The numba versions, or None when numba is not installed."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=True, nogil=True)
    def score(weight, tf, norm):
        t = np.float32(tf)
        return weight * t / (t + norm)

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

    @numba.njit(cache=True, nogil=True)
    def take_top(table, found, count, n, keys, scores):
        # A min-heap of the best n so far: most candidates lose to its root at once.
        m = 0
        for j in range(count):
            d = found[j]
            s = table[d, SCORE]
            table[d, SCORE] = 0
            if m < n:
                k = m
                m += 1
                while k > 0 and scores[(k - 1) >> 1] > s:
                    scores[k], keys[k] = scores[(k - 1) >> 1], keys[(k - 1) >> 1]
                    k = (k - 1) >> 1
            elif s > scores[0]:
                k = 0
                while 2 * k + 1 < n:
                    c = 2 * k + 1
                    if c + 1 < n and scores[c + 1] < scores[c]:
                        c += 1
                    if scores[c] >= s:
                        break
                    scores[k], keys[k] = scores[c], keys[c]
                    k = c
            else:
                continue
            scores[k], keys[k] = s, d
        return m

    @numba.njit(cache=True, nogil=True)
    def n_above(table, found, count, n, bound):
        # Stops at the n-th: when the top n are settled, they are usually found early.
        seen = 0
        for j in range(count):
            if table[found[j], SCORE] > bound:
                seen += 1
                if seen >= n:
                    return True
        return False

    @numba.njit(cache=True, nogil=True)
    def find_keys(sorted_keys, keys, out):
        for i in range(len(keys)):
            lo, hi = 0, len(sorted_keys)
            while lo < hi:
                mid = (lo + hi) >> 1
                if sorted_keys[mid] < keys[i]:
                    lo = mid + 1
                else:
                    hi = mid
            out[i] = lo if lo < len(sorted_keys) and sorted_keys[lo] == keys[i] else -1

    return gather, add, reset, take_top, n_above, find_keys


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
    weight = np.float32(weight)
    return _KERNELS[0](docs, tfs, int(offset), weight, table, mask, masked, found, count)


def add_to_candidates(
    docs: np.ndarray, tfs: np.ndarray, offset: int, weight: float, table: np.ndarray
) -> None:
    """Add the term's score to the candidates among its documents."""
    if _KERNELS is None:
        _add_numpy(docs, tfs, offset, weight, table)
    else:
        _KERNELS[1](docs, tfs, int(offset), np.float32(weight), table)


def reset(table: np.ndarray, found: np.ndarray, count: int) -> None:
    """The scores of the candidates ``found[:count]`` back to 0."""
    if _KERNELS is None:
        table[found[:count], SCORE] = 0
    else:
        _KERNELS[2](table, found, int(count))


def take_top(
    table: np.ndarray, found: np.ndarray, count: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The keys and scores of the best ``n`` of ``found[:count]`` (ties at the ``n``-th cut
    arbitrarily), in no order; all their scores are back to 0."""
    if n <= 0 or count == 0:
        reset(table, found, count)
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    if _KERNELS is None:
        return _take_top_numpy(table, found, count, n)
    keys, scores = np.empty(min(n, count), np.int64), np.empty(min(n, count), np.float32)
    m = _KERNELS[3](table, found, int(count), int(n), keys, scores)
    return keys[:m], scores[:m]


def n_above(table: np.ndarray, found: np.ndarray, count: int, n: int, bound: float) -> bool:
    """Whether at least ``n`` of ``found[:count]`` score above ``bound``."""
    if _KERNELS is None:
        return int(np.count_nonzero(table[found[:count], SCORE] > bound)) >= n
    return _KERNELS[4](table, found, int(count), int(n), np.float32(bound))


def find_keys(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Where each of ``keys`` is in ``sorted_keys``; -1 where it is not."""
    if _KERNELS is None:
        at = np.searchsorted(sorted_keys, keys)
        held = at < len(sorted_keys)
        held[held] = sorted_keys[at[held]] == keys[held]
        return np.where(held, at, -1)
    out = np.empty(len(keys), np.int64)
    _KERNELS[5](sorted_keys, keys, out)
    return out


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
        n_above(table, found, count, 1, 0.0)
        # A segment's keys as mapped or built; the question's keys are a new array.
        stored = np.zeros(1, np.uint64)
        stored.setflags(write=writable)
        find_keys(stored, np.zeros(1, np.uint64))
        take_top(table, found, count, 1)
        reset(table, found, count)
