"""How much work this process has in flight, so a model may spread one job over the cores
only while that job is all there is to do (``answer/reader.py``).

``Assistant.ask`` and ``Assistant.refresh`` count themselves in with ``working()``. A job
started outside them (a benchmark calling the reader, a training script) counts as alone
while nothing else is in flight.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_in_flight = 0


@contextmanager
def working() -> Iterator[None]:
    """Counts the enclosed work as in flight."""
    global _in_flight
    with _lock:
        _in_flight += 1
    try:
        yield
    finally:
        with _lock:
            _in_flight -= 1


def alone() -> bool:
    """Whether at most one piece of work (the caller's own) is in flight."""
    return _in_flight <= 1


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
