"""What `pip install .` ships: every package of the source tree is listed in pyproject.toml.

The editable install the tests run from finds every folder by itself; a plain install
ships only the packages listed, so a package left off the list fails only on a user's
machine ("No module named ..."). This test reads the list the build uses.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_in_the_source_tree_is_shipped():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(settings["tool"]["setuptools"]["packages"])
    source = ROOT / "src"
    found = {".".join(init.parent.relative_to(source).parts) for init in source.rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"claimaudit.builtin_rules"}  # the rule packs, mapped from rules/
