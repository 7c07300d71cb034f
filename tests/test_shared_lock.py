"""The web chat's lock: questions share the index, an upload has it alone and is not starved."""

from __future__ import annotations

import threading
import time

from askseeds.web.chat import _SharedLock


def test_sharers_hold_it_together_and_one_alone_waits_for_them():
    lock = _SharedLock()
    inside = threading.Barrier(2, timeout=5)
    log: list[str] = []

    def share(name: str) -> None:
        with lock.shared():
            inside.wait()  # both are in at once, or this times out
            time.sleep(0.05)
            log.append(name)

    def alone() -> None:
        time.sleep(0.01)  # arrives while the two share it
        with lock.exclusive():
            log.append("alone")

    threads = [
        threading.Thread(target=f, args=a)
        for f, a in ((share, ("a",)), (share, ("b",)), (alone, ()))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert sorted(log[:2]) == ["a", "b"] and log[2] == "alone"


def test_one_waiting_to_be_alone_goes_before_new_sharers():
    lock = _SharedLock()
    log: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with lock.shared():
            first_in.set()
            time.sleep(0.1)
            log.append("first")

    def alone() -> None:
        with lock.exclusive():
            log.append("alone")

    def late() -> None:
        with lock.shared():
            log.append("late")

    t1 = threading.Thread(target=first)
    t1.start()
    first_in.wait(5)
    t2 = threading.Thread(target=alone)
    t2.start()
    time.sleep(0.02)  # the upload is waiting now
    t3 = threading.Thread(target=late)
    t3.start()
    for t in (t1, t2, t3):
        t.join(5)
    assert log == ["first", "alone", "late"]
