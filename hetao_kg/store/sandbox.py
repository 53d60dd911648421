"""The query worker's second wall: a process that cannot open a network socket.

The guard (:mod:`hetao_kg.store.sparql_guard`) refuses ``SERVICE`` and dataset clauses
before any engine reads a query. Should it ever be wrong, the engine still cannot
fetch anything: the worker that evaluates queries calls :func:`cut_network` before
it loads the store, and from then on the kernel refuses it every socket but a
Unix one (the pipe to its parent).

* On Linux with libseccomp (``pyseccomp``, a ctypes binding of the system's
  ``libseccomp.so.2``), a seccomp filter makes ``socket()`` fail with ``EACCES``
  for every address family but ``AF_UNIX``; it holds for the worker and for every
  thread it starts (RocksDB's, Oxigraph's), and cannot be lifted.
* Without libseccomp, a new network namespace (``unshare(CLONE_NEWUSER |
  CLONE_NEWNET)``) leaves the worker only a loopback interface of its own, with
  nothing listening on it.
* Elsewhere (no Linux) nothing can be cut: :func:`cut_network` says so and the guard
  is the only wall.

>>> import socket, subprocess, sys
>>> code = "from hetao_kg.store.sandbox import cut_network; print(cut_network()); import socket; socket.socket()"
>>> run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
>>> run.stdout.strip(), "PermissionError" in run.stderr
('seccomp', True)
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys

__all__ = ["cut_network"]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _seccomp() -> None:
    import pyseccomp as seccomp  # a ctypes binding: ImportError or OSError without libseccomp

    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    rules.load()


def _namespace() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
    if libc.unshare(flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def cut_network() -> str:
    """Cut this process (and the threads it starts from now on) off the network.

    Returns how: ``"seccomp"``, ``"namespace"``, or ``"none"`` where neither is
    available (not Linux). Call it before any thread is started.
    """
    if not sys.platform.startswith("linux"):
        return "none"
    try:
        _seccomp()
        return "seccomp"
    except Exception:  # noqa: BLE001 - no libseccomp here: try a namespace
        pass
    try:
        _namespace()
        return "namespace"
    except OSError:
        return "none"
