"""Portability lint: SPARQL shipped with hetao-kg compares language tags portably.

Oxigraph (and RDF 1.1 stores in general) may normalize the case of language tags
(``zh-Hans`` comes back as ``zh-hans``), so ``LANG(?x) = "zh-Hans"`` silently
matches nothing there. Every ``.rq`` file and every SPARQL string inside the
package must use ``langMatches(LANG(?x), "zh-Hans")`` (or compare lowercased).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# LANG(?x) = "tag" / "tag" = LANG(?x) / LANG(?x) IN ("tag", ...) / sameTerm(LANG(?x), "tag"), with a non-empty tag
_LANG = r"LANG\s*\(\s*\?\w+\s*\)"
_TAG = r"""["'][A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*["']"""
UNPORTABLE = re.compile(
    rf"{_LANG}\s*(?:=|!=)\s*{_TAG}|{_TAG}\s*(?:=|!=)\s*{_LANG}|{_LANG}\s+(?:NOT\s+)?IN\s*\(\s*{_TAG}"
    rf"|sameTerm\s*\(\s*{_LANG}\s*,\s*{_TAG}",
    re.IGNORECASE,
)


def sparql_sources() -> list[Path]:
    files = sorted((ROOT / "hetao_kg").rglob("*.rq")) + sorted((ROOT / "ontology").rglob("*.rq"))
    files += sorted(p for p in (ROOT / "hetao_kg").rglob("*.py"))
    return files


def unportable(text: str) -> list[str]:
    return [m.group(0) for m in UNPORTABLE.finditer(text)]


def test_the_lint_catches_what_it_should():
    assert unportable('FILTER (LANG(?l) = "zh-Hans")')
    assert unportable("FILTER ('en' = lang(?label))")
    assert unportable('FILTER (LANG(?l) IN ("en", "zh-Hans"))')
    assert unportable('FILTER (sameTerm(LANG(?l), "zh-Hant"))')
    assert not unportable('FILTER (langMatches(LANG(?l), "zh-Hans"))')
    assert not unportable('FILTER (LANG(?unit) = "")')  # no tag: portable
    assert not unportable('FILTER (LCASE(LANG(?l)) = ?lang)')


@pytest.mark.parametrize("path", sparql_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_language_tags_are_compared_portably(path: Path):
    found = unportable(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: use langMatches(LANG(?x), \"tag\") instead of {found}"
