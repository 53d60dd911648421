"""Where the ontology and graph data live: inside the installed wheel
(``hetao_kg/_data``) or, in a source checkout, at the repository root."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_path", "data_root"]

_PACKAGE = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder that holds ``ontology/`` and ``graph_data/``.

    >>> (data_root() / "ontology" / "hetao.ttl").is_file()
    True
    """
    bundled = _PACKAGE / "_data"
    if (bundled / "ontology").is_dir():
        return bundled
    return _PACKAGE.parent


def data_path(*parts: str) -> Path:
    """A path below :func:`data_root`."""
    return data_root().joinpath(*parts)
