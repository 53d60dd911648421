"""The query guard: one lexer, per the SPARQL 1.1 grammar, decides what a query may
do, and every engine evaluates the text that lexer wrote.

Two parsers that disagree about where a comment, a string or an IRI ends can be
made to see different queries in one text (a bare CR ends a ``#`` comment for one
and not the other; a quote inside an ``<…>`` opens a string for one). So the guard
never lets an engine read the user's text. It reads the text once, token by token
(:func:`tokens`), refuses what hetao-kg never does from the tokens themselves
(``SERVICE``, SPARQL Update, nesting deep enough to overflow a parser's stack;
a dataset clause is recorded, for the stores to judge), and writes the **canonical text**: the same tokens, comments
dropped, every string literal rewritten on one line in double quotes with its
quotes escaped, line breaks only between tokens. That text is what Oxigraph,
rdflib and a remote endpoint evaluate (:attr:`Checked.text`), and its tokens are
the ones the guard saw: a ``#`` or a quote another parser might read differently
can then only make it see less of the query, never more.

>>> c = checked("SELECT ?u # a comment\\nWHERE { ?u a hto:University }")
>>> c.form, c.text
('SelectQuery', 'SELECT ?u \\nWHERE { ?u a hto:University }')
>>> checked("SELECT * WHERE { ?u a hto:University # x\\r SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
hetao_kg.errors.QueryRefused: SERVICE is refused: queries never call other endpoints
>>> checked("SELECT * WHERE { \\\\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
hetao_kg.errors.QueryRefused: SERVICE is refused: queries never call other endpoints
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Mapping, NamedTuple
from urllib.parse import urljoin

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..errors import QueryError, QueryRefused
from ..namespaces import HTO, PREFIXES, QUERY_BASE

__all__ = [
    "DATASET_REFUSED",
    "MAX_DEPTH",
    "MAX_OPERATORS",
    "Checked",
    "Token",
    "bind",
    "checked",
    "relative_iris",
    "resolve",
    "tokens",
    "vouched",
]

#: Brackets (``{ ( [``) open at once. Oxigraph's parser recurses per bracket and
#: overflows an 8 MB stack between 1,000 and 3,000 levels (a crash, not an error).
MAX_DEPTH = 128
#: Operators in one query (``+ - * / && || ! = != < > <= >= UNION MINUS OPTIONAL``):
#: a 10,000-term sum overflows the parser's stack, 3,000 does not; real queries use tens.
MAX_OPERATORS = 2_000

_UPDATE = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_FORMS = {"SELECT": "SelectQuery", "CONSTRUCT": "ConstructQuery", "DESCRIBE": "DescribeQuery", "ASK": "AskQuery"}
_COUNTED = {"+", "-", "*", "/", "&&", "||", "!", "=", "!=", "<", ">", "<=", ">=", "UNION", "MINUS", "OPTIONAL"}

# --- the terminals of the SPARQL 1.1 grammar (section 19.8) -----------------------------

_NON_ASCII_BASE = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NON_ASCII_PN = "\u00b7\u0300-\u036f\u203f-\u2040"


def _terminals(ascii_only: bool) -> list[tuple[str, str]]:
    """The grammar's terminals. ``ascii_only`` leaves the non-ASCII ranges out of the
    name-character classes: on a text with no character beyond ASCII both lexers match
    alike (the ranges left out cannot match there), and the ASCII one compiles in a
    fraction of the time (``re`` maps every BMP code point for each copy of the full
    classes: 19-25 ms of CPU, paid by every command that ran a query)."""
    base = "A-Za-z" + ("" if ascii_only else _NON_ASCII_BASE)
    extra = "" if ascii_only else _NON_ASCII_PN
    pn_chars_u = base + "_"
    pn_chars = pn_chars_u + "\\-0-9" + extra
    pn_prefix = rf"[{base}](?:[{pn_chars}.]*[{pn_chars}])?"
    plx = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
    pn_local = (
        rf"(?:[{pn_chars_u}:0-9]|{plx})"
        rf"(?:(?:[{pn_chars}.:]|{plx})*(?:[{pn_chars}:]|{plx}))?"
    )
    varname = rf"[{pn_chars_u}0-9][{pn_chars_u}0-9{extra}]*"
    echar = r"\\[tbnrf\\\"']"
    return [
        ("WS", r"[ \t\r\n]+"),
        ("COMMENT", r"#[^\r\n]*"),
        ("IRI", r'<[^<>"{}|^`\\\x00-\x20]*>'),
        ("STRING", rf"'''(?:(?:'|'')?(?:[^'\\]|{echar}))*'''"),
        ("STRING", rf'"""(?:(?:"|"")?(?:[^"\\]|{echar}))*"""'),
        ("STRING", rf"'(?:[^'\\\n\r]|{echar})*'"),
        ("STRING", rf'"(?:[^"\\\n\r]|{echar})*"'),
        ("BNODE", rf"_:[{pn_chars_u}0-9](?:[{pn_chars}.]*[{pn_chars}])?"),
        ("PNAME", rf"(?:{pn_prefix})?:(?:{pn_local})?"),
        ("VAR", rf"[?$]{varname}"),
        ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
        ("NUMBER", r"[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.(?:[0-9]*[eE][+-]?[0-9]+)?"),
        ("NAME", r"[A-Za-z_][A-Za-z0-9_]*"),
        ("PUNCT", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/?|^]"),
    ]


_TERMINALS = _terminals(ascii_only=False)
_VARNAME = rf"[A-Za-z{_NON_ASCII_BASE}_0-9][A-Za-z{_NON_ASCII_BASE}_0-9{_NON_ASCII_PN}]*"
_KIND = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_TERMINALS)}


@lru_cache(maxsize=2)
def _lexer(ascii_only: bool) -> re.Pattern:
    """The lexer, compiled on first use. The ASCII one reads a token as the full one does
    unless a name character beyond ASCII could take part: only the terminals with name
    classes (BNODE, PNAME, VAR) differ, they start with a letter, ``_``, ``:``, ``?`` or
    ``$`` (or a character beyond ASCII) and never hold a space, tab or line break. So the
    full lexer reads from a position only where such a character starts a run of
    non-blank characters holding one beyond ASCII (:func:`_lex`)."""
    return re.compile("|".join(f"(?P<{kind}{i}>{rx})" for i, (kind, rx) in enumerate(_terminals(ascii_only))))


_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:?$")


_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")
_BLANK = re.compile(r"[ \t\r\n]")


def _beyond_ascii_runs(sparql: str) -> list[tuple[int, int]]:
    """(start, end) of the runs of non-blank characters that hold a character beyond ASCII
    (found from those characters, not by reading every run: a query is mostly ASCII)."""
    out: list[tuple[int, int]] = []
    end = 0
    for m in _BEYOND_ASCII.finditer(sparql):
        if m.start() < end:  # in the run found last
            continue
        start = max(sparql.rfind(" ", 0, m.start()), sparql.rfind("\t", 0, m.start()),
                    sparql.rfind("\r", 0, m.start()), sparql.rfind("\n", 0, m.start())) + 1
        blank = _BLANK.search(sparql, m.end())
        end = blank.start() if blank else len(sparql)
        out.append((start, end))
    return out


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
# A string is written in double quotes, an apostrophe inside it as \u0027: never a raw
# quote another parser could take for the start of a string (rdflib rejects \' there).
_WRITE_TABLE = {ord(k): v for k, v in {"\\": "\\\\", '"': '\\"', "'": "\\u0027", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}.items()}


class Token(NamedTuple):
    """One terminal: its kind (``IRI``, ``STRING``, ``PNAME``, ``VAR``, ``NAME``,
    ``PUNCT`` …), its text as written (a string's *value* for ``STRING``) and where
    it starts (1-based line and column of the query as given). Immutable (a named
    tuple: made for every token of every text, it costs half what a frozen dataclass does)."""

    kind: str
    text: str
    line: int
    column: int


def _expand_codepoints(sparql: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` anywhere in the text, as SPARQL 1.1 (19.2) says:
    they are replaced before the query is parsed (a ``\\u0053ERVICE`` is ``SERVICE``)."""
    def one(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            before = re.split(r"\r\n|\r|\n", sparql[: m.start()])
            raise QueryError(f"invalid code point escape {m.group(0)}", len(before), len(before[-1]) + 1)
        return chr(code)

    return _UCHAR.sub(one, sparql) if "\\" in sparql else sparql


def _string_value(raw: str) -> str:
    body = raw[3:-3] if raw[:3] in ("'''", '"""') and len(raw) >= 6 else raw[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], body, flags=re.S)


def _write_string(value: str) -> str:
    return '"' + value.translate(_WRITE_TABLE) + '"'


def _lex(sparql: str, *, full_only: bool = False) -> tuple[list[Token], list[str]]:
    """The tokens of ``sparql`` and the gaps before each (and after the last): the
    whitespace as written, comments dropped, every line break a ``\\n``. ``full_only``
    reads every token with the full lexer (the tests compare the two ways).

    Every text the endpoint answers is read here twice (the server, then the query
    worker, which trusts no caller), so the loop does per token only what the token needs."""
    out: list[Token] = []
    gaps: list[str] = []
    gap = ""
    pos, line, line_start, n = 0, 1, 0, len(sparql)
    carry = 0  # line breaks inside the previous token (a long string), written after it
    dirty = [] if sparql.isascii() else _beyond_ascii_runs(sparql)
    d, dirt = 0, len(dirty)
    match = _lexer(full_only is False).match
    kinds = _KIND
    while pos < n:
        if d < dirt:
            while d < dirt and dirty[d][1] <= pos:
                d += 1
            if d < dirt and dirty[d][0] <= pos and (sparql[pos] in _NAME_START or not sparql[pos].isascii()):
                m = _lexer(False).match(sparql, pos)
            else:
                m = match(sparql, pos)
        else:
            m = match(sparql, pos)
        if m is None:
            char = sparql[pos]
            raise QueryError(f"unexpected character {char!r} (U+{ord(char):04X})", line, pos - line_start + 1)
        kind = kinds[m.lastgroup]
        end = m.end()
        if kind == "WS":
            text = m.group()
            if "\r" in text:
                gap += text.replace("\r\n", "\n").replace("\r", "\n")
                breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
                line += breaks
                if breaks:
                    line_start = pos + max(text.rfind("\n"), text.rfind("\r")) + 1
            else:
                gap += text
                breaks = text.count("\n")
                if breaks:
                    line += breaks
                    line_start = pos + text.rfind("\n") + 1
        elif kind != "COMMENT":  # a comment holds no line break
            if carry:
                gap = "\n" * carry + gap
                carry = 0
            gaps.append(gap)
            gap = ""
            text = m.group()
            if kind == "STRING":
                out.append(Token(kind, _string_value(text), line, pos - line_start + 1))
                if "\n" in text or "\r" in text:
                    carry = breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
                    line += breaks
                    line_start = pos + max(text.rfind("\n"), text.rfind("\r")) + 1
            else:
                out.append(Token(kind, text, line, pos - line_start + 1))
        pos = end
    if carry:
        gap = "\n" * carry + gap
    gaps.append(gap)
    return out, gaps


def tokens(sparql: str) -> list[Token]:
    """The tokens of a query, per the SPARQL 1.1 grammar's terminals (comments dropped,
    code point escapes replaced first).

    >>> [(t.kind, t.text) for t in tokens("ASK { ?s a <x> } # done")]
    [('NAME', 'ASK'), ('PUNCT', '{'), ('VAR', '?s'), ('NAME', 'a'), ('IRI', '<x>'), ('PUNCT', '}')]
    """
    return _lex(_expand_codepoints(sparql))[0]


@dataclass(frozen=True)
class Checked:
    """A query that passed the guard.

    ``text`` is the canonical text every engine evaluates; ``form`` is
    ``SelectQuery``, ``ConstructQuery``, ``DescribeQuery`` or ``AskQuery``;
    ``where`` is the index in ``text`` just after the ``{`` that opens the WHERE
    group (-1 if there is none); ``lang_columns`` are the variables the query binds
    to ``LANG(…)`` itself; ``dataset`` the IRIs of its ``FROM`` and ``FROM NAMED``
    clauses. A dataset clause passes the guard: every store selects graphs it holds and
    never fetches (Oxigraph does not; the memory store takes the clause out of what
    rdflib evaluates), and the stores, the query facade and the endpoint refuse an IRI
    the dataset does not hold (:mod:`hetao_kg.store.dataset`). A clause the grammar
    does not allow (naming no IRI, or inside a group) is refused (:data:`DATASET_REFUSED`).
    """

    text: str
    form: str
    where: int
    lang_columns: frozenset[str]
    dataset: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


#: What the guard says to a dataset clause it cannot read as one (no IRI, or inside a group).
DATASET_REFUSED = "FROM / FROM NAMED is refused: queries see only the hetao-kg graph and never fetch IRIs"


def _dataset(toks: list[Token], start: int, prologue: tuple[str, dict[str, str]] | None = None,
             ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses (``<iri>``, resolved
    against the query's base, or a prefixed name, expanded). A clause anywhere but between
    the query form and its WHERE group, or naming anything but an IRI, is refused."""
    base, prefixes = prologue or _prologue(toks)
    defaults: list[str] = []
    named: list[str] = []
    depth = 0
    for i in range(start, len(toks)):
        tok = toks[i]
        if tok.kind == "PUNCT" and tok.text in "{(":
            depth += 1
        elif tok.kind == "PUNCT" and tok.text in "})":
            depth -= 1
        if tok.kind != "NAME" or tok.text.upper() != "FROM":
            continue
        j = i + 1
        into = defaults
        if j < len(toks) and toks[j].kind == "NAME" and toks[j].text.upper() == "NAMED":
            j, into = j + 1, named
        target = toks[j] if j < len(toks) else None
        if depth or target is None or target.kind not in ("IRI", "PNAME"):
            raise QueryRefused(DATASET_REFUSED)
        if target.kind == "IRI":
            into.append(resolve(target.text[1:-1], base))
        else:
            head, _, local = target.text.partition(":")
            if head + ":" not in prefixes:
                raise QueryError(f"undefined prefix {head}: in FROM", target.line, target.column)
            into.append(prefixes[head + ":"] + local)
    return tuple(defaults), tuple(named)


def _form(toks: list[Token]) -> tuple[str, int]:
    """The query form and the index of its keyword, after the prologue (BASE, PREFIX)."""
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "NAME" else ""
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            break
    if i >= len(toks):
        raise QueryError("the query is empty: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    tok = toks[i]
    word = tok.text.upper() if tok.kind == "NAME" else ""
    if word in _UPDATE:
        raise QueryRefused("SPARQL Update is refused: hetao-kg queries are read-only")
    if word not in _FORMS:
        raise QueryError(f"expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {tok.text!r}", tok.line, tok.column)
    return _FORMS[word], i


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def resolve(iri: str, base: str = QUERY_BASE) -> str:
    """``iri`` made absolute against ``base`` (RFC 3986 reference resolution, as rdflib
    does it); an absolute IRI is returned as it is.

    >>> resolve("org/hku"), resolve("x", "http://127.0.0.1:8000/sparql"), resolve("http://ex/a")
    ('https://w3id.org/hetao-kg/id/org/hku', 'http://127.0.0.1:8000/x', 'http://ex/a')
    """
    return iri if _SCHEME.match(iri) else urljoin(base, iri)


def relative_iris(sparql: str) -> list[str]:
    """The relative IRIs written in ``sparql`` (``<x>``, also in ``BASE`` and ``PREFIX``),
    which resolve against a base; ``[]`` for text the guard cannot lex (it says why later).

    >>> relative_iris("BASE <a/> SELECT * { <http://ex/s> ?p <b> }")
    ['a/', 'b']
    """
    if not _MAYBE_RELATIVE.search(sparql):  # the endpoint asks this of every text: most need no lexing
        return []
    return _relative_iris_lexed(sparql)


#: what a relative IRI token looks like in the text (an IRIREF whose start is no scheme),
#: or a code point escape, which could write one: a text with neither has no relative IRI
_MAYBE_RELATIVE = re.compile(r'<(?![A-Za-z][A-Za-z0-9+.\-]*:)[^<>"{}|^`\\\x00-\x20]*>|\\[uU]')


def _relative_iris_lexed(sparql: str) -> list[str]:
    try:
        toks = tokens(sparql)
    except QueryError:
        return []
    return [t.text[1:-1] for t in toks if t.kind == "IRI" and not _SCHEME.match(t.text[1:-1])]


def _prologue(toks: list[Token]) -> tuple[str, dict[str, str]]:
    """The query's base (``BASE`` declarations, resolved in turn against
    :data:`~hetao_kg.namespaces.QUERY_BASE`) and its prefixes (hetao-kg's, then the
    query's ``PREFIX`` declarations, their IRIs resolved against the base so far)."""
    base = QUERY_BASE
    prefixes = {f"{k}:": str(v) for k, v in PREFIXES.items()}
    for i, tok in enumerate(toks[:-1]):
        if tok.kind != "NAME":
            continue
        word = tok.text.upper()
        if word == "BASE" and toks[i + 1].kind == "IRI":
            base = resolve(toks[i + 1].text[1:-1], base)
        elif word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "PNAME" and toks[i + 2].kind == "IRI":
            prefixes[toks[i + 1].text] = resolve(toks[i + 2].text[1:-1], base)
    return base, prefixes


def _check_terms(toks: list[Token], prologue: tuple[str, dict[str, str]] | None = None) -> None:
    """The first ``hto:`` term the ontology does not define, with the closest one.

    Terms inside a ``VALUES`` block are data (the entities and kinds a program binds,
    which a data root of its own may add), not vocabulary: they are not checked."""
    from .diagnose import ontology_terms

    ns = str(HTO._NS)
    base, prefixes = prologue or _prologue(toks)
    terms = None
    values_depth = None  # the bracket depth a VALUES block closes at, while inside one
    depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "PUNCT" and tok.text in "{(":
            depth += 1
        elif tok.kind == "PUNCT" and tok.text in "})":
            depth -= 1
            if values_depth is not None and depth <= values_depth and tok.text == "}":
                values_depth = None
        elif tok.kind == "NAME" and tok.text.upper() == "VALUES":
            values_depth = depth
        if values_depth is not None:
            continue
        if tok.kind == "PNAME":
            if i and toks[i - 1].kind == "NAME" and toks[i - 1].text.upper() == "PREFIX":
                continue
            head, _, local = tok.text.partition(":")
            iri = prefixes.get(head + ":", "") + local if local else ""
        elif tok.kind == "IRI":
            iri = resolve(tok.text[1:-1], base)
        else:
            continue
        if not iri.startswith(ns) or iri == ns:
            continue
        local = iri[len(ns):]
        terms = terms if terms is not None else ontology_terms()
        if local not in terms:
            import difflib  # only for an unknown term

            close = difflib.get_close_matches(local, sorted(terms), n=1, cutoff=0.6)
            hint = f"; did you mean hto:{close[0]}?" if close else ""
            raise QueryError(f"hto:{local} is not in the ontology{hint}")


def _lang_columns(toks: list[Token]) -> frozenset[str]:
    """Variables bound to ``LANG(…)`` itself: ``(LANG(?l) AS ?t)`` or ``BIND(LANG(?l) AS ?t)``."""
    found = set()
    for i, tok in enumerate(toks):
        if tok.kind != "NAME" or tok.text.upper() != "LANG" or i == 0 or toks[i - 1].text != "(":
            continue
        depth, j = 0, i + 1
        while j < len(toks):
            if toks[j].kind == "PUNCT" and toks[j].text == "(":
                depth += 1
            elif toks[j].kind == "PUNCT" and toks[j].text == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j + 2 < len(toks) and toks[j + 1].kind == "NAME" and toks[j + 1].text.upper() == "AS" and toks[j + 2].kind == "VAR":
            found.add(toks[j + 2].text[1:])
    return frozenset(found)


def _where(toks: list[Token], form: str, start: int) -> int:
    """Index of the token ``{`` that opens the WHERE group, or -1."""
    braces = parens = 0
    if form == "ConstructQuery" and start + 1 < len(toks) and toks[start + 1].text.upper() == "WHERE":
        return -1  # CONSTRUCT WHERE { … }: the pattern is the template, VALUES cannot go in
    skip = 1 if form == "ConstructQuery" else 0
    groups = 0
    for i in range(start, len(toks)):
        tok = toks[i]
        if tok.kind != "PUNCT":
            continue
        if tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif tok.text == "{":
            if braces == 0 and parens == 0:
                if groups == skip:
                    return i
                groups += 1
            braces += 1
        elif tok.text == "}":
            braces -= 1
    return -1


def _write(toks: list[Token], gaps: list[str]) -> tuple[str, list[str]]:
    """The canonical text, and its pieces: gap, token, gap, … (token ``i`` starts at
    ``len("".join(pieces[:2 * i + 1]))``)."""
    pieces = [""] * (2 * len(toks) + 1)
    pieces[0::2] = gaps if len(gaps) > len(toks) else [*gaps, ""]
    pieces[1::2] = [_write_string(t.text) if t.kind == "STRING" else t.text for t in toks]
    return "".join(pieces), pieces


#: verdicts taken from the process that ran the guard (:func:`vouched`), by text
_VOUCHED: dict[str, Checked] = {}


def checked(sparql: str) -> Checked:
    """Lex and check a query; the :class:`Checked` query whose text engines evaluate.

    Raises :class:`~hetao_kg.store.QueryRefused` for SPARQL Update and ``SERVICE``
    (and a ``FROM`` that names no IRI), :class:`~hetao_kg.store.QueryError` for text that is not a
    query (an unknown character, a bracket left open, too deep or too long, an
    ``hto:`` term the ontology lacks). Syntax beyond the tokens is the engine's to judge.

    >>> checked("DROP ALL")
    Traceback (most recent call last):
    ...
    hetao_kg.errors.QueryRefused: SPARQL Update is refused: hetao-kg queries are read-only
    >>> print(checked("ASK { ?x ?p 'it', '''two\\nlines''' . ?x ?q ?y }").text)
    ASK { ?x ?p "it", "two\\nlines"
     . ?x ?q ?y }
    """
    verdict = _VOUCHED.get(sparql)
    return verdict if verdict is not None else _checked(sparql)


@contextlib.contextmanager
def vouched(sparql: str, verdict: Checked | None) -> Iterator[None]:
    """While the block runs, :func:`checked` gives ``verdict`` for ``sparql`` without
    lexing it again: a query worker takes the verdict of the process that sent it the
    text, which ran the guard before any worker saw it (so a refusal costs no worker),
    instead of running the guard a second time (0.7 ms of a new text's 3-4 ms there).
    With ``verdict`` None nothing changes: the worker runs the guard itself.

    >>> with vouched("ASK {}", checked("ASK { }")):
    ...     checked("ASK {}").text
    'ASK { }'
    >>> checked("ASK {}").text
    'ASK {}'
    """
    if verdict is None:
        yield
        return
    _VOUCHED[sparql] = verdict
    try:
        yield
    finally:
        _VOUCHED.pop(sparql, None)


@lru_cache(maxsize=1024)
def _checked(sparql: str) -> Checked:
    toks, gaps = _lex(_expand_codepoints(sparql))
    form, start = _form(toks)
    depth = operators = 0
    for tok in toks:
        if tok.kind == "NAME":
            word = tok.text.upper()
            if word == "SERVICE":
                raise QueryRefused("SERVICE is refused: queries never call other endpoints")
            if word in _COUNTED:
                operators += 1
        elif tok.kind == "PUNCT":
            if tok.text in "{([":
                depth += 1
                if depth > MAX_DEPTH:
                    raise QueryError(f"the query nests brackets more than {MAX_DEPTH} deep; simplify it",
                                     tok.line, tok.column)
            elif tok.text in "})]":
                depth -= 1
                if depth < 0:
                    raise QueryError(f"unbalanced {tok.text!r}: nothing is open to close", tok.line, tok.column)
            elif tok.text in _COUNTED:
                operators += 1
        if operators > MAX_OPERATORS:
            raise QueryError(f"the query has more than {MAX_OPERATORS:,} operators; simplify it", tok.line, tok.column)
    if depth:
        raise QueryError("a bracket is left open: unbalanced '{', '(' or '['; hint: the query is incomplete")
    prologue = _prologue(toks)  # read once for the terms and the dataset
    _check_terms(toks, prologue)
    text, pieces = _write(toks, gaps)
    brace = _where(toks, form, start)
    where = sum(map(len, pieces[: 2 * brace + 1])) + 1 if brace >= 0 else -1
    return Checked(text, form, where, _lang_columns(toks), _dataset(toks, start, prologue))


# --- binding ---------------------------------------------------------------------------

_IRI_CONTENT = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


def _term(term: Node) -> str:
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be bound to a query variable")
    if isinstance(term, URIRef):
        if not _IRI_CONTENT.fullmatch(str(term)):
            raise QueryError(f"cannot bind {str(term)!r}: not a valid IRI (spaces, quotes, <, > or braces inside)")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = _write_string(str(term))
        if term.language:
            if not re.fullmatch(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*", term.language):
                raise QueryError(f"cannot bind a literal with the language tag {term.language!r}")
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_term(URIRef(term.datatype))}"
        return text
    raise QueryError(f"cannot bind {term!r} to a query variable")


def bind(query: Checked, bindings: Mapping[str, Node] | None) -> str:
    """The text to evaluate: ``query.text`` with ``VALUES (?v …) { (term …) }`` at the
    start of its WHERE group. Terms are written by the guard (an IRI with a space or a
    ``>`` inside is refused), never pasted as the caller gave them.

    >>> bind(checked("SELECT ?x WHERE { ?x ?p ?entity }"), {"entity": URIRef("http://ex/a")})
    'SELECT ?x WHERE { VALUES (?entity) { (<http://ex/a>) } ?x ?p ?entity }'
    """
    if not bindings:
        return query.text
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(_VARNAME, name):
            raise QueryError(f"invalid variable name {name!r}")
    if query.where < 0:
        if query.form == "ConstructQuery" and re.search(r"\bCONSTRUCT\s+WHERE\b", query.text, re.I):
            raise QueryError("binding variables needs a CONSTRUCT with an explicit template")
        raise QueryError("cannot bind variables: the query has no WHERE group")
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(_term(bindings[n]) for n in names)}) }}"
    return query.text[: query.where] + values + query.text[query.where:]
