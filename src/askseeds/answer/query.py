"""Read what the user typed into what is searched: cleaned, without a request around it,
with the earlier questions a follow-up may lean on. ``read_query`` does it once into a
``Query`` that retrieval and answering share."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace

from ..errors import EmptyQueryError
from ..terms import terms, words

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000  # longer input is cut: the model reads 256 tokens at most
CONTEXT_TURNS = 3  # earlier user turns a follow-up may lean on; none reads further back
_TERMINAL_CODE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # an ANSI escape sequence (CSI)
_ANAPHORA = frozenset(["it", "its", "it's", "they", "their", "them", "there", "he", "she", "his", "her", "him", "this", "that", "these", "those", "then"])  # fmt: skip


# A request wrapped around what is asked: "Tell me about Tacoma", "What do the documents say
# about Boston?", "Could you please tell me who ...". Its words ("tell", "documents", "say")
# are matched like the subject's, so the sentences about the subject look like poor matches.
_REQUEST = re.compile(
    r"^(?:(?:please|so|ok(?:ay)?|hey|hi|hello)[,!]?\s+)*"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)?"
    r"(?:tell\s+(?:me|us)(?:\s+(?:some\s+)?more)?(?:\s+about)?"
    r"|give\s+(?:me|us)\s+(?:some\s+|any\s+|more\s+)?(?:information|info|details|facts)\s+(?:about|on)"
    r"|what\s+(?:do|does|did)\s+(?:the|these|those|your|my)\s+"
    r"(?:documents?|articles?|texts?|sources?|files?|reports?)\s+(?:say|tell\s+(?:me|us))\s+about"
    r"|what\s+(?:do\s+you\s+know|is\s+(?:known|said))\s+about"
    r"|i(?:'d|’d|\s+would)\s+like\s+to\s+know(?:\s+about)?|i\s+want\s+to\s+know(?:\s+about)?"
    r"|do\s+you\s+know(?:\s+about)?)\s+",
    re.IGNORECASE,
)


def strip_request(question: str) -> str:
    """What ``question`` asks about, without a request around it ("Tell me about X" -> "X").

    A question that is nothing but the request is returned as it is.
    """
    m = _REQUEST.match(question)
    rest = question[m.end() :] if m else question
    rest = re.sub(r"[\s,]+please[\s.!?]*$", "", rest, flags=re.IGNORECASE).strip()
    if m:
        # The closing mark ends the request ("What do the documents say about X?"), not the
        # subject: kept, it would be encoded with "X" and search differently from "X" alone.
        rest = rest.rstrip(" ?!.")
    return rest if terms(rest) else question


@dataclass(frozen=True)
class Query:
    """A question as read: ``text`` cleaned, ``asked`` without a request around it, and
    ``context``, the earlier questions it may lean on (empty when there are none)."""

    text: str
    asked: str
    context: tuple[str, ...] = ()

    @property
    def search(self) -> str:
        """What is searched: the earlier questions it leans on, then the question."""
        return " ".join((*self.context, self.asked))

    @property
    def points_back(self) -> bool:
        """It names something only the conversation says ("its theme", "the two cities")."""
        return _points_back(self.asked)

    def alone(self) -> Query:
        """The question read without the conversation."""
        return replace(self, context=())


def read_query(question: object, history: list[dict] | None = None) -> Query:
    """``question`` cleaned, its request stripped, with the earlier questions it may lean on.

    Raises:
        EmptyQueryError: it is not text or has no letters or digits.
    """
    text = clean_question(question)
    asked = strip_request(text)
    return Query(text, asked, tuple(_context(asked, history)))


def resolve_followup(question: str, history: list[dict] | None) -> str:
    """The question with the earlier questions it may lean on prefixed (``Query.search``)."""
    return " ".join((*_context(question, history), question))


def _context(question: str, history: list[dict] | None) -> list[str]:
    """The earlier questions ``question`` may lean on, oldest first.

    A question may lean on the conversation when it uses a pronoun such as "its" or
    "there", or has fewer than three content terms. Up to ``CONTEXT_TURNS`` earlier user
    turns are taken, stopping at the first one that stands on its own.
    """
    if not history:
        return []
    earlier = [
        str(m.get("content") or "")
        for m in history
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
    ]
    context: list[str] = []
    current = question
    for previous in reversed(earlier[-CONTEXT_TURNS:]):
        if not _leans_on_context(current) or not previous.strip():
            break
        context.insert(0, strip_request(previous.strip()))
        current = previous
    return context


def _points_back(question: str) -> bool:
    ws = words(question)
    # "the two cities", "both sides" point back like a pronoun.
    return bool(set(ws) & _ANAPHORA) or " the two " in f" {' '.join(ws)} " or "both" in ws


def _leans_on_context(question: str) -> bool:
    return _points_back(question) or len(set(terms(question))) < 3


def clean_question(question: object) -> str:
    """The question as searched: cut to ``MAX_QUESTION_CHARS``, control characters and
    terminal colour codes dropped, spacing collapsed.

    Raises:
        EmptyQueryError: it is not text or has no letters or digits.
    """
    if not isinstance(question, str):
        raise EmptyQueryError("The question must be text.")
    if len(question) > MAX_QUESTION_CHARS:
        log.info("question cut from %d to %d characters", len(question), MAX_QUESTION_CHARS)
    # Control characters carry no meaning and confuse tokenizers; a terminal's colour codes
    # ("\x1b[31m") go whole, or their "[31m" would be searched for as a word.
    text = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " "
        for ch in _TERMINAL_CODE.sub(" ", question[:MAX_QUESTION_CHARS])
    )
    text = " ".join(text.split())
    if not words(text):
        raise EmptyQueryError(
            "Please type a question with some words in it, e.g. 'Where was the seventh "
            "China-U.S. Sister Cities Conference held?'"
        )
    return text
