"""Stage 9: ``hetao-kg serve``, a read-only SPARQL 1.1 endpoint and a web explorer
(entity pages with provenance, search, query editor, source reader, views, ontology).

>>> from starlette.testclient import TestClient
>>> r = TestClient(create_app()).get("/healthz")
>>> r.json()["status"]
'ok'
"""

from __future__ import annotations

from .app import CSP, create_app, pick_lang, render_ontology
from .docs import write_docs
from .runner import QueryRunner

__all__ = ["CSP", "QueryRunner", "create_app", "pick_lang", "render_ontology", "write_docs"]
