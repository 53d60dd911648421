"""Every hostile input in ``tests/hostile/`` (one ``NAME.json`` per case, see its
README.md), run through the real ``hetao-kg`` command in a child process: a clear
message, the expected exit code, no traceback, bounded time (timeout + 5 s) and
memory (1 GiB address space), and no file changed outside the named outputs.

Each case runs twice: on the default store (the embedded Oxigraph store, built in
the case's cache) and with ``--store memory`` (rdflib). Neither may let Rust's own
output (a panic, an abort's backtrace) reach the user.

Through the endpoint too: a case with ``endpoint`` (raw HTTP bytes, see the README) is
sent to ``hetao-kg serve`` on each store, and every plain ``query TEXT`` case is also
posted to ``/sparql``: never a 500, an answer (or its 4xx/503) within the server's
timeout + 1 s, and the server still up afterwards."""

from __future__ import annotations

import hashlib
import json
import os
import re
import glob
import resource
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "hostile"
REPO = Path(__file__).resolve().parent.parent
ALL = sorted(HERE.glob("*.json"))
ENDPOINT_CASES = [p for p in ALL if "endpoint" in json.loads(p.read_text(encoding="utf-8"))]
CASES = [p for p in ALL if p not in ENDPOINT_CASES]
SERVER_TIMEOUT = 3.0  # --timeout of the servers the endpoint cases run against
CLIENT_TIMEOUT = 2.0  # their --client-timeout
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


def _setup(case: dict, work: Path, run=None) -> None:
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
        elif op == "cli":  # run hetao-kg ARGS first (on the case's store, in its environment); must succeed
            run(args)
        elif op == "write_glob":  # every path matching the pattern
            for match in glob.glob(args[0]):
                Path(match).write_text(args[1], encoding="utf-8")
        elif op == "chmod_glob":
            for match in glob.glob(args[0]):
                os.chmod(match, int(args[1], 8))
        elif op == "chown_glob":  # [pattern, uid]: as another user planted it (the tests run as root)
            for match in glob.glob(args[0]):
                os.chown(match, int(args[1]), int(args[1]))
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
    cache = warm_caches(store) if not case.get("data_copy") else tmp_path / "cache"
    env = {**_child_env(cache), "PYTHONHASHSEED": "random", "COLUMNS": "200"}
    env.update({k: _expand(v, work) for k, v in case.get("env", {}).items()})
    root = ["--data-root", str(work / "data")] if case.get("data_copy") else []

    def run(args: list[str]) -> None:
        done = subprocess.run([sys.executable, "-m", "hetao_kg.cli", *root, *_store_argv(store), *args], cwd=work,
                              env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, f"setup step {args} failed: {done.stderr.decode('utf-8', 'replace')[-2000:]}"

    _setup(case, work, run)
    argv = [*root, *_store_argv(store), *(_arg(a, work) for a in case["argv"])]
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
        pytest.fail(f"too slow: {path.name}: still running after {timeout + 5} s")
    elapsed = time.monotonic() - started
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    expect = case.get("expect_on", {}).get(store, case["expect"])
    where = f"{path.name}: exit {proc.returncode}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert proc.returncode == expect["exit"], where
    assert "Traceback" not in err and "Traceback" not in out, where
    assert not RUST_OUTPUT.search(err) and not RUST_OUTPUT.search(out), where
    assert elapsed < timeout + 5, "too slow: " + where
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
    for text in check.get("not_contains", []):
        assert text not in path.read_text(encoding="utf-8"), f"{text!r} in {path.name}: {where}"


# --- through the endpoint ------------------------------------------------------------------


@pytest.fixture(scope="session")
def servers(warm_caches):
    """One ``hetao-kg serve`` per store (on 127.0.0.1, a free port), started on first use."""
    from contextlib import ExitStack

    from hetao_kg.web.launch import running_server

    running: dict = {}
    with ExitStack() as stack:
        def get(store: str):
            if store not in running:
                env = _child_env(warm_caches(store))
                running[store] = stack.enter_context(running_server(
                    "--store", store, "--timeout", str(SERVER_TIMEOUT), "--client-timeout", str(CLIENT_TIMEOUT),
                    "--max-query-bytes", "65536", env=env))
            return running[store]

        yield get


def _exchange(address: tuple[str, int], spec: dict, host: str) -> dict:
    """Send a case's raw request (then what ``then`` says), read the answer; what happened."""
    request = spec["send"].replace("{host}", host).encode("utf-8")
    sock = socket.create_connection(address, timeout=30)
    started = time.monotonic()
    answer, closed = b"", False
    try:
        sock.sendall(request)
        then = spec.get("then", {})
        if "repeat" in then or "body" in then:  # a body, streamed until the server answers or stops reading
            if "body" in then:
                whole = then["body"]
                pieces = (whole[i:i + 65536] for i in range(0, len(whole), 65536))
                total = len(whole)
            else:
                piece = then["repeat"].encode("utf-8") * then.get("chunk", 65536)
                pieces = (piece for _ in iter(int, 1))
                total = then["times"]
            chunked = then.get("chunked", False)
            sent = 0
            sock.settimeout(0.0)
            while sent < total and time.monotonic() - started < 60:
                try:
                    got = sock.recv(65536)
                    if got:
                        answer += got
                        break
                except BlockingIOError:
                    pass
                except OSError:
                    break
                piece = next(pieces)
                data = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
                try:
                    sock.settimeout(5)
                    sock.sendall(data)
                    sock.settimeout(0.0)
                except OSError:
                    break
                sent += len(piece)
        elif "trickle" in then:  # a few bytes at a time, as a slow (or hostile) client
            for _ in range(then["times"]):
                time.sleep(then["every"])
                try:
                    sock.sendall(then["trickle"].encode("utf-8"))
                except OSError:
                    closed = True
                    break
        sock.settimeout(max(1.0, 30 - (time.monotonic() - started)))
        while not closed:
            try:
                got = sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            except socket.timeout:
                break
            if not got:
                closed = True
                break
            answer += got
            if len(answer) > 2_000_000:
                break
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None
    return {"status": status, "head": head.decode("latin-1"), "body": body.decode("utf-8", "replace"),
            "closed": closed, "seconds": elapsed}


def _alive(server) -> None:
    import urllib.request

    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as r:
        assert r.status == 200


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("path", ENDPOINT_CASES, ids=[p.stem for p in ENDPOINT_CASES])
def test_hostile_endpoint(path: Path, store: str, servers) -> None:
    case = _load(path)
    server = servers(store)
    host_port = server.url.split("//", 1)[1]
    address = (host_port.split(":")[0], int(host_port.split(":")[1]))
    spec = case["endpoint"]
    expect = spec.get("expect_on", {}).get(store, spec["expect"])
    swarm = []
    try:
        for _ in range(spec.get("swarm", {}).get("count", 0)):  # sockets that never finish their request
            sock = socket.create_connection(address, timeout=10)
            sock.sendall(spec["swarm"]["send"].replace("{host}", host_port).encode("utf-8"))
            swarm.append(sock)
        got = _exchange(address, spec, host_port)
    finally:
        for sock in swarm:
            sock.close()
    where = f"{path.name} on {store}: {got['head'][:300]!r} {got['body'][:500]!r} closed={got['closed']} in {got['seconds']:.1f} s"
    if "status" in expect:
        statuses = expect["status"] if isinstance(expect["status"], list) else [expect["status"]]
        assert got["status"] in statuses, where
    else:
        assert got["status"] is None, where  # no answer: the connection was closed
    assert got["status"] != 500 and "Traceback" not in got["body"], where
    if "body" in expect:
        assert re.search(expect["body"], got["body"]), where
    for pattern in expect.get("not_body", []):
        assert not re.search(pattern, got["body"]), where
    if "header" in expect:
        assert re.search(expect["header"], got["head"], re.I), where
    if expect.get("closed"):
        assert got["closed"], where
    assert got["seconds"] <= expect.get("within", SERVER_TIMEOUT + 1), "too slow: " + where
    _alive(server)


def _plain_query(case: dict) -> str | None:
    """The query text of a case that is just ``hetao-kg [--timeout N] [--max-rows N] query TEXT``."""
    argv = list(case["argv"])
    while argv[:1] in (["--timeout"], ["--max-rows"]):
        argv = argv[2:]
    if case.get("data_copy") or case.get("setup") or case.get("stdin") or case.get("env"):
        return None
    if len(argv) == 2 and argv[0] == "query":
        return _arg(argv[1], Path("/nonexistent"))
    return None


QUERY_CASES = [p for p in CASES if _plain_query(_load(p)) is not None]


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("path", QUERY_CASES, ids=[p.stem for p in QUERY_CASES])
def test_hostile_query_through_the_endpoint(path: Path, store: str, servers) -> None:
    """The CLI's query cases posted to /sparql: an answer where the CLI answers, a 4xx or
    503 (never a 500) where it fails, within the server's timeout + 1 s."""
    from urllib.parse import quote_from_bytes

    case = _load(path)
    text = _plain_query(case)
    body = b"query=" + quote_from_bytes(text if isinstance(text, bytes) else text.encode("utf-8"), safe="").encode("ascii")
    server = servers(store)
    host_port = server.url.split("//", 1)[1]
    expect = case.get("expect_on", {}).get(store, case["expect"])
    head = (f"POST /sparql HTTP/1.1\r\nHost: {host_port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    got = _exchange((host_port.split(":")[0], int(host_port.split(":")[1])), {"send": head, "then": {"body": body}},
                    host_port)
    status, answer, elapsed = got["status"], got["body"], got["seconds"]
    where = f"{path.name} on {store}: {status} {answer[:300]!r} in {elapsed:.1f} s"
    assert status != 500 and "Traceback" not in answer, where
    if len(body) > 3 * 65536 + 1024:
        assert status == 413, where  # the server's cap on a request (--max-query-bytes) is lower than the CLI's
    elif expect["exit"] == 0 and "timeout" not in path.stem:
        assert status in (200, 503), where  # 503: the server's timeout is shorter than the CLI's
    else:
        assert status in (200, 400, 413, 503), where
    assert elapsed <= SERVER_TIMEOUT + 1 + 1.5, "too slow: " + where  # + 1.5 s of slack on a shared machine
    _alive(server)
