"""Read a Unix manual page (roff source: the man(7) and mdoc(7) macro packages) as plain text
with light Markdown marks, as ``convert`` writes its formats.

Sections (``.SH``, ``.Sh``) are "##" headings and subsections "###"; a tagged paragraph's tag
(``.TP``, ``.IP tag``, an ``.It`` of a tagged list: an option such as "-z, --gzip") is a
"####" heading over what it describes, so an option is an entry, as a reference's term is; a
bullet is a "- " item; no-fill text (``.nf``, ``.EX``, ``.Bd -literal``) is fenced as code.
Fonts, sizes and motions are dropped; named glyphs ("\\(em", "\\[bu]") become their
characters. Macro definitions, conditionals and registers are read as markup, never as
text: this is no roff interpreter, only what a reader of the page sees.
"""

from __future__ import annotations

import re

__all__ = ["MAN_SUFFIX", "read_man"]

# "tar.1", "printf.3", "ssh_config.5", "perlfunc.1p", "Digest::SHA.3pm", "tclsh.n": the
# section a page is filed under. Its text must also start as a page does (``.TH``, ``.Dd``).
MAN_SUFFIX = re.compile(r"\.(?:[1-9][a-z]{0,6}|n)")
_PAGE_START = re.compile(r"^[.'][ \t]*(?:TH|Dd|Dt)\b", re.MULTILINE)
_GLYPHS = {
    "em": "\u2014", "en": "\u2013", "hy": "-", "mi": "-", "bu": "\u2022", "aq": "'",
    "dq": '"', "lq": "\u201c", "rq": "\u201d", "oq": "\u2018", "cq": "\u2019", "co": "\u00a9",
    "rg": "\u00ae", "tm": "\u2122", "pl": "+", "eq": "=", "ga": "`", "ti": "~", "ha": "^",
    "rs": "\\", "sl": "/", "de": "\u00b0", "mu": "\u00d7", "di": "\u00f7", "+-": "\u00b1",
    ">=": "\u2265", "<=": "\u2264", "!=": "\u2260", "->": "\u2192", "<-": "\u2190",
    "fm": "\u2032", "sd": "\u2033", "Fo": "\u00ab", "Fc": "\u00bb", "at": "@", "sh": "#",
    "Do": "$", "ba": "|", "or": "|", "lB": "[", "rB": "]", "lC": "{", "rC": "}", "la": "<",
    "ra": ">", "ua": "\u2191", "da": "\u2193", "L\"": "\u201c", "R\"": "\u201d",
    "C`": '"', "C'": '"', "PI": "\u03c0", "Aq": "'", "Tm": "\u2122", "--": "\u2014",
}  # fmt: skip
_ESCAPE = re.compile(
    r"\\(?:"
    r"\((?P<two>..)|\[(?P<long>[^\]\s]*)\]"  # named glyphs
    r"|\*(?:\((?P<str2>..)|\[(?P<strl>[^\]]*)\]|(?P<str1>.))"  # strings
    r"|[fFgnmMY](?:\(..|\[[^\]]*\]|.)"  # font, register, colour
    r"|s[-+]?(?:\(..|\[[^\]]*\]|\d+)"  # size
    r"|[hvwoDlLbxXNRSZ]'[^']*'"  # motions, widths, lines, drawing
    r"|[zk].|\$(?:\*|@|\d)"
    r"|(?P<char>.)"
    r")"
)
_SPACE_CHARS = {" ": " ", "~": " ", "0": " ", "t": " ", "e": "\\", "\\": "\\", "-": "-", ".": "."}
_SILENT = set("&|^%:c!{}'\n,/")  # "\/" and "\," are italic corrections
_MDOC_PUNCT = frozenset([".", ",", ":", ";", ")", "]", "?", "!"])
_MDOC_OPEN = frozenset(["(", "["])
# Requests that define macros or ignore input up to a line "..": never text.
_DEFINITIONS = frozenset(["de", "de1", "am", "ig"])
# mdoc macros callable inside a line, and how each shows the words after it.
_MDOC_PLAIN = frozenset(
    ["Ar", "Cm", "Pa", "Em", "Sy", "Li", "Ic", "Va", "Ev", "Dv", "Er", "Ad", "Ms", "Tn",
     "No", "Fa", "Fn", "Ft", "Fd", "Vt", "Lk", "Mt", "Bx", "Ux", "At", "Bsx", "Nx", "Fx",
     "Ox", "Dx", "St", "An", "Lb", "In", "Ot", "Sx"]
)  # fmt: skip
_NAMED = {"Ux": "UNIX", "Bx": "BSD", "Bsx": "BSD/OS", "Nx": "NetBSD", "Fx": "FreeBSD",
          "Ox": "OpenBSD", "Dx": "DragonFly"}  # fmt: skip
_PAIRS = {"Dq": ("\u201c", "\u201d"), "Sq": ("\u2018", "\u2019"), "Pq": ("(", ")"),
          "Bq": ("[", "]"), "Brq": ("{", "}"), "Aq": ("\u27e8", "\u27e9"), "Op": ("[", "]"),
          "Qq": ('"', '"'), "Ql": ("\u2018", "\u2019")}  # fmt: skip
_OPENERS = {"Do": "\u201c", "Dc": "\u201d", "So": "\u2018", "Sc": "\u2019", "Po": "(",
            "Pc": ")", "Bo": "[", "Bc": "]", "Oo": "[", "Oc": "]", "Qo": '"', "Qc": '"',
            "Ao": "\u27e8", "Ac": "\u27e9", "Bro": "{", "Brc": "}"}  # fmt: skip


def read_man(source: str) -> tuple[str, str | None] | None:
    """A manual page's text and title ("gzip, gunzip, zcat - compress or expand files"), or
    None when ``source`` is not roff written as a manual page."""
    if not _PAGE_START.search(source[:20000]):
        return None
    page = _Page()
    lines = source.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        i = page.line(lines, i)
    return page.text(), page.title()


class _Page:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.para: list[str] = []
        self.code = False
        self.pending = 0  # the level of a heading whose words are the next text line
        self.bullet = False  # the next paragraph is a list item
        self.table = 0  # in a table (.TS): 1 while its format lines run, 2 in its rows
        self.tab = "\t"  # the table's column separator
        self.row: list[str] | None = None  # a table row whose "T{" cell is still open
        self.lists: list[str] = []  # mdoc list types, innermost last
        self.name = ""  # mdoc's .Nm
        self.head = ""  # .TH's page name and section
        self.names_line = ""  # the NAME section's text
        self.section = ""  # the section (.SH) being read, in capitals

    # --- output ---

    def flush(self) -> None:
        if self.para:
            text = " ".join(" ".join(self.para).split())
            if text and self.bullet:
                self.out.append("- " + text)
            elif text:
                self.out += ["", text, ""]
                if self.section == "NAME" and not self.names_line:
                    self.names_line = text
            self.para = []
        self.bullet = False

    def heading(self, level: int, text: str) -> None:
        self.flush()
        self.end_code()
        text = " ".join(text.split())
        if level == 2:
            self.section = text.upper()
        if text:
            self.out += ["", "#" * level + " " + text, ""]

    def words(self, text: str) -> None:
        if self.pending and text.strip():
            level, self.pending = self.pending, 0
            self.heading(level, text)
        elif self.code:
            self.out.append(text.rstrip())
        elif text.strip():
            self.para.append(text)
        else:
            self.flush()

    def start_code(self) -> None:
        self.flush()
        if not self.code:
            self.out += ["", "```"]
            self.code = True

    def end_code(self) -> None:
        if self.code:
            self.out += ["```", ""]
            self.code = False

    def text(self) -> str:
        self.flush()
        self.end_code()
        text = "\n".join(self.out)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"

    def title(self) -> str | None:
        self.flush()
        return self.names_line or self.head or None

    # --- input ---

    def line(self, lines: list[str], i: int) -> int:
        """Read line ``i`` (and any it continues onto); return the index of the next."""
        raw = lines[i]
        while raw.endswith("\\") and not raw.endswith("\\\\") and i + 1 < len(lines):
            i += 1
            raw = raw[:-1] + lines[i]
        if self.table and not raw.startswith((".", "'")):
            self.table_line(raw)
            return i + 1
        if not raw.startswith((".", "'")) or raw.startswith(("\\&", ".\\&")):
            self.words(inline(raw[2:] if raw.startswith(".\\&") else raw))
            return i + 1
        body = raw[1:].lstrip()
        if body.startswith(('\\"', "\\#")) or not body:
            return i + 1  # a comment, or an empty request
        name, _, rest = body.partition(" ")
        name = name.strip()
        if name in _DEFINITIONS:
            while i + 1 < len(lines) and lines[i + 1].strip() != "..":
                i += 1
            return i + 2
        if name in ("ie", "if", "el", "while") and "\\{" in rest:
            depth = rest.count("\\{") - rest.count("\\}")
            while depth > 0 and i + 1 < len(lines):
                i += 1
                depth += lines[i].count("\\{") - lines[i].count("\\}")
            return i + 1
        self.request(name, rest)
        return i + 1

    def table_line(self, raw: str) -> None:
        """A line of a tbl table: its options ("tab(@);"), its format ("l l."), or a row,
        whose "T{ ... T}" cell runs on over the lines between."""
        if self.table == 1:
            if tab := re.search(r"tab\s*\((.)\)", raw):
                self.tab = tab.group(1)
            self.table = 2 if raw.rstrip().endswith(".") else 1
            return
        if self.row is not None and not raw.startswith("T}"):
            self.row[-1] += " " + inline(raw).strip()  # inside a T{ ... T} cell
            return
        if self.row is not None:  # "T}", perhaps more cells after it
            raw = raw[2:].lstrip(self.tab) if raw[2:].startswith(self.tab) else ""
            if not raw:
                self.end_row()
                return
        elif raw.strip() in ("_", "="):
            return
        cells = [inline(c).strip() for c in raw.split(self.tab)]
        row = (self.row or []) + cells
        if cells[-1] == "T{":
            self.row = [*row[:-1], ""]
        else:
            self.row = row
            self.end_row()

    def end_row(self) -> None:
        row = [" ".join(c.split()) for c in self.row or []]
        self.row = None
        if any(row):
            self.flush()
            self.out.append("| " + " | ".join(row) + " |")

    def request(self, name: str, rest: str) -> None:
        args = _arguments(rest)
        if name == "TH":
            self.head = f"{inline(args[0])}({inline(args[1])})" if len(args) > 1 else ""
        elif name in ("SH", "Sh", "SS", "Ss"):
            level = 2 if name[1] in "Hh" else 3
            if level == 2:
                self.lists.clear()
            if args:
                self.heading(level, " ".join(inline(a) for a in args))
            else:  # the heading's words stand on the next line
                self.flush()
                self.pending = level
        elif name in ("PP", "LP", "P", "Pp", "Lp", "sp", "HP", "br"):
            self.flush()
        elif name in ("TP", "TQ"):
            self.flush()
            self.pending = 4
        elif name == "IP":
            self.flush()
            tag = inline(args[0]) if args else ""
            if tag in ("\u2022", "-", "*", "o", "+") or re.fullmatch(r"\d+[.)]?", tag):
                self.bullet = True  # the item's words follow on the next lines
            elif tag:
                self.heading(4, tag)
        elif name in ("nf", "EX"):
            self.start_code()
        elif name in ("fi", "EE"):
            self.end_code()
        elif name in ("B", "I", "SM", "SB", "R"):
            self.words(" ".join(inline(a) for a in args))
        elif len(name) == 2 and set(name) <= set("BIR") or name in ("UE", "ME"):
            # ".BR gzip (1)" is one word in two fonts; "UE ." what follows a link's text
            self.words("".join(inline(a) for a in args))
        elif name == "SY":
            self.flush()
            self.words(" ".join(inline(a) for a in args))
        elif name == "OP":
            self.words("[" + " ".join(inline(a) for a in args) + "]")
        elif name == "YS":
            self.flush()
        elif name == "TS":
            self.flush()
            self.table, self.tab = 1, "\t"
        elif name == "TE":
            if self.row is not None:
                self.end_row()
            self.table = 0
        elif name in ("Dt",):
            self.head = f"{inline(args[0])}({inline(args[1])})" if len(args) > 1 else ""
        elif name == "Nm":
            if args and not self.name:
                self.name = inline(args[0])
            self.words(_mdoc(["Nm", *args], self.name))
        elif name == "Nd":
            self.words("\u2014 " + _mdoc(args, self.name))
        elif name == "Bl":
            self.flush()
            kind = next((a for a in args if a in ("-tag", "-bullet", "-dash", "-enum",
                                                  "-item", "-hang", "-ohang", "-inset",
                                                  "-diag", "-column", "-hyphen")), "-tag")
            self.lists.append(kind)
        elif name == "El":
            self.flush()
            if self.lists:
                self.lists.pop()
        elif name == "It":
            kind = self.lists[-1] if self.lists else "-tag"
            shown = _mdoc(args, self.name)
            if kind in ("-bullet", "-dash", "-hyphen", "-enum", "-item"):
                self.flush()
                self.bullet = True
                if shown:
                    self.para.append(shown)
            else:
                self.heading(4, shown)
        elif name == "Bd":
            if "-literal" in args or "-unfilled" in args:
                self.start_code()
            else:
                self.flush()
        elif name == "Dl":
            self.flush()
            self.out += ["", "```", _mdoc(args, self.name), "```", ""]
        elif name == "Ed":
            self.end_code()
        elif _is_macro(name):  # an mdoc line of words: ".Ar file", ".Xr ssh 1", ".Pq ..."
            self.words(_mdoc([name, *args], self.name))
        # anything else sets up the page (.ds, .nr, .if, .RS ...) or is unknown: left out


def _arguments(rest: str) -> list[str]:
    """A request's arguments: words, or "quoted words" ("" inside is one quote mark)."""
    out: list[str] = []
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " \t":
            i += 1
        if i >= n:
            break
        if rest.startswith('\\"', i):
            break  # a comment ends the line
        if rest[i] == '"':
            i += 1
            word = []
            while i < n:
                if rest[i] == '"':
                    if rest.startswith('""', i):
                        word.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                word.append(rest[i])
                i += 1
            out.append("".join(word))
        else:
            j = i
            while j < n and rest[j] not in " \t":
                j += 1 if rest[j] != "\\" else 2
            out.append(rest[i:j])
            i = j
    return out


def inline(text: str) -> str:
    """A line of roff text as read: escapes resolved, fonts and motions dropped."""
    if '\\"' in text:
        text = re.sub(r'(?<!\\)\\".*', "", text)
    return _ESCAPE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    name = m.group("two") or m.group("long")
    if name is not None:
        if name.startswith("u") and re.fullmatch(r"u[0-9A-Fa-f]{4,6}", name):
            return chr(int(name[1:], 16))
        return _GLYPHS.get(name, "")
    string = m.group("str2") or m.group("strl") or m.group("str1")
    if string is not None:
        return _GLYPHS.get(string, "")
    char = m.group("char")
    if char is None:
        return ""
    if char in _SPACE_CHARS:
        return _SPACE_CHARS[char]
    return "" if char in _SILENT else char


def _mdoc(args: list[str], name: str) -> str:
    """An mdoc line's words as shown: "Fl v" is "-v", "Xr ssh_config 5" "ssh_config(5)",
    "Op Fl p Ar port" "[-p port]", "Dq word" a quoted word; punctuation sticks to the word
    before it."""
    tail = ""  # closing punctuation stands after any closing bracket: "(see kiln(1))."
    while args and args[-1] in _MDOC_PUNCT:
        tail = args[-1] + tail
        args = args[:-1]
    out: list[str] = []
    closers: list[str] = []
    glue = False  # the next word joins the one before ("Ns")
    flag = False  # the next word is an option's name ("Fl")
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word == "Fl":
            flag = True
            if i >= len(args) or args[i] in _MDOC_PUNCT or _is_macro(args[i]):
                out.append("-")
                flag = False
            continue
        if word == "Xr" and i + 1 < len(args) + 1:
            page = inline(args[i]) if i < len(args) else ""
            section = inline(args[i + 1]) if i + 1 < len(args) else ""
            out.append(f"{page}({section})" if section else page)
            i += 2
            continue
        if word == "Nm":
            if i >= len(args) or _is_macro(args[i]) or args[i] in _MDOC_PUNCT:
                out.append(name)
            continue
        if word in ("Ns", "Pf"):
            glue = True
            if word == "Pf" and i < len(args):
                out.append(inline(args[i]))
                i += 1
            continue
        if word in _PAIRS:
            opener, closer = _PAIRS[word]
            out.append(opener)
            glue = True
            closers.append(closer)
            continue
        if word in _OPENERS:
            shown = _OPENERS[word]
            if word.endswith("o") or word in ("Bro", "Ao"):
                out.append(shown)
                glue = True
            else:
                out[-1:] = [(out[-1] if out else "") + shown]
            continue
        if word in _NAMED:
            out.append(_NAMED[word])
            continue
        if word in _MDOC_PLAIN:
            continue
        text = inline(word)
        if flag:
            text = "-" + text
            flag = False
        if (word in _MDOC_PUNCT or glue) and out:
            out[-1] += text
        else:
            out.append(text)
        glue = bool(out) and text in _MDOC_OPEN
    while closers:
        closer = closers.pop()
        if out:
            out[-1] += closer
    if out:
        out[-1] += tail
    return " ".join(w for w in out if w)


def _is_macro(word: str) -> bool:
    return len(word) in (2, 3) and word[0].isupper() and word[1:].isalpha() and (
        word in _MDOC_PLAIN or word in _PAIRS or word in _OPENERS
        or word in ("Fl", "Xr", "Ns", "Pf", "Nm")
    )
