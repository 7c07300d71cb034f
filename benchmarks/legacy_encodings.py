"""How text files in legacy code pages are decoded: real text in many languages (this machine's
translated manual pages, UTF-8 as installed) encoded in its languages' old code pages, then
read back with ``ingest.load.decode``. Prints, per language and code page, how many files read
back exactly, against cp1252 alone (what was read before) and charset-normalizer alone.

    python benchmarks/legacy_encodings.py [--man /usr/share/man] [--files 60]
"""

from __future__ import annotations

import argparse
import gzip
import random
from pathlib import Path

import charset_normalizer

from askseeds.ingest.load import decode

CODE_PAGES = {
    "ja": ["shift_jis", "euc_jp"],
    "zh_CN": ["gbk"],
    "ko": ["euc_kr"],
    "ru": ["cp1251", "koi8_r"],
    "de": ["cp1252"],
    "fr": ["cp1252"],
    "es": ["cp1252"],
    "it": ["cp1252"],
    "pt": ["cp1252"],
    "nl": ["cp1252"],
    "sv": ["cp1252"],
    "da": ["cp1252"],
    "pl": ["cp1250", "iso8859_2"],
    "cs": ["cp1250", "iso8859_2"],
    "hu": ["cp1250", "iso8859_2"],
    "hr": ["cp1250", "iso8859_2"],
    "sl": ["cp1250", "iso8859_2"],
    "ro": ["cp1250", "iso8859_2"],
    "tr": ["cp1254"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--man", type=Path, default=Path("/usr/share/man"))
    ap.add_argument("--files", type=int, default=60, help="files per language at most")
    args = ap.parse_args()
    rng = random.Random(1)
    print(f"{'lang':6} {'code page':10} {'files':>5} {'decode':>7} {'cp1252':>7} {'c-n':>7}")
    for lang, pages in CODE_PAGES.items():
        files = sorted((args.man / lang).glob("man*/*.gz"))
        rng.shuffle(files)
        texts = [gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in files[: args.files]]
        for page in pages:
            n = ours = plain = alone = 0
            for text in texts:
                try:
                    data = text.encode(page)
                except UnicodeEncodeError:
                    continue
                if data.isascii():
                    continue
                n += 1
                ours += (decode(data) or ("",))[0] == text
                plain += data.decode("cp1252", "replace") == text
                best = charset_normalizer.from_bytes(data).best()
                alone += best is not None and str(best) == text
            print(f"{lang:6} {page:10} {n:5d} {ours:7d} {plain:7d} {alone:7d}")


if __name__ == "__main__":
    main()
