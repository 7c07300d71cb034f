"""LaTeX sources (``.tex``): a paper's, a thesis's or a course's notes as the typeset document
reads.

Parsed with pylatexenc's walker (a node tree of macros, environments, groups and math, tolerant
of what it does not know), each piece written as the other converted formats write theirs
(``marks``): ``\\title`` as the title, a note on it (``\\thanks``) under it; ``\\part`` down to
``\\paragraph`` as headings, one level under the title; the abstract under a heading of its
own; ``itemize``, ``enumerate`` and ``description`` items at their depth; a ``tabular`` as a
table's rows, under a header where a rule (``\\hline``, ``\\midrule``) follows its first row,
and one of a single column as what it holds; a caption as a paragraph; ``verbatim``,
``lstlisting`` and ``minted`` as code; a bibliography's items as a list under "References".
Paragraphs are what blank lines part. Inline, pylatexenc's text conversion: accents and
symbols as characters, ``\\emph`` and the like as their text, math as it reads
(``\\sigma_8 \\pm 0.002`` as "σ_8 ± 0.002"), a footnote in brackets after its word, a link as
its text; a citation or a cross-reference (a number in print) and a ``\\label`` give nothing.
A macro the document defines (``\\newcommand``) prints its definition, its arguments in place:
"\\ours" as "KilnNet". Left out: the preamble but the title, comments, pictures, and an
``\\input`` file's text (that file is read on its own).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .marks import fenced, join_lines, literal, table_lines

__all__ = ["read_latex"]

_HEADINGS = {
    "part": 1, "chapter": 2, "section": 3, "subsection": 4, "subsubsection": 5,
    "paragraph": 6, "subparagraph": 7,
}  # fmt: skip
_LISTS = frozenset({"itemize", "enumerate", "description", "compactitem", "compactenum"})
_TABLES = frozenset({"tabular", "tabular*", "tabularx", "tabulary", "longtable", "supertabular"})
_CODE = frozenset({"verbatim", "verbatim*", "Verbatim", "lstlisting", "minted", "alltt"})
_MATH = frozenset({
    "equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
    "eqnarray", "eqnarray*", "displaymath", "flalign", "flalign*", "math",
})  # fmt: skip
_RULES = frozenset({"hline", "toprule", "midrule", "bottomrule", "cline", "cmidrule", "hhline"})
# Macros that stand apart from the text around them and print nothing worth reading here.
_SILENT = frozenset({
    "maketitle", "tableofcontents", "listoffigures", "listoftables", "label", "newpage",
    "clearpage", "cleardoublepage", "pagebreak", "linebreak", "bibliographystyle", "bibliography",
    "printbibliography", "addbibresource", "centering", "raggedright", "raggedleft", "noindent",
    "vspace", "hspace", "vfill", "hfill", "smallskip", "medskip", "bigskip", "includegraphics",
    "appendix", "frontmatter", "mainmatter", "backmatter", "thispagestyle", "pagestyle",
    "setlength", "addtolength", "setcounter", "newcommand", "renewcommand", "providecommand",
    "def", "let", "input", "include", "usepackage", "documentclass", "graphicspath", "author",
    "title", "date", "thanks", "affiliation", "institute", "email", "keywords", "acknowledgments",
    "icmltitle", "icmltitlerunning", "icmlauthor", "icmlaffiliation", "icmlcorrespondingauthor",
    "icmlsetsymbol", "icmlkeywords", "printAffiliationsAndNotice",
})  # fmt: skip
# Environments of a class's title block: authors and affiliations, which the preamble's would
# be too.
_SILENT_ENVIRONMENTS = frozenset({"icmlauthorlist", "IEEEkeywords", "comment"})
_NEWCOMMANDS = ("newcommand", "renewcommand", "providecommand")
_TITLES = ("title", "icmltitle")
_DOCUMENT_BEGIN = re.compile(r"\\begin\s*\{document\}")
_DOCUMENT_END = re.compile(r"\\end\s*\{document\}")
_ENVIRONMENT = re.compile(r"\\(begin|end)(?![A-Za-z])")
_OPENS = re.compile(r"\\x?(?:begin|end)(?![A-Za-z])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACE = re.compile(r"\s+")
_LENGTH = re.compile(r"[-+]?\d*\.?\d+\s*(?:pt|in|cm|mm|em|ex|bp|pc)(?: plus .*)?")
_BEFORE_STOP = re.compile(r"(?<=\w) (?=[.,;:)](?!\w))")


def read_latex(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of a LaTeX source with light Markdown marks, and its title; or why not."""
    source = _decoded(data)
    if source is None:
        return "not a LaTeX source (binary data)"
    # The preamble and the body are parsed apart: a definition the parser cannot read as
    # LaTeX ("\\newcommand{\\beq}{\\begin{equation}}" opens an environment it never
    # closes) must not swallow the document.
    begin, end = _DOCUMENT_BEGIN.search(source), _DOCUMENT_END.search(source)
    plain = _plain()
    # ... nor the preamble, where an environment is only ever part of a definition.
    preamble = plain.parsed(_ENVIRONMENT.sub(r"\\x\1", source[: begin.start()])) if begin else []
    body_at = begin.end() if begin else 0
    body_source = source[body_at : end.start() if end and end.start() > body_at else None]
    body = None if preamble else plain.parsed(body_source)  # a chapter defines its own
    definitions = _definitions(preamble or body)
    macros = _Macros(definitions) if definitions else plain
    if body is None or definitions:
        body = macros.parsed(body_source)
    writer = _Writer(macros.text)
    titled = _macro(preamble, _TITLES) or _macro(body, _TITLES, 1)
    title = writer.argument_text(titled)
    writer.blocks(body)
    top = min(writer.levels, default=1)
    lines = [f"# {title}", ""] if title else []
    # A note on the title (\\thanks{Final report for the course ...}) is its footnote.
    for note in _macros_in(titled, "thanks"):
        lines += [literal(writer.argument_text(note)), ""]
    for line in writer.lines:
        if isinstance(line, tuple):  # a heading: (level, text), written one under the title
            level, text = line
            line = "#" * min(6, level - top + 2) + " " + text
        lines.append(line)
    return join_lines(lines), (), title or None


def plain_text(source: str) -> str:
    """A LaTeX snippet's text (a BibTeX field's): accents as characters, groups as their
    text, "{\\em Glazes}" as "Glazes"."""
    macros = _plain()
    return macros.text(macros.parsed(source))


@lru_cache(maxsize=1)
def _plain() -> _Macros:
    return _Macros({})  # no definitions: nothing it holds changes while it converts


def _decoded(data: bytes) -> str | None:
    from .load import decode

    decoded = decode(data)
    return decoded[0] if decoded else None


class _Writer:
    """Lines of the converted text from the document's nodes, a heading as (level, text)."""

    def __init__(self, to_text) -> None:
        self.to_text = to_text
        self.lines: list[str | tuple[int, str]] = []
        self.levels: set[int] = set()
        self.pending: list = []  # inline nodes of the paragraph being read

    def blocks(self, nodes, depth: int = 0) -> None:
        from pylatexenc.latexwalker import (
            LatexCommentNode,
            LatexEnvironmentNode,
            LatexMacroNode,
        )

        for node in nodes:
            if isinstance(node, LatexCommentNode):
                continue
            if isinstance(node, LatexMacroNode):
                name = node.macroname.rstrip("*")
                if name in _HEADINGS:
                    self.flush()
                    self.heading(_HEADINGS[name], self.argument_text(node))
                elif name == "caption":
                    self.flush()
                    self.paragraph(self.argument_text(node))
                elif name in ("par", "\\", "item") and not depth:
                    self.flush()
                elif name == "twocolumn":  # \twocolumn[title block]: its argument is the page's
                    self.flush()
                    for arg in node.nodeargd.argnlist if node.nodeargd else ():
                        if arg is not None:
                            self.blocks(_nodes(arg), depth)
                elif name in _SILENT:
                    continue
                else:
                    self.pending.append(node)
            elif isinstance(node, LatexEnvironmentNode):
                self.environment(node, depth)
            else:
                self.pending.append(node)
        self.flush()

    def environment(self, node, depth: int) -> None:
        name = node.environmentname
        self.flush()
        if name in _LISTS:
            self.items(node, depth)
        elif name in _TABLES:
            self.table(node)
        elif name in _SILENT_ENVIRONMENTS:
            pass
        elif name in _CODE:
            self.lines += fenced(self._body(node).split("\n"))
        elif name in _MATH:
            self.paragraph(self.inline_text(node.nodelist))
        elif name == "abstract":
            self.heading(_HEADINGS["section"], "Abstract")
            self.blocks(node.nodelist)
        elif name in ("thebibliography", "references"):
            self.heading(_HEADINGS["section"], "References")
            self.items(node, depth, marker="bibitem")
        else:  # figure, table, center, minipage, quote, theorem, an unknown one: its content
            self.blocks(node.nodelist, depth)
        self.flush()

    def items(self, node, depth: int, marker: str = "item") -> None:
        """A list's items, each "- text" at its depth; a description's label in bold."""
        from pylatexenc.latexwalker import LatexEnvironmentNode, LatexMacroNode

        indent = "  " * depth
        item: list | None = None
        label = ""

        def done() -> None:
            if item is None:
                return
            text = self.inline_text(item)
            if label or text:
                self.lines.append(f"{indent}- " + (f"**{label}** " if label else "") + text)

        for child in node.nodelist:
            if isinstance(child, LatexMacroNode) and child.macroname == marker:
                done()
                item, label = [], ""
                if marker == "item" and child.nodeargd and child.nodeargd.argnlist:
                    label = self.argument_text(child, first=True)
            elif isinstance(child, LatexEnvironmentNode) and child.environmentname in _LISTS:
                done()
                item = None
                self.items(child, depth + 1)
            elif item is not None:
                item.append(child)
        done()
        if not depth:
            self.lines.append("")

    def table(self, node) -> None:
        """A tabular's rows ("&" between cells, "\\\\" between rows); its first row is the
        header where a rule follows it. One of a single column (a box of text, of lists) is
        read as what it holds."""
        from pylatexenc.latexwalker import LatexMacroNode, LatexSpecialsNode

        if not any(
            isinstance(c, LatexSpecialsNode) and c.specials_chars == "&" for c in node.nodelist
        ):
            kept = [
                c
                for c in node.nodelist
                if not (isinstance(c, LatexMacroNode) and c.macroname in _RULES)
            ]
            self.blocks(kept)
            return
        rows: list[list[str]] = []
        cells: list[list] = [[]]
        ruled_after: set[int] = set()  # rows (by count) a rule follows
        for child in node.nodelist:
            if isinstance(child, LatexSpecialsNode) and child.specials_chars == "&":
                cells.append([])
            elif isinstance(child, LatexMacroNode) and child.macroname == "\\":
                rows.append([self.inline_text(c) for c in cells])
                cells = [[]]
            elif isinstance(child, LatexMacroNode) and child.macroname in _RULES:
                ruled_after.add(len(rows))
            elif isinstance(child, LatexMacroNode) and child.macroname in _SILENT:
                continue
            else:
                cells[-1].append(child)
        last = [self.inline_text(c) for c in cells]
        if any(last):
            rows.append(last)
        rows = [row for row in rows if any(row)]
        self.lines += table_lines(rows, header=1 in ruled_after)

    def heading(self, level: int, text: str) -> None:
        if text:
            self.levels.add(level)
            self.lines += ["", (level, text), ""]

    def paragraph(self, text: str) -> None:
        if text and not _LENGTH.fullmatch(text):  # what \vskip 0.3in leaves: its length
            self.lines += ["", literal(text), ""]

    def flush(self) -> None:
        if not self.pending:
            return
        text = self.to_text(self.pending)
        self.pending = []
        for part in _BLANK_LINE.split(text):
            self.paragraph(_spaced(part))

    def inline_text(self, nodes) -> str:
        return _spaced(self.to_text(nodes))

    def argument_text(self, node, first: bool = False) -> str:
        """The text of a macro's last argument (its first, with ``first``): a heading's,
        a caption's, an item's label."""
        if node is None or not node.nodeargd or not node.nodeargd.argnlist:
            return ""
        args = [a for a in node.nodeargd.argnlist if a is not None]
        if not args:
            return ""
        return self.inline_text(_nodes(args[0] if first else args[-1]))

    def _body(self, node) -> str:
        """An environment's source between its \\begin{...}{args} and \\end{...}."""
        raw = node.latex_verbatim()
        start = raw.find("}") + 1
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        if args:
            start = max(start, args[-1].pos + args[-1].len - node.pos)
        end = raw.rfind("\\end")
        return raw[start:end].strip("\n") if end > start else ""


def _spaced(text: str) -> str:
    """Text on one line, single-spaced; no space left before a stop or a closing bracket
    where a citation or a reference printed nothing ("glazes~\\cite{smith}." is "glazes.")."""
    return _BEFORE_STOP.sub("", _SPACE.sub(" ", text)).strip()


def _macro(nodes, names: tuple[str, ...], within: int = 0):
    """The first macro of one of ``names`` among ``nodes``, or ``within`` levels of their
    arguments and groups under them (\\twocolumn[\\icmltitle{...}])."""
    from pylatexenc.latexwalker import LatexMacroNode

    for node in nodes:
        if isinstance(node, LatexMacroNode) and node.macroname in names:
            return node
    if within:
        for node in nodes:
            args = node.nodeargd.argnlist if getattr(node, "nodeargd", None) else []
            inner = [n for a in args if a is not None for n in _nodes(a)]
            inner += getattr(node, "nodelist", None) or []
            found = _macro(inner, names, within - 1) if inner else None
            if found is not None:
                return found
    return None


def _macros_in(node, name: str) -> list:
    """The macros called ``name`` in ``node``'s arguments, at any depth."""
    from pylatexenc.latexwalker import LatexMacroNode

    found = []
    stack = [
        n for a in (node.nodeargd.argnlist if node is not None and node.nodeargd else [])
        if a is not None for n in _nodes(a)
    ]  # fmt: skip
    while stack:
        n = stack.pop(0)
        if isinstance(n, LatexMacroNode) and n.macroname == name:
            found.append(n)
        stack += getattr(n, "nodelist", None) or []
        stack += [
            m
            for a in (n.nodeargd.argnlist if getattr(n, "nodeargd", None) else [])
            if a is not None
            for m in _nodes(a)
        ]
    return found


def _definitions(nodes) -> dict[str, tuple[int, str]]:
    """The macros ``nodes`` define with \\newcommand (or \\renewcommand, \\providecommand),
    by name: how many arguments each takes and its definition's source. Not those that open or
    close an environment (\\newcommand{\\beq}{\\begin{equation}}): their text is the
    environment's."""
    from pylatexenc.latexwalker import LatexMacroNode

    out: dict[str, tuple[int, str]] = {}
    for node in nodes:
        if not isinstance(node, LatexMacroNode) or node.macroname not in _NEWCOMMANDS:
            continue
        args = node.nodeargd.argnlist if node.nodeargd else []
        # \newcommand*{\name}[n][default]{definition}
        if len(args) != 5 or args[1] is None or args[4] is None:
            continue
        name = (_nodes(args[1]) or [None])[0]
        count = _verbatim_arg(args[2]) if args[2] is not None else "0"
        body = _verbatim_arg(args[4])
        if isinstance(name, LatexMacroNode) and count.isdigit() and not _OPENS.search(body):
            out[name.macroname] = (min(int(count), 9), body)
    return out


def _verbatim_arg(arg) -> str:
    """A macro argument's source without its braces or brackets."""
    text = arg.latex_verbatim()
    return text[1:-1] if text[:1] in "{[" and text[-1:] in "}]" else text


def _nodes(arg) -> list:
    """A macro argument's nodes: a group's content, or the one node it is."""
    return list(arg.nodelist) if hasattr(arg, "nodelist") else [arg]


_CITES = ("cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear", "parencite",
          "textcite", "autocite", "footcite", "nocite")  # fmt: skip
_REFS = ("ref", "eqref", "autoref", "cref", "Cref", "pageref", "nameref", "vref")
# The arguments (pylatexenc's spec: "{" required, "[" optional, "*" a star) of the macros and
# environments its default context does not know, or knows otherwise.
_MACRO_ARGS = {
    "href": "{{", "caption": "[{", "label": "{", "bibitem": "[{", "includegraphics": "*[[{",
    "newcommand": "*{[[{", "renewcommand": "*{[[{", "providecommand": "*{[[{", "cmidrule": "[{",
    "cline": "{", "multicolumn": "{{{", "multirow": "{{{", "thanks": "{", "affiliation": "{",
    "email": "{", "keywords": "{", "vspace": "*{", "hspace": "*{", "twocolumn": "[",
    "icmltitle": "{", "icmltitlerunning": "{", "icmlauthor": "{{", "icmlaffiliation": "{{",
    "icmlcorrespondingauthor": "{{", "icmlsetsymbol": "{{", "icmlkeywords": "{",
    "bibliographystyle": "{", "bibliography": "{", "addbibresource": "[{", "setlength": "{{",
    "addtolength": "{{", "setcounter": "{{", "thispagestyle": "{", "pagestyle": "{",
    "input": "{", "include": "{", "graphicspath": "{", "title": "[{", "author": "[{",
    "date": "{",
    **dict.fromkeys(_CITES, "*[[{"), **dict.fromkeys(_REFS, "*{"), "hyperref": "[{", "mbox": "{", "fbox": "{", "hbox": "{", "makebox": "[[{",
}  # fmt: skip
_ENVIRONMENT_ARGS = {
    "lstlisting": "[", "minted": "[{", "tabularx": "{{", "tabular*": "{{", "longtable": "[{",
    "thebibliography": "{", "subfigure": "[{", "minipage": "[[[{", "wrapfigure": "[{[{",
    "multicols": "{",
}  # fmt: skip
# What a macro prints here: "%(n)s" its n-th argument; a citation, a reference (numbers, or
# "??" in the source's own words), a label, a picture nothing.
_MACRO_TEXT = {
    "footnote": " (%(2)s)", "url": "%(1)s", "href": "%(2)s", "hyperref": "%(2)s",
    "mbox": "%(1)s", "fbox": "%(1)s", "hbox": "%(1)s", "makebox": "%(3)s",
    "multicolumn": "%(3)s",
    "multirow": "%(3)s",
    **dict.fromkeys((*_CITES, *_REFS, "label", "bibitem", "includegraphics", "vspace",
                     "hspace", "thanks", "index"), ""),
}  # fmt: skip


class _Macros:
    """Parsing and text conversion with the document's own macros: a macro it defines prints
    its definition, its arguments in place of #1, #2 ("\\figref{fig:kilns}" is "Figure",
    "\\ours" is "KilnNet")."""

    def __init__(self, definitions: dict[str, tuple[int, str]]) -> None:
        from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
        from pylatexenc.macrospec import MacroSpec

        self.definitions = definitions
        self.depth = 0
        walker = _default_context(walker=True)
        walker.add_context_category(
            "document",
            prepend=True,
            macros=[MacroSpec(name, "{" * n) for name, (n, _) in definitions.items()],
        )
        self.walker = walker
        text = _default_context(walker=False)
        text.add_context_category(
            "document",
            prepend=True,
            macros=[MacroTextSpec(name, simplify_repl=self._expanded) for name in definitions],
        )
        self.text = LatexNodes2Text(
            latex_context=text, math_mode="text", keep_comments=False
        ).nodelist_to_text

    def parsed(self, source: str) -> list:
        from pylatexenc.latexwalker import LatexWalker

        walker = LatexWalker(source, latex_context=self.walker, tolerant_parsing=True)
        return walker.get_latex_nodes(pos=0)[0]

    def _expanded(self, node, l2tobj=None) -> str:
        count, body = self.definitions[node.macroname]
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        for k, arg in enumerate(args[:count], start=1):
            body = body.replace(f"#{k}", _verbatim_arg(arg))
        if self.depth >= _MAX_EXPANSION:  # a macro that uses itself, or a long chain
            return ""
        self.depth += 1
        try:
            return self.text(self.parsed(body))
        finally:
            self.depth -= 1


_MAX_EXPANSION = 8


def _default_context(walker: bool):
    """pylatexenc's default context for parsing (``walker``) or for text, with ours."""
    if walker:
        from pylatexenc.latexwalker import get_default_latex_context_db
        from pylatexenc.macrospec import EnvironmentSpec, MacroSpec

        db = get_default_latex_context_db()
        db.add_context_category(
            "askseeds",
            prepend=True,
            macros=[MacroSpec(name, args) for name, args in _MACRO_ARGS.items()],
            environments=[EnvironmentSpec(name, args) for name, args in _ENVIRONMENT_ARGS.items()],
        )
        return db
    from pylatexenc.latex2text import MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db()
    db.add_context_category(
        "askseeds",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=text) for name, text in _MACRO_TEXT.items()],
    )
    return db
