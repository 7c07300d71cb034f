"""Twenty users at once all get answers (queue + thread-safe ask)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from gradio_client import Client

QUESTIONS = [
    "Where was the seventh China-U.S. Sister Cities Conference held?",
    "How many pairs of sister provinces and cities do China and the United States have?",
    "What was the theme of the video dialogue between sister cities?",
    "Who sent a message to the fifth China-US Sister Cities Conference?",
    "Where was the fifth China-U.S. Sister Cities Conference held?",
]
USERS = 20


def test_twenty_concurrent_users_all_get_answers(app_url):
    def one_user(i: int):
        question = QUESTIONS[i % len(QUESTIONS)]
        client = Client(app_url, verbose=False)
        if i % 2:
            bubble, sources = client.predict(message=question, api_name="/chat")
            return question, {"answer": bubble, "sources": sources}
        return question, client.predict(question, api_name="/ask")

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        results = list(pool.map(one_user, range(USERS)))

    assert len(results) == USERS
    for question, data in results:
        assert data["answer"], question
        if "sources" in data:
            assert "[1]" in data["answer"] or "Not found" in data["answer"], question
        else:
            assert data["citations"] or data["abstained"], question
