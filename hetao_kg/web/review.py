"""The review page of `hetao-kg serve --review DOC`: each proposal in its sentence, the
words that found it highlighted, accept / reject / English label, from the keyboard.

It is a small app of its own, served on loopback only and never with the explorer:
accepting writes curated data, so every POST must carry the page's one-time token
(a page of another site cannot read it), and the decisions go through
:class:`hetao_kg.ingest.review.Review` exactly as the CLI's do (validated, atomic).
The explorer's edge checks (:mod:`hetao_kg.web.edge`) stand in front of it too: a Host
that is not the bound address (DNS rebinding, which would let another site read the
token), a cross-origin request and a body over 64 KB are refused before the app runs.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..ingest.review import Review, ReviewError
from .edge import RequestGuard, host_names
from ..source.normalize import split_sentences

__all__ = ["create_review_app"]

HERE = Path(__file__).resolve().parent
_ENV = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))


def _rows(review: Review) -> list[dict]:
    text = (review.folder / "normalized.txt").read_text(encoding="utf-8")
    sentences = {s.id: s for s in split_sentences(text)}
    out = []
    for row in review.rows():
        p = review.current(row.id)
        s = sentences.get(p.sentence)
        if s is None:
            continue
        a, b = p.start - s.start, p.end - s.start
        out.append({"row": row, "before": s.text[:a], "found": s.text[a:b], "after": s.text[b:],
                    "sentence": p.sentence, "needs_en": p.kind in ("new-entity", "figure")})
    return out


#: the largest request body the review page takes (a decision is a few hundred bytes)
MAX_BODY = 64 * 1024


def create_review_app(review_dir: str | Path, doc_id: str, *, curator: str, root: str | Path | None = None,
                      token: str | None = None, host: str | None = None) -> RequestGuard:
    """The review app for one ingested report (raises ReviewError when there is none),
    behind the edge checks; ``host`` is the address it is bound to (``None``: no Host
    check, for an app driven by a test client)."""
    Review(review_dir, doc_id, root=root)  # fails early on a report that was never ingested
    token = token or secrets.token_urlsafe(24)

    async def page(request: Request) -> HTMLResponse:
        review = Review(review_dir, doc_id, root=root)
        html = _ENV.get_template("review.html").render(doc=doc_id, rows=_rows(review), token=token, curator=curator)
        return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                           "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"})

    async def decide(request: Request) -> JSONResponse:
        if request.headers.get("x-review-token") != token:
            return JSONResponse({"error": "missing or wrong review token"}, status_code=403)
        try:
            body = await request.json()
            pid, action = str(body["id"]), str(body["action"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "send JSON {id, action}"}, status_code=400)
        review = Review(review_dir, doc_id, root=root)
        try:
            if body.get("en"):
                review.edit(pid, en=str(body["en"]))
            if action == "accept":
                review.accept([pid], curator=curator)
            elif action == "reject":
                review.reject([pid])
            else:
                return JSONResponse({"error": f"unknown action {action!r}"}, status_code=400)
        except ReviewError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse({"id": pid, "state": review.state(pid)})

    app = Starlette(routes=[Route("/", page), Route("/decide", decide, methods=["POST"]),
                            Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static")])
    hosts, any_ip = host_names(host) if host is not None else (None, False)
    return RequestGuard(app, max_body=MAX_BODY, hosts=hosts, any_ip=any_ip)
