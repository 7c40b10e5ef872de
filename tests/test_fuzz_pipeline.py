"""The whole audit, fed generated copy and source packs through the Python API: it returns
or raises InputError; its JSON is the same bytes every time, warm cache or cold; and no report lets the copy
act: no live markup in the HTML, no formula in the workbook, no terminal control or bidi
override in text or GitHub output."""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from claimaudit import api
from claimaudit.errors import InputError
from claimaudit.ingest import document_from_text
from claimaudit.report.check_text import render_check_text
from claimaudit.report.github import render_github
from claimaudit.report.html_report import render_html
from claimaudit.report.xlsx_report import render_xlsx
from claimaudit.rules.loader import load_rules
from fuzz_support import FUZZ, finishes, inputs, seeded_random


@lru_cache(maxsize=1)
def builtin_rules():
    return load_rules()


def generated_copy(rnd, hostile: float):
    media = rnd.choice(["html", "markdown", "text", "csv"])
    maker = {"html": inputs.html_page, "markdown": inputs.markdown_page, "text": inputs.text_page,
             "csv": inputs.csv_table}[media]
    return maker(rnd, hostile), media


def audit_or_refuse(text: str, media: str, pack):
    try:
        with finishes():
            document = document_from_text(text, name=f"page.{media}", media_type=media)
            return api.audit([document], sources=pack, loaded_rules=builtin_rules())
    except InputError as error:
        assert str(error).strip()
        return None


def generated_pack(rnd) -> dict:
    entries = inputs.pack_entries(rnd, hostile=0.0)
    # Valid entries only: this file is about the pipeline, the pack readers have their own tests.
    return {"sources": [dict(e, id=f"s{n}") for n, e in enumerate(entries)] or [
        {"id": "s1", "summary": "Daily walking was associated with less back pain in 40% of 200 adults."}]}


@contextmanager
def cache_off() -> Iterator[None]:
    saved = os.environ.get("CLAIMAUDIT_CACHE_DIR")
    os.environ["CLAIMAUDIT_CACHE_DIR"] = "off"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["CLAIMAUDIT_CACHE_DIR"]
        else:
            os.environ["CLAIMAUDIT_CACHE_DIR"] = saved


@settings(FUZZ, max_examples=60)
@given(rnd=seeded_random)
def test_audit_of_generated_copy_returns_or_refuses_and_its_json_is_deterministic(rnd):
    text, media = generated_copy(rnd, hostile=0.3)
    pack = generated_pack(rnd)
    first = audit_or_refuse(text, media, pack)
    again = audit_or_refuse(text, media, pack)  # served from the cache the first run filled
    with cache_off():
        cold = audit_or_refuse(text, media, pack)
    assert (first is None) == (again is None) == (cold is None)
    if first is not None:
        assert first.to_json() == again.to_json() == cold.to_json()


@settings(FUZZ, max_examples=50)
@given(rnd=seeded_random, marker=st.sampled_from(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]),
       media=st.sampled_from(["text", "markdown", "csv"]))
def test_html_report_shows_hostile_copy_as_text(rnd, marker, media):
    claims = [inputs.sentence(rnd) for _ in range(3)]
    claims[rnd.randrange(3)] = f"Walking cures back pain {marker} in 95% of people."
    text = "\n".join(["claim"] + claims) if media == "csv" else "\n\n".join(claims)
    audited = audit_or_refuse(text, media, generated_pack(rnd))
    if audited is not None:
        html = render_html(audited.result)
        assert "<script>alert(" not in html
        assert "<img src=x onerror" not in html


@settings(FUZZ, max_examples=50)
@given(rnd=seeded_random, lead=st.sampled_from(["=", "+", "-", "@"]))
def test_workbook_report_never_turns_copy_into_a_formula(rnd, lead):
    from openpyxl import load_workbook

    claims = [f"{lead}{inputs.sentence(rnd)}" for _ in range(3)] + [f'{lead}HYPERLINK("http://x.example","cures 95%")']
    text = "\n".join(["claim"] + ['"' + c.replace('"', '""') + '"' for c in claims])
    audited = audit_or_refuse(text, "csv", generated_pack(rnd))
    if audited is not None:
        workbook = load_workbook(io.BytesIO(render_xlsx(audited.result)))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value[:1] in "=+-@" and cell.data_type == "f":
                        assert not any(claim[1:20] in cell.value for claim in claims), f"{cell.coordinate}: {cell.value}"


TERMINAL_CONTROLS = ("\x1b", "\x07", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                     "\u2068", "\u2069")


@settings(FUZZ, max_examples=50)
@given(rnd=seeded_random, hostile=st.sampled_from(["\x1b[31m", "\x1b]0;x\x07", "\x07", "\u202e", "\u2066", "[/note]"]))
def test_text_and_github_output_hold_no_terminal_controls_from_copy(rnd, hostile):
    claims = [inputs.sentence(rnd) for _ in range(3)]
    claims[0] = f"Walking {hostile}cures back pain in 95% of people."
    audited = audit_or_refuse("\n\n".join(claims), "text", generated_pack(rnd))
    if audited is not None:
        for output in (render_check_text(audited.result, verbose=True), render_github(audited.result)):
            assert not any(ch in output for ch in TERMINAL_CONTROLS), repr(output[:300])


@settings(FUZZ, max_examples=40)
@given(rnd=seeded_random, pack_kind=st.sampled_from(["yaml", "json", "csv"]))
def test_audit_of_files_on_disk_returns_or_refuses(tmp_path_factory, rnd, pack_kind):
    folder: Path = tmp_path_factory.mktemp("site")
    text, media = generated_copy(rnd, hostile=0.3)
    suffix = {"html": "html", "markdown": "md", "text": "txt", "csv": "csv"}[media]
    page = folder / f"page.{suffix}"
    page.write_text(text, "utf-8")
    maker = {"yaml": inputs.yaml_pack, "json": inputs.json_pack, "csv": inputs.csv_pack}[pack_kind]
    pack = folder / f"pack.{pack_kind}"
    pack.write_text(maker(rnd, 0.2), "utf-8")
    try:
        with finishes():
            audited = api.audit(str(page), sources=str(pack), loaded_rules=builtin_rules())
    except InputError as error:
        assert page.name in str(error) or pack.name in str(error), str(error)
    else:
        assert audited.to_json() == api.audit(str(page), sources=str(pack), loaded_rules=builtin_rules()).to_json()
