"""The ingest entry points: files, folders, in-memory text, and their errors."""

import shutil
from pathlib import Path

import pytest

from claimaudit.errors import InputError
from claimaudit.ingest import COPY_SUFFIXES, document_from_text, load_copy

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
COPY_FIXTURES = sorted(p for p in FIXTURES.iterdir() if p.suffix in COPY_SUFFIXES)


def test_copy_suffixes():
    assert COPY_SUFFIXES == {".html", ".htm", ".md", ".markdown", ".txt", ".csv", ".xlsx", ".pdf", ".docx", ".pptx"}


@pytest.mark.parametrize("path", COPY_FIXTURES, ids=lambda p: p.name)
def test_every_extracted_character_maps_back_to_the_same_character(path):
    (doc,) = load_copy(path)
    assert doc.blocks
    for block in doc.blocks:
        assert block.end > block.start
        for offset in range(block.start, block.end):
            char = doc.text[offset]
            if char.isalnum():
                raw_char = doc.raw[doc.raw_offset(offset)]
                # an entity ("&eacute;") decodes to one character at its "&"
                assert raw_char in (char, "&"), (path.name, offset, char, raw_char)


def test_folder_loads_every_copy_file_sorted_and_recursively(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "page.md").write_text("# Title\n\nHeat may help.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Cold may help.\n", encoding="utf-8")
    (tmp_path / "notes.odt").write_bytes(b"PK\x03\x04")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "old.txt").write_text("Stale copy.\n", encoding="utf-8")
    (tmp_path / "~$claims.xlsx").write_bytes(b"lock")
    docs = load_copy(tmp_path)
    assert [Path(d.path).relative_to(tmp_path).as_posix() for d in docs] == ["a.txt", "b/page.md"]
    assert [d.media_type for d in docs] == ["text", "markdown"]


def test_folder_without_copy_files_is_an_error(tmp_path):
    (tmp_path / "notes.odt").write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="no copy files") as caught:
        load_copy(tmp_path)
    assert caught.value.path == str(tmp_path)


def test_missing_file_is_an_error(tmp_path):
    path = tmp_path / "page.html"
    with pytest.raises(InputError, match="not found") as caught:
        load_copy(path)
    assert str(caught.value).startswith(str(path))


def test_unsupported_extension_is_an_error(tmp_path):
    path = tmp_path / "page.odt"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match=r"unsupported file type '\.odt'") as caught:
        load_copy(path)
    assert caught.value.path == str(path)


@pytest.mark.parametrize("name, content", [
    ("empty.txt", ""),
    ("blank.md", "\n\n   \n"),
    ("chrome-only.html", "<html><body><nav>Home</nav><script>x()</script></body></html>"),
])
def test_input_without_text_is_an_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="no text") as caught:
        load_copy(path)
    assert caught.value.path == str(path)


def test_uppercase_extensions_are_recognised(tmp_path):
    path = tmp_path / "PAGE.HTM"
    shutil.copy(FIXTURES / "clinic-page.html", path)
    (doc,) = load_copy(path)
    assert doc.media_type == "html"
    assert "Cartilage injections" in doc.text


@pytest.mark.parametrize("media_type, source, first_block", [
    ("html", "<h1>Knees</h1><p>Heat &amp; rest help.</p>", "Knees"),
    ("markdown", "# Knees\n\nHeat *and* rest help.\n", "Knees"),
    ("text", "Knees\n\nHeat and rest help.\n", "Knees"),
])
def test_document_from_text(media_type, source, first_block):
    doc = document_from_text(source, name="memo", media_type=media_type)
    assert doc.path == "memo"
    assert doc.media_type == media_type
    assert doc.text.startswith(first_block)
    assert doc.blocks[0].kind == "heading"
    assert doc.text.endswith("rest help.")


def test_document_from_text_keeps_line_numbers_of_windows_text():
    doc = document_from_text("Title\r\n\r\nFirst claim.\r\nSecond line.\r\n", "memo.txt")
    assert doc.line_col(doc.text.index("Second line")) == (4, 1)


def test_document_from_text_rejects_unknown_media_types():
    with pytest.raises(InputError, match="unknown media type 'pdf'"):
        document_from_text("x", "memo", "pdf")


def test_document_from_empty_text_is_an_error():
    with pytest.raises(InputError, match="no text") as caught:
        document_from_text("   ", "memo")
    assert caught.value.path == "memo"
