"""Pure functions turning an :class:`~askseeds.types.Answer` into HTML for the web chat.

Nothing here imports Gradio. Every piece of document or question text goes through
:func:`~askseeds.web.escape.esc`, which HTML-escapes it *and* turns markdown/LaTeX punctuation into numeric
character references, so a document holding ``<script>``, ``<img onerror=...>`` or
``[x](javascript:...)`` is shown as literal text whether the result is read as HTML or
as markdown. Only the markup written here (tags, classes, ``#src-...`` anchors) is live.

Ids: a source card is ``src-{turn}-{n}`` (citation *n* of chat turn *turn*) and a
closest-passage card of an abstention is ``src-{turn}-p{i}``; the answer's ``[n]``
markers are ``<a class="cite" href="#src-{turn}-{n}">``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..ingest.clean import SECTION_SEP
from ..ingest.tables import cells
from ..types import Answer, Citation, Passage
from .escape import esc, one_line
from .quote import markup_of, quote_html

NOT_FOUND = "Not found in the documents."
GENERIC_ERROR = "Sorry, something went wrong while answering. Please try again."

_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\r\f\v]*\n\s*\n\s*")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _cite_id(turn: int, number: int | str) -> str:
    return f"src-{turn}-{number}"


def marker(turn: int, number: int) -> str:
    """A clickable ``[n]`` marker pointing at source card *n* of *turn*."""
    target = _cite_id(turn, number)
    return f'<a class="cite" href="#{target}" title="Show source {number}">[{number}]</a>'


def source_label(title: str | None, source: str) -> str:
    """The human name of a document: its title, else its file name."""
    return (title or "").strip() or source.rsplit("/", 1)[-1]


def highlight_context(context: str, offset: int, snippet: str, around: int = 320) -> str:
    """``context`` escaped, with ``snippet`` (found at ``offset``) wrapped in ``<mark>``.

    Falls back to searching for the snippet, then to the snippet alone, when the
    offsets do not line up. At most ``around`` characters are kept on each side.
    """
    if snippet and context:
        if not (0 <= offset <= len(context) and context[offset : offset + len(snippet)] == snippet):
            offset = context.find(snippet)
        if offset >= 0:
            before = _tidy(_clip_left(context[:offset], around))
            after = _tidy(_clip_right(context[offset + len(snippet) :], around))
            return f"{esc(before)}<mark>{esc(_tidy(snippet))}</mark>{esc(after)}"
    return f"<mark>{esc(_tidy(snippet))}</mark>" if snippet else esc(_tidy(context))


def _tidy(text: str) -> str:
    """Blank lines become one line break; other whitespace runs one space."""
    text = _BLANKS.sub("\n", text)
    return _SPACES.sub(" ", text)


def _clip_left(text: str, limit: int) -> str:
    """The last ~``limit`` characters of ``text``, cut at a space, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "\u2026" + (cut[space + 1 :] if 0 <= space < limit // 3 else cut)


def _clip_right(text: str, limit: int) -> str:
    """The first ~``limit`` characters of ``text``, cut at a space, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut) + "\u2026"


# A deck's pages are its slides.
_DECKS = (".pptx", ".odp", ".fodp")


def page_label(source: str, page: int) -> str:
    """A page as its document names it: "p. 3", or a deck's "slide 3"."""
    return f"{'slide' if source.lower().endswith(_DECKS) else 'p.'} {int(page)}"


def place_label(source: str, page: int | None = None, section: str | None = None) -> str:
    """Where a quote sits, as plain text: "README.md › Features", "manual.pdf, p. 3",
    "talk.pptx, slide 2"."""
    label = f"{source}{SECTION_SEP}{section}" if section else source
    return f"{label}, {page_label(source, page)}" if page else label


def _meta(
    source: str,
    date: str | None,
    start: int | None = None,
    end: int | None = None,
    place: Any = None,
) -> str:
    parts = []
    if date:
        parts.append(f'<span class="src-date">{esc(date)}</span>')
    where = f'<code class="src-file">{esc(source)}</code>'
    section, page = getattr(place, "section", None), getattr(place, "page", None)
    if section:
        where += f'{SECTION_SEP}<span class="src-section">{esc(section)}</span>'
    if page:
        where += f', <span class="src-page">{page_label(source, page)}</span>'
    parts.append(where)
    if start is not None and end is not None:
        parts.append(f'<span class="src-span">chars {int(start)}&#8211;{int(end)}</span>')
    return '<div class="src-meta">' + " &#183; ".join(parts) + "</div>"


def _also_in(locations: Iterable[Any]) -> str:
    items = [
        f"{esc(source_label(loc.title, loc.source))} (<code>{esc(loc.source)}</code>"
        + (f", {esc(loc.date)}" if loc.date else "")
        + ")"
        for loc in locations
    ]
    if not items:
        return ""
    return '<div class="src-also">Also in: ' + "; ".join(items) + "</div>"


def citation_card(cit: Citation, turn: int) -> str:
    """One source card: number, title, date, file and the highlighted sentence in context."""
    context = cit.context or cit.snippet
    body = highlight_context(context, cit.start - cit.context_start, cit.snippet)
    return (
        f'<div class="src" id="{_cite_id(turn, cit.number)}">'
        f'<div class="src-head"><span class="src-num">{int(cit.number)}</span>'
        f'<span class="src-title">{esc(source_label(cit.title, cit.source))}</span></div>'
        f"{_meta(cit.source, cit.date, cit.start, cit.end, cit)}"
        f'<blockquote class="src-ctx">{body}</blockquote>'
        f"{_also_in(cit.also_in)}"
        "</div>"
    )


def passage_card(passage: Passage, turn: int, index: int) -> str:
    """A closest-passage card, shown when the assistant abstains."""
    return (
        f'<div class="src src-near" id="{_cite_id(turn, f"p{index}")}">'
        f'<div class="src-head"><span class="src-num src-num-near">{index}</span>'
        f'<span class="src-title">{esc(source_label(passage.title, passage.source))}</span></div>'
        f"{_meta(passage.source, passage.date, passage.start, passage.end, passage)}"
        f'<blockquote class="src-ctx">{esc(_tidy(passage.text))}</blockquote>'
        f"{_also_in(passage.also_in)}"
        "</div>"
    )


def _notes(answer: Answer) -> str:
    lines = []
    resolved = one_line(answer.resolved_question)
    if resolved and resolved.casefold() != one_line(answer.question).casefold():
        lines.append(f"Searched for: &#8220;{esc(resolved)}&#8221;")
    lines.extend(esc(one_line(note)) for note in answer.notes if one_line(note))
    if not lines:
        return ""
    return "".join(f'<div class="ans-note">{line}</div>' for line in lines)


def _closest(passages: Sequence[Passage], turn: int) -> str:
    """An abstention's list of closest passages, grouped by document, linking to their cards."""
    if not passages:
        return ""
    groups: dict[str, list[str]] = {}
    for i, p in enumerate(passages, 1):
        target = _cite_id(turn, f"p{i}")
        groups.setdefault(source_label(p.title, p.source), []).append(
            f'<a class="cite near" href="#{target}" title="Show passage {i}">[{i}]</a>'
        )
    items = "".join(f"<li>{esc(label)} {' '.join(links)}</li>" for label, links in groups.items())
    return (
        '<div class="ans-sub">The closest passages, in the sources panel:</div>'
        f'<ul class="ans-near">{items}</ul>'
    )


def render_answer(answer: Answer, turn: int = 1) -> str:
    """The chat bubble for an answer: one line of HTML (so markdown leaves it alone).

    Built from the structured citations, never from ``answer.text``: each cited
    sentence is escaped and followed by its own ``[n]`` link to the sources panel.
    """
    if answer.abstained or not answer.citations:
        html_out = (
            '<div class="ans ans-abstain">'
            f'<p class="ans-none"><strong>{NOT_FOUND}</strong> '
            "None of the documents answers this question, so I won&#8217;t guess.</p>"
            f"{_closest(answer.passages, turn)}{_notes(answer)}</div>"
        )
        return one_line(html_out)

    if answer.conflict:
        items = "".join(
            "<li>"
            + f'<span class="ans-date">{esc(c.date) if c.date else "undated"}</span> '
            + f"{_under(c)}&#8220;{quote_html(c.snippet, markup_of(c.source))}&#8221; "
            + marker(turn, c.number)
            + f' <span class="ans-by">&#8212; {esc(source_label(c.title, c.source))}</span></li>'
            for c in answer.citations
        )
        body = (
            '<p class="ans-conflict"><strong>The sources disagree.</strong> '
            "Their statements, newest first:</p>"
            f'<ol class="ans-list">{items}</ol>'
        )
    else:
        sentences = " ".join(
            (_row_table(c) or f"{_under(c)}{quote_html(c.snippet, markup_of(c.source))}")
            + f" {marker(turn, c.number)}"
            for c in answer.citations
        )
        body = f'<p class="ans-text">{sentences}</p>'
    seen: dict[str, list[int]] = {}
    for c in answer.citations:
        seen.setdefault(source_label(c.title, c.source), []).append(c.number)
    by = " &#183; ".join(
        f"{' '.join(marker(turn, n) for n in numbers)} {esc(label)}"
        for label, numbers in seen.items()
    )
    footer = f'<div class="ans-sources">Sources: {by}</div>'
    return one_line(f'<div class="ans">{body}{footer}{_notes(answer)}</div>')


def _under(c: Citation) -> str:
    """The heading a quote is shown under when it gives what the quote does not (a release's
    number over a changelog's entry), and the header of the table a quoted row is of."""
    over = f'<span class="ans-under">{esc(c.heading)}</span>' if c.heading else ""
    if c.header:
        over += f'<span class="ans-under ans-header">{esc(" | ".join(c.header))}</span>'
    return over


def _row_table(c: Citation) -> str:
    """A quoted table row under its header as a table of the two (spans laid out as a table:
    the bubble's paragraph may hold no <table>); "" where the quote is not the whole row, so
    its cells need not line up with the header's: a sentence of a cell that holds several
    ("Fired weekly." of "glossy. Fired weekly.") would stand under the first column."""
    if not c.header:
        return ""
    row = [text for _, text in cells(c.snippet)]
    # The whole row, or the row up to its last bar where its last cells are empty.
    if not (len(row) == len(c.header) or c.snippet.endswith("|") and len(row) < len(c.header)):
        return ""
    row += [""] * (len(c.header) - len(row))
    markup = markup_of(c.source)

    def line(kind: str, texts: Sequence[str], quote: bool) -> str:
        shown = (quote_html(t, markup) if quote else esc(t) for t in texts)
        return (
            '<span class="ans-tr" role="row">'
            + "".join(f'<span class="ans-{kind}" role="{_ROLES[kind]}">{t}</span>' for t in shown)
            + "</span>"
        )

    heading = f'<span class="ans-under">{esc(c.heading)}</span>' if c.heading else ""
    return (
        f'{heading}<span class="ans-row" role="table">'
        f"{line('th', c.header, False)}{line('td', row, True)}</span>"
    )


_ROLES = {"th": "columnheader", "td": "cell"}


def render_sources(answer: Answer, turn: int = 1) -> str:
    """The sources-panel section for one answer (citations, or closest passages)."""
    question = esc(one_line(answer.question))
    if answer.abstained or not answer.citations:
        cards = "".join(passage_card(p, turn, i) for i, p in enumerate(answer.passages, 1))
        heading = "Closest passages (none answers the question)"
        if not cards:
            cards = '<div class="src-empty">No passage came close.</div>'
    else:
        cards = "".join(citation_card(c, turn) for c in answer.citations)
        heading = "Sources, newest first" if answer.conflict else "Sources"
    return (
        f'<section class="turn" id="turn-{turn}" data-turn="{turn}">'
        f'<div class="turn-q"><span class="turn-n">Q{turn}</span> {question}</div>'
        f'<div class="turn-h">{heading}</div>{cards}</section>'
    )


EMPTY_PANEL = (
    '<div class="panel-empty"><div class="panel-empty-t">Sources</div>'
    "Ask a question: every answer is quoted from the documents, and the passages it "
    "quotes appear here, with the cited sentence highlighted. Click a "
    '<span class="cite-demo">[1]</span> marker to jump to its source.</div>'
)


def render_panel(sections: Mapping[int, tuple[str, str]], first_kept: int = 1) -> str:
    """The whole sources panel, newest first: the latest turn open, earlier turns folded.

    ``sections`` maps a turn number to ``(question, render_sources(...) html)``. A
    ``first_kept`` above 1 says the sources of the turns before it are no longer kept.
    """
    dropped = (
        f'<div class="older-h older-dropped">Sources of questions before Q{int(first_kept)} '
        "are no longer kept</div>"
        if first_kept > 1
        else ""
    )
    if not sections:
        return '<div class="panel">' + dropped + "</div>" if dropped else EMPTY_PANEL
    turns = sorted(sections, reverse=True)
    latest, older = turns[0], turns[1:]
    parts = [sections[latest][1]]
    if older:
        parts.append('<div class="older-h">Earlier questions</div>')
        for t in older:
            question, section = sections[t][:2]  # a chat's turns carry more after these
            parts.append(
                f'<details class="older" data-turn="{int(t)}"><summary>'
                f'<span class="turn-n">Q{int(t)}</span> {esc(one_line(question))}</summary>'
                f"{section}</details>"
            )
    return '<div class="panel">' + "".join(parts) + dropped + "</div>"


def render_error(message: str) -> str:
    """A chat bubble for an error message (escaped)."""
    return one_line(f'<div class="ans ans-error"><p>{esc(message)}</p></div>')


def render_header(stats: Any, title: str = "Ask the documents") -> str:
    """The page header, naming how many documents and passages are searched, with which model
    and which reader."""
    docs = int(getattr(stats, "documents", 0))
    passages = int(getattr(stats, "passages", 0))
    model = str(getattr(stats, "model", "") or "unknown model")
    model = model.split(":", 1)[1] if model.startswith("bundled:") else model
    full_reader = str(getattr(stats, "reader", "") or "none")
    reader = full_reader.split(" (", 1)[0].split("/")[-1]  # "ms-marco-MiniLM-L-12-v2"
    if " tuned " in full_reader:
        reader += " (tuned)"
    skipped = tuple(getattr(stats, "skipped", ()) or ())
    skipped_html = ""
    if skipped:
        names = ", ".join(f"{s.source} ({s.reason})" for s in skipped[:20])
        skipped_html = (
            f' &#183; <span class="hdr-skip" title="{esc(names)}">'
            f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} skipped</span>"
        )
    return (
        '<div class="hdr">'
        f'<div class="hdr-title"><span class="hdr-logo">&#10077;</span>{esc(title)}</div>'
        '<div class="hdr-desc">Answers are sentences quoted word for word from your documents, '
        "each with a citation you can check. If the documents don&#8217;t say, it tells you.</div>"
        f'<div class="hdr-stats" id="stats">Searching <b>{docs}</b> document{"s" if docs != 1 else ""}'
        f" &#183; <b>{passages}</b> passage{'s' if passages != 1 else ''}"
        f" &#183; model <code>{esc(model)}</code>"
        f" &#183; reader <code>{esc(reader)}</code>{skipped_html}</div>"
        "</div>"
    )


def render_documents(passages: Mapping[str, int], skipped: Sequence[Any]) -> str:
    """The Documents panel: every indexed file with its passage count, every skipped file
    with the reason."""
    rows = [
        f'<tr><td><code>{esc(source)}</code></td><td class="doc-n">{int(n)}</td></tr>'
        for source, n in sorted(passages.items())
    ]
    rows += [
        f'<tr class="doc-skip"><td><code>{esc(s.source)}</code></td>'
        f'<td class="doc-why">skipped: {esc(s.reason)}</td></tr>'
        for s in skipped
    ]
    head = f"{len(passages)} document{'s' if len(passages) != 1 else ''} indexed" + (
        f", {len(skipped)} skipped" if skipped else ""
    )
    return (
        f'<div class="docs"><div class="docs-h">{head}</div>'
        '<table class="docs-t"><thead><tr><th>file</th><th>passages</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_upload(saved: Sequence[Any], skipped: Sequence[Any], error: str | None = None) -> str:
    """What became of each uploaded file: added (and indexed), skipped with why, refused."""
    why = {s.source: s.reason for s in skipped}
    items = []
    for s in saved:
        if s.source is None:
            items.append(f'<li class="up-no">{esc(s.name)}: {esc(s.message)}</li>')
        elif s.source in why:
            items.append(
                f'<li class="up-no">{esc(s.name)}: saved, but not indexed: {esc(why[s.source])}</li>'
            )
        elif error:
            items.append(f'<li class="up-no">{esc(s.name)}: saved to the folder, not indexed</li>')
        else:
            items.append(f'<li class="up-ok">{esc(s.name)}: {esc(s.message)} and indexed</li>')
    if error:
        items.append(f'<li class="up-no">{esc(error)}</li>')
    return f'<ul class="up">{"".join(items)}</ul>' if items else ""


def plain_text(content: Any) -> str:
    """Plain text of a chat message's content (our HTML, a string, or Gradio content parts)."""
    return one_line(html.unescape(_TAG.sub(" ", _raw_text(content))))


def _raw_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, Sequence):
        return " ".join(_raw_text(part) for part in content)
    return ""


def _whereabouts(item: Citation | Passage) -> dict:
    """Page and section, for formats that have them (set only where known)."""
    found = {name: getattr(item, name, None) for name in ("page", "section")}
    return {name: value for name, value in found.items() if value is not None}


def citation_dict(c: Citation) -> dict:
    return {
        "number": c.number,
        "source": c.source,
        "title": c.title,
        "date": c.date,
        "start": c.start,
        "end": c.end,
        "snippet": c.snippet,
        "score": float(c.score),
        **_whereabouts(c),
        **({"heading": c.heading} if c.heading else {}),
        **({"header": list(c.header)} if c.header else {}),
    }


def passage_dict(p: Passage) -> dict:
    return {
        "source": p.source,
        "title": p.title,
        "date": p.date,
        "start": p.start,
        "end": p.end,
        "text": p.text,
        "score": float(p.score),
        **_whereabouts(p),
    }


def answer_dict(answer: Answer) -> dict:
    """The JSON returned by the ``/ask`` endpoint."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": bool(answer.abstained),
        "conflict": bool(answer.conflict),
        "citations": [citation_dict(c) for c in answer.citations],
        "passages": [passage_dict(p) for p in answer.passages],
        "resolved_question": answer.resolved_question,
        "notes": list(answer.notes),
    }
