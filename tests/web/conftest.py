"""Real servers for the web tests: ``python app.py`` on seeds/, and on seeds/ plus a hostile file.

Each server is a subprocess with its own temporary index (the first start builds it);
``run_server`` starts others, such as ``askseeds serve`` with its defaults.
pytest-playwright's browser is pointed at Debian's chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from askseeds.config import OFFLINE_ENV

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 180  # seconds: the first start builds the index
# Gradio's words once it listens, and when the port it was given is taken. A free port is
# only known free when asked: another process (a second test run) may take it first, and
# then that process answers on it.
LISTENING = "Running on local URL"
PORT_TAKEN = "Cannot find empty port"
START_TRIES = 3

QUIET_ENV = {**OFFLINE_ENV, "TOKENIZERS_PARALLELISM": "false"}
for _k, _v in QUIET_ENV.items():
    os.environ.setdefault(_k, _v)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A document whose sentences carry markup that must never become live in the page.
EVIL_NAME = "oregon_notes.txt"
EVIL_QUESTION = "Which Chinese province has been the sister state of Oregon since 1984?"
EVIL_TEXT = """Oregon sister state notes

Oregon has been the sister state of Fujian Province since 1984 <script>alert(1)</script> and the two hold yearly trade missions.
The Oregon delegation brought a gift to Fuzhou <img src=x onerror=alert(1)> <svg onload=window.__xss=1> that was admired by everyone.
Read the Oregon partnership charter [x](javascript:alert(1)) for the full list of Fujian exchanges.
"""
# A Markdown note: its markup shows rendered in the answer bubble, its hostile parts still inert.
EVIL_NOTE_NAME = "harbour_lights.md"
EVIL_NOTE_QUESTION = "How far out to sea can the Kessel Point lamp be seen?"
EVIL_NOTE_TEXT = """# Harbour lights

The [[Kessel Point|Kessel Point lamp]] can be seen **24 nautical miles** out to sea \
<img src=x onerror=window.__xss=1> on a clear night, says the \
[harbour log](javascript:window.__xss=1).

Its keeper climbs `112` steps every evening.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``python ARGS... --port N`` on a free loopback port, its output in ``log_path``."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None):
        self.args, self.env, self.log_path = args, env, log_path
        self._start()

    def _start(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 (lives with the server)
        self.proc = subprocess.Popen(
            [sys.executable, *self.args, "--port", str(self.port)],
            cwd=ROOT,
            # Unbuffered: ``wait`` reads the log for Gradio's "listening" line as it is printed.
            env={
                **(os.environ if self.env is None else self.env),
                **QUIET_ENV,
                "PYTHONUNBUFFERED": "1",
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        tries = 1
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if PORT_TAKEN in self.log() and tries < START_TRIES:
                    tries += 1
                    self._log.close()
                    self._start()
                    continue
                pytest.fail(f"server exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            if LISTENING not in self.log():  # whatever answers on the port is not this server yet
                time.sleep(0.5)
                continue
            try:
                if httpx.get(self.url + "/gradio_api/info", timeout=2).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail(f"server did not answer within {START_TIMEOUT}s:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


@contextmanager
def running(args: list[str], log_path: Path, env: dict[str, str] | None = None):
    """A started :class:`Server`, stopped on leaving (also when it failed to start)."""
    server = Server(args, log_path, env)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def run_server():
    """:func:`running`, for test modules (they cannot import conftest)."""
    return running


def _app_py(docs: Path, tmp: Path):
    return running(
        ["app.py", "--host", "127.0.0.1", "--docs", str(docs), "--index-dir", str(tmp / "index")],
        tmp / "app.log",
    )


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    with _app_py(SEEDS, tmp_path_factory.mktemp("seeds-server")) as server:
        yield server


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def evil_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evil-server")
    docs = tmp / "docs"
    shutil.copytree(SEEDS, docs)
    (docs / EVIL_NAME).write_text(EVIL_TEXT, encoding="utf-8")
    (docs / EVIL_NOTE_NAME).write_text(EVIL_NOTE_TEXT, encoding="utf-8")
    with _app_py(docs, tmp) as server:
        yield server


@pytest.fixture(scope="session")
def evil_url(evil_server) -> str:
    return evil_server.url


@pytest.fixture(scope="session")
def evil_question() -> str:
    """A question whose answer quotes the hostile document."""
    return EVIL_QUESTION


@pytest.fixture(scope="session")
def evil_note_question() -> str:
    """A question whose answer quotes the hostile Markdown note."""
    return EVIL_NOTE_QUESTION


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}
