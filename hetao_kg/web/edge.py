"""The server's outer wall: what a request must be before the application sees it.

:class:`RequestGuard` (ASGI middleware, in front of every route):

* **Host** must name this server: the address it is bound to (any IP literal when it
  is bound to every interface), ``localhost`` on loopback, or a name given with
  ``--allow-host``. A DNS-rebinding page (``evil.example`` resolving to 127.0.0.1)
  sends ``Host: evil.example`` and gets 421;
* **Origin**, when a browser sends one, must be this server's own (or the ``--cors``
  origin), and a cross-site page may not embed answers as ``<img>``/``<script>``
  (``Sec-Fetch-Mode: no-cors``): 403;
* **body**: a ``Content-Length`` above the limit gets 413 before a byte of the body
  is read; a body without one (chunked) is counted as it arrives and refused the
  moment it passes the limit; either way the connection is closed;
* **UTF-8**: a path or query string whose percent-escapes are not UTF-8 (``%FF``,
  an encoded surrogate ``%ED%A0%80``) gets 400, instead of a silent U+FFFD.

:class:`TimedH11Protocol` (uvicorn's HTTP/1.1 protocol with a deadline): a client has
``client_timeout`` seconds from its first byte to send a whole request, head and
body; a trickling socket (slowloris) is closed when they run out. When the server is
at its connection limit (``--max-connections``), a new connection sheds the kept-alive
connections idle the longest between requests, then those that have been sending their
request the longest, so neither a swarm of trickling sockets nor one of idle kept-alive
sockets can make every prompt client get 503 until they time out.

>>> allowed_host(b"127.0.0.1:8000", hosts=frozenset({"127.0.0.1"}), any_ip=False)
True
>>> allowed_host(b"evil.example:8000", hosts=frozenset({"127.0.0.1"}), any_ip=False)
False
>>> strict_utf8(b"q=%E9%A6%99"), strict_utf8(b"q=%FF"), strict_utf8(b"q=%ED%A0%80")
(True, False, False)
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Iterable
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

__all__ = ["RequestGuard", "TimedH11Protocol", "allowed_host", "host_names", "strict_utf8"]

_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def host_names(bound: str | None, allow: Iterable[str] = ()) -> tuple[frozenset[str], bool]:
    """The Host names a server bound to ``bound`` answers to, and whether any IP literal is fine.

    >>> sorted(host_names("127.0.0.1", ["kg.example.org"])[0])
    ['127.0.0.1', '::1', 'kg.example.org', 'localhost']
    >>> host_names("0.0.0.0")[1]
    True
    """
    names = {h.strip().lower().strip("[]").rstrip(".") for h in allow if h.strip()}
    any_ip = False
    if bound is None or bound in ("", "0.0.0.0", "::"):
        any_ip = True  # every interface: the machine's addresses, which a rebinding page cannot name
    else:
        b = bound.lower().strip("[]")
        names.add(b)
        try:
            loopback = ipaddress.ip_address(b).is_loopback
        except ValueError:
            loopback = b == "localhost"
        if loopback:
            names.update(_LOOPBACK_NAMES)
    return frozenset(names), any_ip


def _hostname(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_host(header: bytes, *, hosts: frozenset[str], any_ip: bool) -> bool:
    """Whether a ``Host`` header names this server (see :func:`host_names`)."""
    try:
        name = _hostname(header.decode("ascii")).rstrip(".")
    except UnicodeDecodeError:
        return False
    if "*" in hosts or name in hosts:
        return True
    if any_ip:
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False
    return False


def strict_utf8(query_string: bytes) -> bool:
    """Whether every percent-escape of a query string decodes as UTF-8 (no surrogates)."""
    try:
        parse_qsl(query_string.decode("ascii"), keep_blank_values=True, errors="strict")
        return True
    except (UnicodeDecodeError, ValueError):
        return False


def _path_utf8(raw_path: bytes) -> bool:
    try:
        unquote_to_bytes(raw_path).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


async def _plain(send, status: int, text: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *extra]})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware: Host, Origin, body size and UTF-8 checks (see the module docstring).

    ``hosts``/``any_ip`` come from :func:`host_names` (``None``: no Host check, as for
    an app driven by a test client); ``cors`` is the one cross-origin origin allowed.
    """

    def __init__(self, app, *, max_body: int, hosts: frozenset[str] | None, any_ip: bool = False,
                 cors: str | None = None):
        self.app, self.max_body = app, max_body
        self.hosts, self.any_ip = hosts, any_ip
        self.cors = cors.rstrip("/").lower() if cors else None

    def _origin_ok(self, headers: dict[bytes, bytes]) -> bool:
        origin = headers.get(b"origin")
        if origin is not None:
            text = origin.decode("latin-1").strip().lower().rstrip("/")
            if self.cors and (self.cors == "*" or text == self.cors):
                return True
            if text == "null":
                return False
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                return False
            host = headers.get(b"host", b"").decode("latin-1").strip().lower()
            if parts.netloc != host and not (self.hosts is not None and allowed_host(
                    parts.netloc.encode("latin-1"), hosts=self.hosts, any_ip=self.any_ip)):
                return False
        site = headers.get(b"sec-fetch-site", b"").lower()
        mode = headers.get(b"sec-fetch-mode", b"").lower()
        if site == b"cross-site" and mode == b"no-cors":  # <img>/<script> on another site's page
            return False
        return True

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers: dict[bytes, bytes] = {}
        for k, v in scope.get("headers", []):
            headers.setdefault(k.lower(), v)
        if self.hosts is not None and b"host" in headers and not allowed_host(
                headers[b"host"], hosts=self.hosts, any_ip=self.any_ip):
            return await _plain(send, 421, "this server does not answer to that Host name "
                                           "(start it with --allow-host NAME to serve it under NAME)")
        if not self._origin_ok(headers):
            return await _plain(send, 403, "cross-origin request refused (see hetao-kg serve --cors)")
        if not _path_utf8(scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")):
            return await _plain(send, 400, "the path is not valid UTF-8 once its percent-escapes are decoded")
        if not strict_utf8(scope.get("query_string", b"")):
            return await _plain(send, 400, "the query string is not valid UTF-8 once its percent-escapes are decoded")
        length = headers.get(b"content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                return await _plain(send, 400, "Content-Length is not a number")
            if size > self.max_body:
                return await _plain(send, 413, f"the request body is {size:,} bytes; the limit is {self.max_body:,}")
        seen = {"bytes": 0, "started": False, "refused": False}

        async def counted():
            if seen["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > self.max_body:
                    seen["refused"] = True
                    if not seen["started"]:
                        seen["started"] = True
                        await _plain(send, 413, f"the request body passed the limit of {self.max_body:,} bytes")
                    return {"type": "http.disconnect"}  # to the application: the client is gone
            return message

        async def tracked(message):
            if seen["refused"]:
                return  # the 413 went out: nothing else may
            if message["type"] == "http.response.start":
                seen["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not seen["refused"]:
                raise  # the application's own error (its handler answered 500)


def _timed_h11():
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        """uvicorn's h11 protocol, closing a connection whose client takes more than
        ``client_timeout`` seconds to send one request (head and body) once it began."""

        client_timeout = 10.0
        #: connections still sending a request (or nothing yet): when each began
        sending: dict = {}
        #: connections kept alive between requests: when each fell idle
        idle: dict = {}

        def connection_made(self, transport) -> None:  # type: ignore[override]
            self._request_timer = None
            super().connection_made(transport)
            self._arm()  # a connection that sends nothing is no better
            self._shed()

        def _shed(self) -> None:
            """At the connection limit, close the connections kept alive between requests
            that have been idle the longest, then those that have been sending their
            request the longest (slow clients), so that this one can be served. (Closing an
            idle kept-alive connection loses nothing: HTTP clients open a new one; but one
            whose client has not read all of its answer yet is cut off, answer unfinished.)"""
            limit = self.limit_concurrency
            if limit is None or len(self.connections) < limit:
                return
            over = len(self.connections) - limit + 1
            idle = sorted((c for c in self.idle if c is not self), key=self.idle.__getitem__)
            slowest = sorted((c for c in self.sending if c is not self), key=self.sending.__getitem__)
            victims = (idle + slowest)[:over]
            for victim in victims:
                victim._disarm()
                victim.idle.pop(victim, None)
                if victim.transport.get_write_buffer_size():
                    # an answer its client has not read: close() would wait for ever to flush it,
                    # the socket and buffer held while counted out of the limit
                    victim.transport.abort()
                elif not victim.transport.is_closing():
                    victim.transport.close()
                victim.connections.discard(victim)  # counted out now; connection_lost follows
            if victims:
                self.logger.info("at the connection limit (%d): closed %d idle and %d still sending a request",
                                 limit, len([v for v in victims if v in idle]), len([v for v in victims if v not in idle]))

        def _arm(self) -> None:
            if self._request_timer is None:
                self._request_timer = self.loop.call_later(self.client_timeout, self._too_slow)
                self.sending[self] = self.loop.time()

        def _disarm(self) -> None:
            if self._request_timer is not None:
                self._request_timer.cancel()
                self._request_timer = None
            self.sending.pop(self, None)

        def _too_slow(self) -> None:
            self._request_timer = None
            self.sending.pop(self, None)
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
                self.logger.info("closed a connection that took more than %g s to send its request", self.client_timeout)
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            self.idle.pop(self, None)
            super().data_received(data)
            state = self.conn.their_state
            if state is h11.SEND_BODY or (state is h11.IDLE and (data and self.conn.trailing_data[0])):
                self._arm()
            elif state is h11.IDLE and self.cycle is None:
                self._arm()  # still no complete head on a fresh connection
            else:
                self._disarm()
                if state is h11.IDLE and self.cycle.response_complete:
                    # answered before its body was all in (a route that does not read it): idle
                    # between requests only now, and uvicorn stopped its keep-alive timer at these bytes
                    self._fall_idle()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.conn.their_state is h11.IDLE and not self.conn.trailing_data[0]:
                self._disarm()  # idle between requests: uvicorn's keep-alive timeout applies
                self._fall_idle()
            elif self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self._arm()  # the start of a pipelined request, still being sent: a slow sender's deadline

        def _fall_idle(self) -> None:
            """Idle between requests: the next connection past the limit may shed this one,
            and uvicorn's keep-alive timeout closes it."""
            if self.transport.is_closing():
                return
            self.idle[self] = self.loop.time()
            if self.timeout_keep_alive_task is None:
                self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

        def connection_lost(self, exc) -> None:
            self._disarm()
            self.idle.pop(self, None)
            super().connection_lost(exc)

    return TimedH11Protocol


def __getattr__(name: str):
    if name == "TimedH11Protocol":  # uvicorn imported only by the server
        return _timed_h11()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
