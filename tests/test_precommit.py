"""The pre-commit hook in .pre-commit-hooks.yaml, run with `pre-commit try-repo` on a throwaway site.

pre-commit installs claimaudit into its own virtual environment, so this test
needs network access to the package index the first time (later runs reuse
PRE_COMMIT_HOME). It is skipped when pre-commit or git is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit")

pytestmark = pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None,
                                reason="pre-commit and git are needed (pip install pre-commit)")

SOURCES = """\
sources:
  - id: knee2022
    citation: "Example A, Sample B. Injections for knee osteoarthritis. J Example Orthop. 2022;3:1-9."
    summary: >
      In a small study of 30 adults with knee osteoarthritis, knee pain was lower
      six months after the injections than before them. There was no control group.
"""
SUPPORTED = "In a small study of 30 adults with knee osteoarthritis, knee pain was lower six months after the injections."
OVERSTATED = "Our injections cure knee osteoarthritis in every patient."


def _env(home: Path) -> dict:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org", PRE_COMMIT_COLOR="never")
    env.pop("PYTHONPATH", None)
    return env


def _git(cwd: Path, env: dict, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _hook_repository(target: Path, env: dict) -> Path:
    """A committed copy of what pre-commit installs: the package, its rules and the hook file."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("src", "rules"):
        shutil.copytree(REPO / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, target / name)
    _git(target, env, "init", "-q")
    _git(target, env, "add", "-A")
    _git(target, env, "commit", "-q", "-m", "hook")
    return target


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    home = Path(os.environ.get("CLAIMAUDIT_TEST_PRE_COMMIT_HOME") or tmp_path_factory.mktemp("pre-commit-home"))
    env = _env(home)
    return _hook_repository(tmp_path_factory.mktemp("hook-repo"), env), env


def _site(folder: Path, env: dict, page_text: str) -> Path:
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / ".claimaudit.toml").write_text('sources = ["sources.yaml"]\n', encoding="utf-8")
    (folder / "notes.txt").write_text(f"{OVERSTATED}\n", encoding="utf-8")  # not HTML or Markdown: not checked
    (folder / "index.html").write_text(
        f"<!DOCTYPE html>\n<html><body><main>\n<h1>Knee care</h1>\n<p>{page_text}</p>\n</main></body></html>\n",
        encoding="utf-8")
    (folder / "about.md").write_text(f"# About\n\n{SUPPORTED}\n", encoding="utf-8")
    _git(folder, env, "init", "-q")
    _git(folder, env, "add", "-A")
    return folder


def _try_repo(hook_repo: Path, site: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([PRE_COMMIT, "try-repo", str(hook_repo), "claimaudit", "--all-files", "--verbose"],
                          cwd=site, env=env, capture_output=True, text=True, timeout=1800)


def test_the_hook_fails_a_commit_with_an_overstated_claim(hook_repo, tmp_path):
    repository, env = hook_repo
    site = _site(tmp_path, env, f"{SUPPORTED} {OVERSTATED}")
    completed = _try_repo(repository, site, env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output[-3000:]
    assert "claimaudit (claims against their sources)" in output and "Failed" in output
    assert "- exit code: 1" in output  # findings, not an input error (2)
    assert "index.html:4:" in output
    assert "about.md:" not in output and "notes.txt" not in output


def test_the_hook_passes_supported_copy(hook_repo, tmp_path):
    repository, env = hook_repo
    site = _site(tmp_path, env, SUPPORTED)
    completed = _try_repo(repository, site, env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "Passed" in output
