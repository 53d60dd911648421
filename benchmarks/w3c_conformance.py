"""SPARQL 1.1 conformance, measured by the W3C test suites (tests/w3c/), side by side
with the Oxigraph server as the reference, in one run.

    .venv/bin/python benchmarks/w3c_conformance.py [--json out.json]

Every test goes over HTTP to a real server started here on 127.0.0.1 (free port,
stopped by PID): `hetao-kg serve` on the default store (embedded Oxigraph) and on
`--store memory`, and `oxigraph serve` loaded with the same data graphs (hetao-kg's
serve also holds its own dataset). Rows of the table:

* protocol, query side: the query_* and bad_query* exchanges of protocol/manifest.ttl;
* syntax, positive: answered, or (hetao-kg) refused by a documented rule: SERVICE and
  FROM naming a graph the dataset does not hold (tests/test_w3c.py DEPARTURES);
* syntax, negative: rejected (a 4xx);
* result formats: json-res and csv-tsv-res give the expected document (the data graph
  chosen with default-graph-uri).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hetao_kg.paths import data_root  # noqa: E402
from hetao_kg.store.servers import start_oxigraph  # noqa: E402
from hetao_kg.web.launch import running_server  # noqa: E402
from tests.test_w3c import departure  # noqa: E402
from tests.w3c_suite import cases, make_data_root, result_format, same_results  # noqa: E402

ACCEPT = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}
FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"),
    "RDF": ("text/turtle", "application/rdf+xml", "application/n-triples"),
}


def _boolean(body: bytes, ctype: str) -> bool | None:
    try:
        if "json" in ctype:
            return json.loads(body)["boolean"]
        m = re.search(rb"<boolean>\s*(true|false)\s*</boolean>", body)
        return None if m is None else m.group(1) == b"true"
    except (ValueError, KeyError):
        return None


def protocol_ok(case, url: str) -> bool:
    for req in case.requests:
        path = req.path.replace("/sparql/", "", 1)
        try:
            r = httpx.request(req.method, url + path, content=req.body, headers=req.headers, timeout=150)
        except httpx.HTTPError:
            return False
        if f"{r.status_code // 100}xx" not in req.statuses:
            return False
        if r.status_code // 100 != 2:
            continue
        ctype = r.headers.get("content-type", "").split(";")[0]
        if req.result_format and ctype not in FORMATS[req.result_format]:
            return False
        if req.boolean is not None and _boolean(r.content, ctype) is not req.boolean:
            return False
    return True


class _NoAnswer:
    status_code, text, content = 0, "", b""


def post(url: str, text: str, *, accept: str, graphs=()):
    """POST the query; a server that does not answer in 150 s counts as a failure."""
    try:
        return httpx.post(url, params=[("default-graph-uri", g) for g in graphs], content=text.encode("utf-8"),
                          headers={"Content-Type": "application/sparql-query", "Accept": accept}, timeout=150)
    except httpx.HTTPError:
        return _NoAnswer()


def syntax_ok(case, url: str, *, hetao: bool) -> bool:
    r = post(url, case.text(), accept="application/sparql-results+json, text/turtle;q=0.5")
    if case.kind == "negative":
        return r.status_code // 100 == 4
    if r.status_code == 200:
        return departure(case) is None or not hetao  # hetao-kg must refuse SERVICE / fetching FROM
    return hetao and departure(case) is not None and r.status_code == 400 and "refused" in r.text


def result_ok(case, url: str) -> bool:
    fmt = result_format(case)
    r = post(url, case.text(), accept=ACCEPT[fmt], graphs=(case.data,))
    return r.status_code == 200 and same_results(r.content, case.result.read_bytes(), fmt)


def measure(url: str, *, hetao: bool) -> dict[str, tuple[int, int]]:
    rows: dict[str, list[bool]] = {"protocol": [], "positive": [], "negative": [], "results": []}
    for case in cases():
        if case.kind == "protocol" and case.query_side:
            rows["protocol"].append(protocol_ok(case, url))
        elif case.kind in ("positive", "negative"):
            rows[case.kind].append(syntax_ok(case, url, hetao=hetao))
        elif case.kind == "result":
            rows["results"].append(result_ok(case, url))
    return {k: (sum(v), len(v)) for k, v in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    columns = {}
    with tempfile.TemporaryDirectory(prefix="w3c-conformance-") as tmp:
        root = make_data_root(Path(tmp) / "root", data_root())
        for store in ("oxigraph", "memory"):
            with running_server("--store", store, "--timeout", "60", data_root=root) as server:
                columns[f"hetao-kg, {'default' if store == 'oxigraph' else 'memory'} store"] = measure(
                    server.url + "/sparql", hetao=True)
        reference = start_oxigraph(Path(tmp) / "oxigraph")
        try:
            trig = (root / "graph_data" / "w3c-suites.trig").read_bytes()
            httpx.post(reference.extra["store"], content=trig, headers={"Content-Type": "application/trig"},
                       timeout=60).raise_for_status()
            columns[f"Oxigraph server ({reference.version})"] = measure(reference.url, hetao=False)
        finally:
            reference.stop()
    labels = {
        "protocol": "protocol, query side ({n})",
        "positive": "syntax, positive ({n}), answered or refused by the documented rule",
        "negative": "syntax, negative ({n}), rejected",
        "results": "result formats json-res + csv-tsv-res ({n})",
    }
    names = list(columns)
    print("| suite | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key, label in labels.items():
        n = next(iter(columns.values()))[key][1]
        print(f"| {label.format(n=n)} | " + " | ".join(str(columns[c][key][0]) for c in names) + " |")
    if args.json:
        args.json.write_text(json.dumps(columns, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
