"""The server's outer wall (hetao_kg.web.edge) and the fair query pool (hetao_kg.web.runner),
in process: Host and Origin checks with --allow-host, early 413s, strict UTF-8; a bounded
queue that answers 503 with Retry-After at once, and every answer or 503 by the deadline
even from a store that cannot be stopped. The same attacks over real sockets on a real
server are cases in tests/hostile/ (endpoint-*.json)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from hetao_kg.cli import main
from hetao_kg.store import QueryTimeout, Rows
from hetao_kg.web import create_app
from hetao_kg.web.runner import QueryBusy, QueryRunner, QueryTimeoutError


@pytest.fixture(scope="module")
def bound():
    """The app as `serve --allow-host kg.example.org` builds it, bound to 127.0.0.1."""
    with TestClient(create_app(host="127.0.0.1", allow_hosts=("kg.example.org",), max_query_bytes=1000)) as client:
        yield client  # started (its workers up) and stopped as the server is


@pytest.mark.parametrize("host, status", [("127.0.0.1:8000", 200), ("localhost", 200), ("[::1]:8000", 200),
                                          ("kg.example.org", 200), ("KG.example.org.:443", 200),
                                          ("evil.example", 421), ("127.0.0.1.evil.example", 421),
                                          ("kg.example.org.evil.example", 421), ("203.0.113.5", 421)])
def test_host_must_name_this_server(bound, host, status):
    assert bound.get("/healthz", headers={"Host": host}).status_code == status


def test_every_interface_takes_ip_literals_but_not_names():
    app = TestClient(create_app(host="0.0.0.0"))
    assert app.get("/healthz", headers={"Host": "203.0.113.5:8000"}).status_code == 200
    assert app.get("/healthz", headers={"Host": "rebind.evil.example"}).status_code == 421


@pytest.mark.parametrize("headers, status", [
    ({"Origin": "http://kg.example.org"}, 200),
    ({"Origin": "http://127.0.0.1:8000"}, 200),
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, 403),  # <img src=…/sparql?query=…>
    ({"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, 200),  # a link from another site
])
def test_origin_of_another_site_is_refused(bound, headers, status):
    r = bound.get("/sparql", params={"query": "ASK {}"}, headers={"Host": "127.0.0.1:8000", **headers})
    assert r.status_code == status, r.text


def test_a_body_over_the_limit_is_refused_before_it_is_read(bound):
    big = b"ASK {}" + b" " * 5000  # the limit: 3 x 1000 + 1024 bytes
    r = bound.post("/sparql", content=big, headers={"Host": "127.0.0.1", "Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and r.headers["connection"] == "close"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(100):
            yield b" " * 1000

    r = bound.post("/sparql", content=chunks(), headers={"Host": "127.0.0.1", "Content-Type": "application/sparql-query"})
    assert r.status_code == 413


@pytest.mark.parametrize("query_string", ["query=ASK%20%7B%7D%23%FF", "query=ASK%20%7B%7D%23%ED%A0%80", "q=%C3"])
def test_percent_escapes_that_are_not_utf8_are_a_400(bound, query_string):
    r = bound.get(f"/sparql?{query_string}", headers={"Host": "127.0.0.1"})
    assert r.status_code == 400 and "UTF-8" in r.text
    assert bound.get("/sparql?query=ASK%20%7B%7D%23%E9%A6%99", headers={"Host": "127.0.0.1"}).status_code == 200


def test_no_off_site_links_and_no_500_for_odd_paths(bound):
    page = bound.get("//evil.example/x", headers={"Host": "127.0.0.1", "Accept": "text/html"})
    assert page.status_code == 404 and 'href="//' not in page.text
    for accept in ("text/html", "text/turtle"):
        assert bound.get("/id/org/hku%20x", headers={"Host": "127.0.0.1", "Accept": accept}).status_code == 404


def test_serve_passes_the_allowed_hosts_and_the_timed_protocol(monkeypatch):
    import uvicorn

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(kw, app=app))
    result = CliRunner().invoke(main, ["serve", "--allow-host", "kg.example.org", "--client-timeout", "3",
                                       "--queue", "5", "--max-connections", "100"])
    assert result.exit_code == 0, result.output
    assert calls["http"].__name__ == "TimedH11Protocol" and calls["http"].client_timeout == 3
    assert calls["limit_concurrency"] == 100
    app = TestClient(calls["app"])
    assert app.get("/healthz", headers={"Host": "kg.example.org"}).status_code == 200
    assert app.get("/healthz", headers={"Host": "evil.example"}).status_code == 421


# --- the query pool ----------------------------------------------------------------------------


class SlowStore:
    """A store that takes ``seconds`` per query and cannot be stopped (like a parse in process)."""

    def __init__(self, seconds: float):
        self.seconds, self.timeout = seconds, None
        self.running = threading.Semaphore(1)

    def execute(self, sparql, bindings=None):
        assert self.running.acquire(blocking=False), "two queries at once on one store"
        try:
            time.sleep(self.seconds)
            if self.timeout is not None and self.seconds > self.timeout:
                raise QueryTimeout("late")
            return True
        finally:
            self.running.release()


def _run(runner: QueryRunner, n: int, settle: float = 0.0) -> list[tuple[str, float]]:
    async def one():
        start = time.monotonic()
        try:
            await runner.execute("ASK {}")
            return "ok", time.monotonic() - start
        except QueryBusy as exc:
            assert exc.retry_after >= 1
            return "busy", time.monotonic() - start
        except QueryTimeoutError:
            return "timeout", time.monotonic() - start

    async def all_of_them():
        results = await asyncio.gather(*(one() for _ in range(n)))
        await asyncio.sleep(settle)  # the store finishes what it could not stop, and rejoins the pool
        assert runner._queue().qsize() == len(runner._stores)
        return results

    return asyncio.run(all_of_them())


def test_a_full_queue_answers_busy_at_once():
    runner = QueryRunner([SlowStore(0.5)], timeout=5, max_rows=10, queue=2)
    results = _run(runner, 6, settle=0.3)
    kinds = sorted(k for k, _ in results)
    assert kinds == ["busy", "busy", "busy", "ok", "ok", "ok"]  # one running, two waiting, three refused
    assert all(t < 0.2 for k, t in results if k == "busy")  # at once, not after the timeout


def test_every_answer_or_timeout_comes_by_the_deadline():
    runner = QueryRunner([SlowStore(3.0)], timeout=1.0, max_rows=10, queue=10)
    results = _run(runner, 4, settle=3.5)
    assert {k for k, _ in results} == {"timeout"}
    assert max(t for _, t in results) <= 1.0 + 1.0  # the target: the timeout + 1 s (the store ignored its timeout)


def test_a_query_gets_only_what_is_left_of_its_requests_time():
    """The deadline starts when the request arrived (reading and checking it count too):
    the worker is given only what is left, and the 503 comes by that deadline."""
    from hetao_kg.web.runner import GRACE

    store = SlowStore(1.0)
    runner = QueryRunner([store], timeout=5.0, max_rows=10, queue=1)

    async def one():
        start = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            await runner.execute("ASK {}", deadline=start + 0.3)
        waited = time.monotonic() - start
        await asyncio.sleep(1.2)  # the store finishes what it could not stop, and rejoins the pool
        return waited

    waited = asyncio.run(one())
    assert store.timeout is not None and store.timeout <= 0.3 - GRACE  # not the server's 5 s
    assert waited <= 0.3 + 0.5  # by the deadline (+ 0.5 s for a shared machine); the full timeout would be 5 s


def test_trickling_sockets_at_the_connection_limit_do_not_starve_prompt_clients():
    """A swarm of sockets that never finish their request head (slowloris) fills the
    connection limit: a prompt client is still served (not 503 until they time out),
    and the server closes the sockets that have been sending the longest."""
    import socket

    import httpx

    from hetao_kg.web.launch import running_server

    with running_server("--max-connections", "8", "--client-timeout", "30", "--timeout", "3") as s:
        host = s.url.split("//", 1)[1]
        address = (host.split(":")[0], int(host.split(":")[1]))
        swarm = []
        for _ in range(20):
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow: 1\r\n".encode())  # the head never ends
            swarm.append(sock)
            time.sleep(0.02)
        try:
            answer = httpx.get(s.url + "/healthz", timeout=10)
            assert answer.status_code == 200, answer.text
            closed = _closed(swarm)
            assert closed >= 20 - 8 + 1  # the oldest were shed; at most limit - 1 still open
        finally:
            for sock in swarm:
                sock.close()


def test_idle_kept_alive_sockets_at_the_connection_limit_do_not_starve_prompt_clients():
    """A swarm of sockets that each send one whole request, read the answer and then sit
    idle on the kept-alive connection fills the connection limit: a prompt client is
    still served, and the server closes the connections idle the longest."""
    import socket

    import httpx

    from hetao_kg.web.launch import running_server

    with running_server("--max-connections", "8", "--client-timeout", "30", "--timeout", "3") as s:
        host = s.url.split("//", 1)[1]
        address = (host.split(":")[0], int(host.split(":")[1]))
        swarm = []
        try:
            for _ in range(7):  # below the limit: every one is answered and kept alive
                sock = socket.create_connection(address, timeout=5)
                sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                assert _whole_response(sock).startswith(b"HTTP/1.1 200"), "the swarm's own request"
                swarm.append(sock)
            for _ in range(3):  # each past the limit, answered (it sheds an idle one)
                answer = httpx.get(s.url + "/healthz", timeout=10, headers={"Connection": "close"})
                assert answer.status_code == 200, answer.text
            closed = _closed(swarm)
            assert closed >= 1  # idle kept-alive connections were shed to make room
        finally:
            for sock in swarm:
                sock.close()


def _whole_response(sock) -> bytes:
    """One HTTP/1.1 response read to the end of its body (``Content-Length``), the connection left open."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(4096)
    return data


def _closed(socks) -> int:
    """How many of ``socks`` the server has closed (end of stream within 0.5 s)."""
    import socket

    closed = 0
    for sock in socks:
        sock.settimeout(0.5)
        try:
            closed += sock.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            pass
    return closed


def _app_with_a_big_page(big: bytes):
    """An ASGI app: ``/big`` answers ``big``, anything else ``ok``; it never reads a body."""

    async def app(scope, receive, send):
        body = big if scope["path"] == "/big" else b"ok"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


@contextlib.asynccontextmanager
async def _in_process_server(app, *, limit: int):
    """``app`` served by :class:`TimedH11Protocol` on a free loopback port in this event loop,
    at most ``limit`` connections; yields (port, the protocols made, the server's state);
    every connection is aborted and the server closed after. (Each import of
    ``TimedH11Protocol`` is a class of its own: ask a protocol's ``idle``, not the import's.)"""
    import uvicorn
    from uvicorn.server import ServerState

    from hetao_kg.web.edge import TimedH11Protocol

    loop = asyncio.get_running_loop()
    config = uvicorn.Config(app, limit_concurrency=limit, timeout_keep_alive=60, log_level="warning")
    config.load()
    state = ServerState()
    protocols = []

    def made():
        protocols.append(TimedH11Protocol(config=config, server_state=state, app_state={}, _loop=loop))
        return protocols[-1]

    server = await loop.create_server(made, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], protocols, state
    finally:
        server.close()
        for p in protocols:
            if not p.transport.is_closing():
                p.transport.abort()
        await server.wait_closed()


async def _until(condition, seconds: float = 4.0) -> bool:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


async def _prompt_get(port: int) -> bytes:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    try:
        return await asyncio.wait_for(r.read(), 5)
    finally:
        w.close()


def test_an_idle_connection_shed_with_its_answer_unread_is_really_closed():
    """A kept-alive connection whose client has not read its (large) answer is idle to the
    server once the answer is written: shed at the connection limit, it must really go
    (connection_lost), not wait for ever to flush a buffer no one reads while it is counted
    out of the limit: a swarm of such clients would hold sockets and buffers past the limit."""
    import socket

    async def scenario():
        loop = asyncio.get_running_loop()
        # 16 MB: more than the kernel's buffers on loopback hold
        async with _in_process_server(_app_with_a_big_page(b"x" * (16 << 20)), limit=2) as (port, protocols, state):
            reader = socket.socket()
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.setblocking(False)
            try:
                await loop.sock_connect(reader, ("127.0.0.1", port))
                await loop.sock_sendall(reader, b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                # its answer written (not read): idle between requests
                assert await _until(lambda: protocols and protocols[0] in protocols[0].idle)
                first = protocols[0]
                assert first.transport.get_write_buffer_size() > 0
                lost = []
                first_lost = first.connection_lost
                first.connection_lost = lambda exc: (lost.append(exc), first_lost(exc))
                answer = await _prompt_get(port)  # at the limit: sheds the first
                assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
                assert await _until(lambda: lost, 1.0), \
                    "the shed connection is still open, flushing an answer its client does not read"
                assert first not in first.idle and first not in state.connections
            finally:
                reader.close()

    asyncio.run(scenario())


def _shed_once_in_this_state(sent: bytes, after_answer: bytes, state: str) -> None:
    """A connection sends ``sent``, reads its answer (``ok``), then sends ``after_answer``;
    it must then be in its protocol's ``state`` dict (``idle`` or ``sending``), and the next
    connection (the limit is 2) sheds it: the prompt one is answered, this one closed."""

    async def scenario():
        async with _in_process_server(_app_with_a_big_page(b""), limit=2) as (port, protocols, _):
            r, w = await asyncio.open_connection("127.0.0.1", port)
            try:
                w.write(sent)
                head = await asyncio.wait_for(r.readuntil(b"ok"), 5)
                assert head.startswith(b"HTTP/1.1 200"), head
                w.write(after_answer)
                await w.drain()
                first = protocols[0]
                assert await _until(lambda: first in getattr(first, state), 1.0), f"not {state}"
                if state == "idle":  # and uvicorn's keep-alive timeout applies again
                    assert first.timeout_keep_alive_task is not None
                answer = await _prompt_get(port)  # at the limit: sheds the first
                assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
                assert await asyncio.wait_for(r.read(), 2) == b""  # closed by the server
            finally:
                w.close()

    asyncio.run(scenario())


def test_a_connection_answered_before_its_body_came_is_idle_once_it_has():
    """An answer can go out before the request's body is all in (a route that does not read
    it). Once the body has come, the connection is idle between requests: the next
    connection past the limit sheds it. It was left neither idle nor timed (uvicorn's
    keep-alive timer stopped at the body's bytes), so such sockets held their slots for ever."""
    _shed_once_in_this_state(b"POST /small HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n",
                             b"abcde", "idle")


def test_a_pipelined_request_half_sent_is_timed_and_shed_as_a_slow_one():
    """A client pipelines a whole request and the start of the next one, then stops. Once
    the first is answered, the second is being sent: timed by --client-timeout and shed
    at the limit like any slow sender. It was left neither sending nor idle."""
    _shed_once_in_this_state(b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /small HTTP/1.1\r\nHo", b"", "sending")
