"""Start ``hetao-kg serve`` as a real process on a free loopback port, wait until it
answers, and stop it by PID: for tests, benchmarks and screenshots.

    with running_server("--timeout", "5") as server:
        httpx.get(server.url + "/healthz").json()["status"]   # 'ok'

>>> 1024 <= free_port() <= 65535
True
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..store.servers import free_port, stop_process

__all__ = ["Server", "free_port", "running_server"]




@dataclass
class Server:
    """A running server: its base URL, process and log file."""

    url: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, *, timeout: float = 40.0) -> int:
        """SIGTERM (uvicorn drains open requests), then wait; kill only if it hangs."""
        return stop_process(self.process, timeout=timeout)


@contextmanager
def running_server(*args: str, data_root: str | Path | None = None, env: dict[str, str] | None = None,
                   startup: float = 120.0, prefix: str = "", ready: str = "/healthz",
                   python: tuple[str, ...] = ()) -> Iterator[Server]:
    """Run ``hetao-kg [--data-root R] serve --port P ARGS`` until the block ends; it is up
    once ``ready`` answers 200 (``"/"`` for ``serve --review``, which has no health check).

    ``python`` are arguments for the interpreter before ``-m hetao_kg.cli``: a benchmark
    profiles the server with ``("-m", "cProfile", "-o", FILE)`` (written when it stops)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="hetao-serve-", suffix=".log")[1])
    cmd = [sys.executable, *python, "-m", "hetao_kg.cli"]
    if data_root:
        cmd += ["--data-root", str(data_root)]
    cmd += ["serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with open(log, "wb") as fh:
        process = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    server = Server(f"http://127.0.0.1:{port}{prefix}", process, log)
    try:
        deadline = time.monotonic() + startup
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_text()}")
            try:
                with urllib.request.urlopen(server.url + ready, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not up after {startup:.0f} s:\n{server.log_text()}")
            time.sleep(0.2)
        yield server
    finally:
        server.stop()
        log.unlink(missing_ok=True)
