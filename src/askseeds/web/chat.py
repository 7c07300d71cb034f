"""The web chat: a thin Gradio adapter over :class:`askseeds.api.Assistant`.

It parses the request, calls ``Assistant.ask`` and formats the result with
:mod:`askseeds.web.render`; nothing else. Endpoints:

* ``/ask`` (``question: str, history: list | None``) -> JSON dict: for programs.
* ``/retrieve`` (``question: str, k: int``) -> JSON dict of the closest passages.
* ``/chat`` (``message: str``) -> ``(answer_html, sources_html)``: what the page uses.

``serve`` also mounts ``POST /api/ask`` and ``/api/retrieve`` (``web/rest.py``): the same
replies for one plain JSON request each.

With ``mcp=True`` (``askseeds serve --mcp``, ``ASKSEEDS_MCP=1``) Gradio also serves ``ask`` and
``retrieve`` as MCP tools at ``/gradio_api/mcp/``; their docstrings below are the tools'
descriptions. Gradio makes every public endpoint a tool, so ``/chat`` (HTML, for the page) is
then "undocumented": off the API page and the tool list, still callable by position.
"""

from __future__ import annotations

import os

from ..config import stay_offline

stay_offline()  # before Gradio is imported

# Gradio's queue keeps a record of every event (up to GRADIO_ANALYTICS_MAX_EVENTS, default
# 10,000) and, after each event, rebuilds a pandas DataFrame of all of them on a worker
# thread, for its /monitoring dashboard's summary. The dashboard is off here (see
# launch_kwargs), so nothing reads that summary; yet each rebuild is O(events so far), and
# pandas' pyarrow-backed strings come from Arrow's own mimalloc heaps (a 1 GiB reservation,
# untouched by MALLOC_ARENA_MAX or malloc_trim). With it, benchmarks/load.py's 2,000
# questions grew the server's RSS by 106 MiB (+13%), without it by 47 MiB (+6%); over
# 6,000 questions it grew by 340 MiB (+47%), 230 MiB of that in the mimalloc region.
# Queue() reads these in demo.queue(), so they are set before; an operator's values win.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))  # never rebuilt
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")  # nothing reads the records

import asyncio
import gc
import html
import importlib.util
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr

from ..answer.query import CONTEXT_TURNS
from ..errors import AskseedsError, ConfigError
from ..index.bm25_kernels import warm_up as warm_up_bm25
from ..ingest.load import FORMATS
from ..retrieve.filters import FilterError, as_filters
from . import render
from .feedback import FeedbackLog, make_vote
from .feedback import default_path as default_feedback_path
from .upload import save_uploads

log = logging.getLogger("askseeds.web.chat")

EXAMPLES = [
    "Where was the seventh China-U.S. Sister Cities Conference held?",
    "How many sister city pairs do China and the United States have?",
    "What did Xi Jinping say about sister cities cooperation?",
    "What was the theme of the video dialogue between sister cities?",
]

# Events of one endpoint Gradio runs at once; each waits on the ask threads below. Well above
# the users a server of two ask threads serves at once, so under load questions wait there and
# not in Gradio's queue, whose every event start sends each waiting user its place: a Gradio app
# answering one question per 60 ms without using the CPU spent 13.4 ms of CPU a request with
# 64 and 15.7 with 8 (50 users, medians of 5 alternated runs). The endpoints are coroutines
# awaiting the ask threads, so no Gradio thread waits with them.
QUEUE_CONCURRENCY = 64
# Threads that answer (ChatAdapter). With two, 50 users (benchmarks/load.py --client http,
# idle) got 63.3 instead of 37.9 questions/s without the reader and 50.2 instead of 38.3 with
# it: one answer's Python work overlaps the other's model call. RSS grew by 2.9% and 4.0% per
# 2,000 questions, as with one thread.
ASK_THREADS = 2
QUEUE_MAX_SIZE = 256  # waiting requests before the queue refuses new ones
ASK_THREAD_PREFIX = "askseeds-ask"  # the ask threads' names (benchmarks/load.py times them)
# Gradio keeps 0.2-0.35 MiB per browser or API session (copies of the page config, the
# State), measured by benchmarks/load.py; its default cap of 10,000 sessions would let a
# long-running server grow by 2-3.5 GiB. The least recently used sessions beyond this are
# dropped (their chat goes on, only the sources of older turns are lost).
SESSION_CAPACITY = 1000
# Sources sections a session keeps (in its ``turns`` State and in the panel, which Gradio
# also keeps per session as the component's last value): the newest this many turns. Each
# turn adds ~3 KiB to both, and every /chat reply carries the whole panel, so an unbounded
# panel made a long conversation's memory and reply size grow with its length. The chat
# history (which follow-up questions use) is untouched; an [n] marker of an older answer
# then has no card to open, and the panel says that older sources were dropped.
MAX_SOURCE_TURNS = 10
MAX_RETRIEVE_K = 20  # passages one /retrieve call may ask for

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
footer { opacity: .6; }
.hdr { padding: 18px 4px 6px; }
.hdr-title { font-size: 1.65rem; font-weight: 700; letter-spacing: -.01em;
  display: flex; align-items: center; gap: .45rem; color: var(--body-text-color); }
.hdr-logo { color: var(--color-accent); font-size: 1.9rem; line-height: 1; }
.hdr-desc { color: var(--body-text-color-subdued); margin-top: 4px; max-width: 60rem; }
.hdr-stats { margin-top: 10px; display: inline-block; font-size: .85rem;
  color: var(--body-text-color-subdued); background: var(--block-background-fill);
  border: 1px solid var(--border-color-primary); border-radius: 999px; padding: 3px 12px; }
.hdr-stats code { font-size: .8rem; background: none; padding: 0; }
.hdr-skip { text-decoration: underline dotted; cursor: help; }
#chatbot .ans p { margin: 0 0 .5em; }
#chatbot .ans-text { line-height: 1.6; }
#chatbot code.ans-code { display: block; white-space: pre-wrap; margin: .3em 0; padding: .2em .5em;
  font-size: .9em; background: var(--background-fill-secondary); border-radius: 4px; }
#chatbot code.ans-inline { font-size: .9em; padding: 0 .25em; background: var(--background-fill-secondary);
  border-radius: 4px; }
#chatbot .ans-head { display: block; font-weight: 600; }
#chatbot .ans-item { display: block; padding-left: .9em; text-indent: -.9em; }
#chatbot .ans-list .ans-head, #chatbot .ans-list .ans-item { display: inline; }
#chatbot .ans-list .ans-head::after { content: " \\2014 "; font-weight: normal; }
#chatbot .ans-under { display: block; font-size: .85em; font-weight: 600;
  color: var(--body-text-color-subdued); }
#chatbot .ans-list .ans-under { display: inline; }
#chatbot .ans-row { display: block; overflow-x: auto; max-width: 100%; margin: .2em 0; }
#chatbot .ans-tr { display: table-row; }
#chatbot .ans-th, #chatbot .ans-td { display: table-cell; padding: .1em .6em .1em 0; }
#chatbot .ans-th { font-size: .85em; font-weight: 600; color: var(--body-text-color-subdued);
  border-bottom: 1px solid var(--border-color-primary); }
#chatbot .ans-list .ans-under::after { content: ": "; }
a.cite { display: inline-block; font-size: .78em; font-weight: 600; line-height: 1.2;
  padding: 0 .35em; margin: 0 .1em; border-radius: 6px; text-decoration: none !important;
  color: var(--color-accent) !important; background: var(--color-accent-soft);
  vertical-align: .12em; cursor: pointer; }
a.cite:hover { background: var(--color-accent); color: white !important; }
a.cite.near { color: var(--body-text-color-subdued) !important; background: var(--background-fill-secondary); }
.ans-sources, .ans-note, .ans-sub { font-size: .82em; color: var(--body-text-color-subdued); margin-top: .35em; }
.ans-date { font-size: .8em; font-weight: 600; padding: 0 .4em; border-radius: 6px;
  background: var(--block-background-fill); border: 1px solid var(--border-color-primary); }
.ans-by { color: var(--body-text-color-subdued); font-size: .9em; }
.ans-list, .ans-near { margin: .2em 0 .3em 1.2em !important; }
.ans-list li, .ans-near li { margin: .25em 0; }
.ans-near li { font-size: .9em; color: var(--body-text-color-subdued); }
.ans-none strong { color: #b45309; }
.ans-conflict strong { color: #b45309; }
.ans-error p { color: #b91c1c; }
#chatbot button.example { border: 1px solid var(--border-color-primary); border-radius: 12px;
  background: var(--background-fill-secondary); text-align: left; transition: border-color .15s, background .15s; }
#chatbot button.example:hover { border-color: var(--color-accent); background: var(--color-accent-soft); }
#top { align-items: flex-end; }
#formats p { font-size: .82em; color: var(--body-text-color-subdued); margin: .2em 0 0; }
#new-chat { margin-bottom: 8px; }
#sources-col { max-height: calc(68vh + 80px); overflow-y: auto; position: sticky; top: 8px; }
#sources { scroll-behavior: smooth; }
.panel-empty { color: var(--body-text-color-subdued); padding: 18px; line-height: 1.55;
  border: 1px dashed var(--border-color-primary); border-radius: 12px; }
.panel-empty-t { font-weight: 700; color: var(--body-text-color); margin-bottom: 6px; }
.cite-demo { color: var(--color-accent); font-weight: 600; }
.turn-q { font-weight: 600; margin: 4px 0 2px; }
.turn-n { font-size: .75em; color: white; background: var(--color-accent); border-radius: 6px;
  padding: 1px 6px; margin-right: 4px; vertical-align: .1em; }
.turn-h { font-size: .75rem; text-transform: uppercase; letter-spacing: .06em;
  color: var(--body-text-color-subdued); margin: 8px 0 6px; }
.src { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--block-background-fill);
  transition: box-shadow .25s, border-color .25s; scroll-margin: 12px; }
.src:target, .src.active { border-color: var(--color-accent);
  box-shadow: 0 0 0 3px var(--color-accent-soft), 0 4px 14px rgba(79, 70, 229, .12); }
.src-head { display: flex; align-items: baseline; gap: 8px; }
.src-num { flex: none; min-width: 1.5em; text-align: center; font-size: .78rem; font-weight: 700;
  color: white; background: var(--color-accent); border-radius: 6px; padding: 0 5px; }
.src-num-near { background: var(--body-text-color-subdued); }
.src-title { font-weight: 600; line-height: 1.3; }
.src-meta { font-size: .78rem; color: var(--body-text-color-subdued); margin: 3px 0 6px; }
.src-meta code { font-size: .75rem; padding: 0 3px; }
.src-date { font-weight: 600; color: var(--body-text-color); }
blockquote.src-ctx { margin: 0; padding: 6px 10px; border-left: 3px solid var(--border-color-primary);
  font-size: .9rem; line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere;
  color: var(--body-text-color-subdued); }
blockquote.src-ctx mark { background: #fde68a; color: #1f2937; padding: 1px 2px; border-radius: 3px; }
.src-also { font-size: .78rem; color: var(--body-text-color-subdued); margin-top: 6px; }
.older-h { font-size: .75rem; text-transform: uppercase; letter-spacing: .06em;
  color: var(--body-text-color-subdued); margin: 16px 0 6px; }
details.older { border-top: 1px solid var(--border-color-primary); padding: 4px 0; }
details.older > summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: .85rem; }
details.older .turn-q { display: none; }
details.older > summary .turn-n { background: var(--body-text-color-subdued); }
details.older[open] > summary { margin-bottom: 6px; }
.docs-h { font-size: .85rem; color: var(--body-text-color-subdued); margin: 6px 0; }
table.docs-t { font-size: .82rem; width: 100%; }
td.doc-n { text-align: right; }
tr.doc-skip td, .up-no { color: #b45309; }
ul.up { margin: 4px 0 4px 1.2em; font-size: .85rem; }
"""

# Clicking an [n] marker (in any answer) opens and highlights source card n in the panel.
# Delegated from the document in the capture phase, so it survives re-renders and runs
# before Gradio's own link handling (which would open "#src-..." in a new tab).
JS = """
() => {
  if (window.__askseedsCite) return;
  window.__askseedsCite = true;
  document.addEventListener("click", (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest("a.cite") : null;
    if (!a) return;
    const id = (a.getAttribute("href") || "").replace(/^#/, "");
    const card = id ? document.getElementById(id) : null;
    ev.preventDefault();
    ev.stopPropagation();
    if (!card) return;
    const details = card.closest("details");
    if (details) details.open = true;
    document.querySelectorAll(".src.active").forEach((el) => el.classList.remove("active"));
    card.classList.add("active");
    card.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }, true);
}
"""


def _role_and_content(item: Any) -> tuple[Any, Any]:
    if isinstance(item, dict):
        return item.get("role"), item.get("content")
    return getattr(item, "role", None), getattr(item, "content", None)


def _history_for_ask(history: Any, users: int | None = None) -> list[dict]:
    """Gradio chat history -> plain ``[{"role", "content"}]`` for ``Assistant.ask``.

    ``users``: only the newest messages, back to the ``users``-th newest user turn. ``ask``
    reads no further back (``CONTEXT_TURNS``), and the chat's history grows with every turn of
    a session: read whole, each question of a long conversation cost more than the last.
    """
    turns: list[dict] = []
    kept_users = 0
    for item in reversed(list(history or [])):
        if users is not None and kept_users >= users:
            break
        role, content = _role_and_content(item)
        if role not in ("user", "assistant"):
            continue
        text = render.plain_text(content)
        if text:
            turns.append({"role": role, "content": text})
            kept_users += role == "user"
    turns.reverse()
    return turns


class _SharedLock:
    """Many holders sharing, or one alone. One waiting to be alone goes before new sharers,
    so an upload is not starved by a steady stream of questions."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._sharing = 0
        self._alone = False
        self._waiting_alone = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._alone and not self._waiting_alone)
            self._sharing += 1
        try:
            yield
        finally:
            with self._cond:
                self._sharing -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting_alone += 1
            self._cond.wait_for(lambda: not self._alone and not self._sharing)
            self._waiting_alone -= 1
            self._alone = True
        try:
            yield
        finally:
            with self._cond:
                self._alone = False
                self._cond.notify_all()


class ChatAdapter:
    """Runs the assistant on its own few threads and turns answers and errors into HTML / JSON.

    Questions share the index; an upload, which replaces it, waits for the questions being
    answered and then has it alone.
    """

    def __init__(self, assistant: Any, feedback: FeedbackLog | None = None):
        self.assistant = assistant
        self.feedback = feedback
        # Every ask() runs on these ASK_THREADS threads, so what torch and numpy allocate
        # stays in their few malloc arenas. Run directly on Gradio's many worker threads, the
        # same load grew the server's RSS by ~30% per 2,000 questions. chat() and api() do
        # all their work here too (history parsing, rendering the HTML and JSON), so those
        # strings also come from these threads' arenas rather than from the ~16 arenas of
        # Gradio's threads: RSS growth per 2,000 questions (benchmarks/load.py) went from ~34 MiB
        # (+4.4-5.0%) to ~23 MiB (+2.8-3.2%).
        self._worker = ThreadPoolExecutor(
            max_workers=ASK_THREADS, thread_name_prefix=ASK_THREAD_PREFIX
        )
        self._index = _SharedLock()

    def _submit(self, fn: Any, *args: Any, exclusive: bool = False) -> Future:
        """``fn(*args)`` on the ask threads, sharing the index or (``exclusive``) having it."""

        def call() -> Any:
            with self._index.exclusive() if exclusive else self._index.shared():
                return fn(*args)

        return self._worker.submit(call)

    def _run(self, fn: Any, *args: Any, exclusive: bool = False) -> Any:
        return self._submit(fn, *args, exclusive=exclusive).result()

    # The endpoints are awaited, on Gradio's event loop and in web/rest.py: they hold no thread
    # while the ask threads answer. A plain function Gradio would run on a worker thread of its
    # own, which here would only wait, and its hand-offs cost CPU under load.
    async def _awaited(self, fn: Any, *args: Any) -> Any:
        return await asyncio.wrap_future(self._submit(fn, *args))

    async def chat(
        self, message: Any, history: list, turns: dict | None, filters: dict | None = None
    ):
        """The ChatInterface fn: returns (answer bubble, sources panel, per-turn sections).

        ``filters``: the filter row's values (``filter_dict``), None for all documents.
        """
        return await self._awaited(self._chat, message, history, turns, filters)

    async def api(
        self, question: str, history: list[dict] | None = None, filters: dict | None = None
    ) -> dict:
        """The ``/ask`` endpoint: a question (and optional history) -> answer JSON."""
        return await self._awaited(self._api, question, history, filters)

    async def retrieve(self, question: str, k: Any = 5, filters: dict | None = None) -> dict:
        """The ``/retrieve`` endpoint: a question -> its ``k`` closest passages as JSON."""
        return await self._awaited(self._retrieve, question, k, filters)

    def _chat(self, message: Any, history: list, turns: dict | None, filters: dict | None):
        question = render.plain_text(message) if not isinstance(message, str) else message
        past = _history_for_ask(history, CONTEXT_TURNS)
        answered = [c for r, c in map(_role_and_content, history or []) if r == "assistant"]
        turn = 1 + sum(1 for content in answered if content)
        # Turns below ``turn`` only (after a retry or "New chat" the numbers restart), and
        # only the newest: with this one, at most MAX_SOURCE_TURNS.
        first_kept = max(1, turn - MAX_SOURCE_TURNS + 1)
        turns = {t: s for t, s in (turns or {}).items() if first_kept <= int(t) < turn}
        try:
            answer = self.assistant.ask(question, history=past, filters=filters)
        except AskseedsError as exc:
            return render.render_error(str(exc)), render.render_panel(turns, first_kept), turns
        except Exception:
            log.exception("ask() failed for question %r", question)
            bubble = render.render_error(render.GENERIC_ERROR)
            return bubble, render.render_panel(turns, first_kept), turns
        # The third item is what a vote on this answer records (web/feedback.py).
        turns[turn] = (question, render.render_sources(answer, turn), _voted(answer))
        return render.render_answer(answer, turn), render.render_panel(turns, first_kept), turns

    def upload(self, files: Any, progress: Any = None) -> tuple[str, str, str]:
        """Save uploaded files into the folder and index them: (report, header, documents)."""
        return self._run(self._upload, files, progress, exclusive=True)

    def documents(self) -> str:
        """The Documents panel for the index searched now."""
        index = self.assistant.index
        return render.render_documents({s: d.chunks for s, d in index.docs.items()}, index.skipped)

    def _upload(self, files: Any, progress: Any) -> tuple[str, str, str]:
        step = progress or (lambda *a, **k: None)
        paths = [Path(str(getattr(f, "name", f))) for f in (files or [])]
        saved, error = [], None
        try:
            step(0.1, desc=f"Saving {len(paths)} file{'s' if len(paths) != 1 else ''}")
            saved = save_uploads(self.assistant.docs_dir, [(p.name, p) for p in paths])
            if any(s.source for s in saved):
                step(0.3, desc="Indexing the new documents")
                self.assistant.refresh()
                if gc.get_freeze_count():
                    settle_heap()  # the index replaced is garbage now, and may be frozen
        except AskseedsError as exc:
            error = str(exc)
        except Exception:
            log.exception("upload of %d files failed", len(paths))
            error = "Indexing failed; the documents searched so far are unchanged."
        step(1.0, desc="Done")
        stats = self.assistant.stats
        report = render.render_upload(saved, stats.skipped, error)
        return report, render.render_header(stats), self.documents()

    def vote(self, history: list, turns: dict | None, like: gr.LikeData) -> None:
        """The chatbot's thumbs up/down: append the vote to the feedback file."""
        if self.feedback is None or like.liked not in (True, False):
            return  # feedback off, or a vote taken back
        index = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        messages = list(history or [])[: int(index) + 1]
        turn = sum(1 for m in _history_roles(messages) if m == "assistant")
        past = _history_for_ask(messages[:-1])
        asked = past.pop()["content"] if past and past[-1]["role"] == "user" else ""
        kept = (turns or {}).get(turn) or (turns or {}).get(str(turn))
        # An answer older than the kept turns is recorded from the chat's text, uncited.
        voted = kept[2] if kept and len(kept) > 2 else {
            "question": asked, "answer": render.plain_text(like.value)
        }
        vote = make_vote(
            "up" if like.liked else "down",
            voted["question"],
            voted["answer"],
            abstained=voted.get("abstained", False),
            history=past,
            citations=voted.get("citations", ()),
            resolved_question=voted.get("resolved_question", ""),
        )
        try:
            saved = self.feedback.append(vote)
        except OSError:
            log.exception("could not write feedback file %s", self.feedback.path)
            saved = False
        if not saved:
            gr.Warning("Your vote could not be saved (the server's feedback file is full or "
                       "unwritable); the server log says which.")

    def _api(self, question: str, history: list[dict] | None, filters: dict | None) -> dict:
        if history is not None and not isinstance(history, (list, tuple)):
            _refuse(
                'history must be a list of {"role": "user"|"assistant", "content": "..."} '
                "messages, or left out."
            )
        answer = _messages_for_errors(
            "ask",
            question,
            self.assistant.ask,
            question or "",
            history=_history_for_ask(history, CONTEXT_TURNS),
            filters=filters,
        )
        return render.answer_dict(answer)

    def _retrieve(self, question: str, k: Any, filters: dict | None) -> dict:
        try:
            k = int(5 if k is None else k)
        except (TypeError, ValueError):
            _refuse(f"k must be a whole number from 1 to {MAX_RETRIEVE_K}, not {k!r}.")
        if not 1 <= k <= MAX_RETRIEVE_K:
            _refuse(f"k must be a whole number from 1 to {MAX_RETRIEVE_K}, not {k}.")
        passages = _messages_for_errors(
            "retrieve", question, self.assistant.retrieve, question or "", k=k, filters=filters
        )
        return {"question": question, "passages": [render.passage_dict(p) for p in passages]}


def settle_heap() -> None:
    """Put what the process holds now out of the cyclic garbage collector's reach.

    A server's models, index and app (some 700k objects over the seeds) live as long as it
    does, yet under load every full collection walked them: every few hundred questions, 0.45 s
    of CPU with the GIL held (benchmarks/load.py; 600 questions after the freeze ran none).
    What an earlier call froze is thawed first, so an index replaced since is collected.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def filter_dict(only: Any = "", since: Any = "", until: Any = "", keep_undated: Any = False):
    """The filter fields of the page and the endpoints as ``Assistant`` takes them.

    ``only`` is one glob or folder, several separated by commas, or a list of them.
    Returns None when no field is set (all documents).
    """
    if isinstance(only, str):
        only = only.split(",")
    elif not isinstance(only, (list, tuple)):
        only = [] if only is None else [only]  # a wrong kind is reported by as_filters
    only = [p.strip() if isinstance(p, str) else p for p in only]
    only = [p for p in only if p != ""]
    since = since.strip() if isinstance(since, str) else since
    until = until.strip() if isinstance(until, str) else until
    if not (only or since or until):
        return None
    return {"only": only, "since": since or None, "until": until or None,
            "keep_undated": bool(keep_undated)}


def describe_filters(
    only: Any = "", since: Any = "", until: Any = "", keep_undated: Any = False
) -> str:
    """One line of HTML saying which documents the filter fields keep (escaped: it echoes
    what was typed), or why they cannot be read."""
    try:
        filters = as_filters(filter_dict(only, since, until, keep_undated))
    except FilterError as exc:
        return f'<p class="filter-note">{html.escape(str(exc))}</p>'
    if filters is None:
        return '<p class="filter-note">Answers come from all documents.</p>'
    dated = filters.since or filters.until
    undated = " (and undated ones)" if filters.keep_undated and dated else ""
    text = f"Answers come only from documents {filters.describe()}{undated}."
    return f'<p class="filter-note">{html.escape(text)}</p>'


def _date_field(label: str, elem_id: str) -> gr.Textbox:
    """A filter's date box (a value: /chat callers may leave it out)."""
    return gr.Textbox(
        label=label, placeholder="YYYY[-MM[-DD]]", value="", elem_id=elem_id, scale=1
    )


def _history_roles(messages: list) -> list:
    return [_role_and_content(m)[0] for m in messages]


def _voted(answer: Any) -> dict:
    """What a vote on ``answer`` records of it besides the chat's text."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": bool(answer.abstained),
        "citations": [render.citation_dict(c) for c in answer.citations],
        "resolved_question": answer.resolved_question,
    }


class InternalError(gr.Error):
    """askseeds' own failure, logged where it happened; its message is only GENERIC_ERROR."""


def _refuse(message: str) -> None:
    raise gr.Error(message, print_exception=False)


def _messages_for_errors(what: str, question: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, its failures turned into a message for the caller (no traceback)."""
    try:
        return fn(*args, **kwargs)
    except AskseedsError as exc:
        _refuse(str(exc))
    except Exception:
        log.exception("%s() failed for question %r", what, question)
        raise InternalError(render.GENERIC_ERROR, print_exception=False) from None


def build_app(adapter: ChatAdapter, mcp: bool = False) -> gr.Blocks:
    """The chat page for ``adapter``'s assistant; its votes go to ``adapter.feedback`` (None
    shows no thumbs).

    Args:
        mcp: the app is served with MCP on (``launch_kwargs(mcp=True)``).
    """

    async def chat(message, history, turns, only, since, until, keep_undated):
        filters = filter_dict(only, since, until, keep_undated)
        return await adapter.chat(message, history, turns, filters)

    # The docstrings of ask and retrieve are their descriptions in the API page and as MCP
    # tools; Gradio reads one line per argument under "Args:".
    async def ask(
        question: str,
        history: list[dict] | None = None,
        only: str = "",
        since: str = "",
        until: str = "",
        keep_undated: bool = False,
    ) -> dict:
        """Answer a question about the indexed documents with sentences quoted from them.

        Nothing is generated: the answer is sentences copied verbatim from the documents, each
        marked [n] and listed in citations with its source file, title, date, character offsets
        (start, end) into the file, the exact quoted snippet, and page or section where known.
        It abstains (abstained: true, answer "Not found in the documents", the closest passages
        listed) when no sentence answers the question with enough confidence: the documents do
        not say, or the question is not about them. conflict is true when sources disagree on
        a figure (citations newest first).

        Args:
            question: the question, in plain words, e.g. "Who is the mayor of Tacoma?"
            history: earlier turns of this conversation as [{"role": "user" or "assistant", "content": "..."}], so that a follow-up like "What was its theme?" is understood; leave out for a single question.
            only: answer only from these files: a glob over paths in the corpus folder such as "reports/*" or "*.md", or a folder name; several separated by commas; empty for all.
            since: answer only from documents dated on or after this day, YYYY, YYYY-MM or YYYY-MM-DD; empty for no limit.
            until: answer only from documents dated on or before this day, YYYY, YYYY-MM or YYYY-MM-DD; empty for no limit.
            keep_undated: with since or until, also search documents that have no date (left out otherwise).

        Returns:
            {question, answer (markdown with [n] markers), abstained, conflict, citations: [{number, source, title, date, start, end, snippet, score}], passages, resolved_question, notes}
        """
        return await adapter.api(
            question, history, filter_dict(only, since, until, keep_undated)
        )

    async def retrieve(
        question: str,
        k: int = 5,
        only: str = "",
        since: str = "",
        until: str = "",
        keep_undated: bool = False,
    ) -> dict:
        """Find the passages of the indexed documents closest to a question, best first.

        Never abstains: it returns the k closest passages even when none of them answers the
        question, so judge them yourself, or use the ask tool for a checked, cited answer.
        Each passage has its source file, title, date, character offsets (start, end) into
        the file, its text, a relevance score, and page or section where known.

        Args:
            question: what to look for, in plain words.
            k: how many passages to return, 1 to 20 (default 5).
            only: search only these files: a glob over paths in the corpus folder such as "reports/*" or "*.md", or a folder name; several separated by commas; empty for all.
            since: search only documents dated on or after this day, YYYY, YYYY-MM or YYYY-MM-DD; empty for no limit.
            until: search only documents dated on or before this day, YYYY, YYYY-MM or YYYY-MM-DD; empty for no limit.
            keep_undated: with since or until, also search documents that have no date (left out otherwise).

        Returns:
            {question, passages: [{source, title, date, start, end, text, score}]}
        """
        return await adapter.retrieve(
            question, k, filter_dict(only, since, until, keep_undated)
        )

    def clear():
        return render.render_panel({}), {}

    def upload(files: Any, progress=gr.Progress()):  # noqa: B008 (Gradio's injection idiom)
        report, header_html, docs_html = adapter.upload(files, progress)
        return report, header_html, docs_html, None

    with gr.Blocks(title="askseeds: ask the documents", fill_height=False) as demo:
        with gr.Row(elem_id="top", equal_height=False):
            header = gr.HTML(
                render.render_header(adapter.assistant.stats), elem_id="header", scale=1
            )
            new_chat = gr.Button(
                "New chat",
                elem_id="new-chat",
                size="sm",
                variant="secondary",
                scale=0,
                min_width=110,
            )
        with gr.Accordion("Documents", open=False, elem_id="documents"):
            add = gr.File(
                label="Add documents: drop files here",
                file_count="multiple",
                type="filepath",
                elem_id="upload",
            )
            gr.HTML(f"<p>askseeds reads {html.escape(FORMATS)}.</p>", elem_id="formats")
            upload_report = gr.HTML("", elem_id="upload-report")
            documents = gr.HTML(adapter.documents(), elem_id="documents-list")
        turns = gr.State({})
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=380):
                sources = gr.HTML(render.render_panel({}), elem_id="sources", render=False)
                # Searched inside retrieval (retrieve/filters.py); a bad value gets a message bubble.
                with gr.Accordion("Filter documents", open=False, elem_id="filters"):
                    with gr.Row():
                        only = gr.Textbox(
                            label="Only files or folders",
                            placeholder="reports/*, notes (globs or folders, comma-separated)",
                            value="",  # a value: /chat callers may leave it out
                            elem_id="filter-only",
                            scale=3,
                        )
                        since = _date_field("Since", "filter-since")
                        until = _date_field("Until", "filter-until")
                        keep_undated = gr.Checkbox(
                            label="Keep undated", elem_id="filter-undated", scale=1, min_width=120
                        )
                    # What the fields keep, as the search will read them.
                    filter_note = gr.HTML(describe_filters(), elem_id="filter-note")
                chatbot = gr.Chatbot(
                    elem_id="chatbot",
                    height="68vh",
                    show_label=False,
                    latex_delimiters=[],
                    buttons=["copy"],
                    feedback_options=("Like", "Dislike") if adapter.feedback is not None else None,
                    placeholder=(
                        "<b>Ask anything about the documents.</b><br>"
                        "Answers quote the documents and cite them."
                    ),
                    layout="bubble",
                )
                gr.ChatInterface(
                    chat,
                    chatbot=chatbot,
                    textbox=gr.Textbox(
                        elem_id="msg",
                        placeholder="Ask a question about the documents…",
                        show_label=False,
                        submit_btn=True,
                        autofocus=True,
                    ),
                    additional_inputs=[turns, only, since, until, keep_undated],
                    additional_outputs=[sources, turns],
                    # None: keep the current State and filter values
                    examples=[[q, None, None, None, None, None] for q in EXAMPLES],
                    api_name="chat",
                    # HTML for the page makes no tool: with MCP, only ask and retrieve are public.
                    api_visibility="undocumented" if mcp else "public",
                    api_description="Chat turn: returns the answer bubble HTML and the sources panel HTML.",
                    fill_height=False,
                    autoscroll=True,
                )
            with gr.Column(scale=2, min_width=320, elem_id="sources-col"):
                sources.render()
        # "New chat" presses the chatbot's own Clear button, so ChatInterface resets too.
        new_chat.click(
            None,
            js="() => { document.querySelector('#chatbot button[aria-label=\"Clear\"]')?.click(); }",
        )
        chatbot.clear(clear, None, [sources, turns], api_visibility="undocumented", queue=False)
        fields = [only, since, until, keep_undated]
        gr.on(
            [f.change for f in fields],
            describe_filters,
            fields,
            filter_note,
            api_visibility="private",
            queue=False,
        )
        if adapter.feedback is not None:
            # Private: only the page votes (an API caller could not say on which answer).
            chatbot.like(adapter.vote, [chatbot, turns], None, api_visibility="private")
        add.upload(
            upload,
            [add],
            [upload_report, header, documents, add],
            api_name="upload",
            api_visibility="undocumented" if mcp else "public",
            concurrency_limit=1,
        )
        gr.api(ask, api_name="ask")
        gr.api(retrieve, api_name="retrieve")
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return demo


def launch_kwargs(mcp: bool = False) -> dict:
    """Styling and safety options for ``Blocks.launch`` (Gradio 6 takes css/js/theme there).

    Args:
        mcp: also serve the ``ask`` and ``retrieve`` endpoints as MCP tools.
    """
    font = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    theme = gr.themes.Soft(primary_hue="indigo", neutral_hue="slate", font=font, font_mono=mono)
    return {
        "share": False,
        "ssr_mode": False,
        "mcp_server": mcp,
        "css": CSS,
        "js": JS,
        "theme": theme,
        "footer_links": ["api"],
        "show_error": False,
        "state_session_capacity": SESSION_CAPACITY,
        # No /monitoring dashboard: nothing extra exposed, and no analytics summary to
        # build after every event (see GRADIO_ANALYTICS_CACHE_FREQUENCY above).
        "enable_monitoring": False,
    }


def feedback_log(assistant: Any) -> FeedbackLog | None:
    """Where ``assistant``'s chat records votes, from its settings; None if votes are off."""
    settings = assistant.settings
    if settings.feedback_max_mb <= 0:
        return None
    path = settings.feedback_file or default_feedback_path(assistant.index.dir)
    log.info("votes on answers go to %s", path)
    return FeedbackLog(path, settings.feedback_max_mb << 20)


def _local_url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{int(port)}"


def _warn_if_public(host: str) -> None:
    if host in ("", "0.0.0.0", "::", "[::]", "*"):
        log.warning(
            "Serving on all network interfaces (%s): anyone who can reach this machine can "
            "use the chat and read the indexed documents. Use --host 127.0.0.1 to keep it local.",
            host or "0.0.0.0",
        )


def serve(
    docs: str = "seeds",
    index_dir: str | None = None,
    host: str = "127.0.0.1",
    port: int = 7860,
    settings: Any = None,
    mcp: bool = False,
) -> None:
    """Open (building or updating if needed) the index of ``docs`` and serve the chat.

    Args:
        mcp: also serve ``ask`` and ``retrieve`` as MCP tools at ``/gradio_api/mcp/``.

    Raises:
        ConfigError: ``mcp`` is asked for but the MCP extra is not installed.
    """
    from ..api import Assistant

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if mcp and importlib.util.find_spec("mcp") is None:
        raise ConfigError(
            "MCP needs the 'mcp' package: pip install 'gradio[mcp]>=6,<7'"
        )
    _warn_if_public(host)
    assistant = Assistant.from_folder(docs, index_dir=index_dir, settings=settings, progress=True)
    assistant.embedder.prepare_queries()  # so no visitor waits for it
    warm_up_bm25()  # likewise
    from .rest import routes as json_routes  # it imports this module

    adapter = ChatAdapter(assistant, feedback_log(assistant))
    demo = build_app(adapter, mcp=mcp)
    settle_heap()
    url = _local_url(host, port)
    log.info("askseeds chat on %s; JSON API: POST %s/api/ask, %s/api/retrieve", url, url, url)
    if mcp:
        log.info("MCP tools ask and retrieve on %s/gradio_api/mcp/", url)
    demo.launch(
        server_name=host,
        server_port=int(port),
        app_kwargs={"routes": json_routes(adapter)},
        **launch_kwargs(mcp),
    )
