"""The cache is never trusted: a planted, foreign, wrong-shaped or blocking
cache file changes no verdict, never crashes a run and never hangs it.

Runs go through the console entry point in a fresh process (with a timeout),
as a user's would: word lists are loaded once per process, so only a new
process reads every kind of entry from the cache. They run a frozen copy of
the package, so the stamp (and so every entry's name) holds for the module.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimaudit import cache

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
KINDS = ("source-pack", "config", "lexicon", "rules", "analyses")
PAGE = """\
<!DOCTYPE html>
<html><head><title>Knee and back care</title></head>
<body><main>
<h1>Knee and back care</h1>
<p>Supervised exercise reduced knee pain by 18% in adults with osteoarthritis (Hale 2021).</p>
<p>Supervised exercise cures knee osteoarthritis in everyone.</p>
<p>Standing desks prevent back pain in office workers.</p>
<p>Our clinic treated 2,400 patients in 2023.</p>
<p>Magnetic bracelets double your recovery speed.</p>
</main></body></html>
"""
PACK = """\
sources:
  - id: hale2021
    citation: Hale et al. 2021, randomised trial
    summary: >
      In a randomised trial of 120 adults with knee osteoarthritis, eight weeks
      of supervised exercise reduced pain scores by 18% compared with usual care.
  - id: ortiz2019
    citation: Ortiz and Lam 2019, cohort study
    summary: A cohort study of 300 office workers found that standing desks were associated with less reported back pain after one year.
  - id: clinic-data
    kind: internal
    summary: The clinic treated 2,400 patients in 2023.
"""
CONFIG = """\
# A project config in our own words: the pack, the threshold and one override.
sources = "sources.yaml"
fail-on = "overstated"
exclude = ["drafts/**"]

[[overrides]]
paths = ["archive/**"]
fail-on = "unsupported"
"""


def _copy_package(target: Path) -> Path:
    package = target / "src" / "claimaudit"
    shutil.copytree(SRC / "claimaudit", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "rules", target / "rules")
    return package


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> Path:
    """A folder with a copy of the package (src/) and its built-in rules (rules/)."""
    root = tmp_path_factory.mktemp("frozen")
    _copy_package(root)
    return root


def run_check(cache_dir: Path | str, site: Path, *extra: str, env: dict | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(site.parent / "src"),
                       CLAIMAUDIT_CACHE_DIR=str(cache_dir), **(env or {}))
    return subprocess.run([sys.executable, "-m", "claimaudit.cli", "check", "page.html", "--format", "json", *extra],
                          cwd=site, env=environment, capture_output=True, text=True, timeout=timeout)


def entries(folder: Path, kind: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if re.fullmatch(rf"{kind}-[0-9a-f]{{12}}-[0-9a-f]{{32}}\.\w+", p.name))


def forge(entry: Path, payload: bytes) -> None:
    """Rewrite an entry with a header whose checksum fits the new payload, as
    someone who knows the format could: only the checks on the data stop it."""
    header = json.loads(entry.read_bytes().split(b"\n", 1)[0])
    header.update(sha256=hashlib.sha256(payload).hexdigest(), bytes=len(payload))
    entry.write_bytes(json.dumps(header, sort_keys=True).encode() + b"\n" + payload)
    os.chmod(entry, 0o600)


def payload_of(entry: Path) -> bytes:
    return entry.read_bytes().split(b"\n", 1)[1]


def is_valid_entry(entry: Path) -> bool:
    raw = entry.read_bytes()
    header, payload = raw.split(b"\n", 1)
    return json.loads(header)["sha256"] == hashlib.sha256(payload).hexdigest()


@pytest.fixture(scope="module")
def site(frozen) -> Path:
    folder = frozen / "site"
    folder.mkdir()
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "sources.yaml").write_text(PACK, encoding="utf-8")
    (folder / ".claimaudit.toml").write_text(CONFIG, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reference(site) -> subprocess.CompletedProcess:
    result = run_check("off", site)
    assert result.returncode == 1 and json.loads(result.stdout)["findings"], result.stderr
    return result


@pytest.fixture(scope="module")
def warm_template(site, reference, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "cache"
    cold = run_check(folder, site)
    assert (cold.returncode, cold.stdout) == (reference.returncode, reference.stdout)
    return folder


@pytest.fixture
def warm(warm_template, tmp_path) -> Path:
    folder = tmp_path / "cache"
    shutil.copytree(warm_template, folder)
    return folder


def assert_same_as_no_cache(result: subprocess.CompletedProcess, reference: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == reference.returncode, result.stderr
    assert result.stdout == reference.stdout


def test_a_warm_run_uses_every_kind_of_entry_and_rewrites_none(warm, site, reference):
    for kind in KINDS:
        assert entries(warm, kind), f"no {kind} entry after a cold run"
    before = {p.name: p.stat().st_mtime_ns for p in warm.iterdir()}
    assert_same_as_no_cache(run_check(warm, site), reference)
    assert {p.name: p.stat().st_mtime_ns for p in warm.iterdir()} == before
    # Without the analyses every sentence is analysed again, from cached word lists.
    for entry in entries(warm, "analyses"):
        entry.unlink()
        del before[entry.name]
    assert_same_as_no_cache(run_check(warm, site), reference)
    assert {p.name: p.stat().st_mtime_ns for p in warm.iterdir() if not p.name.startswith("analyses-")} == before


class Planted:
    """A pickle that would create a file if anything unpickled it unchecked."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def wrong_shapes(kind: str, entry: Path, marker: Path) -> list[bytes]:
    """Data of the wrong shape for ``kind`` (each would mislead or crash a run if used)."""
    real = payload_of(entry)
    if kind == "source-pack":
        sources = json.loads(real)["sources"]
        return [json.dumps({"sources": [{"id": 5, "summary": ["not", "text"]}], "aliases": {}}).encode(),
                json.dumps({"sources": sources[:1], "aliases": {}}).encode(),  # most of its sources gone
                json.dumps({"sources": [{**s, "id": "invented-id"} for s in sources], "aliases": {}}).encode()]
    if kind == "config":
        settings = json.loads(real)
        return [json.dumps({"fail_on": 3, "overrides": "all"}).encode(),
                json.dumps({**settings, "fail_on": "unsupported"}).encode(),  # a threshold never written
                json.dumps({**settings, "overrides": []}).encode()]
    if kind == "lexicon":
        return [json.dumps({"irregular": 5}).encode(), b"{}", b"[]"]
    if kind == "rules":
        return [pickle.dumps([Planted(marker)]), pickle.dumps([]), pickle.dumps(["CA101"])]
    stored = pickle.loads(real)
    other = next(v for k, v in stored.items() if not k.startswith("\0"))
    return [pickle.dumps({"x": Planted(marker)}),
            # Every analysis swapped for another sentence's, every other value for a number.
            pickle.dumps({key: (other if not key.startswith("\0") else 42) for key in stored}),
            pickle.dumps(sorted(stored))]


@pytest.mark.parametrize("variant", range(3))
def test_forged_entries_of_the_wrong_shape_are_recomputed(variant, warm, site, reference, tmp_path):
    # Every kind at once (the analyses are never valid, so the word lists are
    # read too); that each entry was written again shows which were refused.
    marker = tmp_path / "code-ran"
    forged = {}
    for kind in KINDS:
        for entry in entries(warm, kind):
            forged[entry] = wrong_shapes(kind, entry, marker)[variant]
    for entry, payload in forged.items():
        forge(entry, payload)
    assert_same_as_no_cache(run_check(warm, site), reference)
    assert not marker.exists()
    for entry, payload in forged.items():
        assert is_valid_entry(entry) and payload_of(entry) != payload, f"{entry.name} was used as it was planted"


def test_cache_files_of_an_older_format_or_garbage_change_nothing(warm, site, reference):
    # "[]" is what made every claim unsupported when the pack cache was trusted.
    garbage = [b"[]", b'{"hedges": 5}', b"null", b"\x80\x04K\x01.", b"[" * 100_000, b"", b"\xff\xfe not text"]
    for n, entry in enumerate(p for kind in KINDS for p in entries(warm, kind)):
        entry.write_bytes(garbage[n % len(garbage)])
    assert_same_as_no_cache(run_check(warm, site), reference)


def test_a_planted_empty_source_pack_with_a_valid_header_changes_no_verdict(warm, site, reference):
    for entry in entries(warm, "source-pack"):
        forge(entry, b"[]")
    assert_same_as_no_cache(run_check(warm, site), reference)


def _a_misleading_pack(entry: Path) -> bytes:
    """The real pack with every summary replaced: well-shaped, and it would change verdicts."""
    pack = json.loads(payload_of(entry))
    for source in pack["sources"]:
        source["summary"] = "A large trial proved every claim on the page, in everyone, for good."
    return json.dumps(pack).encode()


def test_a_misleading_pack_would_change_verdicts_if_it_were_trusted(warm, site, reference):
    # The control for the two tests below: this pack is the user's own file
    # (their doing), so it is used, and the verdicts differ.
    for entry in entries(warm, "source-pack"):
        forge(entry, _a_misleading_pack(entry))
    assert run_check(warm, site).stdout != reference.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_a_cache_file_owned_by_another_user_is_ignored(warm, site, reference):
    import pwd

    nobody = pwd.getpwnam("nobody").pw_uid
    for entry in entries(warm, "source-pack"):
        forge(entry, _a_misleading_pack(entry))
        assert cache.read_trusted(entry) is not None
        os.chown(entry, nobody, -1)
        assert cache.read_trusted(entry) is None
    assert_same_as_no_cache(run_check(warm, site), reference)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_cache_others_can_write_is_ignored(what, warm, site, reference):
    for entry in entries(warm, "source-pack"):
        forge(entry, _a_misleading_pack(entry))
        os.chmod(entry if what == "file" else warm, 0o660 if what == "file" else 0o770)
        assert cache.read_trusted(entry) is None
    before = sorted(p.name for p in warm.iterdir())
    assert_same_as_no_cache(run_check(warm, site), reference)
    if what == "folder":
        assert sorted(p.name for p in warm.iterdir()) == before, "nothing is written to a shared folder"


@pytest.mark.parametrize("blocker", ["fifo", "link-to-dev-zero"])
def test_a_fifo_or_device_in_place_of_an_entry_does_not_hang(blocker, warm, site, reference):
    for entry in [p for kind in KINDS for p in entries(warm, kind)]:
        entry.unlink()
        if blocker == "fifo":
            os.mkfifo(entry, 0o600)
        else:
            entry.symlink_to("/dev/zero")
    assert_same_as_no_cache(run_check(warm, site, timeout=60), reference)


def test_cache_dir_off_writes_nothing(site, reference, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = run_check("off", site, env={"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")})
    assert_same_as_no_cache(result, reference)
    assert list(home.iterdir()) == []


def test_no_cache_neither_reads_nor_writes(warm, site, reference):
    # A misleading pack the user left in the cache is not read; no other entry
    # (config, rules, analyses) is written back.
    for entry in warm.iterdir():
        if entry in entries(warm, "source-pack"):
            forge(entry, _a_misleading_pack(entry))
        else:
            entry.unlink()
    before = {p.name: p.read_bytes() for p in warm.iterdir()}
    assert_same_as_no_cache(run_check(warm, site, "--no-cache"), reference)
    assert {p.name: p.read_bytes() for p in warm.iterdir()} == before


def test_the_check_api_without_cache_writes_nothing(tmp_path, monkeypatch):
    from claimaudit.check import CheckOptions, run_check as check_api
    from claimaudit.config import LoadedConfig

    folder = tmp_path / "cache"
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(folder))
    options = CheckOptions(copy=[str(REPO / "examples" / "clinic-page.html")],
                           sources=[str(REPO / "examples" / "sources.yaml")], use_cache=False)
    assert check_api(options, LoadedConfig()).result.findings
    assert not folder.exists() or not list(folder.iterdir())
    with cache.disabled():
        assert cache.cache_dir() is None
    assert cache.cache_dir() == folder


LABELLED_DRIVER = r"""
import json, re, sys
from pathlib import Path
from click.testing import CliRunner
from claimaudit.cli import main

results = []
for gold in sys.argv[1:]:
    gold = Path(gold)
    text = gold.read_text(encoding="utf-8")
    page = re.search(r"^page:\s*(\S+)", text, re.M).group(1)
    sources = re.search(r"^sources:\s*(\S+)", text, re.M).group(1)
    run = CliRunner().invoke(main, ["check", str(gold.parent / page), "-s", str(gold.parent / sources),
                                    "--format", "json"])
    results.append({"case": gold.parent.name, "exit": run.exit_code, "output": run.stdout})
print(json.dumps(results))
"""


def test_the_labelled_set_gives_identical_json_cold_and_warm(frozen, tmp_path):
    cases = sorted((REPO / "tests" / "fixtures" / "labelled").glob("*/gold.yaml")) + [REPO / "examples" / "expected.yaml"]
    environment = dict(os.environ, PYTHONPATH=str(frozen / "src"), CLAIMAUDIT_CACHE_DIR=str(tmp_path / "cache"))

    def audit_all() -> list[dict]:
        run = subprocess.run([sys.executable, "-c", LABELLED_DRIVER, *map(str, cases)], env=environment,
                             capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    cold = audit_all()
    assert list((tmp_path / "cache").glob("analyses-*"))
    warm = audit_all()
    assert [r["exit"] for r in cold] == [r["exit"] for r in warm] and all(r["exit"] in (0, 1) for r in cold)
    for before, after in zip(cold, warm):
        assert after["output"] == before["output"], before["case"]


def test_the_stamp_covers_every_file_of_the_package_and_the_builtin_rules(tmp_path):
    package = _copy_package(tmp_path)
    stamp = cache.package_stamp(package)
    assert cache.package_stamp(package) == stamp

    ranking = package / "evidence" / "rank.py"
    os.utime(ranking, ns=(ranking.stat().st_atime_ns, ranking.stat().st_mtime_ns + 10**9))
    touched = cache.package_stamp.__wrapped__(package)
    assert touched != stamp

    (package / "evidence" / "rank.py").write_text(ranking.read_text(encoding="utf-8") + "\n# edited\n",
                                                  encoding="utf-8")
    edited = cache.package_stamp.__wrapped__(package)
    assert edited not in {stamp, touched}

    rule = sorted((tmp_path / "rules").rglob("*.yaml"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.package_stamp.__wrapped__(package) != edited

    # Bytecode is not code we ship: compiling it changes nothing.
    before = cache.package_stamp.__wrapped__(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "cache.cpython-311.pyc").write_bytes(b"x")
    assert cache.package_stamp.__wrapped__(package) == before


def test_entries_are_named_by_the_stamp(tmp_path):
    folder = tmp_path / "cache"
    path = cache.entry_path(folder, "lexicon", "some text", "json")
    assert path.name.startswith(f"lexicon-{cache.package_stamp()[:12]}-")
    assert cache.entry_path(folder, "lexicon", "other text", "json") != path


def test_read_trusted_refuses_links_oversized_and_shared_files(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    entry = folder / "entry"
    entry.write_bytes(b"0123456789")
    os.chmod(entry, 0o600)
    assert cache.read_trusted(entry) == b"0123456789"
    assert cache.read_trusted(entry, limit=5) is None
    link = folder / "link"
    link.symlink_to(entry)
    assert cache.read_trusted(link) is None
    os.chmod(entry, 0o606)
    assert cache.read_trusted(entry) is None
    os.chmod(entry, 0o600)
    os.chmod(folder, 0o707)
    assert cache.read_trusted(entry) is None


def test_prune_keeps_the_newest_stamps_and_drops_old_formats(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(folder))
    current = cache.package_stamp()[:12]
    names = [f"rules-{current}-{'0' * 32}.pickle", "rules-" + "a" * 32 + ".pickle", "notes.txt"]
    for n in range(cache.KEEP_STAMPS + 2):
        names.append(f"lexicon-{n:012x}-{'1' * 32}.json")
    for age, name in enumerate(names):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (1_000_000 + age, 1_000_000 + age))
    cache.prune()
    left = sorted(p.name for p in folder.iterdir())
    others = [n for n in left if n.startswith("lexicon-")]
    assert f"rules-{current}-{'0' * 32}.pickle" in left and "notes.txt" in left
    assert "rules-" + "a" * 32 + ".pickle" not in left
    # The newest other stamps are kept for another installation sharing the folder.
    assert others == [f"lexicon-{n:012x}-{'1' * 32}.json" for n in range(3, cache.KEEP_STAMPS + 2)]


def test_a_cached_pickle_cannot_import_a_module(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "planted_module.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('imported').touch()\nclass Thing:\n    pass\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    naming_the_module = b"cplanted_module\nThing\n)\x81."
    cache.write_entry("sample", "key", "pickle", naming_the_module)
    assert cache.read_entry("sample", "key", "pickle") == naming_the_module
    assert cache.load_pickle("sample", "key", allow=lambda *names: True, check=lambda value: True) is None
    assert not (tmp_path / "imported").exists()


def test_an_analysis_whose_derived_terms_are_not_sets_of_words_is_recomputed(warm, site, reference):
    # The terms a statement keeps beside its analysis (populations, conditions...) decide
    # scope rules; a stored analysis holding anything else there is not used.
    for entry in entries(warm, "analyses"):
        stored = pickle.loads(payload_of(entry))
        for key, value in stored.items():
            if not key.startswith("\0") and hasattr(value, "_canon"):
                value._canon["populations"] = ["animal"]
        forge(entry, pickle.dumps(stored))
    assert_same_as_no_cache(run_check(warm, site), reference)
