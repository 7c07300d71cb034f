"""Open the zip and XML files that office documents and e-books are made of, safely: these
files come from anywhere, so a zip bomb or an entity bomb is refused before it is inflated."""

from __future__ import annotations

import io
import zipfile

# A DOCX, an EPUB or an OpenDocument file is a zip: its members are checked against this
# before anything is inflated, so a zip bomb (a few KiB that inflate to GiB) is refused
# without being read.
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_ZIP_MEMBERS = 5000


def open_zip(data: bytes, kind: str, holding: str) -> zipfile.ZipFile | str:
    """The archive a zipped document is (``kind``: "DOCX", "EPUB", ...), or why it is not
    opened: not a zip, one without the part ``holding`` that every such document has
    ("word/document.xml"), or one whose members would inflate past ``MAX_UNPACKED_BYTES``
    (their sizes as the archive declares them, which bound what reading them can give)."""
    article = "an" if kind[0] in "AEFHILMNORSX" else "a"  # as spoken: "an XLSX", "a DOCX"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return f"not {article} {kind} (not a zip archive)"
    infos = archive.infolist()
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        return (
            f"{kind} would unpack to {unpacked / 2**20:.0f} MiB in {len(infos)} parts "
            f"(more than {MAX_UNPACKED_BYTES // 2**20} MiB): refused as a possible zip bomb"
        )
    if holding not in archive.namelist():
        return f"not {article} {kind} (no {holding} inside)"
    return archive


def parse_xml(data: bytes):
    """XML parsed without entities, DTDs or the network: a document comes from anywhere, and
    an entity can expand a few bytes into GiB."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(data, parser)
