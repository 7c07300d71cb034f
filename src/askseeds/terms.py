"""Split text into the stemmed terms that BM25 and answer scoring compare."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import PurePosixPath

import Stemmer

from .ingest.dates import years_for_dates

# Raise whenever terms() gives different output for some text: an index built with
# another version rebuilds its BM25 part (the vectors are kept).
TERMS_VERSION = 5  # 5: dates are terms too, however written ("d20231207", "m202312")

# Letters/digits runs; CJK characters one at a time so Chinese text still matches.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Dotted initialisms ("U.S.", "D.C.") are read as one word, as written without dots ("US").
_DOTTED = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}")
# A command-line option: "-v", "-S", "--in-place", "-Wall", standing after a space, a bracket,
# a quote or a separator; not a hyphenated word's second half ("well-known", "U.S.-China"),
# a negative number or a list's dash.
_OPTION = re.compile(r"(?<![^\s(\[{\"'`<|,;:=])--?[A-Za-z](?:[\w-]*[A-Za-z\d])?")

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "also", "s", "t", "many", "much"]
)

_local = threading.local()

# British spellings, rewritten to the American ones before stemming so "organised" and
# "organized" (or "centre" and "center") give one term. The stemmer strips "-ize" but not
# "-ise", so the American form is the one that also meets its derivatives ("organ").
# Words with -ise in American English too (their derivatives, "advertisement", keep "-is").
_ISE_WORDS = frozenset([
    "advertise", "advise", "apprise", "arise", "chastise", "circumcise", "comprise", "compromise",
    "concise", "demise", "despise", "devise", "disguise", "enterprise", "excise", "exercise",
    "expertise", "franchise", "improvise", "incise", "merchandise", "otherwise", "precise",
    "premise", "promise", "reprise", "revise", "rise", "supervise", "surmise", "surprise",
    "televise", "treatise", "wise", "likewise", "clockwise", "noise", "poise", "praise",
    "appraise", "raise", "cruise", "bruise", "paradise", "porpoise", "tortoise", "mortise",
    "anise", "valise", "guise", "vise",
])  # fmt: skip
_ISE = re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|ational|er|ers|able)$")
_YSE = re.compile(r"^(\w*(?:ana|para|cata|dia|electro|hydro)l)ys(e|es|ed|ing|er|ers)$")
_OUR = re.compile(
    r"^(colo|hono|labo|favo|behavio|neighbo|harbo|flavo|rumo|humo|vapo|armo|endeavo|savo|valo|"
    r"vigo|rigo|odo|tumo|clamo|parlo|splendo|cando|ardo|fervo)ur(?=(s|ed|ing|er|ers|able|ably|"
    r"ite|ites|ful|less|hood|ly|ous)?$)"
)
_RE = re.compile(r"^(\w*(?:cent|theat|met|lit|fib|calib|somb|spect|meag|lust|sab))re(s|d)?$")
_OGUE = re.compile(r"^(\w*(?:catal|dial|anal|monol|prol|epil))ogue(s|d)?$")
_ENCE = re.compile(r"^(defe|offe|lice|prete)nce(s)?$")
_LL = re.compile(
    r"^(travel|cancel|label|model|fuel|signal|level|counsel|channel|tunnel|quarrel|jewel|dial|"
    r"duel|total|marvel|rival|shovel|equal)l(ed|ing|er|ers|or|ors|ous)$"
)
_WORDS = {
    "programme": "program", "programmes": "programs", "jewellery": "jewelry",
    "ageing": "aging", "judgement": "judgment", "judgements": "judgments",
    "acknowledgement": "acknowledgment", "enrolment": "enrollment", "fulfilment": "fulfillment",
    "skilful": "skillful", "aluminium": "aluminum", "amongst": "among", "mould": "mold",
    "moulds": "molds", "plough": "plow", "ploughs": "plows", "grey": "gray",
}  # fmt: skip


def _american(word: str) -> str:
    """``word`` (lower case) in American spelling, when it is a British spelling."""
    if word in _WORDS:
        return _WORDS[word]
    if "is" in word and (m := _ISE.match(word)) and m.group(1) + "ise" not in _ISE_WORDS:
        return f"{m.group(1)}iz{m.group(2)}"
    if "ys" in word and (m := _YSE.match(word)):
        return f"{m.group(1)}yz{m.group(2)}"
    if "our" in word and (m := _OUR.match(word)):
        return f"{m.group(1)}r{word[m.end() :]}"
    if word.endswith(("re", "res", "red")) and (m := _RE.match(word)):
        return f"{m.group(1)}er{'ed' if m.group(2) == 'd' else m.group(2) or ''}"
    if "ogue" in word and (m := _OGUE.match(word)):
        return f"{m.group(1)}og{m.group(2) or ''}"
    if "nce" in word and (m := _ENCE.match(word)):
        return f"{m.group(1)}nse{m.group(2) or ''}"
    if "ll" in word and (m := _LL.match(word)):
        return m.group(1) + m.group(2)
    return word


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe; one per thread is cheap.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-cased word tokens, CJK characters split one per token."""
    lowered = text.lower().replace("’", "'")
    if "." in lowered:
        lowered = _DOTTED.sub(lambda m: m.group().replace(".", ""), lowered)
    cjk = _CJK.search(lowered) is not None  # looked for once per text: most have none
    out: list[str] = []
    for token in _TOKEN.findall(lowered):
        if cjk and _CJK.search(token):
            out.extend(token)  # tokens hold no whitespace
        elif token.endswith(("'s", "'")):
            out.append(token.split("'")[0])
        else:
            out.append(token)
    return out


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(_american(word))


def terms(text: str) -> list[str]:
    """Stemmed content terms of ``text`` (stopwords dropped), in order, with repeats; then
    each command-line option it names, as written ("-v", "-V", "--in-place"): a manual's
    "-S" is a name that "ls -S" asks for, where its letter alone is no word; then each date
    it states, as "d" and its digits, and its month as "m" and its digits: "7 December 2023"
    and a table's "2023-12-07" share "d20231207", "in December 2023" shares "m202312"."""
    # A date's day and month are its terms, not words: "9" of "9 March 2024" is not the "9"
    # of "9.5 hours", and a table's "2024-03-09" has no "march".
    text, dates = years_for_dates(text)
    out = [_stem(w) for w in words(text) if w not in STOPWORDS]
    if "-" in text:
        out += options(text)
    for iso in dates:
        digits = iso.replace("-", "")
        out += [f"d{digits}", f"m{digits[:6]}"] if len(digits) == 8 else [f"m{digits}"]
    return out


def options(text: str) -> list[str]:
    """The command-line options ``text`` names, as written: "-v", "-S", "--in-place"."""
    return _OPTION.findall(text)


def name_terms(source: str) -> frozenset[str]:
    """The terms of a file's name without its folders or suffix: "docs/requests_README.md"
    gives {"request", "readme"}. Folders group documents; the name says what one is."""
    return frozenset(terms(re.sub(r"[\W_]+", " ", PurePosixPath(source).stem)))
