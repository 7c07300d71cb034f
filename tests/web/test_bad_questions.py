"""Bad questions against the real server, through ``/ask`` and ``/chat`` (gradio_client).

Each gets an answer or a clear message within a time limit; no traceback reaches the client
or the server log; question text comes back as inert text, never as markup.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TIMEOUT = 60  # seconds per request: a hang fails the test instead of blocking the suite

QUESTIONS = {  # name -> (question, "empty" | "answer")
    "empty": ("", "empty"),
    "whitespace": ("  \t\n  ", "empty"),
    "punctuation": ("?!?... ;;; ---", "empty"),
    "emoji": ("😀🎉🇺🇸👍🏽", "empty"),
    "control-only": ("\x00\x07\x1b\x7f", "empty"),
    "long-100k": ("Who is the mayor of Tacoma? " + "sister city " * 9_000, "answer"),
    "control-chars": ("Who\x00 is the\x1b[31m mayor of\r\nTacoma?\x07", "answer"),
    "chinese": ("中美友好城市大会在哪里举行？", "answer"),
    "arabic": ("أين عقد المؤتمر السابع للمدن الشقيقة؟", "answer"),
    "html": (
        (
            '<script>alert(1)</script><img src=x onerror="alert(2)"><iframe src="//e"></iframe>'
            " Who is the mayor of Tacoma?"
        ),
        "answer",
    ),
    "markdown": (
        (
            "[click](javascript:alert(1)) ![x](http://e/x.png) **Who** is the mayor of "
            "`Tacoma`? <!-- hidden -->"
        ),
        "answer",
    ),
}
LIVE_MARKUP = re.compile(r"<script|<iframe|<img|onerror=|javascript:|<!--|\]\(", re.IGNORECASE)


@pytest.fixture(scope="module")
def client(app_url) -> Client:
    return Client(app_url, verbose=False)


def _call(client: Client, endpoint: str, question: str, *history):
    """predict() with a deadline; returns the result or the exception the client raised.

    ``history``, if given, is /ask's second argument.
    """
    job = (
        client.submit(question, *history, api_name="/ask")
        if endpoint == "/ask"
        else client.submit(message=question, api_name="/chat")
    )
    try:
        return job.result(timeout=TIMEOUT)
    except TimeoutError:
        pytest.fail(f"{endpoint} did not answer {question[:40]!r} within {TIMEOUT}s")
    except Exception as exc:  # noqa: BLE001 (the client's error is what the user sees)
        return exc


def _no_traceback(message: str) -> None:
    assert "Traceback" not in message and 'File "' not in message, message


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_ask_endpoint(client, name):
    question, expect = QUESTIONS[name]
    result = _call(client, "/ask", question)
    if expect == "empty":
        assert isinstance(result, Exception), result
        _no_traceback(str(result))
        assert "Please type a question" in str(result)
        return
    assert isinstance(result, dict), result
    assert result["answer"].strip()
    assert result["citations"] or (result["abstained"] and result["passages"])
    for cit in result["citations"]:
        text = (SEEDS / cit["source"]).read_text(encoding="utf-8")
        assert text[cit["start"] : cit["end"]] == cit["snippet"]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", result["question"])


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_chat_endpoint(client, name):
    question, expect = QUESTIONS[name]
    result = _call(client, "/chat", question)
    assert isinstance(result, tuple), result
    bubble, sources = result
    _no_traceback(bubble + sources)
    if expect == "empty":
        assert 'class="ans ans-error"' in bubble and "Please type a question" in bubble
        return
    assert "[1]" in bubble or "Not found in the documents" in bubble
    # The question is echoed in the sources panel, escaped: no live markup from it.
    assert not LIVE_MARKUP.search(bubble + sources), (bubble + sources)[:2000]
    if name in ("html", "markdown"):
        shown = html.unescape(re.sub(r"<[^>]*>", " ", sources))
        assert "<script>alert(1)</script>" in shown or "[click](javascript:alert(1))" in shown


def test_bad_history_gets_a_clear_message(client):
    question = "Who is the mayor of Tacoma?"
    for history in (5, "not a list", {"role": "user"}):
        result = _call(client, "/ask", question, history)
        assert isinstance(result, Exception), (history, result)
        _no_traceback(str(result))
        assert "history must be a list" in str(result)
    odd = [{"role": "user", "content": None}, {"role": "system", "content": "x"}, [1, 2], "hi"]
    result = _call(client, "/ask", question, odd)
    assert isinstance(result, dict) and result["citations"], result


def test_lone_surrogates_over_raw_http(app_url):
    # gradio_client cannot even encode these; a hand-written JSON body can.
    body = '{"question": "\\ud800 Who is the mayor of Tacoma? \\udfff"}'
    with httpx.Client(base_url=app_url, timeout=TIMEOUT) as http:
        start = http.post(
            "/gradio_api/call/v2/ask", content=body, headers={"Content-Type": "application/json"}
        )
        assert start.status_code == 200, start.text
        event_id = start.json()["event_id"]
        stream = http.get(f"/gradio_api/call/ask/{event_id}").text
    _no_traceback(stream)
    assert "event: complete" in stream, stream[:2000]
    data = json.loads(stream.split("event: complete", 1)[1].split("data:", 1)[1].strip())
    assert data[0]["citations"] and "Tacoma" in data[0]["citations"][0]["snippet"]


def test_cited_text_reads_exactly_on_the_page(client):
    """Apostrophes and quotes in a cited sentence show as themselves, not as entities."""
    question = "What did Beijing's top envoy in Washington say about subnational cooperation?"
    data = _call(client, "/ask", question)
    snippets = [c["snippet"] for c in data["citations"]]
    assert any("'" in s for s in snippets), snippets
    bubble, _ = _call(client, "/chat", question)
    shown = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", bubble)).split())
    for snippet in snippets:
        assert " ".join(snippet.split()) in shown, (snippet, shown)


def test_server_logged_no_traceback(app_server):
    # Last in this module (pytest keeps file order): none of the above left a traceback.
    assert "Traceback" not in app_server.log()
