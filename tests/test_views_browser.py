"""Every view in a real headless Chromium, offline: it loads from file:// with all
network requests blocked and none attempted, holds the expected nodes and edges,
logs no console error, shows the quote in its tooltip, and runs no injected label."""

from __future__ import annotations

import os

import pytest

from hetao_kg.api import open_graph
from hetao_kg.browser import chromium_path, offline_browser
from hetao_kg.network import project
from hetao_kg.views import VIEWS, render

# Outside CI a machine without Chromium skips these (make test installs it); in CI a
# missing browser must fail, never pass as skipped.
pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"), reason="needs Debian chromium (make sysdeps installs it)"
)

KG = "https://w3id.org/hetao-kg/id/"
XSS = '<img src=x onerror="window.__xss=1;alert(1)">'
# A node each view must hold, and whose tooltip must show this quote.
PROBES = {
    "hk-universities": ("org/hku", "香港大学基于人工智能的病原诊断与防治项目"),
    "sectors": ("org/siqa", "量子信息方面,深圳国际量子研究院等已落地"),
    "policies": ("policy/shenzhen-park-investment-financing-plan", "出台《深港科技创新合作区深圳园区投融资方案》"),
    "construction": ("project/passage-no-1-renovation", "一号通道改造项目正在研究确定规划方案和详细建设方案"),
    "services": ("org/e-station-service-centre", "“e站通”综合服务中心建成"),
    "ego": ("org/hku", "香港大学基于人工智能的病原诊断与防治项目"),
    "path": ("org/hkust", "The Hong Kong University of Science and Technology (HKUST)"),  # named by context-facts.md, not the report
    "full": ("org/idea", "粤港澳大湾区数字经济研究院"),
}


@pytest.fixture(scope="module")
def browser():
    with offline_browser() as handle:
        yield handle


@pytest.fixture(scope="module")
def kgapi():
    return open_graph()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(VIEWS))
def test_view_in_chromium(browser, kgapi, tmp_path, name):
    args = {"ego": ["HKU"], "path": ["HKU", "HKUST"]}.get(name, [])
    view = render(name, *args, kg=kgapi, network=project(kgapi))
    path = view.save(tmp_path / f"{name}.html")
    browser.requests.clear(), browser.errors.clear()
    browser.open(path)
    page = browser.page
    assert page.evaluate("window.hetaoNetwork.body.data.nodes.length") == len(view.nodes)
    assert page.evaluate("window.hetaoNetwork.body.data.edges.length") == len(view.edges)
    assert page.evaluate("document.querySelectorAll('#legend-items li').length") == len(view.legend)
    node, quote = PROBES[name]
    x, y = browser.node_point(KG + node)
    page.mouse.click(x, y)
    tip = page.locator("#tooltip")
    assert tip.is_visible()
    assert quote in tip.inner_text()
    assert browser.requests == [] and browser.errors == []


@pytest.mark.slow
def test_hover_shows_all_three_labels(browser, kgapi, tmp_path):
    path = render("sectors", kg=kgapi, lang="zh-Hans").save(tmp_path / "sectors.html")
    browser.open(path)
    x, y = browser.node_point(KG + "org/siqa")
    browser.page.mouse.move(x, y)
    browser.page.wait_for_selector("#tooltip:not([hidden])")
    text = browser.page.locator("#tooltip").inner_text()
    for label in ("深圳国际量子研究院", "深圳國際量子研究院", "Shenzhen International Quantum Academy", "落地"):
        assert label in text


@pytest.mark.slow
def test_injected_label_runs_nothing(browser, data_copy, tmp_path):
    names = data_copy / "graph_data" / "english-names.trig"
    names.write_text(
        names.read_text(encoding="utf-8").replace(
            '"Shenzhen International Quantum Academy"@en', '"' + XSS.replace('"', '\\"') + '"@en'),
        encoding="utf-8",
    )
    kg = open_graph(data_copy)
    for view in (render("sectors", kg=kg), render("ego", "kg:org/siqa", kg=kg)):
        path = view.save(tmp_path / f"{view.name}.html")
        browser.dialogs.clear(), browser.errors.clear()
        browser.open(path)
        x, y = browser.node_point(KG + "org/siqa")
        browser.page.mouse.click(x, y)
        page = browser.page
        assert XSS in page.locator("#tooltip").inner_text()  # shown as text
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert page.evaluate("window.__xss === undefined")
        assert browser.dialogs == [] and browser.errors == [] and browser.requests == []
    assert XSS in browser.page.title()  # the ego title holds the label, as text
