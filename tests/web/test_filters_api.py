"""Filters through the /ask, /retrieve and /chat endpoints of a real server on seeds/."""

from __future__ import annotations

import re

import pytest
from gradio_client import Client

QUESTION = "Where was the China-U.S. Sister Cities Conference held?"


@pytest.fixture(scope="module")
def client(app_url) -> Client:
    return Client(app_url, verbose=False)


def test_ask_and_retrieve_take_filters(client):
    older = client.predict(QUESTION, None, "", "", "2024", False, api_name="/ask")
    assert "Suzhou" in older["citations"][0]["snippet"]
    assert all(c["date"] < "2024" for c in older["citations"])
    found = client.predict(QUESTION, 5, "004_*", "", "", False, api_name="/retrieve")
    assert {p["source"] for p in found["passages"]} == {"004_f084b65bf9f1a5c0.txt"}


def test_chat_takes_the_filter_row(client):
    bubble, _ = client.predict(message=QUESTION, only="", since="2025", until="",
                               keep_undated=False, api_name="/chat")
    assert "Hangzhou" in bubble and "Searched only documents since 2025" in bubble


@pytest.mark.parametrize(
    ("only", "since", "message"),
    [("reports/*", "", "no document matches 'reports/*'"),
     ("", "2025-02-30x", "is not a date"),
     ("000_*", "2020", "No document matches the filter")],
    ids=["glob", "date", "nothing-kept"],
)
def test_bad_filters_get_a_message_not_a_traceback(client, only, since, message):
    with pytest.raises(Exception, match=re.escape(message)) as failure:
        client.predict(QUESTION, None, only, since, "", False, api_name="/ask")
    assert "Traceback" not in str(failure.value)
    bubble, _ = client.predict(message=QUESTION, only=only, since=since, until="",
                               keep_undated=False, api_name="/chat")
    assert message.split("'")[0] in bubble and "Traceback" not in bubble
