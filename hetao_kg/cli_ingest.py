"""The ``ingest`` and ``review`` commands of ``hetao-kg`` (registered by :mod:`hetao_kg.cli`).

Kept apart from ``cli.py`` so the curation assistant adds two commands without
touching the others.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .errors import DataError
from .errors import SourceError
from .query.results import terminal_safe

__all__ = ["ingest", "review", "serve_review"]

_REVIEW_DIR = click.option(
    "--review-dir", type=click.Path(file_okay=False, path_type=Path), envvar="HETAO_KG_REVIEW", default="review",
    show_default=True, help="Folder of drafts under review (never part of the curated data).")


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"hetao-kg: error: {terminal_safe(message)}", err=True)
    sys.exit(code)


def _errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .ingest import IngestError

        try:
            return fn(*args, **kwargs)
        except (IngestError, DataError, SourceError) as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted; nothing half-written (drafts and accepts land whole or not at all)", 130)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}")

    return wrapper


def _root(ctx: click.Context):
    return (ctx.obj or {}).get("root")


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@_REVIEW_DIR
@click.option("--id", "doc_id", help="Document id (default: from the file name).")
@click.option("--title", help="The report's title (zh-Hans) as the curator gives it.")
@click.option("--title-en", help="Its English title (the source's own or a plain translation).")
@click.option("--publisher", help="Who published it, if known (unknown stays unknown).")
@click.option("--date", "date", help="Its date: YYYY, YYYY-MM, YYYY-MM-DD or an interval A/B.")
@click.option("--language", help="Its language tag as given, e.g. zh-Hans or zh-Hant.")
@click.option("--about", help="What the report is about, e.g. park/shenzhen-park: proposes locatedIn for "
                               "what arrives, is set up or is built there.")
@click.option("--encoding", help="Read a legacy file in this encoding (gb18030, big5) instead of UTF-8.")
@click.option("--corrections", type=click.Path(dir_okay=False, path_type=Path),
              help="Correction table (JSON) for lost characters, registered with the source.")
@click.pass_context
@_errors
def ingest(ctx, file, review_dir, doc_id, title, title_en, publisher, date, language, about, encoding, corrections):
    """Propose the facts of a new report FILE, each with its quote, into a review folder.

    Normalizes FILE (pinyin annotations, Traditional characters), splits it into
    paragraphs and sentences, and proposes entity mentions (linked to the graph through
    every name it knows), new entities with a class, statuses, figures, dates and links,
    each with its quote, offsets, rule and confidence. The draft (TriG, one named graph
    per proposal) goes to REVIEW-DIR/<id>/; nothing is written anywhere else.
    """
    from .ingest import SourceMeta, ingest_file
    from .ingest.review import _date_triples, _iri
    from .namespaces import KG

    if date:
        _date_triples(KG["x"], date)
    about_iri = _iri(about) if about else None
    size = file.stat().st_size if file.is_file() else 0
    bar = None
    progress = None
    if size > 4 << 20:
        bar = click.progressbar(length=size, label=f"ingesting {file.name}", file=sys.stderr)
        state = {"done": 0}

        def progress(done: int, total: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done
    try:
        result = ingest_file(file, review_dir=review_dir, root=_root(ctx), doc_id=doc_id,
                             meta=SourceMeta(title, title_en, publisher, date, language), about=about_iri,
                             encoding=encoding, progress=progress, corrections=corrections)
    finally:
        if bar is not None:
            bar.render_finish()
    for line in result.summary():
        click.echo(terminal_safe(line))
    if not result.known_entities:
        click.echo(f"hetao-kg: warning: {file}: no entity the graph knows is named; every proposal is a new "
                   "entity (is this a report about the zone?)", err=True)


@click.group()
def review():
    """Review the proposals of an ingested report: list, accept, reject, edit, merge."""


def _review(ctx, review_dir, doc):
    from .ingest.review import Review

    return Review(review_dir, doc, root=_root(ctx))


@review.command("list")
@click.argument("doc")
@_REVIEW_DIR
@click.option("--kind", type=click.Choice(["mention", "new-entity", "status", "figure", "date", "link"]))
@click.option("--state", type=click.Choice(["pending", "accepted", "rejected", "edited", "merged"]))
@click.option("--min-confidence", type=float, default=0.0, show_default=True)
@click.pass_context
@_errors
def review_list(ctx, doc, review_dir, kind, state, min_confidence):
    """List the proposals of DOC: id, kind, state, confidence, subject, proposal, quote (tab-separated)."""
    rows = _review(ctx, review_dir, doc).rows(kind=kind, state=state, min_confidence=min_confidence)
    click.echo("id\tkind\tstate\tconfidence\tsubject\tproposes\tquote\trule")
    for r in rows:
        click.echo(terminal_safe("\t".join([r.id, r.kind, r.state, f"{r.confidence:.2f}", r.subject, r.proposes,
                                            r.quote, r.rule])))
    click.echo(f"{len(rows)} proposal(s)", err=True)


@review.command("accept")
@click.argument("doc")
@click.argument("ids", nargs=-1)
@_REVIEW_DIR
@click.option("--curator", envvar="HETAO_KG_CURATOR", required=True, help="Your name, recorded as PROV.")
@click.option("--kind", help="Accept every pending proposal of this kind (with --min-confidence).")
@click.option("--min-confidence", type=float, default=None)
@click.pass_context
@_errors
def review_accept(ctx, doc, ids, review_dir, curator, kind, min_confidence):
    """Accept proposals IDS of DOC: validated, then written as curated TriG."""
    r = _review(ctx, review_dir, doc)
    chosen = list(ids)
    if kind or min_confidence is not None:
        chosen += [row.id for row in r.rows(kind=kind, min_confidence=min_confidence or 0.0)
                   if row.state in ("pending", "edited") and row.kind != "mention"]
    if not chosen:
        _fail("name the proposals to accept (IDS, or --kind/--min-confidence)")
    target = r.accept(chosen, curator=curator)
    click.echo(f"accepted {len(chosen)} proposal(s) into {target}")


@review.command("reject")
@click.argument("doc")
@click.argument("ids", nargs=-1, required=True)
@_REVIEW_DIR
@click.pass_context
@_errors
def review_reject(ctx, doc, ids, review_dir):
    """Reject proposals IDS of DOC; they are not proposed again by a later ingest."""
    _review(ctx, review_dir, doc).reject(ids)
    click.echo(f"rejected {len(ids)} proposal(s)")


@review.command("edit")
@click.argument("doc")
@click.argument("pid")
@_REVIEW_DIR
@click.option("--label", help="The entity's zh-Hans label.")
@click.option("--en", help="Its English label (a plain translation).")
@click.option("--class", "cls", help="Its class, e.g. ResearchInstitute.")
@click.option("--status", help="The status concept, e.g. landed, under-construction.")
@click.option("--words", help="The source's status words.")
@click.option("--value", help="A figure's value.")
@click.option("--qualifier", type=click.Choice(["exactly", "about", "more-than"]))
@click.option("--object", "obj", help="A link's target entity, e.g. org/hku.")
@click.option("--quote", nargs=2, type=int, help="The quote's START END offsets (inside one sentence).")
@click.option("--evidence", type=click.Choice(["stated", "inferred-from-name", "inferred-from-list"]))
@click.option("--comment", help="Why, for an inferred assertion.")
@click.pass_context
@_errors
def review_edit(ctx, doc, pid, review_dir, label, en, cls, status, words, value, qualifier, obj, quote, evidence,
                comment):
    """Change proposal PID of DOC before accepting it."""
    p = _review(ctx, review_dir, doc).edit(pid, label=label, en=en, **{"class": cls}, status=status, words=words,
                                           value=value, qualifier=qualifier, object=obj,
                                           quote=tuple(quote) if quote else None, evidence=evidence,
                                           comment=comment)
    click.echo(terminal_safe(f"{p.id}: {p.label or p.text} — quote {p.quote_start}-{p.quote_end} {p.quote!r}"))


@review.command("merge")
@click.argument("doc")
@click.argument("pid")
@click.argument("entity")
@_REVIEW_DIR
@click.pass_context
@_errors
def review_merge(ctx, doc, pid, entity, review_dir):
    """Make the new entity proposed by PID the existing ENTITY (e.g. org/hku) in every proposal."""
    target = _review(ctx, review_dir, doc).merge(pid, entity)
    click.echo(f"{pid} merged into {target}")


@review.command("source")
@click.argument("doc")
@_REVIEW_DIR
@click.option("--title")
@click.option("--title-en")
@click.option("--publisher")
@click.option("--date", "date")
@click.option("--language")
@click.pass_context
@_errors
def review_source(ctx, doc, review_dir, title, title_en, publisher, date, language):
    """Set what the curator says about DOC's source before its first accept."""
    entry = _review(ctx, review_dir, doc).set_source(title=title, title_en=title_en, publisher=publisher, date=date,
                                                     language=language)
    click.echo(terminal_safe(str(entry.get("ingested"))))



def serve_review(ctx, *, host: str, port: int, doc: str, review_dir: Path, curator: str | None, loopback) -> None:
    """`hetao-kg serve --review DOC`: the review page alone, on loopback only."""
    import uvicorn

    from .ingest import IngestError
    from .web.review import create_review_app

    if host not in loopback:
        _fail(f"--review serves a page that writes curated data: it binds to loopback only, not {host}")
    if not curator:
        _fail("--review needs the curator's name (--curator NAME or $HETAO_KG_CURATOR)")
    try:
        app = create_review_app(review_dir, doc, curator=curator, root=_root(ctx), host=host)
    except IngestError as exc:
        _fail(str(exc))
    click.echo(f"hetao-kg: review page of {doc} at http://{host}:{port}/ (loopback only); Ctrl-C stops", err=True)
    from .web.edge import TimedH11Protocol

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", http=TimedH11Protocol,
                timeout_keep_alive=5)  # slow clients are timed out, as by `serve`
