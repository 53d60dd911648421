"""hetao-kg benchmarks: figures and ratios against a baseline run side by side.

    python benchmarks/bench.py [--runs 10] [--only cli|views|browser]

cli      whole-process `hetao-kg query --named hk-university-projects` against the
         floor `python -c "import rdflib"` (interleaved), with a warm and a cold cache.
views    in-process, after load: projecting the graph to networkx, and rendering
         every view, seeded layout included (target: under 150 ms each, the full view
         under 300 ms); baseline: serialising the same view's nodes to JSON.
browser  headless Chromium: time to interactive of each view's page, from navigation to
         its first complete drawing with every handler attached (target: full view under
         1 s, every other view under 0.5 s); floor: an empty page from file://.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HETAO = [sys.executable, "-m", "hetao_kg.cli", "query", "--named", "hk-university-projects"]
FLOOR = [sys.executable, "-c", "import rdflib"]
VIEW_ARGS = {"ego": ["HKU"], "path": ["HKU", "HKUST"]}


def _timed_process(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - start


def bench_cli(runs: int) -> None:
    cache = tempfile.mkdtemp(prefix="hetao-bench-")
    env = dict(os.environ, HETAO_KG_CACHE=cache)
    _timed_process(HETAO, env)  # fill the cache
    floor_name, hetao_name = 'python -c "import rdflib"', "hetao-kg query --named hk-university-projects"
    print(f"== cli: {runs} interleaved runs each")
    print(f"{'':12} {'command':52} {'median s':>9} {'mean s':>8} {'ratio':>6}")
    for label, cold in (("warm cache", False), ("cold cache", True)):
        floor, hetao = [], []
        for _ in range(runs):
            floor.append(_timed_process(FLOOR, env))
            if cold:
                shutil.rmtree(cache, ignore_errors=True)
            hetao.append(_timed_process(HETAO, env))
        f_med, h_med = statistics.median(floor), statistics.median(hetao)
        print(f"{label:12} {floor_name:52} {f_med:9.3f} {statistics.mean(floor):8.3f} {1:6.2f}")
        print(f"{'':12} {hetao_name:52} {h_med:9.3f} {statistics.mean(hetao):8.3f} {h_med / f_med:6.2f}")
    shutil.rmtree(cache, ignore_errors=True)


def _ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_views(runs: int) -> None:
    from hetao_kg.facade import open_graph
    from hetao_kg.network import project
    from hetao_kg.network.views import VIEWS, render

    kg = open_graph()
    kg.labels()  # load
    project_ms = _ms(lambda: project(kg), runs)
    print(f"\n== views: in-process after load, median of {runs} runs (ms)")
    print(f"projection to networkx: {project_ms:.1f} ms (done once per language; views reuse it)")
    g = kg.network()
    for name, args in VIEW_ARGS.items():
        kg.resolve(args[0])  # build the search index once, as any session that names entities does
    print(f"{'view':16} {'nodes':>5} {'links':>5} {'render ms':>10} {'baseline ms':>12} {'ratio':>6}  target")
    for name in VIEWS:
        args = VIEW_ARGS.get(name, [])
        view = render(name, *args, kg=kg, network=g)
        render_ms = _ms(lambda: render(name, *args, kg=kg, network=g), runs)
        base_ms = _ms(lambda: json.dumps({"nodes": view.nodes, "edges": view.edges}, ensure_ascii=False), runs)
        target = 300 if name == "full" else 150
        ok = "ok" if render_ms < target else "SLOW"
        print(f"{name:16} {len(view.nodes):5} {len(view.edges):5} {render_ms:10.1f} {base_ms:12.2f} {render_ms / base_ms:6.1f}  < {target} ms {ok}")


def bench_browser(runs: int) -> None:
    from hetao_kg.facade import open_graph
    from hetao_kg.browser import offline_browser
    from hetao_kg.network.views import VIEWS, render

    kg = open_graph()
    with tempfile.TemporaryDirectory() as tmp, offline_browser(width=1440, height=900) as browser:
        empty = Path(tmp) / "empty.html"
        empty.write_text('<!DOCTYPE html><html><body data-ready="true"></body></html>', encoding="utf-8")
        browser.open(empty)  # warm the browser once
        print(f"\n== browser: headless Chromium 1440x900, time to interactive, median of {runs} runs (s)")
        print(f"{'view':16} {'KB':>5} {'interactive s':>14} {'empty page s':>13} {'ratio':>6}  target")
        for name in VIEWS:
            page = render(name, *VIEW_ARGS.get(name, []), kg=kg).save(Path(tmp) / f"{name}.html")
            floor, tti = [], []
            for _ in range(runs):  # interleaved, so both see the same machine load
                floor.append(browser.open(empty))
                tti.append(browser.open(page))
            t, base = statistics.median(tti), statistics.median(floor)
            target = 1.0 if name == "full" else 0.5
            print(f"{name:16} {page.stat().st_size // 1024:5} {t:14.3f} {base:13.3f} {t / base:6.1f}  "
                  f"< {target} s {'ok' if t < target else 'SLOW'}")
        assert not browser.requests and not browser.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=["cli", "views", "browser"])
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for name, fn in (("cli", bench_cli), ("views", bench_views), ("browser", bench_browser)):
        if args.only in (None, name):
            fn(args.runs if name != "browser" else max(3, args.runs // 3))


if __name__ == "__main__":
    main()
