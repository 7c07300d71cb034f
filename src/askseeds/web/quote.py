"""How a cited snippet reads in the answer bubble."""

from __future__ import annotations

from ..ingest.clean import is_fence
from .escape import esc, one_line


def quote_html(snippet: str) -> str:
    """A cited snippet for the answer bubble: prose on one line, and the lines of a fenced
    code block (a lead-in quoted with its command) each as a line of code, without the fences.

    The HTML stays on one line: spaces inside code are character references, which
    ``one_line`` keeps, so a command's spacing survives.
    """
    prose: list[str] = []
    out: list[str] = []
    code = False
    for line in snippet.splitlines():
        if is_fence(line):
            code = not code
            continue
        if code and line.strip():
            if prose:
                out.append(esc(one_line(" ".join(prose))))
                prose = []
            shown = esc(line.rstrip()).replace(" ", "&#32;").replace("\t", "&#32;" * 4)
            out.append(f'<code class="ans-code">{shown}</code>')
        elif not code:
            prose.append(line)
    if prose:
        out.append(esc(one_line(" ".join(prose))))
    return " ".join(out)
