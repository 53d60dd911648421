#!/usr/bin/env python3
"""Print a pip constraints file pinning every dependency of pyproject.toml (runtime
and the `test` extra) to its lower bound, so `pip install -c FILE -e '.[test]'`
installs the oldest versions hetao-kg claims to support (pip has no
"lowest" resolution of its own). Used by `make test-lowest`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def requirements(text: str) -> list[str]:
    if tomllib is not None:
        project = tomllib.loads(text)["project"]
        return [*project["dependencies"], *project.get("optional-dependencies", {}).get("test", [])]
    block = re.search(r"(?ms)^dependencies = \[(.*?)^\]", text).group(1)
    test = re.search(r"(?ms)^test = \[(.*?)^\]", text).group(1)
    return re.findall(r'"([^"]+)"', block + test)


def main() -> int:
    for req in requirements(PYPROJECT.read_text(encoding="utf-8")):
        name, spec = REQUIREMENT.match(req).groups()
        lower = re.search(r">=\s*([^,;\s]+)", spec)
        if not lower:
            print(f"{PYPROJECT}: {req!r} has no lower bound (>=)", file=sys.stderr)
            return 2
        print(f"{name}=={lower.group(1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
