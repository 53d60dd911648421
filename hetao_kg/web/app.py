"""The ASGI application: the SPARQL endpoint and the explorer on one port.

>>> from starlette.testclient import TestClient
>>> client = TestClient(create_app())
>>> r = client.get("/sparql", params={"query": "ASK { ?u a hto:University }"})
>>> r.status_code, r.json()["boolean"]
(200, True)
>>> client.get("/sparql", params={"query": "DROP ALL"}).text
'SPARQL Update is refused: hetao-kg queries are read-only'
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Graph, Literal, URIRef
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ..query.api import LANGS, KnowledgeGraph
from ..namespaces import HTO, KG, PREFIXES, bind_prefixes
from ..query.queries import UnknownName, named_queries
from ..store.answers import Serialized
from ..store.base import QueryError, QueryRefused, Rows
from ..store.formats import FAST_FORMATS
from ..store.dataset import apply_dataset, unshift_position, with_base
from ..store.sparql_guard import checked
from .explorer import (NAMED_VIEWS, citation_text, entity_page, home_counts, query_title, source_dates, source_documents,
                       source_page, term_path, view_members, view_titles)
from .ontology import ontology_doc
from .protocol import (GRAPH_TYPES, RESULT_TYPES, ProtocolError, negotiate, parse_request, serialize_answer,
                       serialize_graph)
from .edge import RequestGuard, host_names
from .runner import QueryBusy, QueryRunner, QueryTimeoutError, is_truncated, page_graph, query_stores

__all__ = ["create_app", "CSP", "TEMPLATES", "STATIC", "render_ontology", "pick_lang"]

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
ACCESS = logging.getLogger("hetao_kg.web.access")

#: Content-Security-Policy per kind of page: nothing may leave the machine.
CSP = {
    "page": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
    "editor": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
    # the views inline vis-network and their data (see hetao_kg.network.views)
    "view": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "base-uri 'none'; frame-ancestors 'self'",
}
_RDF_PAGE_TYPES = ["text/html", *GRAPH_TYPES]
_LANG_TAGS = {"en": "en", "zh-hans": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh": "zh-Hans",
              "zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant"}
_DESCRIBE = """
CONSTRUCT { ?entity ?p ?o . ?s ?q ?entity . } WHERE { { ?entity ?p ?o } UNION { ?s ?q ?entity } }
"""


def pick_lang(query_lang: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=`` if valid, else the best of ``Accept-Language``, else English.

    >>> pick_lang(None, "zh-TW,zh;q=0.9,en;q=0.8"), pick_lang("zh-Hans", "en"), pick_lang(None, "fr")
    ('zh-Hant', 'zh-Hans', 'en')
    """
    if query_lang:
        for lang in LANGS:
            if query_lang.lower() == lang.lower():
                return lang
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((q, -i, tag.strip().lower()))
    for q, _, tag in sorted(ranked, reverse=True):
        if q <= 0:
            continue
        for candidate in (tag, "-".join(tag.split("-")[:2]), tag.split("-")[0]):
            if candidate in _LANG_TAGS:
                return _LANG_TAGS[candidate]
    return "en"


def _lang_of(request: Request) -> str:
    return pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


class _Edge:
    """Pure ASGI middleware: security headers and one access-log line per request."""

    def __init__(self, app, *, prefix: str):
        self.app, self.prefix = app, prefix

    @property
    def state(self):
        """The Starlette app's state (``kg``, ``runner``, ``prefix``) through the edge's wrappers."""
        app = self.app
        while not hasattr(app, "router"):
            app = app.app
        return app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = {"code": 500}
        path = scope.get("path", "")
        local = path[len(self.prefix):] if self.prefix and path.startswith(self.prefix) else path
        policy = CSP["view"] if local.startswith("/views/") and local != "/views/" else CSP["editor"] if local.startswith("/query") else CSP["page"]

        async def wrapped(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in ((b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff"),
                             (b"referrer-policy", b"no-referrer")):
                    if k not in names:
                        headers.append((k, v))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            client = scope.get("client") or ("-", 0)
            qs = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{qs[:200]}" if qs else "")
            ACCESS.info('%s "%s %s" %d %.1fms', client[0], scope.get("method", "-"), target, status["code"],
                        (time.perf_counter() - start) * 1000)


def _environment(i18n: dict) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "xml", "svg"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    env.globals["i18n"] = i18n
    return env


def _i18n() -> dict:
    return json.loads((HERE / "i18n.json").read_text(encoding="utf-8"))


def render_ontology(*, lang: str = "en", base: str = "", root: str | Path | None = None, static: str | None = None,
                    standalone: bool = False, lang_links: dict[str, str] | None = None) -> str:
    """The ontology documentation page as HTML (also what ``hetao-kg docs`` writes).

    >>> "University" in render_ontology(lang="zh-Hans")
    True
    """
    i18n = _i18n()
    env = _environment(i18n)
    return env.get_template("ontology.html").render(
        doc=ontology_doc(root), lang=lang, t=i18n[lang], base=base, static=static if static is not None else f"{base}/static",
        standalone=standalone, langs=LANGS, here="ontology", query_suffix="",
        lang_links=lang_links or {l: f"{base}/ontology?lang={l}" for l in LANGS},
    )


def create_app(*, kg: KnowledgeGraph | None = None, root: str | Path | None = None, store: str | None = None,
               cors: str | None = None, mount_prefix: str = "", timeout: float = 10.0, max_rows: int = 10_000,
               max_query_bytes: int = 65_536, pool: int = 2, queue: int | None = None, host: str | None = None,
               allow_hosts: tuple[str, ...] = (), inference: bool = True) -> Starlette:
    """Build the web application (endpoint + explorer).

    ``store`` is any store :func:`hetao_kg.store.open_store` knows (default: its
    ``DEFAULT``, the embedded Oxigraph store; ``"memory"`` for rdflib in process).
    ``kg`` serves the explorer pages (built from ``root``/``store`` when omitted); user
    SPARQL runs in a :class:`~hetao_kg.web.runner.QueryRunner` with ``timeout`` seconds,
    ``max_rows`` rows and queries of at most ``max_query_bytes``. ``mount_prefix`` (e.g.
    ``/hetao-kg``) is the path the app lives under, so that ``<prefix>/id/org/hku`` is
    the page of ``https://w3id.org/hetao-kg/id/org/hku``. At most ``queue`` queries
    (default ``4 * pool``) wait for a worker; more get 503 with ``Retry-After`` at once.
    ``inference=False`` serves the asserted facts alone, pages and endpoint alike
    (``hetao-kg --no-inference serve``).

    ``host`` is the address the server is bound to: requests must then name it (or
    one of ``allow_hosts``) in ``Host`` (:mod:`hetao_kg.web.edge`); ``None`` (an app
    driven in process, e.g. by a test client) checks no Host.
    """
    prefix = "/" + mount_prefix.strip("/") if mount_prefix.strip("/") else ""
    root_s = str(root) if root else None
    if store is None:  # the store every command uses by default (the embedded Oxigraph store)
        from ..store.backends import DEFAULT as store
    if kg is None:
        kg = page_graph(root_s, store, inference=inference)
    runner = QueryRunner(query_stores(root_s, store, timeout=timeout, max_rows=max_rows,
                                      max_query_bytes=max_query_bytes, pool=pool, inference=inference),
                         timeout=timeout, max_rows=max_rows, queue=queue)
    i18n = _i18n()
    env = _environment(i18n)
    # rdflib's SPARQL parser (pyparsing) is not thread-safe: in-process graph work runs
    # one call at a time; user queries go to the worker pool instead.
    graph_lock = threading.Lock()

    async def in_graph(fn, *args, **kwargs):
        def locked():
            with graph_lock:
                return fn(*args, **kwargs)

        return await run_in_threadpool(locked)

    views_cache: OrderedDict[tuple, str] = OrderedDict()
    responses = _ByteBudgetCache(64 * 2**20)  # serialized answers: the data does not change while serving
    memo_cache: OrderedDict[tuple, Any] = OrderedDict()

    async def memo(fn, *args, **kwargs):
        """In-process graph work, remembered: the data does not change while serving."""
        key = (getattr(fn, "__name__", repr(fn)), args, tuple(sorted(kwargs.items())))
        if key in memo_cache:
            memo_cache.move_to_end(key)
            return memo_cache[key]
        return remember(memo_cache, key, await in_graph(fn, *args, **kwargs), 1024)

    def remember(cache: OrderedDict, key, value, size: int = 256):
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)
        return value

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        lang = context.pop("lang", None) or _lang_of(request)
        explicit = request.query_params.get("lang")
        here_params = {k: v for k, v in request.query_params.items() if k != "lang"}
        html = env.get_template(template).render(
            base=prefix, static=f"{prefix}/static", lang=lang, t=i18n[lang], langs=LANGS,
            query_suffix=f"?lang={quote(lang)}" if explicit else "",
            lang_links={l: f"{prefix}{_local_path(request.url.path, prefix)}?" + urlencode({**here_params, "lang": l})
                        for l in LANGS},
            **context,
        )
        return HTMLResponse(html, status_code=status, headers={"Vary": "Accept, Accept-Language",
                                                               "Content-Language": lang})

    def plain_error(message: str, status: int, headers: dict | None = None) -> PlainTextResponse:
        return PlainTextResponse(message, status_code=status, headers=headers)

    # --- SPARQL ---------------------------------------------------------------

    async def sparql(request: Request) -> Response:
        given = based = ""  # the query as sent, and with the endpoint URL as its base (with_base)
        deadline = time.monotonic() + timeout  # the client's wait starts now, not when a worker is asked
        try:
            body = await request.body() if request.method == "POST" else b""
            params: dict[str, list[str]] = {}
            for k, v in request.query_params.multi_items():
                params.setdefault(k, []).append(v)
            req = parse_request(request.method, request.headers.get("content-type", ""), params, body,
                                max_bytes=max_query_bytes)
            accept = request.headers.get("accept")
            if req.query is None:
                if request.method == "GET" and negotiate(accept, ["text/html", *GRAPH_TYPES], "text/turtle") == "text/html":
                    return RedirectResponse(f"{prefix}/query", status_code=303)
                media = negotiate(accept, list(GRAPH_TYPES), "text/turtle")
                if media is None:
                    raise ProtocolError(f"cannot describe the service as {accept}", 406)
                endpoint = str(request.url.replace(query="", fragment=""))
                data = await memo(_service_description, kg, endpoint)
                return Response(serialize_graph(data, media), media_type=f"{media}; charset=utf-8")
            # the dataset (the protocol's parameters, or FROM in the query) names graphs the
            # dataset holds, or is refused naming the IRI; then the guard's lexer (no parse;
            # both remembered per text; a short text naming no dataset on the event loop, any
            # other one hop off it): a refusal costs no worker.
            # The rest of the syntax is judged with the query, in the runner's store, under its limits
            # relative IRIs resolve against this endpoint's URL (SPARQL 1.1 Query §4.1.1.2)
            given = req.query
            based = with_base(given, str(request.url.replace(query="", fragment="")))
            prepared_key = ("prepared", based, req.default_graphs, req.named_graphs)
            if prepared_key in memo_cache:
                memo_cache.move_to_end(prepared_key)
                text, kind = memo_cache[prepared_key]
            elif (small := _small_and_dataset_free(based, req.default_graphs, req.named_graphs)) is not None:
                text, kind = remember(memo_cache, prepared_key, small, 1024)
            else:
                text, kind = remember(memo_cache, prepared_key, await run_in_threadpool(
                    _prepared, based, kg.store, req.default_graphs, req.named_graphs, graph_lock), 1024)
            key = (text, accept or "", req.labels if req.labels in LANGS else None)
            cached = responses.get(key)
            if cached is None:
                media = _fast_media(kind, accept, key[2])
                answer = await runner.execute(text, deadline=deadline, fmt=RESULT_TYPES[media] if media else None)
                if isinstance(answer, Serialized):  # written by the worker from the engine's terms
                    cached = (answer.data, f"{media}; charset=utf-8", _answer_headers(answer, max_rows))
                else:  # serializing thousands of rows takes a while: off the event loop
                    cached = await run_in_threadpool(_answer_bytes, kg, answer, kind, accept, key[2], max_rows)
                responses.put(key, cached)
            data, ctype, headers = cached
            return Response(data if request.method != "HEAD" else b"", media_type=ctype, headers=dict(headers))
        except ClientDisconnect:  # gone, or its body was refused (hetao_kg.web.edge): nobody to answer
            return Response(status_code=400)
        except ProtocolError as exc:
            return plain_error(str(exc), exc.status)
        except QueryBusy as exc:
            return plain_error(str(exc), 503, {"Retry-After": str(exc.retry_after)})
        except QueryTimeoutError as exc:
            return plain_error(str(exc), 503, {"Retry-After": "5"})
        except QueryRefused as exc:
            return plain_error(str(exc), 400)
        except QueryError as exc:
            if type(exc).__name__ in ("QueryTimeout",):
                return plain_error(str(exc), 503, {"Retry-After": "5"})
            if type(exc).__name__ == "QueryTooLarge":
                return plain_error(str(exc), 413)
            return plain_error(unshift_position(str(exc), given, based), 400)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "timeout_s": timeout,
                             "max_rows": max_rows})

    async def favicon(request: Request) -> Response:
        # browsers ask for it on every page; no icon, and no 404 in their console
        return Response(status_code=204)

    # --- explorer ----------------------------------------------------------------

    async def home(request: Request) -> Response:
        lang = _lang_of(request)
        counts = await memo(home_counts, kg)
        docs = await memo(source_documents, kg, lang=lang)
        from ..network.views import VIEWS

        queries = [(q.name, *query_title(q.summary_zh if lang != "en" and q.summary_zh else q.summary))
                   for q in named_queries().values() if not q.name.startswith("network-")]  # (the views' own queries: on /query)
        return page(request, "home.html", lang=lang, counts=counts, docs=docs, queries=queries,
                    views=[v for v in VIEWS if v not in ("ego", "path")], here="home", titles=view_titles(lang),
                    zone=kg.label(str(KG["zone/hetao"]), lang), park=kg.label(str(KG["park/shenzhen-park"]), lang))

    async def search(request: Request) -> Response:
        lang = _lang_of(request)
        text = request.query_params.get("q", "").strip()[:200]
        hits = await memo(kg.search, text, lang=lang, limit=20) if text else []
        results = [(h, term_path(h.iri)) for h in hits]
        return page(request, "search.html", lang=lang, q=text, results=results, here="search")

    async def entity(request: Request) -> Response:
        local = request.path_params["path"]
        iri = str(KG) + local
        if not _IRI_PATH.fullmatch(local):  # a space, a quote, a bracket: no IRI of ours
            return plain_error(f"no such entity: {iri!r} is not an IRI", 404)
        media = negotiate(request.headers.get("accept"), _RDF_PAGE_TYPES, "text/html")
        if media is None:
            return plain_error(f"cannot describe {iri} as {request.headers.get('accept')}; offered: "
                               + ", ".join(_RDF_PAGE_TYPES), 406)
        if media != "text/html":
            # the serialized description, remembered like answers (rdflib's Turtle writer
            # took 10 times as long as the lookup); written off the event loop
            key = ("/id", iri, media)
            cached = responses.get(key)
            if cached is None:
                rows = await memo(_describe, kg, iri)
                if not rows.rows:
                    return plain_error(f"no such entity: {iri}", 404)
                data, ctype = await run_in_threadpool(serialize_answer, rows, "ConstructQuery", accept=media)
                cached = (data, ctype, ())
                responses.put(key, cached)
            data, ctype, _ = cached
            return Response(data, media_type=ctype, headers={"Vary": "Accept", "Link": f'<{iri}>; rel="describedby"'})
        lang = _lang_of(request)
        data = await memo(entity_page, kg, iri, lang=lang)
        if not data.exists:
            return page(request, "error.html", status=404, lang=lang, here="error",
                        message=i18n[lang]["no_entity"], detail=iri)
        alternates = [(m, f"{prefix}/id/{local}") for m in ("text/turtle", "application/ld+json", "application/n-triples")]
        citation = await memo(citation_text, kg, iri)
        return page(request, "entity.html", lang=lang, e=data, here="entity", alternates=alternates, local=local,
                    ego_title=view_titles(lang)["ego"][0].format(name=data.label), citation=citation)

    async def views_of(request: Request) -> Response:
        """The named views that draw an entity, as JSON (the entity page asks after it has loaded:
        the first answer renders every named view once)."""
        iri = request.query_params.get("entity", "")
        lang = _lang_of(request)
        members = await memo(view_members, kg)
        titles = view_titles(lang)
        found = [{"name": name, "title": titles[name][0], "href": f"{prefix}/views/{name}?lang={quote(lang)}"}
                 for name in NAMED_VIEWS if iri in members.get(name, ())]
        return JSONResponse({"entity": iri, "views": found})

    async def sources(request: Request) -> Response:
        lang = _lang_of(request)
        docs = await memo(source_documents, kg, lang=lang)
        return page(request, "sources.html", lang=lang, docs=docs, here="source")

    async def source(request: Request) -> Response:
        lang = _lang_of(request)
        doc = request.path_params["doc"]
        data = await memo(source_page, kg, doc, lang=lang)
        if data is None:
            return page(request, "error.html", status=404, lang=lang, here="error",
                        message=i18n[lang]["no_source"], detail=doc)
        return page(request, "source.html", lang=lang, s=data, here="source")

    async def editor(request: Request) -> Response:
        lang = _lang_of(request)
        queries = named_queries()
        text = request.query_params.get("query")
        name = request.query_params.get("named")
        if name and name in queries:
            text = queries[name].text
        if not text:
            text = queries["hk-university-projects"].text if "hk-university-projects" in queries else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        examples = [(q.name, q.summary_zh if lang != "en" and q.summary_zh else q.summary) for q in queries.values()]
        return page(request, "query.html", lang=lang, here="query", initial=text, examples=examples,
                    config={"endpoint": f"{prefix}/sparql", "query": text, "prefixes": prefixes, "lang": lang,
                            "queryPage": f"{prefix}/query"})

    async def views_index(request: Request) -> Response:
        from ..network.views import VIEWS

        lang = _lang_of(request)
        return page(request, "views.html", lang=lang, views=list(VIEWS), here="views", titles=view_titles(lang))

    async def view(request: Request) -> Response:
        from ..network.views import VIEWS
        from ..network.views import render as render_view

        name = request.path_params["name"]
        lang = _lang_of(request)
        entities = tuple(e for e in request.query_params.getlist("entity") if e.strip())[:2]
        try:
            depth = max(1, min(3, int(request.query_params.get("depth", "1"))))
        except ValueError:
            return plain_error("depth must be 1, 2 or 3", 400)
        if name not in VIEWS:
            return page(request, "error.html", status=404, lang=lang, here="error",
                        message=i18n[lang]["no_view"], detail=name)
        key = (name, entities, depth, lang)
        html = views_cache.get(key)
        if html is None:
            try:
                rendered = await in_graph(lambda: render_view(name, *entities, kg=kg, lang=lang, depth=depth, base_url=prefix or "/"))
            except (UnknownName, ValueError, TypeError) as exc:
                return page(request, "error.html", status=400, lang=lang, here="error",
                            message=i18n[lang]["bad_view"], detail=str(exc))
            html = remember(views_cache, key, rendered.html, 64)
        return HTMLResponse(html)

    async def ontology(request: Request) -> Response:
        media = negotiate(request.headers.get("accept"), _RDF_PAGE_TYPES, "text/html")
        if media not in (None, "text/html"):
            graph = Graph()
            bind_prefixes(graph)
            graph.parse(data=ontology_doc(root_s).turtle, format="turtle")
            return Response(serialize_graph(graph, media), media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})
        lang = _lang_of(request)
        html = await memo(render_ontology, lang=lang, base=prefix, root=root_s)
        return HTMLResponse(html, headers={"Vary": "Accept, Accept-Language", "Content-Language": lang})

    async def not_found(request: Request, exc) -> Response:
        lang = _lang_of(request)
        if "text/html" not in request.headers.get("accept", ""):
            return plain_error(f"not found: {request.url.path}", 404)
        return page(request, "error.html", status=404, lang=lang, here="error", message=i18n[lang]["not_found"],
                    detail=request.url.path)

    async def server_error(request: Request, exc) -> Response:
        logging.getLogger("hetao_kg.web").exception("internal error on %s", request.url.path)
        return plain_error("internal error: the server could not answer this request (logged)", 500)

    routes = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/favicon.ico", favicon),
        Route("/sparql", sparql, methods=["GET", "POST", "HEAD"]),
        Route("/search", search),
        Route("/id/{path:path}", entity),
        Route("/source/", sources),
        Route("/source/{doc}", source),
        Route("/query", editor),
        Route("/views.json", views_of),
        Route("/views/", views_index),
        Route("/views/{name}", view),
        Route("/ontology", ontology),
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ]
    middleware = []
    if cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=[cors], allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type"], max_age=600))

    def warm() -> None:
        kg.labels()
        kg.search("HKU")
        home_counts(kg)
        from ..store.base import prepare

        prepare(named_queries()["timeline"].text)  # parsed once, before the first entity page
        source_dates(kg)  # the date beside every statement: asked once

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await in_graph(warm)  # healthy only once labels and the search index are ready
        await runner.warm()  # … and the query workers are up
        try:
            yield
        finally:
            runner.close()  # stop the query workers once uvicorn has drained the requests

    inner = Starlette(routes=routes, middleware=middleware, lifespan=None if prefix else lifespan,
                      exception_handlers={404: not_found, 500: server_error})
    app = Starlette(routes=[Mount(prefix, app=inner)], lifespan=lifespan) if prefix else inner
    app.state.kg, app.state.runner, app.state.prefix = kg, runner, prefix
    hosts, any_ip = host_names(host, allow_hosts) if host is not None else (None, False)
    guarded = RequestGuard(app, max_body=3 * max_query_bytes + 1024, hosts=hosts, any_ip=any_ip, cors=cors)
    return _Edge(guarded, prefix=prefix)  # type: ignore[return-value]


class _ByteBudgetCache:
    """An LRU of serialized answers bounded by their total size."""

    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self.items: OrderedDict[tuple, tuple[bytes, str, tuple]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        size = len(value[0])
        if size > self.budget // 8:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.used += size
            while self.used > self.budget:
                _, old = self.items.popitem(last=False)
                self.used -= len(old[0])


def _answer_bytes(kg: KnowledgeGraph, answer, kind: str, accept: str | None, labels: str | None,
                  max_rows: int) -> tuple[bytes, str, tuple]:
    if labels and isinstance(answer, Rows) and kind == "SelectQuery":
        answer = _with_labels(kg, answer, labels)
    data, ctype = serialize_answer(answer, kind, accept=accept)
    return data, ctype, _answer_headers(answer, max_rows)


#: a text up to this many characters is guarded on the event loop (0.7 ms for a named
#: query): a hop to a thread and back cost the server more than that under load (py-spy:
#: the loop's wake-ups were a fifth of its busy samples) and, the guard holding the GIL,
#: the loop waited for it anyway
INLINE_GUARD_CHARS = 4096


def _small_and_dataset_free(based: str, default_graphs: tuple, named_graphs: tuple) -> tuple[str, str] | None:
    """``(text, form)`` of a short text that names no dataset (neither the request nor a
    ``FROM`` clause: nothing to ask the store under the graph lock), guarded here; None for
    any other text (:func:`_prepared`, in a thread). Raises what the guard raises."""
    if default_graphs or named_graphs or len(based) > INLINE_GUARD_CHARS:
        return None
    verdict = checked(based)
    if verdict.dataset[0] or verdict.dataset[1]:
        return None
    return based, verdict.form


def _prepared(based: str, store, default_graphs: tuple, named_graphs: tuple, lock: threading.Lock) -> tuple[str, str]:
    """The text to run for a request (:func:`apply_dataset`) and its form (the guard's).
    The guard reads the text outside the graph lock, first, as ``apply_dataset`` would
    (so its errors come in the same order); the store is asked for its graphs under the lock."""
    named = bool(default_graphs or named_graphs)
    if not named and "FROM" in based.upper():
        checked(based)
    if named or "FROM" in based.upper():
        with lock:
            text = apply_dataset(based, store, default_graphs, named_graphs)
    else:
        text = based
    return text, checked(text).form


def _answer_headers(answer, max_rows: int) -> tuple:
    headers = [("Vary", "Accept")]
    if is_truncated(answer):
        headers.append(("X-Hetao-Truncated", f"rows cut at the server's limit of {max_rows}"))
    return tuple(headers)


def _fast_media(kind: str, accept: str | None, labels: str | None) -> str | None:
    """The media type of a SELECT or ASK answer the query worker may write itself (SPARQL
    JSON, CSV, TSV; no label columns to add), else None: the answer then comes as rows
    and is written here (:func:`_answer_bytes`), as is every refusal of an ``Accept``."""
    if labels or kind not in ("SelectQuery", "AskQuery"):
        return None
    media = negotiate(accept, list(RESULT_TYPES), "application/sparql-results+json")
    return media if media is not None and RESULT_TYPES[media] in FAST_FORMATS else None


#: the characters an IRI path may hold (RFC 3987 ipath, percent-escapes decoded already)
_IRI_PATH = re.compile(r'[^\x00-\x20<>"{}|\\^`\x7f-\x9f]*')


def _local_path(path: str, prefix: str) -> str:
    """The request path below the mount prefix, with one leading slash: ``//evil.example``
    must not become a protocol-relative link to another site."""
    local = path[len(prefix):] if prefix and path.startswith(prefix) else path
    return "/" + local.lstrip("/\\")


def _describe(kg: KnowledgeGraph, iri: str) -> Rows:
    return kg.store.select(_DESCRIBE, {"entity": URIRef(iri)})


def _with_labels(kg: KnowledgeGraph, answer: Rows, lang: str) -> Rows:
    """Add ``?xLabel`` next to every column holding IRIs (as Wikidata's label service does)."""
    iri_vars = [v for v in answer.vars if any(isinstance(r.get(v), URIRef) for r in answer.rows)]
    names = []
    for v in answer.vars:
        names.append(v)
        if v in iri_vars and f"{v}Label" not in answer.vars:
            names.append(f"{v}Label")
    rows = []
    for r in answer.rows:
        row = dict(r)
        for v in iri_vars:
            if isinstance(r.get(v), URIRef):
                row[f"{v}Label"] = Literal(kg.label(str(r[v]), lang), lang=lang)
        rows.append(row)
    return Rows(tuple(names), rows)


_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"


def _service_description(kg: KnowledgeGraph, endpoint: str) -> Graph:
    from rdflib import BNode, Namespace
    from rdflib.namespace import RDF, RDFS

    sd, fmt = Namespace(_SD), Namespace(_FORMATS)
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", fmt)
    bind_prefixes(g)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, sd.Service))
    g.add((svc, sd.endpoint, svc))
    g.add((svc, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((svc, sd.feature, sd.UnionDefaultGraph))
    g.add((svc, RDFS.label, Literal("hetao-kg SPARQL endpoint (read-only)", lang="en")))
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
              "Turtle", "N-Triples", "JSON-LD", "TriG", "RDF_XML"):
        g.add((svc, sd.resultFormat, fmt[f]))
    dataset, default = BNode("dataset"), BNode("defaultGraph")
    g.add((svc, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    g.add((default, RDFS.comment, Literal("the union of every named graph", lang="en")))
    for row in kg.store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").rows:
        named = BNode()
        g.add((dataset, sd.namedGraph, named))
        g.add((named, RDF.type, sd.NamedGraph))
        g.add((named, sd.name, row["g"]))
    return g
