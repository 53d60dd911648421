"""Benchmark of ``hetao-kg validate``: the whole CLI process, CPU and wall, median of N
runs, side by side with the floor ``python -c "import rdflib"`` (interleaved).

    python benchmarks/validate.py [--runs 5] [--checks all,shacl,owlrl,hermit,sparql]
                                  [--reports N] [--workdir DIR]

``all`` is the plain ``hetao-kg validate`` (target at one report: under 5 s); each
other name is ``hetao-kg validate --check NAME`` (each pays its own process start,
import and graph build). CPU is user + system time of the process and its children
(HermiT's Java process included). ``--reports N`` validates a synthetic corpus of N
reports (``benchmarks/corpus.py``; 10 reports = 35k triples) instead of the real data.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = [sys.executable, "-c", "import rdflib"]
TARGET_S = 5.0


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall and CPU seconds (user + system, children included) of one run, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def command(check: str, root: Path | None) -> list[str]:
    cmd = [sys.executable, "-m", "hetao_kg.cli"]
    if root is not None:
        cmd += ["--data-root", str(root)]
    cmd.append("validate")
    if check != "all":
        cmd += ["--check", check]
    return cmd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checks", default="all,shacl,owlrl,hermit,sparql")
    parser.add_argument("--reports", type=int, help="validate a synthetic corpus of this many reports")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "hetao-kg-validate-bench")
    args = parser.parse_args(argv)
    env = dict(os.environ, HETAO_KG_CACHE=tempfile.mkdtemp(prefix="hetao-bench-validate-"))
    root = None
    if args.reports:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from corpus import generate

        root = args.workdir / f"corpus-{args.reports}"
        if not (root / "graph_data").is_dir():
            generate(root, reports=args.reports)
    checks = [c for c in args.checks.split(",") if c]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; data: {root or 'the real report'}")
    print(f"== validate: median of {args.runs} interleaved runs (s)")
    print(f"{'command':44} {'wall':>7} {'cpu':>7} {'wall x':>7} {'cpu x':>7}  exit")
    floor = [timed(FLOOR, env) for _ in range(args.runs)]
    results = {}
    for check in checks:
        runs = []
        for _ in range(args.runs):
            floor.append(timed(FLOOR, env))
            runs.append(timed(command(check, root), env))
        results[check] = runs
    f_wall = statistics.median(w for w, _, _ in floor)
    f_cpu = statistics.median(c for _, c, _ in floor)
    floor_name = 'python -c "import rdflib"'
    print(f"{floor_name:44} {f_wall:7.3f} {f_cpu:7.3f} {1:7.2f} {1:7.2f}")
    for check, runs in results.items():
        wall = statistics.median(w for w, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        codes = sorted({code for _, _, code in runs})
        name = "hetao-kg validate" + ("" if check == "all" else f" --check {check}")
        print(f"{name:44} {wall:7.3f} {cpu:7.3f} {wall / f_wall:7.2f} {cpu / f_cpu:7.2f}  {','.join(map(str, codes))}")
    if "all" in results and root is None:
        wall = statistics.median(w for w, _, _ in results["all"])
        cpu = statistics.median(c for _, c, _ in results["all"])
        load = os.getloadavg()[0]
        for what, value in (("cpu", cpu), ("wall", wall)):
            verdict = "ok" if value < TARGET_S else f"missed by {value - TARGET_S:.2f} s"
            print(f"target: validate at one report under {TARGET_S:.0f} s: {what} {value:.2f} s: {verdict}")
        if load > (os.cpu_count() or 1):
            print(f"(load average {load:.1f} on {os.cpu_count()} cores: wall times include waiting for a core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
