"""GNU Info manuals (makeinfo's output, as in /usr/share/info) read as their reader sees them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from askseeds import Assistant
from askseeds.ingest.info import read_info
from askseeds.ingest.load import load_folder
from askseeds.retrieve.hybrid import PASSAGE_DEPTH, rank

# As makeinfo 6.8 writes a manual: the directory entry, nodes after a 0x1f byte, menus, an
# index node marked with NUL and backspace bytes, the tag table.
KILN_INFO = """\
This is kiln.info, produced by makeinfo version 6.8 from kiln.texi.

This manual is for Kiln, version 2.1.
INFO-DIR-SECTION Pottery
START-INFO-DIR-ENTRY
* kiln: (kiln).         Fire pottery on a schedule.
END-INFO-DIR-ENTRY

\x1f
File: kiln.info,  Node: Top,  Next: Invoking kiln,  Up: (dir)

Kiln
****

This manual is for Kiln, version 2.1.

* Menu:

* Invoking kiln::       Command-line options.
* Index::               Index of concepts.

\x1f
File: kiln.info,  Node: Invoking kiln,  Next: Index,  Prev: Top,  Up: Top

1 Invoking ‘kiln’
*****************

‘kiln’ reads a firing schedule and drives the kiln slowly.  It never
opens the door above 200 degrees.

     kiln [OPTION]... SCHEDULE

     kiln --help

1.1 Options
===========

‘-c NUMBER’
‘--cone=NUMBER’
     Fire to cone NUMBER; the default is cone 6.  *Note Cones::, for
     the temperatures.

`--dry-run'
     Print the schedule without firing.

          kiln --dry-run stoneware.sched

     It reads the schedule all the same.

‘kiln -c 6 'bisque.sched'’
     Fire the bisque schedule to cone 6.

   The options are read in order:

   • Bisque first, at cone 04.
   • Glaze second.

 -- Function: int kiln_fire (struct schedule *S,
          int CONE)
     Fire S to CONE; return 0 when the kiln has cooled.

   ---------- Footnotes ----------

   (1) Cone 6 is about 1222 degrees.

\x1f
File: kiln.info,  Node: Index,  Prev: Invoking kiln,  Up: Top

Index
*****

\x00\x08[index\x00\x08]
* Menu:

* cone:                                  Invoking kiln.         (line 12)
* dry run:                               Invoking kiln.         (line 18)

\x1f
Tag Table:
Node: Top213
Node: Invoking kiln402
Node: Index1200
\x1f
End Tag Table


Local Variables:
coding: utf-8
End:
"""


def _read(text: str) -> tuple[str, str | None]:
    read = read_info(text.replace("\x00", ""))  # as load reads it
    assert read is not None
    return read


def test_an_info_manual_reads_as_its_reader_sees_it():
    text, title = _read(KILN_INFO)
    assert title == "Kiln"
    assert text.startswith("# Kiln\n\nThis manual is for Kiln, version 2.1.\n\n## 1 Invoking ‘kiln’")
    # A paragraph's lines are one line; a cross reference reads as the words it shows.
    assert (
        "‘kiln’ reads a firing schedule and drives the kiln slowly.  It never opens the door"
        " above 200 degrees." in text
    )
    assert "```\nkiln [OPTION]... SCHEDULE\n\nkiln --help\n```" in text  # one example
    assert "### 1.1 Options" in text
    # An item is an entry: its names (in the quotes of makeinfo 5 or 4) a heading over what
    # is indented under it.
    assert (
        "#### -c NUMBER, --cone=NUMBER\n\nFire to cone NUMBER; the default is cone 6.  See"
        " Cones, for the temperatures." in text
    )
    assert (
        "#### --dry-run\n\nPrint the schedule without firing.\n\n```\nkiln --dry-run"
        " stoneware.sched\n```\n\nIt reads the schedule all the same." in text
    )
    assert "#### kiln -c 6 'bisque.sched'\n\nFire the bisque schedule to cone 6." in text
    assert "- Bisque first, at cone 04.\n\n- Glaze second." in text
    assert (
        "#### Function: int kiln_fire (struct schedule *S, int CONE)\n\nFire S to CONE; return"
        " 0 when the kiln has cooled." in text
    )
    assert "(1) Cone 6 is about 1222 degrees." in text
    # What an Info reader moves by is not text, nor is the heading of the index it leaves.
    for markup in ("File:", "Menu", "Invoking kiln::", "Tag Table", "Local Variables",
                   "INFO-DIR", "(line 12)", "Footnotes", "\x08", "\x1f", "## Index"):  # fmt: skip
        assert markup not in text, markup


def test_text_that_is_not_info_is_none():
    assert read_info("Kiln notes\n\nFire slowly.\n") is None
    # The first file of a split manual says where its nodes are, and holds none.
    assert read_info("This is kiln.info.\n\n\x1f\nIndirect:\nkiln.info-1: 120\n\x1f\n") is None


def test_info_manuals_load_split_or_whole(tmp_path: Path) -> None:
    (tmp_path / "kiln.info.gz").write_bytes(gzip.compress(KILN_INFO.encode()))
    (tmp_path / "vent.info").write_text("This is vent.info.\n\n\x1f\nIndirect:\nvent.info-1: 90\n")
    part = KILN_INFO.replace("kiln.info", "vent.info").split("\x1f", 2)[2]
    (tmp_path / "vent.info-1").write_text("This is vent.info-1.\n\n\x1f" + part)
    (tmp_path / "notes.info").write_text("A plain note about glazes.\n")  # not makeinfo's
    docs, skipped = load_folder(tmp_path)
    assert skipped == []
    assert [(d.source, d.title, d.converted) for d in docs] == [
        ("kiln.info.gz", "Kiln", True),
        ("notes.info", None, False),
        ("vent.info-1", None, True),
    ]
    assert "1 Invoking ‘kiln’ › 1.1 Options › --dry-run" in [h for _, h in docs[0].sections]


INSTALLED = Path("/usr/share/info")
MANUALS = tuple(
    f"{name}.info.gz" for name in ("grep", "diffutils", "sed", "gzip", "ed", "bc", "bzip2", "time")
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    if not all((INSTALLED / m).is_file() for m in MANUALS):
        pytest.skip("needs installed Info manuals")
    root = tmp_path_factory.mktemp("info")
    docs = root / "info"
    docs.mkdir()
    for manual in MANUALS:
        (docs / manual).write_bytes((INSTALLED / manual).read_bytes())
    return Assistant.from_folder(docs, index_dir=root / "idx", progress=False)


@pytest.mark.slow
def test_an_option_is_answered_from_its_entry_in_an_info_manual(installed: Assistant) -> None:
    reply = installed.ask("What does grep's -c option do?")
    assert not reply.abstained, reply.text
    first = reply.citations[0]
    assert first.source == "grep.info.gz", reply.text
    assert "print a count of matching lines" in first.snippet, reply.text


@pytest.mark.slow
def test_an_option_entry_is_found_under_the_headings_that_name_its_program(
    installed: Assistant,
) -> None:
    # diffutils.info documents diff, cmp, diff3 and sdiff: "diff" is not the file's name but
    # the heading over its options ("Options to 'diff'"); six other manuals have -q entries.
    question = "What does diff's -q option do?"
    hits = rank(installed.index, question, installed.encode(question), installed.settings)
    read = [installed.index.chunks[h.position] for h in hits[:PASSAGE_DEPTH]]
    assert any(
        c.source == "diffutils.info.gz" and "Report only whether the files differ" in c.text
        for c in read
    ), [c.text[:60] for c in read]
