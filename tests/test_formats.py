"""The Assistant over PDF, DOCX, HTML and one-line files, with the real model."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from make_docs import docx_bytes, epub_bytes, pdf_bytes, pdf_typeset

from askseeds import Assistant
from askseeds.answer.features import FEATURES

pytestmark = pytest.mark.slow

PAGES = [
    "The lighthouse at Kessel Point was built in 1874 by the harbour board.",
    "The lamp burns paraffin oil and can be seen for twenty miles on a clear night.",
    "Visitors may climb the tower on Saturdays between April and October.",
]

# A manual as people write them: a lead-in over a command, entries under their headings.
KILNCTL = """# kilnctl

kilnctl controls the firing schedule of a pottery kiln.

## Installation

kilnctl is published on the package index:

```
pip install kilnctl
```

It runs on Python 3.10 or newer.

## Upgrading

The following command upgrades kilnctl in place. Let the kiln cool down first.

```
pip install --upgrade kilnctl
```

## Cooling

kilnctl opens the vent only below 500 degrees. A vent opened earlier lets cold air crack the
pots. For example, a vent opened at 900 degrees cracked every bowl in our trials. For this
reason, kilnctl keeps the vent shut through the first hours of cooling.

## Power

Never run the kiln on a shared circuit. This is not advised as the kiln draws up to 40 amperes
when it heats.

## Settings

### RAMP_RATE

How fast the kiln heats, in degrees per hour.
Default: 150

### HOLD_MINUTES

How long the kiln holds its peak temperature before it cools.
Default: 20
"""


# Notes kept as an outline: an item heads the items under it without saying anything itself.
STUDIO_NOTES = """# Studio notes

- Firing fees for the big gas kiln
  - 40 dollars a load
  - paid at the front desk before loading
- Glaze room hours
  - open every weekday until 9 pm
"""


# A manual whose entries name their subject only in their headings.
GIT_NOTES = """# Git basics

## git stash

Available since Git 1.5.3.

This command shelves your uncommitted changes and leaves a clean working tree.

## git bisect

Available since Git 1.5.

This command finds the commit that introduced a bug by a binary search.
"""


# A README whose install section opens with a lead-in: its first sentence is no statement.
GLAZEBOOK = """# glazebook

glazebook keeps a record of glaze recipes and firings.

## Installation

Install with pip:

```shell
$ pip install glazebook
```

Or, to include the optional spreadsheet export, use:

```shell
$ pip install glazebook[export]
```

glazebook requires Python 3.10+.
"""


# A setting whose entry opens with a long table, so its first statement falls in a later chunk
# than its heading.
GLAZES = (
    "## GLAZE_TABLE\n\n"
    + "".join(
        f"| cone {n} | {1000 + 20 * n} C | {['matte', 'gloss', 'satin'][n % 3]} |\n"
        for n in range(60)
    )
    + "\nThis setting picks the glaze recipe for each firing cone.\n"
)


# A booklet set as printed: a running head and page numbers on every page, a word
# hyphenated over a page break, a footnote inside a sentence.
HARROW = [
    [
        ("t", "Harrow Head"),
        ("p", "The light on Harrow Head was first lit in 1881."),
        ("h", "The optic"),
        ("p", "The optic was ground in Birmingham; it was the heaviest of its day and its magni-"),
    ],
    [
        ("p", "fication was admired by every pilot who passed the headland. Its keepers wound the"),
        ("f", "2. Keepers kept a daily log."),
        ("p", "clockwork that turned it every three hours."),
    ],
]


# A program's README and its gzipped NEWS, as Debian ships them in /usr/share/doc.
TIDEWATER_README = """Tidewater is a tide-table printer for small harbours.

It reads a port's harmonic constants and prints a month of high and low waters on one page.
"""
TIDEWATER_NEWS = """Tidewater NEWS

* Noteworthy changes in release 2.1 (2024-05-02)

The printer now marks spring tides in bold.
"""


# A Jupyter notebook: a Markdown cell, a code cell and its output (never read).
FIRING_NOTEBOOK = json.dumps(
    {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"language_info": {"name": "python"}},
        "cells": [
            {
                "cell_type": "markdown",
                "source": "# Firing log\n\nCone 10 glazes mature at 1305 degrees.",
            },
            {
                "cell_type": "code",
                "source": "peak = max(readings)",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "1288"}],
            },
        ],
    }
)


@pytest.fixture(scope="module")
def bot(tmp_path_factory) -> Assistant:
    docs = tmp_path_factory.mktemp("docs")
    (docs / "accord.txt").write_text("The Marmalade Accord was signed in Lunaport in 1911.")
    (docs / "light.pdf").write_bytes(pdf_bytes(PAGES))
    (docs / "harrow.pdf").write_bytes(pdf_typeset(HARROW, "Lights of the North Coast"))
    (docs / "guide.docx").write_bytes(
        docx_bytes(
            "Field guide",
            [("Herons", ["The grey heron waits in shallow water for fish."]), ("Sizes", [])],
            table=[["Bird", "Wingspan"], ["Grey heron", "185 cm"], ["Little egret", "95 cm"]],
        )
    )
    (docs / "kilnctl.md").write_text(KILNCTL)
    (docs / "studio.md").write_text(STUDIO_NOTES)
    (docs / "git-notes.md").write_text(GIT_NOTES)
    (docs / "tools.md").write_text(
        "# Workshop tools\n\nThe workshop runs:\n\n- kilnctl\n- glazebook\n"
    )
    (docs / "bad.pdf").write_bytes(b"not a pdf at all, just text")
    (docs / "glazes.md").write_text(GLAZES)
    (docs / "glazebook.md").write_text(GLAZEBOOK)
    (docs / "README").write_text(TIDEWATER_README)
    (docs / "NEWS.gz").write_bytes(gzip.compress(TIDEWATER_NEWS.encode()))
    (docs / "firing.ipynb").write_text(FIRING_NOTEBOOK)
    # Written by LibreOffice (tests/test_convert.py says how).
    data = Path(__file__).parent / "data"
    (docs / "kiln-guide.odt").write_bytes((data / "odf" / "kiln-guide.odt").read_bytes())
    (docs / "glaze-talk.pptx").write_bytes((data / "pptx" / "glaze-talk.pptx").read_bytes())
    # Written as TextEdit writes its notes (tests/test_convert.py says how).
    (docs / "throwing-notes.rtf").write_bytes((data / "rtf" / "throwing-notes.rtf").read_bytes())
    (docs / "studio.mbox").write_bytes((data / "mail" / "studio.mbox").read_bytes())
    # Saved by Chromium as one file (tests/test_convert.py says how).
    (docs / "kiln-log.mhtml").write_bytes((data / "mhtml" / "kiln-log.mhtml").read_bytes())
    (docs / "handbook.epub").write_bytes(
        epub_bytes(
            "The Glassblower's Handbook",
            [
                ("Gathering", ["The gather is taken from the furnace on a blowpipe."]),
                ("Annealing", ["Finished pieces are cooled in the lehr over eleven hours."]),
            ],
        )
    )
    return Assistant.from_folder(docs, index_dir=tmp_path_factory.mktemp("idx"), progress=False)


@pytest.mark.parametrize(
    ("question", "source", "answer", "page", "section"),
    [
        ("Where was the Marmalade Accord signed?", "accord.txt", "Lunaport", None, None),
        ("How far can the Kessel Point lamp be seen?", "light.pdf", "twenty miles", 2, None),
        ("When can visitors climb the lighthouse tower?", "light.pdf", "Saturdays", 3, None),
        ("What is the wingspan of the little egret?", "guide.docx", "95 cm", None, "Sizes"),
        ("What does Tidewater print on one page?", "README", "high and low waters", None, None),
        ("What does Tidewater mark in bold?", "NEWS.gz", "spring tides", None, None),
        ("At what temperature do cone 10 glazes mature?", "firing.ipynb", "1305", None, None),
        (
            "How long are finished pieces cooled in the lehr?",
            "handbook.epub",
            "eleven hours",
            None,
            "Annealing",
        ),
        (
            "Which shelf should the tallest pots go on?",
            "kiln-guide.odt",
            "bottom shelf",
            None,
            "Loading the kiln",
        ),
        ("What is every test tile fired on?", "glaze-talk.pptx", "scrap clay", 3, "Test tiles"),
        ("Which glaze crazed on the thin-walled bowls?", "kiln-log.mhtml", "celadon", None,
         "Glaze firing"),
        ("When should the foot be trimmed?", "throwing-notes.rtf", "leather-hard", None, None),
        ("How far ahead should kiln shelves be ordered?", "studio.mbox", "two weeks ahead", None,
         "Re: Shelf delivery — new date"),
        (
            "Who admired the magnification of the Harrow Head optic?",
            "harrow.pdf",
            "every pilot",
            1,
            "The optic",
        ),
        (
            "How often did the keepers wind the clockwork?",
            "harrow.pdf",
            "every three hours",
            2,
            "The optic",
        ),
    ],
)
def test_answers_cite_exact_text_with_page_and_section(
    bot, question, source, answer, page, section
):
    reply = bot.ask(question)
    assert not reply.abstained, reply.text
    cited = [c for c in reply.citations if answer in c.snippet]
    assert cited, reply.text
    assert (cited[0].source, cited[0].page, cited[0].section) == (source, page, section)
    for c in reply.citations:
        text = bot.document_text(c.source)
        assert text[c.start : c.end] == c.snippet
        assert text[c.context_start : c.context_start + len(c.context)] == c.context
    for p in reply.passages:
        text = bot.document_text(p.source)
        assert all(text[s.start : s.end] in p.text for s in p.sentences)


def test_text_files_are_their_own_document_text(bot) -> None:
    folder = bot.docs_dir
    assert bot.document_text("accord.txt") == (folder / "accord.txt").read_text()
    assert bot.document_text("README") == (folder / "README").read_text()
    assert bot.document_text("NEWS.gz") == TIDEWATER_NEWS


def test_bad_file_is_reported_not_indexed(bot) -> None:
    assert [s.source for s in bot.stats.skipped] == ["bad.pdf"]
    assert bot.stats.documents == 19


def test_a_lead_in_is_quoted_with_what_it_introduces(bot) -> None:
    reply = bot.ask("Where is kilnctl published?")
    first = reply.citations[0]
    assert "kilnctl is published on the package index:" in first.snippet, reply.text
    assert first.snippet.endswith("pip install kilnctl"), reply.text  # not the next paragraph
    assert bot.document_text(first.source)[first.start : first.end] == first.snippet
    spans = sorted((c.start, c.end) for c in reply.citations if c.source == first.source)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), reply.text  # quoted once
    # A one-word list item naming kilnctl elsewhere is not the same statement.
    assert not [loc for c in reply.citations for loc in c.also_in if loc.source == "tools.md"]


def test_an_outline_item_is_quoted_with_the_items_it_heads(bot) -> None:
    reply = bot.ask("What are the firing fees for the big gas kiln?")
    first = reply.citations[0]
    assert first.snippet.startswith("Firing fees for the big gas kiln"), reply.text
    assert "40 dollars a load" in first.snippet, reply.text
    assert "paid at the front desk before loading" in first.snippet, reply.text
    assert "Glaze room" not in first.snippet, reply.text  # the next item of its own level
    assert bot.document_text(first.source)[first.start : first.end] == first.snippet


def test_a_sentence_naming_its_subject_by_this_is_shown_under_its_heading(bot) -> None:
    reply = bot.ask("Which command shelves uncommitted changes?")
    assert not reply.abstained, reply.text
    assert reply.citations[0].snippet.startswith("This command shelves"), reply.text
    assert "git stash" in reply.text, reply.text  # the heading says which command it is
    assert "git bisect" not in reply.text, reply.text


def test_a_reason_given_by_pointing_back_is_quoted_with_what_it_points_at(bot) -> None:
    reply = bot.ask("Why does kilnctl keep the vent shut through the first hours of cooling?")
    first = reply.citations[0]
    # "For this reason, ..." answers why only with the sentence it points back at, and the
    # example between them; not with the paragraph's first sentence, which gives no reason.
    assert first.snippet.startswith("A vent opened earlier lets cold air crack"), reply.text
    assert first.snippet.endswith("first hours of cooling."), reply.text
    assert bot.document_text(first.source)[first.start : first.end] == first.snippet
    # Asked what it does, not why, the sentence is quoted alone.
    reply = bot.ask("When does kilnctl keep the vent shut?")
    assert not reply.citations[0].snippet.startswith("A vent opened earlier"), reply.text


def test_a_reason_given_in_the_next_sentence_is_quoted_with_what_it_explains(bot) -> None:
    reply = bot.ask("Why should the kiln not run on a shared circuit?")
    first = reply.citations[0]
    assert "Never run the kiln on a shared circuit." in first.snippet, reply.text
    assert "draws up to 40 amperes" in first.snippet, reply.text
    assert bot.document_text(first.source)[first.start : first.end] == first.snippet


def test_a_section_opening_with_a_lead_in_is_answered_by_it(bot) -> None:
    # "Installation" opens with the lead-in over the command, not with "... requires Python".
    reply = bot.ask("How do I install glazebook?")
    assert "$ pip install glazebook" in reply.citations[0].snippet.splitlines(), reply.text


def test_a_sentence_pointing_ahead_is_quoted_with_what_it_points_at(bot) -> None:
    reply = bot.ask("Which command upgrades kilnctl?")
    assert "pip install --upgrade kilnctl" in reply.citations[0].snippet, reply.text


@pytest.mark.parametrize(("setting", "default"), [("HOLD_MINUTES", "20"), ("RAMP_RATE", "150")])
def test_an_entry_is_read_under_its_heading(bot, setting, default) -> None:
    reply = bot.ask(f"What is the default {setting}?")
    assert reply.citations, reply.text
    first = reply.citations[0]
    assert first.section.endswith(setting), reply.text
    assert f"Default: {default}" in first.snippet, reply.text


def test_an_entry_s_first_statement_is_found_across_chunks(bot) -> None:
    question = "What does GLAZE_TABLE do?"
    _, cands = bot.search(question, question, bot.encode(question))
    first = next(c for c in cands if c.text.startswith("This setting picks"))
    chunk = bot.index.chunks[first.position]
    assert chunk.start > bot.document_text("glazes.md").index("GLAZE_TABLE")  # a later chunk
    definition = first.features[FEATURES.index("definition")]
    assert definition == 1.0
    assert all(c.features[FEATURES.index("definition")] == 0.0 for c in cands if c is not first)
