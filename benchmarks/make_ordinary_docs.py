"""Build the PDF, HTML and DOCX files of eval/ordinary/ from real texts in eval/ordinary_src/.

The question set needs one file of each format; these are made from public docs (sources and
licences in eval/ordinary_sources.md) the way people meet them: the Flask configuration guide
as a PDF manual, the HTTPX quickstart as a saved web page with its site's menus and footer, the
HTTPX environment-variables page as a Word document with a summary table. The outputs are
committed, so `askseeds eval` needs none of this; run it again only to rebuild them:

    python benchmarks/make_ordinary_docs.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import docx
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from make_docs import finish_docx, pdf_flow

SRC = ROOT / "eval" / "ordinary_src"
OUT = ROOT / "eval" / "ordinary"
_RST_ROLE = re.compile(r":\w+:`([^`<]*?)(?:\s*<[^>]*>)?`")
_RST_LINK = re.compile(r"`([^`<]+?)\s*(?:<[^>]*>)?`_+")
_RST_NOTE = re.compile(r"\s*\.\. version\w+::")  # "versionadded" notes: not printed
_RST_ENTRY = re.compile(r"\.\. py:\w+:: (\S+)")
_UNDERLINE = re.compile(r"([=\-~^\"'`#*+_:.])\1{2,}")


def rst_blocks(text: str) -> list[tuple[str, str]]:
    """reST as a printed manual shows it: headings, paragraphs and code, without markup."""
    blocks: list[tuple[str, str]] = []
    for para in re.split(r"\n\s*\n", text):
        lines = [ln for ln in para.split("\n") if ln.strip() and not _RST_NOTE.match(ln)]
        entry = _RST_ENTRY.match(lines[0]) if lines else None
        if entry:  # ".. py:data:: SECRET_KEY": printed as the entry's heading
            blocks.append(("h", entry.group(1)))
            lines = lines[1:]
        if not lines or lines[0].startswith(".. "):
            continue
        if len(lines) == 2 and _UNDERLINE.fullmatch(lines[1].strip()):
            blocks.append(("h", lines[0].strip()))
            continue
        body = " ".join(ln.strip() for ln in lines) if not para.startswith(" ") else para
        body = _RST_LINK.sub(r"\1", _RST_ROLE.sub(r"\1", body)).replace("``", "")
        blocks.append(("p", body.replace("::", ":")))
    return blocks


def site_page(markdown: str, title: str) -> str:
    """The Markdown page inside the chrome of a documentation site (menus, search, footer)."""
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    menu = "".join(
        f'<li><a href="/{slug}/">{name}</a></li>'
        for slug, name in [
            ("", "Introduction"),
            ("quickstart", "QuickStart"),
            ("advanced/clients", "Clients"),
            ("async", "Async Support"),
            ("http2", "HTTP/2 Support"),
            ("api", "Developer Interface"),
            ("exceptions", "Exceptions"),
            ("troubleshooting", "Troubleshooting"),
        ]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{}}</script>
<style>body {{ font-family: sans-serif }} .md-nav {{ float: left }}</style></head>
<body>
<header class="md-header"><a href="/" class="md-logo">HTTPX</a>
<form class="md-search"><input type="text" placeholder="Search"></form>
<a href="https://github.com/encode/httpx">encode/httpx</a></header>
<div class="md-sidebar"><nav class="md-nav"><ul>{menu}</ul></nav></div>
<main class="md-main"><article class="md-content">
{body}
</article></main>
<footer class="md-footer"><a href="/async/">Previous: Async Support</a>
<a href="/advanced/clients/">Next: Clients</a>
<p>Copyright &copy; 2019, Encode OSS Ltd. Made with Material for MkDocs.</p></footer>
</body></html>
"""


def word_document(markdown: str) -> bytes:
    """A DOCX of a Markdown page: its headings, paragraphs, bullets, code, and a summary table."""
    doc = docx.Document()
    rows = [["Variable", "Valid values"]]
    in_code, last_heading = False, ""
    for para in re.split(r"\n\s*\n", markdown):
        text = para.strip()
        if text.startswith("```") or in_code:
            code = [ln for ln in text.split("\n") if not ln.startswith("```")]
            doc.add_paragraph("\n".join(code), style="No Spacing")
            in_code = (text.count("```") % 2 == 1) != in_code  # a fence opens or closes
            continue
        if not text:
            continue
        plain = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).replace("`", "")
        if text.startswith("#"):
            level = len(text) - len(text.lstrip("#"))
            last_heading = plain.lstrip("# ")
            doc.add_heading(last_heading, 0 if level == 1 else level - 1)
        elif text.startswith("* "):
            for item in re.split(r"\n\* ", plain[2:]):
                doc.add_paragraph(" ".join(item.split()), style="List Bullet")
        else:
            doc.add_paragraph(" ".join(plain.split()))
            if plain.startswith("Valid values:"):
                rows.append([last_heading, plain.removeprefix("Valid values:").strip()])
    doc.add_heading("Summary", 1)
    return finish_docx(doc, rows)


def main() -> None:
    config = (SRC / "flask_config.rst").read_text(encoding="utf-8")
    (OUT / "flask_config.pdf").write_bytes(pdf_flow(rst_blocks(config)))
    quick = (SRC / "httpx_quickstart.md").read_text(encoding="utf-8")
    page = site_page(quick, "QuickStart - HTTPX")
    (OUT / "httpx_quickstart.html").write_text(page, encoding="utf-8")
    env = (SRC / "httpx_environment_variables.md").read_text(encoding="utf-8")
    (OUT / "httpx_environment_variables.docx").write_bytes(word_document(env))
    for name in ("flask_config.pdf", "httpx_quickstart.html", "httpx_environment_variables.docx"):
        print(f"{name}: {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
