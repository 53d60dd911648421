"""Namespaces of hetao-kg: the ontology (HTO), instance IRIs (KG), one prefix per
entity family (``inst:hku``, ``proj:…``, ``sector:…``, in the style of Wikidata's
``wd:Q42``) and the Web Annotation vocabulary (OA) that rdflib does not ship.

A compact name is valid SPARQL and Turtle: ``kg:org/hku`` is not (a ``/`` may not
appear unescaped in a prefixed local name), so entities print as ``inst:hku``.

>>> HTO.University
rdflib.term.URIRef('https://w3id.org/hetao-kg/ontology#University')
>>> KG["org/hku"] == INST.hku
True
>>> compact("https://w3id.org/hetao-kg/id/org/hku"), compact("https://w3id.org/hetao-kg/id/quote/report/844-864")
('inst:hku', 'https://w3id.org/hetao-kg/id/quote/report/844-864')
>>> expand("kg:org/hku") == expand("inst:hku") == KG["org/hku"]
True
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD, DefinedNamespace

__all__ = [
    "FAMILIES",
    "HTO",
    "INST",
    "KG",
    "OA",
    "ORG",
    "PREFIXES",
    "PROJ",
    "QUERY_BASE",
    "SECTOR",
    "WD",
    "bind_prefixes",
    "canonical_lang",
    "compact",
    "expand",
]

KG = Namespace("https://w3id.org/hetao-kg/id/")

#: The base IRI a query's relative IRIs resolve against in the API and the CLI (every
#: store alike; a ``BASE`` in the query overrides it): the instance namespace, the base
#: the data files are read with, so ``<org/hku>`` is ``inst:hku``. ``hetao-kg serve``
#: resolves them against its endpoint URL instead (SPARQL 1.1 Query §4.1.1.2).
QUERY_BASE = str(KG)

#: IRI path segment of each entity family -> the prefix its compact names use.
#: ``org`` is W3C ORG's prefix, so organizations are ``inst:``; projects ``proj:``.
FAMILIES: dict[str, str] = {
    "org": "inst",
    "project": "proj",
    "sector": "sector",
    "policy": "policy",
    "platform": "platform",
    "service": "service",
    "space": "space",
    "facility": "facility",
    "status": "status",
    "qualifier": "qualifier",
    "unit": "unit",
    "figure": "figure",
    "cohort": "cohort",
    "claim": "claim",
    "strategy": "strategy",
    "zone": "zone",
    "park": "park",
    "place": "place",
    "region": "region",
    "person": "person",
    "series": "series",
    "agent": "agent",
    "doc": "doc",
    "assertion": "assertion",
    "rule": "rule",
}
INST = Namespace(KG["org/"])
PROJ = Namespace(KG["project/"])
SECTOR = Namespace(KG["sector/"])
WD = Namespace("http://www.wikidata.org/entity/")
ORG = Namespace("http://www.w3.org/ns/org#")


class OA(DefinedNamespace):
    """The part of the W3C Web Annotation vocabulary that hetao-kg uses."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    exact: URIRef
    start: URIRef
    end: URIRef


class HTO(DefinedNamespace):
    """The hetao-kg ontology (``ontology/hetao.ttl``); a misspelt term raises AttributeError."""

    _NS = Namespace("https://w3id.org/hetao-kg/ontology#")
    _fail = True

    # classes and individuals
    ArbitrationPlatform: URIRef
    Assertion: URIRef
    Cohort: URIRef
    Company: URIRef
    CompanyUnit: URIRef
    ConstructionProject: URIRef
    CooperationArrangement: URIRef
    CooperationPlatform: URIRef
    CooperationZone: URIRef
    CuratorInference: URIRef
    DevelopmentPlan: URIRef
    DevelopmentStatus: URIRef
    EntailedFromInference: URIRef
    EvidenceKind: URIRef
    Facility: URIRef
    Figure: URIRef
    FrameworkAgreement: URIRef
    GovernmentAgency: URIRef
    Hospital: URIRef
    ImplementingRules: URIRef
    IncubationBase: URIRef
    InferredFromContext: URIRef
    InferredFromList: URIRef
    InferredFromName: URIRef
    InternationalOrganization: URIRef
    InvestmentFinancingPlan: URIRef
    JointPolicyPackage: URIRef
    Jurisdiction: URIRef
    LegalInstitution: URIRef
    CuratorSupplied: URIRef
    MachineConversion: URIRef
    MachineProposal: URIRef
    NeverStatedRule: URIRef
    Organization: URIRef
    Paragraph: URIRef
    Park: URIRef
    Person: URIRef
    PlainTranslation: URIRef
    Policy: URIRef
    PolicySupport: URIRef
    ProgressClaim: URIRef
    ProgressReport: URIRef
    Project: URIRef
    Qualifier: URIRef
    Quote: URIRef
    Region: URIRef
    RegionalBranchCentre: URIRef
    ReportSeries: URIRef
    ResearchInstitute: URIRef
    ResearchManagementMechanism: URIRef
    ResearchProject: URIRef
    RnDCentre: URIRef
    Sector: URIRef
    Sentence: URIRef
    Service: URIRef
    ServiceCentre: URIRef
    ServicePlatform: URIRef
    SourceDocument: URIRef
    Space: URIRef
    StatedInSource: URIRef
    Strategy: URIRef
    University: URIRef
    VerifiedExternal: URIRef
    # time and sources (issue 18)
    Event: URIRef
    EventKind: URIRef
    InferredFromDates: URIRef
    InferredSameMeasure: URIRef
    Measure: URIRef
    PublicSource: URIRef
    Publisher: URIRef
    SourceKind: URIRef
    # properties
    affiliatedWith: URIRef
    appliesTo: URIRef
    approach: URIRef
    area: URIRef
    branchOf: URIRef
    broughtIn: URIRef
    broughtInBy: URIRef
    broughtInByGroup: URIRef
    championedBy: URIRef
    claimAbout: URIRef
    concerns: URIRef
    confidence: URIRef
    counts: URIRef
    designatesPlatform: URIRef
    dependsOn: URIRef
    developmentStatus: URIRef
    documentNumber: URIRef
    evidence: URIRef
    foundIn: URIRef
    gatheredAt: URIRef
    hasFigure: URIRef
    hasMember: URIRef
    implements: URIRef
    inDocument: URIRef
    inSector: URIRef
    inSentence: URIRef
    inSeries: URIRef
    keySector: URIRef
    issuedBy: URIRef
    locatedIn: URIRef
    mentions: URIRef
    milestone: URIRef
    offersService: URIRef
    paragraphNumber: URIRef
    parkOf: URIRef
    party: URIRef
    platformOf: URIRef
    publishedBy: URIRef
    purpose: URIRef
    proposalKind: URIRef
    proposalRule: URIRef
    pursuedBy: URIRef
    qualifier: URIRef
    ruleDocument: URIRef
    ruleProperty: URIRef
    ruleSubject: URIRef
    sentenceNumber: URIRef
    stageOrder: URIRef
    statedCount: URIRef
    statusWords: URIRef
    suggestedEvidence: URIRef
    unitOf: URIRef
    # time and sources (issue 18)
    claimedMember: URIRef
    eventKind: URIRef
    eventOf: URIRef
    measure: URIRef
    openBeginning: URIRef
    openEnd: URIRef
    originallyPublishedBy: URIRef
    participant: URIRef
    plannedIn: URIRef
    restsOn: URIRef
    resultingStatus: URIRef
    sourceKind: URIRef
    sourceWeight: URIRef
    targetTime: URIRef

PREFIXES: dict[str, Namespace | str] = {
    "hto": HTO._NS,
    **{prefix: Namespace(KG[f"{family}/"]) for family, prefix in FAMILIES.items()},
    "kg": KG,
    "rdf": RDF._NS,
    "rdfs": RDFS._NS,
    "owl": OWL._NS,
    "xsd": XSD._NS,
    "skos": SKOS._NS,
    "dcterms": DCTERMS._NS,
    "prov": PROV._NS,
    "time": TIME._NS,
    "schema": SDO._NS,
    "oa": OA._NS,
    "org": ORG,
    "wd": WD,
}


# A prefixed name's local part that SPARQL and Turtle both accept without escapes.
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
# Longest namespace first, so inst: wins over kg: for .../id/org/hku.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1])))


def compact(iri: str) -> str:
    """``prefix:local`` when that is a valid SPARQL/Turtle prefixed name, else the IRI."""
    iri = str(iri)
    for prefix, ns in _BY_LENGTH:
        ns = str(ns)
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def expand(name: str) -> URIRef | None:
    """The IRI of a compact name (``inst:hku``, or the old ``kg:org/hku``), or None.

    >>> expand("sector:biomedicine")
    rdflib.term.URIRef('https://w3id.org/hetao-kg/id/sector/biomedicine')
    >>> expand("香港大学") is None
    True
    """
    prefix, sep, local = str(name).partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(str(PREFIXES[prefix]) + local)
    return None


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib graph or dataset."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


@lru_cache(maxsize=4096)
def canonical_lang(tag: str) -> str:
    """BCP 47 case conventions (RFC 5646 §2.1.1): engines that lowercase tags get them back as written."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for i, part in enumerate(parts[1:], 1):
        if len(parts[i - 1]) == 1:  # after a singleton (x-, u-): leave as is, lowercased
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)
