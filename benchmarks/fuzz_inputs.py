"""Input generators for the fuzz campaign (``benchmarks/fuzz.py``) and the property tests.

Every generator takes a ``random.Random`` and returns bytes (or a folder
layout), so a case is reproduced from its seed alone. Each draws a mix of
well-formed input (so the deeper stages run), mutated input (valid input with
bytes flipped, cut or repeated) and hostile input: deep nesting, huge numbers,
control characters, terminal escapes, bidi overrides, rich markup, YAML alias
bombs, catastrophic regexes, zip bombs, giant lines and bad encodings.

The workbooks are written as raw zip parts rather than with openpyxl, so a
case can hold what openpyxl would never write (a shared-string index out of
range, a 1e400 number, a formula, a cell that unpacks to hundreds of MB).
"""

from __future__ import annotations

import codecs
import io
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

# --- text pieces ---------------------------------------------------------------------------

SUBJECTS = ["Daily walking", "The cream", "Omega-3", "Our clinic's therapy", "Stem cell treatment",
            "Vitamin D", "The app", "Acupuncture", "This supplement", "Cold water swimming"]
VERBS = ["reduces", "cures", "may lower", "is associated with less", "prevents", "heals",
         "improves", "doubles", "eliminates", "was linked to lower"]
OBJECTS = ["the risk of dementia", "back pain", "eczema flares", "memory loss", "knee arthritis",
           "migraine days", "blood pressure", "stroke risk", "anxiety", "hair loss"]
QUALIFIERS = ["in 85% of patients", "by 40%", "in 3 of 20 adults", "within 2 weeks", "for life",
              "overnight", "in a trial of 12,000 people", "in mice", "", "", "guaranteed", "2x faster"]

# Text a report or a terminal must never act on.
HOSTILE_TEXT = [
    "\x1b[31mRED\x1b[0m", "\x1b]0;title\x07", "\x07", "\x1b[2J", "\u202eevil\u202c", "\u2066iso\u2069",
    "\u200f", "\u061c", "[/note]", "[bold red]x[/]", "[link=http://x.example]y[/link]", "[see note]",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x.example\")",
    "+1+1", "-2+3", "@SUM(A1:A9)", "=1+1", "\x00", "\ufeff", "\r", "\u2028", "\u2029", "\x85",
    "{word}", "{0}", "%s%n", "${HOME}", "\\", "&amp;", "&#0;", "&#x110000;", "&#99999999999;", "&#1;", "&#27;[31m",
    "&#x202e;", "&#7", 
    "\x0b\x0c", "\x7f", "\ud7ff", "\U0001F600", "e\u0301" * 20, "\u0000\u0001\u0002",
]
# Hostile text a report writer must escape (subset of the above, used by the pipeline checks).
INJECTION_MARKERS = ("<script>alert(", "<img src=x onerror")
FORMULA_STARTS = ("=", "+", "-", "@")
TERMINAL_HOSTILE = ("\x1b", "\x07", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                    "\u2066", "\u2067", "\u2068", "\u2069")


def sentence(rng: random.Random, hostile: float = 0.0) -> str:
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)]
    text = " ".join(p for p in parts if p) + rng.choice([".", ".", "!", "?", ""])
    if rng.random() < hostile:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(HOSTILE_TEXT) + text[at:]
    return text


def paragraph(rng: random.Random, hostile: float = 0.0) -> str:
    return " ".join(sentence(rng, hostile) for _ in range(rng.randint(1, 4)))


def word(rng: random.Random) -> str:
    return rng.choice(["alpha", "beta", "miracle", "cure", "proven", "x", "a" * rng.randint(1, 30),
                       "naïve", "日本", "\u202e", "[b]", "clinically"])


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    """Valid bytes with a few random edits: flips, cuts, repeats and hostile inserts."""
    buf = bytearray(data)
    for _ in range(rounds or rng.randint(1, 6)):
        op = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:
            del buf[at:at + rng.randint(1, 40)]
        elif op == 2:
            piece = bytes(buf[at:at + rng.randint(1, 60)])
            buf[at:at] = piece * rng.randint(2, 50)
        elif op == 3:
            buf[at:at] = rng.choice(HOSTILE_TEXT).encode("utf-8", "surrogatepass")
        elif op == 4:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 5:
            del buf[at:]
        else:
            buf[at:at] = rng.choice([b"\n", b"\r\n", b"\r", b"\t", b"  ", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf"])
    return bytes(buf)


def encode(text: str, rng: random.Random) -> bytes:
    """Text in one of the encodings copy arrives in, sometimes with a wrong or missing BOM."""
    choice = rng.random()
    if choice < 0.6:
        return text.encode("utf-8", "surrogatepass")
    if choice < 0.7:
        return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")
    if choice < 0.78:
        return text.encode("utf-16", "surrogatepass")
    if choice < 0.82:
        return text.encode("utf-16-le", "surrogatepass")  # no BOM
    if choice < 0.86:
        return text.encode("utf-32", "surrogatepass")
    if choice < 0.93:
        return text.encode("cp1252", "replace")
    if choice < 0.96:
        return codecs.BOM_UTF16_LE + text.encode("utf-8", "surrogatepass")  # the BOM lies
    return text.encode("shift_jis", "replace")


def random_bytes(rng: random.Random, size: int | None = None) -> bytes:
    size = rng.choice([0, 1, 2, 3, 4, 17, 100, 1000, 5000]) if size is None else size
    return bytes(rng.randrange(256) for _ in range(size))


def encoding_case(rng: random.Random) -> bytes:
    """Bytes for the decoder: random, BOM-led, declared charsets, mixed encodings."""
    kind = rng.randrange(8)
    if kind == 0:
        return random_bytes(rng)
    if kind == 1:
        bom = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                          codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE])
        return bom + random_bytes(rng, rng.randint(0, 300))
    if kind == 2:
        charset = rng.choice(["undefined", "utf-7", "x-user-defined", "utf-16", "latin-1", "koi8-r",
                              "iso-2022-jp", "bogus\x00", "", "utf-32", "cp1252", "unicode", "mbcs",
                              "rot13", "base64", "hex", "idna", "punycode", "uu", "zlib"])
        body = paragraph(rng, 0.2).encode("cp1252", "replace") + bytes([rng.randrange(128, 256)])
        return f'<html><head><meta charset="{charset}"></head><body><p>'.encode() + body + b"</p></body></html>"
    if kind == 3:
        return encode(paragraph(rng, 0.3) + "\n" + paragraph(rng, 0.3), rng)
    if kind == 4:
        return paragraph(rng).encode("utf-8") + random_bytes(rng, rng.randint(1, 40)) + paragraph(rng).encode("utf-16")
    if kind == 5:
        return mutate(encode(paragraph(rng, 0.2), rng), rng)
    if kind == 6:
        return ("".join(rng.choice(HOSTILE_TEXT) for _ in range(rng.randint(1, 50)))).encode("utf-8", "surrogatepass")
    return bytes([rng.choice([0, 0x1b, 0x07, 0x80, 0x9b, 0xc0, 0xed, 0xf4, 0xff])]) * rng.randint(1, 5000)


# --- copy -----------------------------------------------------------------------------------


def html_page(rng: random.Random, hostile: float = 0.1) -> str:
    parts = ["<!doctype html><html><head><title>", xml_escape(sentence(rng)), "</title>"]
    if rng.random() < 0.2:
        parts.append(f'<meta charset="{rng.choice(["utf-8", "undefined", "latin-1", "utf-7", "utf-16"])}">')
    parts.append("</head><body>")
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(10)
        text = xml_escape(paragraph(rng, hostile)) if rng.random() < 0.8 else paragraph(rng, hostile)
        if kind == 0:
            parts.append(f"<h{rng.randint(1, 6)}>{text}</h{rng.randint(1, 6)}>")
        elif kind == 1:
            parts.append("<ul>" + "".join(f"<li>{xml_escape(sentence(rng, hostile))}</li>"
                                          for _ in range(rng.randint(1, 5))) + "</ul>")
        elif kind == 2:
            parts.append("<table><tr><th>Claim</th></tr>" + "".join(
                f"<tr><td>{xml_escape(sentence(rng, hostile))}</td></tr>" for _ in range(rng.randint(1, 4))) + "</table>")
        elif kind == 3:
            parts.append(f"<script>var x = '{sentence(rng)}';</script><style>p{{color:red}}</style>")
        elif kind == 4:
            parts.append(f"<!-- {sentence(rng)} --><p>{text}</p>")
        elif kind == 5:
            parts.append(f'<p class="{rng.choice(["footer", "nav", "cookie", "x"])}" title="{xml_escape(word(rng))}">'
                         f'{text} <a href="https://doi.org/10.1000/{rng.randint(1, 999)}">ref</a></p>')
        elif kind == 6:
            parts.append(f"<p>{text}</p><p>Source: {rng.choice(SUBJECTS)} et al. 2021. doi:10.1000/xyz{rng.randint(1, 99)}</p>")
        elif kind == 7:
            parts.append(f"<div><b>{text}</b><i>{xml_escape(sentence(rng, hostile))}</i></div>")
        elif kind == 8:
            parts.append("&lt;script&gt;alert(1)&lt;/script&gt; " + text + " &amp;&#x27;&quot;&nbsp;&#128512;")
        else:
            parts.append(f"<p>{text}")  # unclosed
    parts.append("</body></html>")
    return "".join(parts)


def hostile_html(rng: random.Random) -> str:
    depth = rng.choice([100, 1000, 5000, 20000])
    kind = rng.randrange(9)
    if kind == 0:
        return "<div>" * depth + sentence(rng) + "</div>" * depth
    if kind == 1:
        return "<ul><li>" * depth + sentence(rng) + "</li></ul>" * depth
    if kind == 2:
        return "<p>" + "&#x110000;&#0;&#99999999;&bogus;" * rng.randint(1, 2000) + "</p>"
    if kind == 3:
        return "<p>" + sentence(rng) + " " + "word " * rng.randint(10_000, 100_000) + "</p>"
    if kind == 4:
        return f'<p title="{"x" * rng.randint(1000, 100_000)}">{sentence(rng)}</p>' + "<" * rng.randint(1, 5000)
    if kind == 5:
        return "<table>" + "<tr>" + "<td>" * depth + sentence(rng) + "</table>"
    if kind == 6:
        return "<p>" + "".join(rng.choice(HOSTILE_TEXT) for _ in range(rng.randint(10, 2000))) + "</p>"
    if kind == 7:
        return "<!--" + sentence(rng) + "<p>" * depth
    return "<blockquote>" * depth + sentence(rng)


def markdown_page(rng: random.Random, hostile: float = 0.1) -> str:
    lines: list[str] = []
    if rng.random() < 0.15:
        lines += ["---", f"title: {word(rng)}", "---", ""]
    for _ in range(rng.randint(1, 10)):
        kind = rng.randrange(11)
        if kind == 0:
            lines.append("#" * rng.randint(1, 7) + " " + sentence(rng, hostile))
        elif kind == 1:
            lines += [f"{rng.choice(['-', '*', '+', '1.', '2)'])} {sentence(rng, hostile)}" for _ in range(rng.randint(1, 4))]
        elif kind == 2:
            lines += ["> " * rng.randint(1, 4) + sentence(rng, hostile)]
        elif kind == 3:
            lines += ["```" + rng.choice(["", "python", "`"]), sentence(rng), "```" if rng.random() < 0.8 else ""]
        elif kind == 4:
            lines += ["| Claim | Source |", "|---|---|"] + [f"| {sentence(rng, hostile)} | s{rng.randint(1, 3)} |"
                                                           for _ in range(rng.randint(1, 3))]
        elif kind == 5:
            lines.append(f"{sentence(rng, hostile)} [link]({rng.choice(['https://x.example', '<>', '(('])}) "
                         f"**{word(rng)}** _{word(rng)}_ `{word(rng)}` ![img](x.png)")
        elif kind == 6:
            lines.append(f"<div>{sentence(rng, hostile)}</div> &amp; &#x27; &#0; &nbsp;")
        elif kind == 7:
            lines += ["Source: " + rng.choice(SUBJECTS) + " et al. 2020. doi:10.1000/abc", ""]
        elif kind == 8:
            lines.append("    " + sentence(rng))
        elif kind == 9:
            lines.append(f"[{word(rng)}]: https://x.example \"t\"\n[{word(rng)}][{word(rng)}]")
        else:
            lines.append(paragraph(rng, hostile))
        lines.append(rng.choice(["", "", "\n", "***", "==="]))
    return "\n".join(lines)


def hostile_markdown(rng: random.Random) -> str:
    n = rng.choice([100, 1000, 5000, 20000])
    kind = rng.randrange(10)
    if kind == 0:
        return ">" * n + " " + sentence(rng)
    if kind == 1:
        return sentence(rng) + " " + "`" * n + " " + sentence(rng)
    if kind == 2:
        return "*" * n + sentence(rng) + "_" * n
    if kind == 3:
        return "[" * n + sentence(rng) + "](" * n
    if kind == 4:
        return "\n".join("  " * i + "- " + word(rng) for i in range(min(n, 3000)))
    if kind == 5:
        return "".join(f"`{'`' * (i % 7)}a" for i in range(n))
    if kind == 6:
        return "<!--" + sentence(rng) + "\n" * 3 + "x " * n
    if kind == 7:
        return "\n".join(f"[r{i}]: https://x.example/{i}" for i in range(n)) + "\n" + "[r1] " * n
    if kind == 8:
        return "> - " * (n // 4) + sentence(rng)
    return "|" * n + "\n" + "|-" * n + "\n" + "| a " * n


def text_page(rng: random.Random, hostile: float = 0.1) -> str:
    blocks = []
    for _ in range(rng.randint(1, 8)):
        if rng.random() < 0.2:
            blocks.append(sentence(rng).upper())
        blocks.append(paragraph(rng, hostile))
        if rng.random() < 0.1:
            blocks.append("Reference: " + rng.choice(SUBJECTS) + " et al. (2019). PMID: " + str(rng.randint(1, 10**8)))
    return rng.choice(["\n\n", "\n", "\r\n\r\n", "\r\r", "\n\n\n\n"]).join(blocks)


def hostile_text(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return sentence(rng) + " " + "x" * rng.randint(100_000, 1_000_000)  # one giant line
    if kind == 1:
        return "\n" * rng.randint(1000, 200_000) + sentence(rng)
    if kind == 2:
        return "".join(rng.choice(HOSTILE_TEXT) + sentence(rng) for _ in range(rng.randint(1, 200)))
    if kind == 3:
        return (sentence(rng) + " ") * rng.randint(1000, 20_000)
    if kind == 4:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(1, 5000)))
    return "\r" * rng.randint(1, 1000) + sentence(rng) + "\x0c" * 10


def csv_table(rng: random.Random, hostile: float = 0.1) -> str:
    delimiter = rng.choice([",", ",", ";", "\t", "|"])
    header = rng.choice([["claim", "source"], ["Claim", "Sources", "Page"], ["id", "claim"], ["text", "x"],
                         ["claim"], ["source", "claim", "claim"], [], ["", "claim"]])
    rows = [header]
    for _ in range(rng.randint(0, 12)):
        claim = sentence(rng, hostile)
        if rng.random() < 0.3:
            claim = '"' + claim.replace('"', '""') + '"'
        if rng.random() < 0.05:
            claim = rng.choice(FORMULA_STARTS) + claim
        rows.append([claim, rng.choice(["s1", "s1;s2", "", "s9", "s1, s2", '"unclosed'])][: max(len(header), 1)])
    return "\n".join(delimiter.join(row) for row in rows)


def hostile_csv(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return "claim\n\"" + "x" * rng.randint(10_000, 2_000_000)
    if kind == 1:
        return ",".join(["claim"] + [f"c{i}" for i in range(rng.randint(1000, 20_000))]) + "\n" + sentence(rng)
    if kind == 2:
        return "claim,source\n" + "\n".join(f"{sentence(rng)},s{i}" for i in range(rng.randint(2000, 20_000)))
    if kind == 3:
        return "claim\n" + '"' * rng.randint(1, 10_000) + sentence(rng)
    return "claim\x00,source\n" + sentence(rng) + "\x00,s1"


# --- workbooks --------------------------------------------------------------------------------

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  '<Default Extension="xml" ContentType="application/xml"/>'
                  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                  '{sheets}'
                  '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                  '</Types>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
              '</Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


@dataclass
class Sheet:
    """A worksheet as rows of cells; a cell is a str, int, float, None or a raw ``<c>`` element (``Raw``)."""

    title: str
    rows: list[list[object]] = field(default_factory=list)


@dataclass(frozen=True)
class Raw:
    xml: str  # the inside of <c r="..">...</c> plus attributes, e.g. ' t="s"><v>99</v>'


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _clean_xml(text: str) -> str:
    # XML 1.0 cannot hold most control characters at all; a real workbook would not either.
    return "".join(ch for ch in text if ch in "\t\n\r" or (ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF
                                                           and ch not in "\ufffe\uffff"))


def workbook_bytes(sheets: list[Sheet], *, shared: bool = True, extra_shared: int = 0) -> bytes:
    """A minimal .xlsx: strings go to the shared-string table (or inline), numbers as values."""
    strings: list[str] = []
    index: dict[str, int] = {}
    sheet_xml: list[str] = []
    for sheet in sheets:
        out = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>']
        for r, row in enumerate(sheet.rows, 1):
            out.append(f'<row r="{r}">')
            for c, value in enumerate(row):
                ref = f"{_column(c)}{r}"
                if value is None:
                    continue
                if isinstance(value, Raw):
                    out.append(f'<c r="{ref}"{value.xml}</c>')
                elif isinstance(value, bool) or isinstance(value, (int, float)):
                    out.append(f'<c r="{ref}"><v>{value}</v></c>')
                else:
                    text = _clean_xml(str(value))
                    if shared:
                        if text not in index:
                            index[text] = len(strings)
                            strings.append(text)
                        out.append(f'<c r="{ref}" t="s"><v>{index[text]}</v></c>')
                    else:
                        out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(text)}</t></is></c>')
            out.append("</row>")
        out.append("</sheetData></worksheet>")
        sheet_xml.append("".join(out))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(sheets)))
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS}><sheets>' + "".join(
            f'<sheet name="{xml_escape(_clean_xml(s.title))[:31] or "S"}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, s in enumerate(sheets)) + "</sheets></workbook>")
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                              f'relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
                    + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(strings)}">'
                    + "".join(f'<si><t xml:space="preserve">{xml_escape(s)}</t></si>' for s in strings)
                    + "<si><t>x</t></si>" * extra_shared + "</sst>")
        for i, xml in enumerate(sheet_xml):
            zf.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return buffer.getvalue()


def bomb_workbook(rng: random.Random, header: list[str]) -> bytes:
    """A small file that unpacks to a huge cell or a huge number of rows."""
    kind = rng.randrange(3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        base = workbook_bytes([Sheet("Sheet1", [header])])
        with zipfile.ZipFile(io.BytesIO(base)) as template:
            for item in template.infolist():
                if item.filename not in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
                    zf.writestr(item.filename, template.read(item.filename))
        cells = "".join(f'<c r="{_column(i)}1" t="inlineStr"><is><t>{xml_escape(h)}</t></is></c>' for i, h in enumerate(header))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData><row r="1">{cells}</row>'.encode())
            if kind == 0:  # one cell of hundreds of MB
                part.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
                chunk = b"a" * (1 << 20)
                for _ in range(rng.choice([80, 200])):
                    part.write(chunk)
                part.write(b"</t></is></c></row>")
            elif kind == 1:  # a few million rows
                row = '<row r="{0}"><c r="A{0}" t="inlineStr"><is><t>Walking cures pain.</t></is></c></row>'
                for start in range(2, rng.choice([200_000, 600_000]), 10_000):
                    part.write("".join(row.format(r) for r in range(start, start + 10_000)).encode())
            else:  # one row with a million cells
                part.write(b'<row r="2">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 1_000_000 + b"</row>")
            part.write(b"</sheetData></worksheet>")
        zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="0"></sst>')
    return buffer.getvalue()


def hostile_cell(rng: random.Random) -> object:
    return rng.choice([
        Raw(' t="s"><v>99999</v>'), Raw(' t="s"><v>-1</v>'), Raw(' t="s"><v>abc</v>'), Raw("><v>1e400</v>"),
        Raw("><v>NaN</v>"), Raw(' t="n"><v>x</v>'), Raw("><f>1+1</f><v>2</v>"), Raw(' t="d"><v>not-a-date</v>'),
        Raw(' t="b"><v>7</v>'), Raw(' t="e"><v>#REF!</v>'), Raw(' t="str"><v>=cmd|calc</v>'),
        Raw(' r="ZZZZZ99999999"><v>1</v>'), Raw(' t="inlineStr"><is><t>' + "\u202e" * 3 + "</t></is>"),
        10 ** rng.randint(1, 400), -1.5e308, 1e-320, float(rng.randint(-10**6, 10**6)), "", None,
        "=HYPERLINK(\"http://x.example\")", "@SUM(1)", rng.choice(HOSTILE_TEXT),
    ])


def claims_workbook(rng: random.Random, hostile: float = 0.1) -> bytes:
    header = rng.choice([["Claim", "Source"], ["claim"], ["Page", "Claim", "Sources"], ["x", "y"], []])
    rows: list[list[object]] = [list(header)]
    for _ in range(rng.randint(0, 10)):
        row: list[object] = [sentence(rng, hostile), rng.choice(["s1", "s2", "", "s1; s2"])]
        if rng.random() < hostile:
            row[rng.randrange(len(row))] = hostile_cell(rng)
        rows.append(row)
    sheets = [Sheet(rng.choice(["Claims", "Sheet1", "\u202e"]), rows)]
    if rng.random() < 0.2:
        sheets.insert(0, Sheet("Notes", [[sentence(rng)]]))
    return workbook_bytes(sheets, shared=rng.random() < 0.7)


def sources_workbook(rng: random.Random, hostile: float = 0.1) -> bytes:
    header = rng.choice([["id", "summary", "citation"], ["ID", "Summary"], ["summary", "id", "doi", "pmid"]])
    if rng.random() < hostile:
        header = rng.choice([["id"], ["summary"], [], ["id", "id", "summary"]])
    rows: list[list[object]] = [list(header)]
    for n in range(rng.randint(0, 8)):
        entry = source_entry(rng, n, hostile)
        row: list[object] = [entry.get(h.lower(), "") for h in header]
        if row and rng.random() < hostile:
            row[rng.randrange(len(row))] = hostile_cell(rng)
        rows.append(row)
    return workbook_bytes([Sheet("Sources", rows)], shared=rng.random() < 0.7)


REVIEW_HEADER = ["ID", "Document", "Line", "Claim", "Verdict", "Rules", "Decision", "Comment", "Reviewer", "Date"]


def review_workbook(rng: random.Random, ids: list[str], hostile: float = 0.15) -> bytes:
    """The Claims sheet a reviewer filled in; with probability ``hostile`` per row, one odd cell."""
    header = list(REVIEW_HEADER)
    if rng.random() < 0.2:
        rng.shuffle(header)
    if rng.random() < hostile * 0.3:
        header.remove(rng.choice(["ID", "Decision"]))
    rows: list[list[object]] = [header]
    unused = list(ids)
    rng.shuffle(unused)
    for n in range(rng.randint(0, 10)):
        values = {
            "ID": unused.pop() if unused and rng.random() < 0.7 else f"c{n:04d}",
            "Document": rng.choice(["page.html", "other.md", ""]),
            "Line": rng.choice([1, 2, 17, None]),
            "Claim": sentence(rng, hostile),
            "Verdict": rng.choice(["supported", "overstated", "unsupported"]),
            "Rules": rng.choice(["CA101", "CA101, CA201", ""]),
            "Decision": rng.choice(["Approve", "approve ", "Reject", "Needs source", "Approve with change", "", ""]),
            "Comment": rng.choice(["", sentence(rng, hostile)]),
            "Reviewer": rng.choice(["", "Ann", "Bob"]),
            "Date": rng.choice(["", "2024-05-01", 45000]),
        }
        if rng.random() < hostile:
            key = rng.choice(list(values))
            values[key] = rng.choice({
                "ID": ["", "x" * 400, values["ID"] if n else ""], "Line": [0, -3, 1.5, "7", 10 ** 30],
                "Verdict": ["", "maybe"], "Rules": [",,,"], "Decision": ["Yes", "\u202eApprove"],
                "Date": ["yesterday", 1e12, -5],
            }.get(key, [rng.choice(HOSTILE_TEXT)]))
        row: list[object] = [values[h] for h in header]
        if rng.random() < hostile:
            row[rng.randrange(len(row))] = hostile_cell(rng)
        rows.append(row)
    sheets = [Sheet("Claims" if rng.random() >= hostile else rng.choice(["Summary", "claims", ""]), rows)]
    return workbook_bytes(sheets, shared=rng.random() < 0.7)


def broken_zip(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return data[: rng.randrange(len(data))]
    if kind == 1:
        return mutate(data, rng)
    if kind == 2:
        return b"PK\x03\x04" + random_bytes(rng, 200)
    return rng.choice([b"", b"not a workbook", codecs.BOM_UTF8 + b"claim\nx"])


# --- source packs --------------------------------------------------------------------------------


def big_number(digits: int) -> str:
    """A placeholder the pack writers turn into a bare number of ``digits`` digits.

    Python refuses to print an int of more than 4,300 digits, and the fuzzer must
    not lift that limit: it is part of what the readers under test run with."""
    return f"BIGNUM{digits}"


def _bare_numbers(text: str) -> str:
    return re.sub(r'"?BIGNUM(\d+)"?', lambda m: "9" * int(m.group(1)), text)


def source_entry(rng: random.Random, n: int, hostile: float = 0.1) -> dict[str, object]:
    entry: dict[str, object] = {"id": f"s{n + 1}", "summary": paragraph(rng, hostile)}
    if rng.random() < 0.6:
        entry["citation"] = f"{rng.choice(SUBJECTS)} et al. J Test. {rng.randint(1990, 2030)};{rng.randint(1, 99)}:1-9."
    if rng.random() < 0.3:
        entry["doi"] = rng.choice(["10.1000/abc", "https://doi.org/10.1/x"])
    if rng.random() < 0.3:
        entry["pmid"] = rng.choice(["37511478", 37511478])
    if rng.random() < 0.2:
        entry["url"] = "https://x.example"
    if rng.random() < hostile:
        key = rng.choice(["doi", "pmid", "url"])
        entry[key] = rng.choice({"doi": ["", "doi", "10." + "9" * 60], "pmid": ["x", "", 10 ** 80],
                                 "url": ["javascript:alert(1)", "", "ftp://"]}[key])
    if rng.random() < hostile:
        key = rng.choice(list(entry) + ["kind", "extra", "", "id"])
        entry[key] = rng.choice([None, 1, 1.5, True, [], {}, [1, [2]], "", rng.choice(HOSTILE_TEXT),
                                 big_number(rng.randint(20, 5000)), "internal", "summary"])
    return entry


def pack_entries(rng: random.Random, hostile: float = 0.1) -> list[dict[str, object]]:
    entries = [source_entry(rng, n, hostile) for n in range(rng.randint(0 if rng.random() < hostile else 1, 6))]
    if entries and rng.random() < hostile:
        entries.append(dict(entries[0]))  # a duplicate id
    return entries


def _yaml_scalar(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a YAML double-quoted scalar
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def yaml_pack(rng: random.Random, hostile: float = 0.1) -> str:
    entries = pack_entries(rng, hostile)
    style = rng.randrange(3)
    lines = [] if style == 2 else ["sources:"]
    indent = "" if style == 2 else "  "
    for entry in entries:
        first = True
        for key, value in entry.items():
            lead = f"{indent}- " if first else f"{indent}  "
            if key == "summary" and isinstance(value, str) and style == 1 and "\n" not in value:
                lines.append(f"{lead}{key}: >\n{indent}    {_yaml_scalar(value)[1:-1]}")
            else:
                lines.append(f"{lead}{key}: {_yaml_scalar(value)}")
            first = False
    if not entries and style != 2:
        lines.append("  []" if rng.random() < 0.5 else "")
    return _bare_numbers("\n".join(lines) + "\n")


def hostile_yaml(rng: random.Random, top: str = "sources") -> str:
    kind = rng.randrange(9)
    depth = rng.choice([100, 1000, 10_000, 100_000])
    if kind == 0:
        return f"{top}: " + "[" * depth + "]" * depth + "\n"
    if kind == 1:
        return f"{top}:\n" + "".join("  " * i + "- \n" for i in range(min(depth, 3000)))
    if kind == 2:
        return f"{top}: " + "{a: " * depth + "1" + "}" * depth + "\n"
    if kind == 3:
        laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i, name in enumerate("bcdefghi"):
            prev = "abcdefgh"[i]
            laughs.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
        return "\n".join(laughs) + f"\n{top}: *i\n"
    if kind == 4:
        return f"{top}:\n  - id: {'9' * rng.choice([100, 5000, 50_000])}\n    summary: x {10 ** 400}\n"
    if kind == 5:
        return f"{top}:\n  - !!python/object/apply:os.system [echo hi]\n  - !!binary aGk=\n  - !custom x\n"
    if kind == 6:
        return f"{top}:\n  - id: a\x07\x1b[31m\n    summary: \x00\x01 bad\n"
    if kind == 7:
        return "--- \n" + f"{top}: []\n" * 3 + "...\n---\n" + "&x x\n" + "*y\n"
    return f"{top}: &a\n  - *a\n"


def json_pack(rng: random.Random, hostile: float = 0.1) -> str:
    entries = pack_entries(rng, hostile)
    data: object = entries if rng.random() < 0.3 else {"sources": entries}
    return _bare_numbers(json.dumps(data, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5, default=str))


def hostile_json(rng: random.Random, top: str = "sources") -> str:
    kind = rng.randrange(7)
    depth = rng.choice([100, 1000, 2000, 100_000])
    if kind == 0:
        return f'{{"{top}": ' + "[" * depth + "]" * depth + "}"
    if kind == 1:
        return f'{{"{top}": [{{"id": {"7" * rng.choice([100, 4301, 5000, 100_000])}, "summary": "x"}}]}}'
    if kind == 2:
        return f'{{"{top}": [{{"id": "a", "summary": 1e400}}, NaN, Infinity, -Infinity]}}'
    if kind == 3:
        return '{"a": ' * depth + "1" + "}" * depth
    if kind == 4:
        return f'{{"{top}": [{{"id": "a", "id": "b", "summary": "\\ud800\\udfff\\u0000"}}]}}'
    if kind == 5:
        return f'{{"{top}": [1, 2, ' + "[], " * 100_000 + "3]}"
    return f'{{"{top}": [{{"id": "a", "summary": "' + "\\u202e\\u001b[31m\\u0007" * rng.randint(1, 1000) + '"}]}'


def csv_pack(rng: random.Random, hostile: float = 0.1) -> str:
    header = rng.choice([["id", "summary"], ["id", "citation", "summary", "doi"], ["summary"], ["ID", "Summary", "PMID"]])
    lines = [",".join(header)]
    for n, entry in enumerate(pack_entries(rng, hostile)):
        cells = []
        for key in header:
            value = str(entry.get(key.lower(), ""))
            cells.append('"' + value.replace('"', '""') + '"' if rng.random() < 0.7 else value)
        lines.append(",".join(cells))
    return _bare_numbers(rng.choice(["\n", "\r\n"]).join(lines))


def front_matter_file(rng: random.Random, n: int, hostile: float = 0.1) -> str:
    entry = source_entry(rng, n, hostile)
    body = str(entry.pop("summary"))
    fields = _bare_numbers("\n".join(f"{k}: {_yaml_scalar(v)}" for k, v in entry.items() if rng.random() < 0.8))
    kind = rng.random()
    if kind < 0.1:
        return hostile_yaml(rng, "id").replace("\n", "\n", 1).join(["---\n", "\n---\n" + body])
    if kind < 0.15:
        return "---\n" + fields + "\n" + body  # front matter never closed
    if kind < 0.2:
        return body
    if kind < 0.25:
        return "---\n" + fields + "\n---\n" + hostile_markdown(rng)
    if kind < 0.3:
        return "---\n" + fields + "\nsummary: twice\n---\n" + body
    return "---\n" + fields + "\n---\n" + ("# Title\n\n" if rng.random() < 0.3 else "") + body + "\n"


# --- rule files ---------------------------------------------------------------------------------

RULE_TEMPLATE = """\
code: {code}
name: {name}
family: {family}
extends: {extends}
level: {level}
message: {message}
params:
{params}
docs:
  what: {what}
  why: Nothing is a miracle.
  example: "A miracle cream."
  use_instead: Say what the study measured.
  references:
    - "House style guide"
examples:
  fail:
    - claim: "This miracle cream clears acne."
      evidence: "The cream cleared acne in some adults."
  pass:
    - claim: "The cream cleared acne in some adults."
      evidence: "The cream cleared acne in some adults."
"""

CATASTROPHIC = [r"(a|aa)+$", r"(a+)+$", r"(x+x+)+y", r"^(\w+\s?)*$", r"(.*a){20}", r"(a|a?)+b",
                r"((a+)+)+c", r"(\d+)*\.", r"(?:[a-z]+)*!", r"(a*)*b"]
INVALID_PATTERNS = [r"(", r"[z-a]", r"(?P<x>a)(?P<x>b)", r"a{2,1}", r"\\", r"*a", r"(?<=a+)b", r"\p{Bogus}",
                    r"[[:alpha:]", r"(?", r"a{99999999999}", r"(?i", "\x00", r"\8", r"(?#unclosed"]
MESSAGE_TEMPLATES = ['"The claim says {word}."', '"{word.x}"', '"{word[a]}"', '"{word:>1500000000}"', '"{0}"', '"{}"',
                     '"{missing}"', '"{word!r:^99999999}"', '"{{literal}}"', '"{word:%Y}"', '"}{"', '"{"',
                     '"\x1b[31m{word}\x07"', '"[/note] {word}"', '"\u202e{word}"']


def rule_file(rng: random.Random, hostile: float = 0.3) -> str:
    """A valid house rule; with probability ``hostile``, one thing about it is wrong or hostile."""
    fields = {"code": "XX101", "name": "house.no_miracles", "family": "certainty", "extends": "existence",
              "level": rng.choice(["overstated", "unsupported"]), "message": MESSAGE_TEMPLATES[0], "what": "Miracle talk."}
    words = [word(rng) for _ in range(rng.randint(0, 5))] or ["miracle"]
    patterns = [rng.choice([r"\bmiracle\b", r"cur(e|es|ed)", r"\d+%", r"a+"]) for _ in range(rng.randint(0, 3))]
    extra_params: list[str] = []
    if rng.random() < hostile:
        change = rng.randrange(8)
        if change == 0:
            patterns += [rng.choice(CATASTROPHIC) for _ in range(rng.randint(1, 10))]
        elif change == 1:
            patterns.append(rng.choice(INVALID_PATTERNS))
        elif change == 2:
            words += [f"w{i}" for i in range(rng.randint(1000, 20_000))]
        elif change == 3:
            fields["message"] = rng.choice(MESSAGE_TEMPLATES[1:])
        elif change == 4:
            key = rng.choice(["code", "name", "family", "extends", "level"])
            fields[key] = rng.choice({"code": ["CA101", "ca1", "", "X" * 300, "123"],
                                      "name": ["certainty.strength_exceeds", "bad name", ""],
                                      "family": ["house", "", "figures"],
                                      "extends": ["telepathy", "element_stronger", "element_absent", ""],
                                      "level": ["fatal", "", "supported"]}[key])
        elif change == 5:
            fields["what"] = json.dumps(rng.choice(HOSTILE_TEXT))
        elif change == 6:
            extra_params.append(f"  {rng.choice(['bogus', 'unless_evidence', 'claim_types', 'related_level'])}: "
                                f"{rng.choice(['[x]', '1', 'unsupported', '{a: 1}', '[[[]]]'])}")
        else:
            words = [rng.choice(HOSTILE_TEXT) for _ in range(rng.randint(1, 5))]
    params = [f"  words: {json.dumps(words)}", f"  patterns: {json.dumps(patterns)}", *extra_params]
    return RULE_TEMPLATE.format(params="\n".join(params), **fields)


def hostile_rule(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return hostile_yaml(rng, "params")
    if kind == 1:
        return rule_file(rng, 0).replace("Miracle talk.", "Miracle \x1b[31m talk\x07 \x00" + rng.choice(["\x01", "\x08", "\x7f"]))
    if kind == 2:
        laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        laughs += [f"{n}: &{n} [" + ",".join(f"*{p}" for _ in range(9)) + "]" for p, n in zip("abcdefgh", "bcdefghi")]
        body = rule_file(rng, 0)
        body = re.sub(r"  words: .*", "  words: *" + rng.choice("efghi"), body)
        return "\n".join(laughs) + "\n" + body
    if kind == 3:
        return rule_file(rng, 0).replace("  words: ", "  words: " + "[" * 50000 + "]" * 50000 + " #")
    return rule_file(rng, 0).replace('message: "The claim says {word}."', 'message: "' + "{word:>1500000000}" * 3 + '"')


# --- config, baselines ---------------------------------------------------------------------------

GLOBS = ["*.html", "site/**/*.md", "[]", "[z-a]", "[!]", "[", "**/[a-", "\\", "**", "", "a/../../b",
         "{a,b}", "?[^x]*", "\x00", "[\\]]", "[a-z", "[]]", "***/x"]


def toml_string(value: str) -> str:
    return json.dumps(value)  # JSON strings are valid TOML basic strings for the BMP and escapes


HOSTILE_CONFIG_LINES = [
    "paths = [{glob}]", "exclude = [{glob}]", "sources = 1", "sources = [1, 2]", 'fail-on = "never"', "baseline = 3",
    'levels = {{ CA101 = "bad" }}', 'disable = ["nope"]', "bogus-key = 1", 'paths = "\x1b[31m\x07"', "paths = [\n",
    "= 1", "x = " + "{{a = " * 500 + "1" + "}}" * 500, 'paths = ["\\ud800"]', 'paths = ["' + "x" * 100_000 + '"]',
    "paths = {deep}", "fail-on = {digits}", "[[overrides]]\npaths = []", "[limits]\n{limit} = {limit_value}",
]


def config_body(rng: random.Random, hostile: float = 0.2) -> str:
    """A valid config; with probability ``hostile``, one line that is wrong or hostile."""
    lines = []
    def strings(n: int, pool: list[str]) -> str:
        return "[" + ", ".join(toml_string(rng.choice(pool)) for _ in range(n)) + "]"
    if rng.random() < 0.6:
        lines.append(f"paths = {strings(rng.randint(0, 3), ['*.html', 'site/**/*.md', 'page.*', 'docs/'])}")
    if rng.random() < 0.6:
        lines.append(f"exclude = {strings(rng.randint(0, 3), ['drafts/**', '*.txt', '[abc]*.md', '**/old-?.html'])}")
    if rng.random() < 0.4:
        lines.append(f"sources = {rng.choice([toml_string('pack.yaml'), '[]', toml_string('packs/')])}")
    if rng.random() < 0.3:
        lines.append(f"disable = {strings(rng.randint(0, 2), ['CA101', 'figures', 'CA201'])}")
    if rng.random() < 0.3:
        lines.append(f"fail-on = {toml_string(rng.choice(['overstated', 'unsupported']))}")
    if rng.random() < 0.2:
        lines.append(f"baseline = {toml_string('b.json')}")
    if rng.random() < 0.2:
        lines.append('levels = { CA101 = "unsupported", "figures" = "overstated" }')
    tables = []
    if rng.random() < 0.15:
        setting = rng.choice(["100", '"64MB"', "200"])
        tables.append(f"[limits]\n{rng.choice(['max-depth', 'max-input-bytes'])} = {setting}")
    if rng.random() < 0.2:
        tables.append(f"[[overrides]]\npaths = {strings(rng.randint(1, 2), ['blog/*.md', '*.html'])}\nfail-on = \"unsupported\"")
    if rng.random() < hostile:
        line = rng.choice(HOSTILE_CONFIG_LINES).format(
            glob=toml_string(rng.choice(GLOBS)), deep="[" * rng.choice([100, 1000, 10_000]) + "]" * rng.choice([100, 1000, 10_000]),
            digits="9" * rng.choice([100, 5000, 50_000]), limit=rng.choice(["max-depth", "max-input-bytes", "bogus"]),
            limit_value=rng.choice(["0", "-1", '"lots"', "1e400", "nan", "inf", str(10 ** 40)]))
        (tables if line.startswith("[") else lines).insert(rng.randint(0, len(lines)), line)
    return "\n".join(lines + tables) + "\n"


def pyproject_body(rng: random.Random, hostile: float = 0.2) -> str:
    heads = ["[project]\nname = \"x\"\n\n", "", "[tool.other]\na = 1\n\n"]
    if rng.random() < hostile:
        heads = ["[tool]\nclaimaudit = 3\n", "tool = { claimaudit = [] }\n", "[tool.claimaudit]\n"]
    body = config_body(rng, hostile)
    # Sub-tables of the config become sub-tables of [tool.claimaudit].
    body = body.replace("[limits]", "[tool.claimaudit.limits]").replace("[[overrides]]", "[[tool.claimaudit.overrides]]")
    return rng.choice(heads) + "[tool.claimaudit]\n" + body


def baseline_text(rng: random.Random, hostile: float = 0.2) -> str:
    entries = []
    for n in range(rng.randint(0, 6)):
        entry: dict[str, object] = {"claim": f"{rng.getrandbits(64):016x}", "rule": rng.choice(["CA101", "CA201"]),
                                    "document": rng.choice(["page.html", "../x.md", ""]),
                                    "verdict": rng.choice(["overstated", "unsupported"]), "text": sentence(rng, hostile)}
        if rng.random() < hostile:
            entry[rng.choice(list(entry) + ["note"])] = rng.choice([None, 1, [], {}, 10 ** 30, True, rng.choice(HOSTILE_TEXT)])
        entries.append(entry)
    data: dict[str, object] = {"schema": "claimaudit-baseline", "version": 1, "entries": entries}
    if rng.random() < hostile:
        data[rng.choice(["schema", "version", "entries"])] = rng.choice([None, 2, 0, -1, "1", 1.0, [], {}, 10 ** 20, True])
    text = json.dumps(data, indent=2)
    if rng.random() < hostile:
        text = rng.choice([
            '{"schema": "claimaudit-baseline", "version": ' + "9" * rng.choice([100, 4301, 5000, 50_000]) + ', "entries": []}',
            '{"entries": ' + "[" * rng.choice([1000, 2000, 100_000]) + "]" * rng.choice([1000, 2000, 100_000]) + "}",
            '{"entries": [], "version": 1e400}',
            '{"entries": [], "version": NaN}',
            mutate(text.encode(), rng).decode("utf-8", "replace"),
        ])
    return text
