"""How a cited snippet reads in the answer bubble.

A snippet is the exact text of its file. In a Markdown, reST or Org file that text carries the
file's markup ("[[Sync|Obsidian Sync]]", "**Default:** `2048`", "`plugins <https://...>`_"),
which the bubble shows as the document reads once rendered: links as their labels, emphasis,
inline code, no images and no HTML tags. Its lines keep their shape: a heading it starts
with, list items and paragraphs stand on lines of their own, a fenced block is code. The
sources panel still shows the exact characters.

Every piece of document text still goes through :func:`~askseeds.web.escape.esc`; the only
live tags are written here (``strong``, ``em``, ``del``, ``code``, ``span``).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from ..ingest.clean import (
    ADOC_BLOCK_TITLE,
    ADOC_HEADING,
    CODE_DIRECTIVE,
    DIRECTIVE,
    HEADING_MARK,
    LIST_MARK,
    ORG_HEADING,
    ORG_TAGS,
    UNDERLINE,
    asciidoc_line,
    is_fence,
    org_line,
    shown_text,
)
from ..ingest.load import document_suffix
from .escape import esc, one_line

__all__ = ["markup_of", "quote_html", "quote_text"]

# Inline markup by file suffix. Converted files (PDF, HTML, DOCX, EPUB) and plain text are
# literal: an asterisk there is an asterisk. A notebook's text is its Markdown cells'.
_MARKUP = {".md": "markdown", ".markdown": "markdown", ".rst": "rst", ".org": "org"}
_MARKUP |= {".adoc": "asciidoc", ".asciidoc": "asciidoc", ".ipynb": "markdown"}

# CommonMark with ~~strikethrough~~; raw HTML is parsed so that its tags can be dropped.
_PARSER = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
_TAGS = {
    "strong_open": "<strong>",
    "strong_close": "</strong>",
    "em_open": "<em>",
    "em_close": "</em>",
    "s_open": "<del>",
    "s_close": "</del>",
}
# reST: "`label <url>`_", ":role:`label <target>`" and ":role:`text`" show their label;
# "`name`_" its name.
_RST_LABELLED = re.compile(r"(?::[\w.+-]+:)?`([^`<]+?)\s*<[^>]*>`_{0,2}")
_RST_ROLE = re.compile(r":[\w.+-]+:`([^`]+)`")
_RST_REFERENCE = re.compile(r"(?<!`)`([^`]+)`_{1,2}(?!\w)")
# Org: "[[target][label]]" shows its label, "[[target]]" its target; "=verbatim=" and
# "~code~" are code, "*bold*" is strong.
_ORG_LINK = re.compile(r"\[\[([^\]]+)\](?:\[([^\]]+)\])?\]")
_ORG_CODE = re.compile(r"(?<![\w=~])([=~])(\S(?:[^\n]*?\S)??)\1(?![\w=~])")
_ORG_BOLD = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*?\S)??)\*(?![\w*])")
# AsciiDoc: a link ("https://x[label^]", "link:x[label]", "{url-ruby}[Ruby]", "xref:a.adoc[A]")
# and a cross reference ("<<id,label>>") show their label, else their target; "*bold*" is
# strong; "`+{x}+`" is the code "{x}"; a list item is "* ", "** ", ". " or "- ".
_ADOC_LINK = re.compile(
    r"(?:(?:link|xref|mailto):)?((?:https?://|\{)[^\s\[\]]*|(?<=xref:)[^\s\[\]]+)\[([^\]]*)\]"
)
_ADOC_XREF = re.compile(r"<<([^,>]+)(?:,\s*([^>]+))?>>")
_ADOC_PASS = re.compile(r"`\+(.+?)\+`")
_ADOC_ITEM = re.compile(r"(?:\*{1,5}|\.{1,5}|-)[ \t]+(?=\S)")
_QUOTE_MARK = re.compile(r"(?:>\s?)+")
_ENDS_SENTENCE = re.compile(r"[.!?:;,]['\"”’)\]*_]*$")
_HEAD_WORDS = 12


def markup_of(source: str) -> str | None:
    """The inline markup ``source`` (a corpus path) is written in: ``"markdown"``, ``"rst"``,
    or ``None`` when its text is literal."""
    return _MARKUP.get(document_suffix(source))


def quote_html(snippet: str, markup: str | None = None) -> str:
    """A cited snippet as one line of HTML for the answer bubble.

    Args:
        snippet: the exact quoted text.
        markup: ``markup_of`` its file; ``None`` shows every character as written.
    """
    return _lay_out(_lead_heading(_parts(snippet, markup)), markup)


def quote_text(snippet: str, markup: str | None = None) -> str:
    """A cited snippet as plain text read the same way (for a terminal): inline code in
    backticks, a heading, list items and paragraphs on lines of their own, code indented."""
    lines: list[str] = []
    for kind, text in _lead_heading(_parts(snippet, markup)):
        if kind == "code":
            lines.append(f"    {text}")
        elif kind != "break":
            lines.append(_inline(text, markup, html=False))
    return "\n".join(lines)


def _parts(snippet: str, markup: str | None) -> list[tuple[str, str]]:
    """The snippet's lines read as ``(kind, text)``: "text" (a paragraph, its lines joined),
    "item", "head", "code" (a line of code) and "break" (a blank line)."""
    parts: list[tuple[str, str]] = []  # (kind, text): "text", "item", "head", "code", "break"
    code_until = -1  # reST: a literal block lasts while lines are indented deeper than this
    literal_indent = -1  # ... and is shown without the indentation of its first line
    fenced = False
    org_block = ""  # Org: the open "#+begin_..." block's name
    adoc_block = ""  # AsciiDoc: the open listing, literal, passthrough or comment block
    for line in snippet.splitlines():
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if markup == "asciidoc" and stripped:
            adoc_block, kind = asciidoc_line(stripped, adoc_block)
            if kind == "code":
                parts.append(("code", line.rstrip()))
            if kind:
                continue
            if not indent and (heading := ADOC_HEADING.match(stripped)):
                parts.append(("head", stripped[heading.end() :].rstrip("= ")))
                continue
            starts = not parts or parts[-1][0] == "break"
            if not indent and starts and ADOC_BLOCK_TITLE.match(stripped):
                parts.append(("head", stripped[1:]))
                continue
            if item := _ADOC_ITEM.match(stripped):  # ". step": numbered when rendered, not here
                parts.append(("item", f"• {stripped[item.end() :]}"))
                continue
        if markup == "org":
            org_block, kind = org_line(stripped, org_block)
            if kind == "code":
                parts.append(("code", line.rstrip() if org_block else stripped[1:].strip()))
            if kind in ("code", "markup"):
                continue
            if stripped and (heading := ORG_HEADING.match(stripped)) and not indent:
                tags = ORG_TAGS.search(stripped)
                parts.append(("head", stripped[heading.end() : tags.start() if tags else None]))
                continue
        if is_fence(line):
            fenced = not fenced
            continue
        if fenced and stripped:
            parts.append(("code", line.rstrip()))
        if fenced:
            continue
        if code_until >= 0 and (indent > code_until or not stripped):
            if stripped:
                literal_indent = indent if literal_indent < 0 else min(indent, literal_indent)
                parts.append(("code", line[literal_indent:].rstrip()))
            continue
        code_until = literal_indent = -1
        if not stripped:
            parts.append(("break", ""))
            continue
        if (  # a heading's underline: "Title" over "=====" (Markdown: "=" or "-" only)
            markup
            and UNDERLINE.fullmatch(stripped)
            and (markup == "rst" or stripped[0] in "=-")
            and parts
            and parts[-1][0] == "text"
        ):
            parts[-1] = ("head", parts[-1][1])
            continue
        if markup == "rst":
            if DIRECTIVE.match(stripped):
                if CODE_DIRECTIVE.match(stripped):
                    code_until = indent
                continue
            if stripped.endswith("::"):
                code_until = indent
                stripped = stripped[:-1].rstrip(":").rstrip() + (":" if stripped != "::" else "")
                if not stripped:
                    continue
        if markup == "markdown":
            stripped = _QUOTE_MARK.sub("", stripped, count=1) if stripped[0] == ">" else stripped
            heading = HEADING_MARK.match(stripped)
            if heading and heading.end() < len(stripped):
                parts.append(("head", stripped[heading.end() :]))
                continue
        item = LIST_MARK.match(stripped) if markup else None
        if item:
            text = stripped[item.end() :]
            if markup == "markdown":
                text = HEADING_MARK.sub("", text, count=1)
            label = "•" if stripped[0] in "-*+•" else item.group().split()[0]
            parts.append(("item", f"{label} {text}"))
        elif parts and parts[-1][0] in ("text", "item"):
            parts[-1] = (parts[-1][0], f"{parts[-1][1]} {stripped}")
        else:
            parts.append(("text", stripped))
    return parts


def _lead_heading(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A snippet that opens with a short line standing alone, not a sentence, opens with its
    heading: the quote starts where the heading's text does, after its marks."""
    if (
        len(parts) > 2
        and parts[0][0] == "text"
        and parts[1][0] == "break"
        and not _ENDS_SENTENCE.search(parts[0][1])
        and len(parts[0][1].split()) <= _HEAD_WORDS
    ):
        return [("head", parts[0][1]), *parts[1:]]
    return parts


def _lay_out(parts: list[tuple[str, str]], markup: str | None) -> str:
    out: list[str] = []
    before = ""  # the kind of what was laid out last, a blank line between counting
    for kind, text in parts:
        if kind == "code":
            shown = esc(text).replace(" ", "&#32;").replace("\t", "&#32;" * 4)
            out.append(f'<code class="ans-code">{shown}</code>')
        elif kind in ("head", "item"):
            out.append(f'<span class="ans-{kind}">{_inline(text, markup)}</span>')
        elif kind == "text":
            # Code, headings and items stand on lines of their own already (CSS blocks).
            if before == "break" and out:
                out.append("<br>")
            out.append(_inline(text, markup))
        if kind != "break" or before == "text":
            before = kind
    return " ".join(out)


def _inline(text: str, markup: str | None, html: bool = True) -> str:
    """One line of prose as HTML (or plain text): its inline markup rendered when ``markup``
    says it has any."""
    text = one_line(text)
    shown = esc if html else str
    if markup is None:
        return shown(text)
    if markup == "rst":
        text = _RST_REFERENCE.sub(r"\1", _RST_ROLE.sub(r"\1", _RST_LABELLED.sub(r"\1", text)))
    if markup == "asciidoc":
        text = _ADOC_LINK.sub(lambda m: m.group(2).split(",")[0].rstrip("^") or m.group(1), text)
        text = _ADOC_XREF.sub(lambda m: m.group(2) or m.group(1), _ADOC_PASS.sub(r"`\1`", text))
        text = _ORG_BOLD.sub(r"**\1**", text)
    if markup == "org":
        text = _ORG_LINK.sub(lambda m: m.group(2) or m.group(1), text)
        text = _ORG_BOLD.sub(r"**\1**", _ORG_CODE.sub(lambda m: f"`{m.group(2)}`", text))
    out: list[str] = []
    for token in _PARSER.parseInline(text)[0].children or ():
        if token.type == "text":
            # Wiki links ("[[Sync|Obsidian Sync]]"), reference links and embeds, which
            # CommonMark leaves as text.
            out.append(shown(shown_text(token.content)))
        elif token.type == "code_inline":
            code = shown(token.content)
            out.append(f'<code class="ans-inline">{code}</code>' if html else f"`{code}`")
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif html:  # a link shows its label, not its target; images and HTML tags show nothing
            out.append(_TAGS.get(token.type, ""))
    return one_line("".join(out))
