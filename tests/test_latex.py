"""LaTeX sources (``.tex``) read as their typeset document reads (``ingest/latex.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askseeds import Assistant
from askseeds.ingest.convert import extract
from askseeds.ingest.load import load_folder

PAPER = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,booktabs,listings}
\newcommand{\ours}{KilnNet}
\newcommand{\tabref}[1]{\hyperref[#1]{Table~\ref*{#1}}}
\newcommand{\beq}{\begin{equation}}
\title{Predicting Glaze Crazing from Kiln Logs\thanks{A report for the Clay Studio's board.}}
\author{Mei Lin\thanks{Community Clay Studio.} \and Tom\'as Ruiz}
\begin{document}
\maketitle

\begin{abstract}
Crazing, a net of fine cracks in a fired glaze, costs small studios a tenth of their
pots~\cite{smith2020}. We present \ours{}, which predicts it from the kiln's log.
\end{abstract}

\section{Introduction}\label{sec:intro}
A stoneware glaze matures at cone~10, about 1300\,\textdegree C (Section~\ref{sec:data}).
Cooling faster than 150\,\textdegree C an hour crazes most glazes.% measured in 2023
\footnote{Slower cooling was not tested.}

Cracks appear hours or weeks after the firing; \emph{delayed} crazing is the harder case
(\tabref{tab:kilns}).

\section{Data}\label{sec:data}
\subsection{Firings}
We logged 412 firings of two kilns:
\begin{itemize}
  \item Big Blue, a gas kiln built in 1998;
  \item Little Red, an electric kiln, with
  \begin{enumerate}
    \item a digital controller, and
    \item a vent fan.
  \end{enumerate}
  \item[Spare] a test kiln, used twice.
\end{itemize}

\begin{table}[t]
\centering
\begin{tabular}{lrr}
\toprule
Kiln & Firings & Crazed \\
\midrule
Big Blue & 287 & 31 \\
Little Red & 125 & 9 \\
\bottomrule
\end{tabular}
\caption{Firings per kiln, and how many crazed.}
\label{tab:kilns}
\end{table}

\begin{tabular}{p{5cm}}
Mei: \begin{itemize} \item the kiln logs \end{itemize} \\
\end{tabular}

The model minimises
\begin{equation}
  \mathcal{L} = -\sum_i y_i \log p_i
\end{equation}
over $n = 412$ firings.

\begin{lstlisting}[language=Python]
def crazes(rate):
    return rate > 150
\end{lstlisting}

\begin{thebibliography}{9}
\bibitem{smith2020} J. Smith. \emph{Glaze Defects}. Clay Press, 2020.
\end{thebibliography}
\end{document}
"""


def _text(source: str = PAPER) -> str:
    out = extract(".tex", source.encode())
    assert not isinstance(out, str), out
    return out.text


def test_a_paper_reads_as_its_typeset_pages() -> None:
    out = extract(".tex", PAPER.encode())
    assert out.title == "Predicting Glaze Crazing from Kiln Logs"
    text = out.text
    assert text.startswith(
        "# Predicting Glaze Crazing from Kiln Logs\n\nA report for the Clay Studio's board.\n\n"
        "## Abstract\n\n"
    )
    # The preamble and its commands print nothing; a shorthand prints what it stands for.
    assert "usepackage" not in text and "Mei Lin" not in text
    assert "\\begin" not in text and "\\section" not in text and "\\emph" not in text
    assert "We present KilnNet, which predicts it" in text
    # Headings one level under the title; a citation, a label and a reference print nothing.
    assert "\n## Introduction\n" in text and "\n## Data\n\n### Firings\n" in text
    assert "costs small studios a tenth of their pots. We present" in text
    assert "about 1300 °C (Section)." in text
    # A footnote in brackets after its word; a blank line parts paragraphs.
    assert "(Slower cooling was not tested.)\n\nCracks appear hours" in text
    assert "Tomás" not in text  # the author is the preamble's
    # Lists at their depth, a labelled item's label in bold.
    assert (
        "- Big Blue, a gas kiln built in 1998;\n- Little Red, an electric kiln, with\n"
        "  - a digital controller, and\n  - a vent fan.\n- **Spare** a test kiln, used twice."
    ) in text
    # A booktabs table under its header, then its caption; math as written; code as code.
    assert (
        "| Kiln | Firings | Crazed |\n| --- | --- | --- |\n| Big Blue | 287 | 31 |\n"
        "| Little Red | 125 | 9 |\n\nFirings per kiln, and how many crazed."
    ) in text
    assert "The model minimises\n\nℒ = -∑_i y_i log" in text  # math as it reads
    assert "\n\nover n = 412 firings." in text
    # A macro the document defines prints its definition, its argument in place.
    assert "delayed crazing is the harder case (Table)." in text
    # A table of one column is what it holds.
    assert "\n\nMei:\n\n- the kiln logs\n" in text
    assert "```\ndef crazes(rate):\n    return rate > 150\n```" in text
    assert text.endswith("## References\n\n- J. Smith. Glaze Defects. Clay Press, 2020.\n")


def test_a_chapter_without_a_document_environment_is_read_whole() -> None:
    # A thesis's chapter file, \input by its main file and read on its own here.
    text = _text("\\chapter{Method}\nWe fire at cone 6.\n\\section{Kilns}\nTwo kilns.\n")
    assert text == "## Method\n\nWe fire at cone 6.\n\n### Kilns\n\nTwo kilns.\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01\x02\x03 binary", "not a LaTeX source (binary data)"),
        (b"{" * 5000 + b"x", "unreadable TEX (nested too deeply)"),
        (b"\\documentclass{article}\\begin{document}\\end{document}", "no text in it"),
    ],
)
def test_what_is_not_a_readable_source_gives_a_reason(data: bytes, reason: str) -> None:
    assert extract(".tex", data) == reason


def test_unbalanced_braces_and_an_unclosed_list_lose_no_text() -> None:
    text = _text("\\section{Glazes {celadon\nA glaze } of iron }\n\\begin{itemize}\\item shino")
    assert "Glazes celadon A glaze of iron" in text and "- shino" in text


BIB = r"""% the paper's references
@string{jcr = "Journal of Ceramic Research"}
@article{smith2020,
  author = {Smith, John and Lin, Mei},
  title = {{Glaze} Defects in Cone 10 Firings},
  journal = jcr,
  year = 2020,
  month = mar,
}
@inproceedings{ruiz2019,
  title = "Kiln Logs as {D}ata: Predicting D\'efauts",
  author = "Tom\'as Ruiz",
  booktitle = {Proceedings of the Clay Conference} # " 2019",
  year = {2019}
}
@book{broken,
  title = {A book whose entry is never {closed
@misc{studio, title={The Studio's Firing Log}, howpublished={\url{https://example.org/log}}, year={2021}}
@comment{left out}
"""


def test_a_bibtex_database_is_a_table_of_its_entries() -> None:
    out = extract(".bib", BIB.encode())
    assert out.text.splitlines() == [
        "| Title | Authors | Year | Published in | Type | Key |",
        "| --- | --- | --- | --- | --- | --- |",
        "| Glaze Defects in Cone 10 Firings | John Smith, Mei Lin | 2020 |"
        + " Journal of Ceramic Research | article | smith2020 |",
        "| Kiln Logs as Data: Predicting Défauts | Tomás Ruiz | 2019 |"
        + " Proceedings of the Clay Conference 2019 | inproceedings | ruiz2019 |",
        "| A book whose entry is never closed |  |  |  | book | broken |",  # nothing after it lost
        "| The Studio's Firing Log |  | 2021 | https://example.org/log | misc | studio |",
    ]
    assert extract(".bib", b"no entries here") == "no entries in it (not a BibTeX database?)"
    assert extract(".bib", b"\x00\x01\x02\x03 binary") == "not a BibTeX database (binary data)"


@pytest.fixture(scope="module")
def bot(tmp_path_factory) -> Assistant:
    docs = tmp_path_factory.mktemp("tex")
    (docs / "crazing.tex").write_text(PAPER, encoding="utf-8")
    (docs / "references.bib").write_text(BIB, encoding="utf-8")
    (docs / "notes.md").write_text("# Studio notes\n\nThe studio fires on Fridays.\n")
    return Assistant.from_folder(docs, index_dir=tmp_path_factory.mktemp("idx"), progress=False)


def test_a_folder_s_latex_source_is_a_document_with_its_title(tmp_path: Path) -> None:
    (tmp_path / "crazing.tex").write_text(PAPER, encoding="utf-8")
    (tmp_path / "kiln.sty").write_text("\\ProvidesPackage{kiln}\n")  # a package: not a document
    (doc,), skipped = load_folder(tmp_path)
    assert doc.source == "crazing.tex" and doc.title == "Predicting Glaze Crazing from Kiln Logs"
    assert skipped == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "source", "said"),
    [
        ("How many of Big Blue's firings crazed?", "crazing.tex", "31"),
        ("What kind of kiln is Little Red?", "crazing.tex", "an electric kiln"),
        ("How fast must a glaze cool to craze?", "crazing.tex", "150 °C an hour"),
        # A bibliography's entry is a table's row, answered as one.
        ("When was Glaze Defects in Cone 10 Firings published?", "references.bib", "2020"),
        ("Who wrote Kiln Logs as Data?", "references.bib", "Tomás Ruiz"),
        (
            "Where was Kiln Logs as Data published?",
            "references.bib",
            "Proceedings of the Clay Conference 2019",
        ),
        (
            "In which journal was Glaze Defects in Cone 10 Firings published?",
            "references.bib",
            "Journal of Ceramic Research",
        ),
    ],
)
def test_a_question_is_answered_from_a_paper_and_its_references(
    bot, question, source, said
) -> None:
    answer = bot.ask(question)
    assert not answer.abstained, answer.text
    first = answer.citations[0]
    assert first.source == source and said in first.snippet, answer.text
    assert bot.document_text(source)[first.start : first.end] == first.snippet
