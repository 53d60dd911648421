"""The W3C SPARQL 1.1 suites in tests/w3c/ read from their manifests, a data root that
holds their data as graphs of hetao-kg's dataset, and what each test expects: shared by
tests/test_w3c.py and benchmarks/w3c_conformance.py."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

W3C = Path(__file__).resolve().parent / "w3c"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SYNTAX = ("syntax-query", "syntax-fed", "syntax-update-1", "syntax-update-2")
RESULTS = ("json-res", "csv-tsv-res")
#: the protocol manifest names data0.rdf without giving its data: the data root holds it
#: as a one-triple graph, so that requests naming it select a graph of the dataset
DATA0 = "http://kasei.us/2009/09/sparql/data/data0.rdf"

KINDS = {
    MF.PositiveSyntaxTest11: "positive", MF.NegativeSyntaxTest11: "negative",
    MF.PositiveUpdateSyntaxTest11: "positive-update", MF.NegativeUpdateSyntaxTest11: "negative-update",
    MF.QueryEvaluationTest: "result", MF.CSVResultFormatTest: "result", MF.ProtocolTest: "protocol",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: tuple[str, ...]            # "2xx", "3xx", "4xx"
    boolean: bool | None = None
    result_format: str | None = None     # "boolean", "tabular", "RDF"


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    kind: str
    title: str
    query: Path | None = None
    data: str | None = None              # IRI of the data graph (results tests)
    result: Path | None = None
    requests: tuple[Request, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def query_side(self) -> bool:
        """A protocol test of the query side (not an update)."""
        return self.kind == "protocol" and "quer" in self.name and "update" not in self.name

    def text(self) -> str:
        return self.query.read_bytes().decode("utf-8")


def _path(suite: str, node) -> Path:
    return W3C / suite / unquote(str(node)[len(BASE + suite + "/"):])


def _requests(g: Graph, action) -> tuple[Request, ...]:
    out = []
    for req in Collection(g, g.value(action, HT.requests)):
        headers = {}
        hlist = g.value(req, HT.headers)
        if hlist is not None:
            for h in Collection(g, hlist):
                headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
        body = None
        content = g.value(req, HT.body)
        if content is not None:
            encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
            body = str(g.value(content, CNT.chars)).encode(encoding.lower())
        resp = g.value(req, HT.resp)
        statuses = tuple(sorted(str(s).rsplit("StatusCode", 1)[1].lower() for s in g.objects(resp, MF.expectedStatus)))
        boolean = g.value(resp, MF.expectedBoolean)
        fmt = g.value(resp, MF.expectedFormat)
        out.append(Request(str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)), body, headers,
                           statuses, None if boolean is None else bool(boolean.toPython()),
                           None if fmt is None else str(fmt)))
    return tuple(out)


def cases() -> list[Case]:
    """Every test of the imported manifests, in manifest order."""
    out = []
    for suite in (*SYNTAX, "protocol", *RESULTS):
        g = Graph()
        g.parse(W3C / suite / "manifest.ttl", format="turtle", publicID=BASE + suite + "/manifest.ttl")
        manifest = next(g.subjects(RDF.type, MF.Manifest))
        for entry in Collection(g, g.value(manifest, MF.entries)):
            kind = KINDS[g.value(entry, RDF.type)]
            name, title = str(entry).rsplit("#", 1)[1], str(g.value(entry, MF.name))
            action = g.value(entry, MF.action)
            if kind == "protocol":
                out.append(Case(suite, name, kind, title, requests=_requests(g, action)))
            elif kind == "result":
                result = _path(suite, g.value(entry, MF.result))
                out.append(Case(suite, name, kind, title, query=_path(suite, g.value(action, QT.query)),
                                data=str(g.value(action, QT.data)), result=result))
            else:
                out.append(Case(suite, name, kind, title, query=_path(suite, action)))
    return out


def data_graphs() -> dict[str, Path | None]:
    """Graph IRI -> file of every graph the suites need (None: data0, a placeholder)."""
    graphs: dict[str, Path | None] = {DATA0: None}
    for n in (1, 2, 3):
        graphs[f"http://kasei.us/2009/09/sparql/data/data{n}.rdf"] = W3C / "protocol" / f"data{n}.nt"
    for suite in RESULTS:
        for f in sorted((W3C / suite).glob("data*.ttl")):
            graphs[f"{BASE}{suite}/{f.name}"] = f
    return graphs


def make_data_root(target: Path, source: Path) -> Path:
    """hetao-kg's data (from ``source``) plus the suites' data as named graphs, in ``target``."""
    for folder in ("ontology", "graph_data"):
        shutil.copytree(source / folder, target / folder)
    lines = []
    for iri, path in data_graphs().items():
        g = Graph()
        if path is None:
            g.add((URIRef(iri), RDFS.comment, Literal("placeholder: the W3C protocol tests name this graph without data")))
        else:
            g.parse(path, format="nt" if path.suffix == ".nt" else "turtle", publicID=str(path))
        body = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
        lines.append(f"<{iri}> {{\n{body}}}\n")
    (target / "graph_data" / "w3c-suites.trig").write_text("".join(lines), encoding="utf-8")
    return target


# --- comparing results ---------------------------------------------------------------


def _term_from_json(cell: dict):
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in cell:
        return Literal(value, lang=cell["xml:lang"])
    dt = cell.get("datatype")
    return Literal(value, datatype=URIRef(dt) if dt and dt != str(XSD_STRING) else None)


XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def _tsv_cell(text: str):
    if text == "":
        return None
    if text.startswith("_:"):
        return BNode(text[2:])
    g = Graph()
    g.parse(data=f"<urn:s> <urn:p> {text} .", format="turtle")
    term = next(iter(g.objects()))
    if isinstance(term, Literal) and term.datatype == XSD_STRING:
        term = Literal(str(term))
    return term


def _csv_rows(text: str) -> tuple[list[str], list[tuple]]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))
    return rows[0], [tuple(r) for r in rows[1:]]


def parse_results(data: bytes, fmt: str):
    """(vars, rows as tuples of terms, or a bool) from a results document in ``fmt``."""
    text = data.decode("utf-8")
    if fmt == "json":
        doc = json.loads(text)
        if "boolean" in doc:
            return None, doc["boolean"]
        names = doc["head"]["vars"]
        return names, [tuple(_term_from_json(b[v]) if v in b else None for v in names) for b in doc["results"]["bindings"]]
    if fmt == "tsv":
        lines = text.rstrip("\n").split("\n")
        names = [v[1:] for v in lines[0].split("\t")]
        return names, [tuple(_tsv_cell(c) for c in line.split("\t")) for line in lines[1:]]
    names, rows = _csv_rows(text)
    return names, rows  # CSV loses term kinds: compared as text


def _canonical(rows, fmt):
    """Rows with blank nodes renamed in order of appearance (results here are ordered)."""
    names: dict = {}
    out = []
    for row in rows:
        cells = []
        for cell in row:
            if isinstance(cell, BNode) or (fmt == "csv" and isinstance(cell, str) and cell.startswith("_:")):
                cell = names.setdefault(str(cell), f"_:b{len(names)}")
            elif isinstance(cell, Literal):
                cell = (str(cell.datatype), cell.value if cell.value is not None else str(cell), cell.language)
            cells.append(cell)
        out.append(tuple(cells))
    return out


def same_results(got: bytes, expected: bytes, fmt: str) -> bool:
    """Whether two results documents say the same: the same variables (in any column
    order), the same rows in the same order, blank nodes up to renaming, numbers by value."""
    g_vars, g_rows = parse_results(got, fmt)
    e_vars, e_rows = parse_results(expected, fmt)
    if isinstance(e_rows, bool) or isinstance(g_rows, bool):
        return g_rows == e_rows
    if sorted(g_vars) != sorted(e_vars):
        return False
    order = [g_vars.index(v) for v in e_vars]  # SELECT * leaves the column order to the engine
    g_rows = [tuple(row[i] for i in order) for row in g_rows]
    return _canonical(g_rows, fmt) == _canonical(e_rows, fmt)


def result_format(case: Case) -> str:
    return {".srj": "json", ".tsv": "tsv", ".csv": "csv"}[case.result.suffix]
