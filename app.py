"""Start the askseeds web chat: ``python app.py [--docs DIR] [--index-dir DIR] [--host H] [--port N]``.

The same as ``askseeds serve``. Defaults come from ASKSEEDS_DOCS, ASKSEEDS_INDEX_DIR,
ASKSEEDS_HOST and ASKSEEDS_PORT, else seeds/ on http://127.0.0.1:7860. A missing or
stale index is built first.
"""

from __future__ import annotations

import sys

from askseeds.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
