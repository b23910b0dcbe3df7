"""What every page a journey visits must pass: axe-core, reflow at 320 px; and its pictures.

axe-core is the npm package (tests/e2e/node, installed with `npm ci --prefix tests/e2e/node`),
injected into the page; the pages' CSP forbids that, so journeys open their contexts with
`bypass_csp=True` (the CSP itself is checked by test_browser.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import service_missing

AXE = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
REFLOW_WIDTH = 320  # WCAG 1.4.10: 1280 CSS px at 400 % zoom
BLOCKING_IMPACTS = {"serious", "critical"}
# `make screenshots` sets this to docs/screenshots; otherwise no pictures are written.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")
# The pages README shows (docs/screenshots/<name>-<phone|desk>.png); kept few, the PNGs are committed.
PICTURES = {"article-form", "thanks", "questionnaire", "urgent", "inbox", "lead", "stats", "login"}
_shot: set[str] = set()  # one picture per page and width, whichever journey gets there first


def require_axe() -> None:
    if not AXE.exists():
        service_missing(f"axe-core ({AXE}; npm ci --prefix tests/e2e/node)")


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per node."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')}"
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
        for node in v["nodes"]
    ]


# The outermost elements reaching past the viewport's right edge: where a reflow fix belongs.
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 0.5);
  return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5).map(e =>
    e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined
      ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
}"""


def overflow_at(page, width: int = REFLOW_WIDTH) -> tuple[int, int, list[str]]:
    """(scrollWidth, clientWidth, the widest elements) at a viewport `width` px wide; the size is restored."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"]})
    try:
        scroll_width, client_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        culprits = page.evaluate(WIDE_ELEMENTS) if scroll_width > client_width else []
        return scroll_width, client_width, culprits
    finally:
        page.set_viewport_size(before)


def shoot(page, name: str) -> None:
    """Save the visible part of the page at phone and desk widths (only under `make screenshots`).

    The focused element, if any, is scrolled to the top: focus it to choose what the picture shows."""
    if not SCREENSHOT_DIR or name not in PICTURES or name in _shot:
        return
    _shot.add(name)
    folder = Path(SCREENSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    try:
        for label, size in (("phone", PHONE), ("desk", DESK)):
            page.set_viewport_size(size)
            # Resizing loses the scroll position: bring back what the journey was looking at.
            page.evaluate(
                "() => { const e = document.activeElement;"
                " if (e && e !== document.body) (e.closest('aside') || e).scrollIntoView({block: 'start', behavior: 'instant'}); }"
            )
            page.screenshot(path=str(folder / f"{name}-{label}.png"), animations="disabled", caret="hide")
    finally:
        page.set_viewport_size(before)
