"""No template text reaches a reader.

Every built-in rule's examples are audited (each claim against its own
evidence, all rules on) and the findings rendered once through every format a
reader gets: the JSON, HTML and workbook reports, the claims CSV, SARIF,
GitHub annotations, JUnit, the check text and JSON, and `explain` (of each
example the rule fires on). No text a
reader sees may hold a placeholder (``{figure}``), empty quotes or brackets,
or the doubled space or stray space before a full stop an empty value leaves.
A rule's message also reads as a sentence whichever of its values comes out
empty, and a house rule naming a placeholder its kind does not fill is
refused when it loads.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from claimaudit.errors import InputError
from claimaudit.explain import explain_claim
from claimaudit.ingest import document_from_text
from claimaudit.model import AuditResult, Source
from claimaudit.pipeline import audit_documents
from claimaudit.report import (
    render_check_json,
    render_check_text,
    render_claims_csv,
    render_github,
    render_html,
    render_json,
    render_junit,
    render_sarif,
    render_xlsx,
)
from claimaudit.rules.loader import Rule, load_rule_file, load_rules
from claimaudit.rules.spec import fill_template, readable_template, template_fields

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

# What template text left in a reader's text looks like.
TEMPLATE_DEBRIS = [
    (re.compile(r"\{[A-Za-z_]\w*\}"), "a placeholder"),
    (re.compile(r'""'), "empty quotes"),
    (re.compile("\u201c\u201d"), "empty quotes"),
    (re.compile(r"''"), "empty quotes"),
    (re.compile(r"\(\s*\)"), "empty brackets"),
    (re.compile(r"\S {2,}\S"), "a doubled space"),
    (re.compile(r"\w [.,;:](?=\s|$)"), "a space before punctuation"),
]


def debris(text: str, authored: bool = False) -> list[str]:
    """What in ``text`` is left of a template, each with a little of its context.

    ``authored``: text a rule's author wrote as it is shown (its docs), where
    two spaces set an example apart from its note; no value was left out of it.
    """
    found = []
    for pattern, what in TEMPLATE_DEBRIS:
        if authored and what == "a doubled space":
            continue
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 50), match.end() + 50
            found.append(f"{what} in ...{text[start:end]}...")
    return found


@dataclass
class Batch:
    """Every example of every built-in rule, audited, as one result; and `explain` of each."""

    rules: list[Rule]
    result: AuditResult
    explained: dict[str, str]  # fail example's tag -> `explain` of its claim


def _example_sources(tag: str, evidence: list[str], internal: bool) -> list[Source]:
    return [Source(id=f"{tag}-s{n}", summary=text, kind="internal" if internal else "summary")
            for n, text in enumerate(evidence, 1)]


@pytest.fixture(scope="module")
def batch() -> Batch:
    rules = load_rules()
    merged = AuditResult(documents=[], sources=[], findings=[], rules=list(rules))
    explained: dict[str, str] = {}
    for rule in rules:
        for label, examples in (("fail", rule.spec.examples.fail), ("pass", rule.spec.examples.passes)):
            for number, example in enumerate(examples, 1):
                tag = f"{rule.code}-{label}-{number}"
                # Each claim against its own evidence, as the rule's examples mean it.
                document = document_from_text(example.claim + "\n", name=f"{rule.code}/{label}-{number}.md",
                                              media_type="text")
                sources = _example_sources(tag, example.evidence_list(), example.internal)
                one = audit_documents([document], sources, rules)
                merged.documents += one.documents
                merged.sources += one.sources
                merged.findings += one.findings
                merged.not_audited += one.not_audited
                merged.warnings += one.warnings
                merged.tool_version = one.tool_version
                if label == "fail":
                    # `explain` loads the rules afresh for each claim: only where the rule fires.
                    explained[tag] = explain_claim(example.claim, example.evidence_list(), [], [])
    return Batch(rules, merged, explained)


def _offender(batch: Batch, text: str) -> str:
    """The rule codes whose messages or examples the offending text comes from, as far as can be told."""
    codes = sorted({reason.code for finding in batch.result.findings for reason in finding.reasons
                    if any(part and (part in text or text in part) for part in (reason.message, reason.suggestion))})
    codes += sorted({rule.code for rule in batch.rules
                     if any(part.strip() and part.strip() in text for part in (
                         rule.message, rule.spec.suggestion, rule.docs.what, rule.docs.example))} - set(codes))
    codes += sorted(set(re.findall(r"\b(CA\d{3,4})[/-](?:fail|pass)", text)) - set(codes))
    return ", ".join(codes) or "no rule identified"


def assert_readable(batch: Batch, format_name: str, texts: list[str]) -> None:
    authored = {str(getattr(rule.docs, key)).strip() for rule in batch.rules
                for key in ("what", "why", "example", "use_instead")}
    problems = [f"{format_name}: rule {_offender(batch, text)}: {found}"
                for text in texts for found in debris(text, text.strip() in authored)]
    assert not problems, "template text reached a reader:\n" + "\n".join(dict.fromkeys(problems))


# --- the texts of each format ------------------------------------------------------------


def json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in json_strings(key) + json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


class _ReaderText(HTMLParser):
    """The text a reader of the HTML report sees (and the attributes read aloud or
    shown on hover), and the JSON data island the page's script renders from."""

    SHOWN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "data-label"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.islands: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in.append(tag)
        self._script_type = dict(attrs).get("type", "") if tag == "script" else ""
        self.texts += [value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "script":
            if "json" in getattr(self, "_script_type", ""):
                self.islands.append(data)
        elif where != "style":
            self.texts.append(data)


def html_texts(page: str) -> list[str]:
    reader = _ReaderText()
    reader.feed(page)
    texts = list(reader.texts)
    for island in reader.islands:
        texts += json_strings(json.loads(island))
    return texts


def workbook_texts(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)]


def csv_texts(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def junit_texts(text: str) -> list[str]:
    root = ET.fromstring(text)
    return [value for node in root.iter() for value in [*node.attrib.values(), node.text or ""] if value]


def github_texts(text: str) -> list[str]:
    # Workflow commands escape line breaks in a message as %0A.
    return [line.replace("%0A", "\n").replace("%25", "%") for line in text.splitlines()]


FORMATS = {
    "json": lambda result: json_strings(json.loads(render_json(result))),
    "html": lambda result: html_texts(render_html(result)),
    "xlsx": lambda result: workbook_texts(render_xlsx(result)),
    "csv": lambda result: csv_texts(render_claims_csv(result)),
    "sarif": lambda result: json_strings(json.loads(render_sarif(result))),
    "github": lambda result: github_texts(render_github(result)),
    "junit": lambda result: junit_texts(render_junit(result)),
    "check-text": lambda result: render_check_text(result, verbose=True).splitlines(),
    "check-json": lambda result: json_strings(json.loads(render_check_json(result))),
}


def test_every_built_in_rule_fires_on_its_examples_in_the_batch(batch):
    """The batch covers every rule: each one's fail examples make it fire."""
    fired = {reason.code for finding in batch.result.findings for reason in finding.reasons}
    assert {rule.code for rule in batch.rules} <= fired, sorted({r.code for r in batch.rules} - fired)
    assert all(reason.message for finding in batch.result.findings for reason in finding.reasons)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_every_rule_example_renders_without_template_text(batch, format_name):
    texts = FORMATS[format_name](batch.result)
    assert texts, f"{format_name} rendered nothing"
    assert_readable(batch, format_name, texts)


def test_every_rule_example_explains_without_template_text(batch):
    for tag, text in batch.explained.items():
        problems = [f"explain: rule {tag.split('-')[0]} ({tag}): {found}" for found in debris(text)]
        assert not problems, "\n".join(problems)


def test_the_rules_that_fired_show_what_they_flag_and_their_message_in_words(batch):
    page = render_html(batch.result)
    section = page[page.index('<section id="rules"'):]
    section = section[:section.index("</section>")]
    assert "What it flags:" in section and "Its message reads:" in section
    assert "\u2039figure\u203a" in section  # CA101's message, its placeholder in words
    assert not re.search(r"\{[a-z_]+\}|\[ ", section)


# --- a message reads as a sentence whatever is empty ---------------------------------------


# Values that are a sentence or clause of their own, as their kinds fill them.
SENTENCES = {"closest": " The closest evidence (S1) does not state it.",
             "removed": ' The source hedges with "may", which the claim drops.'}


def _filled(rule: Rule, empty: set[str]) -> str:
    values = {name: "" if name in empty else SENTENCES.get(name, f"value of {name}")
              for name in template_fields(rule.message)}
    return fill_template(rule.message, values)


@pytest.mark.parametrize("rule", load_rules(), ids=lambda rule: rule.code)
def test_a_rule_message_reads_as_a_sentence_whichever_value_is_empty(rule):
    names = template_fields(rule.message)
    for empty in [set(), *({name} for name in names), set(names)]:
        message = _filled(rule, empty)
        assert not debris(message), (rule.code, sorted(empty), message)
        if empty != set(names) or any(c.isalpha() for c in re.sub(r"\{\w+\}|\[[^\]]*\]", "", rule.message)):
            assert message and message[0].isupper() and message[-1] in ".!?\u201d\"", (rule.code, message)
    readable = readable_template(rule.message)
    assert "{" not in readable and "[" not in readable and not debris(readable), (rule.code, readable)


@pytest.mark.parametrize("template, values, expected", [
    # An optional segment shows only when its value is there.
    ("where the source[ ({source})] reports", {"source": "S3"}, "where the source (S3) reports"),
    ("where the source[ ({source})] reports", {"source": ""}, "where the source reports"),
    ("A status {status}[ {source}].", {"status": "stated by no source"}, "A status stated by no source."),
    # An empty value goes with its quotes or brackets, and the space before it.
    ('the sources ({source}) report "{source_words}".', {"source_words": "mild"}, 'the sources report "mild".'),
    ("A status {status} {source}.", {"status": "stated by no source"}, "A status stated by no source."),
    ('Named in the copy: "{named}".', {}, "Named in the copy: a source it names."),
    ("Named in the copy: {word}.", {}, "Named in the copy."),
    # A placeholder's words for an empty value are never quoted as if they were the claim's.
    ('The claim says "{claim_words}".', {"element": "comparator"}, "The claim says its comparator."),
    # Brackets with no placeholder are text; doubled brackets and braces are literal.
    ("See [the guide] and [[{word}]] {{sic}}.", {"word": "cure"}, "See [the guide] and [cure] {sic}."),
])
def test_empty_values_leave_a_sentence(template, values, expected):
    assert fill_template(template, values) == expected


def test_a_source_with_no_id_leaves_no_empty_brackets_in_a_message():
    rules = load_rules()
    document = document_from_text("The injections are completely safe for everyone.\n", name="page.md",
                                  media_type="text")
    sources = [Source(id="", summary="In 40 adults the injections were well tolerated.")]
    result = audit_documents([document], sources, rules)
    messages = [reason.message for finding in result.findings for reason in finding.reasons]
    assert any(reason.code == "CA401" for finding in result.findings for reason in finding.reasons)
    for message in messages:
        assert not debris(message), message


# --- house rules ------------------------------------------------------------------------------

HOUSE_RULE = """\
code: HS201
name: house.glow_words
family: certainty
extends: existence
level: overstated
message: 'The claim says "{word}"[, which {source} does not back].'
params:
  words: [radiant]
docs:
  what: Glow words.
  why: They promise a look no study measured.
  example: "Radiant skin in a week."
  use_instead: Say what was measured.
  references: ["House style guide"]
examples:
  fail:
    - claim: "Radiant skin in a week with our serum."
  pass:
    - claim: "Skin felt softer after four weeks."
"""


def house_rule(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "house"
    folder.mkdir(exist_ok=True)
    (folder / "HS201.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_house_rule_with_an_unknown_placeholder_is_refused_at_load_with_exit_2_and_one_line(tmp_path):
    rules = house_rule(tmp_path, HOUSE_RULE)
    page = tmp_path / "page.md"
    page.write_text("Radiant skin in a week with our serum.\n", encoding="utf-8")
    result = subprocess.run([CLAIMAUDIT, "check", str(page), "--rules", str(rules), "--no-cache"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "HS201.yaml:6: message: unknown placeholder {source}; check kind existence fills {word}" in lines[0]


@pytest.mark.parametrize("change, field", [
    (("{word}", "{word}{figure}"), "message"),
    (("docs:", "suggestion: 'Drop [the {glow} word].'\ndocs:"), "suggestion"),
    (("Say what was measured.", "Say {word} less."), "docs.use_instead"),
])
def test_a_placeholder_a_house_rule_cannot_fill_is_refused_naming_the_field(tmp_path, change, field):
    text = HOUSE_RULE.replace("[, which {source} does not back]", "").replace(*change)
    with pytest.raises(InputError) as caught:
        load_rule_file(house_rule(tmp_path, text) / "HS201.yaml")
    assert "HS201.yaml:" in str(caught.value) and f": {field}:" in str(caught.value)


@pytest.fixture
def empty_kind():
    """A check kind that exists only for the test: it fires with its one value empty."""
    from claimaudit.rules.context import KINDS, Hit, kind

    kind("empty_word_for_messages_test", fields=("word",))(lambda ctx, params: [Hit({"word": ""})])
    try:
        yield "empty_word_for_messages_test"
    finally:
        KINDS.pop("empty_word_for_messages_test", None)


def test_a_message_of_placeholders_alone_left_empty_says_what_the_rule_flags(tmp_path, empty_kind):
    from claimaudit.rules.examples import run_example

    text = (HOUSE_RULE.replace("extends: existence", f"extends: {empty_kind}")
            .replace("""'The claim says "{word}"[, which {source} does not back].'""", "'\"{word}\"'")
            .replace("params:\n  words: [radiant]\n", ""))
    rule = load_rule_file(house_rule(tmp_path, text) / "HS201.yaml")
    reasons = run_example(rule, "Radiant skin in a week with our serum.", [])
    assert [r.message for r in reasons if r.code == "HS201"] == ["Glow words."]


def test_every_placeholder_a_built_in_kind_fills_is_described_for_readers_and_authors():
    from claimaudit.rules.context import KINDS
    from claimaudit.rules.placeholders import PLACEHOLDERS

    filled = {name for check_kind in KINDS.values() for name in check_kind.fields}
    assert filled <= set(PLACEHOLDERS), sorted(filled - set(PLACEHOLDERS))
    for name in filled:
        assert PLACEHOLDERS[name].meaning and "{" not in PLACEHOLDERS[name].reads_as
    # The description a rule author reads names exactly the placeholders the kind declares.
    for check_kind in KINDS.values():
        described = set(re.findall(r"\{(\w+)\}", check_kind.doc))
        assert described == set(check_kind.fields), (check_kind.name, described ^ set(check_kind.fields))
