"""The dataset a query is asked against: ``FROM`` / ``FROM NAMED`` in its text, or the
protocol's ``default-graph-uri`` / ``named-graph-uri``, naming graphs of hetao-kg's
own dataset.

A graph named that the dataset holds is selected, as the SPARQL 1.1 Protocol says;
an IRI the dataset does not hold would need fetching and is refused, naming it
(hetao-kg never fetches). Dataset parameters replace any dataset clause of the
query (Protocol §2.1.4) by rewriting its text, so every store, cache and worker
sees one query text that says everything.

>>> with_dataset("ASK FROM <http://ex/a> { ?s ?p ?o }", ["http://ex/b"], [])
'ASK FROM <http://ex/b> { ?s ?p ?o }'
>>> with_dataset("SELECT * WHERE { ?s ?p ?o }", [], ["http://ex/g"])
'SELECT * FROM NAMED <http://ex/g> WHERE { ?s ?p ?o }'
>>> dataset_iris("PREFIX ex: <http://ex/>\\nSELECT * FROM ex:a FROM NAMED <http://ex/b> { ?s ?p ?o }")
(['http://ex/a'], ['http://ex/b'])
>>> missing_graph((["http://ex/a"], []), {"http://ex/b"})
'http://ex/a'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

__all__ = ["apply_dataset", "dataset_iris", "graph_names", "may_name_graphs", "missing_graph", "refuse_missing",
           "unshift_position", "with_base", "with_dataset"]

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern, re.Pattern]:
    """The name and prefixed-name patterns, compiled on first use: their classes up to
    U+FFFF cost 13 ms to compile, and only a query with ``FROM`` in it is read here."""
    return (re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*", re.UNICODE),
            re.compile(r"(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*)?:[^\s{}()<>\"',;]*", re.UNICODE))


_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


def _tokens(sparql: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) outside comments and strings; strings and IRIs are one
    token each, words are upper-cased, everything else is one character."""
    i, n = 0, len(sparql)
    _NAME, _PNAME = _names()
    while i < n:
        c = sparql[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            yield i, min(n, j + len(quote)), '"'
            i = j + len(quote)
            continue
        if c == "<":
            m = _IRIREF.match(sparql, i)
            if m:
                yield i, m.end(), m.group(0)
                i = m.end()
                continue
        if c in "?$":
            m = _NAME.match(sparql, i + 1)
            end = m.end() if m else i + 1
            yield i, end, "?"
            i = end
            continue
        m = _PNAME.match(sparql, i)
        if m and ":" in m.group(0):
            yield i, m.end(), m.group(0)
            i = m.end()
            continue
        m = _NAME.match(sparql, i)
        if m:
            yield i, m.end(), m.group(0).upper()
            i = m.end()
            continue
        yield i, i + 1, c
        i += 1


def _prefixes(tokens: list[tuple[int, int, str]]) -> dict[str, str]:
    out = {}
    for k, (_, _, tok) in enumerate(tokens[:-2]):
        if tok == "PREFIX" and tokens[k + 2][2].startswith("<"):
            out[tokens[k + 1][2].rstrip(":")] = tokens[k + 2][2][1:-1]
    return out


def _clauses(sparql: str):
    """The top-level dataset clauses: ``(start, end, named, iri-token)``, and where
    new ones go (just before the WHERE clause)."""
    tokens = list(_tokens(sparql))
    depth, form, skip_group, found, insert = 0, None, False, [], None
    k = 0
    while k < len(tokens):
        start, end, tok = tokens[k]
        if tok in "({[" and len(tok) == 1:
            if depth == 0 and form and tok == "{" and not skip_group:
                insert = start
                break
            if depth == 0 and tok == "{" and skip_group:
                skip_group = False
                depth += 1
                k += 1
                continue
            depth += 1
        elif tok in ")}]" and len(tok) == 1:
            depth -= 1
            if depth == 0 and form == "CONSTRUCT" and insert is None and tok == "}":
                insert = end  # after the template: FROM goes here unless the query has some
        elif depth == 0 and form is None and tok in _FORMS:
            form = tok
            skip_group = tok == "CONSTRUCT" and k + 1 < len(tokens) and tokens[k + 1][2] == "{"
            if tok == "CONSTRUCT" and not skip_group:
                insert = end
        elif depth == 0 and form and tok == "FROM":
            named = k + 1 < len(tokens) and tokens[k + 1][2] == "NAMED"
            j = k + 2 if named else k + 1
            if j < len(tokens):
                found.append((start, tokens[j][1], named, tokens[j][2]))
                k = j + 1
                continue
        elif depth == 0 and form and tok in ("WHERE", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP", "HAVING"):
            insert = start
            break
        k += 1
    if insert is None:
        insert = len(sparql)
    if found:
        insert = min(insert, found[0][0])
    return found, insert, _prefixes(tokens)


def _iri(token: str, prefixes: dict[str, str]) -> str:
    if token.startswith("<"):
        return token[1:-1]
    prefix, _, local = token.partition(":")
    if prefix in prefixes:
        return prefixes[prefix] + local
    from ..namespaces import PREFIXES

    return str(PREFIXES.get(prefix, prefix + ":")) + local


def dataset_iris(sparql: str) -> tuple[list[str], list[str]]:
    """The IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses (prefixed names expanded)."""
    found, _, prefixes = _clauses(sparql)
    default = [_iri(tok, prefixes) for _, _, named, tok in found if not named]
    named = [_iri(tok, prefixes) for _, _, is_named, tok in found if is_named]
    return default, named


def with_dataset(sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """``sparql`` with its dataset clauses replaced by ``FROM <g>`` for each of
    ``default_graphs`` and ``FROM NAMED <g>`` for each of ``named_graphs`` (nothing
    changes when both are empty)."""
    if not default_graphs and not named_graphs:
        return sparql
    for iri in (*default_graphs, *named_graphs):
        if not _IRIREF.fullmatch(f"<{iri}>"):
            from .base import QueryError

            raise QueryError(f"not an IRI: {iri!r}")
    found, insert, _ = _clauses(sparql)
    text = sparql
    for start, end, _, _ in reversed(found):
        text = text[:start] + text[end:]
        if end <= insert:
            insert -= end - start
    clause = " ".join([*(f"FROM <{g}>" for g in default_graphs), *(f"FROM NAMED <{g}>" for g in named_graphs)])
    before, after = text[:insert].rstrip(), text[insert:].lstrip()
    return f"{before} {clause} {after}".rstrip() if after else f"{before} {clause}"


def missing_graph(dataset: tuple[Iterable[str], Iterable[str]], names: Iterable[str]) -> str | None:
    """The first IRI of ``dataset`` (default graphs, named graphs) that is not among ``names``."""
    have = set(names)
    for iri in (*dataset[0], *dataset[1]):
        if iri not in have:
            return iri
    return None


def refuse_missing(dataset: tuple[Iterable[str], Iterable[str]], names: Iterable[str]) -> None:
    """Raise :class:`~hetao_kg.store.QueryRefused` naming a graph the dataset does not hold."""
    iri = missing_graph(dataset, names)
    if iri is not None:
        from .base import QueryRefused

        raise QueryRefused(f"<{iri}> is refused: it is not a graph of the hetao-kg dataset, and graphs are never "
                           "fetched (FROM, FROM NAMED, default-graph-uri and named-graph-uri select graphs it holds)")


_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def graph_names(store) -> frozenset[str]:
    """The names of the named graphs ``store`` holds (asked once per store: the data
    does not change under a store)."""
    names = getattr(store, "_hetao_graph_names", None)
    if names is None:
        names = frozenset(str(row["g"]) for row in store.select(_GRAPHS).rows)
        try:
            store._hetao_graph_names = names
        except AttributeError:  # a store with __slots__: ask each time
            pass
    return names


#: where the keyword FROM can stand: at the start or after a blank, ``*``, ``)``, ``>`` or
#: ``}`` (what ends a select clause, an IRI, a construct template or a comment), and before
#: a blank, ``<`` or ``#``; a "from" anywhere else is part of a name, an IRI, a string or a
#: word of a comment ("the quote it came from")
_FROM = re.compile(r"(?:^|(?<=[\s*)>}]))FROM(?=[\s<#]|$)", re.IGNORECASE)
#: a comment line: blanks, then ``#`` to the end of the line (a CR or LF ends it, as in SPARQL)
_COMMENT_LINE = re.compile(r"^[ \t]*#[^\r\n]*", re.MULTILINE)


def may_name_graphs(sparql: str) -> bool:
    """Whether ``sparql`` may hold a ``FROM`` clause (then the guard reads it): false only
    when no keyword FROM can be in it, so most queries are not lexed for it (31 of the 35
    named queries say "from" somewhere, in a comment, an IRI or ``prov:wasDerivedFrom``).
    A code point escape (``\\u0046ROM``) could spell it: then true. Lines that are
    comments are left out first, unless a long string (which may hold such a line) is there.

    >>> may_name_graphs("SELECT * FROM <g> {}"), may_name_graphs("SELECT ?f {} # the quote it came from, and why")
    (True, False)
    """
    if "\\u" in sparql or "\\U" in sparql:
        return True
    if '"""' not in sparql and "'''" not in sparql:  # no long string: a line that starts with # is a comment
        sparql = _COMMENT_LINE.sub("", sparql)
    return _FROM.search(sparql) is not None


def apply_dataset(sparql: str, store, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()) -> str:
    """The query to run for ``sparql`` with the protocol's dataset (``default_graphs``,
    ``named_graphs``; they replace the query's own ``FROM`` clauses), after checking that
    ``store`` holds every graph named, here or in the query: an IRI it does not hold is
    refused (:class:`~hetao_kg.store.QueryRefused` naming it) before anything runs.
    """
    if default_graphs or named_graphs:
        dataset = (list(default_graphs), list(named_graphs))
    elif may_name_graphs(sparql):
        from .sparql_guard import checked

        dataset = checked(sparql).dataset  # the guard's reading: relative IRIs resolved against the base
    else:
        return sparql
    if dataset[0] or dataset[1]:
        refuse_missing(dataset, graph_names(store))
    return with_dataset(sparql, default_graphs, named_graphs)


def with_base(sparql: str, base: str) -> str:
    """``sparql`` with ``BASE <base>`` in front when it writes a relative IRI (which then
    resolves against ``base``; a ``BASE`` of its own, even a relative one, still has the
    last word), else unchanged, so that a query without one keeps its text (and its
    cached answers). ``hetao-kg serve`` passes its endpoint URL; without it a relative
    IRI resolves against :data:`~hetao_kg.namespaces.QUERY_BASE` on every store. The
    declaration goes on the first line: every line keeps its number
    (:func:`unshift_position` puts a first-line column back).

    >>> with_base("CONSTRUCT { <s> <p> 1 } WHERE {}", "http://127.0.0.1:8000/sparql")
    'BASE <http://127.0.0.1:8000/sparql> CONSTRUCT { <s> <p> 1 } WHERE {}'
    >>> with_base("ASK { <http://ex/s> ?p ?o }", "http://127.0.0.1:8000/sparql")
    'ASK { <http://ex/s> ?p ?o }'
    """
    from .sparql_guard import relative_iris

    if not relative_iris(sparql) or not _IRIREF.fullmatch(f"<{base}>"):
        return sparql
    return f"BASE <{base}> {sparql}"


def unshift_position(message: str, sparql: str, based: str) -> str:
    """An error ``message`` about ``based`` (:func:`with_base` of ``sparql``) with a
    first-line column as the user wrote the query.

    >>> q = "ASK { <s> ?p }"
    >>> unshift_position("SPARQL syntax error: line 1, column 43: expected", q, with_base(q, "http://127.0.0.1:8000/sparql"))
    'SPARQL syntax error: line 1, column 7: expected'
    """
    shift = len(based) - len(sparql)
    if not shift:
        return message

    def back(m: re.Match) -> str:
        column = int(m.group(1))
        return f"line 1, column {column - shift if column > shift else 1}"

    return re.sub(r"\bline 1, column (\d+)", back, message, count=1)
