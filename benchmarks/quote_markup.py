"""How answers read in the chat bubble when they quote Markdown or reST files.

Asks every question of one or more question sets and counts the citations from Markdown and
reST files whose bubble text shows the file's markup: wiki or Markdown links ("[[x|y]]",
"](", "]["), reST links and roles ("`_", ":ref:`"), emphasis marks, backticks, HTML tags,
heading marks, images. "Before" is each snippet shown character for character (as the bubble
did until web/quote.py read the markup); "now" is the bubble's text, code shown as code not
counted. Also the time quoting takes per citation.

    python benchmarks/quote_markup.py --set eval/notes_questions.jsonl notes/en \\
        [--set more_questions.jsonl folder ...]
"""

from __future__ import annotations

import argparse
import html
import re
import time

from askseeds import Assistant
from askseeds.eval.harness import load_questions
from askseeds.web.escape import esc, one_line
from askseeds.web.quote import markup_of, quote_html

_MARKUP = re.compile(
    r"\[\[|\]\(|\]\[|`_|:\w+:`|\*\*|__\w|(?<![\w*])\*\w[^*]*\*(?!\w)|`|<[a-zA-Z/][^>]*>"
    r"|(?:^|\s)#{1,6}\s|!\["
)
_CODE = re.compile(r'<code class="ans-(?:inline|code)">.*?</code>')
_TAG = re.compile(r"<[^>]*>")


def shown(bubble_html: str) -> str:
    """The text a reader sees, code left out."""
    return html.unescape(_TAG.sub(" ", _CODE.sub(" ", bubble_html)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--set", nargs=2, action="append", required=True, metavar=("QUESTIONS", "FOLDER"),
        help="a question set (JSON lines, as askseeds eval reads) and its documents",
    )  # fmt: skip
    ap.add_argument("--index-root", default=".cache/quote-markup", help="one index per folder")
    args = ap.parse_args()
    total = before = now = 0
    seconds = 0.0
    for questions, folder in args.set:
        name = re.sub(r"\W+", "_", folder).strip("_")
        bot = Assistant.from_folder(folder, index_dir=f"{args.index_root}/{name}")
        n = b = a = 0
        for q in load_questions(questions):
            answer = bot.ask(q.question or q.turns[-1], history=_history(q.turns))
            for c in answer.citations:
                markup = markup_of(c.source)
                if markup is None:
                    continue
                start = time.perf_counter()
                quoted = quote_html(c.snippet, markup)
                seconds += time.perf_counter() - start
                n += 1
                b += bool(_MARKUP.search(shown(esc(one_line(c.snippet)))))
                a += bool(_MARKUP.search(shown(quoted)))
        print(f"{questions}: {n} citations from Markdown/reST files; markup shown {b} -> {a}")
        total, before, now = total + n, before + b, now + a
    print(f"all: {total} citations; markup shown before {before} ({before / max(total, 1):.1%}),")
    per_quote = 1e6 * seconds / max(total, 1)
    print(f"now {now} ({now / max(total, 1):.1%}); quoting {per_quote:.0f} µs a citation")


def _history(turns: tuple[str, ...]) -> list[dict]:
    return [{"role": "user", "content": t} for t in turns[:-1]]


if __name__ == "__main__":
    main()
