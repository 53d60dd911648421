"""Scale benchmark: every store at 35k, 350k and 3.5M triples, against raw pyoxigraph.

    python benchmarks/scale.py [--sizes 35k,350k,3.5M] [--stores memory,oxigraph,pyoxigraph]
                               [--runs 5] [--cutoff 600] [--max-memory-gb 12]
                               [--json benchmarks/results/scale.json] [--plot docs/scale.png]
                               [--markdown BENCHMARKS.md]

For each size a corpus is generated once (``benchmarks/corpus.py``, seeded) under
``--workdir``; for each store a child process builds or loads it and times, in this
order: the build, ``search`` (the first call, which builds the search index, and then
warm calls), every named query (median of ``--runs``), the network projection, an
ego view of a hub (``kg:org/hku``: its neighbourhood asked from the store + render,
from a fresh facade, the page cache bypassed; labels and search index warm; its first
run, reported apart, counts the degree table a hub of a large corpus is ranked by) and,
at the smallest size only, ``validate``. The parent records the child's peak memory
(``ru_maxrss`` from ``wait4``) and the on-disk size of what the store keeps, and
kills the child at ``--cutoff`` seconds or ``--max-memory-gb`` resident memory: the
operations it had not finished are reported as cut off, with the bound.

Stores:
  memory      rdflib in process (hetao_kg.data.graph.load + RdflibStore; answer cache off)
  oxigraph    hetao_kg's embedded Oxigraph store (hetao_kg.store.OxigraphStore)
  pyoxigraph  raw pyoxigraph, same files, same dataset shape (the deduplicated union
              as default graph) and the same SPARQL text: the floor for the ratios
  virtuoso    Virtuoso open source (Debian virtuoso-opensource) started on loopback on a
              free port (hetao_kg.store.servers.start_virtuoso), loaded with its bulk
              loader (hetao_kg.store.sparql.load_virtuoso, from an embedded store built
              for the dump) and queried over SPARQL (SparqlStore); stopped by its PID,
              also when the child is killed. Its CPU seconds are the child's plus the
              server's (/proc/PID/stat), its peak memory the server's ("server peak").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import SIZES, generate  # noqa: E402

HUB = "kg:org/hku"
SEARCHES = ("liangzi", "香港大学", "Quantum", "研究院")
SLOW = 10.0  # an operation slower than this once is not repeated
SERVER_PID = "server.pid"  # in the child's state folder: a server the child started (the parent stops it)
#: Virtuoso's NumberOfBuffers (pages of 8 KB) per size: the stock ini's advice is 170k for 2 GB of memory
VIRTUOSO_BUFFERS = {"7k": 20_000, "35k": 20_000, "350k": 60_000, "3.5M": 170_000}


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_SERVER: list[int] = []  # the PID of a server whose CPU counts as this process's


def _cpu() -> float:
    """This process's CPU seconds and those of the server it started (Virtuoso), if any."""
    return time.process_time() + sum(_server_cpu(p) for p in _SERVER)


# --- the child: one store, one size ----------------------------------------------------


def _emit(op: str, times: list[tuple[float, float]], **extra) -> None:
    """One result row: median CPU seconds of this process (what the table shows: the
    machine is shared, so wall time also measures the neighbours) and median wall seconds."""
    row = {"op": op, "seconds": statistics.median(t[0] for t in times),
           "wall": statistics.median(t[1] for t in times), "runs": len(times), **extra}
    print(json.dumps(row, ensure_ascii=False), flush=True)


def _timed(fn, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for i in range(runs):
        cpu, wall = _cpu(), time.perf_counter()
        result = fn()
        times.append((_cpu() - cpu, time.perf_counter() - wall))
        if i == 0 and times[0][1] > SLOW:
            break
    return times, result


def _raw_pyoxigraph(root: Path, location: Path | None):
    """Load the data root into a raw pyoxigraph store, as directly as pyoxigraph allows:
    bulk_load of every file, the derived graphs (sentences, zh-Hant labels, the OWL RL
    entailments: the same quads as the stores, so the queries read the same data)
    bulk-loaded from N-Quads text (``hetao_kg.data.derived``), the union as the
    default graph bulk-loaded from a CONSTRUCT.
    Nothing is held in Python lists: at 3.5M triples the quads of the derived graphs
    and the union kept as Python objects (or an INSERT of the union, one transaction)
    took 3.9 GB."""
    import pyoxigraph as ox

    from hetao_kg.data.graph import GRAPH_ONTOLOGY, data_files
    from hetao_kg.namespaces import KG
    from hetao_kg.data.derived import add_derived, add_inferred

    store = ox.Store(str(location)) if location else ox.Store()
    files = data_files(root)
    for path in files.ontology:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=str(KG), to_graph=ox.NamedNode(str(GRAPH_ONTOLOGY)))
    for path in files.data:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG, base_iri=str(KG))
    with tempfile.TemporaryDirectory(dir=location.parent if location else None) as work:
        add_derived(store, files, Path(work))
        add_inferred(store, Path(work))
        # the union of the named graphs, deduplicated, as the default graph (as hetao_kg.store does:
        # pyoxigraph 0.5's union default graph yields a triple once per graph that holds it)
        union = Path(work) / "union.nt"
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }").serialize(
            output=str(union), format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES)
    store.optimize()
    store.flush()
    return store


def _count(root: Path, triples: int) -> None:
    """Record the corpus's number of distinct triples (once, by the first store that loads it)."""
    stamp = root / "triples.txt"
    if not stamp.is_file():
        stamp.write_text(str(triples), encoding="utf-8")


HUB_ASSERTION = "kg:assertion/hku-shenzhen-hospital-tm-centre"  # in the real report, so in every corpus


def _bindings(name: str) -> dict[str, str]:
    """The queries' required parameters (``# params: … required``), bound as the CLI binds them."""
    return {"describe": {"entity": HUB}, "citations": {"assertion": HUB_ASSERTION},
            # in the real report, so in every corpus (as tests/test_store_differential.py binds them)
            "timeline": {"entity": "kg:park/hkstp-shenzhen-branch"}, "as-of": {"date": "2026-01-01"},
            "changes": {"since": "2023-09-07", "until": "2026-12-31"},
            "series": {"measure": "kg:measure/shenzhen-park-research-projects"}}.get(name, {})


def worker(store_name: str, root: Path, runs: int, state: Path, checks: tuple[str, ...],
           only: tuple[str, ...] = (), buffers: int = 20_000) -> None:
    from hetao_kg.namespaces import PREFIXES
    from hetao_kg.query.queries import named_queries
    from hetao_kg.store import to_term

    os.environ["HETAO_KG_CACHE"] = str(state / "cache")  # a cold cache per run (graph, search index, answers)
    queries = {name: q for name, q in named_queries().items() if not only or f"query {name}".startswith(only)}
    start = (_cpu(), time.perf_counter())

    def wanted(op: str) -> bool:
        return not only or op.startswith(only)

    def since_start() -> list[tuple[float, float]]:
        return [(_cpu() - start[0], time.perf_counter() - start[1])]

    if store_name == "pyoxigraph":
        import pyoxigraph as ox

        store = _raw_pyoxigraph(root, state / "pyoxigraph")
        _emit("build", since_start())
        _count(root, int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value))
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        for name, q in queries.items():
            text = q.text
            for k, v in _bindings(name).items():  # Oxigraph binds only projected variables: use VALUES
                head, sep, tail = text.partition("WHERE {")
                text = f"{head}{sep} VALUES ?{k} {{ {to_term(v).n3()} }}{tail}"

            def run(text=text):
                return len(list(store.query(text, prefixes=prefixes)))

            times, rows = _timed(run, runs)
            _emit(f"query {name}", times, rows=rows)
        return
    # a cache of this run's own: the search index (an SQLite file there, built once per
    # data) is built by the first search, as the "search (first)" row says
    os.environ["HETAO_KG_CACHE"] = str(state / "cache")
    if store_name == "virtuoso":
        _virtuoso(root, state, buffers, lambda store, load: _measure_store(
            store, root, runs, checks, queries, wanted, since_start, load))
        return
    if store_name == "memory":
        from hetao_kg.data.graph import load
        from hetao_kg.store import RdflibStore

        store = RdflibStore(load(root))  # builds and writes the graph cache; answers not cached
    else:
        from hetao_kg.store import OxigraphStore

        store = OxigraphStore(state / "oxigraph", root=root)
        store.open()  # builds the database
    _measure_store(store, root, runs, checks, queries, wanted, since_start)


def _virtuoso(root: Path, state: Path, buffers: int, measure) -> None:
    """Start Virtuoso in ``state/virtuoso``, load the corpus with its bulk loader (from an
    embedded store built for the dump, then removed), ``measure(store, {step: times})``, stop it.
    The server's start is timed by its own CPU (the server was not running before)."""
    from hetao_kg.store import OxigraphStore, SparqlStore
    from hetao_kg.store.servers import start_virtuoso
    from hetao_kg.store.sparql import load_virtuoso

    # the engine's limits above anything the benchmark asks (a query cut at MaxQueryExecutionTime
    # answers partially); the parent's --cutoff bounds the run
    step = (_cpu(), time.perf_counter())

    def done() -> list[tuple[float, float]]:
        nonlocal step
        now = (_cpu(), time.perf_counter())
        took, step = [(now[0] - step[0], now[1] - step[1])], now
        return took

    server = start_virtuoso(state / "virtuoso", max_rows=50_000_000, max_seconds=86_400, buffers=buffers)
    (state / SERVER_PID).write_text(str(server.process.pid), encoding="utf-8")
    _SERVER.append(server.process.pid)
    parent = os.getppid()

    def orphaned() -> None:  # the parent gone (killed): stop the server by its PID, then this child
        while os.getppid() == parent:
            time.sleep(1)
        server.stop(timeout=120)
        os._exit(3)

    threading.Thread(target=orphaned, daemon=True).start()
    steps = {"build: Virtuoso server start (a new database)": done()}
    try:
        OxigraphStore(state / "oxigraph-dump", root=root).open()  # the dump's source: hetao-kg's quads
        steps["build: the embedded store for the dump"] = done()
        load_virtuoso(server.isql, server.extra["load_dir"], store_dir=state / "oxigraph-dump", root=root)
        steps["build: Virtuoso bulk load of the dump"] = done()
        shutil.rmtree(state / "oxigraph-dump", ignore_errors=True)
        measure(SparqlStore(server.url, timeout=86_400), steps)
    finally:
        _emit_server(server.process.pid)
        _SERVER.clear()
        server.stop(timeout=120)


def _emit_server(pid: int) -> None:
    """The server's peak resident memory (VmHWM), as a row the parent reads apart."""
    peak = 0
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            peak = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
    except OSError:
        pass
    print(json.dumps({"op": "server", "peak_mb": peak / 1024}), flush=True)


def _measure_store(store, root: Path, runs: int, checks: tuple[str, ...], queries: dict, wanted, since_start,
                   load: dict[str, list[tuple[float, float]]] | None = None) -> None:
    """Time the build (done by the caller, up to now), search, every named query, the network
    projection, the ego view and (with ``checks``) validate on ``store``."""
    from hetao_kg.facade import KnowledgeGraph
    from hetao_kg.store import to_term

    _emit("build", since_start())
    for op, times in (load or {}).items():
        _emit(op, times)
    _count(root, int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]))
    kg = KnowledgeGraph(store)
    if wanted("search") or wanted("ego view"):  # the ego view below reuses the index
        times, _ = _timed(lambda: kg.search(SEARCHES[0]), 1)
    if wanted("search"):
        _emit("search (first: builds the index)", times)
        times = []
        for _ in range(runs):
            for text in SEARCHES:
                times += _timed(lambda text=text: kg.search(text), 1)[0]
        _emit("search", times)
    for name, q in queries.items():
        times, result = _timed(lambda q=q, name=name: kg.store.select(q.text, {k: to_term(v) for k, v in _bindings(name).items()}), runs)
        _emit(f"query {name}", times, rows=len(result.rows))
    from hetao_kg.network import project

    if wanted("network projection"):
        times, g = _timed(lambda: project(kg), runs)
        _emit("network projection", times, nodes=g.number_of_nodes(), links=g.number_of_edges())

    import hetao_kg.network.views

    # every run draws its page: the page cache (keyed by data, view and language) would
    # hand runs 2.. the first run's page (a 35k median of 0.003 s was read from it)
    hetao_kg.network.views._cached_view = lambda key: None

    def ego_view():
        fresh = KnowledgeGraph(store)
        fresh._labels, fresh._index = kg._labels, kg._index  # labels and index are not what is timed
        return fresh.render("ego", HUB).html

    if wanted("ego view"):
        # the first view of a hub with 1,000 or more neighbours counts the degree table
        # (hetao_kg.network.degrees, kept in the cache as the search index is); the runs
        # after it read the table
        times, _ = _timed(ego_view, 1)
        _emit("ego view of a hub (first: counts the degree table)", times)
        times, html = _timed(ego_view, runs)
        _emit("ego view of a hub (projection + render)", times, bytes=len(html))
    if checks and wanted("validate"):
        from hetao_kg.data.validate import validate

        times, report = _timed(lambda: validate(root, checks=checks), 1)
        _emit("validate", times, checks=list(checks), violations=len(report.violations))


# --- the parent ------------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def measure(store: str, root: Path, *, runs: int, cutoff: float, max_memory_gb: float, checks: tuple[str, ...] = (),
            only: tuple[str, ...] = (), buffers: int = 20_000) -> dict:
    """Run one store on one corpus in a child process; return its rows and resource use."""
    state = Path(tempfile.mkdtemp(prefix=f"hetao-scale-{store}-"))
    out_path = state / "rows.jsonl"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", store, "--root", str(root),
           "--runs", str(runs), "--state", str(state), "--checks", ",".join(checks), "--only", ",".join(only),
           "--buffers", str(buffers)]
    start = time.monotonic()
    killed = None
    with open(out_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env=dict(os.environ, PYTHONHASHSEED="0"))
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - start
            if elapsed > cutoff:
                killed = f"killed at the {cutoff:.0f} s cutoff"
            elif _rss_kb(proc.pid) + _rss_kb(_server_pid(state)) > max_memory_gb * 1024 * 1024:
                killed = f"killed at {max_memory_gb:g} GB resident memory after {elapsed:.0f} s"
            if killed:
                proc.send_signal(signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    left = _stop_server(state)
    err = proc.stderr.read()
    rows = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    server = [r for r in rows if r["op"] == "server"]
    rows = [r for r in rows if r["op"] != "server"]
    disk = _du(state / "cache") if store == "memory" else _du(state / store)
    shutil.rmtree(state, ignore_errors=True)
    if proc.returncode != 0 and not killed:
        raise RuntimeError(f"{store} worker failed (exit {proc.returncode}):\n{err[-3000:]}")
    return {"store": store, "rows": rows, "peak_mb": usage.ru_maxrss / 1024, "disk_mb": disk / 1e6,
            "wall": time.monotonic() - start, "killed": killed, **({"only": list(only)} if only else {}),
            **({"server_peak_mb": server[-1]["peak_mb"]} if server else {}),
            **({"server_left": left} if left else {})}


def _server_pid(state: Path) -> int:
    try:
        return int((state / SERVER_PID).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0


def _stop_server(state: Path) -> str:
    """Stop a server the child started and left running (the child was killed): by its PID,
    after checking that the PID is still that server (its command line names the state folder)."""
    pid = _server_pid(state)
    if not pid:
        return ""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmdline = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""  # stopped by the child
    if str(state) not in cmdline:
        return ""
    os.kill(pid, signal.SIGTERM)
    for _ in range(600):
        if not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(errors="replace"):
            return f"server {pid} stopped by the parent (SIGTERM)"
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return f"server {pid} killed by the parent (SIGKILL after 60 s)"


def corpus(size: str, workdir: Path, seed: int) -> tuple[Path, int]:
    root = workdir / f"corpus-{size}-seed{seed}"
    if not (root / "graph_data" / "sources" / "sources.json").is_file():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, reports=SIZES[size], seed=seed)
    stamp = root / "triples.txt"  # written by the first store that loads the corpus
    return root, int(stamp.read_text(encoding="utf-8")) if stamp.is_file() else 0


def available_stores(wanted: list[str]) -> list[str]:
    out = []
    for s in wanted:
        if s == "virtuoso" and not shutil.which("virtuoso-t"):
            print("note: virtuoso-t (Debian virtuoso-opensource) is not installed; skipping 'virtuoso'", file=sys.stderr)
            continue
        if s == "oxigraph":
            try:
                from hetao_kg.store import OxigraphStore  # noqa: F401
            except ImportError:
                print("note: hetao_kg.store.OxigraphStore not available on this branch; skipping 'oxigraph'", file=sys.stderr)
                continue
        out.append(s)
    return out


def run(sizes: list[str], stores: list[str], *, runs: int, cutoff: float, max_memory_gb: float, workdir: Path,
        seed: int = 7, checks: tuple[str, ...] = ("shacl", "owlrl", "sparql"), previous: dict | None = None,
        only: tuple[str, ...] = ()) -> dict:
    results = previous or {"sizes": {}}
    smallest = min(sizes, key=SIZES.__getitem__) if sizes else None
    for size in sizes:
        root, triples = corpus(size, workdir, seed)
        entry = results["sizes"].setdefault(size, {"triples": triples, "reports": SIZES[size], "stores": {}})
        entry["triples"] = triples
        for store in stores:
            print(f"[{size}] {store} ...", file=sys.stderr, flush=True)
            entry["stores"][store] = measure(store, root, runs=runs, cutoff=cutoff, max_memory_gb=max_memory_gb,
                                             checks=checks if (size == smallest and store == "memory") else (), only=only,
                                             buffers=VIRTUOSO_BUFFERS.get(size, 20_000))
            if (root / "triples.txt").is_file():
                entry["triples"] = int((root / "triples.txt").read_text(encoding="utf-8"))
    return results


# --- warm CLI commands at one report ------------------------------------------------------

CLI_COMMANDS = {
    "query": ["query", "--named", "hk-university-projects"],
    "show": ["show", "HKU"],
    "search": ["search", "liangzi"],
    "render": ["render", "ego", "HKU", "-o", "{tmp}/ego.html"],
    "stats": ["stats"],
}


def _cpu_run(cmd: list[str], env: dict) -> tuple[float, float]:
    """CPU seconds (user + system, the process and the children it waited for) and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def bench_cli(runs: int) -> dict:
    """Each warm CLI command on the real data against ``python -c "import rdflib"``, interleaved."""
    tmp = tempfile.mkdtemp(prefix="hetao-cli-")
    env = dict(os.environ, HETAO_KG_CACHE=str(Path(tmp) / "cache"))
    floor_cmd = [sys.executable, "-c", "import rdflib"]
    cmds = {name: [sys.executable, "-m", "hetao_kg.cli", *(a.format(tmp=tmp) for a in args)] for name, args in CLI_COMMANDS.items()}
    for cmd in cmds.values():
        _cpu_run(cmd, env)  # warm the cache
    floor, times = [], {name: [] for name in cmds}
    for _ in range(runs):
        floor.append(_cpu_run(floor_cmd, env))
        for name, cmd in cmds.items():
            times[name].append(_cpu_run(cmd, env))
    shutil.rmtree(tmp, ignore_errors=True)

    def med(values, i):
        return statistics.median(v[i] for v in values)

    out = {"floor": {"cpu": med(floor, 0), "wall": med(floor, 1)}}
    for name, values in times.items():
        out[name] = {"cpu": med(values, 0), "wall": med(values, 1)}
    return out


def cli_table(cli: dict) -> str:
    f = cli["floor"]
    lines = ['== warm CLI commands at one report (real data), against python -c "import rdflib"',
             f"{'command':12}{'cpu s':>9}{'ratio':>8}{'wall s':>9}{'ratio':>8}  target: within 2x"]
    lines.append(f"{'import rdflib':12}{f['cpu']:9.3f}{1:8.2f}{f['wall']:9.3f}{1:8.2f}")
    for name, v in cli.items():
        if name != "floor":
            ratio = v["cpu"] / f["cpu"]
            lines.append(f"{name:12}{v['cpu']:9.3f}{ratio:8.2f}{v['wall']:9.3f}{v['wall'] / f['wall']:8.2f}  "
                         + ("ok" if ratio <= 2 else f"missed by {ratio / 2:.1f}x"))
    return "\n".join(lines) + "\n"


# --- reporting -----------------------------------------------------------------------------------

TARGETS = {  # at 3.5M on the embedded store (seconds)
    "build": 60.0, "search": 0.1, "ego view of a hub (projection + render)": 1.0,
}


def target_table(results: dict, size: str = "3.5M", store: str = "oxigraph") -> str:
    """The issue's targets at 3.5M on the embedded store: met, or missed by how much."""
    entry = results["sizes"].get(size)
    if not entry or store not in entry["stores"]:
        return ""
    res = entry["stores"][store]
    rows = {r["op"]: r for r in res["rows"]}
    raw = {r["op"]: r for r in entry["stores"].get("pyoxigraph", {"rows": []})["rows"]}
    lines = [f"== targets at {size} on the {store} store (CPU s; wall s in brackets)"]

    def verdict(value: float, bound: float) -> str:
        return "ok" if value <= bound else f"missed by {value / bound:.1f}x"

    for op, bound in TARGETS.items():
        if op in rows:
            r = rows[op]
            lines.append(f"{op:44}{r['seconds']:10.3f} ({r['wall']:.3f})  < {bound:g} s: {verdict(r['seconds'], bound)}")
        else:
            lines.append(f"{op:44}{'not reached':>10}  < {bound:g} s: {res['killed'] or 'missing'}")
    lines.append(f"{'peak memory (MB)':44}{res['peak_mb']:10.0f}  < 2048 MB: {verdict(res['peak_mb'], 2048)}")
    for op, r in rows.items():
        if op.startswith("query "):
            base = raw.get(op)
            ratio = f"{r['seconds'] / base['seconds']:.2f}x raw" if base and base["seconds"] else "raw: -"
            ok = verdict(r["seconds"], 1.0)
            if base and base["seconds"] and r["seconds"] / base["seconds"] > 1.3:
                ok += f"; {ratio} > 1.3x"
            lines.append(f"{op:44}{r['seconds']:10.3f} ({r['wall']:.3f})  < 1 s, <= 1.3x raw ({ratio}): {ok}")
    return "\n".join(lines) + "\n"


def operations(results: dict) -> list[str]:
    ops: list[str] = []
    for entry in results["sizes"].values():
        for res in entry["stores"].values():
            for row in res["rows"]:
                if row["op"] not in ops:
                    ops.append(row["op"])
    return ops


def table(results: dict) -> str:
    lines = []
    for size, entry in results["sizes"].items():
        stores = list(entry["stores"])
        floor = "pyoxigraph" if "pyoxigraph" in stores else None
        lines.append(f"== {size}: {entry['reports']} reports, {entry['triples']:,} triples "
                     "(median CPU seconds of the store's process; ratios against raw pyoxigraph)")
        head = f"{'operation':44}" + "".join(f"{s + ' s':>14}" for s in stores)
        if floor:
            head += "".join(f"{s + '/raw':>16}" for s in stores if s != floor)
        lines.append(head)
        by_store = {s: {r["op"]: r for r in entry["stores"][s]["rows"]} for s in stores}
        for op in operations({"sizes": {size: entry}}):
            cells = []
            for s in stores:
                row = by_store[s].get(op)
                if row:
                    cells.append(f"{row['seconds']:14.4f}")
                elif entry["stores"][s]["killed"] and (s != floor or op.startswith(("build", "query"))):
                    cells.append(f"{'cut off':>14}")
                else:
                    cells.append(f"{'-':>14}")
            line = f"{op:44}" + "".join(cells)
            if floor:
                base = by_store[floor].get(op)
                for s in stores:
                    if s == floor:
                        continue
                    row = by_store[s].get(op)
                    line += f"{row['seconds'] / base['seconds']:16.1f}" if row and base and base["seconds"] > 0 else f"{'-':>16}"
            lines.append(line)
        lines.append(f"{'peak memory (MB)':44}" + "".join(f"{entry['stores'][s]['peak_mb']:14.0f}" for s in stores))
        if any("server_peak_mb" in entry["stores"][s] for s in stores):
            lines.append(f"{'server peak memory (MB)':44}" + "".join(
                f"{entry['stores'][s]['server_peak_mb']:14.0f}" if "server_peak_mb" in entry["stores"][s] else f"{'-':>14}"
                for s in stores))
        lines.append(f"{'on disk (MB)':44}" + "".join(f"{entry['stores'][s]['disk_mb']:14.1f}" for s in stores))
        for s in stores:
            if entry["stores"][s]["killed"]:
                lines.append(f"  {s}: {entry['stores'][s]['killed']} (wall {entry['stores'][s]['wall']:.0f} s); "
                             "'cut off' rows had not finished")
            if entry["stores"][s].get("rerun"):
                lines.append(f"  {s}: rerun later in a run of their own (--only, merged): {', '.join(entry['stores'][s]['rerun'])}")
        lines.append("")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stores = sorted({s for e in results["sizes"].values() for s in e["stores"]})
    fig, axes = plt.subplots(1, len(stores), figsize=(6 * len(stores), 5.5), sharey=True, squeeze=False)
    ops = operations(results)
    cmap = plt.get_cmap("tab20")
    for ax, store in zip(axes[0], stores):
        for i, op in enumerate(ops):
            xs, ys = [], []
            for entry in results["sizes"].values():
                res = entry["stores"].get(store)
                row = next((r for r in res["rows"] if r["op"] == op), None) if res else None
                if row and row["seconds"] > 0:
                    xs.append(entry["triples"])
                    ys.append(row["seconds"])
            if xs:
                ax.plot(xs, ys, marker="o", color=cmap(i % 20), label=op)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(store)
        ax.set_xlabel("triples")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("seconds (median)")
    handles, labels = [], []
    for ax in axes[0]:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h)
                labels.append(l)
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=7)
    fig.tight_layout(rect=(0, 0.22, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="35k,350k,3.5M")
    parser.add_argument("--stores", default="memory,oxigraph,pyoxigraph")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cutoff", type=float, default=600.0, help="seconds before a store's child process is killed")
    parser.add_argument("--max-memory-gb", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "hetao-kg-scale")
    parser.add_argument("--json", type=Path, help="write (and merge into) the results as JSON")
    parser.add_argument("--plot", type=Path, help="write the log-log plot (PNG)")
    parser.add_argument("--cli", action="store_true", help="also time the warm CLI commands at one report")
    parser.add_argument("--merge", type=Path, nargs="+", help="only merge these result files (then --json, --plot)")
    parser.add_argument("--only", default="",
                        help="time only the operations starting with these (comma-separated, e.g. 'ego view,query "
                             "innovation-bases'; the build always runs); --merge puts these rows over an earlier run's")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--buffers", type=int, default=20_000, help=argparse.SUPPRESS)
    parser.add_argument("--checks", default="shacl,owlrl,sparql",
                        help="validate checks timed at the smallest size (hermit needs Java; default: shacl,owlrl,sparql)")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.root, args.runs, args.state, tuple(c for c in args.checks.split(",") if c),
               tuple(o for o in args.only.split(",") if o), args.buffers)
        return 0
    if args.merge:
        results = {"sizes": {}}
        for path in args.merge:
            part = json.loads(path.read_text(encoding="utf-8"))
            for size, entry in part["sizes"].items():
                mine = results["sizes"].setdefault(size, {**entry, "stores": {}})
                for name, res in entry["stores"].items():
                    earlier = mine["stores"].get(name)
                    if res.get("only") and earlier:  # a rerun of some operations: its rows replace those
                        ops = {r["op"] for r in res["rows"]}
                        res = {**earlier, "rows": [r for r in earlier["rows"] if r["op"] not in ops] + res["rows"],
                               "peak_mb": max(earlier["peak_mb"], res["peak_mb"]),
                               "rerun": sorted({*earlier.get("rerun", []), *(ops - {"build"})})}
                    mine["stores"][name] = res
            if "cli" in part:
                results["cli"] = part["cli"]
        return _finish(results, args)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {list(SIZES)}")
    previous = json.loads(args.json.read_text(encoding="utf-8")) if args.json and args.json.is_file() else None
    results = run(sizes, available_stores(args.stores.split(",")), runs=args.runs, cutoff=args.cutoff,
                  max_memory_gb=args.max_memory_gb, workdir=args.workdir, seed=args.seed,
                  checks=tuple(c for c in args.checks.split(",") if c), previous=previous,
                  only=tuple(o for o in args.only.split(",") if o))
    if args.cli:
        results["cli"] = bench_cli(args.runs)
    return _finish(results, args)


def _finish(results: dict, args) -> int:
    results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda kv: kv[1]["triples"]))
    print(table(results))
    print(target_table(results))
    if "cli" in results:
        print(cli_table(results["cli"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.plot:
        plot(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
