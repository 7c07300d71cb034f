"""Manual pages (roff: man(7) and mdoc(7)) read as a reader of the page sees them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from askseeds import Assistant
from askseeds.ingest.load import load_folder
from askseeds.ingest.roff import inline, read_man

# As GNU tools write theirs (help2man, hand-written man(7)).
KILN_1 = r""".\" Copyright 2024 the kiln authors
.de URL
\\$2 \(laURL: \\$1 \(ra\\$3
..
.if \n(.g .mso www.tmac
.TH KILN 1 "March 2024" "kiln 2.1" "User Commands"
.SH NAME
kiln \- fire pottery on a schedule
.SH SYNOPSIS
.B kiln
[\fI\,OPTION\/\fR]... \fISCHEDULE\fR
.SH DESCRIPTION
.B kiln
reads a firing
.I schedule
and drives the kiln\(emslowly.
It never opens the door above 200\(de.
.PP
See
.BR glaze (5)
for recipes.
.SS Options
.TP
\fB\-c\fR, \fB\-\-cone\fR=\fINUMBER\fR
fire to cone \fINUMBER\fR; the default is cone 6.
.TP
.B \-\-dry\-run
print the schedule without firing.
.IP \(bu 2
Bisque first.
.IP \(bu 2
Glaze second.
.SH EXAMPLE
.nf
kiln \-c 10 stoneware.sched
.fi
.SS Cones
.TS
tab(@);
l l.
Cone@Degrees
_
6@T{
1222 degrees,
a stoneware firing
T}
.TE
.SH "SEE ALSO"
.BR glaze (5)
"""

# As BSD and OpenSSH write theirs (mdoc).
VENT_1 = r""".Dd $Mdocdate: May 2 2024 $
.Dt VENT 1
.Os
.Sh NAME
.Nm vent
.Nd open the kiln's damper
.Sh SYNOPSIS
.Nm
.Op Fl q
.Op Fl p Ar percent
.Sh DESCRIPTION
.Nm
opens the damper so that fumes leave the kiln
.Pq see Xr kiln 1 .
The options are as follows:
.Bl -tag -width Ds
.It Fl p Ar percent
Open the damper to
.Ar percent
of its travel.
.It Fl q
Quiet.
.El
.Bl -bullet
.It
Never vent a reduction firing.
.El
"""


def _page(source: str) -> tuple[str, str | None]:
    read = read_man(source)
    assert read is not None
    return read


def test_a_man_7_page_reads_as_its_reader_sees_it():
    text, title = _page(KILN_1)
    assert title == "kiln - fire pottery on a schedule"
    assert "kiln [OPTION]... SCHEDULE" in text
    assert "- Bisque first.\n- Glaze second." in text
    assert "kiln reads a firing schedule and drives the kiln\u2014slowly." in text
    assert "It never opens the door above 200\u00b0." in text
    assert "See glaze(5) for recipes." in text
    # An option is an entry: its tag a heading over what it describes.
    assert "#### -c, --cone=NUMBER\n\nfire to cone NUMBER; the default is cone 6." in text
    assert "#### --dry-run\n\nprint the schedule without firing." in text
    assert "## SEE ALSO" in text and "### Options" in text
    assert "```\nkiln -c 10 stoneware.sched\n```" in text
    assert "| Cone | Degrees |\n| 6 | 1222 degrees, a stoneware firing |" in text
    for markup in ("\\f", "URL", "mso", ".TP", "Copyright", "\\-"):
        assert markup not in text, markup


def test_an_mdoc_page_reads_as_its_reader_sees_it():
    text, title = _page(VENT_1)
    assert title == "vent \u2014 open the kiln's damper"
    assert "vent [-q] [-p percent]" in text
    assert "vent opens the damper so that fumes leave the kiln (see kiln(1))." in text
    assert "#### -p percent\n\nOpen the damper to percent of its travel." in text
    assert "- Never vent a reduction firing." in text
    assert "Mdocdate" not in text and ".Bl" not in text


def test_escapes_become_what_they_show():
    assert inline(r"a\(em b \[u00E9]t\('e \*(lqq\*(rq \fBbold\fP \s-1small\s0 \&.x") == (
        "a\u2014 b \u00e9t \u201cq\u201d bold small .x"
    )
    assert inline(r"x \" a comment") == "x "


def test_text_that_is_not_a_manual_page_is_none():
    assert read_man("Rotated log line 1\nline 2\n") is None
    assert read_man(".so man1/gzip.1\n") is None  # an alias of another page


def test_man_pages_load_and_other_numbered_files_pass_over(tmp_path: Path) -> None:
    (tmp_path / "kiln.1").write_text(KILN_1)
    (tmp_path / "vent.1.gz").write_bytes(gzip.compress(VENT_1.encode()))
    (tmp_path / "syslog.1").write_text("Mar  1 10:00:00 host kernel: booted\n")  # a rotated log
    (tmp_path / "unkiln.1.gz").write_bytes(gzip.compress(b".so man1/kiln.1\n"))
    docs, skipped = load_folder(tmp_path)
    assert skipped == []
    assert [(d.source, d.title, d.converted) for d in docs] == [
        ("kiln.1", "kiln - fire pottery on a schedule", True),
        ("vent.1.gz", "vent \u2014 open the kiln's damper", True),
    ]
    assert "DESCRIPTION \u203a Options \u203a --dry-run" in [h for _, h in docs[0].sections]


SHRINK_1 = r""".TH SHRINK 1 "May 2024" "shrink 1.0" "User Commands"
.SH NAME
shrink \- make kiln logs smaller
.SH OPTIONS
.TP
.BR \-S " \fIsuffix\fR, " \-\-suffix =\fIsuffix\fR
use \fIsuffix\fR instead of .shr for the smaller logs.
.TP
.BR \-v ", " \-\-verbose
name each log as it is made smaller.
"""

GLAZE_1 = r""".TH GLAZE 1 "May 2024" "glaze 3.2" "User Commands"
.SH NAME
glaze \- list glaze recipes
.SH OPTIONS
.TP
.B \-S
sort the recipes by firing temperature, hottest first.
.TP
.BR \-V ", " \-\-invert\-match
list only the recipes that do not match.
.TP
.BR \-v ", " \-\-version
print the version of glaze and exit.
"""


@pytest.mark.slow
def test_an_option_the_question_names_is_answered_from_its_own_entry(tmp_path: Path) -> None:
    docs = tmp_path / "man"
    docs.mkdir()
    (docs / "shrink.1").write_text(SHRINK_1)
    (docs / "glaze.1").write_text(GLAZE_1)
    (docs / "kiln.1").write_text(KILN_1)
    bot = Assistant.from_folder(docs, index_dir=tmp_path / "idx", progress=False)
    for question, source, said in [
        # "-S" in both pages: the one whose page the question names
        ("What does glaze -S do?", "glaze.1", "sort the recipes by firing temperature"),
        ("What does shrink -S do?", "shrink.1", "instead of .shr"),
        # "-v" is not "-V"
        ("What does glaze -V do?", "glaze.1", "do not match"),
        ("What does glaze -v do?", "glaze.1", "print the version of glaze"),
    ]:
        reply = bot.ask(question)
        assert not reply.abstained, (question, reply.text)
        first = reply.citations[0]
        assert (first.source, said in first.snippet) == (source, True), (question, reply.text)


INSTALLED = Path("/usr/share/man/man1")
PAGES = ("tar", "grep", "ls", "sed", "gzip", "xz", "ssh", "wget", "find", "less", "man")


@pytest.mark.slow
@pytest.mark.skipif(
    not all((INSTALLED / f"{p}.1.gz").is_file() for p in PAGES), reason="needs installed man pages"
)
def test_an_option_entry_far_down_a_long_page_is_found(tmp_path: Path) -> None:
    # Among these eleven pages, tar(1)'s "-C, --directory=DIR" is the 26th passage for this
    # question, below passages that only mention -C; grep and ls have -C entries of their own.
    docs = tmp_path / "man"
    docs.mkdir()
    for page in PAGES:
        (docs / f"{page}.1.gz").write_bytes((INSTALLED / f"{page}.1.gz").read_bytes())
    bot = Assistant.from_folder(docs, index_dir=tmp_path / "idx", progress=False)
    reply = bot.ask("What does tar's -C option do?")
    assert not reply.abstained, reply.text
    first = reply.citations[0]
    assert first.source == "tar.1.gz" and "Change to DIR" in first.snippet, reply.text
    # ls's -S entry answers; xz's "-S .suf" is of another program, however well it ranks.
    reply = bot.ask("What does ls -S do?")
    assert reply.citations and reply.citations[0].source == "ls.1.gz", reply.text
    assert {c.source for c in reply.citations} == {"ls.1.gz"}, reply.text
    # Asked of the other pages only, no tar entry is brought in.
    reply = bot.ask("What does tar's -C option do?", filters={"sources": ["grep*", "ls*", "less*"]})
    assert all(c.source != "tar.1.gz" for c in reply.citations), reply.text
    assert all(p.source != "tar.1.gz" for p in reply.passages), reply.text
