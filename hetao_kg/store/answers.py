"""What a store answers (:class:`Rows`), and the answer cache: answers on disk as SPARQL 1.1
Query Results JSON, keyed by the data's content key, the query and its bindings (in the
per-user cache of :mod:`hetao_kg.cache`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..cache import _drop, entry_path, read_entry, write_entry

__all__ = ["AnswerCache", "Rows", "answers", "rows_from_json", "rows_to_json"]


@dataclass(frozen=True)
class Rows:
    """Raw answer of a SELECT: variable names and rows of RDF terms (None = unbound).

    ``truncated`` is true when the answer was cut at a row limit.
    """

    vars: tuple[str, ...]
    rows: list[dict[str, Node | None]] = field(default_factory=list)
    truncated: bool = False


def _term_json(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    raise TypeError(f"cannot store {type(term).__name__} in SPARQL JSON")


def _json_term(obj: dict) -> Node:
    kind, value = obj["type"], obj["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        return Literal(value, lang=obj.get("xml:lang"), datatype=obj.get("datatype"))
    raise ValueError(f"unknown term type {kind!r}")


def rows_to_json(answer) -> bytes:
    """An answer (:class:`~hetao_kg.store.Rows` or a bool) as SPARQL 1.1 Query Results JSON.

    A cut answer carries ``"hetao-kg": {"truncated": true}`` beside the standard members.

    >>> rows_from_json(rows_to_json(Rows(("x",), [{"x": Literal("香港", lang="zh-Hant")}]))).rows
    [{'x': rdflib.term.Literal('香港', lang='zh-Hant')}]
    """
    if isinstance(answer, bool):
        doc: dict = {"head": {}, "boolean": answer}
    else:
        bindings = [{k: _term_json(v) for k, v in row.items() if v is not None} for row in answer.rows]
        doc = {"head": {"vars": list(answer.vars)}, "results": {"bindings": bindings}}
        if answer.truncated:
            doc["hetao-kg"] = {"truncated": True}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def rows_from_json(data: bytes):
    """Read back what :func:`rows_to_json` wrote (raises ``ValueError`` on anything else)."""
    doc = json.loads(data.decode("utf-8"))
    if "boolean" in doc:
        if not isinstance(doc["boolean"], bool):
            raise ValueError("boolean is not true or false")
        return doc["boolean"]
    names = tuple(doc["head"]["vars"])
    rows = [{n: (_json_term(b[n]) if n in b else None) for n in names} for b in doc["results"]["bindings"]]
    return Rows(names, rows, truncated=bool(doc.get("hetao-kg", {}).get("truncated", False)))


class AnswerCache:
    """Answers on disk, keyed by the data's content key, the query text, its bindings and row limit."""

    suffix = ".srj"

    @staticmethod
    def key(data_key: str, sparql: str, bindings: Mapping[str, Node] | None, max_rows: int | None) -> str:
        digest = hashlib.sha256(data_key.encode("utf-8") + b"\0" + sparql.encode("utf-8", "surrogatepass"))
        for k in sorted(bindings or {}):
            digest.update(f"\0{k}={bindings[k].n3()}".encode("utf-8", "surrogatepass"))
        digest.update(f"\0max_rows={max_rows}".encode("ascii"))
        return digest.hexdigest()[:40]

    def get(self, data_key: str, sparql: str, bindings: Mapping[str, Node] | None = None, *, max_rows: int | None = None):
        """The cached answer, or ``None``."""
        name = self.key(data_key, sparql, bindings, max_rows)
        payload = read_entry("answers", name, self.suffix)
        if payload is None:
            return None
        try:
            return rows_from_json(payload)
        except (ValueError, KeyError, TypeError, AttributeError):
            _drop(entry_path("answers", name, self.suffix), "is not a SPARQL JSON answer")
            return None

    def put(self, data_key: str, sparql: str, bindings: Mapping[str, Node] | None, answer, *, max_rows: int | None = None) -> None:
        """Save an answer (an answer that cannot be written is simply not cached)."""
        try:
            payload = rows_to_json(answer)
        except TypeError:
            return
        write_entry("answers", self.key(data_key, sparql, bindings, max_rows), self.suffix, payload)


_ANSWERS = AnswerCache()


def answers() -> AnswerCache:
    """The answer cache."""
    return _ANSWERS
