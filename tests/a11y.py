"""axe-core (vendored from npm, see tests/vendor/axe-core/VENDOR.md) run in a Playwright page:
the violations of the impacts that block users (critical, serious), each with the rule and the
first few elements it names. The page's context needs ``bypass_csp`` (the pages' CSP forbids
any script they do not list)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["AXE", "violations"]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def violations(page, *, impacts: tuple[str, ...] = ("critical", "serious")) -> list[str]:
    """``rule (impact): targets`` for each violation of ``impacts`` on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 4).map(n => n.target.join(' ')) }));
    }""")
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}" for v in found if v["impact"] in impacts]
