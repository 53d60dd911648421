"""Stage 4: validate the knowledge graph.

Four independent checks, each reporting :class:`Violation` objects that name the
file, the node and what is wrong:

1. SHACL (pySHACL) against ``ontology/shapes.ttl``;
2. the OWL 2 RL closure (owlrl) must contain no inconsistency;
3. HermiT (shipped in owlready2; needs Java) must find the ontology + data consistent;
4. every ``ontology/checks/*-violation.rq`` query must return zero rows.

>>> report = validate(checks=("sparql",))
>>> report.ok
True
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from .graph import DataError, DataFiles, build, data_files, parse_file
from ..namespaces import bind_prefixes

__all__ = ["CHECKS", "Violation", "ValidationReport", "validate", "check_files", "written_tags"]

CHECKS = ("shacl", "owlrl", "hermit", "sparql")


@dataclass(frozen=True)
class Violation:
    """One problem: which check found it, where (file), on which node, and what."""

    check: str
    file: str
    node: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.node}: {self.message} [{self.check}]"


@dataclass
class ValidationReport:
    """The violations of a validation run, and which checks ran."""

    violations: list[Violation] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def check_files(files: DataFiles) -> list[Path]:
    """The SPARQL quality checks: ``ontology/checks/*-violation.rq``."""
    return sorted((files.root / "ontology" / "checks").glob("*-violation.rq"))


class _Origins:
    """Map a node to the data file(s) that describe it, for messages."""

    def __init__(self, files: DataFiles, by_node: dict[str, list[Path]]):
        self.by_node = {node: [self._rel(p, files.root) for p in paths] for node, paths in by_node.items()}
        self.default = self._rel(files.sources, files.root) + " (derived)"

    @staticmethod
    def _rel(path: Path, root: Path) -> str:
        try:
            return str(path.relative_to(root))
        except ValueError:
            return str(path)

    def __call__(self, node: str) -> str:
        return ", ".join(self.by_node.get(node, [])) or self.default


class _ParsedOnce(Graph):
    """A graph that parses and translates each distinct SPARQL text once.

    pySHACL evaluates a SPARQL-based constraint once per focus node, always with the
    same text (``$this`` comes as an initial binding), and rdflib parses a query
    string anew on every call: 400 parses were two thirds of the SHACL check. The
    query is translated exactly as :meth:`rdflib.Graph.query` would (with this graph's
    prefixes), so the answers are the same.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, object] = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: N803
              use_store_provided=True, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str) and processor == "sparql" and initNs is None and not kwargs:
            prepared = self._prepared.get(query_object)
            if prepared is None:
                from rdflib.plugins.sparql.algebra import translateQuery
                from rdflib.plugins.sparql.parser import parseQuery

                prepared = translateQuery(parseQuery(query_object), None, dict(self.namespaces()))
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def _shacl(flat: Graph, files: DataFiles, origin: _Origins) -> list[Violation]:
    from pyshacl import validate as shacl_validate

    shapes = parse_file(files.shapes)
    shapes_graph = Graph()
    for s, p, o, _ in shapes.quads((None, None, None, None)):
        shapes_graph.add((s, p, o))
    # no inference, no ontology graph to mix in: pySHACL reads ``flat`` in place
    conforms, results, _text = shacl_validate(flat, shacl_graph=shapes_graph, inference="none", allow_warnings=False)
    out = []
    SH = "http://www.w3.org/ns/shacl#"
    for result in results.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        node = results.value(result, URIRef(SH + "focusNode"))
        msg = results.value(result, URIRef(SH + "resultMessage"))
        path = results.value(result, URIRef(SH + "resultPath"))
        shape = results.value(result, URIRef(SH + "sourceShape"))
        text = str(msg) if msg else f"violates {shape}"
        if path is not None and isinstance(path, URIRef):
            text = f"{path.n3(results.namespace_manager)}: {text}"
        out.append(Violation("shacl", origin(str(node)), str(node), text))
    if not conforms and not out:  # pragma: no cover - pySHACL always lists results
        out.append(Violation("shacl", str(files.shapes), "-", "does not conform"))
    return sorted(out, key=lambda v: (v.file, v.node, v.message))


def _owlrl(flat: Graph, origin: _Origins) -> list[Violation]:
    """The OWL 2 RL closure of ``flat``'s triples, in a store without contexts (the
    closure runs a fifth faster there than in rdflib's context-aware default)."""
    import owlrl
    from owlrl.Namespaces import ERRNS

    closure = Graph(store="SimpleMemory")
    for triple in flat:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    out = []
    for msg in sorted(str(m) for m in closure.objects(None, ERRNS.error)):
        iris = re.findall(r"https://w3id\.org/hetao-kg/id/\S+", msg)
        node = iris[-1] if iris else "-"
        out.append(Violation("owlrl", origin(node) if iris else "ontology/ + graph_data/", node, f"OWL RL inconsistency: {msg}"))
    return out


_OWL = "http://www.w3.org/2002/07/owl#"
_EQUIVALENT = re.compile(r"^EquivalentClasses\( ((?:<[^>]+>\s*)+)\)$", re.MULTILINE)


class _HermiT:
    """HermiT (the jar owlready2 ships) reasoning over ``flat`` in a Java process of its
    own, started before the Python checks so that it reasons while they run.

    The command is owlready2's ``sync_reasoner_hermit`` (classify, ``-c -O -D -I``,
    with its 2 GB heap), given the N-Triples directly instead of a copy re-saved from
    owlready2's quadstore, and with the JIT stopped at its first tier: HermiT's run is
    too short for the optimizing compiler to repay its CPU (1.2 s -> 0.7 s here).
    """

    MEMORY_MB = 2000

    def __init__(self, flat: Graph, tmp: Path):
        java = shutil.which("java")
        if java is None:
            raise DataError("java", "HermiT needs Java on PATH (Debian: apt-get install default-jre-headless)")
        spec = importlib.util.find_spec("owlready2")
        if spec is None or not spec.submodule_search_locations:
            raise DataError("owlready2", "HermiT ships in owlready2: pip install 'owlready2>=0.46'")
        jars = Path(next(iter(spec.submodule_search_locations))) / "hermit"
        path = tmp / "hetao-kg.nt"
        flat.serialize(path, format="nt", encoding="utf-8")
        self._output = tmp / "hermit.out"
        command = [java, f"-Xmx{self.MEMORY_MB}M", "-XX:TieredStopAtLevel=1",
                   "-cp", os.pathsep.join([str(jars), str(jars / "HermiT.jar")]),
                   "org.semanticweb.HermiT.cli.CommandLine", "-c", "-O", "-D", "-I", path.as_uri()]
        with open(self._output, "wb") as out:  # a file, not a pipe: Java never waits for us
            self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

    def result(self) -> list[Violation]:
        code = self._proc.wait()
        output = self._output.read_text(encoding="utf-8", errors="replace")
        if code == 1 and "Inconsistent ontology" in output:
            return [Violation("hermit", "ontology/ + graph_data/", "-", "HermiT: ontology + data are inconsistent "
                              "(run `hetao-kg validate --check owlrl` for the clashing individuals)")]
        if code != 0:
            tail = " ".join(output.strip().splitlines()[-3:])[-500:]
            raise DataError("java", f"HermiT failed (exit {code}): {tail}")
        nothing = {
            iri
            for iris in _EQUIVALENT.findall(output)
            if f"<{_OWL}Nothing>" in iris
            for iri in re.findall(r"<([^>]+)>", iris)
            if not iri.startswith(_OWL)
        }
        return [
            Violation("hermit", "ontology/hetao.ttl", iri, "HermiT: class is unsatisfiable (equivalent to owl:Nothing)")
            for iri in sorted(nothing)
        ]

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


_TAG_TOKEN = r"(?<![\w-])({})(?![\w-])"


def written_tags(ds: Dataset) -> dict[str, str]:
    """Language tags as the data writes them, by their lowercased form, for the tags
    whose written form is not all lowercase (one spelling each; where the data spells
    a tag two ways, its BCP 47 case).

    >>> from rdflib import Literal
    >>> ds = Dataset()
    >>> _ = ds.add((URIRef("http://ex/a"), URIRef("http://ex/label"), Literal("香港", lang="zh-Hans")))
    >>> written_tags(ds)
    {'zh-hans': 'zh-Hans'}
    """
    from ..namespaces import canonical_lang

    seen: dict[str, set[str]] = {}
    for _, _, o, _ in ds.quads((None, None, None, None)):
        if isinstance(o, Literal) and o.language:
            seen.setdefault(o.language.lower(), set()).add(o.language)
    return {
        low: next(iter(forms)) if len(forms) == 1 else canonical_lang(low)
        for low, forms in seen.items()
        if forms != {low}
    }


def _sparql(ds: Dataset, files: DataFiles, origin: _Origins) -> list[Violation]:
    """The ``*-violation.rq`` checks, evaluated by pyoxigraph over an in-memory copy of the
    dataset (its named graphs, and their deduplicated union as the default graph, as the
    rdflib dataset's union default graph): the same answers, a hundred times faster.

    pyoxigraph lowercases language tags, so a tag a message took from ``LANG()`` reads
    ``zh-hans``; it is given back as the data writes it (``zh-Hans``)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    tags = written_tags(ds)
    token = re.compile(_TAG_TOKEN.format("|".join(map(re.escape, sorted(tags, key=len, reverse=True))))) if tags else None
    out = []
    for rq in check_files(files):
        query = rq.read_text(encoding="utf-8")
        try:
            rows = [[None if t is None else t.value for t in row] for row in store.query(query)]
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            raise DataError(rq, f"SPARQL error: {exc}") from None
        for row in rows:
            node = str(row[0]) if row[0] is not None else "-"
            message = str(row[1]) if len(row) > 1 and row[1] is not None else "violation"
            if token is not None:
                message = token.sub(lambda m: tags[m.group(1)], message)
            out.append(Violation(rq.stem, origin(node), node, message))
    return out


def _flat(ds: Dataset) -> _ParsedOnce:
    """Every triple of every graph of ``ds`` once, in one graph (SHACL's data graph,
    HermiT's input and the start of the OWL RL closure)."""
    flat = _ParsedOnce()
    bind_prefixes(flat)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        flat.add((s, p, o))
    return flat


def validate(root: str | Path | None = None, *, checks: Iterable[str] = CHECKS) -> ValidationReport:
    """Validate the graph built from ``root`` (default: the installed data).

    Raises :class:`~hetao_kg.data.graph.DataError` on unusable input (missing file,
    syntax error, no Java for HermiT); returns the violations otherwise.
    """
    checks = tuple(checks)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; choose from {list(CHECKS)}")
    files = data_files(root)
    by_node: dict[str, list[Path]] = {}
    ds = build(files, origins=by_node)
    origin = _Origins(files, by_node)
    flat = _flat(ds) if {"shacl", "owlrl", "hermit"} & set(checks) else None
    found: dict[str, list[Violation]] = {}
    with tempfile.TemporaryDirectory(prefix="hetao-kg-validate-") as tmp:
        # HermiT reasons in a Java process: start it first, run the Python checks meanwhile
        hermit = _HermiT(flat, Path(tmp)) if "hermit" in checks else None
        try:
            if "sparql" in checks:
                found["sparql"] = _sparql(ds, files, origin)
            if "shacl" in checks:
                found["shacl"] = _shacl(flat, files, origin)
            if "owlrl" in checks:
                found["owlrl"] = _owlrl(flat, origin)
            if hermit is not None:
                found["hermit"] = hermit.result()
        finally:
            if hermit is not None:
                hermit.stop()
    report = ValidationReport()
    for check in checks:
        report.violations += found[check]
        report.ran.append(check)
    return report
