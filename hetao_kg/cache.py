"""The on-disk cache: data formats only, checked on read, bounded in size.

Nothing in the cache is ever executed: the built graph is stored as N-Quads, query
answers as SPARQL 1.1 Query Results JSON (and an embedded store, when one is used,
as its own directory). Every entry is keyed by a hash of the bytes it was built
from, so changed data is never served stale, and every file entry starts with a
checksum line::

    # hetao-kg-cache 1 sha256=<hex of the rest of the file>

so a damaged or planted file is dropped with a :class:`CacheWarning` and rebuilt,
never loaded. The cache is a least-recently-used store bounded by
``HETAO_KG_CACHE_SIZE`` (MB, default 200): reading an entry refreshes it, writing
one evicts the oldest until the total fits.

It lives in ``$HETAO_KG_CACHE``, else ``$XDG_CACHE_HOME/hetao-kg`` or
``~/.cache/hetao-kg``; ``hetao-kg cache info`` and ``hetao-kg cache clear`` show and
empty it.

>>> import tempfile, os
>>> saved, os.environ["HETAO_KG_CACHE"] = os.environ.get("HETAO_KG_CACHE", ""), tempfile.mkdtemp()
>>> write_entry("answers", "k1", ".srj", b'{"head": {}, "boolean": true}') is not None
True
>>> read_entry("answers", "k1", ".srj")
b'{"head": {}, "boolean": true}'
>>> cache_info().entries
1
>>> os.environ["HETAO_KG_CACHE"] = saved
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CacheInfo",
    "CacheWarning",
    "DEFAULT_CACHE_MB",
    "KINDS",
    "cache_dir",
    "cache_info",
    "clear_cache",
    "entry_dir",
    "entry_path",
    "evict",
    "max_cache_bytes",
    "read_entry",
    "touch",
    "write_entry",
]

DEFAULT_CACHE_MB = 200
VERSION = "v1"
#: The kinds of entry, each a folder below ``<cache>/v1``: ``graph`` (N-Quads of the
#: built dataset), ``answers`` (SPARQL JSON), ``oxigraph`` (embedded store folders),
#: ``search`` (search forms and indexes), ``views`` (rendered view pages, JSON).
KINDS = ("graph", "answers", "oxigraph", "search", "views")
_MAGIC = b"# hetao-kg-cache 1 sha256="
_LEGACY = ("graph-*.pickle", "answers/*.pickle")


class CacheWarning(UserWarning):
    """A cache entry was damaged or foreign and has been dropped (it is rebuilt)."""


def cache_dir() -> Path:
    """Where the cache lives: ``$HETAO_KG_CACHE``, else ``$XDG_CACHE_HOME/hetao-kg`` or ``~/.cache/hetao-kg``."""
    env = os.environ.get("HETAO_KG_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hetao-kg"


def max_cache_bytes() -> int:
    """The size bound: ``HETAO_KG_CACHE_SIZE`` in MB (default 200); 0 caches nothing."""
    raw = os.environ.get("HETAO_KG_CACHE_SIZE", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_CACHE_MB
    except ValueError:
        warnings.warn(f"HETAO_KG_CACHE_SIZE={raw!r} is not a number of MB; using {DEFAULT_CACHE_MB}", CacheWarning)
        mb = DEFAULT_CACHE_MB
    return max(0, int(mb * 2**20))


def _kind_dir(kind: str) -> Path:
    if kind not in KINDS:
        raise ValueError(f"unknown cache kind {kind!r}")
    return cache_dir() / VERSION / kind


def _safe_key(key: str) -> str:
    if not key or not all(c.isalnum() or c in "-_" for c in key):
        raise ValueError(f"bad cache key {key!r}")
    return key


def entry_path(kind: str, key: str, suffix: str) -> Path:
    """The file of one entry (it may not exist)."""
    return _kind_dir(kind) / f"{_safe_key(key)}{suffix}"


def entry_dir(kind: str, key: str) -> Path:
    """The folder of one directory entry, e.g. an embedded store (it may not exist).

    Build it elsewhere (``tempfile.mkdtemp(dir=entry_dir(...).parent)``), rename it
    into place, then call :func:`evict`; call :func:`touch` when it is used.
    """
    return _kind_dir(kind) / _safe_key(key)


def touch(path: Path) -> None:
    """Mark an entry as just used (the LRU order is the modification time)."""
    now = time.time_ns()  # finer than the file system's coarse clock, so the order is exact
    try:
        os.utime(path, ns=(now, now))
    except OSError:
        pass


def _drop(path: Path, why: str) -> None:
    warnings.warn(f"cache entry {path} {why}; dropped it and rebuilding", CacheWarning, stacklevel=3)
    try:
        path.unlink()
    except OSError:
        pass


def read_entry(kind: str, key: str, suffix: str) -> bytes | None:
    """The payload of an entry, or ``None`` when absent or damaged (then dropped, with a warning)."""
    path = entry_path(kind, key, suffix)
    try:
        data = path.read_bytes()
    except IsADirectoryError:  # a folder planted under the name: remove it
        warnings.warn(f"cache entry {path} is a folder; removed it", CacheWarning, stacklevel=2)
        _remove(path)
        return None
    except OSError:  # absent or unreadable: never an error
        return None
    header, sep, payload = data.partition(b"\n")
    if not sep or not header.startswith(_MAGIC):
        _drop(path, "is not a hetao-kg cache file")
        return None
    if header[len(_MAGIC):].decode("ascii", "replace") != hashlib.sha256(payload).hexdigest():
        _drop(path, "fails its checksum")
        return None
    touch(path)
    return payload


def write_entry(kind: str, key: str, suffix: str, payload: bytes) -> Path | None:
    """Write an entry atomically (temporary file, then rename) and evict to the bound.

    Returns the path, or ``None`` when the cache is off, full or not writable.
    """
    bound = max_cache_bytes()
    if len(payload) + 100 > bound:
        return None
    path = entry_path(kind, key, suffix)
    try:
        cache_dir().mkdir(parents=True, exist_ok=True, mode=0o700)  # private to the user
        for folder in (path.parent.parent, path.parent):
            folder.mkdir(exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n")
                fh.write(payload)
            os.replace(tmp, path)
            touch(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None  # a read-only home is fine: we just do not cache
    evict(bound, keep=path)
    return path


def _size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        return path.lstat().st_size
    except OSError:
        return 0


def _entries() -> list[tuple[float, int, Path]]:
    """(last use, size, path) of every entry, including unknown files in the kind folders."""
    out = []
    for kind in KINDS:
        folder = cache_dir() / VERSION / kind
        try:
            children = list(folder.iterdir())
        except OSError:
            continue
        for child in children:
            try:
                out.append((child.lstat().st_mtime, _size(child), child))
            except OSError:
                continue
    return out


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def evict(bound: int | None = None, *, keep: Path | None = None) -> list[Path]:
    """Remove the least recently used entries until the cache fits ``bound`` bytes."""
    bound = max_cache_bytes() if bound is None else bound
    entries = sorted(_entries(), key=lambda e: e[0])
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, path in entries:
        if total <= bound:
            break
        if path == keep:
            continue
        _remove(path)
        removed.append(path)
        total -= size
    return removed


@dataclass(frozen=True)
class CacheInfo:
    """What the cache holds: its folder, entries per kind, total bytes and the bound."""

    path: Path
    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)
    legacy: int = 0
    bound: int = 0

    @property
    def entries(self) -> int:
        return sum(n for n, _ in self.kinds.values())

    @property
    def size(self) -> int:
        return sum(b for _, b in self.kinds.values())

    def __str__(self) -> str:
        lines = [f"cache: {self.path}"]
        for kind, (n, size) in self.kinds.items():
            lines.append(f"  {kind:<9} {n:>6} entries  {size / 2**20:9.2f} MB")
        lines.append(f"  {'total':<9} {self.entries:>6} entries  {self.size / 2**20:9.2f} MB"
                     f" of {self.bound / 2**20:.0f} MB (HETAO_KG_CACHE_SIZE)")
        if self.legacy:
            lines.append(f"  {self.legacy} pickle file(s) of an older version (never loaded; `cache clear` removes them)")
        return "\n".join(lines)


def _legacy_files() -> list[Path]:
    root = cache_dir()
    return [p for pattern in _LEGACY for p in root.glob(pattern)]


def cache_info() -> CacheInfo:
    """Count the entries and bytes of each kind."""
    kinds = {kind: (0, 0) for kind in KINDS}
    for _, size, path in _entries():
        n, total = kinds[path.parent.name]
        kinds[path.parent.name] = (n + 1, total + size)
    return CacheInfo(cache_dir(), kinds, len(_legacy_files()), max_cache_bytes())


def clear_cache() -> int:
    """Remove every entry (and pickles left by older versions); returns how many.

    Only hetao-kg's own folders are touched, so a cache pointed at a shared folder
    loses nothing else. The embedded store's databases in ``oxigraph/`` are removed by
    :func:`hetao_kg.store.oxigraph.remove_databases` (``hetao-kg cache clear`` does both).
    """
    removed = 0
    for _, _, path in _entries():
        _remove(path)
        removed += 1
    for path in _legacy_files():
        path.unlink(missing_ok=True)
        removed += 1
    return removed
