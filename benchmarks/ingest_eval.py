"""How much of a curator's work `hetao-kg ingest` does: precision and recall of its
proposals against hand-curated (or generated) gold, and the share of curated
assertions an accepted proposal reproduces exactly.

    python benchmarks/ingest_eval.py                      # the project's report
    python benchmarks/ingest_eval.py --synthetic 1 10 100 # + generated garbled reports

The extractor never sees the curated facts it is scored against: it runs on a data
root built from the ontology, the vocabularies and the context facts only
(``graph_data/report-facts.trig`` and every generated report's TriG left out), so its
lexicon knows what the context facts name and nothing the curators wrote about the
report (tests/test_ingest.py enforces it).

Categories, each scored on its own (P = correct proposals / proposals, R = gold found / gold):

* mentions: exact character spans of the gold entities' zh-Hans names in the text;
* links to existing entities: (span, entity) for gold mentions whose entity the
  lexicon knows;
* new entities: distinct labels of gold entities the lexicon does not know (class
  agreement reported among the matches);
* statuses: (entity, status concept); figures: (value, qualifier, unit);
  dates: (entity, date); links: (subject, property, object) between entities.

A proposed entity is matched to a gold one by IRI when the lexicon knows it, else by
its zh-Hans label. "Curator time saved" = gold assertion triples that some proposal
reproduces with the same triple (after that matching) and the same quote span, over all
gold triples of the report's stated and inferred assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from rdflib import Dataset, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS  # noqa: E402
from rdflib.namespace import SDO as SCHEMA  # noqa: E402

from hetao_kg.ingest import ingest_file, lexicon_for  # noqa: E402
from hetao_kg.ingest.draft import read_jsonl  # noqa: E402
from hetao_kg.namespaces import HTO, KG, OA  # noqa: E402

CATEGORIES = ("mentions", "links to existing entities", "new entities", "statuses", "figures", "dates", "links")
_NOT_ENTITY = {HTO.Figure, HTO.Cohort, HTO.ProgressClaim, HTO.Strategy, HTO.ReportSeries, HTO.ProgressReport,
               HTO.SourceDocument, SKOS.ConceptScheme, HTO.Assertion, HTO.Quote}
_NOT_LINK = {HTO.developmentStatus, HTO.qualifier, HTO.statedCount, HTO.hasFigure, HTO.area, HTO.evidence,
             HTO.inSentence, HTO.inDocument, HTO.inSeries, HTO.claimAbout, RDF.type, SKOS.inScheme,
             SKOS.hasTopConcept, OWL.sameAs, PROV.wasDerivedFrom, PROV.wasAttributedTo}


_NAMES = (REPO / "graph_data" / "english-names.trig", REPO / "graph_data" / "context-facts.trig")


def eval_root(out: Path, source: Path = REPO, *, sources: Path | None = None) -> Path:
    """A data root with the ontology, vocabularies and context facts only: no curated report facts."""
    if out.exists():
        shutil.rmtree(out)
    (out / "graph_data").mkdir(parents=True)
    shutil.copytree(source / "ontology", out / "ontology")
    for name in ("context-facts.trig", "english-names.trig", "zh-hant-overrides.json"):
        shutil.copyfile(source / "graph_data" / name, out / "graph_data" / name)
    shutil.copytree(sources or source / "graph_data" / "sources", out / "graph_data" / "sources")
    return out


# --- gold --------------------------------------------------------------------------------


class Gold:
    """The curated facts of one report: entities, names, statuses, figures, links, assertions."""

    def __init__(self, trig: Path, doc_iri: URIRef, *, names_from: tuple[Path, ...] = ()):
        self.ds = Dataset(default_union=True)
        self.ds.parse(trig, format="trig", publicID=KG)
        names = Dataset(default_union=True)
        for path in (trig, *names_from):  # every zh-Hans name the full graph gives a gold entity
            names.parse(path, format="trig", publicID=KG)
        prov = self.ds.graph(KG["graph/provenance"])
        self.entities: dict[URIRef, URIRef] = {}
        self.labels: dict[URIRef, list[str]] = {}
        self.by_label: dict[str, URIRef] = {}
        for s, _, c in self.ds.triples((None, RDF.type, None)):
            if isinstance(s, URIRef) and c not in _NOT_ENTITY and s != doc_iri and not str(s).startswith(str(KG["quote/"])):
                self.entities[s] = c
        for s in self.entities:
            for p in (RDFS.label, SKOS.altLabel):
                for lit in names.objects(s, p):
                    if isinstance(lit, Literal) and (lit.language or "").lower() == "zh-hans":
                        self.labels.setdefault(s, []).append(str(lit))
                        self.by_label.setdefault(str(lit), s)
        self.assertions: list[tuple[URIRef, set, set]] = []  # (graph, triples, quote spans)
        for g in self.ds.graphs():
            gid = g.identifier
            if gid == KG["graph/provenance"] or not len(g) or not str(gid).startswith(str(KG["assertion/"])):
                continue
            spans = set()
            for q in prov.objects(gid, PROV.wasDerivedFrom):
                a, b = prov.value(q, OA.start), prov.value(q, OA.end)
                if a is not None:
                    spans.add((int(a), int(b)))
            self.assertions.append((gid, set(g), spans))

    def triples(self):
        for _, triples, _ in self.assertions:
            yield from triples


def _prf(correct_p: int, n_p: int, correct_r: int, n_g: int) -> dict:
    p = correct_p / n_p if n_p else None
    r = correct_r / n_g if n_g else None
    return {"proposed": n_p, "gold": n_g, "precision": p, "recall": r}


def zh_known(lex) -> set:
    """Entities the lexicon can find in Chinese text (a zh name, not only an English one)."""
    han = re.compile(r"[\u3400-\u9fff]")
    return {n.entity for names in lex.names.values() for n in names if han.search(n.text)}


def score(gold: Gold, proposals, text: str, lexicon_entities: set) -> dict:
    """Precision and recall per category, and the curator time saved. ``lexicon_entities``:
    the entities the extractor could link by a Chinese name (the rest count as new)."""
    # predicted entity -> gold entity
    pred_label = {p.entity: p.label for p in proposals if p.kind == "new-entity"}

    def to_gold(e):
        if e in gold.entities or not isinstance(e, URIRef):
            return e
        label = pred_label.get(e)
        return gold.by_label.get(label, e) if label else e

    # mentions: every occurrence of a gold entity's zh-Hans name
    gold_mentions: dict[tuple[int, int], set] = {}
    for e, names in gold.labels.items():
        for name in names:
            i = text.find(name)
            while i >= 0:
                gold_mentions.setdefault((i, i + len(name)), set()).add(e)
                i = text.find(name, i + 1)
    pred_mentions = {(p.start, p.end) for p in proposals if p.kind in ("mention", "new-entity")}
    res = {"mentions": _prf(len(pred_mentions & gold_mentions.keys()), len(pred_mentions),
                            len(pred_mentions & gold_mentions.keys()), len(gold_mentions))}
    # links to existing entities
    gold_links = {(span, e) for span, es in gold_mentions.items() for e in es if e in lexicon_entities}
    pred_links = {((p.start, p.end), p.entity) for p in proposals if p.kind == "mention" and p.rule.startswith("lexicon")}
    ok = pred_links & gold_links
    res["links to existing entities"] = _prf(len(ok), len(pred_links), len(ok), len(gold_links))
    # new entities
    gold_new = {lab: e for e, labs in gold.labels.items() if e not in lexicon_entities for lab in labs[:1]}
    pred_new = {p.label: p.cls for p in proposals if p.kind == "new-entity"}
    hits = set(pred_new) & set(gold_new)
    res["new entities"] = _prf(len(hits), len(pred_new), len(hits), len(gold_new))
    res["new entities"]["class agreement"] = (sum(1 for h in hits if pred_new[h] == gold.entities[gold_new[h]]) / len(hits)
                                              if hits else None)
    # statuses
    gold_st = {(s, o) for s, p, o in gold.triples() if p == HTO.developmentStatus and s in gold.entities}
    pred_st = {(to_gold(t[0]), t[2]) for p in proposals if p.kind == "status" for t in p.triples
               if t[1] == HTO.developmentStatus}
    ok = pred_st & gold_st
    res["statuses"] = _prf(len(ok), len(pred_st), len(ok), len(gold_st))
    # figures
    def fig(triples):
        v = {p: o for _, p, o in triples}
        return (v[SCHEMA.value].toPython(), str(v[HTO.qualifier]).rsplit("/", 1)[-1], str(v[SCHEMA.unitText]))

    gold_fig = Counter()
    for f in {s for s, p, o in gold.triples() if p == RDF.type and o == HTO.Figure}:
        gold_fig[fig([t for t in gold.triples() if t[0] == f])] += 1
    pred_fig = Counter(fig(p.triples) for p in proposals if p.kind == "figure")
    ok = sum((pred_fig & gold_fig).values())
    res["figures"] = _prf(ok, sum(pred_fig.values()), ok, sum(gold_fig.values()))
    # dates
    gold_dates = {(s, o) for s, p, o in gold.triples() if p in (DCTERMS.date, SCHEMA.startDate, SCHEMA.endDate)}
    pred_dates = {(to_gold(t[0]), t[2]) for p in proposals if p.kind == "date" for t in p.triples}
    ok = pred_dates & gold_dates
    res["dates"] = _prf(len(ok), len(pred_dates), len(ok), len(gold_dates))
    # links between entities
    known = set(gold.entities) | lexicon_entities
    gold_ln = {(s, p, o) for s, p, o in gold.triples() if isinstance(o, URIRef) and p not in _NOT_LINK
               and str(p).startswith(str(HTO._NS)) and s in known and o in known}
    pred_ln = {(to_gold(t[0]), t[1], to_gold(t[2])) for p in proposals if p.kind == "link" for t in p.triples}
    ok = pred_ln & gold_ln
    res["links"] = _prf(len(ok), len(pred_ln), len(ok), len(gold_ln))
    # curator time saved: same triple, same quote span
    fig_map = {}
    gold_figs = {s for s, p, o in gold.triples() if p == RDF.type and o == HTO.Figure}
    for f in gold_figs:
        fig_map[fig([t for t in gold.triples() if t[0] == f])] = f
    by_span: dict[tuple[int, int], set] = {}
    any_span: set = set()
    for p in proposals:
        m = {}
        if p.kind == "figure":
            m[p.entity] = fig_map.get(fig(p.triples), p.entity)
        for s, pr, o in p.triples:
            t = (m.get(s, to_gold(s)), pr, m.get(o, to_gold(o)) if isinstance(o, URIRef) else o)
            by_span.setdefault((p.quote_start, p.quote_end), set()).add(t)
            any_span.add(t)
    total = same_span = anywhere = whole = 0
    for _, triples, spans in gold.assertions:
        got = set().union(*(by_span.get(s, set()) for s in spans)) if spans else set()
        n = len(triples & got)
        total += len(triples)
        same_span += n
        anywhere += len(triples & any_span)
        whole += n == len(triples)
    res["time saved"] = {"gold triples": total, "same triple and quote": same_span, "share": same_span / total if total else None,
                         "same triple, any quote": anywhere / total if total else None,
                         "assertions reproduced whole": whole, "assertions": len(gold.assertions)}
    return res


# --- the report -----------------------------------------------------------------------------


def eval_report(work: Path) -> dict:
    from hetao_kg.source.sources import source_documents

    root = eval_root(work / "root")
    review = work / "review"
    report = REPO / "graph_data" / "sources" / "000_d0ad826a37126c33.txt"
    t0 = time.perf_counter()
    lex = lexicon_for(root)
    t_lex = time.perf_counter() - t0
    t0 = time.perf_counter()
    ingest_file(report, review_dir=review, root=root, doc_id="eval-report", lexicon=lex,
                about=KG["park/shenzhen-park"], corrections=REPO / "graph_data" / "sources" / "corrections.json")
    t_ingest = time.perf_counter() - t0
    text = (review / "eval-report" / "normalized.txt").read_text(encoding="utf-8")
    assert text == source_documents()["hetao-progress-report"].text, "offsets differ from the registered report"
    proposals = read_jsonl(review / "eval-report" / "proposals.jsonl")
    # the gold quotes point at <doc/hetao-progress-report>: same text, same offsets
    gold = Gold(REPO / "graph_data" / "report-facts.trig", KG["doc/hetao-progress-report"], names_from=_NAMES)
    res = score(gold, proposals, text, zh_known(lex))
    res["seconds"] = {"lexicon": t_lex, "ingest": t_ingest}
    res["proposals"] = dict(Counter(p.kind for p in proposals))
    return res


# --- generated reports --------------------------------------------------------------------


def garble(text: str, rng: random.Random) -> str:
    """Render clean Simplified text as the report arrived: Traditional characters, most
    followed by their pinyin with tone marks (``標(biāo)``)."""
    from pypinyin import Style, pinyin

    from hetao_kg.source.normalize import opencc_converter

    trad = opencc_converter("s2t").convert(text)
    marks = pinyin(text, style=Style.TONE, errors=lambda chars: [None] * len(chars), heteronym=False)
    out = []
    for ch, simp, py in zip(trad, text, marks):
        out.append(ch)
        if py and py[0] and "\u4e00" <= simp <= "\u9fff" and rng.random() < 0.8:
            out.append(f"({py[0]})")
    return "".join(out)


def eval_synthetic(work: Path, counts: list[int], seed: int = 7) -> list[dict]:
    from corpus import generate

    from hetao_kg.source.normalize import normalize

    most = max(counts)
    corpus = work / "corpus"
    generate(corpus, reports=most + 1, seed=seed)
    root = eval_root(work / "synroot")
    lex = lexicon_for(root)
    rng = random.Random(seed)
    files = sorted((corpus / "graph_data").glob("synthetic-*.trig"))
    out = []
    results = []
    for n in counts:
        totals: dict = {}
        seconds = []
        mismatched = 0
        for trig in files[:n]:
            doc = trig.stem
            text = (corpus / "graph_data" / "sources" / f"{doc}.txt").read_text(encoding="utf-8")
            garbled = work / "garbled" / f"{doc}.txt"
            garbled.parent.mkdir(exist_ok=True)
            if not garbled.is_file():
                garbled.write_text(garble(text, rng), encoding="utf-8")
            if normalize(garbled.read_text(encoding="utf-8")).text != text:
                mismatched += 1  # an OpenCC round trip that is not the identity (offsets still agree)
            review = work / f"review-{n}"
            t0 = time.perf_counter()
            ingest_file(garbled, review_dir=review, root=root, doc_id=doc, lexicon=lex)
            seconds.append(time.perf_counter() - t0)
            proposals = read_jsonl(review / doc / "proposals.jsonl")
            res = score(Gold(trig, KG[f"doc/{doc}"], names_from=_NAMES), proposals, text, zh_known(lex))
            for cat in CATEGORIES:
                agg = totals.setdefault(cat, Counter())
                r = res[cat]
                agg["proposed"] += r["proposed"]
                agg["gold"] += r["gold"]
                agg["cp"] += round((r["precision"] or 0) * r["proposed"])
                agg["cr"] += round((r["recall"] or 0) * r["gold"])
            ts = totals.setdefault("time saved", Counter())
            ts["gold"] += res["time saved"]["gold triples"]
            ts["same"] += res["time saved"]["same triple and quote"]
        summary = {"reports": n, "seconds per report": sum(seconds) / len(seconds), "total seconds": sum(seconds),
                   "round-trip mismatches": mismatched}
        for cat in CATEGORIES:
            a = totals[cat]
            summary[cat] = _prf(a["cp"], a["proposed"], a["cr"], a["gold"])
        summary["time saved"] = {"share": totals["time saved"]["same"] / totals["time saved"]["gold"]
                                 if totals["time saved"]["gold"] else None}
        results.append(summary)
        out.append(summary)
    return results


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def table(report: dict | None, synthetic: list[dict]) -> str:
    lines = []
    if report:
        lines += ["| category | proposed | gold | precision | recall |", "| --- | ---: | ---: | ---: | ---: |"]
        for cat in CATEGORIES:
            r = report[cat]
            extra = (f" (class agrees on {_pct(r['class agreement'])})" if cat == "new entities" else "")
            lines.append(f"| {cat}{extra} | {r['proposed']} | {r['gold']} | {_pct(r['precision'])} | {_pct(r['recall'])} |")
        ts = report["time saved"]
        lines += ["", f"Curator time saved: {ts['same triple and quote']} of {ts['gold triples']} curated triples "
                  f"({_pct(ts['share'])}) are reproduced by a proposal with the same quote span; "
                  f"{_pct(ts['same triple, any quote'])} with any quote; {ts['assertions reproduced whole']} of "
                  f"{ts['assertions']} assertions whole. Ingest took {report['seconds']['ingest']:.2f} s "
                  f"(lexicon {report['seconds']['lexicon']:.2f} s)."]
    if synthetic:
        lines += ["", "| generated reports | s / report | " + " | ".join(f"{c} P / R" for c in CATEGORIES) + " | time saved |",
                  "| ---: | ---: | " + " | ".join("---" for _ in CATEGORIES) + " | ---: |"]
        for s in synthetic:
            cells = [f"{_pct(s[c]['precision'])} / {_pct(s[c]['recall'])}" for c in CATEGORIES]
            lines.append(f"| {s['reports']} | {s['seconds per report']:.3f} | " + " | ".join(cells)
                         + f" | {_pct(s['time saved']['share'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--synthetic", type=int, nargs="*", default=[], help="numbers of generated reports, e.g. 1 10 100")
    ap.add_argument("--no-report", action="store_true", help="skip the project's report")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ingest-eval-") as tmp:
        work = Path(tmp)
        report = None if args.no_report else eval_report(work)
        synthetic = eval_synthetic(work, sorted(args.synthetic), seed=args.seed) if args.synthetic else []
    print(table(report, synthetic))
    if args.json:
        args.json.write_text(json.dumps({"report": report, "synthetic": synthetic}, ensure_ascii=False, indent=1,
                                        default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
