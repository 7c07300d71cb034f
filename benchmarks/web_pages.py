"""How much of a saved web page's article askseeds keeps, and how much else it keeps.

Mozilla Readability's test pages (github.com/mozilla/readability, ``test/test-pages/``) are
real saved pages (news sites, blogs, Wikipedia, docs), each with the article text
Readability extracts from it (``expected.html``). The English ones are read as ``askseeds``
reads a folder (``load_folder``: conversion, then cleaning) and compared as bags of words:

- recall: the share of the article's words that askseeds keeps;
- junk: the share of the words askseeds keeps that are not in the article (menus, player
  controls, newsletter boxes; also comments and captions, which Readability drops and a reader
  may want, so 0 is not the goal).

    git clone https://github.com/mozilla/readability /tmp/readability
    python benchmarks/web_pages.py /tmp/readability/test/test-pages

With ``--one-file``, each page is first saved as Chromium saves "Webpage, Single File"
(MHTML, through Playwright and ``/usr/bin/chromium``, scripts off, nothing fetched) and the
``.mhtml`` files are read instead; it also counts the pages whose text equals the HTML's.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from askseeds.ingest.load import load_folder

_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def _english(page: Path) -> bool:
    meta = page / "expected-metadata.json"
    if not meta.exists():
        return False
    about = json.loads(meta.read_text(encoding="utf-8"))
    return str(about.get("lang") or "en").lower().startswith("en") and about.get("readerable", True)


def _save_one_file(pages: list[Path], folder: Path, chromium: str) -> None:
    """Each page's ``source.html`` saved by Chromium as ``<page>.mhtml`` in ``folder``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page(java_script_enabled=False)
        tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        for page in pages:
            tab.goto((page / "source.html").resolve().as_uri(), wait_until="load", timeout=60_000)
            cdp = tab.context.new_cdp_session(tab)
            saved = cdp.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
            (folder / f"{page.name}.mhtml").write_bytes(saved.encode("utf-8"))
            cdp.detach()
        browser.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("pages", type=Path, help="Readability's test/test-pages folder")
    ap.add_argument("--worst", type=int, default=10, help="list the pages keeping most junk")
    ap.add_argument("--one-file", action="store_true", help="read the pages saved as MHTML")
    ap.add_argument("--chromium", default="/usr/bin/chromium", help="the browser that saves them")
    args = ap.parse_args(argv)
    pages = sorted(p for p in args.pages.iterdir() if (p / "source.html").exists() and _english(p))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            shutil.copy(page / "source.html", Path(tmp) / f"{page.name}.html")
        docs, skipped = load_folder(tmp)
    if args.one_file:
        as_html = {Path(d.source).stem: d.text for d in docs}
        with tempfile.TemporaryDirectory() as tmp:
            _save_one_file(pages, Path(tmp), args.chromium)
            docs, skipped = load_folder(tmp)
        same = sum(as_html.get(Path(d.source).stem) == d.text for d in docs)
        print(f"saved as one file (MHTML) by Chromium: {len(docs)} read, {same} with the same "
              f"text as their HTML")
    for doc in docs:
        name = Path(doc.source).stem
        expected = (args.pages / name / "expected.html").read_text(encoding="utf-8")
        article = _words(LexborHTMLParser(expected).text(separator=" "))
        kept = _words(" ".join(doc.text[b.start : b.end] for b in doc.blocks))
        if not article:
            continue
        shared = sum((article & kept).values())
        rows.append((name, shared / article.total(), 1 - shared / max(kept.total(), 1),
                     article.total(), kept.total()))  # fmt: skip
    print(f"{len(rows)} English pages"
          + "".join(f"; skipped {s.source}: {s.reason}" for s in skipped))
    print(f"article words kept (recall): mean {statistics.mean(r[1] for r in rows):.3f}, "
          f"pages under 0.9: {sum(r[1] < 0.9 for r in rows)}")
    kept_total = sum(r[4] for r in rows)
    junk_total = 1 - sum(r[1] * r[3] for r in rows) / kept_total
    print(f"kept words not in the article (junk): mean {statistics.mean(r[2] for r in rows):.3f}"
          f" a page, {junk_total:.3f} of all kept words")
    for name, recall, junk, n_article, n_kept in sorted(rows, key=lambda r: -r[2])[: args.worst]:
        print(f"  {name:32s} junk {junk:.3f}  recall {recall:.3f}  ({n_kept} kept, "
              f"{n_article} in the article)")


if __name__ == "__main__":
    main()
