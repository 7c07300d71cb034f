"""The ``askseeds`` command: index, ask, serve, eval.

Library errors become one clean line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import textwrap

from .config import stay_offline
from .errors import AskseedsError
from .ingest.load import SUFFIXES

EXIT_ERROR = 2


def _add_corpus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--docs",
        default=os.environ.get("ASKSEEDS_DOCS", "seeds"),
        help=f"folder of documents ({' '.join(sorted(SUFFIXES))}, manual pages, Info "
        "manuals, text files named like README or NEWS, any of them compressed), searched "
        "recursively (default: seeds, or $ASKSEEDS_DOCS)",
    )
    p.add_argument(
        "--index-dir",
        default=os.environ.get("ASKSEEDS_INDEX_DIR"),
        help="where the index lives (default: embeddings/ beside the docs folder)",
    )
    p.add_argument("--model", default=None, help="sentence-transformers model name or path")


def _env_flag(name: str) -> bool:
    """An on/off environment variable: 1, true, yes, on (any case) mean on."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="askseeds", description="Extractive, cited answers from a folder of documents."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the index of a folder")
    p.add_argument("folder", nargs="?", help="documents folder (same as --docs)")
    _add_corpus_options(p)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="answer only from files matching this glob or under this folder "
        "(e.g. 'reports/*'; repeat for several)",
    )
    p.add_argument("--since", help="only documents dated on or after YYYY[-MM[-DD]]")
    p.add_argument("--until", help="only documents dated on or before YYYY[-MM[-DD]]")
    p.add_argument(
        "--keep-undated", action="store_true", help="with --since/--until, keep undated documents"
    )
    _add_corpus_options(p)

    p = sub.add_parser("serve", help="start the web chat")
    _add_corpus_options(p)
    p.add_argument("--host", default=os.environ.get("ASKSEEDS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("ASKSEEDS_PORT", "7860")))
    p.add_argument(
        "--mcp",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("ASKSEEDS_MCP"),
        help="also serve the ask and retrieve tools over MCP at /gradio_api/mcp/ "
        "(default: off, or $ASKSEEDS_MCP=1)",
    )

    p = sub.add_parser("eval", help="score answers against a question set")
    p.add_argument("file", nargs="?", help="question set (JSONL)")
    p.add_argument("--squad", help="a SQuAD v1.1 JSON file to evaluate on instead")
    p.add_argument(
        "--feedback",
        help="a feedback file of the web chat: add its down-voted answers to a question set "
        "to label, and score the labelled ones",
    )
    p.add_argument(
        "--labels",
        help="with --feedback: the question set to label (default: "
        "<feedback file>-questions.jsonl beside it)",
    )
    p.add_argument("--retriever", default="hybrid", choices=["bm25", "dense", "hybrid", "all"])
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", dest="json_out", help="write the full report to this JSON file")
    p.add_argument("--limit", type=int, help="score only the first N questions")
    _add_corpus_options(p)
    return parser


def _settings(args: argparse.Namespace):
    from dataclasses import replace

    from .config import Settings

    settings = Settings.from_env()
    return replace(settings, model=args.model) if args.model else settings


def _assistant(args: argparse.Namespace, folder: str | None = None):
    from .api import Assistant

    return Assistant.from_folder(
        folder or args.docs, index_dir=args.index_dir, settings=_settings(args), progress=True
    )


def cmd_index(args: argparse.Namespace) -> int:
    bot = _assistant(args, args.folder)
    stats = bot.stats
    ch = stats.changes
    print(f"Indexed {stats.documents} documents, {stats.passages} passages, model {stats.model}")
    print(
        f"  added {len(ch.get('added', []))}, changed {len(ch.get('changed', []))}, "
        f"deleted {len(ch.get('deleted', []))}, unchanged {ch.get('unchanged', 0)}; "
        f"{ch.get('embedded', 0)} passages embedded"
    )
    if stats.skipped:
        print(f"Skipped {len(stats.skipped)} files:")
        for s in stats.skipped:
            print(f"  {s.source}: {s.reason}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .retrieve.filters import Filters
    from .web.quote import markup_of, quote_text

    # Checked before the index is opened, so a typo costs no loading time.
    filters = Filters(tuple(args.only), args.since, args.until, args.keep_undated)
    answer = _assistant(args).ask(args.question, filters=filters)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if answer.citations and not answer.conflict:
        # The quotes as their documents read (link labels, not "[[Sync|Obsidian Sync]]"), each
        # under the heading that gives what it does not (a changelog's release) and a table's
        # row under its header; the exact characters follow under each citation.
        quotes = []
        for c in answer.citations:
            quote = f"{quote_text(c.snippet, markup_of(c.source))} [{c.number}]"
            over = [c.heading, " | ".join(c.header)]  # a table row under its header
            quotes.append("\n".join([*filter(None, over), quote]))
        print("\n\n".join(quotes))
    else:
        print(answer.text)
    if answer.citations:
        print()
    for c in answer.citations:
        where = f"{c.source}:{c.start}-{c.end}"
        head = " | ".join(x for x in (c.title, c.date, where) if x)
        print(f"[{c.number}] {head}")
        print(textwrap.indent(textwrap.fill(c.snippet, 96), "    "))
        for loc in c.also_in:
            print(f"    also in {loc.source}:{loc.start}-{loc.end}")
    for note in answer.notes:
        print(f"\n{note}")
    if answer.abstained:
        for i, p in enumerate(answer.passages, start=1):
            print(f"\n({i}) {p.source}:{p.start}-{p.end}  score {p.score:.3f}")
            print(textwrap.indent(textwrap.fill(p.text[:400], 96), "    "))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web.chat import serve

    serve(
        args.docs,
        index_dir=args.index_dir,
        host=args.host,
        port=args.port,
        settings=_settings(args),
        mcp=args.mcp,
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .eval.harness import run_cli

    return run_cli(args, _settings(args))


COMMANDS = {"index": cmd_index, "ask": cmd_ask, "serve": cmd_serve, "eval": cmd_eval}


def main(argv: list[str] | None = None) -> int:
    stay_offline()
    args = _parser().parse_args(argv)
    logging.basicConfig(
        # The server's start-up (index sync, address) is worth seeing without -v.
        level=logging.INFO if args.verbose or args.command == "serve" else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except (AskseedsError, OSError) as exc:
        # OSError: disk full, read-only or unwritable --index-dir: say which path, not a traceback.
        print(f"askseeds: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("askseeds: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
