"""The ``hetao-kg`` command: one click group, thin over the public API.

Exit codes: 0 success, 1 violations or unresolved problems found, 2 unusable
input (missing or malformed file, bad query, unknown name).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from pathlib import Path

import click

from .facade import LANGS, AmbiguousEntity, KnowledgeGraph, open_graph
from .errors import DataError, OutputError, SourceError
from .store.limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT
from .query.queries import UnknownName, named_queries
from .query.results import FORMATS, terminal_safe
from .store.base import QueryError, QueryRefused
from .store.backends import DEFAULT as DEFAULT_STORE

__all__ = ["main"]


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"hetao-kg: error: {terminal_safe(message)}", err=True)
    sys.exit(code)


def handle_errors(fn):
    """Turn the API's input errors into a clean message and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (DataError, SourceError, QueryError, QueryRefused, UnknownName, AmbiguousEntity, OutputError) as exc:
            _fail(str(exc))
        except FileNotFoundError as exc:
            _fail(f"{exc.filename}: file not found")
        except BrokenPipeError:  # `hetao-kg … | head`: the reader left; stop quietly
            sys.stdout = open(os.devnull, "w", encoding="utf-8")
            sys.exit(0)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as exc:  # a loop of symlinks, a folder where a file belongs, no permission …
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}")
        except UnicodeError as exc:
            _fail(f"text is not valid UTF-8 ({exc.reason})")
        except RecursionError:
            _fail("input nested too deeply")

    return wrapper


def _echo(text: str, **kwargs) -> None:
    """Print to the terminal with control characters escaped (files and pipes get the text as is)."""
    stream = sys.stderr if kwargs.get("err") else sys.stdout
    if stream.isatty():
        text = terminal_safe(text)
    click.echo(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="HETAO_KG_DATA",
    help="Folder holding ontology/ and graph_data/ (default: the installed data).",
)
@click.option("--no-inference", is_flag=True, help="Answer from the asserted facts only (no RDFS/OWL RL entailments).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    envvar="HETAO_KG_TIMEOUT",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop a query after this many seconds (0: no limit).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    envvar="HETAO_KG_MAX_ROWS",
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    help="Cut answers longer than this and say so (0: no limit).",
)
@click.option(
    "--store",
    "store",
    envvar="HETAO_KG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    metavar="oxigraph|memory|DIR",
    help="Where queries run: the embedded Oxigraph store in the user cache, rdflib in memory, or an Oxigraph store in DIR.",
)
@click.option(
    "--endpoint",
    envvar="HETAO_KG_ENDPOINT",
    metavar="URL",
    help="Query this SPARQL 1.1 endpoint instead (loaded with `hetao-kg load --endpoint URL`).",
)
@click.version_option(package_name="hetao-kg")
@click.pass_context
def main(ctx: click.Context, data_root: Path | None, no_inference: bool, timeout: float, max_rows: int, store: str,
         endpoint: str | None) -> None:
    """hetao-kg: the knowledge graph of the Hetao Shenzhen-Hong Kong Science and
    Technology Innovation Cooperation Zone (Shenzhen Park)."""
    from .store.diagnose import quiet_literal_warnings

    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    quiet_literal_warnings()
    import warnings

    warnings.showwarning = _show_warning
    ctx.obj = {"root": data_root, "inference": not no_inference, "timeout": timeout, "max_rows": max_rows,
               "store": store, "endpoint": endpoint}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"hetao-kg: warning: {message}", err=True)


# --- source ------------------------------------------------------------------


@main.group()
def source() -> None:
    """Normalize the garbled source text and locate quotes in it."""


@source.command("normalize")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--corrections", type=click.Path(path_type=Path), help="Correction table (JSON); default: the one sources.json names for FILE.")
@click.option("--sentences", is_flag=True, help="Print numbered sentences with offsets instead of the text.")
@handle_errors
def source_normalize(file: Path, corrections: Path | None, sentences: bool) -> None:
    """Print FILE as clean Simplified Chinese; report unrecoverable spans on stderr.

    Exits 1 when a span is left unrepaired (no correction covers it).
    """
    from .source.normalize import load_corrections, normalize_file
    from .source.sources import registered_corrections

    table = load_corrections(corrections) if corrections else registered_corrections(file)
    result = normalize_file(file, corrections=table)
    if sentences:
        for s in result.sentences:
            click.echo(f"{s.id}\t{s.start}\t{s.end}\t{s.text}")
    else:
        click.echo(result.text)
    for problem in result.problems:
        click.echo(f"{file}:{problem.describe()}", err=True)
    click.echo(
        f"{len(result.problems)} problem(s), {len(result.unresolved)} unresolved", err=True
    )
    if result.unresolved:
        sys.exit(1)


@source.command("locate")
@click.argument("quote")
@click.option("--doc", default="hetao-progress-report", show_default=True, help="Source document id.")
@click.pass_context
@handle_errors
def source_locate(ctx: click.Context, quote: str, doc: str) -> None:
    """Print the offsets and sentence of QUOTE in a source's normalized text."""
    from .source.sources import locate

    root = ctx.obj["root"]
    hits = locate(quote, doc_id=doc, folder=root / "graph_data" / "sources" if root else None)
    if not hits:
        _fail(f"quote not found in {doc}: {quote!r}")
    for start, end, sid in hits:
        click.echo(f"{sid}\toa:start {start} ; oa:end {end}")


# --- ingest, review (the curation assistant: hetao_kg/ingest/) -------------------

from .cli_ingest import ingest as _ingest, review as _review  # noqa: E402

main.add_command(_ingest)
main.add_command(_review)


# --- validate, stats, export ----------------------------------------------------


@main.command()
@click.option(
    "--check",
    "checks",
    multiple=True,
    type=click.Choice(["shacl", "owlrl", "hermit", "sparql"]),
    help="Run only these checks (repeatable); default: all.",
)
@click.pass_context
@handle_errors
def validate(ctx: click.Context, checks: tuple[str, ...]) -> None:
    """Validate: SHACL, OWL RL closure, HermiT, and the *-violation.rq checks.

    Exit 0 when clean, 1 on violations (each printed as file: node: message), 2 on
    unusable input.
    """
    from .data.validate import CHECKS
    from .data.validate import validate as run

    report = run(ctx.obj["root"], checks=checks or CHECKS)
    for v in report.violations:
        click.echo(str(v))
    click.echo(
        f"{len(report.violations)} violation(s); checks run: {', '.join(report.ran)}",
        err=True,
    )
    sys.exit(0 if report.ok else 1)


@main.command()
@click.pass_context
@handle_errors
def stats(ctx: click.Context) -> None:
    """Counts per class, facts per kind of evidence, sources and sentence coverage."""
    from .query.stats import format_statistics, statistics

    # the asserted facts alone (no entailments), through the store so answers are cached
    kg = open_graph(ctx.obj["root"], store=ctx.obj["store"], endpoint=ctx.obj["endpoint"], inference=False)
    click.echo(format_statistics(statistics(store=kg.store)))


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "trig", "nquads", "jsonld", "ntriples"]),
    default="trig",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.pass_context
@handle_errors
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export the whole graph (ontology, facts, provenance) as RDF."""
    from .data.export import serialize, write
    from .data.graph import load

    text = serialize(load(ctx.obj["root"], inference=ctx.obj["inference"]), format=fmt)
    if output:
        write(output, text)
        click.echo(f"wrote {output} ({fmt})", err=True)
    else:
        click.echo(text, nl=False)


# --- querying -------------------------------------------------------------------

_format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)
_lang_option = click.option(
    "--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of labels."
)
_stated_option = click.option(
    "--stated-only",
    is_flag=True,
    help="Leave out the curators' inferences: only facts the report or a cited external source states.",
)


_as_of_option = click.option(
    "--as-of", "as_of", metavar="DATE", default=None,
    help="Only what sources out by DATE (YYYY, YYYY-MM or YYYY-MM-DD) said; facts from later sources are left out.",
)


def _known_by(kg: KnowledgeGraph, as_of: str | None) -> KnowledgeGraph:
    """``kg`` as known at ``as_of`` (if given); says on stderr what was left out."""
    if not as_of:
        return kg
    from .data.as_of import BadDate

    try:
        known = kg.as_of(as_of)
    except BadDate as exc:
        _fail(str(exc))
    click.echo(str(known.as_of_note), err=True)
    return known


_endpoint_option = click.option("--endpoint", metavar="URL", default=None,
                                help="A SPARQL 1.1 endpoint (same as the group option --endpoint).")


def _kg(ctx: click.Context) -> KnowledgeGraph:
    from .store.backends import open_store

    try:
        store = open_store(ctx.obj["store"], endpoint=ctx.obj["endpoint"], root=ctx.obj["root"],
                           inference=ctx.obj["inference"], timeout=ctx.obj["timeout"], max_rows=ctx.obj["max_rows"])
    except ValueError as exc:  # e.g. HETAO_KG_MAX_MEMORY is not a number
        _fail(str(exc))
    return open_graph(ctx.obj["root"], store=store, inference=ctx.obj["inference"])


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier() or not key.isascii():
            _fail(f"--param takes NAME=VALUE (NAME a variable name), got {item!r}")
        out[key] = _utf8(value, "--param " + key)
    return out


def _utf8(text: str, what: str) -> str:
    """Command-line text; bytes that are not UTF-8 (surrogate-escaped by Python) are an error."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        offset = len(text[: exc.start].encode("utf-8", "surrogateescape"))
        _fail(f"{what} is not valid UTF-8 (byte offset {offset})")
    return text


def _read_query_file(path: Path) -> str:
    if path.is_dir():
        _fail(f"{path}: is a folder, not a query file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(f"{path}: file not found")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        _fail(f"{path}:{line}: not UTF-8 (byte offset {exc.start})")


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="Read the query from FILE (- for stdin).")
@click.option("--named", "name", help="Run a named query (see `hetao-kg queries`).")
@click.option("--param", "params", multiple=True,
              help="Bind a variable: NAME=VALUE (an IRI as <…>, a compact name such as inst:hku, or any entity name).")
@click.option("--iris", is_flag=True, help="Show IRIs instead of labels.")
@_format_option
@click.option("--lang", type=click.Choice(LANGS), default=None,
              help="Language of labels [default: en; the sparql-* formats keep IRIs unless --lang is given].")
@_stated_option
@_endpoint_option
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="Query with this graph of the dataset as (part of) the default graph, as the protocol's "
                   "default-graph-uri does (replaces FROM in the query); repeatable.")
@click.option("--named-graph", "named_graphs", multiple=True, metavar="IRI",
              help="Query with this graph of the dataset as a named graph (named-graph-uri); repeatable.")
@_as_of_option
@click.pass_context
@handle_errors
def query(ctx, sparql, file, name, params, iris, fmt, lang, stated_only, endpoint, default_graphs, named_graphs, as_of):
    """Run SPARQL given as text, @FILE or -f FILE, or - (stdin); or a named query.

    Queries are read-only: updates and SERVICE are refused; FROM, FROM NAMED and
    --default-graph / --named-graph select graphs of the dataset (never fetched).
    """
    if endpoint:
        ctx.obj["endpoint"] = endpoint
    bindings = _parse_params(params)
    if sum(x is not None for x in (sparql, file, name)) > 1:
        _fail("give one of SPARQL, -f FILE or --named NAME")
    if sparql is not None and sparql.startswith("@") and len(sparql) > 1:
        file = Path(sparql[1:])
    elif sparql is not None and sparql != "-" and "\n" not in sparql and len(sparql) < 4096 and (
        Path(sparql).suffix in (".rq", ".sparql") and not sparql.lstrip().upper().startswith(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE"))
    ):
        file = Path(sparql)  # kept for `hetao-kg query my-question.rq`
    if sparql == "-" or str(file) == "-":
        text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        text = _utf8(text, "the query on stdin")
    elif file is not None:
        text = _read_query_file(file)
    elif sparql is not None:
        text = _utf8(sparql, "the query")
    elif not name:
        _fail("give SPARQL text, @FILE, -f FILE, - for stdin, or --named NAME")
    if lang is None:
        lang = None if fmt.startswith("sparql-") else "en"
    kg = _known_by(_kg(ctx), as_of)
    labels = None if iris else lang
    if name:
        answer = kg.named(name, lang=labels, stated_only=stated_only, **bindings)
    else:
        answer = kg.run(text, lang=labels, stated_only=stated_only, default_graphs=default_graphs,
                        named_graphs=named_graphs, **bindings)
    if isinstance(answer, bool):
        if fmt.startswith("sparql-"):
            from .query.results import sparql_results

            _echo(sparql_results(answer, fmt[7:]).decode("utf-8"), nl=False)
        else:
            click.echo("true" if answer else "false")
    else:
        text = answer.format(fmt)
        _echo(text, nl=not text.endswith("\n"))
        if answer.truncated:
            _fail(
                f"the answer was cut at {len(answer)} rows (the row limit); "
                "add LIMIT to the query or raise --max-rows / HETAO_KG_MAX_ROWS"
            )


@main.command()
@click.option("--lang", type=click.Choice(["en", "zh-Hans"]), default="en", show_default=True)
def queries(lang):
    """List the named queries with their summaries."""
    for q in named_queries().values():
        click.echo(f"{q.name}")
        click.echo(f"    {q.summary if lang == 'en' else q.summary_zh}")
        if q.params != "(none)":
            click.echo(f"    params: {q.params}")


@main.command()
@click.argument("text")
@click.option("--limit", default=10, show_default=True)
@_format_option
@_lang_option
@click.pass_context
@handle_errors
def search(ctx, text, limit, fmt, lang):
    """Find entities by any name: Chinese (either script), English, pinyin, abbreviations."""
    from rdflib import Literal, URIRef

    from .query.results import QueryResult

    hits = _kg(ctx).search(text, lang=lang, limit=limit)
    if not hits:
        click.echo(f"no match for {text!r}", err=True)
        sys.exit(1)
    rows = [
        {"label": Literal(h.label), "matched": Literal(h.matched), "score": Literal(round(h.score)),
         "kind": Literal(h.kind), "iri": URIRef(h.iri)}
        for h in hits
    ]
    _echo(QueryResult(("label", "matched", "score", "kind", "iri"), rows).format(fmt))


@main.command()
@click.argument("entity")
@_format_option
@_lang_option
@_stated_option
@_as_of_option
@click.pass_context
@handle_errors
def show(ctx, entity, fmt, lang, stated_only, as_of):
    """Everything about ENTITY (IRI, kg:… name or any label), each fact with its quote.

    Facts the curators inferred (not stated word for word) say so in the
    ``inferred`` column and give their reason; in a table they are also listed below.
    """
    kg = _known_by(_kg(ctx), as_of)
    iri = kg.resolve(entity)
    facts = kg.describe(iri, lang=lang, stated_only=stated_only)
    if fmt == "table":
        _echo(f"{kg.label(iri, lang)}  <{iri}>")
    _echo(facts.format(fmt))
    if fmt == "table":
        inferred = [r for r in facts.records() if r.get("inferred")]
        if inferred:
            click.echo(f"\n{len(inferred)} fact(s) inferred by the curators, not stated by the source:")
            for r in inferred:
                arrow = "->" if r["direction"] == "out" else "<-"
                _echo(f"  * {r['property']} {arrow} {r['value']}: {r['reason']}")


@main.command()
@click.argument("entity")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Only what sources out by DATE (YYYY, YYYY-MM or YYYY-MM-DD) said, and the status then.")
@_format_option
@_lang_option
@click.pass_context
@handle_errors
def timeline(ctx, entity, as_of, fmt, lang):
    """ENTITY's dated statuses, events and figures, oldest first, each with its source,
    the source's kind and date; an undated source says so ("date not known; ...").

    The table shows each item once, its participants and sources joined; CSV and JSON
    give a row per source with the assertion to cite."""
    from .query.timeline import BadDate, folded, status_as_of, timeline as entity_timeline, undated_note

    kg = _kg(ctx)
    iri = kg.resolve(entity)
    try:
        rows = entity_timeline(kg, iri, lang=lang, as_of=as_of)
    except BadDate as exc:
        _fail(str(exc))
    if fmt == "table":
        _echo(f"{kg.label(iri, lang)}  <{iri}>")
    _echo((folded(rows) if fmt == "table" else rows).format(fmt))
    if fmt == "table":
        notes = sorted({undated_note(str(r["source_date"])) for r in rows.records()} - {""})
        for note in notes:
            _echo(f"  * {note}")
        if as_of:
            _echo(status_as_of(kg, iri, as_of, lang=lang)[1])


@main.command()
@click.option("--since", required=True, metavar="DATE|report",
              help="Start: a date (YYYY, YYYY-MM, YYYY-MM-DD) or `report` (the latest day the report can date from).")
@click.option("--until", default="9999", show_default=True, metavar="DATE", help="End date (inclusive).")
@_format_option
@_lang_option
@click.pass_context
@handle_errors
def changes(ctx, since, until, fmt, lang):
    """What changed between two dates: new entities, dated events, statuses and figures,
    each with its source; a date known only within an interval is marked not certain."""
    from .query.timeline import BadDate, changes as changed

    kg = _kg(ctx)
    try:
        rows = changed(kg, since, until, lang=lang)
    except BadDate as exc:
        _fail(str(exc))
    _echo(rows.format(fmt))


@main.command()
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["text", "bibtex", "csl-json"]), default="text",
              show_default=True, help="Plain text, BibTeX entries, or CSL-JSON (Zotero, pandoc).")
@_stated_option
@click.pass_context
@handle_errors
def cite(ctx, target, fmt, stated_only):
    """Citations to paste for TARGET: an assertion (kg:assertion/…) or an entity (any
    name), each with the report's title, series, paragraph, sentence and quote, or the
    public URL of an external fact."""
    from .query.cite import citations, format_citations

    found = citations(_kg(ctx), target, stated_only=stated_only)
    if not found:
        _fail(f"nothing quoted to cite for {target!r}", 1)
    _echo(format_citations(found, format=fmt))


@main.command()
@click.argument("a")
@click.argument("b")
@_lang_option
@click.option("--stated-only", is_flag=True, help="Walk only links a source states (leave out the curators' inferences).")
@click.pass_context
@handle_errors
def path(ctx, a, b, lang, stated_only):
    """A shortest chain of links from A to B, each with the quote behind it."""
    kg = _kg(ctx)
    steps = kg.path(a, b, lang=lang, stated_only=stated_only)
    if not steps:
        click.echo(f"no path between {a!r} and {b!r}", err=True)
        sys.exit(1)
    for step in steps:  # in walk order, from A to B; the arrow shows which way each link points
        if step.forward:
            _echo(f"{step.source_label} --[{step.property_label}]--> {step.target_label}")
        else:
            _echo(f"{step.source_label} <--[{step.property_label}]-- {step.target_label}")
        if step.quote:
            _echo(f"    “{step.quote}”")
        if step.inferred:
            _echo(f"    (inferred by the curators: {step.inferred})")


# --- views and networks ------------------------------------------------------------


@main.command()
@click.argument("view")
@click.argument("entities", nargs=-1)
@click.option("--depth", default=1, show_default=True, help="Links away from ENTITY (ego view).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="HTML file to write.")
@click.option("--base-url", default="", metavar="URL",
              help="Where `hetao-kg serve` answers (e.g. http://127.0.0.1:8000): nodes, links and quotes then open its pages.")
@_lang_option
@_as_of_option
@click.pass_context
@handle_errors
def render(ctx, view, entities, depth, output, base_url, lang, as_of):
    """Render a network VIEW as a self-contained, offline HTML page.

    Views: hk-universities, sectors, policies, construction, services,
    ego ENTITY [--depth N], path A B, full.
    """
    from .network.views import render as render_view

    try:
        page = render_view(view, *entities, kg=_known_by(_kg(ctx), as_of), lang=lang, depth=depth, base_url=base_url)
    except ValueError as exc:
        _fail(str(exc))
    page.save(output)
    counts = page.counts  # the page header's own figures
    click.echo(f"wrote {output}: {counts['nodes']} nodes, {counts['links']} links ({counts['inferred']} inferred)", err=True)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .graphml, .gexf, or .csv (writes NAME-nodes.csv and NAME-edges.csv).")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv"]), help="Default: from the file suffix.")
@click.option("--centrality", "show_centrality", is_flag=True,
              help="Write degree and betweenness centrality as node attributes (GraphML, GEXF, CSV columns) "
                   "and print the most central entities.")
@_lang_option
@click.pass_context
@handle_errors
def network(ctx, output, fmt, show_centrality, lang):
    """Export the entity network for Gephi, yEd or spreadsheets."""
    from .network.projection import add_centrality, export, project

    g = project(_kg(ctx), lang=lang)
    rows = add_centrality(g) if show_centrality else []
    try:
        written = export(g, output, format=fmt)
    except ValueError as exc:
        _fail(str(exc))
    for path in written:
        click.echo(f"wrote {path}", err=True)
    if show_centrality:
        for row in rows[:10]:
            click.echo(f"{row['betweenness']:.3f}  {row['degree']:>3}  {row['label']}")


# --- load ------------------------------------------------------------------------------


@main.command("load")
@click.option("--graph-store", metavar="URL",
              help="Graph Store Protocol URL taking N-Quads (default: the endpoint's /query replaced by /store, as on Oxigraph).")
@click.option("--virtuoso-isql", metavar="HOST:PORT", help="Load Virtuoso with its bulk loader over isql-vt instead.")
@click.option("--isql-user", default="dba", show_default=True, help="Virtuoso user for --virtuoso-isql.")
@click.option("--load-dir", type=click.Path(file_okay=False, path_type=Path),
              help="With --virtuoso-isql: a folder Virtuoso may read (its DirsAllowed) to write the N-Quads into.")
@click.option("--append", is_flag=True, help="Add to what the endpoint holds instead of replacing hetao-kg's data.")
@_endpoint_option
@click.pass_context
@handle_errors
def load_command(ctx, graph_store, virtuoso_isql, isql_user, load_dir, append, endpoint):
    """Push the whole dataset, with its named graphs, to the SPARQL endpoint given by --endpoint.

    The isql password comes from HETAO_KG_ISQL_PASSWORD (default: dba).
    """
    from .store.sparql import load_endpoint

    endpoint = endpoint or ctx.obj["endpoint"]
    if not endpoint:
        _fail("give the endpoint to load: hetao-kg load --endpoint URL")
    store = ctx.obj["store"]
    try:
        n = load_endpoint(endpoint, graph_store=graph_store, virtuoso_isql=virtuoso_isql, isql_user=isql_user,
                          load_dir=load_dir, replace=not append, root=ctx.obj["root"], inference=ctx.obj["inference"],
                          store_dir=None if store in ("oxigraph", "memory") else store)
    except ValueError as exc:
        _fail(str(exc))
    click.echo(f"loaded {n} quads into {endpoint}", err=True)


# --- serving -------------------------------------------------------------------------


_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless told otherwise).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--store", "store_name", default=None,
              help="Store to serve from: oxigraph (default, as for every command), memory or a directory.")
@click.option("--cors", default=None, metavar="ORIGIN", help="Allow cross-origin requests from ORIGIN (off by default).")
@click.option("--mount-prefix", default="", metavar="PATH", help="Path the server lives under behind a reverse proxy, e.g. /hetao-kg.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 600), help="Seconds per SPARQL query.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1), help="Rows per answer.")
@click.option("--max-query-bytes", default=65_536, show_default=True, type=click.IntRange(64), help="Largest query accepted.")
@click.option("--workers", "pool", default=2, show_default=True, type=click.IntRange(1, 16), help="Query worker processes.")
@click.option("--queue", default=None, type=click.IntRange(0), help="Queries that may wait for a worker; more get 503 "
              "with Retry-After at once (default: 4 per worker).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host is NAME (the name a reverse proxy or DNS gives the server; "
                   "repeatable). Other names are refused: a DNS-rebinding page cannot reach the server.")
@click.option("--client-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 600),
              help="Seconds a client has to send one whole request (head and body); slower ones are closed.")
@click.option("--max-connections", default=512, show_default=True, type=click.IntRange(8),
              help="Open connections or requests at once; beyond it the connections that have been sending "
                   "their request the longest are closed first, and requests get 503 only when all are busy.")
@click.option("--review", "review_doc", metavar="DOC", help="Serve only the review page of the ingested report DOC "
              "(loopback only; see `hetao-kg review`).")
@click.option("--review-dir", type=click.Path(file_okay=False, path_type=Path), envvar="HETAO_KG_REVIEW",
              default="review", show_default=True, help="With --review: the folder of drafts.")
@click.option("--curator", envvar="HETAO_KG_CURATOR", help="With --review: your name, recorded as PROV.")
@click.pass_context
@handle_errors
def serve(ctx, host, port, store_name, cors, mount_prefix, timeout, max_rows, max_query_bytes, pool, queue, allow_hosts,
          client_timeout, max_connections, review_doc, review_dir, curator):
    """Serve the read-only SPARQL endpoint (/sparql) and the explorer on one port.

    Pages: / (overview, search, named queries), /id/... (entities, also as RDF by
    Accept), /source/... (the report), /query (editor), /views/NAME, /ontology.
    """
    import logging
    import signal

    import uvicorn

    from .web import create_app

    if review_doc:
        from .cli_ingest import serve_review

        return serve_review(ctx, host=host, port=port, doc=review_doc, review_dir=review_dir, curator=curator,
                            loopback=_LOOPBACK)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if host not in _LOOPBACK:
        click.echo(f"hetao-kg: warning: binding to {host}, not loopback: the server is reachable from other "
                   "machines (it is read-only, but put a reverse proxy with TLS in front)", err=True)
    # the command's --store, else the group's (given, from HETAO_KG_STORE, or its default)
    store = store_name or (ctx.obj or {}).get("store") or DEFAULT_STORE
    try:
        app = create_app(root=(ctx.obj or {}).get("root"), store=store, cors=cors, mount_prefix=mount_prefix,
                         timeout=timeout, max_rows=max_rows, max_query_bytes=max_query_bytes, pool=pool, queue=queue,
                         host=host, allow_hosts=allow_hosts, inference=(ctx.obj or {}).get("inference", True))
    except ValueError as exc:
        _fail(str(exc))
    prefix = "/" + mount_prefix.strip("/") if mount_prefix.strip("/") else ""
    click.echo(f"hetao-kg: serving http://{host}:{port}{prefix}/ (SPARQL at {prefix}/sparql); Ctrl-C stops", err=True)
    # uvicorn drains open requests on SIGTERM, then re-raises the signal to the handler
    # that was in place before it: make that one a clean exit (status 0).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    from .web.edge import TimedH11Protocol

    TimedH11Protocol.client_timeout = client_timeout  # a fresh class per import of the attribute
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info", timeout_graceful_shutdown=30,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1", http=TimedH11Protocol,
                limit_concurrency=max_connections, timeout_keep_alive=5)


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write.")
@click.pass_context
@handle_errors
def docs(ctx, output):
    """Write the ontology documentation (as /ontology serves it) as static files."""
    from .web import write_docs

    for path in write_docs(output, root=(ctx.obj or {}).get("root")):
        click.echo(f"wrote {path}", err=True)


# --- cache -------------------------------------------------------------------------------


@main.group()
def cache() -> None:
    """Show or empty the on-disk cache (built graph, answers)."""


@cache.command("info")
@handle_errors
def cache_info() -> None:
    """Where the cache is, what it holds and its size bound, and the embedded store."""
    from .cache import cache_info as info
    from .store.oxigraph import database_info

    click.echo(str(info()))
    for db in database_info():
        click.echo(f"embedded store: {db['path']}  {db['quads']} quads, {db['bytes'] / 2**20:.2f} MB"
                   f"{', in use' if db['in_use'] else ''}{', unfinished' if not db['finished'] else ''}")


@cache.command("clear")
@handle_errors
def cache_clear() -> None:
    """Remove every cache entry (it is rebuilt when needed)."""
    from .cache import cache_dir, clear_cache
    from .store.oxigraph import remove_databases

    n = clear_cache()
    # the embedded store's default place (hetao_kg.store.backends); a database that a running
    # process (a server) has open is kept: removing it would break that process
    removed, kept = remove_databases(cache_dir() / "oxigraph")
    n += removed
    click.echo(f"removed {n} entr{'y' if n == 1 else 'ies'} from {cache_dir()}", err=True)
    for db in kept:
        click.echo(f"kept {db}: a running process (hetao-kg serve, a notebook) has it open; stop it and clear again",
                   err=True)


# What is imported by now (rdflib, click, this package) lives as long as the process: it is
# moved out of the cyclic collector's sight, so that no collection during a command and
# not the one at exit walks those objects again. 20-25 ms less CPU for every command
# (about half of it the collection at exit of rdflib's own objects; issue 22).
gc.freeze()

if __name__ == "__main__":  # pragma: no cover
    main()
