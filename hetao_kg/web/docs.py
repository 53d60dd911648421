"""``hetao-kg docs -o DIR``: the ontology documentation as static files, the same
page that ``/ontology`` serves, in each language, plus the ontology as Turtle.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> sorted(p.relative_to(out).as_posix() for p in write_docs(out))[:3]
['hetao.ttl', 'index.html', 'static/style.css']
"""

from __future__ import annotations

from pathlib import Path

from ..query.api import LANGS
from ..data.export import write_bytes
from .app import STATIC, render_ontology
from .ontology import ontology_doc

__all__ = ["write_docs"]


def write_docs(out: str | Path, *, root: str | Path | None = None) -> list[Path]:
    """Write ``index.html`` (English), ``zh-Hans/index.html``, ``zh-Hant/index.html``,
    ``static/style.css`` and ``hetao.ttl`` under ``out``; returns the files written."""
    out = Path(out)
    written = []
    for lang in LANGS:
        target = out / "index.html" if lang == "en" else out / lang / "index.html"
        up = "." if lang == "en" else ".."
        links = {l: f"{up}/index.html" if l == "en" else f"{up}/{l}/index.html" for l in LANGS}
        html = render_ontology(lang=lang, base=up, root=root, static=f"{up}/static", standalone=True, lang_links=links)
        write_bytes(target, html.encode("utf-8"))
        written.append(target)
    css = out / "static" / "style.css"
    write_bytes(css, (STATIC / "style.css").read_bytes())
    ttl = out / "hetao.ttl"
    write_bytes(ttl, ontology_doc(root).turtle.encode("utf-8"))
    return [*written, css, ttl]
