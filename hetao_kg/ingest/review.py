"""`hetao-kg review`: list, accept, reject, edit and merge the proposals of a draft.

Accepting turns proposals into curated TriG in the project's format, in
``graph_data/ingested-<doc>.trig``: one named graph per assertion, its evidence (stated
in the source, or inferred from a name with the reason), the exact quote with its
offsets and sentence, and the curator and the time as PROV. On the first accept the
source itself is registered (``graph_data/sources/<doc>.txt`` and ``sources.json``)
with the title, publisher, date and language the curator gave.

Nothing lands unchecked: the data root as it would be after the accept is built aside
and validated (SHACL and every ``ontology/checks/*-violation.rq``); only a clean result
is written, each file through a temporary file and a rename, in an order where every
prefix is itself a valid data root (source text, then registry, then facts). A rejected
proposal's signature is remembered in the review folder so a later ingest does not
propose it again.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD
from rdflib.namespace import SDO as SCHEMA

from ..data.graph import data_files
from ..namespaces import HTO, KG, expand
from .draft import PREAMBLE, atomic_write, block, quote_triples, quote_iri, read_jsonl
from .extract import Proposal
from .reading import IngestError

__all__ = ["ReviewError", "Row", "Review"]

_EVIDENCE = {"stated": HTO.StatedInSource, "inferred-from-name": HTO.InferredFromName,
             "inferred-from-list": HTO.InferredFromList}


class ReviewError(IngestError):
    """A review step that cannot be done; nothing was written."""


@dataclass(frozen=True)
class Row:
    """One line of ``hetao-kg review list``."""

    id: str
    kind: str
    state: str
    confidence: float
    subject: str
    proposes: str
    quote: str
    rule: str


def _iri(text: str) -> URIRef:
    """``org/hku``, ``inst:hku`` or a full IRI -> an IRI of the graph."""
    if text.startswith("http"):
        return URIRef(text)
    expanded = expand(text)
    if expanded is not None:
        return expanded
    if re.fullmatch(r"[a-z]+/[A-Za-z0-9._/-]+", text):
        return KG[text]
    raise ReviewError(f"{text!r}: not an entity IRI (write it as org/hku, inst:hku or a full IRI)")


def _short(t) -> str:
    s = str(t)
    for base, pre in ((str(KG), ""), (str(HTO._NS), "hto:"), (str(RDFS), "rdfs:"), (str(SCHEMA), "schema:"),
                      (str(DCTERMS), "dcterms:")):
        if s.startswith(base):
            return pre + s[len(base):]
    return "a" if t == RDF.type else s


class Review:
    """The review of one ingested report in ``review_dir/doc_id``."""

    def __init__(self, review_dir: str | Path, doc_id: str, *, root: str | Path | None = None):
        self.review_dir = Path(review_dir)
        self.doc_id = doc_id
        self.folder = self.review_dir / doc_id
        self.root = Path(root) if root else None
        if not (self.folder / "proposals.jsonl").is_file():
            known = sorted(p.name for p in self.review_dir.glob("*") if (p / "proposals.jsonl").is_file()) \
                if self.review_dir.is_dir() else []
            hint = f"; ingested: {', '.join(known)}" if known else "; run `hetao-kg ingest FILE` first"
            raise ReviewError(f"{self.folder}: no ingested report {doc_id!r}{hint}")
        self.proposals = {p.id: p for p in read_jsonl(self.folder / "proposals.jsonl")}
        self.decisions = json.loads((self.folder / "decisions.json").read_text(encoding="utf-8"))
        self.decisions.setdefault("state", {})
        self.decisions.setdefault("edits", {})
        self.decisions.setdefault("merges", {})
        self.source = json.loads((self.folder / "source.json").read_text(encoding="utf-8"))

    # -- state -------------------------------------------------------------------------------
    def state(self, pid: str) -> str:
        return self.decisions["state"].get(pid, "pending")

    def current(self, pid: str) -> Proposal:
        """The proposal with the curator's edits and merges applied."""
        if pid not in self.proposals:
            raise ReviewError(f"{self.doc_id}: no proposal {pid!r} (see `hetao-kg review list {self.doc_id}`)")
        p = self.proposals[pid]
        edit = self.decisions["edits"].get(pid, {})
        p = self._apply_edit(p, edit) if edit else p
        merges = {URIRef(k): URIRef(v) for k, v in self.decisions["merges"].items()}
        if merges:
            p = replace(p, triples=[tuple(merges.get(t, t) for t in tr) for tr in p.triples],
                        entity=merges.get(p.entity, p.entity) if p.entity is not None else None)
        return p

    def _apply_edit(self, p: Proposal, edit: dict) -> Proposal:
        triples = list(p.triples)

        def swap(pred, value):
            nonlocal triples
            triples = [(s, pr, value if pr == pred else o) for s, pr, o in triples]

        if "label" in edit:
            swap(RDFS.label, Literal(edit["label"], lang="zh-Hans"))
        if "class" in edit:
            swap(RDF.type, HTO[edit["class"]])
        if "status" in edit:
            swap(HTO.developmentStatus, KG[f"status/{edit['status']}"])
        if "words" in edit:
            swap(HTO.statusWords, Literal(edit["words"], lang="zh-Hans"))
        if "value" in edit:
            v = str(edit["value"])
            swap(SCHEMA.value, Literal(int(v)) if re.fullmatch(r"-?\d+", v) else Literal(v, datatype=XSD.decimal))
        if "qualifier" in edit:
            swap(HTO.qualifier, KG[f"qualifier/{edit['qualifier']}"])
        if "object" in edit:
            swap(triples[0][1], URIRef(edit["object"]))
        p = replace(p, triples=triples, label=edit.get("label", p.label))
        if "quote" in edit:
            a, b = edit["quote"]
            text = self._text()
            p = replace(p, quote_start=a, quote_end=b, quote=text[a:b], sentence=_sentence_for(text, a, b).id)
        if "evidence" in edit:
            p = replace(p, evidence=_EVIDENCE[edit["evidence"]], comment=edit.get("comment", p.comment))
        return p

    def _text(self) -> str:
        return (self.folder / "normalized.txt").read_text(encoding="utf-8")

    def _save(self) -> None:
        atomic_write(self.folder / "decisions.json", json.dumps(self.decisions, ensure_ascii=False, indent=1,
                                                                 sort_keys=True) + "\n")

    # -- list -------------------------------------------------------------------------------
    def rows(self, *, kind: str | None = None, state: str | None = None, min_confidence: float = 0.0) -> list[Row]:
        out = []
        for pid in self.proposals:
            p = self.current(pid)
            st = self.state(pid)
            if (kind and p.kind != kind) or (state and st != state) or p.confidence < min_confidence:
                continue
            if p.kind == "mention":
                proposes = f"mentions {_short(p.entity)}"
            elif p.kind == "new-entity":
                proposes = f"new {_short(p.cls)} {_short(p.entity)}"
            else:
                proposes = "; ".join(f"{_short(pr)} {o if isinstance(o, Literal) else _short(o)}"
                                     for s, pr, o in p.triples if pr not in (RDF.type, RDFS.label))
            out.append(Row(pid, p.kind, st, p.confidence, p.label or p.text, proposes, p.quote, p.rule))
        return out

    # -- decisions --------------------------------------------------------------------------
    def reject(self, ids: Iterable[str]) -> list[str]:
        ids = list(ids)
        rejected_file = self.review_dir / "rejected.json"
        remembered = set(json.loads(rejected_file.read_text(encoding="utf-8"))) if rejected_file.is_file() else set()
        for pid in ids:
            self.current(pid)  # an unknown id is an error before anything is written
            if self.state(pid) == "accepted":
                raise ReviewError(f"{pid}: already accepted; remove its graph from the curated file to undo")
        for pid in ids:
            remembered.add(self.proposals[pid].signature())
            self.decisions["state"][pid] = "rejected"
        atomic_write(rejected_file, json.dumps(sorted(remembered), ensure_ascii=False, indent=0) + "\n")
        self._save()
        return ids

    def edit(self, pid: str, **changes) -> Proposal:
        """Change a proposal before accepting it: label, class, status, words, value,
        qualifier, object (a link's target), quote (start, end), evidence (+ comment)."""
        self.current(pid)
        if self.state(pid) == "accepted":
            raise ReviewError(f"{pid}: already accepted")
        changes = {k: v for k, v in changes.items() if v is not None}
        if "class" in changes:
            try:
                HTO[changes["class"]]
            except AttributeError:
                raise ReviewError(f"{changes['class']!r}: not a class of the ontology (e.g. ResearchInstitute)") from None
        if "evidence" in changes and changes["evidence"] not in _EVIDENCE:
            raise ReviewError(f"evidence must be one of {', '.join(_EVIDENCE)}")
        if "object" in changes:
            changes["object"] = str(_iri(changes["object"]))
        if "quote" in changes:
            a, b = changes["quote"]
            _sentence_for(self._text(), a, b, pid=pid)
        merged = {**self.decisions["edits"].get(pid, {}), **changes}
        self.decisions["edits"][pid] = merged
        self.decisions["state"][pid] = "edited"
        self._save()
        return self.current(pid)

    def merge(self, pid: str, into: str) -> URIRef:
        """Make a proposed new entity an existing one: every proposal that names it now names ``into``."""
        p = self.proposals.get(pid)
        if p is None or p.kind != "new-entity":
            raise ReviewError(f"{pid}: only a new-entity proposal can be merged into an existing entity")
        target = _iri(into)
        from ..data.graph import load

        ds = load(self.root)
        if (target, RDF.type, None) not in ds:
            raise ReviewError(f"{into}: no such entity in the graph (it has no rdf:type); "
                              "`hetao-kg search` finds an entity's IRI")
        self.decisions["merges"][str(p.entity)] = str(target)
        self.decisions["state"][pid] = "merged"
        self._save()
        return target

    def set_source(self, *, title: str | None = None, title_en: str | None = None, publisher: str | None = None,
                   date: str | None = None, language: str | None = None) -> dict:
        """Change what the curator says about the source, before its first accept."""
        files = data_files(self.root)
        entries = json.loads((files.sources / "sources.json").read_text(encoding="utf-8"))
        if any(e.get("id") == self.doc_id for e in entries):
            raise ReviewError(f"{self.doc_id}: already registered; edit graph_data/sources/sources.json and "
                              f"graph_data/ingested-{self.doc_id}.trig instead")
        if date:
            _date_triples(KG["x"], date)  # refuses a malformed date
        info = self.source.setdefault("ingested", {})
        for key, value in (("title", title), ("publisher", publisher), ("date", date), ("language", language)):
            if value is not None:
                info[key] = value
        if title:
            self.source["label"]["zh-Hans"] = title
        if title_en:
            self.source["label"]["en"] = title_en
        atomic_write(self.folder / "source.json", json.dumps(self.source, ensure_ascii=False, indent=2) + "\n")
        return self.source

    # -- accept -----------------------------------------------------------------------------
    def accept(self, ids: Iterable[str], *, curator: str, when: str | None = None,
               validate_checks: tuple[str, ...] = ("shacl", "sparql")) -> Path:
        """Write the proposals as curated assertions after validating the result; return the file."""
        ids = list(dict.fromkeys(ids))
        if not curator.strip():
            raise ReviewError("accepting needs the curator's name (--curator NAME)")
        when = when or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        batch = set(ids)
        chosen: list[Proposal] = []
        for pid in ids:
            p = self.current(pid)
            st = self.state(pid)
            if st in ("accepted", "rejected", "merged"):
                raise ReviewError(f"{pid}: already {st}")
            if p.kind == "mention":
                raise ReviewError(f"{pid}: a mention states no fact; accept the statuses and links that use it, "
                                  f"or merge the proposed entity it names")
            for dep in p.depends:
                if self.state(dep) not in ("accepted", "merged") and dep not in batch:
                    dp = self.proposals[dep]
                    raise ReviewError(f"{pid} is about {dp.label!r}, proposed by {dep}: accept {dep} too, "
                                      f"or merge it into an existing entity (`hetao-kg review merge {dep} ENTITY`)")
            chosen.append(p)
        files = data_files(self.root)
        target = files.root / "graph_data" / f"ingested-{self.doc_id}.trig"
        registry = files.sources / "sources.json"
        entries = json.loads(registry.read_text(encoding="utf-8"))
        registered = any(e.get("id") == self.doc_id for e in entries)
        existing = target.read_text(encoding="utf-8") if target.is_file() else ""
        if not registered and not self.source.get("label", {}).get("en"):
            raise ReviewError(f"{self.doc_id}: the source needs an English title before its first fact lands: "
                              f"`hetao-kg review source {self.doc_id} --title-en 'TITLE'`")
        agent = KG[f"agent/curator/{_slug(curator)}"]
        parts = [existing or self._header()]
        if not registered:
            parts.append(self._source_record(agent, curator, when))
        for p in chosen:
            graph = KG[f"assertion/{self.doc_id}/{p.id}"]
            if f"{_term_str(graph)} {{" in existing:
                raise ReviewError(f"{p.id}: already in {target}")
            parts.append(_assertion(p, graph, self.doc_id, agent, curator, when))
            english = self.decisions["edits"].get(p.id, {}).get("en") or _figure_english(p)
            if p.kind in ("new-entity", "figure"):
                if not english:
                    raise ReviewError(f"{p.id} ({p.label}) needs an English label first: "
                                      f"`hetao-kg review edit {self.doc_id} {p.id} --en 'NAME'` (kept as a plain "
                                      "translation, not an official name)")
                parts.append(_english(p, english, graph, agent, when))
        new_text = "".join(parts)
        new_entries = entries if registered else entries + [self._registry_entry()]
        self._validate(files, target, new_text, registered, new_entries, validate_checks)
        # land: source text, registry, facts (each step leaves a valid data root)
        if not registered:
            atomic_write(files.sources / f"{self.doc_id}.txt", (self.folder / "source.txt").read_bytes())
            if (self.folder / "corrections.json").is_file():
                atomic_write(files.sources / f"{self.doc_id}.corrections.json",
                             (self.folder / "corrections.json").read_bytes())
            atomic_write(registry, json.dumps(new_entries, ensure_ascii=False, indent=2) + "\n")
        atomic_write(target, new_text)
        for p in chosen:
            self.decisions["state"][p.id] = "accepted"
        self._save()
        return target

    def _header(self) -> str:
        return PREAMBLE + (f"\n# Curated facts of {self.doc_id}, accepted from the proposals of `hetao-kg ingest` "
                           f"in `hetao-kg review`.\n# One named graph per assertion; quotes and curators in "
                           f"<graph/provenance>.\n\n")

    def _registry_entry(self) -> dict:
        entry = {k: v for k, v in self.source.items() if k != "ingested"}
        if (self.folder / "corrections.json").is_file():
            entry["corrections"] = f"{self.doc_id}.corrections.json"
        return entry

    def _source_record(self, agent: URIRef, curator: str, when: str) -> str:
        info = self.source.get("ingested", {})
        doc = KG[f"doc/{self.doc_id}"]
        triples = [(doc, RDF.type, HTO.ProgressReport)]
        if info.get("title"):
            triples.append((doc, DCTERMS.title, Literal(info["title"], lang=info.get("language") or "zh-Hans")))
        if info.get("publisher"):
            triples.append((doc, DCTERMS.publisher, Literal(info["publisher"])))
        if info.get("date"):
            triples += _date_triples(doc, info["date"])
        if info.get("language"):
            triples.append((doc, DCTERMS.language, Literal(info["language"])))
        graph = KG[f"assertion/{self.doc_id}/source"]
        prov = [(graph, RDF.type, HTO.Assertion), (graph, HTO.evidence, HTO.CuratorSupplied),
                (graph, PROV.wasAttributedTo, agent), (graph, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime, normalize=False)),
                (graph, RDFS.comment, Literal(f"Registered from {info.get('from', '?')} ({info.get('encoding', '?')}); "
                                              "what the curator did not give is left out.", lang="en")),
                (agent, RDF.type, PROV.Agent), (agent, RDFS.label, Literal(curator))]
        return block(graph, triples) + block(KG["graph/provenance"], prov) + "\n"

    def _validate(self, files, target: Path, text: str, registered: bool, entries: list, checks) -> None:
        from ..data.validate import validate

        with tempfile.TemporaryDirectory(prefix="hetao-review-") as tmp:
            root = Path(tmp)
            (root / "ontology").symlink_to(files.root.resolve() / "ontology", target_is_directory=True)
            data = root / "graph_data"
            sources = data / "sources"
            sources.mkdir(parents=True)
            for p in (files.root / "graph_data").iterdir():
                if p.is_file() and p.name != target.name:
                    (data / p.name).symlink_to(p.resolve())
            for p in files.sources.iterdir():
                if p.is_file() and p.name != "sources.json":
                    (sources / p.name).symlink_to(p.resolve())
            (data / target.name).write_text(text, encoding="utf-8")
            (sources / "sources.json").write_text(json.dumps(entries, ensure_ascii=False, indent=2), encoding="utf-8")
            if not registered:
                shutil.copyfile(self.folder / "source.txt", sources / f"{self.doc_id}.txt")
                if (self.folder / "corrections.json").is_file():
                    shutil.copyfile(self.folder / "corrections.json", sources / f"{self.doc_id}.corrections.json")
            report = validate(root, checks=checks)
        before = _baseline(files.root, checks)
        new = [v for v in report.violations if (v.check, v.node, v.message) not in before]
        if new:
            shown = "; ".join(str(v) for v in new[:5])
            more = f" (and {len(new) - 5} more)" if len(new) > 5 else ""
            raise ReviewError(f"not accepted, the result would not validate: {shown}{more}")


_BASELINES: dict[tuple, set] = {}


def _baseline(root: Path, checks: tuple[str, ...]) -> set:
    """The violations the data root has already (an accept must add none)."""
    from ..data.graph import content_key
    from ..data.validate import validate

    key = (str(root), content_key(root), checks)
    if key not in _BASELINES:
        _BASELINES.clear()
        _BASELINES[key] = {(v.check, v.node, v.message) for v in validate(root, checks=checks).violations}
    return _BASELINES[key]


def _sentence_for(text: str, a: int, b: int, *, pid: str = ""):
    from ..source.normalize import split_sentences

    for s in split_sentences(text):
        if s.start <= a < b <= s.end:
            return s
    raise ReviewError(f"{pid}: a quote {a}-{b} must lie inside one sentence of the report")


def _slug(name: str) -> str:
    from pypinyin import lazy_pinyin

    s = re.sub(r"[^a-z0-9]+", "-", "-".join(lazy_pinyin(name.strip())).lower()).strip("-")
    return s or "curator"


def _term_str(t) -> str:
    from .draft import term

    return term(t)


def _date_triples(doc: URIRef, date: str) -> list[tuple]:
    """The source's date in OWL-Time, as the graph dates every source (issue 18): ``2024``,
    ``2024-05``, ``2024-05-17`` (an instant at that precision) or an interval ``A/B``."""
    kinds = ((r"\d{4}", XSD.gYear, TIME.inXSDgYear), (r"\d{4}-\d{2}", XSD.gYearMonth, TIME.inXSDgYearMonth),
             (r"\d{4}-\d{2}-\d{2}", XSD.date, TIME.inXSDDate))

    def instant(d: str) -> tuple[URIRef, list[tuple]]:
        for pattern, datatype, prop in kinds:
            if re.fullmatch(pattern, d):
                node = KG[f"time/{d}"]
                return node, [(node, RDF.type, TIME.Instant), (node, prop, Literal(d, datatype=datatype))]
        raise ReviewError(f"{d!r}: a date is YYYY, YYYY-MM or YYYY-MM-DD")

    if "/" in date:
        a, b = date.split("/", 1)
        (start, first), (end, last) = instant(a), instant(b)
        span = KG[f"time/{doc.rsplit('/', 1)[-1]}"]
        return [(doc, TIME.hasTime, span), (span, RDF.type, TIME.Interval), (span, TIME.hasBeginning, start),
                (span, TIME.hasEnd, end), *first, *last]
    node, triples = instant(date)
    return [(doc, TIME.hasTime, node), *triples]


_UNITS_EN = {"平方米": "square metres", "平方公里": "square kilometres", "人": "people", "亿元": "hundred million yuan",
             "万元": "ten thousand yuan", "元": "yuan", "项": "items", "个": "", "家": "", "所": "", "名": "people"}


def _figure_english(p: Proposal) -> str | None:
    """A plain English label for a figure (``约60万平方米`` -> ``about 600,000 square metres``)."""
    if p.kind != "figure":
        return None
    values = {pr: o for _, pr, o in p.triples}
    unit = str(values.get(SCHEMA.unitText, ""))
    if unit not in _UNITS_EN:
        return None
    q = str(values.get(HTO.qualifier, "")).rsplit("/", 1)[-1]
    words = {"about": "about ", "more-than": "more than ", "exactly": ""}.get(q, "")
    value = values[SCHEMA.value].toPython()
    number = f"{value:,}" if isinstance(value, int) else str(value)
    return f"{words}{number} {_UNITS_EN[unit]}".strip()


def _english(p: Proposal, english: str, graph: URIRef, agent: URIRef, when: str) -> str:
    en_graph = URIRef(f"{graph}/en")
    prov = [(en_graph, RDF.type, HTO.Assertion), (en_graph, HTO.evidence, HTO.PlainTranslation),
            (en_graph, PROV.wasAttributedTo, agent), (en_graph, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime, normalize=False)),
            (en_graph, RDFS.comment, Literal("English label translated plainly in review; not an official name.",
                                             lang="en"))]
    facts = [(p.entity, RDFS.label, Literal(english, lang="en"))]
    if p.cls == HTO.Sector:
        facts.append((p.entity, SKOS.prefLabel, Literal(english, lang="en")))
    return block(en_graph, facts) + \
        block(KG["graph/provenance"], prov) + "\n"


def _assertion(p: Proposal, graph: URIRef, doc_id: str, agent: URIRef, curator: str, when: str) -> str:
    prov = [(graph, RDF.type, HTO.Assertion), (graph, HTO.evidence, p.evidence),
            (graph, PROV.wasDerivedFrom, quote_iri(doc_id, p.quote_start, p.quote_end)),
            (graph, PROV.wasAttributedTo, agent), (graph, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime, normalize=False))]
    if p.comment:
        prov.append((graph, RDFS.comment, Literal(p.comment, lang="en")))
    prov += [(agent, RDF.type, PROV.Agent), (agent, RDFS.label, Literal(curator))]
    prov += quote_triples(doc_id, p.quote_start, p.quote_end, p.quote, p.sentence)
    return block(graph, p.triples) + block(KG["graph/provenance"], prov) + "\n"
