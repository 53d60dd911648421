"""Start real SPARQL engines on loopback, for the tests and the benchmarks.

Each server listens on ``127.0.0.1`` on a free port, is waited for until it
answers, and is stopped by its process id (never by name):

* the Oxigraph server (PyPI ``oxigraph``: ``oxigraph serve --location DIR``);
* Virtuoso open source (Debian ``virtuoso-opensource``: ``virtuoso-t`` with a
  private copy of its ``virtuoso.ini``: own database files, ports and load folder).

>>> free_port() > 1024
True
"""

from __future__ import annotations

import configparser
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["EngineUnavailable", "Server", "free_port", "start_oxigraph", "stop_process", "start_virtuoso", "VIRTUOSO_INI"]

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


class EngineUnavailable(RuntimeError):
    """The engine's program is not installed on this machine."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, *, timeout: float, kill_wait: float = 10) -> int:
    """SIGTERM a server process, wait ``timeout`` s for it to drain, SIGKILL only if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(kill_wait)
    return process.returncode


@dataclass
class Server:
    """A running engine: its SPARQL query URL, process and (for Virtuoso) isql port."""

    name: str
    url: str
    process: subprocess.Popen
    workdir: Path
    isql: str | None = None
    log: Path | None = None
    version: str = ""
    extra: dict = field(default_factory=dict)

    def stop(self, timeout: float = 30) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL)."""
        stop_process(self.process, timeout=timeout, kill_wait=timeout)


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"server did not answer {url} within {timeout} s: {log.read_text(errors='replace')[-2000:]}")


def _program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        raise EngineUnavailable(f"{name} is not installed")
    return found


def start_oxigraph(location: str | Path, *, timeout: float = 60, query_timeout: int | None = None) -> Server:
    """Start ``oxigraph serve --location LOCATION --bind 127.0.0.1:PORT``; its query URL is ``/query``.

    ``query_timeout`` (seconds) is the engine's own limit (``--timeout-s``).
    """
    program = _program("oxigraph")
    location = Path(location)
    location.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = location.parent / f"{location.name}.log"
    with open(log, "wb") as out:
        limit = ["--timeout-s", str(query_timeout)] if query_timeout else []
        process = subprocess.Popen([program, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *limit],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log, timeout)
    version = subprocess.run([program, "--version"], capture_output=True, text=True).stdout.strip()
    return Server("oxigraph-server", f"{base}/query", process, location, log=log, version=version,
                  extra={"store": f"{base}/store"})


def virtuoso_ini(workdir: Path, http_port: int, isql_port: int, *, max_rows: int = 1_000_000,
                 max_seconds: int = 60, buffers: int = 20_000, template: Path = VIRTUOSO_INI) -> Path:
    """A private ``virtuoso.ini`` in ``workdir``: own database files, loopback ports, ``workdir/load`` allowed,
    ``buffers`` pages of 8 KB in memory (three quarters of them may be dirty)."""
    ini = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
    ini.optionxform = str  # keep the keys' case
    ini.read(template, encoding="utf-8")
    db = workdir / "db"
    db.mkdir(parents=True, exist_ok=True)
    (workdir / "load").mkdir(exist_ok=True)
    for section, stem in (("Database", "virtuoso"), ("TempDatabase", "virtuoso-temp")):
        for key, ext in (("DatabaseFile", "db"), ("ErrorLogFile", "log"), ("LockFile", "lck"),
                         ("TransactionFile", "trx"), ("xa_persistent_file", "pxa")):
            ini.set(section, key, str(db / f"{stem}.{ext}"))
    ini.set("Parameters", "ServerPort", f"127.0.0.1:{isql_port}")
    ini.set("Parameters", "DirsAllowed", f"., {workdir / 'load'}, /usr/share/virtuoso-opensource-7/vad")
    ini.set("Parameters", "NumberOfBuffers", str(buffers))
    ini.set("Parameters", "MaxDirtyBuffers", str(buffers * 3 // 4))
    ini.set("HTTPServer", "ServerPort", f"127.0.0.1:{http_port}")
    ini.set("SPARQL", "ResultSetMaxRows", str(max_rows))
    ini.set("SPARQL", "MaxQueryExecutionTime", str(max_seconds))
    # the cost estimator (400 s by default) refuses hetao-kg's queries once the dataset
    # names every graph (named-graph-uri per graph); the execution-time limit stays
    ini.set("SPARQL", "MaxQueryCostEstimationTime", "100000")
    if ini.has_section("Plugins"):
        ini.remove_section("Plugins")  # wiki plugins: not needed, and they log noise
    path = workdir / "virtuoso.ini"
    with open(path, "w", encoding="utf-8") as fh:
        ini.write(fh)
    return path


def start_virtuoso(workdir: str | Path, *, timeout: float = 120, max_rows: int = 1_000_000,
                   max_seconds: int = 60, buffers: int = 20_000) -> Server:
    """Start ``virtuoso-t +foreground`` with a private ini; SPARQL at ``/sparql``, isql on ``server.isql``;
    the limits ``max_rows`` (``ResultSetMaxRows``), ``max_seconds`` (``MaxQueryExecutionTime``) and
    ``buffers`` (``NumberOfBuffers``) as :func:`virtuoso_ini` writes them."""
    program = _program("virtuoso-t")
    if not VIRTUOSO_INI.is_file():
        raise EngineUnavailable(f"{VIRTUOSO_INI} not found (Debian package virtuoso-opensource)")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    http_port, isql_port = free_port(), free_port()
    while isql_port == http_port:
        isql_port = free_port()
    ini = virtuoso_ini(workdir, http_port, isql_port, max_rows=max_rows, max_seconds=max_seconds, buffers=buffers)
    log = workdir / "virtuoso-t.out"
    with open(log, "wb") as out:
        process = subprocess.Popen([program, "+foreground", "+configfile", str(ini)], cwd=workdir,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}/sparql"
    _wait_http(f"{url}?query=ASK%7B%7D", process, log, timeout)
    version = subprocess.run([program, "-?"], capture_output=True, text=True)
    line = next((s for s in (version.stdout + version.stderr).splitlines() if "Version" in s), "")
    return Server("virtuoso", url, process, workdir, isql=f"127.0.0.1:{isql_port}", log=log,
                  version=line.strip(), extra={"load_dir": str(workdir / "load")})
