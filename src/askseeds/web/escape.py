"""Escaping document text for the web chat.

:func:`esc` HTML-escapes text *and* turns markdown/LaTeX punctuation into numeric character
references, so a document holding ``<script>``, ``<img onerror=...>`` or
``[x](javascript:...)`` is shown as literal text whether the result is read as HTML or as
markdown.
"""

from __future__ import annotations

import re
from typing import Any

# HTML metacharacters, plus characters that mean something to markdown, GFM autolinks or
# KaTeX, as character references. One translate pass: escaping in two steps would turn the
# "#" of html.escape's "&#x27;" into "&#35;", showing apostrophes as "&#x27;" on the page.
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
_MD_SPECIAL = {c: f"&#{ord(c)};" for c in "[]()!*_`~$\\|#{}:+-="}
_ESCAPE_TABLE = str.maketrans({**_HTML_SPECIAL, **_MD_SPECIAL})
_WS = re.compile(r"\s+")


def esc(text: Any) -> str:
    """Escape untrusted text so it renders literally as HTML and as markdown."""
    return ("" if text is None else str(text)).translate(_ESCAPE_TABLE)


def one_line(text: str) -> str:
    """Collapse all whitespace runs (newlines included) to single spaces."""
    return _WS.sub(" ", text or "").strip()
