"""Read a question, and describe how well a sentence fits it as numbers a model can weigh.

The question is analysed once (what kind of thing it asks for, its focus noun,
the numbers it names); each candidate sentence then gets a feature vector, which
``scorer.py`` weighs.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..ingest.clean import shown_text
from ..ingest.dates import years_for_dates
from ..terms import STOPWORDS, options, terms, words

FEATURES = (
    "dense",  # cosine of the sentence and the question
    "lexical",  # IDF share of the question's terms in the sentence
    "contrast",  # the same, with terms weighed by how few of the other candidates contain them
    "focus",  # IDF share of the focus noun's terms ("theme" in "what was the theme of ...")
    "inherited",  # IDF share found only in the sentence's passage: the sentence inherits its topic
    "prior",  # the passage's retrieval score relative to the best passage
    "rank",  # 1 / (1 + the passage's rank)
    "type",  # the sentence holds the kind of thing asked for (number, date, name, code)
    "novelty",  # share of the sentence's terms the question does not use: an answer adds something
    "bigram",  # share of the question's term pairs found side by side
    "length",  # long sentences match more terms by chance
    "slot",  # a new name beside the focus noun: "Lin Songtian, president of", "Symphony Orchestra"
    "entry",  # the sentence stands under a heading the question names: the entry on its subject
    "definition",  # ... and is that entry's first statement, which says what its subject is or does
    # (only for a question of no particular kind: one asking for a figure or a default is not
    # answered by what the subject is); or, for "What is X?", it says "X is a/an/the ..."
    "label",  # ... and is a "Label: value" line whose label the question names ("Default: 30")
    # IDF share found only in the sentence before it in its paragraph, which names what it goes
    # on about: "It was his first visit to China" is the Oregon Senate president's, named there
    "before",
)

NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
    "saturday|sunday"
)
# A year inside a name ("CVE-2022-4410", "ISO-8601") dates nothing; "pre-2000" does.
DATE = re.compile(rf"\b(?<!(?-i:[A-Z])-)(?:1[5-9]\d\d|20\d\d|{_MONTHS})\b", re.IGNORECASE)
# "What year ..." asks for a year: on SQuAD's first 12 articles 61 of 62 such answers hold a
# 3-4 digit year (the other: "2nd century BCE"), so a sentence without one cannot answer.
_YEAR_QUESTION = re.compile(r"\b(?:what|which) years?\b", re.IGNORECASE)
_YEAR_STATED = re.compile(r"(?<![\w.,])\d{3,4}s?(?![\w]|[.,]\d)|\bcentur(?:y|ies)\b", re.IGNORECASE)
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|dozens?)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]+")
# A name in a place's slot: after a locative preposition, or before a kind of place.
_PLACE = re.compile(
    r"\b(?:in|at|from|near|to|into|across|throughout|outside|inside)\s+(?:the\s+)?"
    r"([A-Z][\w’'.-]+)"
    r"|\b([A-Z][\w’'.-]+)\s+"
    r"(?:City|Province|State|County|River|Lake|Island|Mountains?|Valley|Bay|Sea)\b"
)
_WH = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
_AUX = frozenset(
    [
        "is",
        "was",
        "are",
        "were",
        "did",
        "does",
        "do",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
    ]
)
_ORDINALS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}  # fmt: skip
# "which city", and with up to two words naming which: "which U.S. city", "what Washington
# state city" (not "what is the state of ...").
_PLACE_QUESTION = re.compile(
    r"where\b|(what|which) (?:(?!(?:is|was|are|were|the|a|an|of)\b)[\w.'’-]+ ){0,2}"
    r"(city|country|province|state|place|town|county)\b"
)
_ORDINAL_NUMBER = re.compile(r"^\d+(st|nd|rd|th)$")
# A name, maybe quoted, maybe with "of"/"the"/... between its words ("Build Green Cities for").
_NAME = r"[\"“‘']?[A-Z][\w'’.&-]*(?:\s+(?:(?:of|the|and|de|for)\s+)?[A-Z][\w'’.&-]*)*"
_NAME_BEFORE = re.compile(rf"({_NAME})\s*,?\s*(?:the\s+|a\s+)?$")
_NAME_AFTER = re.compile(rf"\s*,?\s*({_NAME})")
_WORD = re.compile(r"[\w'’-]+")
# "What version of Windows ...", "Which Python versions ...", "Which OpenSSL release ...": a
# version is a number ("What release date ..." asks for a date).
_VERSION_QUESTION = re.compile(
    r"(?:what|which) (?:[\w-]+ )?(?:versions?\b|releases?\b(?! dates?\b))", re.IGNORECASE
)
# "What was the average cost of ...", "What is the population of ...": the thing asked for is a
# quantity. On the 24 SQuAD articles 30 of 30 such questions have a figure for answer. Nouns
# that also name non-quantities ("area", "size", "value", "length" of day) are left out.
_QUANTITY_QUESTION = re.compile(
    r"(what|which) (?:is|was|are|were) (?:the|its|their|his|her) (?:[\w-]+ )?"
    r"(budget|costs?|price|population|temperature|rate|ratio|age|score|salary|revenue|income|"
    r"height|width|depth|weight|distance|speed|capacity|attendance|fee|gdp|worth|elevation|"
    r"altitude)\b"
    # ... or the measure comes first: "What dev-set accuracy does the model reach?", "What
    # resolution were the cameras increased to?" (SQuAD's 7 such questions: 5K, 17%, 7.8%, and 3
    # unanswerable).
    r"|(what|which) (?:[\w-]+ )?(accuracy|precision|recall|latency|throughput|bandwidth|"
    r"resolution|proportion|percentage|rate|score|speed|frequency|efficiency) "
    r"(?:does|did|do|is|was|are|were|has|had|can|could|will|would)\b"
)


# "Which parameter enables ...", "What command installs ...": the thing asked for is a name in
# code, which prose does not capitalise but writes with underscores, dashes, brackets or
# backquotes. Nouns that prose uses as often ("function", "method", "field", "option") are left
# out: of SQuAD's 8,669 questions these words match none.
_CODE_QUESTION = re.compile(
    r"(?:what|which) (?:[\w-]+ )?(?:command|parameter|argument|flag|keyword|environment variable)"
    r"s?\b"
)
_CODE_NAME = re.compile(
    r"`[^`\s]+`|(?<![\w/])[A-Za-z]\w*_\w+|\b\w+\(|(?<![\w-])--?[A-Za-z][\w-]*|^\s*(?:\$|>>>)",
    re.MULTILINE,
)

# "What keyboard shortcut opens ...", "Which hotkey ...": answered by a key combination.
_KEYS_QUESTION = re.compile(
    r"(?:what|which)\b.*\b(?:shortcut|hotkey|keystroke|key ?binding|key combination)s?\b"
)
# As manuals write them: "Ctrl+P", "Cmd + Shift + .", "⌘K", and VS Code's "cmd+alt+v".
_KEY_COMBO = re.compile(
    r"\b(?i:ctrl|control|cmd|command|alt|option|shift|super|meta|win)\s?\+\s?\S|[⌘⌥⌃⇧]\s?\S"
)
# "What is the default port?", "What does TIMEOUT default to?": the thing asked for is a value,
# which a reference writes as a figure, a quoted string or a constant ("Default: 'session'").
# "on by default" asks for something else. No SQuAD or seeds question asks so.
_VALUE_QUESTION = re.compile(
    r"(?:what|which) (?:is|was|are|were) (?:the |its |their )?(?:[\w'’-]+ )?defaults?\b(?! by\b)"
    r"|(?:what|which) .*\bdefaults? (?:to|value)\b"
)

# "Why ...?", "For what reason ...?", "What is the reason ...?", "How come ...?"
_REASON_QUESTION = re.compile(
    r"why\b|how come\b|(?:for )?what reasons?\b|what (?:is|was|are|were) the (?:main )?reasons?\b"
)
# A sentence that gives a reason: "... because ...", "The reason is that ...", "due to ...".
_REASON = re.compile(
    r"\b(?:because|due to|owing to|thanks to|on account of|as a (?:result|consequence)|in order to"
    r"|so that|reasons?\b|caused by|therefore|hence|thus|consequently)\b",
    re.IGNORECASE,
)

# A value as code writes it: quoted, a Python constant, an empty container ("Default: {}.").
_LITERAL = re.compile(
    r"(['\"])[^'\"\s]{1,40}\1|(?<=\W)(?:True|False|None)\b|(?<!\w)(?:\{\s*\}|\[\s*\])"
)


def question_kind(question: str) -> str:
    """What the question asks for: 'number', 'date', 'name', 'place', 'code', 'keys' (a key
    combination), 'value', 'reason' or 'other'.

    Read from the first question word on, so "How did he feel when he arrived?"
    asks for a manner, not a date.
    """
    m = _WH.search(question)
    q = question[m.start() :].lower() if m else question.lower()
    if (
        re.match(r"how (many|much|old|long|far)\b", q)
        or re.search(r"^(what|which) (percentage|share|number|amount)\b|\bnumber of\b", q)
        or asks_version(question)
        or _QUANTITY_QUESTION.match(q)
    ):
        return "number"
    if re.match(r"when\b|(what|which|in what|in which) (year|date|day|month|time)\b", q):
        return "date"
    if re.match(r"who(m|se)?\b", q):
        return "name"
    if _PLACE_QUESTION.match(q):
        return "place"
    if _KEYS_QUESTION.match(q):
        return "keys"
    if _CODE_QUESTION.match(q):
        return "code"
    if _VALUE_QUESTION.match(q):
        return "value"
    if _REASON_QUESTION.match(q):
        return "reason"
    return "other"


def asks_for_something(question: str) -> bool:
    """A wh-question ("What is libtasn1?"), not a yes/no one ("Is libffi thread-safe?"): its
    answer must name something the question does not."""
    first = words(question[:40])[:1]
    return _WH.search(question) is not None and not (first and first[0] in _AUX)


# "What does NumPy stand for?", "What is PDF short for?", "What does the acronym CORS mean?"
_KIND_OF_NAME = r"(?:name|acronym|abbreviation|initialism|letters)"
_EXPANSION_ASKED = re.compile(
    rf"\bwhat\s+(?:does|do|did|is|was)\s+(?:the\s+)?(?:{_KIND_OF_NAME}\s+)?(\S+?)"
    rf"(?:\s+{_KIND_OF_NAME})?[\s\"'”’]+(?:stand\s+for|short\s+for)\b"
    rf"|\bwhat\s+(?:does|do)\s+the\s+{_KIND_OF_NAME}\s+(\S+?)\W*\s+mean\b",
    re.IGNORECASE,
)
# What spells a name out after it: "NumPy (short for Numerical Python)", "CORS stands for ...",
# "PDF, an acronym for ...".
_SPELLED_OUT = (
    r"\W{0,3}\s*(?:short\s+for|(?:which\s+)?stands?\s+for"
    r"|an?\s+(?:acronym|abbreviation)\s+(?:for|of))\b"
)
_SMALL_WORDS = frozenset(
    ["of", "and", "the", "for", "a", "an", "in", "on", "to", "with", "by", "at", "&", "de", "du",
     "des", "del", "la", "le", "von", "van", "der"]
)  # fmt: skip


def expansion_asked(question: str) -> str | None:
    """The name whose long form the question asks for ("NumPy" of "What does NumPy stand
    for?"), or None."""
    m = _EXPANSION_ASKED.search(question)
    name = next((g for g in m.groups() if g), None) if m else None
    return name.strip("\"'“”‘’`*_") or None if name else None


def expands(text: str, name: str) -> bool:
    """Whether ``text`` spells ``name`` out: "NumPy (short for *Numerical Python*)", "CORS
    stands for ...", or the words before "(PDF)" whose initials spell it ("Portable Document
    Format (PDF)"), or the words in brackets or after "or" that follow it ("PDF (Portable
    Document Format)", "the FIS or Front Islamique de Salut")."""
    said = re.escape(name)
    if re.search(rf"(?<!\w){said}{_SPELLED_OUT}", text, re.IGNORECASE):
        return True
    for m in re.finditer(rf"\(\s*{said}\s*\)", text, re.IGNORECASE):
        if _initials_spell(text[: m.start()], name, from_end=True):
            return True
    after = rf"(?<!\w){said}(?:\s*\(([^()]{{3,80}})\)|,?\s+or\s+(.{{3,80}}))"
    for m in re.finditer(after, text, re.IGNORECASE):
        if _initials_spell(m.group(1) or m.group(2), name, from_end=False):
            return True
    return False


def _initials_spell(words_text: str, name: str, from_end: bool) -> bool:
    """Whether the words of ``words_text`` (its last ones, or all) begin with the letters of
    ``name`` in order, small words ("of", "and") skipped."""
    letters = [ch.lower() for ch in name if ch.isalnum()]
    found = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", words_text)  # "Cross-Origin": two
    found = found[-3 * len(letters) :] if from_end else found
    if from_end:
        letters, found = letters[::-1], found[::-1]
    i = 0
    for word in found:
        if i == len(letters):
            break
        if word[0].lower() == letters[i]:
            i += 1
        elif word.lower() not in _SMALL_WORDS:
            return False
    return i == len(letters) and len(letters) >= 2


def asks_year(question: str) -> bool:
    """The question asks for a year ("In what year ...", "Since which year ...")."""
    return _YEAR_QUESTION.search(question) is not None


def asks_version(question: str) -> bool:
    """The question asks for a version ("Which Python versions ...", "In what version ...")."""
    m = _WH.search(question)
    return _VERSION_QUESTION.match(question, m.start() if m else 0) is not None


def focus_words(question: str) -> list[str]:
    """The noun phrase a what/which/who question asks about, e.g. ``["theme"]``.

    "What was the theme of X" and "Who is the president of X" give the noun after
    the verb; "Which Chinese ambassador spoke ..." gives the words up to the first
    function word. Other questions have no focus.
    """
    m = _WH.search(question)
    if not m or m.group(1).lower() not in ("what", "which", "who"):
        return []
    after = words(question[m.end() :])
    if after and after[0] in _AUX:
        after = after[1:]
        if not after or after[0] not in ("the", "a", "an"):
            return []
        after = after[1:]
    elif m.group(1).lower() == "who":
        return []
    focus = []
    for w in after[:3]:
        if w in STOPWORDS or w in _AUX:
            break
        focus.append(w)
    return focus


# A name spelled with digits, as a changelog or a manual writes it: "CVE-2014-0160",
# "TLSv1.3", "3.0.16", "grep 3.6", "RFC8446". Not a count ("50", "1,000"), an ordinal or a
# decade. A version and a decimal look alike; either is named exactly where it is meant.
_IDENTIFIER = re.compile(r"[A-Za-z\d](?:[\w.-]*[A-Za-z\d])?")
_FIGURE = re.compile(r"\d[\d,]*|\d+(?:st|nd|rd|th|s|'s)", re.IGNORECASE)


def identifiers(question: str) -> tuple[str, ...]:
    """The names spelled with digits the question uses, lower-cased: a sentence about
    "CVE-2014-0160" must name it, where "Fix for [CVE-2014-0224]" shares every word but one;
    then the command-line options it names, as written ("-v" is not "-V"): "What does grep
    -v do?" is answered under "-v, --invert-match", not by another option's words."""
    named = tuple(
        t.lower()
        for t in _IDENTIFIER.findall(question)
        if any(ch.isdigit() for ch in t) and len(t) > 2 and not _FIGURE.fullmatch(t)
    )
    return named + tuple(options(question))


def constraints(question: str) -> list[frozenset[str]]:
    """Numbers, years and ordinals the question names, each with its other spellings.

    An answer's document must mention every one ("sixth" or "6th"). "first" is left
    out: it is used loosely ("the first pair", "for the first time"). A date's day is the
    date, however the document writes it ("March 14th, 2024" is a table's "2024-03-14"),
    or the day's number where the document gives no year with it ("on March 14").
    """
    by_number = {v: k for k, v in _ORDINALS.items()}
    question, dates = years_for_dates(question)
    out = [
        frozenset({f"d{iso.replace('-', '')}", str(int(iso[8:]))})
        for iso in dates
        if len(iso) == 10
    ]
    for w in words(question):
        if w in _ORDINALS and w != "first":
            group = {w, _ORDINALS[w]}
        elif _ORDINAL_NUMBER.match(w) or w.isdigit():
            group = {w} | ({by_number[w]} if w in by_number else set())
        else:
            continue
        out.append(frozenset(t for g in group for t in terms(g)))
    return out


# "Default: 30", "**Command line:** `--timeout INT`", "Valid values: a filename": a label and
# its value, not a statement.
_LABEL_LINE = re.compile(r"^\W*([A-Za-z][\w -]{0,30}?)\W*:(?!//)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# "What is X?" asked whole, X of at most five words.
_WHAT_IS = re.compile(
    r"\s*what\s+(?:is|are|was|were)\s+((?:\S+\s+){0,4}?\S+?)\s*\?*\s*$", re.IGNORECASE
)
# "X is a/an/the/one ...": X up to sixty characters, no clause break inside it. A plural is
# defined without an article ("Wikilinks are internal links ..."), but not by a participle,
# an adverb or a preposition ("Files are stored ...", "Backups are not ...", "are in ...").
_COPULA = re.compile(
    r"\W*([^.!?;:,()]{1,60}?)\s+(?:(?:is|are|was|were)\s+(?:an?|the|one)\b"
    r"|are\s+(?!(?:not|also|often|usually|always|never|now|still|being|only|very|so|too"
    r"|in|on|at|for|from|with|by|to|of|under|available)\b)"
    r"(?![a-z]+(?:ed|en)\b)(?=[a-z]))",
    re.IGNORECASE,
)
# "How do I create a callout?": the task asked how to do, in the asker's person ("How did
# the Normans conquer ..." asks of a story, not a task).
_HOW_TO = re.compile(
    r"\s*how\s+(?:do|can|could|should|would|may|might)\s+(?:i|you|we|one|users?)\s+"
    r"(?:go about\s+)?([^?]+?)\s*\?*\s*$",
    re.IGNORECASE,
)
# "To create a callout, add ...", "In order to embed a file: ...", "If you want to undo a
# change, press ...": the task a sentence says how to do, up to its first clause break.
_PURPOSE = re.compile(
    r"\W*(?:(?:in order )?to|if you (?:want|wish|need|would like) to)\s+([^,:;.!?]{1,80})[,:]",
    re.IGNORECASE,
)
# "a" or "an", and up to three words after it (a word inside backticks is a name).
_KIND = re.compile(r"\b(?:a|an)\s+([^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*){0,2})", re.IGNORECASE)
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
# A heading's own number ("3.2 Configuration", "IV. Results"): where it stands, not what it names.
SECTION_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.)\s+")
# A heading that is a code signature names the entry by the callable before its argument list
# ("Function: ffi_status ffi_prep_cif (ffi_cif *cif, ...)", "querystring.stringify(obj)"):
# its category and return type are not named by a question about it.
_SIGNATURE = re.compile(r"([A-Za-z_$][\w$]*(?:(?:\.|::)[A-Za-z_$][\w$]*)*)(\s*)\(")
_CODE_LIKE = re.compile(r"[_.$]|::|[a-z][A-Z]")
_LETTERS = re.compile(r"[^\W\d_]")
_CATEGORY = re.compile(r"[A-Z][a-z]+(?: [a-z]+)?:\s+(?:\S+\s+)*?(\S+)\s*$")
_DOTTED_NAME = re.compile(r"\w{2,}(?:[.-]\w{2,})+")


def is_statement(text: str) -> bool:
    """Whether ``text`` reads as a statement: it ends as a sentence and is not a label line."""
    return text.rstrip(" *_`'\")").endswith((".", "!", "?")) and not _label_line(text)


def opens_section(text: str) -> bool:
    """Whether ``text`` can be what a section says first: a statement, or a lead-in to the
    lines below it ("Install with pip:" over the command), which is quoted with them."""
    return is_statement(text) or (
        text.rstrip(" *_`'\")").endswith(":") and not _label_line(text)
    )


def _label_line(text: str) -> re.Match[str] | None:
    # A heading is joined to the line below it across a blank line ("`installer.no-binary`",
    # blank, "**Type**: `string`"): the label is that line's.
    return _LABEL_LINE.match(_BLANK_LINE.split(text)[-1])


class SentenceFacts(NamedTuple):
    """What scoring needs of a sentence whatever the question; read once per sentence."""

    text: str
    size: int  # its number of terms, repeats included
    present: frozenset[str]
    pairs: frozenset[tuple[str, str]]  # consecutive term pairs
    numbers: tuple[str, ...]  # figures as written ("1,200")
    number_words: bool  # "seven", "dozens", ...
    dated: bool  # a year, month or weekday
    names_year: bool  # a year ("1979", "1990s") or a century: what a year question needs
    capitalised: tuple[str, ...]  # capitalised words, in order
    places: tuple[str, ...]  # words of names after "in", "at", ... or before "Province", "River", ...
    # The terms of the heading the sentence stands under, and their pairs: an entry of a
    # reference ("PERMANENT_SESSION_LIFETIME" over "Default: 31 days") states facts about its
    # heading.
    heading: frozenset[str] = frozenset()
    heading_pairs: frozenset[tuple[str, str]] = frozenset()
    # The name of the entry it states facts about: the list item it stands in where that
    # names what it describes ("- Undo: Press ..." under "## Usage"), else its heading.
    entry: frozenset[str] = frozenset()
    # The command-line options its heading names ("-v", "--invert-match" of "-v,
    # --invert-match"): naming any one of them names the entry.
    options: frozenset[str] = frozenset()
    lead: bool = False  # the first statement of its section
    label: frozenset[str] = frozenset()  # a "Label: value" line's label terms
    # The terms of what the sentence defines: "Faiss is a library ..." -> ({faiss},); a name
    # also by its last words: "Obsidian Web Clipper is ..." -> (..., {web, clipper}, {clipper})
    subject: tuple[frozenset[str], ...] = ()
    # The terms of its file's name: "requests_README.md" is the document every sentence of it
    # speaks of, as a heading is the section's.
    document: frozenset[str] = frozenset()
    # The terms of the task it says how to do: "To create a callout, add ..." -> {creat, callout}
    purpose: frozenset[str] = frozenset()
    # The terms of the question its heading asks, when it is the first statement under a
    # question (an FAQ's "The build is too big. How can I make it smaller?" over "Give
    # --enable-small to the configure script.")
    answers: frozenset[str] = frozenset()
    # The terms of the sentence before it in its paragraph (a table's row or a list's item has
    # none: its cells' or item's marks stand between it and the record above).
    before: frozenset[str] = frozenset()


def read_sentence(
    text: str,
    heading: str = "",
    lead: bool = False,
    document: frozenset[str] = frozenset(),
    item: str = "",
) -> SentenceFacts:
    """The question-independent facts of ``text`` (its terms, figures, dates, names), read
    under ``heading``, the innermost heading above it (if any); ``lead``: it is the first
    statement under that heading; ``document``: the terms of its file's name
    (``name_terms``); ``item``: the name of the list item it stands in, where the item
    names what it describes ("sep" of "- sep <string> The separator. Default: '&'.")."""
    sentence_terms = terms(text)
    present = frozenset(sentence_terms)
    heading_terms = terms(heading)
    # A one-letter alias ("-c" of "-c, --code") need not be named to name the entry, nor
    # a bracketed qualifier ("[report]" of "[report] precision"), nor the section's own
    # number; a version's digits must be ("man-db 2.9.3" is not named by "man-db").
    name = _BRACKETED.sub(" ", _entry_name(SECTION_NUMBER.sub("", heading)))
    named_heading = frozenset(
        t for t in terms(name) if (len(t) > 1 or t.isdigit()) and not t.startswith("-")
    ) | name_stopwords(heading)
    heading_options = frozenset(options(name))
    named_item = frozenset(terms(item)) | name_stopwords(item)
    return SentenceFacts(
        text=text,
        size=len(sentence_terms),
        present=present,
        pairs=frozenset(itertools.pairwise(sentence_terms)),
        numbers=tuple(NUMBER.findall(text)),
        number_words=_NUMBER_WORDS.search(text) is not None,
        dated=DATE.search(text) is not None,
        names_year=_YEAR_STATED.search(text) is not None,
        capitalised=tuple(_CAPITALISED.findall(text)),
        places=tuple(w for m in _PLACE.finditer(text) for w in words(m.group(1) or m.group(2))),
        heading=named_heading | named_item,
        heading_pairs=frozenset(itertools.pairwise(heading_terms)),
        entry=named_item or named_heading or heading_options,
        options=frozenset() if named_item else heading_options,
        lead=lead,
        answers=frozenset(heading_terms if lead and heading.rstrip().endswith("?") else ()),
        label=frozenset(terms(m.group(1))) if (m := _label_line(text)) else frozenset(),
        document=document,
        subject=defined_subject(text),
        purpose=_purpose(text),
    )


def _purpose(text: str) -> frozenset[str]:
    m = _PURPOSE.match(shown_statement(text))
    return frozenset(terms(m.group(1))) if m else frozenset()


def _entry_name(heading: str) -> str:
    """What ``heading`` names: the callable of a code signature; the name after a category
    ("Constant: SHA256_DIGEST_SIZE", "Data type: struct sha256_ctx"); else the heading."""
    m = _SIGNATURE.search(heading)
    if m and (not m.group(2) or _CODE_LIKE.search(m.group(1))):
        return m.group(1)
    m = _CATEGORY.match(heading)
    if m and _CODE_LIKE.search(m.group(1)) and _LETTERS.search(m.group(1)):
        return m.group(1)
    return heading


def shown_statement(text: str) -> str:
    """``text`` after any heading joined above it, as the reader sees it rendered (links as
    their labels: ``clean.shown_text``)."""
    return shown_text(_BLANK_LINE.split(text)[-1])


def defined_subject(text: str) -> tuple[frozenset[str], ...]:
    """The terms of what ``text`` says something is ("**Faiss** is a library for ...", "The
    capital of Peru is the city of Lima", "[Faiss](https://...) is ..."), read after any
    heading joined above it; empty for a sentence of another shape. A capitalised name is
    defined by its last words too: "Obsidian Web Clipper is ..." says what the Web Clipper
    is, as "Apache Kafka is ..." what Kafka is."""
    m = _COPULA.match(shown_statement(text).replace("**", "").replace("`", ""))
    if not m:
        return ()
    said = m.group(1).split()
    out = [frozenset(terms(m.group(1)))]
    if len(said) <= 4 and all(w[:1].isupper() for w in said):
        out += [frozenset(terms(" ".join(said[i:]))) for i in range(1, len(said))]
    return tuple(t for t in out if t)


def name_stopwords(text: str) -> frozenset[str]:
    """Stopwords inside dotted or hyphenated names, where they tell names apart:
    installer.no-binary and installer.only-binary share every other term."""
    return frozenset(
        w for m in _DOTTED_NAME.finditer(text) for w in words(m.group()) if w in STOPWORDS
    )


def type_match(kind: str, sentence: SentenceFacts, question_words: AbstractSet[str]) -> float:
    """1 when the sentence holds a thing of the asked kind the question does not already name.

    A place question is answered best by a name in a place's slot ("held in Suzhou",
    "the Qiantang River"): on SQuAD's first 12 articles 47% of answering sentences
    have one and 26% of the others. Any other new name counts half.
    """
    if kind == "number":
        numbers = [n for n in sentence.numbers if n not in question_words]
        return 1.0 if numbers or sentence.number_words else 0.0
    if kind == "date":
        return 1.0 if sentence.dated else 0.0
    if kind == "code":
        return 1.0 if _CODE_NAME.search(sentence.text) else 0.0
    if kind == "keys":
        return 1.0 if _KEY_COMBO.search(sentence.text) else 0.0
    if kind == "reason":
        return 1.0 if _REASON.search(sentence.text) else 0.0
    if kind == "value":
        numbers = [n for n in sentence.numbers if n not in question_words]
        return 1.0 if numbers or _LITERAL.search(sentence.text) else 0.0
    if kind == "place" and any(w not in question_words for w in sentence.places):
        return 1.0
    if kind in ("name", "place"):
        names = [w for w in sentence.capitalised if w.lower() not in question_words]
        # The sentence's first word is capitalised whatever it is.
        named = len(names) > 1 or (names and not sentence.text.startswith(names[0]))
        return (1.0 if kind == "name" else 0.5) if named else 0.0
    return 0.5


def focus_slot(
    head: AbstractSet[str], sentence: SentenceFacts, question_words: AbstractSet[str]
) -> float:
    """1 when a name the question does not use stands right beside the focus noun (``head``,
    its terms).

    "Who is the President of X" is answered by "Yang Wanming, President of X" or "President
    Yang Wanming"; "Which orchestra was invited?" by "the Baltimore Symphony Orchestra". On SQuAD's
    first 12 articles 12% of the sentences answering what/which questions with a focus have
    such a name and 4% of the other candidates; for who-questions, 22% and 6%. (Any focus word,
    not only the noun: 17% and 7%, and "Which Chinese ambassador" finds every "Chinese X".)
    """
    if head.isdisjoint(sentence.present):
        return 0.0
    text = sentence.text
    for m in _WORD.finditer(text):
        if head.isdisjoint(_word_terms(m.group())):
            continue
        for name in (
            _NAME_BEFORE.search(text, max(0, m.start() - 80), m.start()),
            _NAME_AFTER.match(text, m.end()),
        ):
            if name and any(
                w not in STOPWORDS and w not in question_words for w in words(name.group(1))
            ):
                return 1.0
    return 0.0


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> frozenset[str]:
    # focus_slot asks this of every word of every candidate sentence; words repeat.
    return frozenset(terms(word))


@dataclass(frozen=True)
class Question:
    """A question read once, for scoring many sentences against it."""

    kind: str
    # term -> share of the question's IDF weight (terms from earlier turns count half); sums to 1
    weights: dict[str, float]
    focus: dict[str, float]  # the focus noun's terms -> share of their weight; empty if no focus
    pairs: frozenset[tuple[str, str]]  # consecutive term pairs of the question
    words: frozenset[str]
    own: frozenset[str]
    constraints: tuple[frozenset[str], ...]
    year: bool  # it asks for a year
    head: frozenset[str]  # the focus noun ("orchestra" in "which American orchestra")
    # Its terms with the stopwords inside names ("no" of installer.no-binary): what a heading
    # must be made of for the question to name it.
    names: frozenset[str] = frozenset()
    # "What is X?": the terms of X, which a sentence saying what X is defines
    defined: frozenset[str] = frozenset()
    # "How do I X?": the terms of X, the task a sentence opening "To X, ..." says how to do
    task: frozenset[str] = frozenset()


def read_question(question: str, query: str, idf: Callable[[str], float]) -> Question:
    """Analyse ``question``; ``query`` adds the earlier turns a follow-up leans on.

    In a question asking for a year the word "year" names the kind of answer, not
    a term to match: the answer states the year instead (on SQuAD's first 12
    articles 4% of the sentences answering such questions use the word, 5% of the
    others), so it is left out. So is "version" in a question asking for one: the answer
    states the number ("Python 3.10+ or PyPy3").
    """
    year = asks_year(question)
    asked = set(terms("year years")) if year else set()
    if asks_version(question):
        asked |= set(terms("version versions"))
    own_terms = [t for t in terms(question) if t not in asked]
    own = set(own_terms)
    context = set(terms(query)) - own - asked
    weights = {t: idf(t) for t in own} | {t: 0.5 * idf(t) for t in context}
    focus_list = focus_words(question)
    focus = {t for w in focus_list for t in terms(w)} - asked
    return Question(
        kind=question_kind(question),
        weights=_shares(weights),
        focus=_shares({t: weights.get(t, 0.0) for t in focus}),
        pairs=frozenset(itertools.pairwise(own_terms)),
        words=frozenset(words(question)),
        own=frozenset(own),
        constraints=tuple(constraints(question)),
        year=year,
        head=frozenset(terms(focus_list[-1]) if focus_list else ()) - asked,
        names=(frozenset(weights) - _kinds(question)) | name_stopwords(question),
        defined=frozenset(terms(m.group(1))) if (m := _WHAT_IS.match(question)) else frozenset(),
        task=frozenset(terms(m.group(1))) if (m := _HOW_TO.match(question)) else frozenset(),
    )


def _kinds(question: str) -> frozenset[str]:
    """The terms of the nouns the question uses as kinds, not names: after "a" or "an", up
    to a stopword ("How do I create a callout?", "What is a vault?"). A reference's entry
    `callout` or `vault` is not what it asks about."""
    out: set[str] = set()
    for m in _KIND.finditer(question):
        for w in m.group(1).split():
            if w.lower() in STOPWORDS:
                break
            out.update(terms(w))
    return frozenset(out)


def _shares(weights: dict[str, float]) -> dict[str, float]:
    """The weights scaled to sum to 1 (left as they are when they sum to 0)."""
    total = sum(weights.values()) or 1.0
    return {t: w / total for t, w in weights.items()}


def candidate_features(
    q: Question,
    sentences: Sequence[SentenceFacts],
    passage_terms: Sequence[AbstractSet[str]],
    dense: Sequence[float],
    prior: Sequence[float],
    rank: Sequence[int],
) -> np.ndarray:
    """The features of one question's candidate sentences: a row per sentence, a column per
    entry of ``FEATURES`` (each in [0, 1]).

    ``passage_terms``, ``dense``, ``prior`` and ``rank`` describe each sentence's passage
    and its similarity to the question. Term features are computed for all candidates at
    once from one sentence-by-question-term presence matrix.
    """
    n = len(sentences)
    vocab = list(q.weights) + [t for t in q.focus if t not in q.weights]

    def holding(term_sets: Iterable[AbstractSet[str]]) -> np.ndarray:
        """Which terms of ``vocab`` each set holds, a row per sentence."""
        found = [[t in s for t in vocab] for s in term_sets]
        return np.array(found, dtype=bool).reshape(n, len(vocab))

    own_terms = holding(s.present for s in sentences)
    # A sentence is read under its heading: the heading's terms count as the sentence's for
    # coverage, but not for what the sentence adds ("novelty").
    present = own_terms | holding(s.heading for s in sentences) | holding(
        s.document for s in sentences
    )
    by_passage: dict[int, list[bool]] = {}
    in_passage = np.array(
        [by_passage.setdefault(id(p), [t in p for t in vocab]) for p in passage_terms], dtype=bool
    ).reshape(n, len(vocab))
    weights = np.array([q.weights.get(t, 0.0) for t in vocab])

    lexical = present @ weights
    # A term nearly every candidate shares (the topic, "fifth China-U.S. Sister Cities
    # Conference") says little about which of them answers; a rarer one (the "theme"
    # asked for) says much: each IDF weight is scaled by the term's inverse frequency
    # among the candidates themselves, and the result rescaled to sum to 1.
    contrast = weights * np.log(1 + (n + 1) / (1 + present.sum(axis=0)))
    contrast = contrast / (contrast.sum() or 1.0)
    inherited = (~present & in_passage) @ weights
    before = (~present & holding(s.before for s in sentences)) @ weights
    if q.focus:
        focus = present @ np.array([q.focus.get(t, 0.0) for t in vocab])
    else:
        focus = lexical
    own = np.array([t in q.own for t in vocab], dtype=bool)
    sizes = np.array([len(s.present) for s in sentences], dtype=float)
    novelty = np.divide(
        sizes - own_terms[:, own].sum(axis=1), sizes, out=np.zeros(n), where=sizes > 0
    )
    # Reference entries: the section whose heading the question names is about its subject;
    # of two it names ("debug" and "debug_file"), the one naming more.
    # An option is named by any of its spellings ("-v" of "-v, --invert-match"); of two such
    # entries ("-S" in ls(1) and in xz(1)), the one whose file the question names too.
    named = [bool(s.entry) and s.entry <= q.names or bool(s.options & q.names) for s in sentences]
    headings = {s.entry for s, ok in zip(sentences, named) if ok}
    covered = [len((s.options | s.document) & q.names) if s.options else 0 for s in sentences]
    most = max((c for c, ok in zip(covered, named) if ok), default=0)
    entry = np.array(
        [
            ok and not any(s.entry < h for h in headings) and covered[i] >= most * bool(s.options)
            for i, (s, ok) in enumerate(zip(sentences, named))
        ],
        dtype=float,
    )
    if q.pairs:
        bigram = np.array(
            [len(q.pairs & (s.pairs | s.heading_pairs)) for s in sentences]
        ) / len(q.pairs)
    else:
        bigram = lexical
    columns = [
        np.maximum(np.asarray(dense, dtype=float), 0.0),
        lexical,
        present @ contrast,
        focus,
        inherited,
        np.maximum(np.asarray(prior, dtype=float), 0.0),
        1.0 / (1.0 + np.asarray(rank, dtype=float)),
        [type_match(q.kind, s, q.words) for s in sentences],
        novelty,
        bigram,
        np.minimum([s.size / 40.0 for s in sentences], 1.0),
        [focus_slot(q.head, s, q.words) for s in sentences] if q.head else np.zeros(n),
        entry,
        np.maximum(
            entry * np.array([s.lead for s in sentences], dtype=float) * (q.kind in ("other", "reason")),
            [
                bool(q.defined) and q.defined in s.subject
                or bool(q.task) and bool(s.purpose) and q.task <= s.purpose
                # the first answer to the question a heading asks, which asks this one's task
                or bool(q.task) and bool(s.answers) and q.task <= s.answers
                for s in sentences
            ],
        ),
        entry * np.array([bool(s.label) and s.label <= q.weights.keys() for s in sentences]),
        before,
    ]
    return np.column_stack(columns).astype(np.float32).reshape(n, len(FEATURES))


def idf_of(df: int, n: int) -> float:
    """BM25's inverse document frequency of a term found in ``df`` of ``n`` passages."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
