"""The web chat: a thin Gradio adapter over :class:`askseeds.api.Assistant`.

It parses the request, calls ``Assistant.ask`` and formats the result with
:mod:`askseeds.render`; nothing else. Endpoints:

* ``/chat`` (``message: str``) -> ``(answer_html, sources_html)``: what the page uses.
* ``/ask`` (``question: str, history: list | None``) -> JSON dict: for programs.
"""

from __future__ import annotations

import os

from .config import stay_offline

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

import logging
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from . import render
from .batching import MicroBatcher
from .errors import AskseedsError

log = logging.getLogger("askseeds.chat")

EXAMPLES = [
    "Where was the seventh China-U.S. Sister Cities Conference held?",
    "How many sister city pairs do China and the United States have?",
    "What did Xi Jinping say about sister cities cooperation?",
    "What was the theme of the video dialogue between sister cities?",
]

QUEUE_CONCURRENCY = 8  # Gradio worker threads per event; each waits on the one ask thread
# Most requests answered together: their questions are encoded in one model call.
ASK_BATCH = 16

QUEUE_MAX_SIZE = 256  # waiting requests before the queue refuses new ones
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


def _history_for_ask(history: Any) -> list[dict]:
    """Gradio chat history -> plain ``[{"role", "content"}]`` for ``Assistant.ask``."""
    turns: list[dict] = []
    for item in history or []:
        if isinstance(item, dict):
            role, content = item.get("role"), item.get("content")
        else:
            role, content = getattr(item, "role", None), getattr(item, "content", None)
        if role not in ("user", "assistant"):
            continue
        text = render.plain_text(content)
        if text:
            turns.append({"role": role, "content": text})
    return turns


class ChatAdapter:
    """Runs the assistant on one thread and turns answers and errors into HTML / JSON."""

    def __init__(self, assistant: Any):
        self.assistant = assistant
        # Every ask() runs on this one thread (the batcher's), and what torch and numpy
        # allocate stays in one malloc arena. Run directly on Gradio's many worker threads,
        # the same load grew the server's RSS by ~30% per 2,000 questions. chat() and api()
        # do all their work here too (history parsing, rendering the HTML and JSON), so those
        # strings also come from this thread's arena rather than from the ~16 arenas of
        # Gradio's threads: RSS growth per 2,000 questions (load.py) went from ~34 MiB
        # (+4.4-5.0%) to ~23 MiB (+2.8-3.2%). (Four ask threads sharing the model's batches
        # instead grew it by 6.0-6.6%.) Requests that queue while a batch is answered are
        # answered together: their questions are encoded in one model call.
        self._worker = MicroBatcher(self._serve, ASK_BATCH, max_wait=0.0, name="askseeds-ask")

    def chat(self, message: Any, history: list, turns: dict | None):
        """The ChatInterface fn: returns (answer bubble, sources panel, per-turn sections)."""
        return _unwrap(self._worker(("chat", message, history, turns)))

    def api(self, question: str, history: list[dict] | None = None) -> dict:
        """The ``/ask`` endpoint: a question (and optional history) -> answer JSON."""
        return _unwrap(self._worker(("api", question, history)))

    def _serve(self, requests: list[tuple]) -> list:
        """Requests that arrived together: parse each, answer all at once, render each."""
        parsed = []
        for kind, *args in requests:
            try:
                parsed.append(self._parse_chat(*args) if kind == "chat" else self._parse_api(*args))
            except gr.Error as exc:
                parsed.append(exc)
        todo = [p for p in parsed if isinstance(p, _Request)]
        answers = iter(self._answer_all(todo))
        return [p.reply(next(answers)) if isinstance(p, _Request) else p for p in parsed]

    def _answer_all(self, todo: list[_Request]) -> list:
        """Answers (or the exceptions ask() raised) for ``todo``, questions encoded together."""
        if not todo:
            return []
        ask_batch = getattr(self.assistant, "ask_batch", None)
        if ask_batch is not None:
            return ask_batch([(r.question, r.past) for r in todo])
        out: list = []
        for r in todo:
            try:
                out.append(self.assistant.ask(r.question, history=r.past))
            except Exception as exc:  # noqa: BLE001 - handed to the request's reply
                out.append(exc)
        return out

    @staticmethod
    def _parse_chat(message: Any, history: list, turns: dict | None) -> _Request:
        question = render.plain_text(message) if not isinstance(message, str) else message
        past = _history_for_ask(history)
        turn = 1 + sum(1 for m in past if m["role"] == "assistant")
        # Turns below ``turn`` only (after a retry or "New chat" the numbers restart), and
        # only the newest: with this one, at most MAX_SOURCE_TURNS.
        first_kept = max(1, turn - MAX_SOURCE_TURNS + 1)
        turns = {t: s for t, s in (turns or {}).items() if first_kept <= int(t) < turn}
        return _Request("chat", question, past, turn, first_kept, turns)

    @staticmethod
    def _parse_api(question: str, history: list[dict] | None = None) -> _Request:
        if history is not None and not isinstance(history, (list, tuple)):
            raise gr.Error(
                'history must be a list of {"role": "user"|"assistant", "content": "..."} '
                "messages, or left out.",
                print_exception=False,
            )
        return _Request("api", question or "", _history_for_ask(history))


@dataclass
class _Request:
    """A parsed /chat or /ask request, waiting for its answer."""

    kind: str  # "chat" or "api"
    question: str
    past: list[dict]
    turn: int = 0
    first_kept: int = 1
    turns: dict = field(default_factory=dict)

    def reply(self, answer: Any):
        """The reply to send (chat: bubble, panel, turns; api: JSON), or a gr.Error to raise."""
        if isinstance(answer, Exception) and not isinstance(answer, AskseedsError):
            log.error("ask() failed for question %r", self.question, exc_info=answer)
        if self.kind == "api":
            if isinstance(answer, Exception):
                text = str(answer) if isinstance(answer, AskseedsError) else render.GENERIC_ERROR
                return gr.Error(text, print_exception=False)
            return render.answer_dict(answer)
        turns, first_kept = self.turns, self.first_kept
        if isinstance(answer, Exception):
            text = str(answer) if isinstance(answer, AskseedsError) else render.GENERIC_ERROR
            return render.render_error(text), render.render_panel(turns, first_kept), turns
        turns[self.turn] = (self.question, render.render_sources(answer, self.turn))
        return (
            render.render_answer(answer, self.turn),
            render.render_panel(turns, first_kept),
            turns,
        )


def _unwrap(reply: Any) -> Any:
    if isinstance(reply, gr.Error):
        raise reply
    return reply


def build_app(assistant: Any) -> gr.Blocks:
    """The chat page for ``assistant`` (anything with ``.stats`` and ``.ask(q, history=)``)."""
    adapter = ChatAdapter(assistant)

    def chat(message: str, history: list, turns: dict | None):
        return adapter.chat(message, history, turns)

    def ask(question: str, history: list[dict] | None = None) -> dict:
        """Answer a question from the documents, quoting sentences with [n] citations."""
        return adapter.api(question, history)

    def clear():
        return render.render_panel({}), {}

    with gr.Blocks(title="askseeds: ask the documents", fill_height=False) as demo:
        with gr.Row(elem_id="top", equal_height=False):
            gr.HTML(render.render_header(assistant.stats), elem_id="header", scale=1)
            new_chat = gr.Button(
                "New chat",
                elem_id="new-chat",
                size="sm",
                variant="secondary",
                scale=0,
                min_width=110,
            )
        turns = gr.State({})
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=380):
                sources = gr.HTML(render.render_panel({}), elem_id="sources", render=False)
                chatbot = gr.Chatbot(
                    elem_id="chatbot",
                    height="68vh",
                    show_label=False,
                    latex_delimiters=[],
                    buttons=["copy"],
                    feedback_options=None,
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
                    additional_inputs=[turns],
                    additional_outputs=[sources, turns],
                    examples=[[q, None] for q in EXAMPLES],  # None: keep the current State
                    api_name="chat",
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
        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return demo


def launch_kwargs() -> dict:
    """Styling and safety options for ``Blocks.launch`` (Gradio 6 takes css/js/theme there)."""
    font = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    theme = gr.themes.Soft(primary_hue="indigo", neutral_hue="slate", font=font, font_mono=mono)
    return {
        "share": False,
        "ssr_mode": False,
        "mcp_server": False,
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
) -> None:
    """Open (building or updating if needed) the index of ``docs`` and serve the chat."""
    from .api import Assistant

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _warn_if_public(host)
    assistant = Assistant.from_folder(docs, index_dir=index_dir, settings=settings, progress=True)
    assistant.embedder.prepare_queries()  # so no visitor waits for it
    demo = build_app(assistant)
    log.info(
        "askseeds chat on http://%s:%d", "127.0.0.1" if host in ("", "0.0.0.0") else host, port
    )
    demo.launch(server_name=host, server_port=int(port), **launch_kwargs())
