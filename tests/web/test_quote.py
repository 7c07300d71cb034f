"""A cited snippet reads in the answer bubble as its document reads rendered, and stays inert."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from askseeds.types import Answer, Citation
from askseeds.web import render
from askseeds.web.quote import markup_of, quote_html, quote_text


def _shown(out: str) -> str:
    """The bubble's text as a reader sees it."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", out)).split())


OUR_TAGS = re.compile(
    r'<(?:strong|em|del|br|code class="ans-(?:code|inline)"|span class="ans-(?:head|item)")>'
    r"|</(?:strong|em|del|code|span)>"
)
PIECES = [*"ab1 <>[]()!*_`~|#:/\\\n\t-=.\"'&;", "javascript:", "<script>", "[[", "]]", "**", "```"]
PIECES += ["onerror=", ".. code-block::", "::", "`x <u>`_", ":ref:`", "&#x27;", "- ", "1. "]
PIECES += ["* ", "#+begin_src", "#+end_src", ":PROPERTIES:", ":END:", "=v=", "~c~", "][", ": "]
PIECES += ["== ", "----", "////", ":toc:", "link:", "xref:", "https://x[", "<<", ">>", "`+", "+`"]


def _tags(out: str) -> set[str]:
    return set(re.findall(r"<(\w+)", out))


@pytest.mark.parametrize(
    ("source", "markup"),
    [("notes/Sync.md", "markdown"), ("README.MARKDOWN", "markdown"), ("docs/index.rst", "rst")]
    + [("notes/plans.org", "org"), ("NEWS.md.gz", "markdown"), ("guide.rst.xz", "rst")]
    + [("docs/install.adoc", "asciidoc"), ("guide.asciidoc", "asciidoc")]
    + [(name, None) for name in ("a.txt", "page.html", "manual.pdf", "memo.docx", "README")]
    + [(name, None) for name in ("README.gz", "notes.txt.bz2", "md.gz")],
)
def test_markup_is_read_from_the_file_suffix(source, markup):
    assert markup_of(source) == markup


def test_markdown_links_show_their_labels_and_emphasis_renders():
    snippet = (
        "For your safety, [[Introduction to Obsidian Sync|Obsidian Sync]] encrypts your "
        "[[Local and remote vaults]] with **AES-256** via the [docs](https://x.org/a_b) and "
        "[reference][1], *always* ~~never~~ ![[diagram.png]]![logo](logo.png) `[[x]]`."
    )
    out = quote_html(snippet, "markdown")
    assert _shown(out) == (
        "For your safety, Obsidian Sync encrypts your Local and remote vaults with AES-256 via "
        "the docs and reference, always never [[x]] ."
    )
    assert "<strong>AES&#45;256</strong>" in out and "<em>always</em>" in out
    assert "<del>never</del>" in out
    # Syntax quoted as code stays as written: the note teaches it.
    assert '<code class="ans-inline">&#91;&#91;x&#93;&#93;</code>' in out
    assert "href" not in out and "img" not in out and "x.org" not in out


def test_the_same_characters_are_literal_in_plain_text_and_converted_files():
    snippet = "Use *attrs* with [[x]] and `code` <kbd>Ctrl</kbd>."
    for source in ("notes.txt", "page.html", "manual.pdf"):
        out = quote_html(snippet, markup_of(source))
        assert _shown(out) == snippet and _tags(out) == set()


def test_html_in_markdown_shows_no_tags_and_stays_inert():
    snippet = (
        'Press <kbd>Ctrl</kbd>+<kbd>P</kbd> <img src=x onerror="alert(1)"> '
        "[click](javascript:alert(1)) <script>alert(2)</script> $$x$$ **b**"
    )
    out = quote_html(snippet, "markdown")
    assert _shown(out).startswith("Press Ctrl+P click") and "alert(2) $$x$$ b" in _shown(out)
    assert _tags(out) == {"strong"}
    assert "javascript" not in out and "onerror" not in out and "$$" not in out


def test_rst_links_roles_and_literal_blocks():
    snippet = (
        "Over 1300+ `external plugins <https://docs.pytest.org/plugins>`_ and the "
        ":ref:`branch coverage <branch>` option, from the `Python Package Index`_, "
        "with ``__init__.py`` files:\n\n.. code-block:: shell\n\n   pip install -U sphinx\n"
        "     --pre\n"
    )
    out = quote_html(snippet, "rst")
    assert _shown(out).startswith(
        "Over 1300+ external plugins and the branch coverage option, from the Python Package "
        "Index, with __init__.py files:"
    )
    code = [html.unescape(c) for c in re.findall(r'<code class="ans-code">(.*?)</code>', out)]
    assert code == ["pip install -U sphinx", "  --pre"]  # the block's indent gone, not its shape
    assert "code-block" not in out


def test_org_links_code_drawers_and_blocks():
    snippet = (
        "* Plans :work:\nSee the [[info:org][comprehensive Org\nmode manual]] or [[Kiln]]: run"
        " =make= with ~-j~ for *speed* too.\n:PROPERTIES:\n:ID: 7\n:END:\n#+begin_src sh\n"
        "make  install\n#+end_src\n: make check\n- item <b>x</b>"
    )
    out = quote_html(snippet, "org")
    assert _shown(out) == (
        "Plans See the comprehensive Org mode manual or Kiln: run make with -j for speed too."
        " make install make check • item x"
    )
    assert '<span class="ans-head">Plans</span>' in out and "<strong>speed</strong>" in out
    assert '<code class="ans-inline">make</code>' in out and out.count("ans-code") == 2
    assert "ID" not in out and "begin_src" not in out and "<b>" not in out
    # each verbatim run ends at its first closing mark
    listed = quote_html("Items start with =-=, =+=, or =*= as bullets.", "org")
    codes = re.findall(r'<code class="ans-inline">([^<]*)</code>', listed)
    assert codes == ["&#45;", "&#43;", "&#42;"]
    assert quote_text(snippet, "org").splitlines()[:2] == [
        "Plans",
        "See the comprehensive Org mode manual or Kiln: run `make` with `-j` for speed too.",
    ]


def test_asciidoc_links_cross_references_code_and_blocks():
    snippet = (
        "== Ruby runtimes ==\n\nIt needs {url-ruby}[Ruby^] or"
        " https://jruby.org[JRuby,window=_blank] (see xref:install:index.adoc[Install],"
        " <<safe,the SAFE mode>> and <<setup>>); *pass* `+{x}+` too.\n"
        "[source,shell]\n----\ngem  install asciidoctor\n----\n:toc: left\n// a comment\n"
        "////\nhidden\n////\n** Bundler <b>x</b>\n. first"
    )
    out = quote_html(snippet, "asciidoc")
    assert _shown(out) == (
        "Ruby runtimes It needs Ruby or JRuby (see Install, the SAFE mode and setup); pass {x}"
        " too. gem install asciidoctor • Bundler x • first"
    )
    assert '<span class="ans-head">Ruby runtimes</span>' in out and "<strong>pass</strong>" in out
    codes = re.findall(r'<code class="ans-inline">([^<]*)</code>', out)
    assert [html.unescape(c) for c in codes] == ["{x}"] and out.count("ans-code") == 1
    assert not {"toc", "comment", "hidden", "source", "<b>"} & set(re.findall(r"<b>|\w+", out))
    assert quote_text(snippet, "asciidoc").splitlines()[:2] == [
        "Ruby runtimes",
        "It needs Ruby or JRuby (see Install, the SAFE mode and setup); pass `{x}` too.",
    ]


def test_a_leading_heading_list_items_and_paragraphs_stand_apart():
    snippet = "Proxies\n\nThe variables are read by:\n\n- cURL\n- requests\n\nSee below."
    out = quote_html(snippet, "markdown")
    assert out.startswith('<span class="ans-head">Proxies</span>')
    items = re.findall(r'<span class="ans-item">(.*?)</span>', out)
    assert [html.unescape(i) for i in items] == ["• cURL", "• requests"]
    assert _shown(out).endswith("See below.")
    # A sentence is no heading, and one paragraph's wrapped lines stay one line.
    out = quote_html("It is fast.\n\nIt is small and\nwell kept.", "markdown")
    assert "ans-head" not in out and _shown(out) == "It is fast. It is small and well kept."
    assert out.count("<br>") == 1


def test_headings_inside_a_snippet_lose_their_marks():
    out = quote_html("### Export Options\n\tOptions:\n\t\t- #### Text and HTML", "markdown")
    assert _shown(out) == "Export Options Options: • Text and HTML" and "#" not in _shown(out)
    out = quote_html("Title\n=====\n\nBody.", "rst")
    assert out.startswith('<span class="ans-head">Title</span>')


def test_the_bubble_and_the_conflict_list_read_markup_and_keep_exact_snippets():
    snippet = "The lamp is seen **24 miles** out, says [[Harbour log|the log]]."
    cite = Citation(1, "notes/light.md", 0, len(snippet), snippet, 0.9, context=snippet)
    for answer in (
        Answer("How far?", "x [1]", (cite,), False),
        Answer(
            "How far?",
            "x [1]",
            (cite, Citation(2, "b.txt", 0, 5, "**9**", 0.8)),
            False,
            conflict=True,
        ),
    ):
        bubble = render.render_answer(answer)
        assert "<strong>24 miles</strong>" in bubble and "the log" in _shown(bubble)
        assert "Harbour log" not in _shown(bubble)
        # The sources panel shows the characters the citation points at.
        assert "&#91;&#91;Harbour log" in render.render_sources(answer)
    assert "**9**" in _shown(render.render_answer(answer))  # a .txt file's asterisks


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_markup_renders_as_text_inside_our_own_tags_alone(text):
    for markup in ("markdown", "rst", "org", "asciidoc", None):
        out = quote_html(text, markup)
        rest = OUR_TAGS.sub("", out)
        assert "\n" not in out
        assert not set(rest) & set("<>\"'[]()`*_!:"), rest  # document text is all escaped


def test_plain_text_reads_the_same_way():
    snippet = (
        "Encryption\n\nUse [[Sync|Obsidian Sync]] with **care** and `--key`:\n\n- one\n\n"
        "```sh\nrun it\n```"
    )
    assert quote_text(snippet, "markdown").splitlines() == [
        "Encryption",
        "Use Obsidian Sync with care and `--key`:",
        "• one",
        "    run it",
    ]
    assert quote_text("a *b* [[c]]", None) == "a *b* [[c]]"
