"""A file whose name is not UTF-8, found in a folder, is audited and reported in every format.

Such names reach Python with the undecodable bytes as lone surrogates, which no
UTF-8 report can hold: the reports show U+FFFD in their place, and SARIF keeps
the name's own bytes percent-encoded so the location still names the file.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from click.testing import CliRunner

from claimaudit.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32" or os.fsencode("\udce9") != b"\xe9",
                                reason="needs a POSIX file system with bytes for names")


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    name = os.path.join(os.fsencode(folder), b"caf\xe9.md")
    with open(name, "w", encoding="utf-8") as page:
        page.write("Our serum cures acne in every patient.\n")
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.mark.parametrize("fmt", ["json", "html", "xlsx", "csv"])
def test_audit_writes_every_report_for_a_name_that_is_not_utf8(site, fmt):
    result = CliRunner().invoke(main, ["audit", "site", "-o", "out", "-f", fmt])
    assert result.exit_code == 0, result.output
    written = os.listdir("out")
    assert written
    if fmt == "json":
        data = json.loads((site.parent / "out" / "audit.json").read_text(encoding="utf-8"))
        assert data["findings"][0]["document"] == "site/caf\ufffd.md"
        assert data["findings"][0]["verdict"] == "unsupported"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_check_reports_a_name_that_is_not_utf8_and_still_fails(site, fmt):
    result = CliRunner().invoke(main, ["check", "site", "-f", fmt])
    assert result.exit_code == 1, result.output
    if fmt == "sarif":
        uris = {location["physicalLocation"]["artifactLocation"]["uri"]
                for run in json.loads(result.stdout)["runs"] for item in run["results"]
                for location in item["locations"]}
        assert uris == {"site/caf%E9.md"}
