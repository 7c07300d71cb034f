"""The /ask and /chat endpoints of a real server on seeds/, through gradio_client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gradio_client import Client

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

QUESTION = "Where was the seventh China-U.S. Sister Cities Conference held?"


@pytest.fixture(scope="module")
def client(app_url) -> Client:
    return Client(app_url, verbose=False)


def test_ask_returns_cited_answer_with_exact_offsets(client):
    data = client.predict(QUESTION, api_name="/ask")
    assert data["abstained"] is False
    assert "[1]" in data["answer"]
    assert "Hangzhou" in data["answer"]
    assert data["citations"], data
    for cit in data["citations"]:
        assert {"number", "source", "title", "date", "start", "end", "snippet", "score"} <= set(cit)
        text = (SEEDS / cit["source"]).read_text(encoding="utf-8")
        assert text[cit["start"] : cit["end"]] == cit["snippet"]
    assert [c["number"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))


def test_ask_takes_history_for_follow_ups(client):
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": client.predict(QUESTION, api_name="/ask")["answer"]},
    ]
    data = client.predict("What was its theme?", history, api_name="/ask")
    assert data["abstained"] is False
    assert "Closer Partnership for a Sustainable Future" in " ".join(
        c["snippet"] for c in data["citations"]
    )


def test_ask_abstains_when_documents_do_not_say(client):
    data = client.predict("Who won the 2022 FIFA World Cup?", api_name="/ask")
    assert data["abstained"] is True
    assert data["citations"] == []
    assert data["passages"], "an abstention still lists the closest passages"


def test_empty_question_gives_a_message_not_a_traceback(client):
    with pytest.raises(Exception) as info:
        client.predict("   ", api_name="/ask")
    message = str(info.value)
    assert "Traceback" not in message and 'File "' not in message
    assert message.strip()


def test_chat_endpoint_returns_answer_and_sources_html(client):
    bubble, sources = client.predict(message=QUESTION, api_name="/chat")
    assert "[1]" in bubble and 'href="#src-1-1"' in bubble
    assert 'id="src-1-1"' in sources and "<mark>" in sources


def test_no_file_outside_the_app_is_served(app_url):
    for path in (
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=seeds/000_e6ba5802b2421233.txt",
        f"/gradio_api/file={SEEDS}/000_e6ba5802b2421233.txt",
        "/file=/etc/passwd",
        "/gradio_api/file=app.py",
    ):
        resp = httpx.get(app_url + path, timeout=10)
        assert resp.status_code in (403, 404), (path, resp.status_code)
        assert "root:" not in resp.text and "Sister Cities" not in resp.text
