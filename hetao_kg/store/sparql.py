"""A remote SPARQL 1.1 endpoint as a :class:`~hetao_kg.store.Store`, and loading one.

Queries pass the guard (:func:`hetao_kg.store.prepare`) here, before anything is
sent; bound variables go in through ``VALUES``; hetao-kg's prefixes are declared
in the text sent; answers (SPARQL 1.1 Query Results JSON, or N-Triples for
CONSTRUCT/DESCRIBE) come back as rdflib terms like the other stores'. Every request
has a client timeout; the engine's own limit is set on the server (Oxigraph
``--timeout-s``, Virtuoso ``MaxQueryExecutionTime`` and ``ResultSetMaxRows``).

hetao-kg's dataset on an endpoint: the named graphs as they are, and the union of
all graphs, deduplicated, as the default graph, so that answers match the
in-memory store. Virtuoso (7.2) has no separate default graph: without a dataset
it queries every graph, its own system graphs included, and yields a triple once
per graph holding it (also for several ``default-graph-uri``). So there the union
lives in the graph :data:`UNION_GRAPH`, and :func:`load_virtuoso` makes the graph
group :data:`DEFAULT_GROUP` whose one member is that graph. Every query names its
dataset with one protocol parameter and a few pragmas, however many graphs
hetao-kg has: ``default-graph-uri`` = the group, and ``define
input:named-graph-exclude`` for each graph that is *not* hetao-kg's (the union
graph, Virtuoso's system graphs, any other data; listed once per store), so that
``GRAPH ?g`` ranges over hetao-kg's graphs only. (The exclusion also empties a
plain default graph it names, but not a group's members; a group cannot be a
``named-graph-uri``; one ``named-graph-uri`` per graph, the way before, is refused
by Virtuoso's SPARQL compiler past some thousands of graphs: a 350k-triple corpus
has 11,196.) A database loaded before the group existed is still queried the way
before. Virtuoso is recognized by its ``Server`` header.

>>> SparqlStore("http://127.0.0.1:9/sparql").url
'http://127.0.0.1:9/sparql'
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Mapping

from rdflib import BNode, URIRef
from rdflib.term import Node

from ..namespaces import KG
from ._common import check, evaluated_text, lang_case, literal, prefix_block
from .sparql_guard import checked
from .dataset import dataset_iris, graph_names, refuse_missing
from .base import QueryError, QueryRefused, QueryTimeout, Rows, stable_columns

__all__ = ["DEFAULT_GROUP", "UNION_GRAPH", "SparqlStore", "default_group", "load_endpoint", "load_virtuoso", "split_nquads", "virtuoso_integers"]

UNION_GRAPH = "urn:hetao-kg:union"
#: the Virtuoso graph group whose one member is :data:`UNION_GRAPH`: the default graph of every query
DEFAULT_GROUP = "urn:hetao-kg:default"
#: the one graph excluded from GRAPH ?g by a pragma (more than one made Virtuoso 7.2's compiler overflow its stack)
_EXCLUDE_UNION = f"define input:named-graph-exclude <{UNION_GRAPH}>\n"
_PLAIN_IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]+')
_ACCEPT = {
    "SelectQuery": "application/sparql-results+json",
    "AskQuery": "application/sparql-results+json",
    "ConstructQuery": "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5",
    "DescribeQuery": "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5",
}
DEFAULT_TIMEOUT = 30.0
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEAN = {"1": "true", "0": "false"}


def _timeout_error(message: str) -> Exception:
    return QueryTimeout(message)


def _term(value: Mapping[str, str] | None) -> Node | None:
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        datatype = value.get("datatype")
        if datatype == _XSD_BOOLEAN:  # Virtuoso writes its booleans as "1"/"0": the canonical form is true/false
            return literal(_BOOLEAN.get(value["value"], value["value"]), datatype=datatype)
        return literal(value["value"], lang=value.get("xml:lang"), datatype=datatype)
    raise QueryError(f"unsupported term in the endpoint's answer: {value!r}")


GRAPH_VARIABLE = "_hetao_kg_graph_"


def virtuoso_graphs(sparql: str, prefix: str) -> str:
    """``sparql`` with each ``GRAPH`` pattern held to the named graphs whose IRI starts
    with ``prefix``: ``GRAPH ?g { P }`` becomes ``{ GRAPH ?g { P } FILTER
    (STRSTARTS(STR(?g), "prefix")) }``, and ``GRAPH <iri> { P }`` becomes ``{ GRAPH
    ?_hetao_kg_graph_N { P } FILTER (?_hetao_kg_graph_N = <iri> && STRSTARTS(…)) }``
    (the new variable is constant; only ``SELECT *`` projects it, and
    :class:`SparqlStore` drops it).

    This is how hetao-kg's dataset is named on Virtuoso 7.2 without a parameter per
    graph: with a default graph named (``default-graph-uri``) and no named graph,
    ``GRAPH ?g`` matches every graph of the database, Virtuoso's system graphs
    included, while ``GRAPH <iri>`` matches nothing (so does it once any graph is
    excluded with ``define input:named-graph-exclude``).

    >>> virtuoso_graphs("SELECT * WHERE { GRAPH <http://ex/g> { ?s ?p ?o } ?s a ?c }", "http://ex/")
    'SELECT * WHERE { { GRAPH ?_hetao_kg_graph_1 { ?s ?p ?o } FILTER (?_hetao_kg_graph_1 = <http://ex/g> && STRSTARTS(STR(?_hetao_kg_graph_1), "http://ex/")) } ?s a ?c }'
    >>> virtuoso_graphs('ASK { GRAPH $g { ?s ?p "GRAPH <x> {" } }', "http://ex/")
    'ASK { { GRAPH $g { ?s ?p "GRAPH <x> {" } FILTER (STRSTARTS(STR($g), "http://ex/")) } }'
    >>> print(virtuoso_graphs("ASK {GRAPH <a> {GRAPH ?b {?s ?p ?o}}GRAPH ex:c {?s ?p ?o}}", "http://ex/"))
    ASK {{ GRAPH ?_hetao_kg_graph_1 {{ GRAPH ?b {?s ?p ?o} FILTER (STRSTARTS(STR(?b), "http://ex/")) }} FILTER (?_hetao_kg_graph_1 = <a> && STRSTARTS(STR(?_hetao_kg_graph_1), "http://ex/")) }{ GRAPH ?_hetao_kg_graph_2 {?s ?p ?o} FILTER (?_hetao_kg_graph_2 = ex:c && STRSTARTS(STR(?_hetao_kg_graph_2), "http://ex/")) }}
    """
    from .dataset import _tokens

    if "GRAPH" not in sparql.upper():
        return sparql
    if not _PLAIN_IRI.fullmatch(prefix):
        raise ValueError(f"not an IRI prefix: {prefix!r}")
    tokens = list(_tokens(sparql))
    edits: list[tuple[int, int, int, str]] = []  # (start, end, 1 for an opening brace, replacement)
    n = 0
    for k in range(len(tokens) - 2):
        if tokens[k][2] != "GRAPH" or tokens[k + 2][2] != "{":
            continue
        graph, text = tokens[k + 1][2], sparql[tokens[k + 1][0]:tokens[k + 1][1]]
        if graph == "?":
            test = f'STRSTARTS(STR({text}), "{prefix}")'
        elif graph.startswith("<") or (":" in graph and graph[0] != '"'):
            n += 1
            test = f'?{GRAPH_VARIABLE}{n} = {text} && STRSTARTS(STR(?{GRAPH_VARIABLE}{n}), "{prefix}")'
            edits.append((tokens[k + 1][0], tokens[k + 1][1], 0, f"?{GRAPH_VARIABLE}{n}"))
        else:
            continue
        depth, close = 0, None
        for j in range(k + 2, len(tokens)):
            if tokens[j][2] == "{":
                depth += 1
            elif tokens[j][2] == "}":
                depth -= 1
                if depth == 0:
                    close = j
                    break
        if close is None:  # unbalanced: the engine reports the syntax error
            return sparql
        edits += [(tokens[k][0], tokens[k][0], 1, "{ "), (tokens[close][1], tokens[close][1], 0, f" FILTER ({test}) }}")]
    # from the end; where a group closes right where the next opens, the opening goes in first (so it ends up after)
    for start, end, _, replacement in sorted(edits, reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


class SparqlStore:
    """A SPARQL 1.1 query endpoint by URL (``http://host:port/sparql``, ``…/query``).

    ``timeout`` (seconds, default ``$HETAO_KG_TIMEOUT`` or 30; 0 for none) bounds every
    request; ``max_rows`` cuts longer answers;
    ``dialect`` is ``"virtuoso"``, ``"standard"`` or ``None`` (ask the server once).
    """

    def __init__(self, url: str, *, timeout: float | None = None, max_rows: int | None = None,
                 dialect: str | None = None):
        if not url.startswith(("http://", "https://")):
            raise QueryError(f"not an http(s) SPARQL endpoint URL: {url!r}")
        self.url = url
        env = os.environ.get("HETAO_KG_TIMEOUT")
        self.timeout = float(timeout if timeout is not None else env or DEFAULT_TIMEOUT) or None
        self.dialect = dialect
        self.max_rows = max_rows
        self._dataset: tuple[list[tuple[str, str]], str] | None = None

    def __repr__(self) -> str:
        return f"SparqlStore({self.url!r})"

    def _request(self, data: list[tuple[str, str]], accept: str) -> tuple[bytes, Any]:
        import http.client

        # Virtuoso echoes the dataset as one response header per graph (X-SPARQL-…)
        http.client._MAXHEADERS = max(http.client._MAXHEADERS, 1_000_000)  # type: ignore[attr-defined]
        body = urllib.parse.urlencode(data).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": "hetao-kg"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:800]
            raise QueryError(f"the endpoint {self.url} refused the query (HTTP {exc.code}): {detail}") from None
        except TimeoutError:
            raise _timeout_error(f"the endpoint {self.url} did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _timeout_error(f"the endpoint {self.url} did not answer within {self.timeout:g} s") from None
            raise QueryError(f"cannot reach the SPARQL endpoint {self.url}: {exc.reason}") from None

    def _dialect(self) -> str:
        if self.dialect is None:
            _, headers = self._request([("query", "ASK {}")], _ACCEPT["AskQuery"])
            self.dialect = "virtuoso" if "virtuoso" in (headers.get("Server") or "").lower() else "standard"
        return self.dialect

    def text(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> str:
        """The text sent for ``sparql`` (after the guard): prefixes and ``VALUES``."""
        return prefix_block() + evaluated_text(sparql, bindings)[0]

    def dataset(self) -> list[tuple[str, str]]:
        """The protocol's dataset parameters sent with every query (Virtuoso only)."""
        return self._virtuoso_dataset()[0]

    def pragmas(self) -> str:
        """The Virtuoso pragmas sent before every query's text (``define …`` lines; else empty)."""
        return self._virtuoso_dataset()[1]

    def _select_json(self, sparql: str, params: list[tuple[str, str]] | None = None) -> list[dict]:
        payload, _ = self._request([("query", sparql), *(params or [])], _ACCEPT["SelectQuery"])
        return json.loads(payload.decode("utf-8"))["results"]["bindings"]

    def _virtuoso_dataset(self) -> tuple[list[tuple[str, str]], str]:
        if self._dialect() != "virtuoso":
            return [], ""
        if self._dataset is None:
            grouped, _ = self._request([("query", "ASK { ?s ?p ?o }"), ("default-graph-uri", DEFAULT_GROUP)],
                                       _ACCEPT["AskQuery"])
            if json.loads(grouped.decode("utf-8"))["boolean"]:  # the group exists and its members can be read
                self._dataset = ([("default-graph-uri", DEFAULT_GROUP)], _EXCLUDE_UNION)
            else:  # loaded before the group existed (or the group cannot be read): one parameter per graph
                graphs = sorted(b["g"]["value"] for b in self._select_json(
                    f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), \"{KG}\")) }}"))
                self._dataset = ([("default-graph-uri", UNION_GRAPH)] + [("named-graph-uri", g) for g in graphs], "")
        return self._dataset

    def execute(self, sparql: str, bindings: Mapping[str, Node] | None = None, *,
                max_rows: int | None = None) -> Rows | bool:
        """Run any read-only query: :class:`Rows` for SELECT/CONSTRUCT/DESCRIBE, bool for ASK.

        With ``max_rows``, longer answers are cut (``Rows.truncated`` set).
        """
        form = check(sparql)  # the guard: nothing is sent before it passed
        named = checked(sparql).dataset
        if named != ((), ()):  # another engine may fetch what FROM names: only graphs it holds
            foreign = [iri for iri in (*named[0], *named[1]) if not iri.startswith(str(KG))]
            refuse_missing(named, frozenset() if foreign else graph_names(self))  # refused before anything is sent
        if form not in _ACCEPT:
            raise QueryRefused(f"unsupported query form {form}")
        # a query naming its dataset (FROM, FROM NAMED) keeps it: the protocol's parameters would override it
        own = any(dataset_iris(sparql))
        dataset, pragmas = ([], "") if own else self._virtuoso_dataset()
        text = self.text(sparql, bindings)
        if pragmas:
            text = pragmas + virtuoso_graphs(text, str(KG))
        try:
            payload, headers = self._request([("query", text), *dataset], _ACCEPT[form])
        except QueryError as exc:
            if "Too many arguments" in str(exc) and len(dataset) > 1:
                raise QueryError(
                    f"Virtuoso cannot take hetao-kg's dataset in one query: its {len(dataset) - 1} named graphs (one "
                    "named-graph-uri each) exceed what its SPARQL compiler accepts for a GRAPH ?g pattern "
                    f"({str(exc)[:200]}). Load again with `hetao-kg load --virtuoso-isql` (it makes the graph group "
                    f"{DEFAULT_GROUP}, which names the dataset in one parameter), and if graph-level security is on, "
                    "let the endpoint's user read and list that group (permissions 9); see README, "
                    "'Virtuoso, and outgrowing one machine'") from None
            raise
        if form in ("SelectQuery", "AskQuery"):
            try:
                answer = json.loads(payload.decode("utf-8"))
            except ValueError as exc:
                raise QueryError(f"the endpoint {self.url} sent no SPARQL JSON: {exc}") from None
            if form == "AskQuery":
                return bool(answer["boolean"])
            names = stable_columns(sparql, [v for v in answer["head"].get("vars", []) if not v.startswith(GRAPH_VARIABLE)])
            rows = lang_case(sparql, [{n: _term(b.get(n)) for n in names} for b in answer["results"]["bindings"]])
            result = Rows(names, rows)
        else:
            result = self._triples(payload, headers.get_content_type())
        if headers.get("X-SPARQL-MaxRows"):  # Virtuoso cut the answer at its ResultSetMaxRows
            result = Rows(result.vars, result.rows, truncated=True)
        if max_rows is not None and len(result.rows) > max_rows:
            result = Rows(result.vars, result.rows[:max_rows], truncated=True)
        return result

    def _triples(self, payload: bytes, media_type: str) -> Rows:
        import pyoxigraph as ox

        from .oxigraph import _to_rdflib

        fmt = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
        if media_type == "text/plain":
            fmt = ox.RdfFormat.N_TRIPLES
        names = ("subject", "predicate", "object")
        try:
            quads = list(ox.parse(payload, format=fmt))
        except SyntaxError as exc:
            raise QueryError(f"the endpoint {self.url} sent unreadable {media_type}: {exc}") from None
        return Rows(names, [dict(zip(names, (_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object))))
                            for q in quads])

    def select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Rows:
        """Run a SELECT query (CONSTRUCT/DESCRIBE give rows of subject, predicate, object)."""
        answer = self.execute(sparql, bindings, max_rows=self.max_rows)
        if isinstance(answer, bool):
            raise QueryError("expected a SELECT query, got ASK (use ask())")
        return answer

    def ask(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        answer = self.execute(sparql, bindings, max_rows=self.max_rows)
        if not isinstance(answer, bool):
            raise QueryError("expected an ASK query, got a SELECT")
        return answer


# --- loading an endpoint -------------------------------------------------------------------


def dump_nquads(out: Path, *, store_dir: str | Path | None = None, root: str | Path | None = None,
                inference: bool = True) -> int:
    """Write hetao-kg's whole dataset as N-Quads (named graphs + the union as default graph); return the quads."""
    import pyoxigraph as ox

    from .oxigraph import OxigraphStore

    db = OxigraphStore(store_dir, root=root, inference=inference).open()
    db.dump(output=str(out), format=ox.RdfFormat.N_QUADS)
    return len(db)


# an xsd:integer object written quoted: "N"^^<…#integer> right after the predicate (a `"` after
# "> " opens the object; inside a literal a `"` is escaped, so this never matches in one)
_TYPED_INTEGER = re.compile(rb'(?<=> )"([+-]?[0-9]+)"\^\^<http://www\.w3\.org/2001/XMLSchema#integer>(?= )')


def _bare_wide_integer(match: re.Match) -> bytes:
    digits = match.group(1)
    return digits if not -2**31 <= int(digits) < 2**31 else match.group(0)


def virtuoso_integers(line: bytes) -> bytes:
    r"""A quad as Virtuoso's bulk loader keeps it: an xsd:integer beyond 32 bits as a bare number.

    Virtuoso 7.2's N-Quads reader stores ``"10000000000"^^xsd:integer`` as an
    xsd:decimal (any quoted integer outside −2³¹ … 2³¹−1), but reads the bare Turtle
    number ``10000000000`` as the xsd:integer it is: the same RDF term. Smaller
    integers and every other literal stay as they are.

    >>> virtuoso_integers(b'<http://ex/s> <http://ex/v> "10000000000"^^<http://www.w3.org/2001/XMLSchema#integer> <http://ex/g> .\n')
    b'<http://ex/s> <http://ex/v> 10000000000 <http://ex/g> .\n'
    >>> virtuoso_integers(b'<http://ex/s> <http://ex/v> "42"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    b'<http://ex/s> <http://ex/v> "42"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    >>> virtuoso_integers(b'<http://ex/s> <http://ex/q> "a \\"> \\"10000000000\\"^^<http://www.w3.org/2001/XMLSchema#integer> b" .\n')
    b'<http://ex/s> <http://ex/q> "a \\"> \\"10000000000\\"^^<http://www.w3.org/2001/XMLSchema#integer> b" .\n'
    """
    return _TYPED_INTEGER.sub(_bare_wide_integer, line) if b"XMLSchema#integer>" in line else line


def split_nquads(source: Path, folder: Path, *, stem: str = "hetao-kg", quads_per_file: int = 500_000,
                 rewrite: Callable[[bytes], bytes] | None = None) -> list[Path]:
    """Split an N-Quads file (one quad per line) into ``folder/STEM-00001.nq``, … of at most
    ``quads_per_file`` lines each, each line passed through ``rewrite`` if given; return the
    files written.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); src = d / "all.nq"
    >>> _ = src.write_text("".join(f"<http://ex/{i}> <http://ex/p> <http://ex/o> <http://ex/g> .\\n" for i in range(5)))
    >>> [f.name for f in split_nquads(src, d / "out", quads_per_file=2)]
    ['hetao-kg-00001.nq', 'hetao-kg-00002.nq', 'hetao-kg-00003.nq']
    """
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    out = None
    n = 0
    try:
        with open(source, "rb") as lines:
            for line in lines:
                if n % quads_per_file == 0:
                    if out is not None:
                        out.close()
                    files.append(folder / f"{stem}-{len(files) + 1:05d}.nq")
                    out = open(files[-1], "wb")
                out.write(rewrite(line) if rewrite else line)
                n += 1
    finally:
        if out is not None:
            out.close()
    return files


def _isql(isql: str, address: str, user: str, password: str, sql: str, timeout: float) -> str:
    """Run ``sql`` (statements ending in ``;``) in one isql session, given on its standard input
    (no command-line length limit); raise :class:`QueryError` on any error."""
    done = subprocess.run([isql, address, user, password], input=sql + "\n", capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout)
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        raise QueryError(f"Virtuoso bulk load failed: {output.strip()[-1500:]}")
    return output


def default_group(isql: str, address: str, user: str, password: str, timeout: float) -> int:
    """Make the graph group :data:`DEFAULT_GROUP` (its one member: :data:`UNION_GRAPH`), which
    :class:`SparqlStore` names as every query's default graph; return the anonymous user's
    (``nobody``'s) permissions on it.

    Where graph-level security lets ``nobody`` read the group's IRI but not list a group's
    members (bit 8: Virtuoso then reads the default graph as empty, silently), bit 8 is
    added on this group only; a user who may not read at all is left as the server's
    administrator set it.
    """
    group = f"'{DEFAULT_GROUP}'"
    output = _isql(isql, address, user, password,
                   f"DB.DBA.RDF_GRAPH_GROUP_CREATE({group}, 1);\nDB.DBA.RDF_GRAPH_GROUP_INS({group}, '{UNION_GRAPH}');\n"
                   f"SELECT 'PERMS=' || cast(DB.DBA.RDF_GRAPH_USER_PERMS_GET({group}, 'nobody') AS VARCHAR);", timeout)
    perms = int(next(line.strip()[len("PERMS="):] for line in output.splitlines() if line.strip().startswith("PERMS=")))
    if perms & 1 and not perms & 8:
        _isql(isql, address, user, password, f"DB.DBA.RDF_GRAPH_USER_PERMS_SET({group}, 'nobody', {perms | 8});", timeout)
        perms |= 8
    return perms


#: the SQLSTATE of a transaction Virtuoso chose as a deadlock's victim (parallel bulk-loader sessions)
_DEADLOCK = "40001"
# (a load folder's rows of DB.DBA.load_list are those whose ll_file starts_with its path: in
# LIKE '<folder>/%' a _ of the path matched any character, so a load from /srv/a_b/ counted,
# and deleted, the rows of a load from /srv/axb/ on the same server)


def _load_state(isql: str, address: str, user: str, password: str, folder: Path, timeout: float) -> tuple[list[str], str]:
    """After a ``checkpoint``, each file's ``LLSTATE=<state>|<error>`` line in ``DB.DBA.load_list``, and isql's output."""
    output = _isql(isql, address, user, password,
                   "checkpoint;\nSELECT 'LLSTATE=' || cast(ll_state AS VARCHAR) || '|' || coalesce(ll_error, '') "
                   f"FROM DB.DBA.load_list WHERE starts_with(ll_file, '{folder}/');", timeout)
    return [line.strip() for line in output.splitlines() if line.strip().startswith("LLSTATE=")], output


def _blank_nodes(nquads: Path) -> bool:
    """Whether an N-Quads file may have a blank node (``_:`` anywhere: in a literal too, which errs safe)."""
    with open(nquads, "rb") as lines:
        return any(b"_:" in line for line in lines)


def load_virtuoso(address: str, load_dir: str | Path, *, user: str = "dba", password: str | None = None,
                  replace: bool = True, store_dir: str | Path | None = None, root: str | Path | None = None,
                  inference: bool = True, quads_per_file: int = 500_000, loaders: int | None = None,
                  timeout: float = 3600) -> int:
    """Load hetao-kg's whole dataset into Virtuoso with its bulk loader; return the number of quads.

    The N-Quads (every named graph as it is; the default graph, the union, goes to
    :data:`UNION_GRAPH`) are written into ``load_dir`` (a folder the server may read: its
    ``DirsAllowed``) as files of ``quads_per_file`` quads (an xsd:integer beyond 32 bits as a
    bare number, which Virtuoso keeps an integer: :func:`virtuoso_integers`), registered with ``ld_dir``, and
    loaded by ``loaders`` parallel ``rdf_loader_run()`` sessions (default: the number of CPUs
    divided by 2.5, as Virtuoso's maintainers advise, at least one, at most one per file; a
    file whose session was chosen as a deadlock's victim, SQLSTATE 40001, is loaded again in one
    session: quads are a set, so what it had loaded is not doubled; but each load makes a file's
    blank nodes anew, so if it has any, the whole load is made again in one session, after
    clearing again (with ``replace``; without it that is an error)), then ``checkpoint``: the way Virtuoso loads billions
    of quads, without one request per graph; then the graph group that queries name as
    their default graph is made (:func:`default_group`). With ``replace``, hetao-kg's graphs
    (``https://w3id.org/hetao-kg/…`` and the union graph) are cleared first, in
    Virtuoso's non-logged autocommit mode. Each file's state in ``DB.DBA.load_list``
    is checked; the files are removed afterwards. ``address`` is isql's ``HOST:PORT``;
    the password (``password``, else ``$HETAO_KG_ISQL_PASSWORD``, else ``dba``) is passed to
    ``isql-vt`` on its command line.
    """
    import concurrent.futures
    import tempfile

    isql = shutil.which("isql-vt") or shutil.which("isql")
    if not isql:
        raise FileNotFoundError("isql-vt (Debian package virtuoso-opensource) is needed to load Virtuoso")
    password = password if password is not None else os.environ.get("HETAO_KG_ISQL_PASSWORD", "dba")
    folder = Path(load_dir).resolve() / "hetao-kg"
    if "'" in str(folder) or "\\" in str(folder):  # it goes into isql's SQL as a quoted string
        raise ValueError(f"the load folder {folder} has a ' or \\, which Virtuoso's SQL would read as the "
                         "string's end or an escape: give a folder without one")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".hetao-kg-dump-", dir=folder.parent) as tmp:
            whole = Path(tmp) / "all.nq"
            n = dump_nquads(whole, store_dir=store_dir, root=root, inference=inference)
            files = split_nquads(whole, folder, quads_per_file=quads_per_file, rewrite=virtuoso_integers)
        def register() -> None:
            """Clear hetao-kg's graphs (with ``replace``) and register the files with ``ld_dir``."""
            steps = []
            if replace:  # graph by graph (the G index), without the transaction log, in autocommit:
                # one DELETE … WHERE G IN (a sub-select over RDF_QUAD) grew with graphs x quads
                listing = _isql(isql, address, user, password,
                                "SELECT 'GRAPH=' || id_to_iri(RG.G) FROM (SELECT DISTINCT G FROM DB.DBA.RDF_QUAD) RG "
                                f"WHERE id_to_iri(RG.G) LIKE '{KG}%';", timeout)
                graphs = [line.strip()[len("GRAPH="):] for line in listing.splitlines()
                          if line.strip().startswith("GRAPH=")]
                # the union always (id_to_iri(G) = '…' never matched it: a reload kept the old union's
                # blank-node triples beside the new ones, 160 more per load of the real data)
                graphs.append(UNION_GRAPH)
                steps += ["log_enable(3, 1);"]
                steps += [f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id('{g}', 0);" for g in graphs if "'" not in g]
            steps += [f"DELETE FROM DB.DBA.load_list WHERE starts_with(ll_file, '{folder}/');",
                      f"ld_dir('{folder}', '*.nq', '{UNION_GRAPH}');"]
            _isql(isql, address, user, password, "\n".join(steps), timeout)

        register()
        # github.com/openlink/virtuoso-opensource/issues/411: cores / 2.5 sessions, not one per core
        sessions = max(1, min(loaders or int((os.cpu_count() or 1) / 2.5), len(files)))
        with concurrent.futures.ThreadPoolExecutor(sessions) as pool:  # each session takes the next file
            for job in [pool.submit(_isql, isql, address, user, password, "rdf_loader_run();", timeout)
                        for _ in range(sessions)]:
                job.result()
        state, output = _load_state(isql, address, user, password, folder, timeout)
        if any(_DEADLOCK in line for line in state):  # a deadlock's victim: loaded once more, in one session
            listing = _isql(isql, address, user, password,
                            f"SELECT 'VICTIM=' || ll_file FROM DB.DBA.load_list WHERE starts_with(ll_file, '{folder}/') "
                            f"AND ll_error LIKE '%{_DEADLOCK}%';", timeout)
            victims = [line.strip()[len("VICTIM="):] for line in listing.splitlines() if line.strip().startswith("VICTIM=")]
            if victims and not any(_blank_nodes(folder / Path(v).name) for v in victims):
                # quads are a set: what the victim had loaded is not doubled
                _isql(isql, address, user, password,
                      f"UPDATE DB.DBA.load_list SET ll_state = 0, ll_error = NULL WHERE starts_with(ll_file, '{folder}/') "
                      f"AND ll_error LIKE '%{_DEADLOCK}%';\nrdf_loader_run();", timeout)
            elif replace:
                # each load of a file makes its blank nodes anew: the victim's half-loaded ones would
                # stay beside the new (an OWL list of the ontology in two), so everything again, alone
                register()
                _isql(isql, address, user, password, "rdf_loader_run();", timeout)
            else:
                raise QueryError(f"Virtuoso's loader session lost a deadlock loading {', '.join(victims)}, which "
                                 "has blank nodes: loaded again, they would be doubled; load again without --append")
            state, output = _load_state(isql, address, user, password, folder, timeout)
        if state != ["LLSTATE=2|"] * len(files):  # 2 = loaded; anything after | is the loader's error
            raise QueryError(f"Virtuoso did not finish loading {folder}: {output.strip()[-1500:]}")
        default_group(isql, address, user, password, timeout)
        return n
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_endpoint(endpoint: str, *, graph_store: str | None = None, virtuoso_isql: str | None = None,
                  isql_user: str = "dba", isql_password: str | None = None, load_dir: str | Path | None = None,
                  replace: bool = True, store_dir: str | Path | None = None, root: str | Path | None = None,
                  inference: bool = True, timeout: float = 600) -> int:
    """Push the whole dataset, with its named graphs, to an endpoint; return the number of quads.

    * Graph Store Protocol (default): the N-Quads go in one request to ``graph_store``
      (default: the endpoint URL with ``/query`` replaced by ``/store``, Oxigraph's
      layout), ``PUT`` when ``replace`` (the store's content is replaced), else ``POST``.
    * Virtuoso (``virtuoso_isql="HOST:PORT"``): its bulk loader, see :func:`load_virtuoso`
      (``load_dir`` is required: a folder in the server's ``DirsAllowed``).
    """
    import tempfile

    if virtuoso_isql:
        if load_dir is None:
            raise ValueError("--load-dir is required with --virtuoso-isql (a folder in Virtuoso's DirsAllowed)")
        return load_virtuoso(virtuoso_isql, load_dir, user=isql_user, password=isql_password, replace=replace,
                             store_dir=store_dir, root=root, inference=inference, timeout=max(timeout, 3600))
    url = graph_store or (endpoint[: -len("/query")] + "/store" if endpoint.endswith("/query") else None)
    if not url:
        raise ValueError("give --graph-store URL (the endpoint's Graph Store Protocol URL) or --virtuoso-isql")
    with tempfile.TemporaryDirectory(prefix="hetao-kg-load-") as tmp:
        path = Path(tmp) / "hetao-kg.nq"
        n = dump_nquads(path, store_dir=store_dir, root=root, inference=inference)
        request = urllib.request.Request(url, data=path.read_bytes(), method="PUT" if replace else "POST",
                                         headers={"Content-Type": "application/n-quads"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise QueryError(f"{url} refused the data (HTTP {exc.code}): {exc.read().decode('utf-8', 'replace')[:800]}") from None
        except urllib.error.URLError as exc:
            raise QueryError(f"cannot reach {url}: {exc.reason}") from None
    return n
