"""Explain what is wrong with a query: the real position of a syntax error with a
hint (a missing ``.``, an undefined prefix, the old ``kg:org/hku`` form), and
ontology terms that do not exist ("did you mean hto:broughtInBy?").

>>> from hetao_kg.store import prepare
>>> prepare("SELECT ?p WHERE { ?p hto:brougtInBy ?u }")
Traceback (most recent call last):
...
hetao_kg.errors.QueryError: hto:brougtInBy is not in the ontology; did you mean hto:broughtInBy?
>>> prepare("SELECT ?x WHERE {\\n  ?x a hto:University\\n  ?x hto:broughtIn ?p }")
Traceback (most recent call last):
...
hetao_kg.errors.QueryError: SPARQL syntax error: line 3, column 3: cannot parse from '?x hto:broughtIn ?p }'; hint: is a '.' missing at the end of line 2?
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from rdflib import URIRef

from ..errors import QueryError
from ..namespaces import FAMILIES, HTO, PREFIXES

__all__ = ["check_terms", "ontology_terms", "syntax_error"]

_OLD_FORM = re.compile(r"(?<![\w<#/])kg:([a-z]+)/([A-Za-z0-9_.-]+)")
_PNAME = re.compile(r"(?<![\w<\"'#?$])([A-Za-z][\w.-]*)?:(?=[A-Za-z0-9_])")


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _old_form(sparql: str):
    m = _OLD_FORM.search(sparql)
    if not m:
        return None
    family, local = m.groups()
    new = f"{FAMILIES[family]}:{local}" if family in FAMILIES else f"<{PREFIXES['kg']}{family}/{local}>"
    line, col = _position(sparql, m.start())
    return QueryError(
        f"{m.group(0)} is not a valid prefixed name (a '/' may not follow the prefix); write {new}", line, col
    )


def oxigraph_syntax_error(exc: SyntaxError) -> QueryError:
    """Oxigraph's own words for a malformed query, at the line and column it gives.

    >>> str(oxigraph_syntax_error(SyntaxError("error at 2:9: expected one of LATERAL, SERVICE")))
    'SPARQL syntax error: line 2, column 9: expected one of LATERAL, SERVICE'
    """
    said = str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", said, re.S)
    if m:
        return QueryError(m.group(3).strip(), int(m.group(1)), int(m.group(2)))
    return QueryError(f"SPARQL syntax error: {said}")


def syntax_error(sparql: str, exc: Exception):
    """A :class:`~hetao_kg.store.QueryError` for ``exc`` raised while parsing or
    translating ``sparql``, at the real position, with a hint where one helps."""
    old = _old_form(sparql)
    if old is not None:
        return old
    undefined = re.match(r"Unknown namespace prefix\s*:\s*(\S*)", str(exc))
    if undefined:
        prefix = undefined.group(1)
        at = re.search(rf"(?<![\w<\"'#])({re.escape(prefix)}):", sparql)
        line, col = _position(sparql, at.start()) if at else (None, None)
        known = ", ".join(sorted(p for p in PREFIXES if p != "kg"))
        import difflib  # only for a query that went wrong

        close = difflib.get_close_matches(prefix, list(PREFIXES), n=1)
        hint = f"did you mean {close[0]}:? " if close else ""
        return QueryError(
            f"undefined prefix {prefix}: ({hint}declare it with PREFIX {prefix}: <…>; predeclared: {known})",
            line,
            col,
        )
    loc = getattr(exc, "loc", None)
    if not isinstance(loc, int):
        return QueryError(f"SPARQL error: {exc}")
    line, col = _position(sparql, loc)
    rest = sparql[loc:].split("\n", 1)[0].strip()
    snippet = rest if len(rest) <= 40 else rest[:39] + "…"
    message = f"cannot parse from '{snippet}'" if snippet else "the query ends too early"
    return QueryError(message + _hint(sparql, loc), line, col)


def _hint(sparql: str, loc: int) -> str:
    before = sparql[:loc].rstrip()
    after = sparql[loc:].lstrip()
    for open_, close in ("{}", "()", "[]"):
        if sparql.count(open_) != sparql.count(close):
            return f"; hint: unbalanced '{open_}' and '{close}'"
    if before and after and before[-1] not in ".{;,([|/^!=<>&+-*" and re.match(r"[?$<_:\w\"']", after):
        previous_line = before.count("\n") + 1
        where = "before it" if previous_line == sparql[:loc].count("\n") + 1 else f"at the end of line {previous_line}"
        return f"; hint: is a '.' missing {where}?"
    if not after:
        return "; hint: the query is incomplete"
    return ""


@lru_cache(maxsize=8)
def ontology_terms(root: str | None = None) -> frozenset[str]:
    """Local names of every ``hto:`` term the ontology files mention (and :class:`HTO` lists)."""
    from ..paths import data_root
    from pathlib import Path

    folder = Path(root) / "ontology" if root else data_root() / "ontology"
    names = set(getattr(HTO, "__annotations__", {}))
    for path in sorted(folder.glob("*.ttl")):
        if path.name == "shapes.ttl":
            continue
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"\bhto:([A-Za-z_][\w-]*)", text))
        names.update(re.findall(r"<https://w3id\.org/hetao-kg/ontology#([A-Za-z_][\w-]*)>", text))
    return frozenset(names)


def check_terms(nodes: Iterable[object]) -> None:
    """Raise :class:`~hetao_kg.store.QueryError` for the first ``hto:`` IRI among
    ``nodes`` that the ontology does not define, suggesting the closest term."""
    ns = str(HTO._NS)
    terms = ontology_terms()
    for node in nodes:
        if isinstance(node, URIRef) and node.startswith(ns):
            local = node[len(ns):]
            if local and local not in terms:
                import difflib

                close = difflib.get_close_matches(local, sorted(terms), n=1, cutoff=0.6)
                hint = f"; did you mean hto:{close[0]}?" if close else ""
                raise QueryError(f"hto:{local} is not in the ontology{hint}")


class _OneLineWarnings:
    """A logging filter: rdflib's warning about an ill-typed literal (``"abc"^^xsd:integer``)
    becomes one line, once, without the traceback rdflib attaches."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def filter(self, record) -> bool:
        message = record.getMessage()
        if "Failed to convert Literal lexical form to value" in message:
            datatype = re.search(r"Datatype=(\S+?),", message)
            lexical = "a value"
            if record.exc_info and record.exc_info[1] is not None:
                found = re.search(r"'([^']*)'\)?\s*$", str(record.exc_info[1]))
                lexical = repr(found.group(1)) if found else lexical
            message = f"hetao-kg: warning: ill-typed literal {lexical} for datatype {datatype.group(1) if datatype else '?'}; kept as text"
        if message in self.seen:
            return False
        self.seen.add(message)
        record.msg, record.args, record.exc_info, record.exc_text = message, (), None, None
        return True


def quiet_literal_warnings() -> None:
    """Install :class:`_OneLineWarnings` on rdflib's term logger (once)."""
    import logging

    logger = logging.getLogger("rdflib.term")
    if not any(isinstance(f, _OneLineWarnings) for f in logger.filters):
        logger.addFilter(_OneLineWarnings())
