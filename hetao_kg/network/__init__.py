"""The network layer, network projection: RDF -> networkx (:mod:`.projection`: entities as nodes,
links as labelled edges with their quotes, paths, analytics, GraphML/GEXF/CSV export),
and the named views drawn from it (:mod:`.views`). Every function takes the query
facade (``kg``) as an argument.

The projection's names are importable from here, as they were from ``hetao_kg.network``:

>>> from hetao_kg.network import FAMILIES, Neighbourhood, path_between
>>> FAMILIES[0][0]
'university'
"""

from __future__ import annotations

from .projection import *  # noqa: F401,F403
from .projection import VALUES_CHUNK, __all__, select_values, with_values  # noqa: F401
