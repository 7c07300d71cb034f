"""Bounded load test of the web chat: concurrent gradio_client users against ``askseeds serve``.

Starts ``askseeds serve`` on a free loopback port (or uses ``--url``/``--pid`` of a running
one). ``--clients`` users (default 50, each a gradio_client ``Client``, or with ``--client http``
one speaking Gradio's HTTP API, or with ``--client json`` one that asks ``/ask`` through
askseeds' own JSON route, ``POST /api/ask``; each its own Gradio session, kept for the whole
run) then:

1. warm-up: ``--warmup`` questions (default 200), so the model, tokenizer caches, Gradio's
   queue and the users' sessions have made their first-use allocations;
2. load: ``--questions`` questions (default 1,000), alternating ``/ask`` and ``/chat``;
   reports errors, p50/p95/p99 latency and throughput;
3. soak: more questions until ``--memory-questions`` (default 2,000, counting the load run)
   have been asked since the warm-up;
4. sessions: ``--new-sessions`` new users (default 200) ask one question each, which prices
   what Gradio keeps per session (bounded by ``state_session_capacity``);
5. model CPU: the server (started through ``serve_timed``) counts the CPU of its model calls
   as they run, read before and after the load round: the bound the issue compares
   questions/s with is cores / that per question. Once the server has stopped, the load
   round's questions are also asked again in this process, one at a time, and the models
   timed alone (``model_cpu``; ``--no-model-cpu`` skips it);
6. ``--gradio-floor``: the load round again against a Gradio app that does nothing,
   the same users and queue settings: Gradio's own CPU per request; with
   ``--gradio-floor-wait MS`` its replies take that long each, one at a time and without CPU,
   so the users queue as they do for askseeds (Gradio's cost under a backlog).

Memory is the server process's resident set size, ``VmRSS`` in ``/proc/<pid>/status``, read
after the warm-up and after the soak (each the median of 5 readings 0.2 s apart, once the
server is idle), with its anonymous (``RssAnon``) and file-backed (``RssFile``) parts.
Questions are drawn (seeded) from eval/seeds_questions.jsonl plus bad ones (empty, emoji,
10,000 characters, markup, control characters, other scripts). A bad question
rejected with its clear message is a correct reply, not an error; an error is a timeout, a
transport failure, a generic "something went wrong", or a reply of the wrong shape.

Loopback only, a fixed number of requests, and it stops by itself.

Usage: python benchmarks/load.py [--clients 50] [--questions 1000] [--memory-questions 2000]
                                 [--json out.json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

for _k, _v in {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_PROXY": "127.0.0.1,localhost",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_k, _v)

import httpx
from gradio_client import Client

ROOT = Path(__file__).resolve().parent.parent
GENERIC_ERROR = "something went wrong"
REJECTED = "Please type a question"
BAD_QUESTIONS = [
    "",
    "   \t\n",
    "?!?...",
    "😀🎉👍🏽",
    "\x00\x07\x1b[31m Who is the mayor of Tacoma?",
    "Who is the mayor of Tacoma? " + "sister city " * 830,  # ~10,000 characters
    "<script>alert(1)</script><img src=x onerror=alert(2)> Where was the seventh conference held?",
    "[x](javascript:alert(1)) **What** was the theme of the fifth conference?",
    "中美友好城市大会在哪里举行？",
    "أين عقد المؤتمر السابع للمدن الشقيقة؟",
]


def eval_questions(path: Path) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                out.append(item.get("question") or item["turns"][-1])
    return out


def draw(pool: list[str], bad: list[str], n: int, seed: int) -> list[str]:
    """``n`` questions, about one in ten a bad one."""
    rnd = random.Random(seed)
    return [rnd.choice(bad) if rnd.random() < 0.1 else rnd.choice(pool) for _ in range(n)]


@dataclass
class Round:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rejected: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        done = len(lat)
        return {
            "requests": done + len(self.errors),
            "errors": len(self.errors),
            "rejected_bad_questions": self.rejected,
            "p50_ms": round(_pct(lat, 50) * 1000, 1) if lat else None,
            "p95_ms": round(_pct(lat, 95) * 1000, 1) if lat else None,
            "p99_ms": round(_pct(lat, 99) * 1000, 1) if lat else None,
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
            "seconds": round(self.seconds, 2),
            "throughput_qps": round(done / self.seconds, 2) if self.seconds else None,
            "error_samples": self.errors[:5],
        }


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def _check(endpoint: str, result) -> str | None:
    """None when ``result`` is a correct reply from ``endpoint``, else what is wrong with it."""
    if isinstance(result, Exception):
        text = str(result)
        if REJECTED in text:
            return None
        return f"{endpoint}: {type(result).__name__}: {text[:200]}"
    if endpoint == "/ask":
        if not isinstance(result, dict) or not result.get("answer"):
            return f"/ask: unexpected reply {str(result)[:200]}"
        return None
    if not isinstance(result, tuple | list) or len(result) < 2:
        return f"/chat: unexpected reply {str(result)[:200]}"
    bubble = str(result[0])
    if GENERIC_ERROR in bubble:
        return f"/chat: {bubble[:200]}"
    if REJECTED in bubble or "[1]" in bubble or "Not found in the documents" in bubble:
        return None
    return f"/chat: unexpected bubble {bubble[:200]}"


class _Connection:
    """One kept-alive HTTP/1.1 connection, as a browser holds one: the standard library's
    ``http.client``, a fraction of httpx's CPU a request, so the cores go to the server."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def open(self, method: str, path: str, body: bytes | None, timeout: float):
        """The response to one request (read it whole before the next); reconnects once
        where the server has closed the kept connection."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            try:
                self.conn.timeout = timeout
                if self.conn.sock is not None:
                    self.conn.sock.settimeout(timeout)
                self.conn.request(method, path, body, headers)
                return self.conn.getresponse()
            except (http.client.HTTPException, ConnectionResetError, BrokenPipeError):
                self.reset()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def reset(self) -> None:
        """Drop the connection (after a failure its state is unknown); the next request opens
        another."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def json(self, method: str, path: str, payload, timeout: float) -> tuple[int, object]:
        # ASCII escapes, so a question with a lone surrogate is sent as a program would.
        body = None if payload is None else json.dumps(payload).encode("ascii")
        response = self.open(method, path, body, timeout)
        return response.status, json.loads(response.read())


class HttpUser:
    """A user speaking Gradio's HTTP API itself: POST a call with its own session, then read
    the call's event stream. The same queue, sessions and endpoints as a gradio_client
    ``Client``, at a fraction of its CPU, so the machine's cores go to the server."""

    def __init__(self, url: str, defaults: dict[str, list]) -> None:
        self.http = _Connection(url)
        self.session = uuid.uuid4().hex
        self.defaults = defaults  # per endpoint, the values of the inputs after the question

    def call(self, endpoint: str, question: str, timeout: float):
        """The endpoint's reply as gradio_client gives it; raises with the message of an error."""
        try:
            return self._call(endpoint, question, timeout)
        except (OSError, http.client.HTTPException):
            self.http.reset()
            raise

    def _call(self, endpoint: str, question: str, timeout: float):
        name = endpoint.strip("/")
        body = {"data": [question, *self.defaults[name]], "session_hash": self.session}
        status, posted = self.http.json("POST", f"/gradio_api/call/{name}", body, timeout)
        if status != 200:
            raise RuntimeError(f"{endpoint}: HTTP {status}: {str(posted)[:200]}")
        event_id = posted["event_id"]  # type: ignore[index]
        event = data = None
        stream = self.http.open("GET", f"/gradio_api/call/{name}/{event_id}", None, timeout)
        # Read to the stream's end, which follows the reply at once: a response left unread
        # closes its connection, and the server would accept a new one for the next question,
        # where a browser keeps its connection.
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event in ("complete", "error") and not data:
                data = (event, json.loads(line.removeprefix("data:")))
        if data is None:
            raise RuntimeError(f"{endpoint}: the event stream ended without a reply")
        event, reply = data
        if event == "error":
            raise RuntimeError(json.dumps(reply))
        return reply[0] if len(reply) == 1 else tuple(reply)


class JsonUser(HttpUser):
    """An ``HttpUser`` whose ``/ask`` is askseeds' own JSON route, ``POST /api/ask`` (one
    request, one reply), as a program calls it; its ``/chat`` is the page's, as before."""

    def _call(self, endpoint: str, question: str, timeout: float):
        if endpoint != "/ask":
            return super()._call(endpoint, question, timeout)
        status, data = self.http.json("POST", "/api/ask", {"question": question}, timeout)
        if status != 200:
            error = data.get("error", data) if isinstance(data, dict) else data
            raise RuntimeError(f"{status}: {error}")
        return data


class GradioUser:
    """A user as a gradio_client ``Client``: its own Gradio session, its own threads."""

    def __init__(self, url: str) -> None:
        self.client = Client(url, verbose=False)

    def call(self, endpoint: str, question: str, timeout: float):
        """The endpoint's reply; raises with the message of an error."""
        if endpoint == "/ask":
            job = self.client.submit(question, api_name="/ask")
        else:
            job = self.client.submit(message=question, api_name="/chat")
        return job.result(timeout=timeout)


def endpoint_defaults(url: str) -> dict[str, list]:
    """Each named endpoint's default values for its inputs after the first, from its API info."""
    info = httpx.get(url + "/gradio_api/info", timeout=30).json()["named_endpoints"]
    return {
        name.strip("/"): [p.get("parameter_default") for p in e["parameters"][1:]]
        for name, e in info.items()
    }


def connect(url: str, n: int, kind: str = "gradio") -> list[GradioUser | HttpUser]:
    """``n`` users, each its own Gradio session (as ``n`` users would be): ``GradioUser``s, or
    ``HttpUser``s for ``kind="http"``, ``JsonUser``s for ``kind="json"``."""
    clients: list[GradioUser | HttpUser | None] = [None] * n
    failures: list[str] = []
    defaults = endpoint_defaults(url) if kind != "gradio" else {}
    user = {"http": HttpUser, "json": JsonUser}.get(kind)

    def one(i: int) -> None:
        try:
            clients[i] = user(url, defaults) if user else GradioUser(url)
        except Exception as exc:  # noqa: BLE001 (reported below, once)
            failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    missing = clients.count(None)
    if missing:
        raise SystemExit(f"{missing} of {n} clients could not connect to {url}: {failures[0]}")
    return clients  # type: ignore[return-value]


def run_round(
    name: str,
    questions: list[str],
    clients: list[GradioUser | HttpUser],
    timeout: float,
    check: Callable[[str, object], str | None] | None = None,
) -> Round:
    """Ask every question once, spread over the clients, one thread per client; ``check``
    says what is wrong with a reply (default: ``_check``, the chat's replies)."""
    check = check or _check
    result = Round(name)
    lock = threading.Lock()
    next_index = iter(range(len(questions)))

    def worker(client: GradioUser | HttpUser) -> None:
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            question = questions[i]
            endpoint = "/ask" if i % 2 == 0 else "/chat"
            start = time.perf_counter()
            try:
                reply = client.call(endpoint, question, timeout)
            except Exception as exc:  # noqa: BLE001 (classified below)
                reply = exc
            elapsed = time.perf_counter() - start
            problem = check(endpoint, reply)
            with lock:
                if problem:
                    result.errors.append(problem)
                else:
                    result.latencies.append(elapsed)
                    if isinstance(reply, Exception) or REJECTED in str(reply):
                        result.rejected += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    s = result.summary()
    print(
        f"  {name}: {s['requests']} requests, {s['errors']} errors, {s['throughput_qps']} q/s",
        file=sys.stderr,
        flush=True,
    )
    return result


def session_cost(
    url: str, pid: int, n: int, pool: list[str], timeout: float, kind: str = "gradio"
) -> dict:
    """RSS added by ``n`` new users (Gradio sessions) asking one question each."""
    before = settled_rss(pid)
    errors = 0
    for start in range(0, n, 50):
        batch = connect(url, min(50, n - start), kind)
        questions = draw(pool, pool, len(batch), start)
        errors += len(run_round("sessions", questions, batch, timeout).errors)
    after = settled_rss(pid)
    return {
        "new_sessions": n,
        "errors": errors,
        "rss_before_mib": _mib(before),
        "rss_after_mib": _mib(after),
        "kib_per_session": round((after - before) / n, 1),
    }


def memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` and its parts ``RssAnon`` (heap) and ``RssFile`` (mapped files) in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(":", 1)[0]
        if key in ("VmRSS", "RssAnon", "RssFile"):
            found[key] = int(line.split()[1])
    if "VmRSS" not in found:
        raise RuntimeError(f"no VmRSS for pid {pid}")
    return found


def settled_memory(pid: int) -> dict[str, int]:
    """Medians of 5 readings 0.2 s apart (the server is idle between rounds)."""
    readings = []
    for _ in range(5):
        time.sleep(0.2)
        readings.append(memory_kib(pid))
    return {k: int(statistics.median(r.get(k, 0) for r in readings)) for k in readings[0]}


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU seconds process ``pid`` has used (all its threads, or thread ``tid``)."""
    stat = Path(f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_threads_cpu() -> dict[str, float]:
    """CPU seconds so far of this process's threads that answer (``ask``: the chat's ask
    threads, models included) and encode questions (``encode``: the question batcher's)."""
    from askseeds.embed.encoder import QUERY_THREAD
    from askseeds.web.chat import ASK_THREAD_PREFIX

    spent = {"ask": 0.0, "encode": 0.0}
    for thread in threading.enumerate():
        part = (
            "ask"
            if thread.name.startswith(ASK_THREAD_PREFIX)
            else "encode"
            if thread.name == QUERY_THREAD
            else None
        )
        if part and thread.native_id is not None:
            try:
                spent[part] += cpu_seconds(os.getpid(), thread.native_id)
            except OSError:
                pass  # ended since enumerate()
    return spent


def settled_rss(pid: int) -> int:
    return settled_memory(pid)["VmRSS"]


_SPENT = threading.Lock()


def clocked(fn: Callable, spent: dict[str, float], part: str, clock: Callable[[], float]):
    """``fn``, adding what ``clock`` says each call took to ``spent[part]``."""

    def run(*args, **kwargs):
        t = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            with _SPENT:
                spent[part] += clock() - t

    return run


def model_cpu(docs: str, index_dir: Path, questions: list[str]) -> dict:
    """CPU milliseconds per question of the models alone: ``questions`` asked again in this
    process, one at a time with the machine otherwise idle, the question encoder's and the
    reader's calls timed apart (settings from ``ASKSEEDS_*`` as the server read them).

    Asked without a chat history: a follow-up the server encoded twice (alone and with
    its history) counts once, so this errs low, and the bound it gives errs high.
    """
    from askseeds import Assistant
    from askseeds.config import Settings
    from askseeds.errors import AskseedsError
    from askseeds.workload import working

    bot = Assistant.from_folder(
        docs, index_dir=index_dir, settings=Settings.from_env(), progress=False
    )
    spent = {"encode": 0.0, "reader": 0.0}
    bot.embedder.encode_queries = clocked(
        bot.embedder.encode_queries, spent, "encode", time.process_time
    )
    if bot.answerer.reader is not None:
        bot.answerer.reader.score = clocked(
            bot.answerer.reader.score, spent, "reader", time.process_time
        )
    # Counted in as work in flight, so each ask() below has company and reads on one thread
    # as under load: a read alone on two threads costs more CPU for less wall time.
    with working():
        for q in questions[:20]:  # first-use costs (preparing the encoder) are the server's warm-up
            try:
                bot.ask(q)
            except AskseedsError:
                pass
        spent.update(encode=0.0, reader=0.0)
        for q in questions:
            try:
                bot.ask(q)
            except AskseedsError:
                pass  # rejected before any model runs, in the server as here
    return {part: round(1000 * cpu / len(questions), 2) for part, cpu in spent.items()}


MODEL_CLOCK = "model CPU so far:"  # the line a timed server prints on SIGUSR1
WIDE = "reads_on_two_threads"


def serve_timed(argv: list[str]) -> None:
    """``askseeds serve argv`` with the CPU of every model call counted, per thread
    (``time.thread_time``: the question encoder on its batcher's thread, the reader's
    onnxruntime session on one thread, the caller's); SIGUSR1 prints the totals.

    This is how the issue's "server's model CPU-seconds per question, same run" is read:
    the same server, its model calls timed as they run under the load.
    """
    from askseeds.answer import reader as reader_module
    from askseeds.cli import main as cli_main
    from askseeds.embed.encoder import Embedder

    spent = {"encode": 0.0, "reader": 0.0}
    Embedder.encode_queries = clocked(Embedder.encode_queries, spent, "encode", time.thread_time)
    for cls in (reader_module.OnnxReader, reader_module.SentenceTransformersReader):
        cls.score = clocked(cls.score, spent, "reader", time.thread_time)

    def report(*_):
        # Reads on the reader's two-thread session, whose second thread thread_time misses:
        # a question alone gets it, which under load should be next to none.
        wide = sum(getattr(r, "wide_reads", 0) for r in reader_module._LOADED.values() if r)
        with _SPENT:
            now = {**spent, WIDE: wide, "threads": own_threads_cpu()}
            print(f"{MODEL_CLOCK} {json.dumps(now)}", flush=True)

    signal.signal(signal.SIGUSR1, report)
    raise SystemExit(cli_main(["serve", *argv]))


def read_model_clock(proc: subprocess.Popen, log_path: Path, timeout: float = 30) -> dict:
    """The timed server's model CPU totals now (SIGUSR1, then its next clock line)."""
    seen = log_path.read_text(errors="replace").count(MODEL_CLOCK)
    proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [x for x in log_path.read_text(errors="replace").splitlines() if MODEL_CLOCK in x]
        if len(lines) > seen:
            return json.loads(lines[-1].split(MODEL_CLOCK, 1)[1])
        time.sleep(0.05)
    raise SystemExit(f"the server printed no model clock within {timeout}s; see {log_path}")


def _noop_reply(endpoint: str, reply) -> str | None:
    return f"{endpoint}: {reply}" if isinstance(reply, Exception) else None


def serve_noop(port: int, wait: float = 0.0) -> None:
    """A Gradio app whose /ask and /chat return a fixed reply: Gradio's own cost per request.

    With ``wait``, each reply takes that many seconds, one at a time and without CPU, so users
    queue as they do for a server whose answers take that long.
    """
    import gradio as gr

    from askseeds.web.chat import QUEUE_CONCURRENCY, QUEUE_MAX_SIZE

    one_at_a_time = threading.Lock()

    def ask(question: str) -> str:
        if wait:
            with one_at_a_time:
                time.sleep(wait)
        return "An answer [1]."

    def chat(message: str) -> str:  # named as the chat's input, for gradio_client users
        return ask(message)

    with gr.Blocks() as demo:
        box, reply = gr.Textbox(), gr.Textbox()
        box.submit(ask, box, reply, api_name="ask")
        box.change(chat, box, reply, api_name="chat")
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    demo.launch(server_name="127.0.0.1", server_port=port, quiet=True)


def gradio_floor(
    clients: int, questions: list[str], timeout: float, kind: str, wait: float = 0.0
) -> dict:
    """Server CPU per request of ``serve_noop`` under the same users and questions."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-noop", str(port), "--noop-wait", str(wait)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, proc, 120)
        users = connect(url, clients, kind)
        run_round("noop warm-up", questions[:200], users, timeout, _noop_reply)
        cpu = cpu_seconds(proc.pid)
        r = run_round("noop load", questions, users, timeout, _noop_reply)
        cpu = cpu_seconds(proc.pid) - cpu
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return {
        "reply_wait_ms": round(1000 * wait, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / len(questions), 2),
        "throughput_qps": r.summary()["throughput_qps"],
        "errors": len(r.errors),
        "error_samples": r.errors[:3],
    }


def _wait_for(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/gradio_api/info", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"server at {url} did not start within {timeout}s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(docs: str, index_dir: Path, log_path: Path, timeout: float):
    port = _free_port()
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed with the server)
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve-timed",
            "--docs",
            docs,
            "--index-dir",
            str(index_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, proc, timeout)
    except SystemExit as exc:
        raise SystemExit(f"{exc}; see {log_path}") from None
    return proc, log, url


def stop_server(proc: subprocess.Popen, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-timed"]:  # this file as the server start_server launches
        serve_timed(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--questions", type=int, default=1000, help="questions in the load run")
    ap.add_argument(
        "--memory-questions",
        type=int,
        default=2000,
        help="questions between the two memory readings (0: skip the soak)",
    )
    ap.add_argument("--warmup", type=int, default=200, help="questions before the first reading")
    ap.add_argument("--docs", default=str(ROOT / "seeds"))
    ap.add_argument("--index-dir", help="default: a temporary folder")
    ap.add_argument("--questions-file", default=str(ROOT / "eval" / "seeds_questions.jsonl"))
    ap.add_argument("--url", help="use a running server on loopback instead of starting one")
    ap.add_argument("--pid", type=int, help="the running server's pid, for its memory")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per request")
    ap.add_argument(
        "--new-sessions",
        type=int,
        default=200,
        help="then this many new users ask one question each, to price a session (0: skip)",
    )
    ap.add_argument("--solo", type=int, default=30, help="questions from one user alone")
    ap.add_argument(
        "--client",
        choices=("gradio", "http", "json"),
        default="gradio",
        help="users as gradio_client Clients, or speaking Gradio's HTTP API directly (lighter); "
        "json: as http, but /ask is askseeds' own JSON route, POST /api/ask",
    )
    ap.add_argument(
        "--no-model-cpu",
        action="store_true",
        help="skip asking the load round's questions again to time the models' CPU alone",
    )
    ap.add_argument(
        "--gradio-floor",
        action="store_true",
        help="also run the load round against a Gradio app that does nothing (Gradio's own CPU)",
    )
    ap.add_argument(
        "--gradio-floor-wait",
        type=float,
        default=0.0,
        metavar="MS",
        help="the no-op app's replies take this long each, one at a time (users queue)",
    )
    ap.add_argument("--serve-noop", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--noop-wait", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    if args.serve_noop:
        serve_noop(args.serve_noop, args.noop_wait)
        raise SystemExit(0)

    tmp = Path(tempfile.mkdtemp(prefix="askseeds-load-"))
    index_dir = Path(args.index_dir) if args.index_dir else tmp / "index"
    models = floor = None
    proc = log = None
    try:
        if args.url:
            if not args.url.startswith(("http://127.0.0.1", "http://localhost")):
                raise SystemExit("--url must be a loopback address")
            url, pid = args.url, args.pid
        else:
            proc, log, url = start_server(args.docs, index_dir, tmp / "serve.log", 300)
            pid = proc.pid
        pool = eval_questions(Path(args.questions_file))
        load_before = os.getloadavg()
        clients = connect(url, args.clients, args.client)
        warm = run_round(
            "warmup", draw(pool, BAD_QUESTIONS, args.warmup, args.seed), clients, args.timeout
        )
        # One user alone: the service time, without the queueing that 50 users add.
        solo = run_round(
            "solo", draw(pool, BAD_QUESTIONS, args.solo, args.seed + 3), clients[:1], args.timeout
        )
        mem_before = settled_memory(pid) if pid else {}
        rss_before = mem_before.get("VmRSS")
        clock = read_model_clock(proc, tmp / "serve.log") if proc else None
        server_cpu, client_cpu = cpu_seconds(pid) if pid else 0.0, sum(os.times()[:2])
        asked_in_load = draw(pool, BAD_QUESTIONS, args.questions, args.seed + 1)
        load = run_round("load", asked_in_load, clients, args.timeout)
        server_cpu = cpu_seconds(pid) - server_cpu if pid else None
        client_cpu = sum(os.times()[:2]) - client_cpu
        if proc:
            after = read_model_clock(proc, tmp / "serve.log")
            in_run = {
                k: round(1000 * (after[k] - clock[k]) / args.questions, 2)
                for k in ("encode", "reader")
            }
            in_run[WIDE] = after[WIDE] - clock[WIDE]
            # Where the server's CPU went: its ask threads (the reader's work and ask()'s own
            # Python), the question encoder's thread, and the rest (Gradio: its event loop and
            # worker threads). The ask threads live as long as the server, so their readings
            # hold across the round.
            threads = {
                k: round(1000 * (after["threads"][k] - clock["threads"][k]) / args.questions, 2)
                for k in ("ask", "encode")
            }
            threads["rest"] = round(
                1000 * server_cpu / args.questions - threads["ask"] - threads["encode"], 2
            )
            in_run["threads"] = threads
        else:
            in_run = None
        soak = None
        if args.memory_questions > args.questions:
            rest = draw(pool, BAD_QUESTIONS, args.memory_questions - args.questions, args.seed + 2)
            soak = run_round("soak", rest, clients, args.timeout)
        mem_after = settled_memory(pid) if pid else {}
        rss_after = mem_after.get("VmRSS")
        sessions = None
        if args.new_sessions and pid:
            sessions = session_cost(url, pid, args.new_sessions, pool, args.timeout, args.client)
        load_after = os.getloadavg()
        server_log = (tmp / "serve.log").read_text(errors="replace") if proc else ""
        if proc is not None:
            stop_server(proc, log)
            proc = None
        if not args.no_model_cpu and (index_dir / "manifest.json").exists():
            models = model_cpu(args.docs, index_dir, asked_in_load)
        if args.gradio_floor:
            floor = gradio_floor(
                args.clients,
                asked_in_load,
                args.timeout,
                "http" if args.client == "json" else args.client,  # it has no /api/ask
                args.gradio_floor_wait / 1000,
            )
    finally:
        if proc is not None:
            stop_server(proc, log)
        shutil.rmtree(tmp, ignore_errors=True)

    asked = args.questions + (soak.summary()["requests"] if soak else 0)
    report = {
        "clients": args.clients,
        "client": args.client,
        "cores": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "warmup": warm.summary(),
        "solo": solo.summary(),
        "load": load.summary(),
        # CPU seconds per question of the load round: unlike questions/s, this holds still
        # when other processes share the cores. 2 cores / (server + clients) bounds q/s.
        "cpu_ms_per_question": {
            "server": round(1000 * server_cpu / args.questions, 2) if server_cpu else None,
            "clients": round(1000 * client_cpu / args.questions, 2),
        },
        # The models' CPU per question in the server during the load round (serve_timed): with
        # 2 cores, 2 / its sum is what the server could answer were the models all it ran.
        "model_cpu_ms_per_question_in_load": in_run,
        # ... and of the same questions asked again alone, one at a time (model_cpu).
        "model_cpu_ms_per_question": models,
        "gradio_noop": floor,
        "soak": soak.summary() if soak else None,
        "memory": {
            "questions_between_readings": asked,
            "rss_before_mib": _mib(rss_before),
            "rss_after_mib": _mib(rss_after),
            "growth_percent": round(100 * (rss_after - rss_before) / rss_before, 2)
            if rss_before and rss_after
            else None,
            # Where RSS went: anonymous memory (heaps) or pages of mapped files (libraries,
            # mmap'd index files), which grow as pages are first touched and are no leak.
            "rss_anon_before_mib": _mib(mem_before.get("RssAnon")),
            "rss_anon_after_mib": _mib(mem_after.get("RssAnon")),
            "rss_file_before_mib": _mib(mem_before.get("RssFile")),
            "rss_file_after_mib": _mib(mem_after.get("RssFile")),
            "how": "VmRSS (= RssAnon + RssFile + RssShmem) of the server pid from "
            "/proc/<pid>/status, median of 5 idle readings, after warm-up and after the soak",
        },
        "sessions": sessions,
        "errors_total": len(warm.errors)
        + len(load.errors)
        + len(solo.errors)
        + (len(soak.errors) if soak else 0)
        + (sessions["errors"] if sessions else 0),
        "server_tracebacks": server_log.count("Traceback"),
    }
    _print(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def _mib(kib: int | None) -> float | None:
    return round(kib / 1024, 1) if kib is not None else None


def _print(r: dict) -> None:
    print(
        f"clients {r['clients']} ({r['client']}) on {r['cores']} cores; load average before "
        f"{r['load_average_before']}, after {r['load_average_after']}"
    )
    print(
        f"{'round':<8}{'requests':>9}{'errors':>8}{'rejected':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'q/s':>8}"
    )
    for name in ("warmup", "solo", "load", "soak"):
        s = r[name]
        if s:
            print(
                f"{name:<8}{s['requests']:>9}{s['errors']:>8}{s['rejected_bad_questions']:>9}"
                f"{s['p50_ms']!s:>9}{s['p95_ms']!s:>9}{s['p99_ms']!s:>9}"
                f"{s['throughput_qps']!s:>8}"
            )
            for sample in s["error_samples"]:
                print(f"    error: {sample}")
    c = r["cpu_ms_per_question"]
    if c["server"]:
        bound = (r["cores"] or 1) * 1000 / (c["server"] + c["clients"])
        print(
            f"load round CPU per question: server {c['server']} ms, clients {c['clients']} ms "
            f"(compute bound on {r['cores']} cores: {bound:.1f} q/s)"
        )
    for key, how in (
        ("model_cpu_ms_per_question_in_load", "in the server during the load round"),
        ("model_cpu_ms_per_question", "asked again alone"),
    ):
        models = r[key]
        if models and models["encode"] + models["reader"] > 0:
            bound = (r["cores"] or 1) * 1000 / (models["encode"] + models["reader"])
            print(
                f"model CPU per question {how} (encode {models['encode']} + reader "
                f"{models['reader']} ms): bound {bound:.1f} q/s; load q/s / bound "
                f"{r['load']['throughput_qps'] / bound:.2f}"
            )
    if r["model_cpu_ms_per_question_in_load"]:
        in_load = r["model_cpu_ms_per_question_in_load"]
        t = in_load["threads"]
        print(
            f"server CPU per question in the load round by thread: ask threads {t['ask']} ms "
            f"(of which the reader {in_load['reader']}), question encoder {t['encode']} ms "
            f"(of which encoding {in_load['encode']}), Gradio and the rest {t['rest']} ms"
        )
        print(
            f"reader reads on two threads in the load round (a question alone): "
            f"{in_load[WIDE]} of {r['load']['requests']} questions"
        )
    if r["gradio_noop"]:
        g = r["gradio_noop"]
        print(
            f"a Gradio app doing nothing (replies taking {g['reply_wait_ms']} ms each), same "
            f"users: server CPU {g['server_cpu_ms_per_request']} ms per request, "
            f"{g['throughput_qps']} q/s, {g['errors']} errors"
        )
    m = r["memory"]
    print(
        f"server RSS {m['rss_before_mib']} MiB -> {m['rss_after_mib']} MiB over "
        f"{m['questions_between_readings']} questions ({m['growth_percent']}%); "
        f"anon {m['rss_anon_before_mib']} -> {m['rss_anon_after_mib']} MiB, "
        f"file-backed {m['rss_file_before_mib']} -> {m['rss_file_after_mib']} MiB"
    )
    if r["sessions"]:
        s = r["sessions"]
        print(
            f"{s['new_sessions']} new users (sessions), one question each: RSS "
            f"{s['rss_before_mib']} -> {s['rss_after_mib']} MiB, {s['kib_per_session']} KiB each"
        )
    print(f"errors total {r['errors_total']}; server tracebacks {r['server_tracebacks']}")


if __name__ == "__main__":
    report = main()
    sys.exit(1 if report["errors_total"] else 0)
