"""``askseeds ask`` as a user runs it: a real subprocess, the real model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_ask_prints_the_cited_answer_and_no_library_noise(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "accord.txt").write_text("The Marmalade Accord was signed in Lunaport in 1911.\n")
    cmd = [sys.executable, "-m", "askseeds.cli", "ask", "Where was the Marmalade Accord signed?"]
    cmd += ["--docs", str(docs), "--index-dir", str(tmp_path / "idx")]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert "Lunaport" in run.stdout and "[1] accord.txt:0-" in run.stdout, run.stdout
    # Indexing shows its own bar; transformers' per-load "Loading weights" bar is not shown.
    assert "Loading weights" not in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_ask_prints_a_markdown_quote_as_it_reads_and_its_exact_characters(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "accord.md").write_text(
        "# Treaties\n\nThe [[Marmalade Accord|accord]] was signed in **Lunaport** in 1911.\n"
    )
    cmd = [sys.executable, "-m", "askseeds.cli", "ask", "Where was the Marmalade Accord signed?"]
    cmd += ["--docs", str(docs), "--index-dir", str(tmp_path / "idx")]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    answer, _, sources = run.stdout.partition("\n\n[1] ")
    assert "The accord was signed in Lunaport in 1911. [1]" in answer, run.stdout
    assert "[[Marmalade Accord|accord]] was signed in **Lunaport**" in sources, run.stdout
