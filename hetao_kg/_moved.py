"""The module paths of hetao-kg before its layer packages (issue 17), kept importable.

``import hetao_kg.graph`` (or ``from hetao_kg.api import open_graph``) gives the module
that now holds that code: the very same module object, imported when first asked for,
so code and notebooks written against the old flat layout keep working. New code uses
the new paths (ARCHITECTURE.md); nothing inside the package imports an old one.

>>> import hetao_kg.limits, hetao_kg.store.limits
>>> hetao_kg.limits is hetao_kg.store.limits
True
>>> from hetao_kg.stores.oxigraph import OxigraphStore
>>> OxigraphStore.__module__
'hetao_kg.store.oxigraph'

Two old modules share their name with a function of the package (``validate`` and
``normalize``): importing the module never replaces the function.

>>> import hetao_kg, hetao_kg.validate
>>> from hetao_kg.validate import validate
>>> hetao_kg.validate is validate, hetao_kg.normalize.__module__
(True, 'hetao_kg.source.normalize')
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

#: old module -> the module that holds its code now (submodules follow their package)
MOVED = {
    "hetao_kg.api": "hetao_kg.facade",
    "hetao_kg.cite": "hetao_kg.query.cite",
    "hetao_kg.diagnose": "hetao_kg.store.diagnose",
    "hetao_kg.export": "hetao_kg.data.export",
    "hetao_kg.graph": "hetao_kg.data.graph",
    "hetao_kg.inference": "hetao_kg.data.inference",
    "hetao_kg.limits": "hetao_kg.store.limits",
    "hetao_kg.normalize": "hetao_kg.source.normalize",
    "hetao_kg.queries": "hetao_kg.query.queries",
    "hetao_kg.rdflib_eval": "hetao_kg.data.rdflib_eval",
    "hetao_kg.results": "hetao_kg.query.results",
    "hetao_kg.search": "hetao_kg.query.search",
    "hetao_kg.sources": "hetao_kg.source.sources",
    "hetao_kg.stats": "hetao_kg.query.stats",
    "hetao_kg.stores": "hetao_kg.store",
    "hetao_kg.stores.derived": "hetao_kg.data.derived",
    "hetao_kg.stores.guard": "hetao_kg.store.sparql_guard",
    "hetao_kg.validate": "hetao_kg.data.validate",
    "hetao_kg.views": "hetao_kg.network.views",
}


_LONGEST_FIRST = sorted(MOVED, key=len, reverse=True)


def new_name(old: str) -> str | None:
    """Where the module ``old`` is now (None: it did not move)."""
    if not old.startswith("hetao_kg."):
        return None
    for prefix in _LONGEST_FIRST:
        if old == prefix or old.startswith(prefix + "."):
            return MOVED[prefix] + old[len(prefix):]
    return None


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module name and loads it as the module it moved to."""

    def find_spec(self, fullname, path=None, target=None):
        new = new_name(fullname)
        if new is None:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=False)

    def create_module(self, spec):
        module = importlib.import_module(new_name(spec.name))
        spec.loader_state = module.__spec__  # the import system sets __spec__ to the alias's: put it back
        return module

    def exec_module(self, module) -> None:
        module.__spec__ = module.__spec__.loader_state


class _Package(types.ModuleType):
    """``hetao_kg`` itself: the import system sets ``hetao_kg.validate`` to the module when
    ``hetao_kg.validate`` is imported; a function of that name stays (the module is in
    ``sys.modules`` for ``from hetao_kg.validate import …``)."""

    def __setattr__(self, name: str, value) -> None:
        current = self.__dict__.get(name)
        if current is None and isinstance(value, types.ModuleType) and f"{self.__name__}.{name}" in MOVED:
            try:
                current = getattr(self, name)  # a name the package imports when first used: the function
            except AttributeError:
                current = None
        if (isinstance(value, types.ModuleType) and f"{self.__name__}.{name}" in MOVED
                and callable(current) and not isinstance(current, types.ModuleType)):
            return
        super().__setattr__(name, value)


def install() -> None:
    """Let the old names be imported (once per process). First in line: the new package
    folders would otherwise load an old name's submodule a second time as a copy."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
    package = sys.modules.get("hetao_kg")
    if package is not None and type(package) is types.ModuleType:
        package.__class__ = _Package
