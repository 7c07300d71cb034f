"""The MCP tools, driven by the ``mcp`` package's client against a real ``askseeds serve``."""

from __future__ import annotations

import ast
import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from askseeds.cli import _parser

mcp = pytest.importorskip("mcp")
from mcp.client.streamable_http import streamable_http_client

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ANSWERABLE = "Who is the mayor of Tacoma?"
UNANSWERABLE = "Who won the 2022 FIFA World Cup?"


@pytest.fixture(scope="module")
def mcp_url(tmp_path_factory, run_server):
    """``askseeds serve`` with ASKSEEDS_MCP=1 (the flag's environment form)."""
    tmp = tmp_path_factory.mktemp("mcp-server")
    args = ["-m", "askseeds.cli", "serve", "--docs", str(SEEDS), "--index-dir", str(tmp / "idx")]
    with run_server(args, tmp / "serve.log", {**os.environ, "ASKSEEDS_MCP": "1"}) as server:
        yield server.url + "/gradio_api/mcp/"


def _run(coroutine):
    """``asyncio.run`` on its own thread: playwright's sync API keeps a loop on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _session(url: str, work):
    async with (
        streamable_http_client(url) as (read, write, _),
        mcp.ClientSession(read, write) as session,
    ):
        await session.initialize()
        return await work(session)


def _tools(url: str) -> dict:
    async def work(session):
        return {tool.name: tool for tool in (await session.list_tools()).tools}

    return _run(_session(url, work))


def _call(url: str, tool: str, arguments: dict):
    """(is_error, the tool's result: a dict, or the error message)."""

    async def work(session):
        return await session.call_tool(tool, arguments)

    result = _run(_session(url, work))
    text = "".join(part.text for part in result.content)
    return result.isError, text if result.isError else ast.literal_eval(text)


def _file_text(source: str) -> str:
    return (SEEDS / source).read_text(encoding="utf-8")


def test_exactly_ask_and_retrieve_are_tools_and_say_when_they_abstain(mcp_url):
    tools = _tools(mcp_url)
    assert set(tools) == {"ask", "retrieve"}
    assert "abstains" in tools["ask"].description
    assert "Never abstains" in tools["retrieve"].description
    assert tools["ask"].inputSchema["required"] == ["question"]
    assert tools["retrieve"].inputSchema["properties"]["k"]["type"] == "integer"


def test_ask_returns_a_cited_answer_with_exact_offsets(mcp_url):
    failed, answer = _call(mcp_url, "ask", {"question": ANSWERABLE})
    assert not failed and not answer["abstained"]
    assert answer["citations"] and "[1]" in answer["answer"]
    for c in answer["citations"]:
        assert {"source", "title", "date", "start", "end", "snippet"} <= set(c)
        assert _file_text(c["source"])[c["start"] : c["end"]] == c["snippet"]
    assert "Tacoma" in answer["citations"][0]["snippet"]


def test_ask_follows_the_conversation(mcp_url):
    history = [
        {"role": "user", "content": "Where was the seventh China-U.S. Sister Cities Conference held?"},
        {"role": "assistant", "content": "It was held in Hangzhou. [1]"},
    ]
    failed, answer = _call(mcp_url, "ask", {"question": "What was its theme?", "history": history})
    assert not failed
    assert "conference" in answer["resolved_question"].lower()


def test_the_tools_take_filters(mcp_url):
    question = "Where was the China-U.S. Sister Cities Conference held?"
    failed, answer = _call(mcp_url, "ask", {"question": question, "until": "2024"})
    assert not failed and "Suzhou" in answer["citations"][0]["snippet"]
    failed, found = _call(mcp_url, "retrieve", {"question": question, "only": "004_*"})
    assert not failed and {p["source"] for p in found["passages"]} == {"004_f084b65bf9f1a5c0.txt"}
    failed, text = _call(mcp_url, "ask", {"question": question, "since": "soon"})
    assert failed and "is not a date" in text


def test_ask_abstains_when_the_documents_do_not_say(mcp_url):
    failed, answer = _call(mcp_url, "ask", {"question": UNANSWERABLE})
    assert not failed and answer["abstained"]
    assert not answer["citations"] and answer["passages"]


def test_retrieve_returns_k_passages_with_offsets(mcp_url):
    failed, found = _call(mcp_url, "retrieve", {"question": ANSWERABLE, "k": 3})
    assert not failed and len(found["passages"]) == 3
    scores = [p["score"] for p in found["passages"]]
    assert scores == sorted(scores, reverse=True)
    top = found["passages"][0]
    assert top["start"] < top["end"] <= len(_file_text(top["source"]))


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("ask", {"question": "?!?"}, "Please type a question"),
        ("retrieve", {"question": ANSWERABLE, "k": 0}, "k must be a whole number from 1 to 20"),
        ("retrieve", {"question": "   "}, "Please type a question"),
    ],
)
def test_bad_calls_get_a_message_not_a_traceback(mcp_url, tool, arguments, message):
    failed, text = _call(mcp_url, tool, arguments)
    assert failed and message in text and "Traceback" not in text


def test_mcp_is_off_by_default(app_url, monkeypatch):
    assert httpx.get(app_url + "/gradio_api/mcp/schema", timeout=10).status_code == 404
    monkeypatch.delenv("ASKSEEDS_MCP", raising=False)
    assert _parser().parse_args(["serve"]).mcp is False
    assert _parser().parse_args(["serve", "--mcp"]).mcp is True
    monkeypatch.setenv("ASKSEEDS_MCP", "1")
    assert _parser().parse_args(["serve"]).mcp is True
    assert _parser().parse_args(["serve", "--no-mcp"]).mcp is False
