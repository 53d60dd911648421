"""Issue 15: every citation `cite ENTITY` emits parses in bibtexparser and citeproc-py,
with keys and ids unique, and carries its source's date once the source has one."""

from __future__ import annotations

import json

import pytest

from hetao_kg.facade import open_graph
from hetao_kg.query.cite import citations, format_citations

from .conftest import run_cli
from .test_evidence import REPORT_FACTS, replace_in

# entities whose citations repeat an assertion (several quotes) or span both sources
TARGETS = ["Shenzhen Park", "HKU", "CUHK", "深港联合办公室", "Shenzhen", "e-Station"]


@pytest.fixture(scope="module")
def kg():
    return open_graph()


@pytest.mark.parametrize("target", TARGETS)
def test_bibtex_parses_with_unique_keys(kg, target):
    import bibtexparser

    found = citations(kg, target)
    assert found
    library = bibtexparser.parse_string(format_citations(found, format="bibtex"))
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(keys)) == len(found)
    for entry, c in zip(library.entries, found):
        assert entry.fields_dict["keywords"].value == c.assertion


@pytest.mark.parametrize("target", TARGETS)
def test_csl_json_renders_in_citeproc_with_unique_ids(kg, target):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(format_citations(citations(kg, target), format="csl-json"))
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    bib = CitationStylesBibliography(CitationStylesStyle("harvard-cite-them-right", validate=False), CiteProcJSON(items), formatter.plain)
    for i in ids:
        bib.register(Citation([CitationItem(i)]))
    rendered = [str(entry) for entry in bib.bibliography()]
    assert len(rendered) == len(items) and all(rendered)


def test_an_assertion_with_two_quotes_gets_two_keys(kg):
    found = citations(kg, "kg:assertion/claim-positive-progress")
    assert [c.key for c in found] == ["claim-positive-progress-12-35", "claim-positive-progress-292-315"]
    assert [c.key for c in citations(kg, "kg:assertion/siqa")] == ["siqa"]  # one quote: the plain name


def test_year_once_the_source_has_a_date(data_copy):
    """With a date on the report (OWL-Time, as issue 18 records sources), BibTeX gets year and
    CSL issued; an interval (written between two dates) gives both ends."""
    replace_in(
        data_copy / REPORT_FACTS,
        '''        dcterms:subject <park/shenzhen-park> .
}''',
        '''        dcterms:subject <park/shenzhen-park> ;
        <http://www.w3.org/2006/time#hasTime> <time/test-report> .
    <time/test-report> <http://www.w3.org/2006/time#hasBeginning> [ <http://www.w3.org/2006/time#inXSDgYearMonth> "2021-09"^^xsd:gYearMonth ] ;
        <http://www.w3.org/2006/time#hasEnd> [ <http://www.w3.org/2006/time#inXSDDate> "2023-09-07"^^xsd:date ] .
}''',
    )
    kg = open_graph(root=data_copy, store="memory")
    [c] = citations(kg, "kg:assertion/siqa")
    assert c.date == "2021-09/2023-09-07" and c.year == "2021--2023"
    bib = format_citations([c], format="bibtex")
    assert "year = {2021--2023}" in bib and "date = {2021-09/2023-09-07}" in bib
    [item] = json.loads(format_citations([c], format="csl-json"))
    assert item["issued"] == {"date-parts": [[2021, 9], [2023, 9, 7]]}


def test_undated_source_has_no_year(kg):
    [c] = citations(kg, "kg:assertion/siqa")
    if c.date:  # sources gained dates (issue 18): the year follows them
        assert c.year and c.year in format_citations([c], format="bibtex")
    else:
        assert "year" not in format_citations([c], format="bibtex")


def test_cli_cite_bibtex_parses():
    import bibtexparser

    out = run_cli("cite", "Shenzhen Park", "--format", "bibtex")
    assert out.returncode == 0, out.stderr
    library = bibtexparser.parse_string(out.stdout)
    assert not library.failed_blocks and len({e.key for e in library.entries}) == len(library.entries) > 5
