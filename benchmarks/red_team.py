"""Red-team rerun (issue 16): replay every attack issues 8 and 16 name against the real
surfaces and print one verdict per attack: held, weak or broken, with the evidence.

Surfaces: the CLI (``python -m hetao_kg.cli`` in a child process), the Python API (a
child process calling ``hetao_kg.open(...).query``), the CLI's ``--endpoint``, and a real
``hetao-kg serve`` process (127.0.0.1, a free port, stopped by PID). Traffic goes to
loopback only: a URL that a SERVICE, FROM or LOAD would fetch names a listener on
127.0.0.1 that counts connections, so "nothing was fetched" is observed, not assumed.

The attacks are the hostile cases of ``tests/hostile/`` (data, run by the same code as
``tests/test_hostile.py``), a few targeted tests (named by node id: the differential
fuzz, the worker's network sandbox, cache faults that need another user), and the load
and fault attacks that need a running server (four 20 KB queries against a cold entity
page, five parallel 100 MB bodies, 1,100 trickling sockets, every query text new,
``kill -9`` of the server during a runaway query, niced workers).

Verdicts:

* **held**: every check passed (the attack was refused or contained, one clear line,
  the right exit code or status, nothing fetched, no file changed, in time);
* **weak**: contained, but slower than its bound (a check that says "too slow", or a
  load figure within 1 s over its target);
* **broken**: anything else (fetched, traceback, 500, wrong code, a file changed...).

    .venv/bin/python benchmarks/red_team.py                 # everything (about 15 minutes)
    .venv/bin/python benchmarks/red_team.py --only N1,O12   # some attacks
    .venv/bin/python benchmarks/red_team.py --list          # the attacks and what each replays

Exits 1 if any attack is weak or broken.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import pytest  # noqa: E402  (the hostile runner's failures are pytest outcomes)

import serve_load  # noqa: E402
from hetao_kg.web.launch import running_server  # noqa: E402
from tests import test_hostile as H  # noqa: E402
from tests.test_guard import Listener  # noqa: E402  (counts the connections a query would make)

HELD, WEAK, BROKEN = "held", "weak", "broken"
RANK = {HELD: 0, WEAK: 1, BROKEN: 2}
STORES = H.STORES
PLACEHOLDER = "127.0.0.1:9/"  # the unreachable URL the hostile cases name; replaced by the listener's


@dataclass
class Attack:
    id: str
    issue: str  # where the issue names it: "8 §2", "16 §1 bullet 1", ...
    what: str
    runs: list  # (label, callable returning (verdict, evidence))
    results: list = field(default_factory=list)

    def verdict(self) -> str:
        return max((v for _, v, _ in self.results), key=RANK.__getitem__, default=BROKEN)


# --- shared fixtures: caches and servers as tests/test_hostile.py builds them ------------------


class Fixtures:
    def __init__(self, work: Path):
        self.work = work
        self._caches: dict[str, Path] = {}
        self._servers: dict[str, object] = {}
        self._lock = threading.Lock()
        self._stack = contextlib.ExitStack()
        self.listener = Listener()
        self.address = f"127.0.0.1:{self.listener.port}/"  # what the cases' SERVICE and FROM name

    def cache(self, store: str) -> Path:
        with self._lock:
            if store not in self._caches:
                cache = Path(tempfile.mkdtemp(prefix=f"cache-{store}-", dir=self.work))
                subprocess.run([sys.executable, "-m", "hetao_kg.cli", *H._store_argv(store), "query", "ASK { ?s ?p ?o }"],
                               env=H._child_env(cache), capture_output=True, check=True, timeout=300)
                self._caches[store] = cache
            return self._caches[store]

    def server(self, store: str):
        """One ``hetao-kg serve`` per store with the hostile runner's settings."""
        cache = self.cache(store)
        with self._lock:
            if store not in self._servers:
                self._servers[store] = self._stack.enter_context(running_server(
                    "--store", store, "--timeout", str(H.SERVER_TIMEOUT), "--client-timeout", str(H.CLIENT_TIMEOUT),
                    "--max-query-bytes", "65536", env=H._child_env(cache)))
            return self._servers[store]

    def tmp(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.work))

    def close(self) -> None:
        self._stack.close()
        self.listener.close()


FX: Fixtures  # set in main()


# --- runners --------------------------------------------------------------------------------


_seen = threading.local()


class _Recording:
    """``subprocess`` as tests/test_hostile.py uses it, keeping each thread's last result as evidence."""

    def __getattr__(self, name):
        return getattr(subprocess, name)

    @staticmethod
    def run(*args, **kwargs):
        done = subprocess.run(*args, **kwargs)
        _seen.proc = done
        return done


H.subprocess = _Recording()
_exchange = H._exchange


def _recording_exchange(*args, **kwargs):
    got = _exchange(*args, **kwargs)
    _seen.got = got
    return got


H._exchange = _recording_exchange


def _case_path(name: str, *, ssrf: bool) -> Path:
    """The case's file; with ``ssrf`` a copy naming the listener instead of the unreachable port."""
    path = H.HERE / f"{name}.json"
    if not ssrf:
        return path
    text = path.read_text(encoding="utf-8")
    assert PLACEHOLDER in text, f"{name} names no {PLACEHOLDER} URL"
    copy = FX.tmp() / f"{name}.json"
    copy.write_text(text.replace(PLACEHOLDER, FX.address), encoding="utf-8")
    return copy


def _outcome(fn, ssrf: bool) -> tuple[str, str]:
    hits = FX.listener.hits
    _seen.proc = _seen.got = None
    try:
        fn()
        verdict, why = HELD, ""
    except (AssertionError, pytest.fail.Exception) as exc:
        why = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        verdict = WEAK if why.startswith("too slow") else BROKEN
    fetched = FX.listener.hits - hits
    if ssrf and fetched:
        return BROKEN, f"the listener was contacted {fetched} time(s)"
    return verdict, why or _evidence() + (" ; listener: 0 connections" if ssrf else "")


def _evidence() -> str:
    proc, got = getattr(_seen, "proc", None), getattr(_seen, "got", None)
    if got is not None:
        first = got["head"].split("\r\n", 1)[0] or ("no answer, connection closed" if got["closed"] else "no answer")
        return f"{first} in {got['seconds']:.1f} s"
    if proc is not None:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        out = proc.stdout.decode("utf-8", "replace").strip().splitlines()
        line = next((l for l in err if "error" in l.lower()), (err or out or [""])[-1])
        return f"exit {proc.returncode}: {line[:140]}"
    return "passed"


def cli_case(name: str, store: str, *, ssrf: bool = False):
    """A ``tests/hostile`` CLI case, as tests/test_hostile.py runs it."""
    def run():
        path = _case_path(name, ssrf=ssrf)
        case = H._load(path)
        cache = FX.cache(store) if not case.get("data_copy") else None
        return _outcome(lambda: H.test_hostile(path, store, FX.tmp(), lambda s: cache), ssrf)
    return (f"CLI {name} [{store}]", run)


def endpoint_case(name: str, store: str):
    """A raw-HTTP ``tests/hostile`` case sent to ``hetao-kg serve``."""
    def run():
        return _outcome(lambda: H.test_hostile_endpoint(H.HERE / f"{name}.json", store, FX.server), False)
    return (f"/sparql {name} [{store}]", run)


def _ssrf_text(name: str) -> str:
    return H._load(H.HERE / f"{name}.json")["argv"][-1].replace(PLACEHOLDER, FX.address)


def _refused(status_ok: bool, what: str, hits: int) -> tuple[str, str]:
    fetched = FX.listener.hits - hits
    if fetched:
        return BROKEN, f"{what}; the listener was contacted {fetched} time(s)"
    return (HELD if status_ok else BROKEN), f"{what}; listener: 0 connections"


def ssrf_post(name: str, store: str):
    """The case's SERVICE text posted to /sparql: a 400 and no connection to the listener."""
    def run():
        import httpx

        hits = FX.listener.hits
        r = httpx.post(FX.server(store).url + "/sparql", data={"query": _ssrf_text(name)}, timeout=30)
        return _refused(r.status_code == 400, f"{r.status_code}: {r.text.strip()[:100]}", hits)
    return (f"/sparql POST {name} [{store}]", run)


def ssrf_img(name: str, store: str):
    """Another site's page loads the query as an <img>: 403, nothing fetched."""
    def run():
        import httpx

        hits = FX.listener.hits
        r = httpx.get(FX.server(store).url + "/sparql", params={"query": _ssrf_text(name)}, timeout=30,
                      headers={"Accept": "image/*", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
                               "Sec-Fetch-Dest": "image"})
        return _refused(r.status_code in (400, 403), f"{r.status_code}: {r.text.strip()[:100]}", hits)
    return (f"<img> cross-site {name} [{store}]", run)


def ssrf_api(name: str, store: str):
    """``hetao_kg.open(store=...).query(text)`` in a child process: refused, nothing fetched."""
    def run():
        code = ("import sys, hetao_kg\n"
                f"kg = hetao_kg.open(store={store!r})\n"
                "try:\n    kg.query(sys.argv[1])\nexcept (hetao_kg.QueryError, hetao_kg.QueryRefused) as exc:\n"
                "    print(type(exc).__name__ + ': ' + str(exc)); sys.exit(2)\nprint('answered')\n")
        hits = FX.listener.hits
        done = subprocess.run([sys.executable, "-c", code, _ssrf_text(name)], capture_output=True, text=True,
                              env=H._child_env(FX.cache(store)), timeout=120)
        said = (done.stdout.strip() or done.stderr.strip().splitlines()[-1:] or [""])
        said = said if isinstance(said, str) else said[0]
        ok = done.returncode == 2 and "refused" in said and "Traceback" not in done.stderr
        return _refused(ok, f"exit {done.returncode}: {said[:120]}", hits)
    return (f"API {name} [{store}]", run)


def ssrf_endpoint_flag(name: str, store: str):
    """``hetao-kg query --endpoint <serve>/sparql TEXT``: refused, nothing fetched."""
    def run():
        hits = FX.listener.hits
        done = subprocess.run([sys.executable, "-m", "hetao_kg.cli", "query", "--endpoint", FX.server(store).url + "/sparql",
                               _ssrf_text(name)], capture_output=True, text=True, env=H._child_env(FX.cache(store)),
                              timeout=120)
        line = next((l for l in done.stderr.splitlines() if "error" in l.lower()), done.stderr.strip()[-120:])
        ok = done.returncode == 2 and "Traceback" not in done.stderr
        return _refused(ok, f"exit {done.returncode}: {line[:120]}", hits)
    return (f"--endpoint {name} [{store}]", run)


def pytest_node(*nodes: str):
    """Targeted tests that replay the attack (by node id)."""
    def run():
        args = list(nodes)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
                              cwd=REPO, capture_output=True, text=True, timeout=900,
                              env={**os.environ, "HETAO_KG_CACHE": str(FX.tmp())})
        last = (done.stdout.strip().splitlines() or [""])[-1]
        ok = done.returncode == 0 and "passed" in last and not any(w in last for w in ("skipped", "xfail"))
        return (HELD if ok else BROKEN), last[:140]
    return ("pytest " + " ".join(Path(n).name if "::" in n else n for n in nodes), run)


# --- attacks that need a server of their own --------------------------------------------------


def _children(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as fh:
                        if int(fh.read().rsplit(b")", 1)[1].split()[1]) == p:
                            out.append(int(entry))
                            todo.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
    return out


def _nice(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as fh:
        return int(fh.read().rsplit(b")", 1)[1].split()[16])


def _sum_query(kb: int) -> str:
    terms = (kb * 1024 - 20) // 2
    return "SELECT (" + "+".join("1" * terms) + " AS ?n) {}"


def _join_query(kb: int) -> str:
    """About ``kb`` KB of triple patterns: passes the guard, so it is parsed and evaluated
    (under the worker's limits)."""
    return "SELECT * WHERE { " + " ".join(f"?a{i} ?b{i} ?c{i} ." for i in range(kb * 50)) + " }"


def cold_page_under_big_queries():
    """Four 20 KB `1+1+…` queries and four 20 KB joins at once, then a cold entity page: the
    page is not held up. Judged against another cold entity page asked alone on the same
    server just before (the machine may be loaded): held within twice that, or it plus 1.5 s."""
    def run():
        import httpx

        timeout = 3.0
        with running_server("--timeout", str(timeout), env=H._child_env(FX.cache("oxigraph"))) as s:
            start = time.monotonic()
            alone = httpx.get(s.url + "/id/org/xtalpi", params={"lang": "zh-Hant"}, timeout=120)
            baseline = time.monotonic() - start
            statuses: list = []

            def big(text):
                try:
                    statuses.append(httpx.post(s.url + "/sparql", data={"query": text}, timeout=120).status_code)
                except httpx.HTTPError as exc:
                    statuses.append(type(exc).__name__)

            threads = [threading.Thread(target=big, args=(text,)) for text in [_sum_query(20)] * 4 + [_join_query(20)] * 4]
            for t in threads:
                t.start()
            time.sleep(0.3)
            start = time.monotonic()
            page = httpx.get(s.url + "/id/org/hkust", params={"lang": "zh-Hant"}, timeout=120)
            took = time.monotonic() - start
            for t in threads:
                t.join()
        fine = page.status_code == alone.status_code == 200 and 500 not in statuses
        verdict = (HELD if fine and took <= max(2 * baseline, baseline + 1.5) else
                   WEAK if fine and took <= baseline + timeout + 1 else BROKEN)
        return verdict, (f"cold /id/org/hkust {page.status_code} in {took:.1f} s under the attack (it took 67 s); another "
                         f"cold page alone before: {baseline:.1f} s; the 20 KB sums and joins: {sorted(statuses, key=str)}")
    return ("serve: 4 x 20 KB sums + 4 x 20 KB joins + a cold page", run)


def five_big_bodies():
    """Five parallel 100 MB bodies (chunked, so no Content-Length to refuse them by): the
    server's memory stays flat (it reached 843 MB)."""
    def run():
        spec = json.loads((H.HERE / "endpoint-body-100mb-chunked.json").read_text(encoding="utf-8"))["endpoint"]
        with running_server("--timeout", "3", env=H._child_env(FX.cache("oxigraph"))) as s:
            pid = s.process.pid
            before = serve_load._tree_rss(pid)
            peak, done = [before], threading.Event()

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], serve_load._tree_rss(pid))
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample)
            sampler.start()
            host = s.url.split("//", 1)[1]
            address = (host.split(":")[0], int(host.split(":")[1]))
            with ThreadPoolExecutor(5) as pool:
                got = list(pool.map(lambda _: _exchange(address, spec, host), range(5)))
            done.set()
            sampler.join()
        grew = (peak[0] - before) / 2**20
        statuses = [g["status"] for g in got]
        ok = all(st == 413 for st in statuses) and grew < 100
        return (HELD if ok else BROKEN), f"statuses {statuses}; server memory +{grew:.0f} MB (it reached 843 MB)"
    return ("serve: 5 parallel 100 MB bodies", run)


def slowloris_swarm(n: int = 1100):
    """1,100 sockets trickling header lines (they all stayed open): every one is closed by
    the server once its --client-timeout is up, and /healthz answers meanwhile."""
    def run():
        import httpx

        client_timeout = 2.0
        with running_server("--timeout", "3", "--client-timeout", str(client_timeout),
                            env=H._child_env(FX.cache("oxigraph"))) as s:
            host = s.url.split("//", 1)[1]
            address = (host.split(":")[0], int(host.split(":")[1]))

            async def swarm():
                async def one():
                    reader, writer = await asyncio.open_connection(*address)
                    started = time.monotonic()
                    writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())
                    try:
                        while time.monotonic() - started < 30:
                            await asyncio.sleep(0.5)
                            writer.write(b"X-Slow: 1\r\n")
                            await writer.drain()
                            try:
                                if not await asyncio.wait_for(reader.read(1), 0.01):
                                    break
                            except asyncio.TimeoutError:
                                pass
                    except (ConnectionError, OSError):
                        pass
                    writer.close()
                    return time.monotonic() - started

                async def healthy():
                    await asyncio.sleep(1.0)
                    async with httpx.AsyncClient(timeout=10) as http:
                        start = time.monotonic()
                        r = await http.get(s.url + "/healthz")
                        return r.status_code, time.monotonic() - start

                return await asyncio.gather(asyncio.gather(*(one() for _ in range(n))), healthy())

            opened, (health, health_s) = asyncio.run(swarm())
        longest = max(opened)
        ok = longest <= client_timeout + 3 and health == 200
        return (HELD if ok else BROKEN), (f"{n} sockets, all closed by the server, the longest open {longest:.1f} s "
                                          f"(--client-timeout {client_timeout:g}); /healthz meanwhile {health} in "
                                          f"{health_s:.2f} s")
    return (f"serve: {n} trickling sockets", run)


_fair: dict = {}


def fairness(part: str):
    """Every query text new (20 clients in 2 processes, half new texts) plus a runaway every
    5 s, server --timeout 3: no error, every 503 with Retry-After, and no wait past the
    timeout + 1 s (``part``: "fair" judges the 503s, "bound" the longest wait)."""
    def run():
        if not _fair:
            timeout = 3.0
            with running_server("--timeout", str(timeout), env=H._child_env(FX.cache("oxigraph"))) as s:
                asyncio.run(serve_load.warm_up(s.url))
                mark = len(s.log_text())
                _fair.update(serve_load.attack(s.url, s.process.pid, 20, 15, 0, timeout, 2))
                _fair["server"] = serve_load.server_side(s.log_text()[mark:])
        r = _fair
        fresh = r["by_kind"]["fresh"]
        if part == "fair":
            ok = r["errors"] == 0 and r["busy_without_retry_after"] == 0
            return (HELD if ok else BROKEN), (f"{r['requests']} requests, {r['errors']} errors; new texts: "
                                              f"{fresh['ok']} answered, {fresh['503']} 503 (p50 {fresh['p50_ms']} ms), "
                                              f"503 without Retry-After: {r['busy_without_retry_after']}")
        longest, target = r["longest_s"], r["target_s"]
        verdict = HELD if longest <= target else WEAK if longest <= target + 1 else BROKEN
        return verdict, (f"longest wait {longest} s ({r['longest_from_written_s']} s from written; server's log "
                         f"{r['server']['server_longest_s']} s), target {target:g} s; runaway {r['runaway_statuses']} "
                         f"longest {r['by_kind']['runaway']['max_s']} s")
    return ("serve: every text new + runaways" + (" (503s)" if part == "fair" else " (waits)"), run)


def niced_workers():
    """The query workers run niced (README), so a runaway yields the CPU to the pages."""
    def run():
        with running_server("--timeout", "3", env=H._child_env(FX.cache("oxigraph"))) as s:
            parent = _nice(s.process.pid)
            workers = _children(s.process.pid)
            nices = {pid: _nice(pid) for pid in workers}
        ok = bool(workers) and all(n >= parent + 5 for n in nices.values())
        return (HELD if ok else BROKEN), f"server nice {parent}; its {len(workers)} worker(s) nice {sorted(set(nices.values()))}"
    return ("serve: workers niced", run)


def kill_9_server():
    """``kill -9`` of the server while its worker runs a runaway query: the worker dies too,
    and the database is free (a CLI query on the same cache answers)."""
    def run():
        import httpx

        cache = FX.cache("oxigraph")
        env = H._child_env(cache)
        with running_server("--timeout", "120", env=env) as s:
            def runaway():
                with contextlib.suppress(httpx.HTTPError):
                    httpx.post(s.url + "/sparql", data={"query": serve_load.HOSTILE + " # kill -9"}, timeout=60)

            threading.Thread(target=runaway, daemon=True).start()
            time.sleep(2.0)
            workers = _children(s.process.pid)
            os.kill(s.process.pid, signal.SIGKILL)
            s.process.wait(timeout=10)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
                time.sleep(0.1)
            left = [p for p in workers if Path(f"/proc/{p}").exists()]
            for p in left:  # ours (started under the server): do not leave them running
                with contextlib.suppress(OSError):
                    os.kill(p, signal.SIGKILL)
        done = subprocess.run([sys.executable, "-m", "hetao_kg.cli", "query", "ASK { ?s a hto:University }"],
                              capture_output=True, text=True, env=env, timeout=120)
        ok = workers and not left and done.returncode == 0
        return (HELD if ok else BROKEN), (f"{len(workers)} worker(s) before the kill, {len(left)} alive 10 s after; "
                                          f"a CLI query on the same store then: exit {done.returncode} "
                                          f"{(done.stdout.strip() or done.stderr.strip())[:60]!r}")
    return ("serve: kill -9 during a runaway", run)


# --- the attacks --------------------------------------------------------------------------------


def both(make, name: str, **kw) -> list:
    return [make(name, store, **kw) for store in STORES]


def attacks() -> list[Attack]:
    A = Attack
    cli_ssrf = lambda name: both(cli_case, name, ssrf=True) + both(ssrf_post, name)  # noqa: E731
    cli = lambda *names: [r for n in names for r in both(cli_case, n)]  # noqa: E731
    ep = lambda *names: [r for n in names for r in both(endpoint_case, n)]  # noqa: E731
    return [
        # issue 8 (the 48 attacks of last time, replayed on both stores): network, files, updates,
        # scripts in views, limits, the cache
        A("O1", "8 (network)", "SERVICE <url> fetches from another endpoint", cli_ssrf("query-service")),
        A("O2", "8 (network)", "SERVICE ?var with the URL bound by VALUES", cli_ssrf("query-service-variable")),
        A("O3", "8 (network)", "SERVICE SILENT (a refused call ignored)", cli_ssrf("query-service-silent")),
        A("O4", "8 (files)", "FROM <file:///etc/passwd>", cli("query-from")),
        A("O5", "8 (network)", "FROM NAMED <url> of a remote graph", cli("query-from-named-remote")),
        A("O6", "8 (files)", "GRAPH <file:///etc/passwd> in a pattern", cli("query-graph-file-iri")),
        A("O7", "8 (network)", "LOAD <url>", cli("query-load-remote")),
        A("O8", "8 (files)", "LOAD <file:///etc/passwd> INTO GRAPH", cli("query-load-file")),
        A("O9", "8 (updates)", "DROP ALL", cli("query-update")),
        A("O10", "8 (updates)", "INSERT DATA", cli("query-insert-data")),
        A("O11", "8 (updates)", "DELETE WHERE { ?s ?p ?o }", cli("query-delete-where")),
        A("O12", "8 (updates)", "an update posted to /sparql (sparql-update body, update= form, LOAD as query=)",
          ep("endpoint-update-body", "endpoint-update-form", "endpoint-load-in-query-param")),
        A("O13", "8 (scripts)", "a label with <img onerror> and </script><script> in an offline view",
          cli("label-script-in-view")),
        A("O14", "8 (scripts)", "the same label on the explorer's pages (entity, search, project, source reader)",
          [pytest_node("tests/test_web.py::test_xss_label_is_escaped")]),
        A("O15", "8 §2", "a two-way cartesian product (ran to 4 GB): cut at the row limit",
          cli("limit-cartesian-product-rows")),
        A("O16", "8 §2", "a three-way cartesian count: stopped at the timeout", cli("limit-cartesian-product-timeout")),
        A("O17", "8 §2", "REGEX ^(a+)+$ catastrophic backtracking", cli("limit-regex-catastrophic")),
        A("O18", "8 §2", "ten nested REPLACE (8 GB): the memory ceiling", cli("limit-nested-replace-memory")),
        A("O19", "8 §2", "a 10 MB query text (1.3 GB to parse)", cli("limit-query-text-10mb")),
        A("O20", "8 §2", "27 nested brackets (a 3,000-line RecursionError)", cli("limit-nested-brackets")),
        A("O21", "8 §3", "a pickle planted in the cache (ran code)", cli("cache-planted-pickle", "cache-planted-oxigraph-junk")),
        A("O22", "8 §3", "3 random bytes changed in cache entries (5 of 150 loaded wrong data)",
          [pytest_node("tests/test_cache.py::test_three_changed_bytes_are_dropped_and_rebuilt")]),
        A("O23", "8 §3", "a data file swapped between hashing and parsing (served stale forever)",
          [pytest_node("tests/test_cache.py::test_a_file_swapped_between_hashing_and_parsing_is_never_served_stale")]),
        A("O24", "8 §3", "answers never evicted (one 300-byte query left 100 MB)",
          [pytest_node("tests/test_cache.py::test_eviction_keeps_the_cache_under_its_bound",
                       "tests/test_cache.py::test_eviction_through_the_cli")]),
        # issue 16 §1: the guard bypass (SSRF)
        A("N1", "16 §1 bullet 1", "a bare CR ends a # comment, then SERVICE: CLI, API, --endpoint, /sparql, cross-site <img>",
          cli_ssrf("query-service-after-cr-comment") + both(ssrf_api, "query-service-after-cr-comment")
          + [ssrf_endpoint_flag("query-service-after-cr-comment", "oxigraph"),
             ssrf_img("query-service-after-cr-comment", "oxigraph")]),
        A("N2", "16 §1 bullet 2", "a quote inside an IRI in VALUES hides UNION { SERVICE }",
          cli_ssrf("query-service-behind-quote-in-iri")),
        A("N3", "16 §1 fuzz", "\\u0053ERVICE (a code point escape)", cli_ssrf("query-service-code-point-escape")),
        A("N4", "16 §1 fuzz", "a long string opened after an IRI with '#' hides a SERVICE",
          cli_ssrf("query-service-after-long-string")),
        A("N5", "16 §1 second wall", "the query worker itself cannot reach the network (SERVICE with no guard)",
          [pytest_node("tests/test_guard.py::test_the_query_worker_cannot_reach_the_network")]),
        A("N6", "16 §1 fuzz", "differential fuzz: comments, CR/LF/U+2028/U+0085, escapes, quotes in IRIs, nesting",
          [pytest_node("tests/test_guard.py")]),
        # issue 16 §2: parsing inside the limits; the endpoint under load
        A("N7", "16 §2 bullet 1", "a 40 KB 1+1+… query (its 503 came after 85 s)", ep("endpoint-query-40kb-sum")),
        A("N8", "16 §2 bullet 1", "four 20 KB queries block a cold entity page (67 s): 4 sums + 4 joins", [cold_page_under_big_queries()]),
        A("N9", "16 §2 bullet 2", "a 100 MB body announced by Content-Length", ep("endpoint-body-100mb-content-length")),
        A("N10", "16 §2 bullet 2", "a 100 MB chunked body", ep("endpoint-body-100mb-chunked")),
        A("N11", "16 §2 bullet 2", "five parallel 100 MB POSTs (843 MB)", [five_big_bodies()]),
        A("N12", "16 §2 bullet 2", "slow headers (slowloris)", ep("endpoint-slow-headers")),
        A("N13", "16 §2 bullet 2", "a body trickled a byte at a time", ep("endpoint-slow-body")),
        A("N14", "16 §2 bullet 2", "a connection that sends nothing", ep("endpoint-idle-connection")),
        A("N15", "16 §2 bullet 2", "1,100 trickling sockets (all stayed open; past the limit, prompt clients got 503)",
          ep("endpoint-slowloris-swarm") + [slowloris_swarm()]),
        A("N16", "16 §2 bullet 3", "every query text new: fair, a bounded queue, 503 with Retry-After at once",
          [fairness("fair")]),
        A("N17", "16 §2 bullet 3", "a 503 could take twice the timeout: every wait within the timeout + 1 s",
          [fairness("bound")]),
        A("N18", "16 §2 bullet 3", "workers niced as the README says", [niced_workers()]),
        A("N19", "16 §2 bullet 4", "kill -9 of the server: its worker ran on past 2 minutes holding the lock",
          [kill_9_server(), pytest_node("tests/test_guard.py::test_a_worker_dies_with_its_parent")]),
        A("N20", "16 §2 bullet 5", "DNS rebinding: any Host was accepted", ep("endpoint-host-dns-rebinding")),
        A("N21", "16 §2 bullet 5", "a cross-origin POST and a cross-site <img>",
          ep("endpoint-origin-cross-site-post", "endpoint-cross-site-img")),
        A("N22", "16 §2 bullet 5", "the 404 page turns //evil.example into an off-site link", ep("endpoint-404-double-slash-path")),
        A("N23", "16 §2 bullet 5", "/id/org/hku%20x (a 500 with a traceback)",
          ep("endpoint-entity-path-not-an-iri", "endpoint-entity-path-not-an-iri-as-rdf")),
        A("N24", "16 §2 bullet 5", "%ED%A0%80 and %FF (silently U+FFFD): query string, path, form body",
          ep("endpoint-query-encoded-surrogate", "endpoint-query-invalid-utf8", "endpoint-path-invalid-utf8",
             "endpoint-form-invalid-utf8")),
        # issue 16 §3: data, cache and store faults
        A("N25", "16 §3 bullet 1", "cache clear follows a symlinked cache folder (deleted others' files)",
          cli("cache-clear-symlinked-folder", "cache-clear-symlinked-store-folder")),
        A("N26", "16 §3 bullet 1", "eviction follows a symlinked cache folder", cli("cache-eviction-symlinked-folder")),
        A("N27", "16 §3 bullet 2", "another user plants a forged answer with a valid checksum",
          cli("cache-answer-owned-by-another-user", "cache-answer-writable-by-others")),
        A("N28", "16 §3 bullet 2", "cache entries not bound to the code that wrote them",
          [pytest_node("tests/test_cache.py::test_entries_written_by_other_code_are_stale_not_read")]),
        A("N29", "16 §3 bullet 3", "an empty CURRENT in the store (a traceback on every command)", cli("store-current-file-empty")),
        A("N30", "16 §3 bullet 4", "U+2028, U+0085, a form feed in a label (SyntaxError: None)", cli("label-line-separators")),
        A("N31", "16 §3 bullet 4", "an invalid IRI in a data file (a traceback on the memory store)", cli("data-invalid-iri")),
        A("N32", "16 §3 bullet 4", "--param 's=<not an iri>' (a 47-line traceback)", cli("param-not-an-iri")),
        A("N33", "16 §3 bullet 4", "cache clear on a read-only folder (an OSError traceback)",
          [pytest_node("tests/test_cache.py::test_cache_clear_that_cannot_remove_says_so_in_one_line")]),
        A("N34", "16 §3 bullet 5", "a 16 KB, 8,000-term sum crashed the worker, reported as memory",
          cli("limit-eight-thousand-term-sum")),
        A("N35", "16 §3 bullet 6", "a data file swapped right after hashing: the default store served stale",
          [pytest_node("tests/test_cache.py::test_embedded_store_holds_what_was_hashed_when_a_file_is_swapped_after_hashing")]),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated attack ids (default: all)")
    ap.add_argument("--jobs", type=int, default=2, help="attacks run side by side (the server attacks run alone)")
    ap.add_argument("--list", action="store_true", help="list the attacks and their runs, run nothing")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    todo = attacks()
    if args.only:
        wanted = {a.strip() for a in args.only.split(",")}
        todo = [a for a in todo if a.id in wanted]
    if args.list:
        for a in todo:
            print(f"{a.id:<4} {a.issue:<20} {a.what}")
            for label, _ in a.runs:
                print(f"       {label}")
        print(f"{len(todo)} attacks, {sum(len(a.runs) for a in todo)} runs")
        return 0

    global FX
    started, load = time.monotonic(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="red-team-") as work:
        FX = Fixtures(Path(work))
        try:
            quiet = [(a, r) for a in todo for r in a.runs if not r[0].startswith("serve:")]
            alone = [(a, r) for a in todo for r in a.runs if r[0].startswith("serve:")]

            def go(item):
                attack, (label, fn) = item
                t0 = time.monotonic()
                try:
                    verdict, evidence = fn()
                except Exception as exc:  # the harness itself failed: say so, as broken
                    verdict, evidence = BROKEN, f"{type(exc).__name__}: {str(exc)[:150]}"
                attack.results.append((label, verdict, f"{evidence} ({time.monotonic() - t0:.0f} s)"))
                print(f"  {attack.id:<4} {verdict:<7} {label}: {evidence}", file=sys.stderr, flush=True)

            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                list(pool.map(go, quiet))
            for item in alone:
                go(item)
        finally:
            FX.close()

    counts = {v: sum(1 for a in todo if a.verdict() == v) for v in (HELD, WEAK, BROKEN)}
    runs = sum(len(a.results) for a in todo)
    print(f"red team rerun, {time.strftime('%Y-%m-%d')}: {len(todo)} attacks in {runs} runs, "
          f"{time.monotonic() - started:.0f} s, load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"{'id':<4} {'verdict':<7} {'issue':<19} attack -> evidence (the worst run; runs held/total)")
    for a in todo:
        worst = max(a.results, key=lambda r: RANK[r[1]])
        held = sum(1 for r in a.results if r[1] == HELD)
        print(f"{a.id:<4} {a.verdict():<7} {a.issue:<19} {a.what} -> {worst[0]}: {worst[2]} [{held}/{len(a.results)}]")
    print(f"held {counts[HELD]}, weak {counts[WEAK]}, broken {counts[BROKEN]}")
    if args.json:
        Path(args.json).write_text(json.dumps([{"id": a.id, "issue": a.issue, "attack": a.what, "verdict": a.verdict(),
                                                "runs": [{"run": l, "verdict": v, "evidence": e} for l, v, e in a.results]}
                                               for a in todo], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if counts[WEAK] == counts[BROKEN] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
