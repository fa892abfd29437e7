"""axe-core in the browser tests: `assert_accessible(page, name)` scans what the page shows now
and fails on any critical or serious violation, printing every violation with its nodes.

Moderate and minor findings are printed but do not fail a test: they are worth reading, and
some (`region` on a dialog portal) are axe's best-practice advice rather than WCAG failures.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

FAILING_IMPACTS = frozenset({"critical", "serious"})
_AXE = Axe()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations for the page as it is now (hover and focus included)."""
    return list(_AXE.run(page).response["violations"])


def describe(violation: dict[str, Any]) -> str:
    """One violation and each of its nodes: the selector and axe's summary of what is wrong."""
    lines = [
        f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
    ]
    for node in violation["nodes"]:
        lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
        summary = node.get("failureSummary") or ""
        lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


def serious_violations(page: Page, name: str) -> list[str]:
    """The critical and serious violations on `page`, described; every finding is printed, so
    `pytest -s` shows the moderate ones too. For a test that scans many pages and reports all
    of them at the end."""
    found = violations(page)
    for violation in found:
        print(f"axe on {name}: {describe(violation)}")
    return [f"{name}: {describe(v)}" for v in found if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page: Page, name: str) -> None:
    """Fail if axe finds a critical or serious violation on `page` (called `name`)."""
    failing = serious_violations(page, name)
    assert not failing, "axe found:\n" + "\n".join(failing)
