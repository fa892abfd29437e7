"""`learning-app audit`: known vulnerabilities in the installed Python packages."""

from __future__ import annotations

import argparse
import json

from learning_app.cli.support import CliError


def cmd_audit(args: argparse.Namespace) -> int:
    from learning_app.dependency_audit import PYPI_JSON_URL, audit, installed_packages

    packages = installed_packages()
    results = audit(packages, args.pypi_url or PYPI_JSON_URL)
    checked = [r for r in results if r.checked]
    vulnerable = [r for r in checked if r.advisories]
    unchecked = [r for r in results if not r.checked]
    if not checked:
        reason = unchecked[0].note if unchecked else "no installed packages were found"
        raise CliError(f"no package could be checked: {reason}")
    print(f"checked {len(checked)} of {len(results)} installed packages against PyPI's advisories")
    for result in vulnerable:
        for advisory in result.advisories:
            fixed = ", ".join(advisory.fixed_in) or "no fix yet"
            print(f"  VULNERABLE {result.name} {result.version}: {advisory.id} (fixed in {fixed})")
    if not vulnerable:
        print("  no known vulnerabilities")
    if unchecked:
        print(f"not checked ({len(unchecked)}):")
        for result in unchecked:
            print(f"  {result.name} {result.version}: {result.note}")
    summary = {
        "audit": "dependencies",
        "installed": len(results),
        "checked": len(checked),
        "vulnerable": len(vulnerable),
        "unchecked": len(unchecked),
    }
    print(json.dumps(summary))
    return 1 if vulnerable else 0


def add_audit_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit_cmd = sub.add_parser(
        "audit", help="check the installed Python packages for known vulnerabilities (PyPI)"
    )
    audit_cmd.add_argument("--pypi-url", help="PyPI's JSON API (default: https://pypi.org/pypi)")
    audit_cmd.set_defaults(func=cmd_audit)
