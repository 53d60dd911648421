"""Load and faults for `hetao-kg serve`, on loopback only and bounded in time.

Starts the server as a real process on 127.0.0.1 (a free port), then:

1. baseline: one client runs the request mix for --baseline seconds;
2. load: --clients concurrent clients (asyncio + httpx) run the mix for --duration
   seconds: every named query through /sparql (GET, POST form, POST direct, some
   with labels=LANG) and page loads (home, entities, search, source reader, ontology);
3. with --hostile: the same load while one more client keeps sending a cartesian
   product that can only end by the server's timeout.

Prints requests, errors, throughput and p50/p95/p99 per phase, and the ratios of
the load phases to the baseline. Exits 1 if any request of the mix failed.

    .venv/bin/python benchmarks/serve_load.py --clients 50 --duration 30 --hostile
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--baseline", type=float, default=5.0, help="seconds of the one-client baseline")
    ap.add_argument("--hostile", action="store_true", help="also run the load with a hostile query client")
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's per-query timeout")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args(argv)

    with running_server("--timeout", str(args.timeout)) as server:
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
