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
from .formats import ask_results, plain_literal, write_results

__all__ = ["AnswerCache", "Rows", "Serialized", "answers", "rows_from_json", "rows_to_json"]


@dataclass(frozen=True)
class Rows:
    """Raw answer of a SELECT: variable names and rows of RDF terms (None = unbound).

    ``truncated`` is true when the answer was cut at a row limit.
    """

    vars: tuple[str, ...]
    rows: list[dict[str, Node | None]] = field(default_factory=list)
    truncated: bool = False


@dataclass(frozen=True)
class Serialized:
    """An answer a store wrote itself: ``data`` in the results format ``fmt`` asked for
    (the bytes :func:`hetao_kg.query.results.sparql_results` writes for the same answer),
    ``truncated`` when cut at the row limit, and ``json``: the answer as SPARQL JSON for the
    answer cache (None when ``data`` is that JSON already)."""

    fmt: str
    data: bytes
    truncated: bool = False
    json: bytes | None = None

    def cache_payload(self) -> bytes:
        """What the answer cache keeps: :func:`rows_to_json` of the same answer."""
        return _mark_truncated(self.data if self.json is None else self.json, self.truncated)


_TRUNCATED = b', "hetao-kg": {"truncated": true}}'


def _mark_truncated(doc: bytes, truncated: bool) -> bytes:
    return doc[:-1] + _TRUNCATED if truncated else doc


_NEW_STR = str.__new__


def _valid_tag(lang: str) -> bool:
    """rdflib's test of a language tag (``[a-zA-Z]+(-[a-zA-Z0-9]+)*``) without compiling it."""
    first, *rest = lang.split("-")
    return lang.isascii() and first.isalpha() and all(part.isalnum() for part in rest)


def _json_term(obj: dict) -> Node:
    """The rdflib term of a JSON binding, as rdflib's constructors make it; IRIs and
    strings (most of any answer: labels, quotes) without them (an IRI's check would
    only log a warning, and a tag rdflib refuses still goes through rdflib, which raises)."""
    kind, value = obj["type"], obj["value"]
    if kind == "uri":
        return _NEW_STR(URIRef, value) if type(value) is str else URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang, datatype = obj.get("xml:lang"), obj.get("datatype")
        if datatype is None and type(value) is str and (not lang or _valid_tag(lang)):
            return plain_literal(value, lang)
        return Literal(value, lang=lang, datatype=datatype)
    raise ValueError(f"unknown term type {kind!r}")


def rows_to_json(answer) -> bytes:
    """An answer (:class:`~hetao_kg.store.Rows` or a bool) as SPARQL 1.1 Query Results JSON.

    A cut answer carries ``"hetao-kg": {"truncated": true}`` beside the standard members.

    >>> rows_from_json(rows_to_json(Rows(("x",), [{"x": Literal("香港", lang="zh-Hant")}]))).rows
    [{'x': rdflib.term.Literal('香港', lang='zh-Hant')}]
    """
    if isinstance(answer, bool):
        return ask_results(answer, "json")
    return _mark_truncated(write_results(answer.vars, answer.rows, "json"), answer.truncated)


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

    def put_bytes(self, data_key: str, sparql: str, bindings: Mapping[str, Node] | None, payload: bytes, *,
                  max_rows: int | None = None) -> None:
        """Save an answer already written as :func:`rows_to_json` writes it (:meth:`Serialized.cache_payload`)."""
        write_entry("answers", self.key(data_key, sparql, bindings, max_rows), self.suffix, payload)


_ANSWERS = AnswerCache()


def answers() -> AnswerCache:
    """The answer cache."""
    return _ANSWERS
