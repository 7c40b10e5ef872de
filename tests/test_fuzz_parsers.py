"""Every reader, fed generated and mutated input, either returns its normal result or
raises InputError naming the file: never another exception, never a hang. Where a
copy reader returns, every character of the extracted text points back into the
raw file at the same character (or at the entity it was decoded from)."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claimaudit.config import glob_matches, read_config
from claimaudit.errors import InputError
from claimaudit.ingest import document_from_text, load_document, load_sources
from claimaudit.ingest.encoding import decode_bytes, read_text
from claimaudit.model import Document, Source
from claimaudit.rules.loader import parse_rule
from claimaudit.verdicts.baseline import parse_baseline
from claimaudit.verdicts.review import read_review
from fuzz_support import FUZZ, awkward_text, finishes, inputs, mutated, seeded_random


def read_or_refuse(read, path: Path | None, *args):
    """The reader's result, or None when it refused the input with an InputError naming the file."""
    try:
        with finishes():
            return read(*args)
    except InputError as error:
        message = str(error)
        assert message.strip(), "an InputError needs a message"
        if path is not None:
            assert path.name in message, f"the message does not name {path.name}: {message}"
        return None


def assert_maps_back(doc: Document) -> None:
    text, raw = doc.text, doc.raw
    assert text.strip(), "a document is returned only when it has text"
    for block in doc.blocks:
        assert 0 <= block.start <= block.end <= len(text)
    inside = [i for block in doc.blocks for i in range(block.start, block.end)]  # not the separators
    for i in inside[:: max(1, len(inside) // 300)]:
        at = doc.raw_offset(i)
        assert 0 <= at <= len(raw), f"text offset {i} maps outside the raw file"
        if text[i].isalnum() and doc.media_type != "table":
            assert raw[at] in (text[i], "&"), f"text[{i}]={text[i]!r} points at raw[{at}]={raw[at]!r}"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- encodings ---------------------------------------------------------------------------------

BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE]


@settings(FUZZ, max_examples=300)
@given(bom=st.sampled_from(BOMS), body=st.binary(max_size=400))
def test_any_bytes_decode_to_text_without_carriage_returns_or_are_refused(bom, body):
    decoded = read_or_refuse(decode_bytes, Path("page.txt"), bom + body, "page.txt")
    if decoded is not None:
        assert "\r" not in decoded.text
        assert "\ufeff" not in decoded.text[:1]


@settings(FUZZ)
@given(rnd=seeded_random)
def test_generated_encodings_decode_or_are_refused_the_same_from_a_file(tmp_path_factory, rnd):
    data = inputs.encoding_case(rnd)
    path = write(tmp_path_factory.mktemp("enc"), "page.html", data)
    from_file = read_or_refuse(read_text, path, path)
    from_bytes = read_or_refuse(decode_bytes, path, data, str(path))
    assert from_file == from_bytes


@pytest.mark.parametrize("charset", ["undefined", "utf-7", "x-user-defined", "rot13", "base64", "hex", "zlib",
                                     "uu", "idna", "punycode", "mbcs", "bogus", "utf-16", "utf-32", "koi8-r"])
def test_a_page_declaring_a_charset_python_cannot_read_it_with_is_read_or_refused(charset):
    page = f'<html><head><meta charset="{charset}"></head><body><p>Caf\xe9 cures pain.</p></body></html>'
    decoded = read_or_refuse(decode_bytes, Path("page.html"), page.encode("latin-1"), "page.html")
    if decoded is not None:
        assert "cures pain" in decoded.text


@settings(FUZZ)
@given(text=awkward_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_text_with_a_byte_order_mark_reads_back_as_itself(text, encoding):
    decoded = read_or_refuse(decode_bytes, Path("page.txt"), text.encode(encoding), "page.txt")
    if decoded is not None:
        expected = text.lstrip("\ufeff") if encoding != "utf-8" else text
        assert decoded.text == expected.replace("\r\n", "\n").replace("\r", "\n")


# --- copy ------------------------------------------------------------------------------------------


# Each generated page, mutated at random, is read from a file; its text must map back into it.
GENERATED_COPY = {
    "page.html": lambda rnd: inputs.html_page(rnd, hostile=0.3),
    "page.md": lambda rnd: inputs.markdown_page(rnd, hostile=0.3),
    "page.txt": lambda rnd: inputs.text_page(rnd, hostile=0.4),
    "claims.csv": lambda rnd: inputs.csv_table(rnd, hostile=0.4),
}


@pytest.mark.parametrize("name", sorted(GENERATED_COPY))
@settings(FUZZ)
@given(rnd=seeded_random)
def test_generated_copy_reads_with_offsets_into_the_file_or_is_refused(tmp_path_factory, rnd, name):
    page = GENERATED_COPY[name](rnd)
    if name == "page.txt":
        data = mutated(inputs.encode(page, rnd), rnd)
    else:
        data = mutated(page.encode("utf-8", "surrogatepass"), rnd)
    path = write(tmp_path_factory.mktemp("copy"), name, data)
    doc = read_or_refuse(load_document, path, path)
    if doc is not None:
        assert_maps_back(doc)


@pytest.mark.parametrize("media", ["markdown", "text"])
@settings(FUZZ)
@given(text=awkward_text)
def test_any_text_reads_or_is_refused(text, media):
    doc = read_or_refuse(document_from_text, None, text, f"page.{'md' if media == 'markdown' else 'txt'}", media)
    if doc is not None:
        assert_maps_back(doc)




@settings(FUZZ, max_examples=150)
@given(text=awkward_text)
@example(text="Vit\x00amin D")
@example(text="Cures pain &#1; now")
def test_any_text_in_an_html_paragraph_reads_with_offsets_into_the_page(text):
    page = f"<p>Daily walking eases back pain.</p><p>{text} Walking cures pain.</p>"
    doc = read_or_refuse(document_from_text, None, page, "page.html", "html")
    if doc is not None:
        assert_maps_back(doc)


@settings(FUZZ, max_examples=80)
@given(rnd=seeded_random, depth=st.integers(1, 1500), tag=st.sampled_from(["div", "ul><li", "blockquote", "table><tr><td", "b"]))
def test_deeply_nested_html_reads_or_is_refused(rnd, depth, tag):
    closing = "".join(f"</{t}>" for t in reversed(tag.split("><")))
    page = f"<{tag}>" * depth + inputs.sentence(rnd) + closing * depth
    doc = read_or_refuse(document_from_text, None, page, "page.html", "html")
    if doc is not None:
        assert_maps_back(doc)




@settings(FUZZ, max_examples=80)
@given(rnd=seeded_random, count=st.integers(1, 1500),
       piece=st.sampled_from([">", "> ", "`", "*", "_", "[", "](", "- ", "  - ", "|", "<!--", "&#", "\\"]))
@example(rnd=random.Random(0), count=1000, piece=">")
@example(rnd=random.Random(0), count=20_000, piece="`")
def test_markdown_made_of_one_repeated_marker_reads_or_is_refused(rnd, count, piece):
    page = inputs.sentence(rnd) + " " + piece * count + " " + inputs.sentence(rnd)
    doc = read_or_refuse(document_from_text, None, page, "page.md", "markdown")
    if doc is not None:
        assert_maps_back(doc)










@settings(FUZZ)
@given(rnd=seeded_random)
def test_claims_workbooks_read_or_are_refused(tmp_path_factory, rnd):
    data = inputs.claims_workbook(rnd, hostile=0.5)
    if rnd.random() < 0.3:
        data = inputs.broken_zip(data, rnd)
    path = write(tmp_path_factory.mktemp("xlsx"), "claims.xlsx", data)
    doc = read_or_refuse(load_document, path, path)
    if doc is not None:
        assert_maps_back(doc)


@pytest.mark.parametrize("cell", [inputs.Raw(' t="s"><v>99999</v>'), inputs.Raw("><v>1e400</v>"),
                                  inputs.Raw(' t="d"><v>not-a-date</v>'), inputs.Raw(' t="n"><v>x</v>')],
                         ids=["shared-string-out-of-range", "1e400", "bad-date", "bad-number"])
def test_claims_workbook_with_a_broken_cell_is_refused_naming_the_file(tmp_path, cell):
    data = inputs.workbook_bytes([inputs.Sheet("Claims", [["Claim"], ["Walking cures back pain."], [cell]])])
    path = write(tmp_path, "claims.xlsx", data)
    read_or_refuse(load_document, path, path)


# --- source packs ---------------------------------------------------------------------------------


def assert_sources(sources: list[Source] | None) -> None:
    if sources is None:
        return
    ids = [source.id for source in sources]
    assert len(ids) == len(set(ids)), "source ids are unique"
    for source in sources:
        assert isinstance(source.id, str) and source.id
        assert isinstance(source.summary, str)


PACK_MAKERS = {
    "yaml": inputs.yaml_pack,
    "json": inputs.json_pack,
    "csv": inputs.csv_pack,
}


@settings(FUZZ, max_examples=150)
@given(rnd=seeded_random, kind=st.sampled_from(sorted(PACK_MAKERS)))
def test_text_source_packs_load_or_are_refused(tmp_path_factory, rnd, kind):
    text = PACK_MAKERS[kind](rnd, hostile=0.4)
    path = write(tmp_path_factory.mktemp("pack"), f"pack.{kind}", mutated(text.encode("utf-8", "surrogatepass"), rnd))
    assert_sources(read_or_refuse(load_sources, path, path))


@settings(FUZZ, max_examples=80)
@given(rnd=seeded_random, depth=st.integers(1, 2000), kind=st.sampled_from(["yaml-flow", "yaml-map", "json"]),
       digits=st.integers(1, 5000))
@example(rnd=random.Random(0), depth=2000, kind="json", digits=10)
@example(rnd=random.Random(0), depth=1, kind="json", digits=5000)
@example(rnd=random.Random(0), depth=2000, kind="yaml-flow", digits=5000)
@example(rnd=random.Random(0), depth=2000, kind="yaml-map", digits=1)
def test_deep_or_huge_source_packs_are_refused_not_crashed(tmp_path_factory, rnd, depth, kind, digits):
    if kind == "yaml-flow":
        text = "sources: " + "[" * depth + "]" * depth + f"\nid: {'9' * digits}\n"
    elif kind == "yaml-map":
        text = "sources: " + "{a: " * depth + "1" + "}" * depth + "\n"
    else:
        text = '{"sources": ' + "[" * depth + "]" * depth + f', "n": {"7" * digits}}}'
    suffix = "json" if kind == "json" else "yaml"
    path = write(tmp_path_factory.mktemp("deep"), f"pack.{suffix}", text.encode())
    assert_sources(read_or_refuse(load_sources, path, path))


@settings(FUZZ)
@given(rnd=seeded_random)
def test_source_pack_workbooks_load_or_are_refused(tmp_path_factory, rnd):
    data = inputs.sources_workbook(rnd, hostile=0.5)
    if rnd.random() < 0.3:
        data = inputs.broken_zip(data, rnd)
    path = write(tmp_path_factory.mktemp("xpack"), "pack.xlsx", data)
    assert_sources(read_or_refuse(load_sources, path, path))


@settings(FUZZ)
@given(rnd=seeded_random)
def test_folders_of_front_matter_files_load_or_are_refused(tmp_path_factory, rnd):
    folder = tmp_path_factory.mktemp("folder") / "pack"
    folder.mkdir()
    for n in range(rnd.randint(1, 4)):
        name = rnd.choice([f"s{n}.md", f"s{n}.txt", f"s{n}.markdown"])
        data = inputs.front_matter_file(rnd, n, hostile=0.4).encode("utf-8", "surrogatepass")
        (folder / name).write_bytes(mutated(data, rnd))
    assert_sources(read_or_refuse(load_sources, folder, folder))


# --- rules, config, baselines, reviews ------------------------------------------------------------------


@settings(FUZZ, max_examples=150)
@given(rnd=seeded_random)
def test_rule_files_load_or_are_refused(rnd):
    text = inputs.rule_file(rnd, hostile=0.5)
    if rnd.random() < 0.3:
        text = inputs.mutate(text.encode("utf-8", "surrogatepass"), rnd).decode("utf-8", "replace")
    rule = read_or_refuse(parse_rule, Path("XX101.yaml"), text, "XX101.yaml")
    if rule is not None:
        assert rule.code and rule.kind is not None


def house_rule(message: str = '"The claim says {word}."', patterns: tuple[str, ...] = (r"\bmiracle\b",)) -> str:
    return inputs.RULE_TEMPLATE.format(
        code="XX101", name="house.no_miracles", family="certainty", extends="existence", level="overstated",
        message=message, params=f"  patterns: {json.dumps(list(patterns))}", what="Miracle talk.")


def load_and_run(text: str) -> None:
    """Load a rule file; when it loads, run it over claims that make slow patterns slow."""
    from claimaudit import api

    rule = read_or_refuse(parse_rule, Path("XX101.yaml"), text, "XX101.yaml")
    if rule is None:
        return
    claims = "\n\n".join(f"This miracle cream cures acne in {'a' * (18 + n % 8)}! trial {n}." for n in range(12))
    try:
        with finishes():
            api.audit([document_from_text(claims, "page.txt")],
                      sources=[{"id": "s1", "summary": "The cream eased acne in some adults."}], loaded_rules=[rule])
    except InputError as error:  # a pattern over its time budget is refused, naming the rule file
        assert "XX101.yaml" in str(error), str(error)


@pytest.mark.parametrize("message", inputs.MESSAGE_TEMPLATES)
def test_a_rule_message_template_is_checked_when_the_rule_loads(message):
    load_and_run(house_rule(message=message))


@pytest.mark.parametrize("pattern", inputs.INVALID_PATTERNS + inputs.CATASTROPHIC)
def test_a_rule_pattern_is_checked_when_the_rule_loads(pattern):
    load_and_run(house_rule(patterns=(pattern,)))


def test_a_rule_file_with_an_alias_bomb_is_refused():
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"{n}: &{n} [" + ",".join(f"*{p}" for _ in range(9)) + "]" for p, n in zip("abcdefgh", "bcdefghi")]
    load_and_run("\n".join(laughs) + "\n" + house_rule().replace("  patterns: ", "  words: *i\n  patterns: "))


@settings(FUZZ, max_examples=150)
@given(rnd=seeded_random, name=st.sampled_from([".claimaudit.toml", "pyproject.toml"]))
def test_config_files_load_or_are_refused(tmp_path_factory, rnd, name):
    text = inputs.config_body(rnd, 0.5) if name != "pyproject.toml" else inputs.pyproject_body(rnd, 0.5)
    path = write(tmp_path_factory.mktemp("cfg"), name, mutated(text.encode("utf-8", "surrogatepass"), rnd))
    loaded = read_or_refuse(read_config, path, path)
    if loaded is not None:
        config = loaded.config
        for pattern in list(config.paths) + list(config.exclude) + [p for o in config.overrides for p in o.paths]:
            with finishes():
                assert glob_matches(pattern, "site/page.html") in (True, False)


@settings(FUZZ, max_examples=80)
@given(pattern=st.one_of(st.sampled_from(inputs.GLOBS), st.text(alphabet="[]!^-*?/\\az", max_size=12)))
@example(pattern="[]")
@example(pattern="[z-a]")
def test_any_glob_in_a_config_loads_and_matches_or_is_refused(tmp_path_factory, pattern):
    path = write(tmp_path_factory.mktemp("glob"), ".claimaudit.toml",
                 f"exclude = [{json.dumps(pattern)}]\n".encode())
    loaded = read_or_refuse(read_config, path, path)
    if loaded is not None:
        assert glob_matches(pattern, "site/page.html") in (True, False)


@settings(FUZZ, max_examples=150)
@given(rnd=seeded_random)
def test_baselines_parse_or_are_refused(rnd):
    baseline = read_or_refuse(parse_baseline, Path("baseline.json"), inputs.baseline_text(rnd, 0.5), "baseline.json")
    if baseline is not None:
        for entry in baseline.entries:
            assert isinstance(entry.claim, str) and isinstance(entry.rule, str)


@pytest.mark.parametrize("text", [
    '{"entries": ' + "[" * 2000 + "]" * 2000 + "}",
    '{"schema": "claimaudit-baseline", "version": ' + "9" * 5000 + ', "entries": []}',
    '{"entries": [], "version": 1e400}',
    '{"entries": [], "version": NaN}',
    '{"entries": [{"claim": "a", "rule": "CA101", "text": ' + "1" * 5000 + "}]}",
], ids=["deep", "5000-digit-version", "1e400-version", "nan-version", "5000-digit-text"])
def test_hostile_baselines_are_refused_naming_the_file(text):
    read_or_refuse(parse_baseline, Path("baseline.json"), text, "baseline.json")


@settings(FUZZ)
@given(rnd=seeded_random)
def test_reviewed_workbooks_read_or_are_refused(tmp_path_factory, rnd):
    data = inputs.review_workbook(rnd, ["a1b2c3", "d4e5f6"], hostile=0.5)
    if rnd.random() < 0.2:
        data = inputs.broken_zip(data, rnd)
    path = write(tmp_path_factory.mktemp("review"), "reviewed.xlsx", data)
    reviewed = read_or_refuse(read_review, path, path)
    if reviewed is not None:
        assert len({row.id for row in reviewed.rows}) == len(reviewed.rows)


def test_reviewed_workbook_with_an_enormous_line_number_is_refused_or_read(tmp_path):
    header = inputs.REVIEW_HEADER
    row = ["a1b2c3", "page.html", inputs.Raw("><v>1e400</v>"), "Walking cures pain.", "overstated", "CA101",
           "Approve", "", "Ann", "2024-05-01"]
    path = write(tmp_path, "reviewed.xlsx", inputs.workbook_bytes([inputs.Sheet("Claims", [header, row])]))
    read_or_refuse(read_review, path, path)
