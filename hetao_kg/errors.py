"""Bottom layer: the exceptions every layer may raise, defined where every layer can
import them without importing any other part of hetao-kg.

Each is also importable from where it was first documented (``hetao_kg.store.QueryError``,
``hetao_kg.graph.DataError`` …) and from ``hetao_kg`` itself.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AmbiguousEntity",
    "DataError",
    "OutputError",
    "QueryError",
    "QueryLimitExceeded",
    "QueryMemoryExceeded",
    "QueryRefused",
    "QueryTimeout",
    "QueryTooLarge",
    "SourceError",
    "UnknownName",
]


# --- source text (hetao_kg.source) -----------------------------------------------------------


class SourceError(ValueError):
    """A source file cannot be read or normalized; the message names file and position."""


# --- curated data (hetao_kg.data) ------------------------------------------------------------


class DataError(ValueError):
    """A data file is missing or malformed; ``str()`` reads ``file:line:column: message``."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.message = Path(path), line, column, message
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class OutputError(OSError):
    """An output file cannot be written (not a regular file, no permission, …)."""

    def __str__(self) -> str:
        return self.args[0]


# --- queries (hetao_kg.store, hetao_kg.query) ------------------------------------------------


class QueryError(ValueError):
    """A query cannot be parsed; carries the 1-based line and column when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line, self.column = line, column
        if line is not None:
            message = f"SPARQL syntax error: line {line}, column {column}: {message}"
        super().__init__(message)


class QueryLimitExceeded(QueryError):
    """A query hit one of the limits (:mod:`hetao_kg.limits`): time, memory or size."""


class QueryTimeout(QueryLimitExceeded):
    """A query ran longer than its timeout and was stopped."""


class QueryMemoryExceeded(QueryLimitExceeded):
    """A query needed more memory than its ceiling and was stopped."""


class QueryTooLarge(QueryLimitExceeded):
    """The query text is larger than the cap on query size."""


class QueryRefused(PermissionError):
    """A query asked for something hetao-kg never does: update, network or file access."""


class UnknownName(KeyError):
    """An unknown named query, view or entity; the message suggests the closest names."""

    def __init__(self, kind: str, name: str, candidates: list[str]):
        self.kind, self.name, self.candidates = kind, name, candidates
        hint = f"; did you mean: {', '.join(candidates)}?" if candidates else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")

    def __str__(self) -> str:
        return self.args[0]


class AmbiguousEntity(ValueError):
    """A name matches several entities; ``candidates`` lists them (IRI, label)."""

    def __init__(self, name: str, candidates: list[tuple[str, str]]):
        self.name, self.candidates = name, candidates
        listing = "; ".join(f"{label} ({iri})" for iri, label in candidates)
        super().__init__(f"{name!r} is ambiguous; candidates: {listing}")
