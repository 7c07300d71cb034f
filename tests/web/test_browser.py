"""The chat page in headless Chromium against real servers: ask, cite, follow up, abstain, XSS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ANSWER_TIMEOUT = 60_000
FIRST = "Where was the seventh China-U.S. Sister Cities Conference held?"
FOLLOW_UP = "What was its theme?"
UNANSWERABLE = "Who won the 2022 FIFA World Cup?"


def _open(page: Page, url: str) -> dict:
    """Open the page, recording dialogs and every request that leaves 127.0.0.1."""
    seen = {"dialogs": [], "foreign": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    def on_request(request):
        if not re.match(r"^(https?://127\.0\.0\.1[:/]|data:|blob:|about:)", request.url):
            seen["foreign"].append(request.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.goto(url)
    expect(page.locator("#msg textarea")).to_be_editable(timeout=30_000)
    return seen


def _ask(page: Page, question: str):
    """Type a question, press Enter, and return the new answer bubble once it is complete."""
    bots = page.locator('#chatbot [data-testid="bot"]')
    before = bots.count()
    box = page.locator("#msg textarea")
    expect(box).to_be_editable(timeout=ANSWER_TIMEOUT)
    users = page.locator('#chatbot [data-testid="user"]')
    asked = users.count()
    box.fill(question)
    box.press("Enter")
    try:  # right after load the page may not listen yet: press Enter again if nothing happened
        expect(users).to_have_count(asked + 1, timeout=5_000)
    except AssertionError:
        if box.input_value() == question:
            box.press("Enter")
    expect(bots).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    bubble = bots.nth(before)
    expect(bubble).to_contain_text(
        re.compile(r"\[1\]|Not found in the documents|went wrong"), timeout=ANSWER_TIMEOUT
    )
    expect(box).to_be_editable(timeout=ANSWER_TIMEOUT)
    return bubble


def test_header_names_corpus_and_model(page: Page, app_url, artifacts):
    seen = _open(page, app_url)
    stats = page.locator("#stats")
    expect(stats).to_contain_text(re.compile(r"Searching 5 documents · \d+ passages · model \S+"))
    expect(page.locator("#chatbot button.example").first).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("Sources")
    page.screenshot(path=str(artifacts / "web-empty.png"))
    assert seen["foreign"] == [], seen["foreign"]


def test_answer_with_clickable_citation(page: Page, app_url, artifacts):
    seen = _open(page, app_url)
    bubble = _ask(page, FIRST)
    expect(bubble).to_contain_text("Hangzhou")
    expect(bubble).to_contain_text("[1]")

    sources = page.locator("#sources")
    card = sources.locator("#src-1-1")
    expect(card).to_be_attached()
    expect(card.locator("mark")).to_contain_text(re.compile(r"\S"))
    expect(card.locator(".src-meta")).to_contain_text(".txt")

    marker = bubble.locator("a.cite").first
    expect(marker).to_have_text("[1]")
    marker.click()
    expect(card).to_have_class(re.compile(r"\bactive\b"))
    expect(card).to_be_in_viewport()
    assert page.url.rstrip("/") == app_url.rstrip("/"), "the marker must not navigate away"
    assert len(page.context.pages) == 1, "the marker must not open a new tab"
    page.screenshot(path=str(artifacts / "web-answer.png"))
    assert seen["dialogs"] == [] and seen["foreign"] == [], seen


def test_follow_up_uses_history(page: Page, app_url, artifacts):
    _open(page, app_url)
    first = _ask(page, FIRST)
    expect(first).to_contain_text("Hangzhou")
    second = _ask(page, FOLLOW_UP)
    expect(second).to_contain_text("Closer Partnership for a Sustainable Future")
    # The panel shows the new answer's sources and keeps the first one folded below.
    expect(page.locator("#sources #src-2-1")).to_be_visible()
    older = page.locator("#sources details.older")
    expect(older).to_have_count(1)
    expect(older).to_contain_text(FIRST)
    # A marker in the first answer opens its (folded) source card.
    first.locator("a.cite").first.click()
    expect(page.locator("#sources #src-1-1")).to_be_visible()
    expect(page.locator("#sources #src-1-1")).to_have_class(re.compile(r"\bactive\b"))
    page.screenshot(path=str(artifacts / "web-follow-up.png"))


def test_abstention_lists_closest_passages(page: Page, app_url, artifacts):
    _open(page, app_url)
    bubble = _ask(page, UNANSWERABLE)
    expect(bubble).to_contain_text("Not found in the documents")
    expect(page.locator("#sources .src-near").first).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("Closest passages")
    page.screenshot(path=str(artifacts / "web-abstain.png"))


def test_conflict_shows_both_sources_newest_first(page: Page, app_url, artifacts):
    _open(page, app_url)
    bubble = _ask(page, "How many sister city pairs do China and the United States have?")
    expect(bubble).to_contain_text("The sources disagree")
    dates = bubble.locator(".ans-list .ans-date")
    expect(dates).to_have_count(2)
    expect(dates.first).to_contain_text(re.compile(r"\d{4}"))
    expect(bubble).to_contain_text("288")
    expect(bubble).to_contain_text("284")
    expect(page.locator("#sources")).to_contain_text("newest first")
    expect(page.locator("#sources #src-1-2")).to_be_attached()
    page.screenshot(path=str(artifacts / "web-conflict.png"))


def test_example_click_and_new_chat(page: Page, app_url):
    _open(page, app_url)
    page.locator("#chatbot button.example").first.click()
    bubble = page.locator('#chatbot [data-testid="bot"]').first
    expect(bubble).to_contain_text("[1]", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#sources #src-1-1")).to_be_attached()
    expect(page.locator("#msg textarea")).to_be_editable(timeout=ANSWER_TIMEOUT)
    page.locator("#new-chat").click()
    expect(page.locator('#chatbot [data-testid="bot"]')).to_have_count(0)
    expect(page.locator("#sources .src")).to_have_count(0)
    # The next question starts again at turn 1.
    bubble = _ask(page, FIRST)
    expect(bubble.locator('a.cite[href="#src-1-1"]').first).to_be_attached()


def test_hostile_document_is_inert(page: Page, evil_url, evil_question, artifacts):
    seen = _open(page, evil_url)
    bubble = _ask(page, evil_question)
    expect(bubble).to_contain_text("[1]")
    page.wait_for_timeout(500)  # give any injected handler a chance to fire
    shown = page.locator("#chatbot").inner_text() + page.locator("#sources").inner_text()
    assert "<script>" in shown or "onerror" in shown or "javascript:" in shown, (
        "the hostile sentences should be quoted literally:\n" + shown
    )
    for root in ("#chatbot", "#sources"):
        assert page.locator(f"{root} img[src='x']").count() == 0
        assert page.locator(f"{root} script").count() == 0
        assert page.locator(f"{root} a[href^='javascript']").count() == 0
        assert page.locator(f"{root} [onerror]").count() == 0
    assert page.evaluate("window.__xss === undefined")
    bubble.locator("a.cite").first.click()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "web-hostile.png"))
    assert seen["dialogs"] == [], seen["dialogs"]
    assert seen["foreign"] == [], seen["foreign"]


def test_a_markdown_note_reads_rendered_and_stays_inert(
    page: Page, evil_url, evil_note_question, artifacts
):
    seen = _open(page, evil_url)
    bubble = _ask(page, evil_note_question)
    expect(bubble).to_contain_text(
        "The Kessel Point lamp can be seen 24 nautical miles out to sea on a clear night, "
        "says the harbour log."
    )
    expect(bubble.locator("strong")).to_have_text("24 nautical miles")
    shown = bubble.inner_text()
    assert "[[" not in shown and "**" not in shown and "javascript" not in shown, shown
    assert bubble.locator("a:not(.cite)").count() == 0  # a link shows its label, not a link
    bubble.locator("a.cite").first.click()
    # The source card quotes the file's exact characters.
    expect(page.locator("#sources #src-1-1")).to_contain_text("[[Kessel Point|Kessel Point lamp]]")
    page.wait_for_timeout(300)
    for root in ("#chatbot", "#sources"):
        assert page.locator(f"{root} img[src='x']").count() == 0
        assert page.locator(f"{root} a[href^='javascript']").count() == 0
        assert page.locator(f"{root} [onerror]").count() == 0
    assert page.evaluate("window.__xss === undefined")
    page.screenshot(path=str(artifacts / "web-markdown.png"))
    assert seen["dialogs"] == [] and seen["foreign"] == [], seen


def test_a_down_vote_becomes_a_question_to_label_and_is_scored(page: Page, app_server, tmp_path):
    """Thumbs down in the page -> feedback file -> question set to label -> askseeds eval."""
    import json
    import time
    from pathlib import Path

    from askseeds.cli import main
    from askseeds.web.feedback import read_votes

    server_dir = app_server.log_path.parent  # app.py runs with --index-dir <server_dir>/index
    votes = server_dir / "index-feedback.jsonl"
    _open(page, app_server.url)
    _ask(page, FIRST)
    second = _ask(page, FOLLOW_UP)
    page.locator('#chatbot button[aria-label="Dislike"]').last.click()
    deadline = time.monotonic() + 30
    while not (votes.exists() and votes.read_text(encoding="utf-8").strip()):
        assert time.monotonic() < deadline, "the vote never reached the feedback file"
        time.sleep(0.2)
    (vote,) = [v for v in read_votes(votes) if v.question == FOLLOW_UP]
    assert vote.vote == "down" and [t["content"] for t in vote.history][:1] == [FIRST]
    assert vote.citations and vote.answer.split(" [")[0] in second.inner_text()

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    labels, report = tmp_path / "labels.jsonl", tmp_path / "report.json"
    args = ["eval", "--feedback", str(votes), "--labels", str(labels), "--docs", str(seeds),
            "--index-dir", str(server_dir / "index"), "--json", str(report)]
    assert main(args) == 0 and not report.exists()  # nothing labelled yet: nothing scored
    (entry,) = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    assert entry["turns"] == [FIRST, FOLLOW_UP] and entry["answers"] == []
    entry["answers"] = ["Closer Partnership for a Sustainable Future"]
    entry["sources"] = [vote.citations[0]["source"]]
    labels.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    assert main(args) == 0
    scored = json.loads(report.read_text(encoding="utf-8"))
    assert [q["id"] for q in scored["questions"]] == [entry["id"]]
    assert scored["answers"]["hybrid"]["answer_hit"] == 1.0
    assert scored["answers"]["hybrid"]["citation_exactness"] == 1.0


def _fill_filter(field, value: str, note, says: str) -> None:
    """Type ``value`` into a filter field and leave it, until the note ``says`` what it reads.

    Under a full suite's load a field's change was once never sent (the note still read "all
    documents" after 5 s); a person would type it again, and so does this, once."""
    field.fill(value)
    field.press("Tab")
    try:
        expect(note).to_contain_text(says, timeout=10_000)
    except AssertionError:
        field.fill("")
        field.fill(value)
        field.press("Tab")
        expect(note).to_contain_text(says, timeout=ANSWER_TIMEOUT)


def test_the_filter_row_limits_the_answer_and_explains_a_bad_filter(page: Page, app_url):
    question = "Where was the China-U.S. Sister Cities Conference held?"
    _open(page, app_url)
    # Typed into before the page listens, a field shows its value but never sends it (seen
    # once under a full suite's load); a first answer proves the page listens.
    _ask(page, question)
    expect(page.locator("#filter-since textarea, #filter-since input")).to_be_hidden()
    page.locator("#filters").get_by_text("Filter documents").click()
    since = page.locator("#filter-since textarea, #filter-since input").first
    until = page.locator("#filter-until textarea, #filter-until input").first
    expect(since).to_be_visible()
    # As a person does, leave the box before asking: the page commits a field's value on blur.
    note = page.locator("#filter-note")
    expect(note).to_contain_text("all documents")
    # The note is the server's reading of the fields: once it says so, a question carries them.
    _fill_filter(until, "2024", note, "only from documents until 2024")
    older = _ask(page, question)
    expect(older).to_contain_text("Suzhou")
    expect(older).to_contain_text("Searched only documents until 2024")
    until.fill("")
    _fill_filter(since, "2025-01", note, "only from documents since 2025-01.")
    newer = _ask(page, question)
    expect(newer).to_contain_text("Hangzhou")
    _fill_filter(since, "someday", note, "since='someday' is not a date")
    bots = page.locator('#chatbot [data-testid="bot"]')
    before = bots.count()
    box = page.locator("#msg textarea")
    box.fill(question)
    box.press("Enter")
    expect(bots).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    expect(bots.nth(before)).to_contain_text("since='someday' is not a date")
