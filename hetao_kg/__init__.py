"""hetao-kg: the knowledge graph of the Hetao Shenzhen-Hong Kong Science and
Technology Innovation Cooperation Zone (Shenzhen Park).

>>> import hetao_kg
>>> kg = hetao_kg.load()
>>> len(kg) > 1000
True
"""

from __future__ import annotations

from .graph import DataError, load
from .normalize import SourceError, normalize, normalize_file
from .stats import statistics
from .validate import validate

__all__ = [
    "DataError",
    "SourceError",
    "load",
    "normalize",
    "normalize_file",
    "statistics",
    "validate",
]

__version__ = "0.1.0"
