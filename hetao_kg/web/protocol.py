r"""The SPARQL 1.1 Protocol, framework-free: read a request, negotiate a format,
serialize an answer.

Answers come from a :class:`~hetao_kg.store.Store` as :class:`~hetao_kg.store.Rows`
(SELECT; CONSTRUCT/DESCRIBE as subject/predicate/object rows) or a bool (ASK), so
any store behind the facade serves the same bytes.

>>> from rdflib import Literal, URIRef
>>> from hetao_kg.store import Rows
>>> rows = Rows(("s", "n"), [{"s": URIRef("https://w3id.org/hetao-kg/id/org/hku"), "n": Literal(3)}])
>>> body, ctype = serialize_answer(rows, "SelectQuery", accept="text/tab-separated-values")
>>> body.decode("utf-8").splitlines()
['?s\t?n', '<https://w3id.org/hetao-kg/id/org/hku>\t3']
>>> ctype
'text/tab-separated-values; charset=utf-8'
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from urllib.parse import parse_qs

from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from ..namespaces import bind_prefixes
from ..store.base import Rows

__all__ = [
    "ProtocolError",
    "RESULT_TYPES",
    "GRAPH_TYPES",
    "SparqlRequest",
    "negotiate",
    "parse_request",
    "serialize_answer",
]

#: SELECT / ASK answers: media type -> rdflib result serializer (or our own).
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: CONSTRUCT / DESCRIBE answers: media type -> rdflib graph serializer.
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}


class ProtocolError(ValueError):
    """A request that breaks the protocol; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class SparqlRequest:
    """What a client asked: the query text (None: it wants the service description)."""

    query: str | None
    #: hetao-kg extension: ``labels=LANG`` adds a ``?xLabel`` column beside IRI columns
    labels: str | None = None


def parse_request(method: str, content_type: str, params: dict[str, list[str]], body: bytes, *,
                  max_bytes: int) -> SparqlRequest:
    """Read a protocol request (GET, POST urlencoded, POST direct) into a :class:`SparqlRequest`.

    Dataset parameters (``default-graph-uri``, ``named-graph-uri``) and updates are
    refused like ``FROM`` and SPARQL Update in the query text.

    >>> parse_request("GET", "", {"query": ["ASK {}"]}, b"", max_bytes=100).query
    'ASK {}'
    >>> parse_request("POST", "application/sparql-update", {}, b"DROP ALL", max_bytes=100)
    Traceback (most recent call last):
    ...
    hetao_kg.web.protocol.ProtocolError: SPARQL Update is refused: this endpoint is read-only
    """
    if len(body) > max_bytes:
        raise ProtocolError(f"the request is {len(body)} bytes; the limit is {max_bytes}", 413)
    ctype = content_type.split(";")[0].strip().lower()
    if method == "POST":
        if ctype == "application/sparql-update":
            raise ProtocolError("SPARQL Update is refused: this endpoint is read-only")
        if ctype == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(f"the query is not UTF-8 (byte {exc.start})") from None
            params = {**params, "query": [text]}
        elif ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError as exc:
                raise ProtocolError(f"the form is not UTF-8 (byte {exc.start})") from None
            params = {**params, **form}
        else:
            raise ProtocolError(
                "POST needs Content-Type application/sparql-query or application/x-www-form-urlencoded"
                f" (got {ctype or 'none'!r})", 415)
    elif method not in ("GET", "HEAD"):
        raise ProtocolError(f"method {method} is not allowed; use GET or POST", 405)
    if "update" in params:
        raise ProtocolError("SPARQL Update is refused: this endpoint is read-only")
    for key in ("default-graph-uri", "named-graph-uri"):
        if key in params:
            raise ProtocolError(f"{key} is refused: queries see only the hetao-kg dataset and never fetch IRIs")
    queries = params.get("query")
    if not queries:
        return SparqlRequest(None)
    if len(queries) > 1:
        raise ProtocolError("give exactly one query parameter")
    text = queries[0]
    if not text.strip():
        raise ProtocolError("the query is empty")
    if len(text.encode("utf-8")) > max_bytes:
        raise ProtocolError(f"the query is {len(text.encode('utf-8'))} bytes; the limit is {max_bytes}", 413)
    return SparqlRequest(text, (params.get("labels") or [None])[0])


def _accepted(accept: str) -> list[tuple[float, int, str]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if media:
            out.append((q, -i, media))
    return sorted(out, reverse=True)


def negotiate(accept: str | None, offered: list[str], default: str) -> str | None:
    """The best of ``offered`` for an ``Accept`` header (``default`` for ``*/*`` or none);
    None when nothing offered is acceptable.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", list(RESULT_TYPES), "application/sparql-results+json")
    'application/sparql-results+xml'
    >>> negotiate("image/png", list(RESULT_TYPES), "application/sparql-results+json") is None
    True
    """
    if not accept:
        return default
    for q, _, media in _accepted(accept):
        if q <= 0:
            continue
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            major = media.split("/")[0]
            if media == "*/*" or default.startswith(major + "/"):
                return default
            return next((o for o in offered if o.startswith(major + "/")), None)
    return None


_SHORT = {XSD.integer, XSD.decimal, XSD.double, XSD.boolean}


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype in _SHORT and term.ill_typed is not True:
        return str(term)  # TSV allows Turtle's abbreviated numbers and booleans
    return term.n3().replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_answer(answer: Rows | bool, kind: str, *, accept: str | None,
                     prefer_graph: str = "text/turtle") -> tuple[bytes, str]:
    """Serialize a store's answer for the media type ``accept`` asks; returns (bytes, Content-Type).

    ``kind`` is rdflib's algebra name: ``SelectQuery``, ``AskQuery``, ``ConstructQuery``
    or ``DescribeQuery``. Raises :class:`ProtocolError` (406) when no offered type fits.
    """
    if kind in ("ConstructQuery", "DescribeQuery"):
        media = negotiate(accept, list(GRAPH_TYPES), prefer_graph)
        if media is None:
            raise ProtocolError(f"cannot answer a graph as {accept}; offered: {', '.join(GRAPH_TYPES)}", 406)
        return serialize_graph(_graph(answer), media), f"{media}; charset=utf-8"
    media = negotiate(accept, list(RESULT_TYPES), "application/sparql-results+json")
    if media is None:
        raise ProtocolError(f"cannot answer results as {accept}; offered: {', '.join(RESULT_TYPES)}", 406)
    fmt = RESULT_TYPES[media]
    if isinstance(answer, bool):
        if fmt in ("csv", "tsv"):
            # SPARQL 1.1 CSV/TSV define no boolean form; answer the common one-cell table.
            return f"_askResult\n{str(answer).lower()}\n".encode(), f"{media}; charset=utf-8"
        result = Result("ASK")
        result.askAnswer = answer
    else:
        if fmt == "tsv":
            lines = ["\t".join(f"?{v}" for v in answer.vars)]
            lines += ["\t".join(_tsv_term(row.get(v)) for v in answer.vars) for row in answer.rows]
            return ("\n".join(lines) + "\n").encode("utf-8"), f"{media}; charset=utf-8"
        result = Result("SELECT")
        result.vars = [Variable(v) for v in answer.vars]
        result.bindings = [{Variable(k): v for k, v in row.items() if v is not None} for row in answer.rows]
    buf = io.BytesIO()
    result.serialize(buf, encoding="utf-8", format=fmt)
    return buf.getvalue(), f"{media}; charset=utf-8"


def _graph(answer: Rows | bool) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    if isinstance(answer, Rows):
        for row in answer.rows:
            s, p, o = row.get("subject"), row.get("predicate"), row.get("object")
            if isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef) and isinstance(o, (URIRef, BNode, Literal)):
                graph.add((s, p, o))
    return graph


def serialize_graph(graph: Graph, media: str) -> bytes:
    """A graph as bytes in ``media`` (one of :data:`GRAPH_TYPES`); TriG puts it in the default graph."""
    fmt = GRAPH_TYPES[media]
    if fmt == "trig":
        ds = Dataset()
        bind_prefixes(ds)
        for triple in graph:
            ds.add(triple)
        return ds.serialize(format="trig", encoding="utf-8")
    if fmt == "json-ld":
        data = json.loads(graph.serialize(format="json-ld", auto_compact=True))
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")
