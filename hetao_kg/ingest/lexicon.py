"""What the extractor knows: every name the graph has for each entity, the status words
of the status vocabulary, and the classes a new name's ending suggests.

The lexicon is read from a built dataset (:func:`hetao_kg.graph.load`), so it holds
exactly what the graph knows: zh-Hans labels, alternative labels and abbreviations,
the derived zh-Hant labels, English names, and a toneless pinyin key for each Chinese
name. Nothing is read from any file directly: run on a data root without a file and
the lexicon does not know what that file says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespaces import HTO, KG

__all__ = ["Name", "Lexicon", "StatusWord", "build_lexicon", "pinyin_key", "STATUS_SYNONYMS"]

_HAN = re.compile(r"[\u3400-\u9fff]")

# Entity classes the extractor links to (instances of other classes are not "entities":
# status concepts, qualifiers, sentences, quotes, assertions, the ontology itself).
_NOT_ENTITIES = {HTO.DevelopmentStatus, HTO.Qualifier, HTO.EvidenceKind, HTO.Sentence, HTO.Paragraph,
                 HTO.Quote, HTO.Assertion, HTO.NeverStatedRule, HTO.Figure, HTO.SourceDocument,
                 HTO.ProgressReport, HTO.ProgressClaim, HTO.Strategy}
# IRI folders of entities (``<org/hku>``); labels of other nodes are not names to link
_FAMILIES = {"org", "project", "park", "zone", "place", "region", "policy", "sector", "service", "facility",
             "platform", "space", "person", "cohort"}
# the class an untyped entity's folder implies (a graph without the file that types it)
_FAMILY_CLASS = {"park": HTO.Park, "zone": HTO.CooperationZone, "place": HTO.Jurisdiction, "region": HTO.Region,
                 "sector": HTO.Sector, "service": HTO.Service, "facility": HTO.Facility, "cohort": HTO.Cohort}

#: The report's own status words that the vocabulary does not spell out, each mapped to the
#: nearest concept of the status vocabulary (the issue's 开工, 印发, 签署 …). Proposals found
#: through this table say so in their rule and carry a lower confidence.
STATUS_SYNONYMS = {
    "开工": "status/under-construction",
    "开工建设": "status/under-construction",
    "动工": "status/under-construction",
    "竣工": "status/completed",
    "印发": "status/issued",
    "发布": "status/issued",
    "签署": "status/signed-and-implemented",
    "签约": "status/signed-and-implemented",
    "揭牌": "status/unveiled-and-running",
    "挂牌": "status/unveiled-and-running",
    "运营": "status/in-operation",
    "入驻": "status/landed",
    "成立": "status/established",
}


@dataclass(frozen=True)
class Name:
    """One way the graph names an entity, and how it knows it."""

    text: str
    entity: URIRef
    how: str  # label, alt-label, zh-Hant, English, abbreviation, pinyin


@dataclass(frozen=True)
class StatusWord:
    text: str
    status: URIRef
    how: str  # vocabulary label, vocabulary definition, curated status words, synonym table


@dataclass
class Lexicon:
    """Names -> entities, status words -> concepts, and each entity's class and label."""

    names: dict[str, list[Name]] = field(default_factory=dict)
    pinyin: dict[str, list[Name]] = field(default_factory=dict)
    statuses: dict[str, StatusWord] = field(default_factory=dict)
    classes: dict[URIRef, URIRef] = field(default_factory=dict)
    labels: dict[URIRef, str] = field(default_factory=dict)
    status_scheme: dict[URIRef, URIRef] = field(default_factory=dict)

    def add(self, name: Name) -> None:
        entries = self.names.setdefault(name.text, [])
        if all(e.entity != name.entity for e in entries):
            entries.append(name)

    def entities(self) -> set[URIRef]:
        return {n.entity for names in self.names.values() for n in names}


def pinyin_key(text: str) -> str:
    """A toneless, spaceless pinyin key of a Chinese name (``香港大学`` -> ``xianggangdaxue``).

    >>> pinyin_key("香港大学")
    'xianggangdaxue'
    """
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower()


def _lang(lit: Literal) -> str:
    return (lit.language or "").lower()


def build_lexicon(ds: Dataset) -> Lexicon:
    """Collect the lexicon from a loaded dataset."""
    lex = Lexicon()
    typed: dict[URIRef, URIRef | None] = {}
    for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
        for s in ds.subjects(prop, None):
            if isinstance(s, URIRef) and str(s).startswith(str(KG)):
                family = str(s)[len(str(KG)):].split("/", 1)[0]
                if family in _FAMILIES and not (set(ds.objects(s, RDF.type)) & (_NOT_ENTITIES | {SKOS.ConceptScheme})):
                    typed[s] = None
    for s in typed:
        # the narrowest class from the ontology namespace (not a superclass from inference)
        direct = [c for c in ds.objects(s, RDF.type) if str(c).startswith(str(HTO))]
        supers = {sup for c in direct for sup in ds.objects(c, RDFS.subClassOf) if sup != c}
        narrow = sorted(c for c in direct if c not in supers) or sorted(direct)
        typed[s] = narrow[0] if narrow else _FAMILY_CLASS.get(str(s)[len(str(KG)):].split("/", 1)[0])
    literals = []
    for prop, how in ((RDFS.label, "label"), (SKOS.prefLabel, "label"), (SKOS.altLabel, "alt-label")):
        for s, _, lit in ds.triples((None, prop, None)):
            if s in typed and isinstance(lit, Literal):
                order = {"zh-hans": 0, "": 1, "en": 2, "zh-hant": 3}.get(_lang(lit), 4)
                literals.append((order, how != "label", str(s), how, s, lit))
    literals.sort(key=lambda x: x[:4] + (str(x[5]),))
    for _, _, _, how, s, lit in literals:
        text, lang = str(lit).strip(), _lang(lit)
        if lang == "zh-hans" and how == "label":
            lex.labels.setdefault(s, text)
        kind = how
        if lang == "zh-hant":
            kind = "zh-Hant"
        elif lang == "en" or not _HAN.search(text):
            kind = "abbreviation" if re.fullmatch(r"[A-Z0-9&-]{2,8}", text) else "English"
        if len(text) < 2:
            continue
        lex.add(Name(text, s, kind))
        if lang == "zh-hans" and _HAN.search(text):
            key = pinyin_key(text)
            if len(key) >= 6:
                lex.pinyin.setdefault(key, []).append(Name(key, s, "pinyin"))
    for s, cls in typed.items():
        lex.classes[s] = cls
    _status_words(ds, lex)
    return lex


def _status_words(ds: Dataset, lex: Lexicon) -> None:
    concepts = set(ds.subjects(RDF.type, HTO.DevelopmentStatus))
    for c in concepts:
        for scheme in ds.objects(c, SKOS.inScheme):
            lex.status_scheme[c] = scheme
        for lit in ds.objects(c, SKOS.prefLabel):
            if _lang(lit) == "zh-hans":
                lex.statuses.setdefault(str(lit), StatusWord(str(lit), c, "vocabulary label"))
        for lit in ds.objects(c, SKOS.definition):
            # the definitions spell out the source words they cover: "(建成, 完成建设)"
            for group in re.findall(r"[(（]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]", str(lit)):
                for word in re.split(r"[,，、]\s*", group):
                    word = word.strip()
                    if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", word):
                        lex.statuses.setdefault(word, StatusWord(word, c, "vocabulary definition"))
    # status words curators already paired with a concept in the loaded data
    for s, _, words in ds.triples((None, HTO.statusWords, None)):
        for c in ds.objects(s, HTO.developmentStatus):
            if c in concepts and isinstance(words, Literal):
                lex.statuses.setdefault(str(words), StatusWord(str(words), c, "curated status words"))
    for word, iri in STATUS_SYNONYMS.items():
        if KG[iri] in concepts:
            lex.statuses.setdefault(word, StatusWord(word, KG[iri], "synonym table"))
