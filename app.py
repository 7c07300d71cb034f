"""Start the askseeds web chat: ``python app.py [--docs DIR] [--index-dir DIR] [--host H] [--port N]``.

Defaults come from ASKSEEDS_DOCS, ASKSEEDS_INDEX_DIR, ASKSEEDS_HOST and ASKSEEDS_PORT,
else seeds/ on http://127.0.0.1:7860. A missing or stale index is built first.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

for _key, _value in {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_PROXY": "127.0.0.1,localhost",
}.items():
    os.environ.setdefault(_key, _value)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description="Serve the askseeds chat in the browser.")
    parser.add_argument(
        "--docs",
        default=env.get("ASKSEEDS_DOCS", "seeds"),
        help="folder of documents to answer from (env ASKSEEDS_DOCS; default seeds)",
    )
    parser.add_argument(
        "--index-dir",
        default=env.get("ASKSEEDS_INDEX_DIR") or None,
        help="where the index lives (env ASKSEEDS_INDEX_DIR)",
    )
    parser.add_argument(
        "--host",
        default=env.get("ASKSEEDS_HOST", "127.0.0.1"),
        help="interface to bind (env ASKSEEDS_HOST; default 127.0.0.1)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(env.get("ASKSEEDS_PORT", "7860")),
        help="port (env ASKSEEDS_PORT; default 7860)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from askseeds.chat import serve
    from askseeds.errors import AskseedsError

    try:
        serve(docs=args.docs, index_dir=args.index_dir, host=args.host, port=args.port)
    except AskseedsError as exc:
        print(f"askseeds: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
