"""The on-disk cache: data formats only, checked on read, bounded in size.

Nothing in the cache is ever executed: the built graph is stored as N-Quads, query
answers as SPARQL 1.1 Query Results JSON (and an embedded store, when one is used,
as its own directory). Every entry is keyed by a hash of the bytes it was built
from, so changed data is never served stale, and every file entry starts with a
checksum line::

    # hetao-kg-cache 2 code=<fingerprint of hetao-kg's code> sha256=<hex>

where the checksum covers the entry's name, the code fingerprint and the rest of the
file: an entry copied under another name, or written by other code, is never read,
and a damaged or planted file is dropped with a :class:`CacheWarning` and rebuilt,
never loaded.

The cache belongs to its user, as SSH keys do: an entry (or a cache folder) owned by
another user, or writable by others, is never read (:class:`CacheWarning`), and no
cache folder may be a symbolic link: reading, eviction and ``cache clear`` never
follow one out of the cache (``cache clear`` refuses such a cache with
:class:`CacheError`). The cache is a least-recently-used store bounded by
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
import stat
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CacheError",
    "CacheInfo",
    "CacheWarning",
    "DEFAULT_CACHE_MB",
    "KINDS",
    "cache_dir",
    "cache_info",
    "clear_cache",
    "code_fingerprint",
    "entry_dir",
    "entry_path",
    "evict",
    "max_cache_bytes",
    "read_entry",
    "touch",
    "trusted_file",
    "write_entry",
]

DEFAULT_CACHE_MB = 200
VERSION = "v1"
#: The kinds of entry, each a folder below ``<cache>/v1``: ``graph`` (N-Quads of the
#: built dataset), ``answers`` (SPARQL JSON), ``oxigraph`` (embedded store folders),
#: ``search`` (search forms and indexes), ``views`` (rendered view pages, JSON).
KINDS = ("graph", "answers", "oxigraph", "search", "degrees", "views", "closures")
_MAGIC = b"# hetao-kg-cache 2 code="
_OLD_MAGIC = b"# hetao-kg-cache 1 "  # entries of older versions: stale, never read
_LEGACY = ("graph-*.pickle", "answers/*.pickle")


class CacheWarning(UserWarning):
    """A cache entry was damaged or foreign and has been dropped (it is rebuilt)."""


class CacheError(OSError):
    """The cache cannot be used safely (a folder of it is a link elsewhere, or not the user's)."""


_FINGERPRINT: list[str] = []


def code_fingerprint() -> str:
    """A hash of every module of the package (its version is written in one of them):
    entries written by other code are never read (computed once per process).

    >>> len(code_fingerprint())
    16
    """
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        package = os.path.dirname(os.path.realpath(__file__))
        names = []  # (os.walk, not pathlib; no package metadata: 3 ms less at every start)
        for folder, subfolders, files in os.walk(package):
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            inside = folder[len(package) + 1:]
            names += [f"{inside}/{f}" if inside else f for f in files if f.endswith(".py")]
        for name in sorted(names):
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(os.path.join(package, name), "rb") as fh:
                    digest.update(hashlib.sha256(fh.read()).digest())
            except OSError:
                pass
        _FINGERPRINT.append(digest.hexdigest()[:16])
    return _FINGERPRINT[0]


def _checksum(name: str, code: str, payload: bytes) -> str:
    return hashlib.sha256(name.encode("utf-8") + b"\0" + code.encode("ascii") + b"\0" + payload).hexdigest()


def _foreign(st: os.stat_result) -> str | None:
    """Why a file or folder is not safely the user's own (``None`` when it is)."""
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return f"is owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o022 and not (stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX and st.st_uid == 0):
        return "is writable by other users"
    return None


def check_folder(path: Path, *, create: bool = False) -> Path:
    """``path`` (a cache folder) if it is safe to use: not a symbolic link, the user's own,
    not writable by others; raises :class:`CacheError` otherwise. ``create`` makes it
    (private to the user) when missing."""
    if create:
        try:
            path.mkdir(exist_ok=True, mode=0o700)
        except FileExistsError:
            pass
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise CacheError(f"{path} is a symbolic link (to {os.readlink(path)}); hetao-kg never follows a link out "
                         "of its cache: remove the link")
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"{path} is not a folder")
    why = _foreign(st)
    if why:
        raise CacheError(f"cache folder {path} {why}; hetao-kg does not trust it (as SSH would not): "
                         "use a cache of your own (HETAO_KG_CACHE)")
    return path


def _kind_folder(kind: str, *, create: bool = False) -> Path:
    """The folder of a kind, each folder from the cache's down checked by :func:`check_folder`."""
    root = cache_dir()
    if create:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)  # private to the user
    check_folder(root)
    check_folder(root / VERSION, create=create)
    return check_folder(_kind_dir(kind), create=create)


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


def write_sqlite(path: Path, fill, *, kind: str | None = None) -> None:
    """Write an SQLite file at ``path``: ``fill(connection)`` writes it into a temporary
    file beside it, which is then renamed into place (a killed writer leaves nothing
    half-written, and a reader never opens a file being written). With ``kind`` (an
    entry of the cache) the cache's folders are checked first (:class:`CacheError`)."""
    import sqlite3

    if kind is not None:
        _kind_folder(kind, create=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        fill(db)
        db.commit()
        db.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def trusted_file(kind: str, path: Path) -> bool:
    """Whether ``path``, a file entry of ``kind`` read by other means than
    :func:`read_entry` (an SQLite file), may be read: there, a regular file (not a link),
    and it and the cache's folders the user's own, not writable by others (as
    :func:`read_entry` asks; a warning says why not)."""
    try:
        _kind_folder(kind)
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        _untrusted(str(exc))
        return False
    if stat.S_ISLNK(st.st_mode):
        _untrusted(f"cache entry {path} is a symbolic link; not followed, written afresh")
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    why = _foreign(st)
    if why:
        _untrusted(f"cache entry {path} {why}; not read (as SSH would not read such a key)")
        return False
    return True


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
    """The payload of an entry, or ``None`` when absent, damaged (then dropped, with a
    warning), stale (written by other code) or not safely the user's (then left alone)."""
    path = entry_path(kind, key, suffix)
    try:
        _kind_folder(kind)
    except FileNotFoundError:
        return None
    except OSError as exc:
        _untrusted(str(exc))
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if os.path.islink(path):  # a link planted under the name: never followed
            _drop(path, "is a symbolic link")
        return None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):  # a folder planted under the name: remove it
            warnings.warn(f"cache entry {path} is a folder; removed it", CacheWarning, stacklevel=2)
            _remove(path)
        else:
            _untrusted(f"cache entry {path} is not a regular file; not read")
        return None
    with os.fdopen(fd, "rb") as fh:
        why = _foreign(st)
        if why:
            _untrusted(f"cache entry {path} {why}; not read (as SSH would not read such a key)")
            return None
        try:
            data = fh.read()
        except OSError:
            return None
    header, sep, payload = data.partition(b"\n")
    if header.startswith(_OLD_MAGIC):
        return None  # an older version's entry: rewritten when the answer is saved
    if not sep or not header.startswith(_MAGIC):
        _drop(path, "is not a hetao-kg cache file")
        return None
    code, _, digest = header[len(_MAGIC):].decode("ascii", "replace").partition(" sha256=")
    if code != code_fingerprint():
        return None  # written by other code: stale, not damaged
    if digest != _checksum(path.name, code, payload):
        _drop(path, "fails its checksum")
        return None
    touch(path)
    return payload


_WARNED: set[str] = set()


def _untrusted(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, CacheWarning, stacklevel=3)


def write_entry(kind: str, key: str, suffix: str, payload: bytes) -> Path | None:
    """Write an entry atomically (temporary file, then rename) and evict to the bound.

    Returns the path, or ``None`` when the cache is off, full or not writable.
    """
    bound = max_cache_bytes()
    if len(payload) + 100 > bound:
        return None
    path = entry_path(kind, key, suffix)
    try:
        _kind_folder(kind, create=True)
    except CacheError as exc:
        _untrusted(str(exc))
        return None
    except OSError:
        return None  # a read-only home is fine: we just do not cache
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                code = code_fingerprint()
                fh.write(_MAGIC + f"{code} sha256={_checksum(path.name, code, payload)}".encode("ascii") + b"\n")
                fh.write(payload)
            os.replace(tmp, path)
            touch(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None  # a read-only home is fine: we just do not cache
    _evict_if_needed(bound, path, len(payload) + 100)
    return path


#: The cache's size when this process last listed it, per (folder, bound): [bytes then,
#: bytes this process wrote since, time.monotonic() of the listing]. Listing sizes every
#: entry (an embedded store's folder file by file), so a server writing one answer per
#: new query text listed thousands of entries per query; now it lists again only when
#: its own writes could take the cache past its bound, or other processes' writes could
#: have (the listing is older than :data:`_RELIST_S`).
_TALLY: dict[tuple[str, int], list[float]] = {}
_RELIST_S = 5.0


def _evict_if_needed(bound: int, keep: Path, written: int) -> None:
    tally = _TALLY.get((str(cache_dir()), bound))
    if tally is not None:
        tally[1] += written
        # twice what was written: a listing before the cache can reach the bound by this
        # process's writes alone, so a lone process evicts exactly when it did before
        if tally[0] + 2 * tally[1] <= bound and time.monotonic() - tally[2] < _RELIST_S:
            return
    evict(bound, keep=keep, ahead=True)


def _size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        return path.lstat().st_size
    except OSError:
        return 0


def _entries(*, strict: bool = False) -> list[tuple[float, int, str]]:
    """(last use, size, path as text) of every entry, including unknown files in the kind
    folders (a server lists thousands: no Path object is made for each).

    A kind folder that is a symbolic link (or not the user's) is never listed: with
    ``strict`` that raises :class:`CacheError`, else it is skipped with a warning."""
    out = []
    for kind in KINDS:
        try:
            folder = _kind_folder(kind)
        except FileNotFoundError:
            continue
        except OSError as exc:
            if strict:
                raise
            _untrusted(str(exc))
            continue
        try:
            with os.scandir(folder) as it:
                children = list(it)
        except OSError:
            continue
        for child in children:  # one lstat per file entry
            try:
                st = child.stat(follow_symlinks=False)
            except OSError:
                continue
            size = _size(Path(child.path)) if stat.S_ISDIR(st.st_mode) else st.st_size
            out.append((st.st_mtime, size, child.path))
    return out


def _remove(path: Path, *, strict: bool = False) -> None:
    """Remove an entry; a link is removed as a link (shutil.rmtree follows none inside a
    folder). With ``strict`` a failure raises :class:`OSError` naming the file."""

    def failed(function, name, exc_info):
        if strict and not isinstance(exc_info[1], FileNotFoundError):
            raise exc_info[1]

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, onerror=failed)
    else:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            if strict:
                raise


#: a cache of at least this many bytes is evicted down to :data:`_LOW_WATER` of its
#: bound: a server at the bound writes an answer for every new query text, and evicting
#: to the bound exactly left no room for the next one, so every write listed the whole
#: cache again (thousands of entries; 45 ms of CPU per new text in the endpoint's load
#: benchmark against 18 ms below the bound). Small caches are evicted to the bound exactly.
_HYSTERESIS_FROM = 16 * 2**20
_LOW_WATER = 0.95


def evict(bound: int | None = None, *, keep: Path | None = None, ahead: bool = False) -> list[Path]:
    """Remove the least recently used entries until the cache fits ``bound`` bytes (a cache
    of 16 MB or more: until 95% of it, so that the next writes need no eviction).

    ``ahead`` (a writer near the bound, :func:`write_entry`): a cache of 16 MB or more
    already past 95% of its bound goes down to 95% now. A writer lists the cache when its
    writes *could* take it past the bound, so the listing mostly found it just below: it
    removed nothing, and the room left was a few writes' worth, so the next few writes
    listed the thousands of entries again (a fifth of the endpoint's CPU at the bound
    under new query texts, py-spy)."""
    bound = max_cache_bytes() if bound is None else bound
    listed = time.monotonic()
    entries = sorted(_entries(), key=lambda e: e[0])
    total = sum(size for _, size, _ in entries)
    low = int(bound * _LOW_WATER)
    over = total > bound or (ahead and total > low)
    target = low if bound >= _HYSTERESIS_FROM and over else bound
    removed = []
    kept = str(keep) if keep is not None else None
    for _, size, name in entries:
        if total <= target:
            break
        if name == kept:
            continue
        path = Path(name)
        _remove(path)
        removed.append(path)
        total -= size
    _TALLY[(str(cache_dir()), bound)] = [total, 0, listed]
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
    for _, size, name in _entries():
        kind = os.path.basename(os.path.dirname(name))
        n, total = kinds[kind]
        kinds[kind] = (n + 1, total + size)
    return CacheInfo(cache_dir(), kinds, len(_legacy_files()), max_cache_bytes())


def clear_cache() -> int:
    """Remove every entry (and pickles left by older versions); returns how many.

    Only hetao-kg's own folders are touched, so a cache pointed at a shared folder
    loses nothing else. The embedded store's databases in ``oxigraph/`` are removed by
    :func:`hetao_kg.store.oxigraph.remove_databases` (``hetao-kg cache clear`` does both).
    """
    if not cache_dir().exists():
        return 0
    removed = 0
    databases = cache_dir() / "oxigraph"
    if databases.is_symlink():
        raise CacheError(f"{databases} is a symbolic link (to {os.readlink(databases)}); hetao-kg never follows a "
                         "link out of its cache: remove the link")
    entries = _entries(strict=True)  # refuses a cache whose folders are links elsewhere, before removing anything
    for _, _, name in entries:
        _remove(Path(name), strict=True)
        removed += 1
    for path in _legacy_files():
        if not path.is_symlink() and path.parent.resolve() in (cache_dir().resolve(), (cache_dir() / "answers").resolve()) \
                and not (cache_dir() / "answers").is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
