"""Reading a new report safely: encoding, binary and empty files, streamed in blocks.

A report arrives as bytes. This module decides whether they are text a curator can
ingest and yields it in blocks of whole lines, so that a 50 MB file is normalized and
read with bounded memory (a line or two is too little to tell GB18030 from Big5
reliably; a report is plenty). Every refusal is one clear line naming the file (and,
for a bad byte, its line) and saying what to do.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.txt"
>>> _ = p.write_bytes(("河(hé)套(tào)深港科技创新合作区。" * 20).encode("gb18030"))
>>> try:
...     check_readable(p)
... except IngestError as exc:
...     print(str(exc).split(": ", 1)[1].split(" (")[0])
not UTF-8: it reads as GB18030
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["IngestError", "SourceInfo", "check_readable", "read_blocks", "BLOCK_BYTES"]

#: bytes read at a time; a block always ends at a line end (a longer line is read whole)
BLOCK_BYTES = 1 << 20
_SNIFF = 1 << 16


class IngestError(ValueError):
    """Input that cannot be ingested; ``str()`` is one line naming the file."""


@dataclass(frozen=True)
class SourceInfo:
    """What :func:`check_readable` found out about a file."""

    path: Path
    size: int
    encoding: str  # the codec the text is read with ("utf-8", or one the curator named)


_NAMES = {"gb18030": "GB18030 (Chinese, mainland)", "gb2312": "GB18030 (Chinese, mainland)",
          "gbk": "GB18030 (Chinese, mainland)", "big5": "Big5 (Chinese, Traditional)",
          "big5hkscs": "Big5-HKSCS (Chinese, Hong Kong)", "cp950": "Big5 (Chinese, Traditional)"}


def _guess(data: bytes) -> str | None:
    """The likeliest legacy Chinese encoding of ``data`` (charset-normalizer), or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "big5hkscs", "cp950", "gbk"]).best()
    return best.encoding if best is not None else None


def check_readable(path: str | Path, *, encoding: str | None = None) -> SourceInfo:
    """Refuse what is not a text report: missing, a folder, empty, binary, not UTF-8.

    ``encoding`` reads a legacy file (``gb18030``, ``big5``) the curator has recognised;
    without it a non-UTF-8 file is refused with the encoding it looks like and the
    command that converts it.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    if not path.is_file():
        raise IngestError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path}: the file is empty; nothing to ingest")
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    if b"\x00" in head:
        at = head.index(b"\x00")
        raise IngestError(f"{path}: binary data (a NUL byte at offset {at}), not a text report; "
                          "save the report as plain text (UTF-8)")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise IngestError(f"{path}: unknown encoding {encoding!r}") from None
        _decode_all(path, encoding)
        return SourceInfo(path, size, encoding)
    try:
        _decode_all(path, "utf-8")
    except IngestError as exc:
        guess = _guess(head)
        if guess and guess.replace("_", "").lower() in _NAMES:
            name = _NAMES[guess.replace("_", "").lower()]
            code = "gb18030" if name.startswith("GB") else "big5"
            raise IngestError(
                f"{path}: not UTF-8: it reads as {name}; rerun with --encoding {code}, or convert it with "
                f"`iconv -f {code.upper()} -t UTF-8 {path.name} > {path.stem}.utf8.txt`") from None
        raise exc
    return SourceInfo(path, size, "utf-8")


def _decode_all(path: Path, encoding: str) -> None:
    """Decode the whole file block by block; name the line of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, newlines = 0, 0
    with path.open("rb") as fh:
        while True:
            data = fh.read(BLOCK_BYTES)
            try:
                decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                at = max(0, exc.start)
                line = newlines + data.count(b"\n", 0, at) + 1
                raise IngestError(f"{path}:{line}: not {encoding} (byte 0x{data[at]:02x} at offset {offset + at})") from None
            if not data:
                return
            offset += len(data)
            newlines += data.count(b"\n")


def read_blocks(info: SourceInfo, *, block_bytes: int = BLOCK_BYTES,
                progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The file's text in blocks of whole lines (each ends with ``\\n`` except the last).

    ``progress`` is called with the number of bytes read so far.
    """
    decoder = codecs.getincrementaldecoder(info.encoding)()
    pending, done = "", 0
    first = True
    with info.path.open("rb") as fh:
        while True:
            data = fh.read(block_bytes)
            text = pending + decoder.decode(data, final=not data)
            if first and text.startswith("\ufeff"):
                text = text[1:]  # a UTF-8 byte order mark is not part of the report
            first = False
            done += len(data)
            if not data:
                if text:
                    yield text
                if progress:
                    progress(done)
                return
            cut = text.rfind("\n")
            if cut < 0:
                pending = text
                continue
            pending = text[cut + 1:]
            yield text[: cut + 1]
            if progress:
                progress(done)
