"""Load and faults for `hetao-kg serve`, on loopback only and bounded in time.

Starts the server as a real process on 127.0.0.1 (a free port), then:

1. baseline: one client runs the request mix for --baseline seconds;
2. load: --clients concurrent clients (asyncio + httpx) run the mix for --duration
   seconds: every named query through /sparql (GET, POST form, POST direct, some
   with labels=LANG) and page loads (home, entities, search, source reader, ontology);
3. with --hostile: the same load while one more client keeps sending a cartesian
   product that can only end by the server's timeout;
4. with --attack (issue 16): --clients clients for --duration seconds, half of them
   sending named query texts (answered from the caches) and half new texts (every
   one evaluated: a named query with a fresh comment, so no cache can answer it),
   plus one runaway query every 5 s and --slow clients that trickle their requests
   (slowloris, a body sent a byte at a time). Reports, besides the figures above,
   the 503s (with Retry-After: the bounded queue) apart from errors, the longest
   wait for an answer or a 503 against the target (the server's timeout + 1 s), the
   slow sockets the server closed, and the peak memory of the server and its
   query workers (RSS, sampled every 0.2 s). The clients run in --procs processes
   (default 4), so a busy event loop of the load generator does not pass for the
   server's delay; each request's wait is also measured from the moment it was
   written whole to the socket, and each process reports how late its event loop woke.

Prints requests, errors, throughput and p50/p95/p99 per phase, and the ratios of
the load phases to the baseline. Exits 1 if any request of the mix failed.

    .venv/bin/python benchmarks/serve_load.py --clients 50 --duration 30 --hostile
    .venv/bin/python benchmarks/serve_load.py --clients 50 --duration 30 --attack --slow 20
    .venv/bin/python benchmarks/serve_load.py --vs-oxigraph --clients 8 --duration 10 --rounds 3

5. with --vs-oxigraph (issue 22), only: ``hetao-kg serve`` and ``oxigraph serve`` (the
   PyPI ``oxigraph`` program) on 127.0.0.1, the same quads loaded into both (the dump of
   the embedded store, with its named graphs), and three workloads run against each in
   turn, the servers alternating which goes first, --rounds times: **new** (every named
   query that needs no parameter, hetao-kg's prefixes declared in the text, each request
   with a comment no server has seen), **repeated** (the same texts again: hetao-kg's
   answer caches), **entity** (``/id/ENTITY`` as Turtle against Oxigraph's CONSTRUCT of
   the same triples). Prints median throughput, p50 and p95 per server and the ratios
   against the targets (new: >= 0.5x throughput, p50 <= 2x; entity: >= 0.5x throughput).
   ``--profile FILE`` runs the hetao-kg server under cProfile (its main process: the
   guard, the protocol, serializing; the query workers are other processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hetao_kg.query.queries import named_queries  # noqa: E402
from hetao_kg.web.launch import running_server  # noqa: E402

HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PAGES = ["/", "/?lang=zh-Hans", "/id/org/hku", "/id/org/siqa?lang=zh-Hant", "/id/park/shenzhen-park",
         "/search?q=xianggang+daxue", "/search?q=liangzi", "/source/hetao-progress-report", "/ontology",
         "/id/org/hku|text/turtle", "/healthz"]


def request_mix() -> list[tuple[str, str, dict]]:
    """The requests clients cycle through: (kind, path, httpx keyword arguments)."""
    mix: list[tuple[str, str, dict]] = []
    for i, q in enumerate(named_queries().values()):
        if "required" in q.params:
            continue
        if i % 3 == 0:
            mix.append(("query", "/sparql", {"method": "GET", "params": {"query": q.text}}))
        elif i % 3 == 1:
            mix.append(("query", "/sparql", {"method": "POST", "data": {"query": q.text, "labels": "en"}}))
        else:
            mix.append(("query", "/sparql", {"method": "POST", "content": q.text.encode("utf-8"),
                                              "headers": {"Content-Type": "application/sparql-query",
                                                          "Accept": "text/csv"}}))
    for page in PAGES:
        path, _, accept = page.partition("|")
        mix.append(("page", path, {"method": "GET", "headers": {"Accept": accept or "text/html"}}))
    return mix


async def client(base: str, mix, offset: int, until: float, out: list, errors: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        i = offset
        while time.perf_counter() < until:
            kind, path, kw = mix[i % len(mix)]
            kw = dict(kw)
            method = kw.pop("method")
            start = time.perf_counter()
            try:
                r = await http.request(method, path, **kw)
                ok = r.status_code == 200
                detail = f"{r.status_code} {r.text[:120]!r}"
            except httpx.HTTPError as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            out.append((kind, time.perf_counter() - start))
            if not ok:
                errors.append(f"{method} {path}: {detail}")
            i += 1


async def warm_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for kind, path, kw in request_mix():
            kw = dict(kw)
            await http.request(kw.pop("method"), path, **kw)


async def hostile_client(base: str, until: float, answers: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        while time.perf_counter() < until:
            start = time.perf_counter()
            r = await http.post("/sparql", data={"query": HOSTILE})
            answers.append((r.status_code, time.perf_counter() - start))


async def phase(base: str, clients: int, seconds: float, *, hostile: bool = False) -> dict:
    mix = request_mix()
    samples: list[tuple[str, float]] = []
    errors: list[str] = []
    hostile_answers: list = []
    start = time.perf_counter()
    until = start + seconds
    tasks = [client(base, mix, k * 7, until, samples, errors) for k in range(clients)]
    if hostile:
        tasks.append(hostile_client(base, until, hostile_answers))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    return summarize(samples, errors, wall, clients, hostile_answers if hostile else None)


def _pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def summarize(samples, errors, wall, clients, hostile) -> dict:
    lat = [s for _, s in samples]
    out = {
        "clients": clients, "seconds": round(wall, 1), "requests": len(samples), "errors": len(errors),
        "throughput_rps": round(len(samples) / wall, 1),
        "p50_ms": round(_pct(lat, 50) * 1000, 1), "p95_ms": round(_pct(lat, 95) * 1000, 1),
        "p99_ms": round(_pct(lat, 99) * 1000, 1),
        "queries": sum(1 for k, _ in samples if k == "query"), "pages": sum(1 for k, _ in samples if k == "page"),
        "first_errors": errors[:5],
    }
    if hostile is not None:
        out["hostile"] = {"sent": len(hostile), "statuses": sorted({s for s, _ in hostile}),
                          "max_s": round(max((t for _, t in hostile), default=0), 2)}
    return out


# --- the attack phase (issue 16) -------------------------------------------------------------


def server_side(log: str) -> dict:
    """The server's own view, from its access log (one line per request with its duration):
    the longest time a /sparql request spent in the server, apart from client-side delays."""
    import re

    found = [(int(m.group(1)), float(m.group(2)) / 1000) for m in
             re.finditer(r'"(?:GET|POST) /sparql[^"]*" (\d{3}) ([\d.]+)ms', log)]
    return {"server_longest_s": round(max((t for _, t in found), default=0.0), 2),
            "server_statuses": {str(k): sum(1 for c, _ in found if c == k) for k in sorted({c for c, _ in found})}}


def _tree_total(pid: int, value) -> float:
    """The sum of ``value(stat fields)`` over ``pid`` and all its descendants (Linux /proc;
    the fields of /proc/PID/stat after the command name, so fields[1] is the parent)."""
    children: dict[int, list[int]] = {}
    values: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            values[int(entry)] = value(fields)
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += values.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    page = os.sysconf("SC_PAGE_SIZE")
    return _tree_total(pid, lambda fields: int(fields[21]) * page)


async def memory_sampler(pid: int, until: float, peak: list[int]) -> None:
    while time.perf_counter() < until:
        peak[0] = max(peak[0], _tree_rss(pid))
        await asyncio.sleep(0.2)


def attack_mix(fresh: bool) -> list[tuple[str, str, dict]]:
    """Named query texts (``fresh``: each sent with a new comment, so never cached) and pages."""
    mix = [m for m in request_mix() if not fresh or m[0] == "query"]
    return mix


def _written_mark(marks: dict):
    """An httpx trace hook: when the whole request had been written to the socket."""
    async def trace(name: str, info: dict) -> None:
        if name == "http11.send_request_body.complete":
            marks["written"] = time.perf_counter()
    return trace


async def attack_client(base: str, mix, offset: int, until: float, fresh: bool, out: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        i = offset
        while time.perf_counter() < until:
            kind, path, kw = mix[i % len(mix)]
            kw = dict(kw)
            method = kw.pop("method")
            if fresh:  # the same query, a text no cache has seen
                tag = f"\n# fresh {offset}-{i}-{time.perf_counter_ns()}"
                if "params" in kw:
                    kw["params"] = {"query": kw["params"]["query"] + tag}
                elif "data" in kw:
                    kw["data"] = {**kw["data"], "query": kw["data"]["query"] + tag}
                else:
                    kw["content"] = kw["content"] + tag.encode("utf-8")
            marks: dict = {}
            start = time.perf_counter()
            try:
                r = await http.request(method, path, extensions={"trace": _written_mark(marks)}, **kw)
                status, retry = r.status_code, r.headers.get("retry-after")
            except httpx.HTTPError as exc:
                status, retry = type(exc).__name__, None
            end = time.perf_counter()
            out.append(("fresh" if fresh else kind, status, retry, end - start, end - marks.get("written", start)))
            i += 1
            if status == 503:
                await asyncio.sleep(0.2)  # a polite client backs off a little (not the full Retry-After)


async def runaway_client(base: str, until: float, every: float, out: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        tasks = []
        while time.perf_counter() < until:
            async def one(n=len(tasks)):
                marks: dict = {}
                start = time.perf_counter()
                try:
                    r = await http.post("/sparql", data={"query": HOSTILE + f" # runaway {n}"},
                                        headers={"Connection": "close"},  # no reuse racing the keep-alive timeout
                                        extensions={"trace": _written_mark(marks)})
                    status = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                end = time.perf_counter()
                out.append(("runaway", status, None, end - start, end - marks.get("written", start)))
            tasks.append(asyncio.ensure_future(one()))
            await asyncio.sleep(every)
        await asyncio.gather(*tasks)


async def slow_client(address: tuple[str, int], until: float, closed: list) -> None:
    """Open a connection and trickle a request (headers or a body) until the server closes it."""
    loop = asyncio.get_running_loop()
    k = 0
    while time.perf_counter() < until:
        reader, writer = await asyncio.open_connection(*address)
        started = time.perf_counter()
        body = k % 2 == 1
        k += 1
        writer.write(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000\r\n\r\n" if body else b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            while time.perf_counter() < until + 30:
                await asyncio.sleep(0.5)
                writer.write(b" " if body else b"X-Slow: 1\r\n")
                await writer.drain()
                if reader.at_eof():
                    break
                try:
                    data = await asyncio.wait_for(reader.read(1), 0.01)
                    if not data:
                        break
                except asyncio.TimeoutError:
                    pass
        except (ConnectionError, OSError):
            pass
        closed.append(time.perf_counter() - started)
        writer.close()


async def loop_lag(until: float, worst: list[float]) -> None:
    """How late this process's event loop wakes up (the load generator's own delay)."""
    while time.perf_counter() < until:
        asked = time.perf_counter()
        await asyncio.sleep(0.05)
        worst[0] = max(worst[0], time.perf_counter() - asked - 0.05)


async def attack_part(base: str, ids: list[int], runaway: bool, slow: int, until: float) -> dict:
    """One load-generator process's share: clients ``ids`` (odd ones send new texts), the
    runaway client if asked, ``slow`` trickling clients, and its event loop's lag."""
    named, fresh = attack_mix(False), attack_mix(True)
    samples: list = []
    closed: list[float] = []
    lag = [0.0]
    host, port = base.split("//", 1)[1].split(":")
    tasks = [attack_client(base, fresh if k % 2 else named, k * 7, until, bool(k % 2), samples) for k in ids]
    if runaway:
        tasks.append(runaway_client(base, until, 5.0, samples))
    tasks += [slow_client((host, int(port)), until, closed) for _ in range(slow)]
    tasks.append(loop_lag(until, lag))
    await asyncio.gather(*tasks)
    return {"samples": samples, "closed": closed, "lag": lag[0]}


def _part_in_process(args: tuple, queue) -> None:
    queue.put(asyncio.run(attack_part(*args)))


def attack(base: str, pid: int, clients: int, seconds: float, slow: int, timeout: float, procs: int = 1) -> dict:
    """The attack phase, its clients spread over ``procs`` load-generator processes (the
    last one also samples the server's memory)."""
    import multiprocessing

    procs = max(1, procs)
    start = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in every process
    until = start + seconds
    shares = [([k for k in range(clients) if k * procs // clients == n], n == 0, slow // procs + (n < slow % procs), until)
              for n in range(procs)]
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    children = [ctx.Process(target=_part_in_process, args=((base, *share), queue)) for share in shares[1:]]
    for child in children:
        child.start()

    async def here() -> tuple[dict, int]:
        peak = [0]
        part, _ = await asyncio.gather(attack_part(base, *shares[0]), memory_sampler(pid, until + 5, peak))
        return part, peak[0]

    first, peak = asyncio.run(here())
    parts = [first] + [queue.get(timeout=seconds + 120) for _ in children]
    for child in children:
        child.join(timeout=30)
    wall = time.perf_counter() - start
    samples = [s for p in parts for s in p["samples"]]
    closed = [c for p in parts for c in p["closed"]]
    lat = [s[3] for s in samples]
    ok = [s for s in samples if s[1] == 200]
    busy = [s for s in samples if s[1] == 503]
    errors = [s for s in samples if s[1] not in (200, 503)]
    runaway = [s for s in samples if s[0] == "runaway"]
    longest = max(lat, default=0.0)
    by_kind = {}
    for kind in ("query", "page", "fresh", "runaway"):
        k = [s for s in samples if s[0] == kind]
        by_kind[kind] = {"sent": len(k), "ok": sum(1 for s in k if s[1] == 200), "503": sum(1 for s in k if s[1] == 503),
                         "p50_ms": round(_pct([s[3] for s in k], 50) * 1000, 1) if k else None,
                         "max_s": round(max((s[3] for s in k), default=0), 2),
                         "max_written_s": round(max((s[4] for s in k), default=0), 2)}
    return {
        "clients": clients, "procs": procs, "seconds": round(wall, 1), "requests": len(samples), "ok": len(ok),
        "busy_503": len(busy),
        "busy_without_retry_after": sum(1 for s in busy if not s[2] and s[0] != "runaway"),
        "errors": len(errors), "first_errors": [f"{s[0]}: {s[1]}" for s in errors[:5]],
        "throughput_rps": round(len(samples) / wall, 1),
        "p50_ms": round(_pct(lat, 50) * 1000, 1), "p95_ms": round(_pct(lat, 95) * 1000, 1),
        "p99_ms": round(_pct(lat, 99) * 1000, 1), "longest_s": round(longest, 2),
        "longest_from_written_s": round(max((s[4] for s in samples), default=0.0), 2),
        "client_loop_lag_s": round(max(p["lag"] for p in parts), 2),
        "target_s": timeout + 1, "within_target": longest <= timeout + 1,
        "runaway_statuses": sorted({str(s[1]) for s in runaway}),
        "slow_sockets_closed": len(closed), "slow_longest_open_s": round(max(closed, default=0), 1),
        "peak_memory_mb": round(peak / 2**20), "by_kind": by_kind,
    }


# --- side by side with the Oxigraph server (issue 22) -------------------------------------------


def side_mix() -> list[tuple[str, str, str]]:
    """(name, text, Accept) of every named query that needs no parameter, with hetao-kg's
    prefixes declared in the text: the same bytes mean the same query to both servers."""
    from hetao_kg.store._common import prefix_block
    from hetao_kg.store.sparql_guard import checked

    mix = []
    for name, q in named_queries().items():
        if "required" in q.params:
            continue
        text = prefix_block() + q.text
        form = checked(text).form
        accept = "text/turtle" if form in ("ConstructQuery", "DescribeQuery") else "application/sparql-results+json"
        mix.append((name, text, accept))
    return mix


async def side_client(url: str, mix, offset: int, until: float, out: list, errors: list, *,
                      fresh: bool, entity: tuple[str, dict] | None) -> None:
    """POST the mix's texts (``fresh``: each with a comment no server has seen) or, with
    ``entity``, GET/POST the one entity request again and again."""
    async with httpx.AsyncClient(timeout=60) as http:
        i = offset
        while time.perf_counter() < until:
            if entity is not None:
                method, kw = entity[0], entity[1]
                target = url
            else:
                name, text, accept = mix[i % len(mix)]
                if fresh:
                    text += f"\n# fresh {offset}-{i}-{time.perf_counter_ns()}\n"
                method, target = "POST", url
                kw = {"content": text.encode("utf-8"),
                      "headers": {"Content-Type": "application/sparql-query", "Accept": accept}}
            start = time.perf_counter()
            try:
                r = await http.request(method, target, **kw)
                ok, detail = r.status_code == 200, f"{r.status_code} {r.text[:160]!r}"
                await r.aread()
            except httpx.HTTPError as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            out.append(time.perf_counter() - start)
            if not ok:
                errors.append(detail)
            i += 1


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and all its descendants so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    return float(_tree_total(pid, lambda fields: (int(fields[11]) + int(fields[12])) / tick))


def _own_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` itself, all its threads, without its children."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick
    except (OSError, IndexError, ValueError):
        return float("nan")


async def side_phase(url: str, clients: int, seconds: float, *, fresh: bool = True,
                     entity: tuple[str, dict] | None = None, pid: int | None = None) -> dict:
    mix = side_mix()
    samples: list[float] = []
    errors: list[str] = []
    cpu = _tree_cpu(pid) if pid else 0.0
    own = _own_cpu(pid) if pid else 0.0
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(side_client(url, mix, k * 5, until, samples, errors, fresh=fresh, entity=entity)
                           for k in range(clients)))
    wall = time.perf_counter() - start
    cpu = (_tree_cpu(pid) - cpu) if pid else float("nan")
    own = (_own_cpu(pid) - own) if pid else float("nan")
    return {"own_cpu_ms_per_request": own * 1000 / max(1, len(samples)),"requests": len(samples), "errors": len(errors), "first_errors": errors[:3], "seconds": wall,
            "throughput_rps": len(samples) / wall, "p50_ms": _pct(samples, 50) * 1000,
            "p95_ms": _pct(samples, 95) * 1000, "cpu_ms_per_request": cpu * 1000 / max(1, len(samples))}


def _describe_text(iri: str) -> str:
    from hetao_kg.store.sparql_guard import bind, checked
    from hetao_kg.web.app import _DESCRIBE
    from rdflib import URIRef

    return bind(checked(_DESCRIBE), {"entity": URIRef(iri)})


def vs_oxigraph(args) -> int:
    """``hetao-kg serve`` and ``oxigraph serve`` on the same quads, phases alternating."""
    import tempfile

    from hetao_kg.namespaces import KG
    from hetao_kg.store.servers import start_oxigraph
    from hetao_kg.store.sparql import load_endpoint

    workloads = [w for w in args.workloads.split(",") if w]
    iri = str(KG) + args.entity
    profile = ("-m", "cProfile", "-o", str(Path(args.profile).resolve())) if args.profile else ()
    rows: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="hetao-vs-ox-") as tmp:
        ox = start_oxigraph(Path(tmp) / "db")
        try:
            quads = load_endpoint(ox.url, store_dir=Path(tmp) / "local")
            extra = ("--store", args.store) if args.store else ()
            with running_server("--timeout", str(args.timeout), *extra, python=profile) as server:
                targets = {"hetao-kg": {"new": (server.url + "/sparql", None),
                                        "repeated": (server.url + "/sparql", None),
                                        "entity": (server.url + f"/id/{args.entity}",
                                                   ("GET", {"headers": {"Accept": "text/turtle"}}))},
                           "oxigraph": {"new": (ox.url, None), "repeated": (ox.url, None),
                                        "entity": (ox.url, ("POST", {"content": _describe_text(iri).encode("utf-8"),
                                                                      "headers": {"Content-Type": "application/sparql-query",
                                                                                  "Accept": "text/turtle"}}))}}
                for name in targets:  # warm: every text once, the entity once
                    asyncio.run(side_phase(targets[name]["repeated"][0], 1, 0.1, fresh=False))
                    for _, text, accept in side_mix():
                        httpx.post(targets[name]["new"][0], content=text.encode("utf-8"), timeout=120,
                                   headers={"Content-Type": "application/sparql-query", "Accept": accept})
                    u, e = targets[name]["entity"]
                    httpx.request(e[0], u, timeout=120, **e[1])
                for r in range(args.rounds):
                    for workload in workloads:
                        order = ["hetao-kg", "oxigraph"] if (r + workloads.index(workload)) % 2 == 0 else ["oxigraph", "hetao-kg"]
                        for name in order:
                            u, e = targets[name][workload]
                            pid = (server if name == "hetao-kg" else ox).process.pid
                            rows.setdefault((workload, name), []).append(asyncio.run(side_phase(
                                u, args.clients, args.duration, fresh=workload == "new", entity=e, pid=pid)))
                code = server.stop()
        finally:
            ox.stop()
    load = os.getloadavg()
    print(f"hetao-kg serve vs oxigraph serve ({ox.version}), the same {quads:,} quads, {args.clients} clients, "
          f"{args.rounds} rounds of {args.duration:g} s per workload and server, alternating; load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print(f"{'workload':<10}{'server':<10}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'CPU ms/req':>11}{'server':>8}   (CPU: the server's process and its workers; server: its process alone)")
    failed = False
    targets_of = {"new": (0.5, 2.0), "entity": (0.5, None), "repeated": (None, None)}
    for workload in workloads:
        med = {}
        for name in ("hetao-kg", "oxigraph"):
            runs = rows[(workload, name)]
            med[name] = {k: statistics.median(x[k] for x in runs)
                         for k in ("throughput_rps", "p50_ms", "p95_ms", "cpu_ms_per_request",
                                   "own_cpu_ms_per_request")}
            errors = sum(x["errors"] for x in runs)
            failed |= bool(errors)
            print(f"{workload:<10}{name:<10}{sum(x['requests'] for x in runs):>9}{errors:>7}"
                  f"{med[name]['throughput_rps']:>9.1f}{med[name]['p50_ms']:>9.1f}{med[name]['p95_ms']:>9.1f}"
                  f"{med[name]['cpu_ms_per_request']:>11.2f}{med[name]['own_cpu_ms_per_request']:>8.2f}")
            for x in runs:
                for err in x["first_errors"]:
                    print(f"    error: {err}")
        tr = med["hetao-kg"]["throughput_rps"] / med["oxigraph"]["throughput_rps"]
        p50 = med["hetao-kg"]["p50_ms"] / med["oxigraph"]["p50_ms"]
        want_tr, want_p50 = targets_of[workload]
        say_tr = f"{tr:.2f}x" + (f" (>= {want_tr}x: {'met' if tr >= want_tr else 'MISSED'})" if want_tr else "")
        say_p50 = f"{p50:.2f}x" + (f" (<= {want_p50}x: {'met' if p50 <= want_p50 else 'MISSED'})" if want_p50 else "")
        cpu = med["hetao-kg"]["cpu_ms_per_request"] / med["oxigraph"]["cpu_ms_per_request"]
        print(f"{'':<10}hetao-kg/oxigraph (medians of the rounds): throughput {say_tr}, p50 {say_p50}, "
              f"CPU per request {cpu:.2f}x")
    print(f"hetao-kg exit code on SIGTERM: {code}" + (f"; profile of the server process in {args.profile}" if args.profile else ""))
    return 1 if failed or code != 0 else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--baseline", type=float, default=5.0, help="seconds of the one-client baseline")
    ap.add_argument("--hostile", action="store_true", help="also run the load with a hostile query client")
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's per-query timeout")
    ap.add_argument("--attack", action="store_true", help="only the attack phase (issue 16), after a warm-up")
    ap.add_argument("--slow", type=int, default=20, help="slow (trickling) clients in the attack phase")
    ap.add_argument("--procs", type=int, default=4,
                    help="load-generator processes the attack's clients are spread over (1: all in this one)")
    ap.add_argument("--store", default=None, help="the server's --store (default: the default store)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ap.add_argument("--vs-oxigraph", action="store_true",
                    help="only: hetao-kg serve against oxigraph serve on the same quads (issue 22)")
    ap.add_argument("--workloads", default="new,repeated,entity",
                    help="with --vs-oxigraph: new (every request a new text), repeated, entity (as Turtle)")
    ap.add_argument("--rounds", type=int, default=3, help="with --vs-oxigraph: alternating rounds per workload")
    ap.add_argument("--entity", default="org/hku", help="with --vs-oxigraph: the entity asked as Turtle")
    ap.add_argument("--profile", help="with --vs-oxigraph: cProfile the hetao-kg server process into this file")
    args = ap.parse_args(argv)

    if args.vs_oxigraph:
        return vs_oxigraph(args)

    extra = ("--store", args.store) if args.store else ()
    if args.attack:
        load_before = f"{os.getloadavg()[0]:.1f}"
        with running_server("--timeout", str(args.timeout), *extra) as server:
            asyncio.run(warm_up(server.url))
            mark = len(server.log_text())  # the server's log of the attack phase only, not of the warm-up
            result = attack(server.url, server.process.pid, args.clients, args.duration, args.slow, args.timeout,
                            args.procs)
            result["alive_after"] = httpx.get(server.url + "/healthz").status_code == 200
            result.update(server_side(server.log_text()[mark:]))
            result["exit_code_on_sigterm"] = server.stop()
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(f"attack: {result['clients']} clients (half new texts) + a runaway every 5 s + {args.slow} slow "
                  f"clients in {result['procs']} processes, {result['seconds']} s, server --timeout {args.timeout:g}, "
                  f"load average {load_before} before, {os.getloadavg()[0]:.1f} after")
            print(f"{'requests':>9}{'200':>7}{'503':>7}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                  f"{'longest s':>11}{'peak MB':>9}")
            print(f"{result['requests']:>9}{result['ok']:>7}{result['busy_503']:>7}{result['errors']:>8}"
                  f"{result['throughput_rps']:>8}{result['p50_ms']:>9}{result['p95_ms']:>9}{result['p99_ms']:>9}"
                  f"{result['longest_s']:>11}{result['peak_memory_mb']:>9}")
            for kind, k in result["by_kind"].items():
                print(f"    {kind:<8} sent {k['sent']:>6}, 200 {k['ok']:>6}, 503 {k['503']:>5}, p50 {k['p50_ms']} ms, "
                      f"longest {k['max_s']} s ({k['max_written_s']} s from written)")
            print(f"longest wait for an answer or a 503: {result['longest_s']} s (target <= {result['target_s']:g} s: "
                  f"{'met' if result['within_target'] else 'MISSED'}); 503 without Retry-After: "
                  f"{result['busy_without_retry_after']}; runaway answered {result['runaway_statuses']}")
            print(f"longest from the request written to the socket to its answer: {result['longest_from_written_s']} s; "
                  f"longest lag of a load generator's event loop: {result['client_loop_lag_s']} s")
            print(f"longest in the server (its access log): {result['server_longest_s']} s; /sparql statuses "
                  f"{result['server_statuses']}")
            print(f"slow clients: {result['slow_sockets_closed']} sockets closed by the server, the longest open "
                  f"{result['slow_longest_open_s']} s")
            for e in result["first_errors"]:
                print(f"    error: {e}")
            print(f"server alive after: {result['alive_after']}; exit code on SIGTERM: {result['exit_code_on_sigterm']}")
        good = not result["errors"] and result["alive_after"] and result["exit_code_on_sigterm"] == 0
        return 0 if good and result["within_target"] else 1

    with running_server("--timeout", str(args.timeout), *extra) as server:
        asyncio.run(warm_up(server.url))  # every request of the mix once: fills the caches
        results = {"baseline": asyncio.run(phase(server.url, 1, args.baseline)),
                   "load": asyncio.run(phase(server.url, args.clients, args.duration))}
        if args.hostile:
            results["load+hostile"] = asyncio.run(phase(server.url, args.clients, args.duration, hostile=True))
        alive = httpx.get(server.url + "/healthz").status_code == 200
        code = server.stop()
    results["server"] = {"alive_after": alive, "exit_code_on_sigterm": code}
    base = results["baseline"]
    for name in ("load", "load+hostile"):
        if name in results and base["p50_ms"]:
            r = results[name]
            r["ratio_p50_vs_baseline"] = round(r["p50_ms"] / base["p50_ms"], 2)
            r["ratio_throughput_vs_baseline"] = round(r["throughput_rps"] / base["throughput_rps"], 2)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print(f"{'phase':<14}{'clients':>8}{'s':>6}{'requests':>10}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  vs baseline")
        for name in ("baseline", "load", "load+hostile"):
            if name not in results:
                continue
            r = results[name]
            ratio = (f"p50 x{r['ratio_p50_vs_baseline']}, throughput x{r['ratio_throughput_vs_baseline']}"
                     if "ratio_p50_vs_baseline" in r else "")
            print(f"{name:<14}{r['clients']:>8}{r['seconds']:>6}{r['requests']:>10}{r['errors']:>8}"
                  f"{r['throughput_rps']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}  {ratio}")
            for e in r["first_errors"]:
                print(f"    error: {e}")
            if "hostile" in r:
                h = r["hostile"]
                print(f"    hostile query: sent {h['sent']}, statuses {h['statuses']}, longest {h['max_s']} s")
        print(f"server alive after: {alive}; exit code on SIGTERM: {code}")
    failed = any(results[k]["errors"] for k in ("baseline", "load", "load+hostile") if k in results)
    return 1 if failed or not alive or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
