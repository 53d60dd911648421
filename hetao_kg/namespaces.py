"""Namespaces of hetao-kg: the ontology (HTO), instance IRIs (KG) and the Web
Annotation vocabulary (OA) that rdflib does not ship.

>>> HTO.University
rdflib.term.URIRef('https://w3id.org/hetao-kg/ontology#University')
>>> KG["org/hku"]
rdflib.term.URIRef('https://w3id.org/hetao-kg/id/org/hku')
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

__all__ = ["HTO", "KG", "OA", "ORG", "WD", "PREFIXES", "bind_prefixes"]

KG = Namespace("https://w3id.org/hetao-kg/id/")
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
    EvidenceKind: URIRef
    Facility: URIRef
    Figure: URIRef
    FrameworkAgreement: URIRef
    GovernmentAgency: URIRef
    Hospital: URIRef
    ImplementingRules: URIRef
    IncubationBase: URIRef
    InferredFromList: URIRef
    InferredFromName: URIRef
    InternationalOrganization: URIRef
    InvestmentFinancingPlan: URIRef
    JointPolicyPackage: URIRef
    Jurisdiction: URIRef
    LegalInstitution: URIRef
    MachineConversion: URIRef
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
    counts: URIRef
    designatesPlatform: URIRef
    developmentStatus: URIRef
    documentNumber: URIRef
    evidence: URIRef
    gatheredAt: URIRef
    hasFigure: URIRef
    hasMember: URIRef
    implements: URIRef
    inDocument: URIRef
    inSector: URIRef
    inSentence: URIRef
    inSeries: URIRef
    keySector: URIRef
    locatedIn: URIRef
    milestone: URIRef
    offersService: URIRef
    paragraphNumber: URIRef
    parkOf: URIRef
    party: URIRef
    platformOf: URIRef
    publishedBy: URIRef
    purpose: URIRef
    pursuedBy: URIRef
    qualifier: URIRef
    ruleDocument: URIRef
    ruleProperty: URIRef
    ruleSubject: URIRef
    sentenceNumber: URIRef
    stageOrder: URIRef
    statedCount: URIRef
    statusWords: URIRef
    unitOf: URIRef

PREFIXES: dict[str, Namespace | str] = {
    "hto": HTO._NS,
    "kg": KG,
    "rdf": RDF._NS,
    "rdfs": RDFS._NS,
    "owl": OWL._NS,
    "xsd": XSD._NS,
    "skos": SKOS._NS,
    "dcterms": DCTERMS._NS,
    "prov": PROV._NS,
    "schema": SDO._NS,
    "oa": OA._NS,
    "org": ORG,
    "wd": WD,
}


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib graph or dataset."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
