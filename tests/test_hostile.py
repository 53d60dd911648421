"""Every hostile input in ``tests/hostile/`` (one ``NAME.json`` per case, see its
README.md), run through the real ``hetao-kg`` command in a child process: a clear
message, the expected exit code, no traceback, bounded time (timeout + 5 s) and
memory (1 GiB address space), and no file changed outside the named outputs.

Each case runs twice: on the default store (the embedded Oxigraph store, built in
the case's cache) and with ``--store memory`` (rdflib). Neither may let Rust's own
output (a panic, an abort's backtrace) reach the user."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "hostile"
REPO = Path(__file__).resolve().parent.parent
CASES = sorted(HERE.glob("*.json"))
MEMORY = 1 << 30  # bytes of address space for the child
DEFAULT_TIMEOUT = 60
STORES = ("oxigraph", "memory")  # oxigraph is the default store (hetao_kg.store.DEFAULT): run without --store
RUST_OUTPUT = re.compile(r"panicked at|stack backtrace|RUST_BACKTRACE|memory allocation of \d+ bytes failed")


def _child_setup(umask: int | None):
    def setup() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        if umask is not None:
            os.umask(umask)

    return setup


def _expand(value: str, work: Path) -> str:
    return value.replace("{work}", str(work)).replace("{repo}", str(REPO))


def _arg(item, work: Path) -> str | bytes:
    if isinstance(item, dict) and "hex" in item:  # raw bytes (e.g. not UTF-8)
        return bytes.fromhex(item["hex"])
    if isinstance(item, dict) and "text" in item:  # text + pad * repeat: a long argument
        return item["text"] + item.get("pad", "") * item.get("repeat", 0)
    if not isinstance(item, str):
        raise ValueError(f"bad argv item {item!r}")
    return _expand(item, work)


def _setup(case: dict, work: Path) -> None:
    if case.get("data_copy"):
        for part in ("ontology", "graph_data"):
            shutil.copytree(REPO / part, work / "data" / part)
    folder = HERE / (Path(case["_file"]).stem + ".files")
    if folder.is_dir():  # raw input files, copied byte for byte
        shutil.copytree(folder, work, dirs_exist_ok=True)
    for step in case.get("setup", []):
        op, args = next(iter(step.items()))
        args = [_expand(a, work) if isinstance(a, str) else a for a in (args if isinstance(args, list) else [args])]
        if op == "write":
            Path(args[0]).parent.mkdir(parents=True, exist_ok=True)
            Path(args[0]).write_text(args[1], encoding="utf-8")
        elif op == "append":
            with open(args[0], "a", encoding="utf-8") as fh:
                fh.write(args[1])
        elif op == "write_hex":
            Path(args[0]).write_bytes(bytes.fromhex(args[1]))
        elif op == "write_repeat":  # path, text, times: a big file without storing it
            Path(args[0]).write_text(args[1] * int(args[2]), encoding="utf-8")
        elif op == "mkdir":
            Path(args[0]).mkdir(parents=True, exist_ok=True)
        elif op == "symlink":  # target, link
            os.symlink(args[0], args[1])
        elif op == "chmod":
            os.chmod(args[0], int(args[1], 8))
        elif op == "mkfifo":
            os.mkfifo(args[0])
        else:
            raise ValueError(f"{case['_file']}: unknown setup step {op!r}")


def _snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                out[str(p.relative_to(root))] = ("file", stat.S_IMODE(st.st_mode), hashlib.sha256(p.read_bytes()).hexdigest())
            elif stat.S_ISLNK(st.st_mode):
                out[str(p.relative_to(root))] = ("link", os.readlink(p))
            else:
                out[str(p.relative_to(root))] = ("other", stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
    return out


def _load(path: Path) -> dict:
    case = json.loads(path.read_text(encoding="utf-8"))
    case["_file"] = str(path)
    return case


def _store_argv(store: str) -> list[str]:
    from hetao_kg.store import DEFAULT

    return [] if store == DEFAULT else ["--store", store]


def _child_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HETAO_KG_STORE", "HETAO_KG_ENDPOINT")}
    return {**env, "HETAO_KG_CACHE": str(cache), "RUST_BACKTRACE": "1"}  # a backtrace, if any, must show


@pytest.fixture(scope="session")
def warm_caches(tmp_path_factory):
    """One answer/graph cache per store for the cases that use the installed data, built once."""
    caches: dict[str, Path] = {}

    def get(store: str) -> Path:
        if store not in caches:
            cache = tmp_path_factory.mktemp(f"hostile-cache-{store}")
            subprocess.run([sys.executable, "-m", "hetao_kg.cli", *_store_argv(store), "query", "ASK { ?s ?p ?o }"],
                           env=_child_env(cache), capture_output=True, check=True, timeout=300)
            caches[store] = cache
        return caches[store]

    return get


# A case that touches no store (``"stores": ["oxigraph"]``, e.g. reading a 50 MB report
# for ingest) runs once; every other case runs on each store.
_RUNS = [(path, store) for path in CASES for store in _load(path).get("stores", STORES)]


@pytest.mark.parametrize("path,store", _RUNS, ids=[f"{p.stem}-{s}" for p, s in _RUNS])
def test_hostile(path: Path, store: str, tmp_path: Path, warm_caches) -> None:
    case = _load(path)
    work = tmp_path / "work"
    work.mkdir()
    _setup(case, work)
    argv = [*_store_argv(store), *(_arg(a, work) for a in case["argv"])]
    if case.get("data_copy"):
        argv = ["--data-root", str(work / "data"), *argv]
    cache = warm_caches(store) if not case.get("data_copy") else tmp_path / "cache"
    env = {**_child_env(cache), "PYTHONHASHSEED": "random", "COLUMNS": "200"}
    env.update({k: _expand(v, work) for k, v in case.get("env", {}).items()})
    stdin = b""
    if "stdin" in case:
        stdin = case["stdin"].encode("utf-8")
    elif "stdin_hex" in case:
        stdin = bytes.fromhex(case["stdin_hex"])
    elif "stdin_file" in case:
        stdin = (HERE / case["stdin_file"]).read_bytes()
    before = _snapshot(work)
    timeout = case.get("timeout", DEFAULT_TIMEOUT)
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "hetao_kg.cli", *argv], input=stdin, capture_output=True,
                              cwd=work, env=env, timeout=timeout + 5,
                              preexec_fn=_child_setup(int(case["umask"], 8) if "umask" in case else None))
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: still running after {timeout + 5} s")
    elapsed = time.monotonic() - started
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    expect = case.get("expect_on", {}).get(store, case["expect"])
    where = f"{path.name}: exit {proc.returncode}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert proc.returncode == expect["exit"], where
    assert "Traceback" not in err and "Traceback" not in out, where
    assert not RUST_OUTPUT.search(err) and not RUST_OUTPUT.search(out), where
    assert elapsed < timeout + 5, where
    if "stderr" in expect:
        assert re.search(expect["stderr"], err), where
        if expect["exit"] == 2:
            assert len([l for l in err.splitlines() if "error" in l.lower()]) == 1, "one clear line: " + where
    if "stdout" in expect:
        assert re.search(expect["stdout"], out), where
    for pattern in expect.get("not_stdout", []):
        assert not re.search(pattern, out), where
    after = _snapshot(work)
    allowed = set(case.get("outputs", []))
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    changed = {k for k in changed if not any(k == a or k.startswith(a.rstrip("/") + "/") for a in allowed)}
    assert not changed, f"{path.name}: files changed outside the named output: {sorted(changed)}"
    for name, check in case.get("check_outputs", {}).items():
        _check_output(work / name, check, where)


def _check_output(path: Path, check: dict, where: str) -> None:
    if "mode" in check:
        assert oct(stat.S_IMODE(os.stat(path).st_mode)) == check["mode"], where
    if check.get("is_symlink"):
        assert path.is_symlink(), where
    if check.get("xml"):
        import xml.etree.ElementTree as ET

        ET.parse(path)  # raises on invalid XML (control characters, lone surrogates)
    if "contains" in check:
        assert check["contains"] in path.read_text(encoding="utf-8"), where
