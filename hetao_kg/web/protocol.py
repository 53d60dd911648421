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

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from ..namespaces import bind_prefixes
from ..query.results import sparql_results
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
    #: the protocol's dataset: ``default-graph-uri`` and ``named-graph-uri`` values, in order
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def parse_request(method: str, content_type: str, params: dict[str, list[str]], body: bytes, *,
                  max_bytes: int) -> SparqlRequest:
    """Read a protocol request (GET, POST urlencoded, POST direct) into a :class:`SparqlRequest`.

    ``max_bytes`` limits the query text (UTF-8, decoded from the URL or form); updates
    are refused. Dataset parameters are read here and checked against the dataset by
    the endpoint (:mod:`hetao_kg.store.dataset`).

    >>> parse_request("GET", "", {"query": ["ASK {}"], "default-graph-uri": ["http://ex/g"]}, b"", max_bytes=100)
    SparqlRequest(query='ASK {}', labels=None, default_graphs=('http://ex/g',), named_graphs=())
    >>> parse_request("POST", "application/sparql-update", {}, b"DROP ALL", max_bytes=100)
    Traceback (most recent call last):
    ...
    hetao_kg.web.protocol.ProtocolError: SPARQL Update is refused: this endpoint is read-only
    """
    ctype = content_type.split(";")[0].strip().lower()
    # a form percent-encodes each byte in up to 3: the limit applies to the decoded query below
    allowance = 3 * max_bytes + 4096 if ctype == "application/x-www-form-urlencoded" else max_bytes
    if len(body) > allowance:
        raise ProtocolError(f"the request is {len(body)} bytes; the limit is {max_bytes} bytes of query", 413)
    if method == "POST":
        if ctype == "application/sparql-update":
            raise ProtocolError("SPARQL Update is refused: this endpoint is read-only")
        if "query" in params:
            raise ProtocolError("the query is given both in the URL and in the request body; give it once")
        if ctype == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(f"the query is not UTF-8 (byte {exc.start})") from None
            params = {**params, "query": [text]}
        elif ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, errors="strict")
            except UnicodeDecodeError as exc:  # raw bytes, or percent-escapes (%FF, %ED%A0%80) that are not UTF-8
                raise ProtocolError(f"the form is not UTF-8 once its percent-escapes are decoded (byte {exc.start})") from None
            merged = {k: list(v) for k, v in params.items()}
            for key, values in form.items():
                merged.setdefault(key, []).extend(values)
            params = merged
        else:
            raise ProtocolError(
                "POST needs Content-Type application/sparql-query or application/x-www-form-urlencoded"
                f" (got {ctype or 'none'!r})", 415)
    elif method not in ("GET", "HEAD"):
        raise ProtocolError(f"method {method} is not allowed; use GET or POST", 405)
    if "update" in params:
        raise ProtocolError("SPARQL Update is refused: this endpoint is read-only")
    queries = params.get("query")
    if not queries:
        return SparqlRequest(None)
    if len(queries) > 1:
        raise ProtocolError("give exactly one query parameter")
    text = queries[0]
    if not text.strip():
        raise ProtocolError("the query is empty")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ProtocolError(f"the query is {size} bytes; the limit is {max_bytes}", 413)
    graphs = {}
    for key in ("default-graph-uri", "named-graph-uri"):
        values = params.get(key) or []
        for iri in values:
            if not _ABSOLUTE_IRI.fullmatch(iri):
                raise ProtocolError(f"{key} {iri!r} is not an absolute IRI")
        graphs[key] = tuple(dict.fromkeys(values))
    return SparqlRequest(text, (params.get("labels") or [None])[0],
                         graphs["default-graph-uri"], graphs["named-graph-uri"])


_ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\x00-\x20]*')


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
    return sparql_results(answer, RESULT_TYPES[media]), f"{media}; charset=utf-8"


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
