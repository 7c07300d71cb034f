"""Serving safely: no file outside the corpus is ever served, loopback by default, a warning
when bound to all interfaces. Against a real ``askseeds serve`` started with no ``--host``.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from askseeds.config import OFFLINE_ENV
from askseeds.web.chat import launch_kwargs

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"

SECRET = "The launch code kept outside the corpus is 7319-ALPHA."
PUBLIC_WARNING = "Serving on all network interfaces"


@pytest.fixture(scope="module")
def default_server(tmp_path_factory, run_server):
    """``askseeds serve`` with no --host and no ASKSEEDS_HOST: the defaults under test."""
    tmp = tmp_path_factory.mktemp("default-server")
    docs = tmp / "docs"
    shutil.copytree(SEEDS, docs)
    secret = tmp / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    (docs / "escape.txt").symlink_to(secret)
    env = {k: v for k, v in os.environ.items() if k != "ASKSEEDS_HOST"}
    args = ["-m", "askseeds.cli", "serve", "--docs", str(docs), "--index-dir", str(tmp / "index")]
    with run_server(args, tmp / "serve.log", env) as server:
        yield {
            "url": server.url,
            "port": server.port,
            "docs": docs,
            "secret": secret,
            "index": tmp / "index",
            "log": server.log_path,
            "pid": server.proc.pid,
        }


def _get_raw(port: int, path: str) -> tuple[int, bytes]:
    """GET ``path`` byte for byte: no client-side normalisation of '..' or '%2e'."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _traversal_paths(server) -> list[str]:
    secret, docs, index = server["secret"], server["docs"], server["index"]
    manifest = index / "manifest.json"
    targets = [
        "/etc/passwd",
        str(secret),
        str(manifest),
        str(docs / "escape.txt"),
        str(docs / "004_f084b65bf9f1a5c0.txt"),
        f"/proc/{server['pid']}/environ",
    ]
    up = "../" * 12
    paths = []
    for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file=/"):
        for t in targets:
            paths += [prefix + t, prefix + quote(t, safe=""), prefix + quote(quote(t, safe=""))]
        paths += [
            prefix + up + "etc/passwd",
            prefix + "..%2F" * 12 + "etc%2Fpasswd",
            prefix + "%2e%2e/" * 12 + "etc/passwd",
            prefix + "%252e%252e%252f" * 12 + "etc%252fpasswd",
            prefix + "....//" * 12 + "etc/passwd",
            prefix + "..\\" * 12 + "etc\\passwd",
            prefix + "/etc/passwd%00.txt",
            prefix + "file:///etc/passwd",
            prefix + up + str(secret).lstrip("/"),
            prefix + "seeds/004_f084b65bf9f1a5c0.txt",
            prefix + "app.py",
            prefix + "../" + secret.parent.name + "/" + secret.name,
        ]
    for route in (
        "/static/",
        "/assets/",
        "/gradio_api/static/",
        "/custom_component/x/",
        "/svelte/",
        "/gradio_api/",
        "/",
    ):
        paths += [
            route + up + "etc/passwd",
            route + "..%2f" * 12 + "etc%2fpasswd",
            route + "%2e%2e%2f" * 12 + "etc%2fpasswd",
        ]
    paths += [
        "/gradio_api/proxy=file:///etc/passwd",
        "/gradio_api/proxy=http://127.0.0.1:1/etc/passwd",
        f"/gradio_api/file={os.path.relpath(secret, ROOT)}",
    ]
    return paths


def test_path_traversal_never_serves_a_file(default_server, record_property):
    secret_bytes = SECRET.encode()
    passwd = Path("/etc/passwd").read_bytes()[:32]
    manifest = (default_server["index"] / "manifest.json").read_bytes()[:64]
    served = []
    paths = _traversal_paths(default_server)
    record_property("paths_tried", len(paths))
    for path in paths:
        status, body = _get_raw(default_server["port"], path)
        leaked = secret_bytes in body or (passwd and passwd in body) or manifest in body
        if not 400 <= status < 500 or leaked:
            served.append((path, status, body[:80]))
    assert served == []


def test_corpus_files_are_not_served_either(default_server):
    status, _ = _get_raw(
        default_server["port"],
        "/gradio_api/file=" + str(default_server["docs"] / "001_7391625d5ac1e584.txt"),
    )
    assert 400 <= status < 500


def test_upload_cannot_write_outside_the_cache(default_server, tmp_path):
    target = tmp_path / "pwned.txt"
    name = "../" * 12 + str(target).lstrip("/")
    resp = httpx.post(
        default_server["url"] + "/gradio_api/upload",
        files={"files": (name, b"owned", "text/plain")},
        timeout=10,
    )
    assert not target.exists()
    if resp.status_code == 200:  # accepted into Gradio's cache under a sanitised name
        for stored in resp.json():
            assert ".." not in Path(stored).parts and Path(stored).name == "pwned.txt"


def test_symlink_to_an_outside_file_is_not_indexed(default_server):
    from gradio_client import Client

    data = Client(default_server["url"], verbose=False).predict(
        "What is the launch code kept outside the corpus?", api_name="/ask"
    )
    assert "7319" not in str(data)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(addr)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_binds_loopback_by_default(default_server):
    addresses = _listening_addresses(default_server["port"])
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, little-endian hex; no 0.0.0.0
    log = default_server["log"].read_text(encoding="utf-8")
    assert f"askseeds chat on http://127.0.0.1:{default_server['port']}" in log
    assert PUBLIC_WARNING not in log


@pytest.mark.parametrize(("host", "warns"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_warns_when_bound_to_all_interfaces(tmp_path, host, warns):
    # The warning is logged before the corpus is opened, so a missing folder lets the test
    # see it without ever listening on the network.
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "askseeds.cli",
            "serve",
            "--host",
            host,
            "--port",
            "9",
            "--docs",
            str(tmp_path / "missing"),
            "--index-dir",
            str(tmp_path / "idx"),
        ],
        check=False,
        cwd=ROOT,
        env={**os.environ, **OFFLINE_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr[-2000:]
    assert (PUBLIC_WARNING in run.stderr) is warns, run.stderr[-2000:]
    assert "Traceback" not in run.stderr


def test_launch_settings_expose_nothing_extra():
    kwargs = launch_kwargs()
    assert kwargs["share"] is False
    assert kwargs["mcp_server"] is False
    assert kwargs["ssr_mode"] is False
    assert not kwargs.get("allowed_paths"), "no folder is made downloadable"
    assert kwargs.get("show_error") is False, "errors are turned into messages, not tracebacks"
    assert not os.environ.get("GRADIO_ALLOWED_PATHS")
    # Memory per session is bounded (benchmarks/load.py measures ~0.35 MiB per session).
    assert kwargs["state_session_capacity"] <= 1000
