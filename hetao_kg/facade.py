"""Top: the facade Python users get from ``hetao_kg.open()``, assembled from the layers.

:class:`KnowledgeGraph` is the query layer's facade (:class:`hetao_kg.query.api.KnowledgeGraph`:
SPARQL, named queries, helpers, labels, search, names) with the conveniences of the
layers above it attached here, where the package is put together: ``kg.path(...)``
and ``kg.network()`` (:mod:`hetao_kg.network`), ``kg.render(...)``
(:mod:`hetao_kg.network.views`) and ``kg.cite(...)`` (:mod:`hetao_kg.query.cite`).
Those layers take any query-layer facade as an argument and never import this module;
they are imported here when first used, so ``import hetao_kg`` stays quick.

>>> kg = open_graph()
>>> type(kg).__name__, kg.resolve("HKU")
('KnowledgeGraph', 'https://w3id.org/hetao-kg/id/org/hku')
"""

from __future__ import annotations

from pathlib import Path

from .errors import AmbiguousEntity
from .query import api as _api
from .query.api import LANGS, PathStep
from .store.base import Store

__all__ = ["LANGS", "AmbiguousEntity", "KnowledgeGraph", "PathStep", "open_graph"]


class KnowledgeGraph(_api.KnowledgeGraph):
    """The hetao-kg facade: SPARQL, named queries, helpers, search, paths, citations,
    the network and its views.

    >>> kg = open_graph()
    >>> kg.query("SELECT ?u WHERE { ?u a hto:University } ORDER BY ?u", lang="zh-Hant").column("u")
    ['香港城市大學', '香港中文大學', '香港中文大學（深圳）', '香港大學', '香港科技大學', '香港理工大學']
    """

    def path(self, a: str, b: str, *, lang: str = "en", stated_only: bool = False) -> list[PathStep]:
        """A shortest chain of links between two entities, with quotes: a breadth-first
        search from both ends that asks the store one level at a time (see
        :func:`hetao_kg.network.path_between`), never projecting the whole network.
        ``stated_only`` walks only links a source states (no curators' inferences).

        >>> step = open_graph().path("STMicroelectronics", "意法半导体全球封测创新中心")[0]
        >>> step.property_label, step.quote
        ('unit of', '意法半导体全球封测创新中心等正在加快场地建设')
        >>> open_graph().path("STMicroelectronics", "意法半导体全球封测创新中心", stated_only=True)
        []
        """
        from .network.projection import path_steps  # networkx is imported when first needed

        if stated_only:
            source, target = self.resolve(a), self.resolve(b)
            stated = type(self)(self._store(True))
            stated._labels, stated._some_labels = self._labels, self._some_labels  # names are the same
            return path_steps(stated, source, target, lang=lang)
        return path_steps(self, a, b, lang=lang)

    def cite(self, target: str, *, stated_only: bool = False) -> list:
        """Citations for an assertion (``kg:assertion/…``) or every quoted fact about
        an entity: see :mod:`hetao_kg.query.cite` (``format_citations`` renders them).

        >>> [c.sources for c in open_graph().cite("kg:assertion/context/cuhk")]
        [('https://cuhk.edu.hk',)]
        """
        from .query.cite import citations

        return citations(self, target, stated_only=stated_only)

    # --- networks and views ---------------------------------------------------------

    def network(self, *, lang: str = "en"):
        """The entity network as a :class:`networkx.MultiDiGraph` (see :mod:`hetao_kg.network`).

        Projected once per language and kept; treat it as read-only (views copy what they draw).
        """
        from .network.projection import projected

        return projected(self, lang=lang)

    def render(self, view: str, *entities: str, lang: str = "en", depth: int = 1, base_url: str = ""):
        """A named view (``hk-universities``, ``sectors``, …) as a :class:`~hetao_kg.network.views.View`;
        it displays inline in Jupyter and ``.save(path)`` writes the offline HTML page
        (``base_url``: where ``hetao-kg serve`` answers, for links into the explorer)."""
        from .network.views import render

        return render(view, *entities, kg=self, lang=lang, depth=depth, base_url=base_url)


def open_graph(
    root: str | Path | None = None,
    *,
    store: Store | str | Path | None = None,
    endpoint: str | None = None,
    inference: bool = True,
    timeout: float | None = None,
    as_of: str | None = None,
) -> KnowledgeGraph:
    """Open the knowledge graph: :func:`hetao_kg.query.api.open_graph` (the same
    arguments: ``store``, ``endpoint``, ``inference``, ``timeout``, ``as_of``), as the full facade.

    >>> kg = open_graph(store="memory")
    >>> len(kg.query("SELECT ?p WHERE { ?p a hto:ConstructionProject }")), callable(kg.render)
    (8, True)
    """
    store = _api.open_graph(root, store=store, endpoint=endpoint, inference=inference, timeout=timeout).store
    kg = KnowledgeGraph(store, root=root, inference=inference)
    return kg.as_of(as_of) if as_of else kg


def __getattr__(name: str):
    """The rest of the query facade's module (``hetao_kg.api`` was one module; see :mod:`hetao_kg._moved`)."""
    try:
        return getattr(_api, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
