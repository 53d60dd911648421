"""Named SPARQL queries: one ``.rq`` file per question in ``hetao_kg/queries/``.

Each file starts with a header of ``# key: value`` lines: ``summary`` (English),
``summary-zh`` (Chinese), ``params`` and ``columns``.

>>> q = named_query("hk-university-projects")
>>> q.columns[:2]
('university', 'brought_in')
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["NamedQuery", "UnknownName", "entity_params", "named_queries", "named_query", "suggest"]

QUERY_DIR = Path(__file__).resolve().parent / "queries"


class UnknownName(KeyError):
    """An unknown named query, view or entity; the message suggests the closest names."""

    def __init__(self, kind: str, name: str, candidates: list[str]):
        self.kind, self.name, self.candidates = kind, name, candidates
        hint = f"; did you mean: {', '.join(candidates)}?" if candidates else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")

    def __str__(self) -> str:
        return self.args[0]


def suggest(name: str, options: list[str], n: int = 3) -> list[str]:
    """The closest names to ``name`` among ``options``."""
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
    queries = named_queries()
    if name not in queries:
        raise UnknownName("named query", name, suggest(name, list(queries)))
    return queries[name]
