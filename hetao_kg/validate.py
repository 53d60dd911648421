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

import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from .graph import DataError, DataFiles, build, data_files, flatten, parse_file

__all__ = ["CHECKS", "Violation", "ValidationReport", "validate", "check_files"]

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


def _shacl(ds: Dataset, files: DataFiles, origin: _Origins) -> list[Violation]:
    from pyshacl import validate as shacl_validate

    shapes = parse_file(files.shapes)
    shapes_graph = Graph()
    for s, p, o, _ in shapes.quads((None, None, None, None)):
        shapes_graph.add((s, p, o))
    conforms, results, _text = shacl_validate(
        flatten(ds), shacl_graph=shapes_graph, inference="none", allow_warnings=False
    )
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


def _owlrl(ds: Dataset, files: DataFiles, origin: _Origins) -> list[Violation]:
    import owlrl
    from owlrl.Namespaces import ERRNS

    g = flatten(ds)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    out = []
    for msg in sorted(str(m) for m in g.objects(None, ERRNS.error)):
        iris = re.findall(r"https://w3id\.org/hetao-kg/id/\S+", msg)
        node = iris[-1] if iris else "-"
        out.append(Violation("owlrl", origin(node) if iris else "ontology/ + graph_data/", node, f"OWL RL inconsistency: {msg}"))
    return out


def _hermit(ds: Dataset, files: DataFiles) -> list[Violation]:
    if shutil.which("java") is None:
        raise DataError("java", "HermiT needs Java on PATH (Debian: apt-get install default-jre-headless)")
    import owlready2

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hetao-kg.nt"
        flatten(ds).serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            detail = str(exc).strip() or "run `hetao-kg validate --check owlrl` for the clashing individuals"
            return [Violation("hermit", "ontology/ + graph_data/", "-", f"HermiT: ontology + data are inconsistent ({detail})")]
        nothing = [c for c in world.inconsistent_classes()]
        return [
            Violation("hermit", "ontology/hetao.ttl", c.iri, "HermiT: class is unsatisfiable (equivalent to owl:Nothing)")
            for c in nothing
        ]


def _sparql(ds: Dataset, files: DataFiles, origin: _Origins) -> list[Violation]:
    """The ``*-violation.rq`` checks, evaluated by pyoxigraph over an in-memory copy of the
    dataset (its named graphs, and their deduplicated union as the default graph, as the
    rdflib dataset's union default graph): the same answers, a hundred times faster."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
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
            out.append(Violation(rq.stem, origin(node), node, message))
    return out


def validate(root: str | Path | None = None, *, checks: Iterable[str] = CHECKS) -> ValidationReport:
    """Validate the graph built from ``root`` (default: the installed data).

    Raises :class:`~hetao_kg.graph.DataError` on unusable input (missing file,
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
    report = ValidationReport()
    found: dict[str, list[Violation]] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        # HermiT reasons in a Java process: let it run beside the Python checks
        hermit = pool.submit(_hermit, ds, files) if "hermit" in checks else None
        for check in checks:
            if check == "shacl":
                found[check] = _shacl(ds, files, origin)
            elif check == "owlrl":
                found[check] = _owlrl(ds, files, origin)
            elif check == "sparql":
                found[check] = _sparql(ds, files, origin)
        if hermit is not None:
            found["hermit"] = hermit.result()
    for check in checks:
        report.violations += found[check]
        report.ran.append(check)
    return report
