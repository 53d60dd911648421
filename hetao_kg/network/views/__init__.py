"""Stage 8: named network views as self-contained, offline, explorable HTML pages.

A view selects part of the network (:mod:`.select`: attributes folded into the node
they describe, hub links as properties, bounded neighbourhoods), lays it out in
Python with a fixed seed (:mod:`.layout`), assembles nodes, links and options with
pyvis, and renders one page from ``templates/view.html.j2`` with ``static/view.css``
and ``static/view.js`` inlined: vis-network (as pyvis ships it) draws at the computed
positions with physics off, and view.js adds search, filters, legend toggles, labels
by level of detail, tooltips that cite, keyboard use and a table alternative. The
page loads nothing (its Content-Security-Policy allows only its own scripts and
style, by hash) and treats every label and quote as data. Same data, same page,
byte for byte. ``templates/still.svg.j2`` draws the same view as a still image for
notebooks whose output is not trusted.

>>> from hetao_kg.query.api import open_graph
>>> view = render("hk-universities", kg=open_graph())
>>> import re
>>> re.search(r'(?:src|href)="https?://|@import', view.html) is None
True
>>> view.title
'Hong Kong universities and what each brought in'
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ...query.queries import UnknownName, suggest

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from ...query.api import KnowledgeGraph
    from .select import Drawing

__all__ = [
    "FAMILY_STYLE",
    "FULL_MAX_NODES",
    "VIEWS",
    "View",
    "build_view",
    "construction",
    "ego",
    "full",
    "hk_universities",
    "path",
    "policies",
    "render",
    "sectors",
    "services",
]

#: The names of the views (``VIEWS`` maps each to its selector over the network).
NAMES = ("hk-universities", "sectors", "policies", "construction", "services", "ego", "path", "full")


def __getattr__(name: str):
    """``VIEWS`` and ``FAMILY_STYLE``, imported when first asked for: a page found in the
    cache needs neither networkx nor the layout."""
    if name == "VIEWS":  # the named views, each a selector over the projected network
        from .select import SELECTORS

        return SELECTORS
    if name == "FAMILY_STYLE":
        from .page import FAMILY_STYLE

        return FAMILY_STYLE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: The full view draws at most this many entities; past it, the best connected (the page says so).
FULL_MAX_NODES = 600

#: Views that ask the store for just what they draw when no projection is at hand.
AROUND = frozenset({"ego", "hk-universities", "sectors", "policies", "construction", "services"})


@dataclass(repr=False)
class View:
    """A rendered view: its name, title, the drawn nodes and links, and the HTML page."""

    name: str
    title: str
    lang: str
    nodes: list[dict]
    edges: list[dict]
    legend: list[dict]
    html: str = ""
    svg: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"<View {self.name!r} ({self.lang}): {len(self.nodes)} nodes, {len(self.edges)} links>"

    def save(self, path: str | Path) -> Path:
        """Write the page as UTF-8 (atomically, honouring the umask) and return its path."""
        from ...data.export import write

        write(path, self.html)
        return Path(path)

    def _repr_html_(self) -> str:
        """Inline display in JupyterLab, Classic Notebook and VS Code.

        Two layers in one box: the drawing as a plain image (``<img>`` with the SVG as
        a data URI, which survives the sanitizer of an untrusted notebook) and, on top
        of it, the interactive page in a sandboxed ``<iframe srcdoc>`` (shown where
        the output is trusted: a trusted notebook, VS Code). Untrusted, the iframe is
        stripped and the image shows through.
        """
        image = "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return (
            '<div class="hetao-view" style="position:relative;width:100%;height:640px;background:#16191d">'
            f'<img class="hetao-view-static" alt="{html.escape(self.title)}" src="{image}" '
            'style="position:absolute;top:0;left:0;width:100%;height:100%;object-fit:contain">'
            f'<iframe class="hetao-view-page" title="{html.escape(self.title)}" sandbox="allow-scripts" '
            'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0" '
            f'srcdoc="{html.escape(self.html, quote=True)}"></iframe></div>'
        )


def build_view(drawing: Drawing, *, name: str, title: str, lang: str, about: str = "") -> View:
    """Lay out a :class:`~.select.Drawing` and render its page."""
    from .page import build_page

    nodes, edges, legend, page, svg = build_page(drawing, name=name, title=title, lang=lang, about=about)
    return View(name, title, lang, nodes, edges, legend, page, svg)


def render(
    name: str,
    *entities: str,
    kg: "KnowledgeGraph | None" = None,
    lang: str = "en",
    depth: int = 1,
    network: nx.MultiDiGraph | None = None,
) -> View:
    """Render a named view (see :data:`VIEWS`) in ``lang``; ``entities`` for ego and path.

    ``network`` reuses a projection made by :func:`hetao_kg.network.project` in the
    same language.
    """
    from ...query.api import _check_lang, open_graph

    if name not in NAMES:
        raise UnknownName("view", name, suggest(name, list(NAMES)))
    _check_lang(lang)
    kg = kg or open_graph()
    key = _page_key(kg, name, entities, lang, depth) if network is None else None
    if key is not None:
        found = _cached_view(key)
        if found is not None:
            return found
    view = _render(name, entities, kg, lang, depth, network)
    if key is not None:
        _cache_view(key, view)
    return view


#: The files a page is made from: a change to any of them draws pages anew.
_SOURCES = ("__init__.py", "select.py", "layout.py", "page.py", "text.json", "templates", "static")


def _code_key() -> str:
    import hashlib

    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    package = here.parent.parent
    files = [package / f for f in ("network/projection.py", "query/api.py", "query/queries.py", "query/search.py",
                                   "namespaces.py", "store/base.py")]
    files += sorted((package / "query" / "queries").glob("*.rq"))
    for name in _SOURCES:
        files += sorted(p for p in (here / name).rglob("*") if p.is_file()) if (here / name).is_dir() else [here / name]
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _page_key(kg, name: str, entities, lang: str, depth: int) -> str | None:
    """The cache key of a page: the data, the code, the view and its arguments (names
    resolved to IRIs); None when the store has no content key (a remote endpoint)."""
    import hashlib
    import json

    from ...query.api import _data_key

    data = _data_key(kg.store)
    if not data:
        return None
    resolved = [kg.resolve(e) for e in entities]
    # the full view's bound decides what it draws: a page drawn under another bound is another page
    bound = FULL_MAX_NODES if name == "full" else None
    text = json.dumps(["view-v1", data, _code_key(), name, resolved, lang, depth, bound], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _cached_view(key: str) -> "View | None":
    import json

    from ... import cache

    data = cache.read_entry("views", key, ".json")
    if data is None:
        return None
    try:
        d = _restored(json.loads(data.decode("utf-8")))
        return View(d["name"], d["title"], d["lang"], d["nodes"], d["edges"], d["legend"], d["html"], d["svg"])
    except (ValueError, KeyError, TypeError):
        return None


def _restored(d: dict) -> dict:
    """A cached page's data as :func:`build_view` made it (JSON has no tuples: legend icons are)."""
    d["legend"] = [{**entry, "icon": tuple(entry["icon"])} if isinstance(entry.get("icon"), list) else entry
                   for entry in d["legend"]]
    return d


def _cache_view(key: str, view: "View") -> None:
    import json

    from ... import cache

    payload = {"name": view.name, "title": view.title, "lang": view.lang, "nodes": view.nodes, "edges": view.edges,
               "legend": view.legend, "html": view.html, "svg": view.svg}
    try:
        text = json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError):  # not plain data: do not cache
        return
    if _restored(json.loads(text)) == payload:  # only what comes back the same
        cache.write_entry("views", key, ".json", text.encode("utf-8"))


def _render(name, entities, kg, lang, depth, network) -> View:
    from .page import TEXT, TITLES
    from ..projection import projected
    from .select import SELECTORS, full_bounded

    if name == "full" and network is None and lang not in kg._networks:
        bounded = full_bounded(kg, lang, FULL_MAX_NODES)
        if bounded is not None:  # too big to draw whole: the best connected, and the page says so
            drawing, total = bounded
            shown = sum(1 for _, d in drawing.graph.nodes(data=True) if d.get("family") != "more")
            about = TITLES[name]["about"][lang] + " " + TITLES[name]["showing"][lang].format(n=shown, m=total)
            return build_view(drawing, name=name, title=TITLES[name]["title"][lang], lang=lang, about=about)
    if network is not None:
        g = network
    elif name in AROUND or lang in kg._networks:
        g = kg._networks.get(lang)  # None: the view asks the store for what it draws
    else:
        g = projected(kg, lang=lang)
    drawing = SELECTORS[name](kg, g, lang, list(entities), depth, TEXT[lang])
    if kg._index is None:  # the labels' pinyin for the page's search, stored once per data
        kg._index = kg._search_index()
    parts = {}
    if name == "ego":
        parts = {"name": kg.label(kg.resolve(entities[0]), lang)}
    elif name == "path":
        parts = {"a": kg.label(kg.resolve(entities[0]), lang), "b": kg.label(kg.resolve(entities[1]), lang)}
    title = TITLES[name]["title"][lang].format(**parts)
    about = TITLES[name]["about"][lang].format(**parts)
    return build_view(drawing, name=name, title=title, lang=lang, about=about)


# --- one public function per view (the same as render(NAME, ...)) ------------------


def hk_universities(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Hong Kong universities -> what each brought in, inside the report's counted groups."""
    return render("hk-universities", kg=kg, lang=lang)


def sectors(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """The key sectors -> their institutions (status in the tooltip and the filter)."""
    return render("sectors", kg=kg, lang=lang)


def policies(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Policies, their parties and what they concern."""
    return render("policies", kg=kg, lang=lang)


def construction(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Construction and infrastructure projects in columns by stage, in lifecycle order."""
    return render("construction", kg=kg, lang=lang)


def services(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Service centres and platforms with their services and gathered groups."""
    return render("services", kg=kg, lang=lang)


def ego(entity: str, *, depth: int = 1, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Everything within ``depth`` links of ``entity`` (any name, IRI or ``kg:`` name), bounded.

    >>> ego("HKU").title
    'Neighbourhood of The University of Hong Kong'
    """
    return render("ego", entity, kg=kg, lang=lang, depth=depth)


def path(a: str, b: str, *, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """The shortest chains of links between two entities, avoiding hubs where possible."""
    return render("path", a, b, kg=kg, lang=lang)


def full(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """The whole entity network, attributes and hub links folded into nodes."""
    return render("full", kg=kg, lang=lang)
