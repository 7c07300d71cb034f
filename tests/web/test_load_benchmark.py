"""Smoke run of benchmarks/load.py (5 clients x 20 questions) against the session's server,
with its model-CPU and no-op Gradio steps."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_load_script_runs_bounded_and_reports(app_server, tmp_path):
    out = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/load.py",
            "--url",
            app_server.url,
            "--pid",
            str(app_server.proc.pid),
            "--clients",
            "5",
            "--questions",
            "20",
            "--warmup",
            "5",
            "--memory-questions",
            "40",
            "--new-sessions",
            "10",
            "--solo",
            "5",
            "--index-dir",
            str(app_server.log_path.parent / "index"),  # the server's (conftest._app_py)
            "--gradio-floor",
            "--json",
            str(out),
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors_total"] == 0
    assert report["load"]["p50_ms"] > 0 and report["load"]["throughput_qps"] > 0
    assert report["memory"]["rss_before_mib"] > 0 and report["memory"]["rss_after_mib"] > 0
    assert report["sessions"]["errors"] == 0
    assert "p95" in run.stdout and "RSS" in run.stdout
    # The models' CPU, timed on the same questions, and Gradio's own cost per request.
    assert report["model_cpu_ms_per_question"]["encode"] > 0
    assert report["gradio_noop"]["errors"] == 0
    assert report["gradio_noop"]["server_cpu_ms_per_request"] > 0
    assert "bound" in run.stdout and "doing nothing" in run.stdout


def test_load_script_asks_through_the_json_route(app_server, tmp_path):
    out = tmp_path / "load.json"
    args = ["--url", app_server.url, "--pid", str(app_server.proc.pid), "--client", "json"]
    sizes = ["--clients", "3", "--questions", "20", "--warmup", "3", "--memory-questions", "20"]
    run = subprocess.run(
        [sys.executable, "benchmarks/load.py", *args, *sizes, "--new-sessions", "0",
         "--solo", "3", "--no-model-cpu", "--json", str(out)],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["client"] == "json" and report["errors_total"] == 0
    assert report["load"]["requests"] == 20


@pytest.mark.slow  # a server of its own, with the real model
def test_load_script_times_its_own_servers_models_in_the_load_round(tmp_path):
    # Started by the script itself, the server counts its model calls' CPU as they run: the
    # issue's compute bound from the same run.
    out = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable, "benchmarks/load.py", "--client", "http", "--clients", "3",
            "--questions", "12", "--warmup", "3", "--solo", "2", "--memory-questions", "0",
            "--new-sessions", "0", "--no-model-cpu", "--json", str(out),
        ],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors_total"] == 0
    in_load = report["model_cpu_ms_per_question_in_load"]
    assert in_load["encode"] > 0 and in_load["reader"] > 0  # the reader is on by default
    # The server's CPU by thread: the models' calls ran on the threads counted as theirs.
    threads = in_load["threads"]
    assert threads["ask"] >= in_load["reader"] > 0 and threads["encode"] > 0
    assert threads["rest"] > 0  # Gradio's own work
    assert "by thread" in run.stdout
    assert "during the load round" in run.stdout
