"""Known vulnerabilities in the installed Python packages, from PyPI's advisory data: the
source pip-audit reads by default, which PyPI fills from the PyPA advisory database (OSV).

For each installed release we read PyPI's page for that release. Where a network serves only
project pages (these machines: per-release pages answer 404), a release that is the project's
latest is still checked, from the project page, which lists the advisories open against the
latest release; an older release is reported as not checked, never as clean.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import distributions
from typing import Any

import httpx

PYPI_JSON_URL = "https://pypi.org/pypi"
APP_DISTRIBUTION = "learning-app"
TIMEOUT_S = 20.0
PARALLEL_REQUESTS = 8


@dataclass(frozen=True)
class Advisory:
    id: str
    fixed_in: list[str]
    link: str


@dataclass(frozen=True)
class PackageAudit:
    name: str
    version: str
    checked: bool
    advisories: list[Advisory] = field(default_factory=list)
    note: str = ""  # why it was not checked


def canonical(name: str) -> str:
    """PEP 503's normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_packages() -> dict[str, str]:
    """Every distribution installed next to this app (name -> version), the app excepted."""
    found = {canonical(d.metadata["Name"]): d.version for d in distributions()}
    found.pop(APP_DISTRIBUTION, None)
    return dict(sorted(found.items()))


def _page(client: httpx.Client, url: str) -> dict[str, Any] | None:
    """The JSON at `url`; None when PyPI has no such page."""
    answer = client.get(url)
    if answer.status_code == 404:
        return None
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def _advisories(page: dict[str, Any]) -> list[Advisory]:
    return [
        Advisory(
            id=str(v.get("id", "?")),
            fixed_in=[str(f) for f in v.get("fixed_in") or []],
            link=str(v.get("link", "")),
        )
        for v in page.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def audit_package(client: httpx.Client, base_url: str, name: str, version: str) -> PackageAudit:
    try:
        release = _page(client, f"{base_url}/{name}/{version}/json")
        if release is not None:
            return PackageAudit(name, version, True, _advisories(release))
        project = _page(client, f"{base_url}/{name}/json")
    except (httpx.HTTPError, ValueError) as exc:
        return PackageAudit(name, version, False, note=f"PyPI did not answer ({exc})")
    if project is None:
        return PackageAudit(name, version, False, note="PyPI does not know this project")
    latest = str(project.get("info", {}).get("version", ""))
    if latest == version:
        return PackageAudit(name, version, True, _advisories(project))
    return PackageAudit(
        name,
        version,
        False,
        note=f"not the latest release ({latest}), and PyPI's page for {version} is unreachable",
    )


def audit(packages: dict[str, str], base_url: str = PYPI_JSON_URL) -> list[PackageAudit]:
    """One result per package, in the order given."""
    with (
        httpx.Client(timeout=TIMEOUT_S, follow_redirects=True) as client,
        ThreadPoolExecutor(PARALLEL_REQUESTS) as pool,
    ):
        return list(
            pool.map(
                lambda item: audit_package(client, base_url.rstrip("/"), *item), packages.items()
            )
        )
