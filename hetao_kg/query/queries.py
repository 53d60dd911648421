"""Named SPARQL queries: one ``.rq`` file per question in ``hetao_kg/queries/``.

Each file starts with a header of ``# key: value`` lines: ``summary`` (English),
``summary-zh`` (Chinese), ``params`` and ``columns``.

>>> q = named_query("hk-university-projects")
>>> q.columns[:2]
('university', 'brought_in')
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import UnknownName

__all__ = ["VALUES_CHUNK", "NamedQuery", "UnknownName", "entity_params", "named_queries", "named_query",
           "select_values", "suggest", "with_values"]

QUERY_DIR = Path(__file__).resolve().parent / "queries"


def suggest(name: str, options: list[str], n: int = 3) -> list[str]:
    """The closest names to ``name`` among ``options``."""
    import difflib  # only for a name not found

    close = difflib.get_close_matches(name, options, n=n, cutoff=0.4)
    return close or [o for o in options if name.lower() in o.lower()][:n]


@dataclass(frozen=True)
class NamedQuery:
    """A named query: its file, header fields and SPARQL text."""

    name: str
    path: Path
    summary: str
    summary_zh: str
    params: str
    columns: tuple[str, ...]
    text: str

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameters the header declares (``params: NAME (kind, …); …``)."""
        return tuple(name for name, _ in _PARAM.findall(self.params))


_PARAM = re.compile(r"([A-Za-z_]\w*)\s*\(([^)]*)\)")


def entity_params(query: NamedQuery) -> set[str]:
    """Parameters declared as an entity (``IRI`` or ``entity`` in the header): any name resolves.

    >>> sorted(entity_params(named_query("institutions-by-sector")))
    ['sector']
    """
    return {name for name, kind in _PARAM.findall(query.params) if re.search(r"\b(IRI|entity)\b", kind)}


def _parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        header[key.strip()] = value.strip()
    columns = tuple(c.strip() for c in header.get("columns", "").split(",") if c.strip())
    return NamedQuery(path.stem, path, header.get("summary", ""), header.get("summary-zh", ""),
                      header.get("params", "(none)"), columns, text)


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """All named queries by name."""
    return {p.stem: _parse(p) for p in sorted(QUERY_DIR.glob("*.rq"))}


def named_query(name: str) -> NamedQuery:
    """One named query; :class:`UnknownName` suggests the closest names."""
    if named_queries.cache_info().currsize == 0 and f"{name}.rq" in _query_files():
        return _named_query_alone(name)  # its file only (a command asks for few of the 35)
    queries = named_queries()
    if name not in queries:
        raise UnknownName("named query", name, suggest(name, list(queries)))
    return queries[name]


@lru_cache(maxsize=1)
def _query_files() -> frozenset[str]:
    return frozenset(os.listdir(QUERY_DIR))


@lru_cache(maxsize=None)
def _named_query_alone(name: str) -> NamedQuery:
    return _parse(QUERY_DIR / f"{name}.rq")


#: IRIs per VALUES block (keeps each query text small enough for any endpoint).
VALUES_CHUNK = 400
_NOT_IRI = set('<>"{}|^`\\ \n\r\t')


def _iri(term: str) -> str:
    if _NOT_IRI.intersection(term):
        raise ValueError(f"not an IRI: {term!r}")
    return f"<{term}>"


def with_values(sparql: str, variables: str, rows) -> str:
    r"""``sparql`` with each ``# VALUES ?var`` placeholder line replaced by a VALUES block
    (a query repeats the placeholder where a block must be bounded too, e.g. inside an
    OPTIONAL that would otherwise be evaluated over the whole corpus).

    ``variables`` is one variable (``"entity"``, ``rows`` IRIs) or several separated by
    spaces (``"target property"``, ``rows`` tuples of IRIs).

    >>> with_values("SELECT * WHERE {\n  # VALUES ?s\n  ?s ?p ?o }", "s", ["https://example.org/a"])
    'SELECT * WHERE {\n  VALUES ?s { <https://example.org/a> }\n  ?s ?p ?o }'
    """
    names = variables.split()
    marker = f"# VALUES ?{names[0]}"
    if marker not in sparql:
        raise ValueError(f"the query has no {marker!r} placeholder")
    if len(names) == 1:
        block = f"VALUES ?{names[0]} {{ {' '.join(_iri(r) for r in rows)} }}"
    else:
        heads = " ".join(f"?{n}" for n in names)
        block = f"VALUES ({heads}) {{ {' '.join('(' + ' '.join(_iri(t) for t in r) + ')' for r in rows)} }}"
    return sparql.replace(marker, block)


def select_values(kg, name: str, variables: str, rows) -> list[dict]:
    """The rows of named query ``name`` for these values (IRIs, or tuples of IRIs), asked in
    chunks of :data:`VALUES_CHUNK`; no values, no rows (and no query)."""
    text = named_query(name).text
    values = sorted(set(rows))
    out: list[dict] = []
    for i in range(0, len(values), VALUES_CHUNK):
        out.extend(kg.store.select(with_values(text, variables, values[i:i + VALUES_CHUNK])).rows)
    return out
