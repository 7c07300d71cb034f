"""Share model batches between threads: many callers, one worker thread, one call per batch.

A model encodes eight questions in one call for far less than eight calls cost (the
weights are read once, the work per call in Python and the runtime is paid once). When
several users ask at the same time, each caller hands its item to a ``MicroBatcher``
and waits; one worker thread takes whatever has queued up (up to ``max_batch``),
runs the function once over all of it and hands each caller its own result.

The worker collects for at most ``max_wait`` seconds, and only while the previous batch
was shared: a lone caller, the common case outside a load peak, never waits for company.
While a batch runs, new arrivals queue, so under load batches form by themselves.

The worker is also the only thread the model runs on, so what the model allocates
stays in one malloc arena however many threads ask (README, "Reliability").
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_STOP = object()


class MicroBatcher(Generic[T, R]):
    """Run ``fn`` over items submitted from many threads, in shared batches on one thread.

    Args:
        fn: maps a list of items to a sequence of as many results, in order.
        max_batch: most items per call of ``fn``.
        max_wait: seconds the worker may wait for more items once it has one.
        max_queue: items waiting at most; ``submit`` blocks beyond it (back-pressure
            instead of unbounded memory).
        name: the worker thread's name.

    Example:
        >>> double = MicroBatcher(lambda xs: [2 * x for x in xs])
        >>> double(21)
        42
    """

    def __init__(
        self,
        fn: Callable[[list[T]], Sequence[R]],
        max_batch: int = 16,
        max_wait: float = 0.002,
        max_queue: int = 1024,
        name: str = "askseeds-batch",
    ) -> None:
        if max_batch < 1 or max_wait < 0 or max_queue < 1:
            raise ValueError("max_batch and max_queue must be >= 1 and max_wait >= 0")
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.name = name
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._start_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._closed = False
        self._last_size = 0
        self.batches = 0  # calls of fn so far
        self.items = 0  # items through fn so far

    def __call__(self, item: T, timeout: float | None = None) -> R:
        """``fn([item])[0]``, computed in a batch shared with other callers."""
        return self.submit(item).result(timeout)

    def submit(self, item: T) -> Future[R]:
        """Queue ``item``; the future holds its result (or the exception ``fn`` raised)."""
        if self._closed:
            raise RuntimeError(f"{self.name} is closed")
        self._ensure_worker()
        future: Future[R] = Future()
        self._queue.put((item, future))
        return future

    def close(self, timeout: float | None = 10) -> None:
        """Finish what is queued, then stop the worker."""
        with self._start_lock:
            self._closed = True
            worker = self._worker
        if worker is not None:
            self._queue.put(_STOP)
            worker.join(timeout)

    @property
    def mean_batch(self) -> float:
        return self.items / self.batches if self.batches else 0.0

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        with self._start_lock:
            if self._worker is None and not self._closed:
                self._worker = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._worker.start()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = self._collect(batch)
            self._call(batch)

    def _collect(self, batch: list) -> bool:
        """Add queued items to ``batch``; True when the stop marker was met."""
        wait = self.max_wait if self._last_size > 1 else 0.0
        deadline = time.monotonic() + wait
        while len(batch) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = (
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if item is _STOP:
                return True
            batch.append(item)
        return False

    def _call(self, batch: list) -> None:
        items = [item for item, _ in batch]
        self._last_size = len(items)
        try:
            results = list(self.fn(items))
            if len(results) != len(items):
                raise RuntimeError(f"{self.name}: {len(items)} items gave {len(results)} results")
        except Exception as exc:  # noqa: BLE001 - every caller gets the error, none hangs
            for _, future in batch:
                future.set_exception(exc)
            return
        self.batches += 1
        self.items += len(items)
        for (_, future), result in zip(batch, results):
            future.set_result(result)
