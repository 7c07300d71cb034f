"""clean(): article text selected from the real seeds, debris never a block."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from askseeds.ingest.clean import clean, section_at
from askseeds.ingest.dates import parse_date

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

DEBRIS_MARKERS = (
    "人阅读",
    "ICP",
    "Copyright",
    "All Rights Reserved",
    "Editor:",
    "Originally published",
    "Images courtesy",
    "SOURCE Global Times",
    "COURTESY PHOTO",
    "EXPLORE SHINE",
    "Shenzhou-20",
    "(ECNS)",
    "Special Reports",
    "News / Nation",
    "UTC+8",
    "PRNewswire",
    "Daily Mail-Beijing Review",
)


def _seed(prefix: str) -> str:
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def _block_texts(text: str) -> list[str]:
    return [text[b.start : b.end] for b in clean(text).blocks]


def _assert_valid_blocks(text: str, org: bool = False) -> None:
    prev_end = 0
    cleaned = clean(text, org=org)
    for b in cleaned.blocks:
        assert prev_end <= b.start < b.end <= len(text)
        chunk = text[b.start : b.end]
        assert chunk == chunk.strip() and chunk
        prev_end = b.end
    assert all(0 <= at <= len(text) for at, _ in cleaned.sections)


def test_there_are_five_seeds() -> None:
    assert len(SEED_FILES) == 5


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_no_debris_in_blocks(path: Path) -> None:
    blocks = _block_texts(path.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for block in blocks:
        for marker in DEBRIS_MARKERS:
            assert marker not in block, (marker, block[:80])


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_blocks_are_valid_spans(path: Path) -> None:
    _assert_valid_blocks(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("prefix", "needle"),
    [
        ("000", "284 pairs"),
        ("001", "284 pairs"),
        ("002", "284 pairs"),
        ("003", "284 pairs"),
        ("003", "St. Louis became the first pair of sister cities"),
        ("004", "288 sister relationships"),
        ("004", "St. Louis, Missouri, established the first"),
    ],
)
def test_article_sentences_kept(prefix: str, needle: str) -> None:
    assert any(needle in block for block in _block_texts(_seed(prefix)))


@pytest.mark.parametrize(
    ("prefix", "title", "date"),
    [
        ("000", None, None),
        (
            "001",
            "Global Times: China-US sister cities: Building ‘bridges of friendship’",
            "2023-11-06",
        ),
        ("002", "Xi says China, US sister cities cooperation fruitful", "2023-11-03"),
        ("003", "China, U.S. have established 284 ‘sister’ pairs: video dialogue", None),
        ("004", "Local cooperation for a sustainable China-U.S. future", None),
    ],
)
def test_title_and_date(prefix: str, title: str | None, date: str | None) -> None:
    cleaned = clean(_seed(prefix))
    assert cleaned.title == title
    assert cleaned.date == date


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_title_is_not_a_block(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    cleaned = clean(text)
    if cleaned.title:
        assert all(text[b.start : b.end] != cleaned.title for b in cleaned.blocks)


def test_every_article_paragraph_of_003_is_a_block() -> None:
    text = _seed("003")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()][1:]  # minus the title
    assert _block_texts(text) == paragraphs


def test_subheadings_of_004_give_sections_and_stay_searchable() -> None:
    text = _seed("004")
    cleaned = clean(text)
    assert [name for _, name in cleaned.sections] == [
        "Links across the Pacific",
        "A constant driving force",
    ]
    # Each subheading is searchable, joined to the paragraph it heads.
    after = [text[b.start : b.end] for b in cleaned.blocks if b.start >= cleaned.sections[1][0]]
    assert after[0].startswith("A constant driving force\n\nRobert Wagner")
    assert cleaned.headings == ()
    assert section_at(cleaned.sections, cleaned.blocks[0].start) is None
    assert section_at(cleaned.sections, cleaned.blocks[-1].start) == "A constant driving force"


def test_dateline_and_trailing_credit_are_cut() -> None:
    first = _block_texts(_seed("001"))[0]
    assert first.startswith("Chinese President")
    last = _block_texts(_seed("004"))[-1]
    assert last.endswith("future for China-U.S. relations.")


def test_first_block_of_000_is_its_first_line() -> None:
    text = _seed("000")
    assert clean(text).blocks[0].start == 0


PROSE = """I keep these notes about the garden so that next spring I remember what worked.

The tomatoes did well on the south wall, but the basil bolted in July when the
heat came early. Next year it goes in the shade of the bean frame.

Watering every second evening was enough. The rain barrel ran dry only once.
"""


def test_plain_prose_comes_through_whole() -> None:
    blocks = _block_texts(PROSE)
    paragraphs = [p.strip() for p in PROSE.split("\n\n") if p.strip()]
    assert blocks == paragraphs
    assert clean(PROSE).title is None
    assert clean(PROSE).date is None


RELEASE_NOTES = """kiln 2.1

This release includes the following changes:

 o adds cone 10 firing schedules
 o fixes the door lock above 200 degrees, which stayed open when the
   controller restarted mid-firing
 o drops the old serial driver

El programa guarda el registro al terminar cada cocción y, si no puede,
o bien avisa al usuario, o bien lo escribe en la tarjeta.
"""


def test_release_notes_o_items_are_items_and_a_lone_o_is_a_word() -> None:
    blocks = _block_texts(RELEASE_NOTES)
    assert "adds cone 10 firing schedules" in blocks
    assert any(b.startswith("fixes the door lock") and b.endswith("mid-firing") for b in blocks)
    assert "drops the old serial driver" in blocks
    # Spanish prose whose wrapped line opens with "o": one paragraph, its "o" kept.
    assert any(b.startswith("El programa") and "\no bien avisa" in b for b in blocks), blocks
    _assert_valid_blocks(RELEASE_NOTES)


MARKDOWN = """# Release checklist

Before tagging, run the whole test suite on a clean checkout.

## Steps

- Bump the version number in pyproject.toml and in the changelog.
- Build the wheel and install it into a fresh virtual environment.
- Docs

```bash
make release
```

The release is announced on the mailing list once the wheel is uploaded.
"""


def test_markdown_headings_lists_and_code() -> None:
    cleaned = clean(MARKDOWN)
    blocks = [MARKDOWN[b.start : b.end] for b in cleaned.blocks]
    assert cleaned.title == "Release checklist"
    # A heading is joined to the paragraph right below it, else it stands alone.
    assert blocks == [
        "Release checklist\n\nBefore tagging, run the whole test suite on a clean checkout.",
        "Steps",
        "Bump the version number in pyproject.toml and in the changelog.",
        "Build the wheel and install it into a fresh virtual environment.",
        "Docs",
        "make release",
        "The release is announced on the mailing list once the wheel is uploaded.",
    ]
    # Each section starts where its heading's words do (the heading's own block).
    steps = MARKDOWN.index("Steps")
    assert cleaned.sections == ((2, ""), (steps, "Steps"))
    assert [MARKDOWN[h.start : h.end] for h in cleaned.headings] == ["Steps"]


# The head of a GitHub README as projects write it: a comment, centred HTML, badges whose
# link targets wrap, and a link bar wrapped over lines; then the content.
README_HEAD = """<!-- DO NOT EDIT THIS FILE DIRECTLY: edit the template, then
run render_readme.py -->

<div align="center">
<a href="https://kiln.example.org">
<img src="https://kiln.example.org/logo.svg" alt="kiln" width=350>
</a>
</div>

[![PyPI](https://img.shields.io/pypi/v/kiln.svg)](
https://pypi.org/project/kiln/)
[![Docs](https://img.shields.io/badge/docs-latest-blue.svg)](
https://kiln.example.org/docs)

[Website](https://kiln.example.org)
| [Documentation](https://kiln.example.org/docs/)
| [Guides](https://kiln.example.org/guides/)

# Kiln: firing schedules for pottery

Kiln plans and logs the firing schedules of an electric pottery kiln.

Specifications of the protocols it speaks:
Modbus RTU: https://modbus.example.org/rtu.pdf
Modbus TCP: https://modbus.example.org/tcp.pdf

```html
<!-- a comment inside a code sample is code -->
```
"""


def test_the_markup_around_a_readme_is_not_content() -> None:
    cleaned = clean(README_HEAD)
    blocks = [README_HEAD[b.start : b.end] for b in cleaned.blocks]
    assert cleaned.title == "Kiln: firing schedules for pottery"
    assert blocks[0] == (
        "Kiln: firing schedules for pottery\n\n"
        "Kiln plans and logs the firing schedules of an electric pottery kiln."
    )
    # Lines of bare URLs with their labels are content; so is a comment in a code block.
    assert any("Modbus RTU: https://modbus.example.org/rtu.pdf" in b for b in blocks)
    assert "<!-- a comment inside a code sample is code -->" in blocks
    text = " ".join(blocks)
    for debris in ("DO NOT EDIT", "render_readme", "<a href", "pypi.org/project", "[Website]",
                   "| [Guides]", "kiln.example.org/docs)"):
        assert debris not in text, debris


def test_front_matter_gives_title_and_date() -> None:
    text = "---\ntitle: Trip report\ndate: 2024-05-02\n---\n\nWe drove north for three days and saw the sea.\n"
    cleaned = clean(text)
    assert (cleaned.title, cleaned.date) == ("Trip report", "2024-05-02")
    assert _block_texts(text) == ["We drove north for three days and saw the sea."]


def test_chinese_prose_is_kept_but_licence_footer_is_not() -> None:
    text = "今天我们讨论了城市之间的合作项目，大家都很满意。\n\n京ICP备12345678号\n"
    assert _block_texts(text) == ["今天我们讨论了城市之间的合作项目，大家都很满意。"]


def test_years_inside_sentences_are_not_dates() -> None:
    text = "In 1979 the two cities signed an agreement that still holds today.\n"
    assert clean(text).date is None


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2023-11-03", "2023-11-03"),
        ("Nov. 6, 2023", "2023-11-06"),
        ("6 November 2023", "2023-11-06"),
        ("2023年11月3日", "2023-11-03"),
        ("2023-02-30", None),
        ("sometime", None),
    ],
)
def test_parse_date(value: str, iso: str | None) -> None:
    assert parse_date(value) == iso


def test_empty_and_blank_texts() -> None:
    for text in ("", "\n", "   \n\t\n", "\r\n\r\n"):
        assert clean(text).blocks == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400) | st.text(alphabet="ab C.?:#-—()/|\n\t 0129年", max_size=400))
def test_clean_never_raises_and_spans_are_valid(text: str) -> None:
    _assert_valid_blocks(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["* A", "** B :t:", "#+title: T", "#+begin_src", "#+end_src", "#+BEGIN_QUOTE",
             ":PROPERTIES:", ":ID: 1", ":END:", ": code", "# note", "- item", "text.", "",
             "-*- mode: org -*-", "  * indented", "*bold* =v=", "[[a][b]]"]
        ),
        max_size=30,
    ).map("\n".join)
)
def test_org_markup_in_any_order_gives_valid_spans(text: str) -> None:
    _assert_valid_blocks(text, org=True)
    _assert_valid_blocks(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(_seed("004").splitlines() + _seed("002").splitlines()), max_size=30)
)
def test_shuffled_seed_lines_give_valid_spans(lines: list[str]) -> None:
    _assert_valid_blocks("\n".join(lines))


def test_large_text_is_fast() -> None:
    import time

    one = "\n\n".join(p.read_text(encoding="utf-8") for p in SEED_FILES) + "\n\n"
    text = one * 200  # ~5 MB
    started = time.perf_counter()
    cleaned = clean(text)
    assert time.perf_counter() - started < 10  # about 0.5 s; linear in the size
    # The copies' short lines (subheadings) repeat 200 times: debris by repetition.
    once = {one[b.start : b.end] for b in clean(one).blocks}
    joined = "\n".join(once)  # a subheading repeated 200 times is not joined to its paragraph
    assert all(text[b.start : b.end] in joined for b in cleaned.blocks)
    assert len(cleaned.blocks) >= 0.9 * 200 * len(once)


def test_a_reference_s_field_lines_are_kept_though_they_repeat():
    entries = "".join(
        f"### `{name}`\n\n**Type**: `boolean`\n\n**Default**: `false`\n\n"
        f"**Environment Variable**: `APP_{name.upper()}`\n\n{what}\n\n"
        for name, what in [
            ("fast", "Skips the slow checks."),
            ("quiet", "Prints only errors."),
            ("color", "Colours the output."),
        ]
    )
    text = "# Settings\n\n" + entries
    kept = [text[b.start : b.end] for b in clean(text).blocks]
    assert sum("**Default**: `false`" in k for k in kept) == 3, kept
    assert sum("**Type**: `boolean`" in k for k in kept) == 3, kept
    assert any("APP_QUIET" in k for k in kept), kept
    # A run of short link-like lines is still a menu.
    menu = "Home\nDocs\nBlog\nAbout\n\n" + text
    kept = [menu[b.start : b.end] for b in clean(menu).blocks]
    assert not any(k.startswith(("Home", "Docs", "Blog")) for k in kept), kept


def test_entries_opening_with_the_same_wrapped_line_keep_it():
    # Two settings described alike: the shared first line is half a sentence, not a nav line.
    opening = "(multi-string) A list of file name patterns, the files to leave out of"
    text = "Settings\n========\n\n" + "".join(
        f"{name}\n{'-' * len(name)}\n\n{opening}\n{tail}\n\n"
        for name, tail in [
            ("run omit", "measurement or reporting. See the source option for details."),
            ("report omit", "reporting. This is a second entry with its own words."),
        ]
    )
    kept = [text[b.start : b.end] for b in clean(text).blocks]
    assert sum(k.startswith(opening) for k in kept) == 2, kept
    # A line repeated on its own is still dropped.
    nav = "Read the docs online\n\n" + text + "Read the docs online\n"
    kept = [nav[b.start : b.end] for b in clean(nav).blocks]
    assert not any(k.startswith("Read the docs") for k in kept), kept


def test_a_link_line_inside_a_sentence_keeps_the_paragraph_whole():
    text = (
        "# Settings\n\nDo not download entire wheels to extract metadata but use\n"
        "[HTTP range requests](https://example.org/range)\n"
        "to only download the METADATA files of wheels.\n"
    )
    kept = [text[b.start : b.end] for b in clean(text).blocks]
    whole = text[text.index("Do not") : text.index("wheels.\n") + len("wheels.")]
    assert any(k.endswith(whole) for k in kept), kept  # one block (under its heading)


MANUAL_TEXT = """Table of Contents
1 Introduction . . . . . . . . . . . . . . . . . . . . . . . 1
2 Firing schedules. . . . . . . . . . . . . . . . . . . . . 4
Preface ........................................... iii

1 Introduction

The kiln controller ramps the temperature at up to 300 degrees an hour. Its schedules
are stored on the card, so a power cut does not lose them.

```
print("ramp . . . . 300")
```
"""


def test_contents_and_index_entries_are_not_text() -> None:
    # A manual's contents and index lines (dot leaders up to a page number) say where the
    # answer is, not what it is: quoted, "2 Firing schedules . . . 4" answers nothing.
    cleaned = clean(MANUAL_TEXT)
    blocks = [MANUAL_TEXT[b.start : b.end] for b in cleaned.blocks]
    assert not [b for b in blocks if "Firing schedules" in b or "Preface" in b], blocks
    assert any(b.startswith("The kiln controller ramps") for b in blocks), blocks
    assert any('print("ramp . . . . 300")' in b for b in blocks), blocks  # code stays code


# The three ways plain-text FAQs are written: numbered items over indented answers (one
# item states a problem rather than asking), "Q:"/"A:" marks, and questions standing alone.
NUMBERED_FAQ = """                Frequently Asked Questions about Kiln


 1. Does kiln run on a Raspberry Pi?

    Yes.  It needs the serial adapter described in the manual.

 2. The controller returns E_TIMEOUT.

    Check that the baud rate matches the controller's, then restart the
    daemon.  A timeout is never fatal.

 3. Can kiln log to a database?

    Not by itself, no.  See the contrib/sql directory.

 4. Where do I report bugs?

    Send them to the mailing list.
"""

MARKED_FAQ = """Kiln FAQ
========

Q:  What does the name Kiln mean?

A:  Nothing. It is just the word for the oven.


Q:  Why is kiln named kiln if it drives furnaces?
    Shouldn't it be called furnace?

A:  The first controller it drove was a pottery kiln.


Q:  How do I make the log smaller?

A:  Give --quiet to the daemon.
"""


def test_an_faq_s_questions_head_their_answers() -> None:
    cleaned = clean(NUMBERED_FAQ)
    names = [name for _, name in cleaned.sections]
    assert names == [
        "Does kiln run on a Raspberry Pi?",
        "The controller returns E_TIMEOUT.",  # an item of a numbered FAQ, though it states
        "Can kiln log to a database?",
        "Where do I report bugs?",
    ]
    blocks = _block_texts(NUMBERED_FAQ)
    # A question is joined to its answer, as a heading to its paragraph, without its number.
    assert any(b.startswith("The controller returns E_TIMEOUT.\n\n    Check") for b in blocks)
    for at, name in cleaned.sections:
        assert NUMBERED_FAQ[at:].startswith(name.split()[0])

    cleaned = clean(MARKED_FAQ)
    names = [name for _, name in cleaned.sections][1:]  # the first is the title's
    # A question of two sentences on two lines is one heading; the marks are not its words.
    assert names == [
        "What does the name Kiln mean?",
        "Why is kiln named kiln if it drives furnaces? Shouldn't it be called furnace?",
        "How do I make the log smaller?",
    ]
    blocks = _block_texts(MARKED_FAQ)
    assert "Nothing. It is just the word for the oven." in blocks  # without its "A:"
    assert "Give --quiet to the daemon." in blocks


def test_questions_in_prose_are_not_headings() -> None:
    text = (
        "The council met on Monday to decide the budget.\n\n"
        "What happens next?\n\n"
        "The plan goes to a public vote in May, and the mayor expects it to pass.\n\n"
        "Who pays for it?\n\n"
        "The state covers half of the cost and the city the rest of it.\n"
    )
    assert clean(text).sections == ()
    assert "What happens next?" in _block_texts(text)


def test_an_unclosed_fence_is_text_not_code() -> None:
    # "~~~~" under a plain-text title is an underline: as a fence it would make the rest of
    # the file one block of code.
    text = (
        "Kiln FAQ\nRelease 3.1\n~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n"
        "The controller must be switched on before the daemon starts.\n\n"
        "Logs are written to the folder named in the settings file.\n"
    )
    blocks = _block_texts(text)
    assert "The controller must be switched on before the daemon starts." in blocks
    assert "Logs are written to the folder named in the settings file." in blocks
    closed = "Install it:\n\n~~~\npip install kiln\n~~~\n\nThen run the daemon once a day.\n"
    assert "pip install kiln" in _block_texts(closed)  # a closed fence is still code


def test_a_sentence_over_a_separator_rule_is_not_a_heading() -> None:
    text = (
        "1.1. How do you pronounce Kiln?\n"
        "As the word for the oven, with a silent n in some regions.\n\n"
        "Don't feel bad: almost everyone gets it wrong at first.\n"
        "------------------------------------------------------------------------\n\n"
        "1.2. Where does the name come from?\n"
        "From the pottery trade.\n\n"
        "------------------------------------------------------------------------\n\n"
        "1.3. Who wrote it?\n"
        "A potter who also wrote firmware.\n"
    )
    names = [name for _, name in clean(text).sections]
    assert "Don't feel bad: almost everyone gets it wrong at first." not in names
    assert names == [  # the entries' questions, without their numbers
        "How do you pronounce Kiln?",
        "Where does the name come from?",
        "Who wrote it?",
    ]


def test_a_myst_directive_holds_text_and_code() -> None:
    # pip's documentation: a tab holds a code block and prose; a note holds prose. Paired
    # one fence after another, the path became a heading over the rest of the page.
    text = (
        "# Caching\n\n### Default paths\n\n"
        "````{tab} Linux\n```\n~/.cache/pip\n```\n\n"
        "pip will also respect the XDG_CACHE_HOME variable.\n````\n\n"
        "```{note}\nThe cache is safe to delete at any time.\n```\n\n"
        "- ```\n  PIP_NO_CACHE_DIR=1\n  ```\n\n"
        "## Avoiding caching\n\nThe cache can be turned off for one install.\n"
    )
    cleaned = clean(text)
    assert [name for _, name in cleaned.sections] == ["", "Default paths", "Avoiding caching"]
    blocks = _block_texts(text)
    assert "pip will also respect the XDG_CACHE_HOME variable." in blocks
    assert "The cache is safe to delete at any time." in blocks
    assert "~/.cache/pip" in blocks and "PIP_NO_CACHE_DIR=1" in blocks  # code stays code
    assert not [b for b in blocks if "```" in b]


# A note as Obsidian keeps them: wiki links, an embedded image, callouts, and a list of
# links to other notes, each with a line that describes it.
WIKI_NOTE = """---
aliases:
  - Kiln sync
---
Kiln Sync is an add-on service that copies your firing logs between controllers.

> [!warning] Logs within logs
> Because [[Internal links]] are local to a log folder, do not nest [[Log folder|log folders]].

> [!NOTE]
> The controller must be online to sync its logs.

![[kiln-diagram.png]]

## How to use Kiln Sync

- [[Set up Kiln Sync]]
\t- Set up Sync on all your controllers.
- [[Plans and storage limits|Storage limits]]
\t- Learn about the storage plans.
- [[Version history]]
\t- View or restore earlier firing logs.
"""


def test_a_wiki_note_s_marks_and_link_lists_are_not_text() -> None:
    blocks = _block_texts(WIKI_NOTE)
    # A callout's title heads its body, without the mark; an alert's mark alone is nothing.
    assert any(b.startswith("Logs within logs\n> Because [[Internal links]]") for b in blocks)
    assert "The controller must be online to sync its logs." in blocks
    assert not any("[!" in b for b in blocks)
    assert not any("kiln-diagram" in b for b in blocks)  # an embed, like an image
    # Links to other notes, each over its description, are the note's menu: not quoted.
    assert not any(b.startswith("[[") for b in blocks)
    assert "Set up Sync on all your controllers." in blocks
    # A callout is no section: the heading after it still starts one of the document's.
    assert [name for _, name in clean(WIKI_NOTE).sections] == ["How to use Kiln Sync"]


# A Logseq page: properties first, then an outline whose bullets may be headings.
OUTLINE_PAGE = """type:: [[Feature]]
platforms:: [[All Platforms]] except [[Publish Web]]
alias:: term/undo
description:: Allows users to revert or reapply changes made while editing.
collapsed:: true

- ## Usage
\t- Keyboard shortcuts:
\t\t- Undo: Press `mod` + `z`.
\t\t- Redo: Press `mod` + `Shift` + `z`.
- ## Functionality
\t- Undos and redos occur across pages in the global mode.
\t- ### Limitations
\t\t- Currently unavailable for flashcards and page previews.
"""


def test_an_outline_s_properties_and_bullet_headings() -> None:
    cleaned = clean(OUTLINE_PAGE)
    blocks = _block_texts(OUTLINE_PAGE)
    # A property that says something is a line of its own; one of a few words is metadata.
    assert blocks[0] == "description:: Allows users to revert or reapply changes made while editing."
    assert not any("::" in b for b in blocks[1:])
    # A bullet that is a heading heads the bullets below it, at its level, without its marks.
    assert [name for _, name in cleaned.sections] == [
        "Usage",
        "Functionality",
        "Functionality \u203a Limitations",
    ]
    assert "Usage" in blocks and not any("#" in b for b in blocks)
    assert "Undo: Press `mod` + `z`." in blocks


# GNU's NEWS files, kept in Emacs's outline mode: stars at the margin are headings.
OUTLINE_NEWS = """GNU kiln NEWS                                    -*- outline -*-

* Noteworthy changes in release 3.8 (2022-09-02) [stable]

** Changes in behavior

  The -P option is now based on PCRE2 instead of the older PCRE.
  * This star is indented: text, not a heading.

** Bug fixes

  The -s option no longer suppresses "binary file matches" messages.
  [Bug#51860 introduced in kiln 3.5]

* Noteworthy changes in release 3.7 (2021-08-14) [stable]

  Use of the -u option now evokes a warning.
"""


def test_an_outline_mode_file_s_stars_are_its_headings() -> None:
    cleaned = clean(OUTLINE_NEWS)
    assert cleaned.title == "GNU kiln NEWS"  # the mode line is Emacs's, not the title's
    release = "Noteworthy changes in release 3.8 (2022-09-02) [stable]"
    assert [name for _, name in cleaned.sections] == [
        release,
        f"{release} \u203a Changes in behavior",
        f"{release} \u203a Bug fixes",
        "Noteworthy changes in release 3.7 (2021-08-14) [stable]",
    ]
    assert section_at(cleaned.sections, OUTLINE_NEWS.index("-s option")) == f"{release} \u203a Bug fixes"
    blocks = _block_texts(OUTLINE_NEWS)
    assert not any(b.startswith("*") for b in blocks if "indented" not in b)
    assert any("This star is indented" in b for b in blocks)
    # Without the mode line, a star at the margin is a list item, as in Markdown.
    plain = OUTLINE_NEWS.replace("-*- outline -*-", "")
    assert not [name for _, name in clean(plain).sections if "Noteworthy" in name]


ORG_NOTE = """#+title: Kiln notes
#+author: Ada
# a comment nobody reads

* Firing :work:
:PROPERTIES:
:ID: 42
:END:

Kiln fires glaze at 1200 degrees.  See [[https://kiln.example][the manual]].

#+begin_src sh
make fire
#+end_src

: kiln --dry-run

** TODO Cooling
- Cool for =8= hours.
"""


def test_an_org_file_s_markup_is_not_content() -> None:
    cleaned = clean(ORG_NOTE, org=True)
    blocks = [ORG_NOTE[b.start : b.end] for b in cleaned.blocks]
    assert cleaned.title == "Kiln notes"
    assert [name for _, name in cleaned.sections] == ["Firing", "Firing \u203a TODO Cooling"]
    assert any(b.startswith("Kiln fires glaze at 1200 degrees.") for b in blocks)
    assert "make fire" in " ".join(blocks) and "Cool for =8= hours." in blocks
    said = " ".join(blocks)
    for markup in ("#+", ":PROPERTIES:", ":ID:", "a comment", "Ada", ":work:"):
        assert markup not in said, markup
    # The same text not known as Org keeps its stars as list items.
    assert "Firing" not in " ".join(name for _, name in clean(ORG_NOTE).sections)


ASCIIDOC_PAGE = """= Kiln Guide
:navtitle: Kiln
:url-kiln: https://kiln.example

The kiln fires glaze at 1200 degrees, as the xref:manual.adoc[manual] says.

// TODO: say more
== Firing ==

.Before you start
[source,shell]
----
kilnctl  preheat
== not a heading
----

 kilnctl --dry-run

Cool the kiln for eight hours.

include::partial$warning.adoc[]

[%autowidth]
|===
|Cone |Degrees

|Cone 6
|1222
|===

////
The old firing table, hidden.
////

=== Glazes

* Celadon turns green in reduction.
"""


def test_an_asciidoc_file_s_markup_is_not_content() -> None:
    cleaned = clean(ASCIIDOC_PAGE, asciidoc=True)
    text = ASCIIDOC_PAGE
    blocks = [text[b.start : b.end] for b in cleaned.blocks]
    assert cleaned.title == "Kiln Guide"
    assert [name for _, name in cleaned.sections if name] == [
        "Firing",
        "Firing \u203a Before you start",
        "Firing \u203a Glazes",
    ]
    said = " ".join(blocks)
    assert "The kiln fires glaze at 1200 degrees" in said and "Cool the kiln" in said
    assert "Cone 6" in said and "1222" in said and "Celadon turns green" in said
    for markup in (":navtitle:", "TODO", "[source", "----", "include::", "|===", "hidden"):
        assert markup not in said, markup
    # A listing's lines and a literal paragraph are code, never a heading or prose.
    assert not [h for h in cleaned.headings if "heading" in text[h.start : h.end]]
    _assert_valid_blocks(text)
    # The same text not known as AsciiDoc has no such sections.
    assert "Firing" not in " ".join(name for _, name in clean(text).sections)
