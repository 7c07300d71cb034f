"""askseeds' own JSON routes, ``POST /api/ask`` and ``/api/retrieve``, on a real server on seeds/."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from askseeds.web.chat import QUEUE_MAX_SIZE
from askseeds.web.rest import MAX_BODY

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTION = "Where was the seventh China-U.S. Sister Cities Conference held?"


def post(url: str, route: str, body, **kwargs) -> httpx.Response:
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx.post(url + route, content=content, timeout=120, **kwargs)


def test_ask_replies_as_the_gradio_endpoint_does(app_url):
    reply = post(app_url, "/api/ask", {"question": QUESTION})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    data = reply.json()
    assert data == Client(app_url, verbose=False).predict(QUESTION, api_name="/ask")
    assert not data["abstained"] and "Hangzhou" in data["answer"]
    for cit in data["citations"]:
        text = (SEEDS / cit["source"]).read_text(encoding="utf-8")
        assert text[cit["start"] : cit["end"]] == cit["snippet"]


def test_ask_takes_history_and_filters(app_url):
    first = post(app_url, "/api/ask", {"question": QUESTION}).json()
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": first["answer"]},
    ]
    data = post(app_url, "/api/ask", {"question": "What was its theme?", "history": history})
    snippets = " ".join(c["snippet"] for c in data.json()["citations"])
    assert "Closer Partnership for a Sustainable Future" in snippets
    only = first["citations"][0]["source"]
    kept = post(app_url, "/api/retrieve", {"question": "sister cities", "k": 4, "only": only})
    assert {p["source"] for p in kept.json()["passages"]} == {only}


def test_retrieve_gives_k_passages(app_url):
    data = post(app_url, "/api/retrieve", {"question": "Who is the mayor of Tacoma?", "k": 3})
    assert data.status_code == 200
    passages = data.json()["passages"]
    assert len(passages) == 3
    assert data.json() == Client(app_url, verbose=False).predict(
        "Who is the mayor of Tacoma?", 3, api_name="/retrieve"
    )


@pytest.mark.parametrize(
    ("route", "body", "status", "says"),
    [
        ("/api/ask", {"question": "   "}, 400, "Please type a question"),
        ("/api/ask", {"questoin": QUESTION}, 400, "'questoin'"),
        ("/api/ask", {"question": 7}, 400, '"question" must be a string'),
        ("/api/ask", {"question": QUESTION, "history": "earlier"}, 400, "history must be a list"),
        ("/api/ask", {"question": QUESTION, "since": "yesterday"}, 400, "not a date"),
        ("/api/ask", "not json", 400, "must be a JSON object"),
        ("/api/ask", "[1, 2]", 400, "must be a JSON object"),
        ("/api/ask", b"\xff\xfe\x00", 400, "must be a JSON object"),
        ("/api/ask", b"", 400, "must be a JSON object"),
        ("/api/retrieve", {"question": QUESTION, "k": 99}, 400, "from 1 to 20"),
        ("/api/retrieve", {"question": QUESTION, "k": "many"}, 400, "whole number"),
        ("/api/ask", {"question": "x" * (MAX_BODY + 1)}, 413, "over"),
    ],
)
def test_bad_requests_get_a_status_and_a_message(app_url, route, body, status, says):
    reply = post(app_url, route, body)
    assert reply.status_code == status
    error = reply.json()["error"]
    assert says in error
    assert "Traceback" not in error and 'File "' not in error


def test_a_body_sent_in_chunks_is_capped_too(app_url):
    def chunks():
        for _ in range(MAX_BODY // 4096 + 2):
            yield b" " * 4096  # no Content-Length: the size is only known as it comes

    reply = httpx.post(app_url + "/api/ask", content=chunks(), timeout=60)
    assert reply.status_code == 413


def test_a_lone_surrogate_is_answered_in_valid_json(app_url):
    # JSON may escape a lone surrogate, which has no UTF-8 encoding: the reply must still be one.
    reply = post(app_url, "/api/ask", '{"question": "\\ud800 Which city hosted the conference?"}')
    assert reply.status_code == 200
    reply.content.decode("ascii")
    assert "\ud800" not in reply.json()["question"]


def test_a_page_of_another_site_is_refused(app_url):
    body = {"question": QUESTION}
    # What a browser sends for a page elsewhere posting to this machine's server ...
    foreign = post(app_url, "/api/ask", body, headers={"Origin": "https://pages.example.com"})
    assert foreign.status_code == 403 and "other sites" in foreign.json()["error"]
    # ... and for the server's own page.
    own = post(app_url, "/api/ask", body, headers={"Origin": app_url})
    assert own.status_code == 200 and own.json()["citations"]


def test_only_post_is_served(app_url):
    assert httpx.get(app_url + "/api/ask", timeout=30).status_code == 405


def test_more_requests_than_the_queue_holds_are_turned_away(app_url):
    async def flood() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=300) as client:
            body = json.dumps({"question": QUESTION})
            calls = [client.post(app_url + "/api/ask", content=body) for _ in range(2 * QUEUE_MAX_SIZE)]
            return await asyncio.gather(*calls)

    # On a thread of its own: the browser tests' Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        replies = pool.submit(asyncio.run, flood()).result()
    busy = [r for r in replies if r.status_code == 503]
    answered = [r for r in replies if r.status_code == 200]
    assert busy and len(busy) + len(answered) == len(replies)
    assert busy[0].headers["retry-after"] == "1" and "busy" in busy[0].json()["error"]
    assert len({r.json()["answer"] for r in answered}) == 1  # all answered alike, none garbled
    # ... and once the queue has drained, the route answers again.
    assert post(app_url, "/api/ask", {"question": QUESTION}).status_code == 200
