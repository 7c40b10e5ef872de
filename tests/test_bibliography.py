"""Bibliographic exports and papers' PDFs as source packs, and the citations in copy that resolve against them.

Every record here is a fictional paper written for these tests (DOIs under the 10.5555 test prefix).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimaudit.api import audit
from claimaudit.claims.anatomy import analyse
from claimaudit.errors import InputError
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import resolve_attribution
from claimaudit.ingest.sources import load_pack, load_sources
from claimaudit.model import Source

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

ABSTRACT = ("Forty adults with stiff knees applied a warm compress every day for six weeks. "
            "Knee stiffness scores fell by 12% over six weeks with daily warm compresses.")
CLAIM = "Smith et al. 2020 found that knee stiffness scores fell by 12% over six weeks with daily warm compresses."
DOI = "10.5555/jer.2020.014"

# Each format holds the same two papers: Smith 2020 with an abstract, Lee 2019 without one.
RIS = f"""TY  - JOUR
AU  - Smith, Jane A.
AU  - Okafor, Nnamdi
TI  - Warm compresses for stiff knees: a pilot trial
T2  - Journal of Example Rehabilitation
PY  - 2020///
DO  - https://doi.org/{DOI}
AB  - Forty adults with stiff knees applied a warm compress every day for six weeks.
      Knee stiffness scores fell by 12% over six weeks with daily warm compresses.
ID  - Smith2020warm
ER  - 

TY  - JOUR
AU  - Lee, Min
TI  - Cold packs after knee surgery
T2  - Example Surgery Letters
PY  - 2019
ER  - 
"""

BIBTEX = f"""@article{{Smith2020warm,
  author = {{Smith, Jane A. and Okafor, Nnamdi}},
  title = {{Warm compresses for stiff knees: a pilot trial}},
  journal = {{Journal of Example Rehabilitation}},
  year = {{2020}},
  doi = {{{DOI}}},
  abstract = {{Forty adults with stiff knees applied a warm compress every day for six weeks.
    Knee stiffness scores fell by 12\\% over six weeks with daily warm compresses.}},
}}

@article{{lee_cold_2019,
  author = {{Lee, Min}},
  title = {{Cold packs after knee surgery}},
  journal = {{Example Surgery Letters}},
  year = 2019,
}}
"""

PUBMED_XML = f"""<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">39000001</PMID>
    <Article PubModel="Print">
      <Journal>
        <JournalIssue CitedMedium="Internet"><PubDate><Year>2020</Year><Month>Mar</Month></PubDate></JournalIssue>
        <Title>Journal of Example Rehabilitation</Title>
        <ISOAbbreviation>J Ex Rehabil</ISOAbbreviation>
      </Journal>
      <ArticleTitle>Warm compresses for stiff knees: a <i>pilot</i> trial.</ArticleTitle>
      <ELocationID EIdType="doi" ValidYN="Y">{DOI}</ELocationID>
      <Abstract>
        <AbstractText Label="METHODS">Forty adults with stiff knees applied a warm compress every day for six weeks.</AbstractText>
        <AbstractText Label="RESULTS">Knee stiffness scores fell by 12% over six weeks with daily warm compresses.</AbstractText>
      </Abstract>
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Smith</LastName><ForeName>Jane A</ForeName><Initials>JA</Initials></Author>
        <Author ValidYN="Y"><LastName>Okafor</LastName><ForeName>Nnamdi</ForeName><Initials>N</Initials></Author>
      </AuthorList>
    </Article>
  </MedlineCitation>
  <PubmedData>
    <ArticleIdList><ArticleId IdType="pubmed">39000001</ArticleId><ArticleId IdType="doi">{DOI}</ArticleId></ArticleIdList>
    <ReferenceList><Reference><ArticleIdList><ArticleId IdType="doi">10.5555/cited.elsewhere</ArticleId></ArticleIdList></Reference></ReferenceList>
  </PubmedData>
</PubmedArticle>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">39000002</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue><PubDate><MedlineDate>2019 Nov-Dec</MedlineDate></PubDate></JournalIssue>
        <Title>Example Surgery Letters</Title></Journal>
      <ArticleTitle>Cold packs after knee surgery.</ArticleTitle>
      <AuthorList><Author ValidYN="Y"><LastName>Lee</LastName><ForeName>Min</ForeName><Initials>M</Initials></Author></AuthorList>
    </Article>
  </MedlineCitation>
</PubmedArticle>
</PubmedArticleSet>
"""

MEDLINE = f"""PMID- 39000001
OWN - NLM
TI  - Warm compresses for stiff knees: a pilot trial.
AB  - Forty adults with stiff knees applied a warm compress every day for six weeks.
      Knee stiffness scores fell by 12% over six weeks with daily warm compresses.
FAU - Smith, Jane A
AU  - Smith JA
FAU - Okafor, Nnamdi
AU  - Okafor N
DP  - 2020 Mar
JT  - Journal of Example Rehabilitation
TA  - J Ex Rehabil
LID - {DOI} [doi]
AID - {DOI} [doi]

PMID- 39000002
TI  - Cold packs after knee surgery.
FAU - Lee, Min
AU  - Lee M
DP  - 2019 Nov
JT  - Example Surgery Letters
"""

CSL_JSON = json.dumps([
    {"id": "http://zotero.example/items/SMITH20", "type": "article-journal",
     "title": "Warm compresses for stiff knees: a pilot trial", "container-title": "Journal of Example Rehabilitation",
     "author": [{"family": "Smith", "given": "Jane A."}, {"family": "Okafor", "given": "Nnamdi"}],
     "issued": {"date-parts": [[2020, 3]]}, "DOI": DOI, "PMID": "39000001", "abstract": ABSTRACT},
    {"id": "lee2019cold", "type": "article-journal", "title": "Cold packs after knee surgery",
     "container-title": "Example Surgery Letters", "author": [{"family": "Lee", "given": "Min"}],
     "issued": {"date-parts": [[2019]]}},
], indent=2)

FORMATS = {"refs.ris": RIS, "refs.bib": BIBTEX, "refs.xml": PUBMED_XML, "refs.nbib": MEDLINE, "refs.json": CSL_JSON}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def by_id(sources: list[Source]) -> dict[str, Source]:
    return {s.id: s for s in sources}


def cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CLAIMAUDIT, *map(str, args)], cwd=cwd, capture_output=True, timeout=60,
                          env={**os.environ, "CLAIMAUDIT_CACHE_DIR": "off"})


def assert_one_line_error(result: subprocess.CompletedProcess[bytes], *wanted: str) -> str:
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for text in wanted:
        assert text in err, err
    return err


# --- what each format gives -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_gives_the_same_papers_with_their_fields(tmp_path, name):
    sources = by_id(load_sources(write(tmp_path, name, FORMATS[name])))
    assert set(sources) == {"smith2020", "lee2019"}
    smith = sources["smith2020"]
    assert smith.summary.split() == ABSTRACT.split()  # the abstract is the summary
    assert smith.authors == ("Smith JA", "Okafor N")
    assert (smith.year, smith.doi) == ("2020", DOI)  # the doi.org prefix is dropped
    assert smith.title.startswith("Warm compresses for stiff knees: a pilot trial")
    assert smith.journal == "Journal of Example Rehabilitation"
    # Code that reads only the citation still sees who, what, where and when.
    assert smith.citation.startswith("Smith JA, Okafor N. Warm compresses for stiff knees")
    assert smith.citation.endswith("Journal of Example Rehabilitation. 2020.")
    lee = sources["lee2019"]
    assert lee.summary == "" and lee.authors == ("Lee M",) and lee.year == "2019"


def test_records_say_where_they_are_and_keep_their_own_keys(tmp_path):
    ris = by_id(load_sources(write(tmp_path, "refs.ris", RIS)))
    assert ris["smith2020"].origin == f"{tmp_path / 'refs.ris'}:1"
    assert ris["lee2019"].origin == f"{tmp_path / 'refs.ris'}:13"
    assert ris["smith2020"].keys == ("Smith2020warm",)
    bib = by_id(load_sources(write(tmp_path, "refs.bib", BIBTEX)))
    assert bib["lee2019"].origin.endswith("refs.bib:11") and bib["lee2019"].keys == ("lee_cold_2019",)
    xml = by_id(load_sources(write(tmp_path, "refs.xml", PUBMED_XML)))
    assert xml["smith2020"].pmid == "39000001" and xml["lee2019"].pmid == "39000002"
    assert xml["smith2020"].origin.endswith("refs.xml:4")
    nbib = by_id(load_sources(write(tmp_path, "refs.nbib", MEDLINE)))
    assert nbib["lee2019"].origin.endswith("refs.nbib:16") and nbib["smith2020"].pmid == "39000001"
    csl = by_id(load_sources(write(tmp_path, "refs.json", CSL_JSON)))
    assert csl["smith2020"].pmid == "39000001" and csl["lee2019"].keys == ("lee2019cold",)


def test_bibtex_names_are_read_as_written_with_their_accents_and_particles(tmp_path):
    path = write(tmp_path, "refs.bib", """@article{a, author = {M{\\"u}ller-Schmidt, Hans-Peter and van der Berg, Kees
  and {Example Knee Consortium}}, title = {Heat and the {\\"u}ber-stiff knee}, year = 2018}""")
    [source] = load_sources(path)
    assert source.id == "mullerschmidt2018"  # ASCII-folded, letters only
    assert source.authors == ("Müller-Schmidt HP", "van der Berg K", "Example Knee Consortium")
    assert source.title == "Heat and the über-stiff knee"


def test_a_medline_file_saved_as_text_and_a_csl_file_are_told_apart_from_our_own_packs(tmp_path):
    assert {s.id for s in load_sources(write(tmp_path, "pubmed-export.txt", MEDLINE))} == {"smith2020", "lee2019"}
    assert {s.id for s in load_sources(write(tmp_path, "zotero.csl.json", CSL_JSON))} == {"smith2020", "lee2019"}
    items = write(tmp_path, "items.json", json.dumps({"items": json.loads(CSL_JSON)}))
    assert {s.id for s in load_sources(items)} == {"smith2020", "lee2019"}
    own = write(tmp_path, "own.json", json.dumps([{"id": "s1", "summary": ABSTRACT, "citation": "Smith J. 2020."}]))
    [source] = load_sources(own)
    assert source.id == "s1" and source.authors == ()


# --- ids ---------------------------------------------------------------------------------------


CLASH = """TY  - JOUR
AU  - Smith, J.
TI  - Warm compresses and knee stiffness
PY  - 2020
AB  - Warm compresses eased knee stiffness in adults.
ER  - 

TY  - JOUR
AU  - Smith, Jane
TI  - Cold packs after surgery
PY  - 2020
AB  - Cold packs eased swelling after knee surgery.
ER  - 

TY  - JOUR
TI  - The effects of heat on sleep
AB  - Evening heat shortened the time taken to fall asleep.
ER  - 
"""


def _records(text: str) -> list[str]:
    return [r + "ER  - \n" for r in text.split("ER  - \n") if r.strip()]


def test_clashing_ids_are_all_lettered_by_title_whatever_the_order_of_records(tmp_path):
    sources = by_id(load_sources(write(tmp_path, "refs.ris", CLASH)))
    assert sources["smith2020a"].title == "Cold packs after surgery"  # "C" before "W"
    assert sources["smith2020b"].title == "Warm compresses and knee stiffness"
    assert "smith2020" not in sources  # the first is lettered too: the bare id never moves between papers
    assert sources["effectsnd"].title == "The effects of heat on sleep"  # no author, no year
    reordered = "\n".join(reversed(_records(CLASH)))
    again = by_id(load_sources(write(tmp_path, "reordered.ris", reordered)))
    assert {i: s.title for i, s in again.items()} == {i: s.title for i, s in sources.items()}


def test_a_folder_letters_generated_ids_across_its_files_and_never_takes_an_id_written_by_hand(tmp_path):
    folder = tmp_path / "refs"
    folder.mkdir()
    write(folder, "a.ris", _records(CLASH)[0])
    write(folder, "b.nbib", "PMID- 39000009\nTI  - Cold packs after surgery.\nAU  - Smith J\nDP  - 2020\n"
                            "AB  - Cold packs eased swelling after knee surgery.\n")
    write(folder, "lee.yaml", "- id: lee2019\n  summary: Cold packs eased swelling.\n")
    write(folder, "c.ris", "TY  - JOUR\nAU  - Lee, M.\nTI  - Heat\nPY  - 2019\nAB  - Heat helped.\nER  - \n")
    sources = by_id(load_sources(folder))
    assert sources["smith2020a"].origin.endswith("b.nbib:1") and sources["smith2020b"].origin.endswith("a.ris:1")
    assert sources["lee2019"].origin.endswith("lee.yaml:1")  # the hand-written id keeps its name
    assert sources["lee2019a"].title == "Heat"


def test_packs_given_together_letter_the_same_author_and_year_instead_of_refusing_the_run(tmp_path):
    from claimaudit.api import read_sources

    ris, xml = write(tmp_path, "refs.ris", RIS), write(tmp_path, "refs.xml", PUBMED_XML)
    sources = by_id(read_sources([str(xml), str(ris)], []))
    # The same paper from two exports: equal titles and DOIs, so the file decides the letter.
    assert sources["smith2020a"].origin.endswith("refs.ris:1") and sources["smith2020b"].origin.endswith("refs.xml:4")
    page = write(tmp_path, "page.md", CLAIM + "\n")
    [finding] = audit(str(page), sources=[str(ris), str(xml)]).result.findings
    assert finding.verdict == "supported"


# --- a record with no abstract ------------------------------------------------------------------


def test_index_holds_no_sentence_for_a_source_without_text():
    index = SourceIndex.build([Source("lee2019", ""), Source("smith2020", ABSTRACT)])
    assert index.by_source("lee2019") == [] and len(index.by_source("smith2020")) == 2


def test_a_record_without_an_abstract_is_reported_and_a_claim_citing_it_is_unsupported(tmp_path):
    pack = write(tmp_path, "refs.ris", RIS)
    page = write(tmp_path, "page.md", "Lee (2019) showed that cold packs after knee surgery ease swelling.\n")
    result = audit(str(page), sources=str(pack)).result
    assert result.warnings == [f"{pack}:13 (lee2019): no abstract; claims citing it cannot be supported"]
    [finding] = result.findings
    assert finding.verdict == "unsupported"
    missing = next(r for r in finding.reasons if r.code == "CA601")
    assert "lee2019: the pack holds no text for it" in missing.message


def test_the_warning_reaches_the_check_output(tmp_path):
    write(tmp_path, "refs.nbib", MEDLINE)
    write(tmp_path, "page.md", CLAIM + "\n")
    result = cli("check", "page.md", "--sources", "refs.nbib", cwd=tmp_path)
    out = result.stdout.decode()
    assert "warning: refs.nbib:16 (lee2019): no abstract; claims citing it cannot be supported" in out, out
    assert result.returncode == 0, (out, result.stderr.decode())


# --- malformed and hostile files --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text", "where"), [
    ("bad.ris", "TY  - JOUR\nTI  - Heat\n\nTY  - JOUR\nER  - \n", "bad.ris:4: the record started on line 1"),
    ("bad.bib", "@article{a, title = {Heat}}\n\n@article{b,\n  title = {Cold\n", "bad.bib:3: malformed BibTeX"),
    ("bad.xml", "<PubmedArticleSet>\n<PubmedArticle>\n<oops></PubmedArticle>\n", "bad.xml:3: invalid XML"),
    ("bad.nbib", "PMID- 1\nTI  - Heat\nstray words\n", "bad.nbib:3: not a MEDLINE line"),
    ("bad.csl.json", '[{"type": "article", "title": "Heat",\n "author": "Smith"}]', "bad.csl.json:1: items[0].author"),
    ("other.xml", "<EndNoteLibrary/>", "not a PubMed XML export"),
    ("dup.bib", "@article{a, title={Heat}}\n@article{a, title={Cold}}\n", "dup.bib:2: duplicate BibTeX key 'a'"),
])
def test_a_malformed_export_is_exit_2_with_one_line_naming_file_and_line(tmp_path, name, text, where):
    write(tmp_path, name, text)
    write(tmp_path, "page.md", CLAIM + "\n")
    assert_one_line_error(cli("check", "page.md", "--sources", name, cwd=tmp_path), where)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>Heat</ArticleTitle><Abstract><AbstractText>&lol9;</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


def test_xml_entity_attacks_are_refused_before_anything_expands(tmp_path):
    secret = write(tmp_path, "secret.txt", "the secret words")
    external = BILLION_LAUGHS.split("<!DOCTYPE")[0] + (
        f'<!DOCTYPE PubmedArticleSet [ <!ENTITY leak SYSTEM "file://{secret}"> ]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Heat</ArticleTitle>"
        "<Abstract><AbstractText>&leak;</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>\n")
    write(tmp_path, "laughs.xml", BILLION_LAUGHS)
    write(tmp_path, "leak.xml", external)
    write(tmp_path, "page.md", CLAIM + "\n")
    for name, line in (("laughs.xml", 3), ("leak.xml", 2)):
        err = assert_one_line_error(cli("check", "page.md", "--sources", name, cwd=tmp_path), f"{name}:{line}: refused")
        assert "secret words" not in err
    with pytest.raises(InputError, match="refused"):
        load_pack(tmp_path / "leak.xml")


def test_an_external_dtd_named_in_the_doctype_is_never_fetched(tmp_path):
    # PubMed's own exports name their DTD by URL; reading one must not reach for it.
    path = write(tmp_path, "refs.xml", PUBMED_XML.replace(
        "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd", "http://127.0.0.1:9/never.dtd"))
    assert {s.id for s in load_sources(path)} == {"smith2020", "lee2019"}


# --- citations in the copy resolve ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_page_citing_smith_et_al_2020_is_held_to_that_paper_in_every_format(tmp_path, name):
    pack = write(tmp_path, name, FORMATS[name])
    page = write(tmp_path, "page.md", CLAIM + "\n\nLee (2019) showed that cold packs cure knee pain.\n")
    findings = audit(str(page), sources=str(pack)).result.findings
    verdicts = {f.text.split()[0]: f for f in findings}
    assert verdicts["Smith"].verdict == "supported"
    assert {e.source for e in verdicts["Smith"].evidence} == {"smith2020"}
    assert verdicts["Lee"].verdict == "unsupported"


@pytest.mark.parametrize("citation", ["Smith et al. (2020)", "(Smith & Okafor, 2020)", f"(doi: {DOI})",
                                      f"https://doi.org/{DOI.upper()}", "PMID: 39000001"])
def test_each_way_of_citing_the_paper_resolves_to_it(citation):
    smith = Source("smith2020", ABSTRACT, doi=DOI, pmid="39000001", authors=("Smith JA", "Okafor N"), year="2020")
    other = Source("smith2020x", "Cold packs eased swelling.", doi="10.5555/other", authors=("Smith B",), year="2019")
    index = SourceIndex.build([other, smith])
    found = resolve_attribution(analyse(f"{citation} reported that knee stiffness fell."), index)
    assert found.cited == ["smith2020"] and not found.missing


def test_the_year_must_match_and_picks_between_papers_by_the_same_author():
    older = Source("smith2018", "Heat eased back pain.", authors=("Smith J",), year="2018")
    index = SourceIndex.build([older])
    mismatch = resolve_attribution(analyse("Smith et al. 2020 showed that heat eases back pain."), index)
    assert mismatch.cited == [] and [m["text"] for m in mismatch.missing] == ["Smith et al. 2020"]
    newer = Source("smith2020", ABSTRACT, authors=("Smith J",), year="2020")
    both = SourceIndex.build([older, newer])
    assert resolve_attribution(analyse("Smith et al. (2020) showed it."), both).cited == ["smith2020"]
    assert resolve_attribution(analyse("Smith (2018) showed it."), both).cited == ["smith2018"]
    # A hand-written pack gives its year in the citation only: it counts the same way.
    written = SourceIndex.build([Source("s1", "Heat eased back pain.", citation="Smith J, et al. Back J. 2018.")])
    assert resolve_attribution(analyse("Smith et al. 2020 showed it."), written).missing


def test_a_second_author_who_is_not_on_the_paper_does_not_resolve():
    index = SourceIndex.build([Source("smith2020", ABSTRACT, authors=("Smith JA", "Okafor N"), year="2020")])
    assert resolve_attribution(analyse("(Smith & Lund, 2020) found it."), index).missing


def test_a_claim_citing_the_doi_is_supported_end_to_end(tmp_path):
    pack = write(tmp_path, "refs.bib", BIBTEX)
    page = write(tmp_path, "page.md",
                 f"Knee stiffness scores fell by 12% over six weeks with daily warm compresses (doi:{DOI}).\n")
    [finding] = audit(str(page), sources=str(pack)).result.findings
    assert finding.verdict == "supported" and finding.evidence[0].source == "smith2020"


# --- claims tables ------------------------------------------------------------------------------------


def test_a_claims_table_naming_an_id_in_no_pack_is_a_finding_even_when_the_text_matches(tmp_path):
    pack = write(tmp_path, "refs.ris", RIS)
    table = write(tmp_path, "claims.csv", "claim,source\n"
                  "Knee stiffness scores fell by 12% over six weeks with daily warm compresses.,jones2021\n")
    [finding] = audit(str(table), sources=str(pack)).result.findings
    assert finding.verdict == "unsupported"
    assert any(r.code == "CA601" and "jones2021" in r.message for r in finding.reasons)


@pytest.mark.parametrize("named", ["smith2020", "Smith2020warm", DOI, "PMID 39000001", "Smith et al. 2020"])
def test_a_claims_table_may_name_the_paper_by_id_key_doi_pmid_or_author_and_year(tmp_path, named):
    records = RIS.replace("ID  - Smith2020warm", "ID  - Smith2020warm\nAN  - 39000001\nDB  - PubMed")
    pack = write(tmp_path, "refs.ris", records)
    table = write(tmp_path, "claims.csv", "claim,source\n"
                  f"Knee stiffness scores fell by 12% over six weeks with daily warm compresses.,{named}\n")
    [finding] = audit(str(table), sources=str(pack)).result.findings
    assert finding.verdict == "supported", [r.message for r in finding.reasons]


def test_a_claims_table_naming_the_record_without_an_abstract_is_unsupported(tmp_path):
    pack = write(tmp_path, "refs.ris", RIS)
    table = write(tmp_path, "claims.csv", "claim,source\n"
                  "Knee stiffness scores fell by 12% over six weeks with daily warm compresses.,lee2019\n")
    [finding] = audit(str(table), sources=str(pack)).result.findings
    assert finding.verdict == "unsupported"
    assert any("lee2019: the pack holds no text for it" in r.message for r in finding.reasons)


# --- papers' PDFs -----------------------------------------------------------------------------------------


def make_pdf(path: Path, *, author: str = "", pages: tuple[str, ...]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if author:
        pdf.set_author(author)
    pdf.set_title("Warm compresses for stiff knees")
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


PAPER_PAGES = (
    "Warm compresses for stiff knees\n\nA pilot trial in the Journal of Example Rehabilitation, 2022.\n\n"
    "Forty adults with stiff knees applied a warm compress every day for six weeks.",
    "Walking distance did not differ between the groups at six weeks. "
    "No serious adverse events were reported in either group.",
)


def test_a_papers_pdf_is_a_source_named_by_its_first_author_and_year_with_evidence_by_page(tmp_path):
    paper = make_pdf(tmp_path / "paper.pdf", author="Wei Zhao; Anna van Dijk", pages=PAPER_PAGES)
    [source] = load_sources(paper)
    assert source.id == "zhao2022" and source.authors == ("Zhao W", "van Dijk A")
    page = write(tmp_path, "page.md", "Zhao et al. (2022) found that walking distance did not differ "
                                      "between the groups at six weeks.\n")
    [finding] = audit(str(page), sources=str(paper)).result.findings
    assert finding.verdict == "supported"
    assert (finding.evidence[0].source, finding.evidence[0].page) == ("zhao2022", 2)


def test_a_folder_of_papers_and_exports_is_one_pack(tmp_path):
    folder = tmp_path / "references"
    folder.mkdir()
    make_pdf(folder / "Knee trial (final).pdf", pages=PAPER_PAGES)  # no author known: named by its file
    write(folder, "refs.ris", RIS)
    sources = by_id(load_sources(folder))
    assert set(sources) == {"knee-trial-final", "smith2020", "lee2019"}
    assert sources["knee-trial-final"].pages[0] == 0 and len(sources["knee-trial-final"].pages) == 2


# --- retracted papers --------------------------------------------------------------------------

RETRACTED_XML = PUBMED_XML.replace(
    '<PMID Version="1">39000001</PMID>',
    '<PMID Version="1">39000001</PMID>\n    <CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
    '<RefSource>J Ex Rehabil. 2022;5:1</RefSource><PMID Version="1">39000099</PMID></CommentsCorrections>'
    '</CommentsCorrectionsList>', 1)
RETRACTED_TYPED_XML = PUBMED_XML.replace(
    "</AuthorList>\n    </Article>",
    "</AuthorList>\n      <PublicationTypeList><PublicationType UI=\"D016428\">Journal Article</PublicationType>"
    "<PublicationType UI=\"D016441\">Retracted Publication</PublicationType></PublicationTypeList>\n    </Article>", 1)
RETRACTED_MEDLINE = MEDLINE.replace("DP  - 2020 Mar\n", "DP  - 2020 Mar\nPT  - Journal Article\n"
                                    "PT  - Retracted Publication\nRIN - J Ex Rehabil. 2022;5:1. PMID: 39000099\n", 1)
RETRACTED_TITLE_RIS = RIS.replace("TI  - Warm compresses", "TI  - RETRACTED: Warm compresses", 1)


@pytest.mark.parametrize(("name", "text", "said"), [
    ("refs.xml", RETRACTED_XML, "retraction in J Ex Rehabil. 2022;5:1 PMID: 39000099"),
    ("refs.xml", RETRACTED_TYPED_XML, "PubMed lists it as a Retracted Publication"),
    ("refs.nbib", RETRACTED_MEDLINE, "PubMed lists it as a Retracted Publication (retraction in J Ex Rehabil"),
    ("refs.ris", RETRACTED_TITLE_RIS, "its title marks it retracted"),
], ids=["pubmed-retraction-in", "pubmed-publication-type", "medline", "title"])
def test_a_retracted_paper_backs_no_claim_and_the_run_says_it_is_retracted(tmp_path, name, text, said):
    pack = write(tmp_path, name, text)
    page = write(tmp_path, "page.md", CLAIM + "\n")
    result = audit(str(page), sources=str(pack)).result
    [finding] = result.findings
    assert finding.verdict == "unsupported"
    assert not [e for e in finding.evidence if e.source == "smith2020"]
    missing = next(r for r in finding.reasons if r.code == "CA601")
    assert "smith2020: retracted" in missing.message
    [warning] = [w for w in result.warnings if "(smith2020)" in w]
    assert "retracted: " in warning and said in warning and "claims citing it cannot be supported" in warning
    assert "[Retracted: " in by_id(load_sources(pack))["smith2020"].citation


def test_a_retracted_paper_supports_nothing_even_uncited(tmp_path):
    pack = write(tmp_path, "refs.xml", RETRACTED_TYPED_XML)
    page = write(tmp_path, "page.md", CLAIM.replace("Smith et al. 2020 found that k", "K") + "\n")
    [finding] = audit(str(page), sources=str(pack)).result.findings
    assert finding.verdict == "unsupported"


def test_a_paper_about_retractions_is_not_taken_for_a_retracted_one(tmp_path):
    pack = write(tmp_path, "refs.ris", RIS.replace("TI  - Warm compresses for stiff knees: a pilot trial",
                                                   "TI  - Retracted trials in knee rehabilitation", 1))
    assert by_id(load_sources(pack))["smith2020"].summary.startswith("Forty adults")


# --- BibTeX macros and cross-references --------------------------------------------------------------


def test_bibtex_string_concatenation_and_crossref_fill_the_record(tmp_path):
    pack = write(tmp_path, "refs.bib", """@string{jer = "Journal of Example Rehabilitation"}
@string{warm = "Warm compresses"}
@proceedings{knee2020, title = {Proceedings of the Example Knee Meeting}, year = 2020, publisher = {Example}}
@inproceedings{smith-warm,
  author = {Smith, Jane A.},
  title = warm # { for stiff knees} # ": a pilot",
  crossref = {knee2020},
  abstract = "Forty adults with stiff knees applied a warm compress every day for six weeks. " #
             "Knee stiffness scores fell by 12\\% over six weeks with daily warm compresses.",
}
@article{lee, author = {Lee, Min}, title = {C# notes and {F#} notes}, journal = jer, year = 2019, month = jan}
""")
    sources = by_id(load_sources(pack))
    smith = sources["smith2020"]
    assert smith.title == "Warm compresses for stiff knees: a pilot"
    assert smith.year == "2020" and smith.journal == "Proceedings of the Example Knee Meeting"
    assert smith.summary == ABSTRACT
    assert sources["lee2019"].title == "C# notes and F# notes"
    assert sources["lee2019"].journal == "Journal of Example Rehabilitation"
    # The proceedings' own record is kept (it has no abstract) and lends the paper nothing else.
    assert sources["proceedings2020"].summary == "" and smith.doi == ""


@pytest.mark.parametrize("citation, expected", [
    ("(Smith 2020a)", ["smith2020a"]), ("(Smith, 2020b)", ["smith2020b"]), ("Smith et al. 2020b", ["smith2020b"]),
    ("Smith (2020a)", ["smith2020a"]),
])
def test_a_lettered_year_picks_the_paper_the_pack_lettered(tmp_path, citation, expected):
    index = SourceIndex.build(load_sources(write(tmp_path, "refs.ris", CLASH)))
    found = resolve_attribution(analyse(f"Cold packs eased swelling after knee surgery {citation}."), index)
    assert found.cited == expected and not found.missing


def _forge(entry: Path, payload: bytes) -> None:
    """Rewrite a cache entry with a header that fits the new payload, as someone who knows the format could."""
    import hashlib

    header = json.loads(entry.read_bytes().split(b"\n", 1)[0])
    header.update(sha256=hashlib.sha256(payload).hexdigest(), bytes=len(payload))
    entry.write_bytes(json.dumps(header, sort_keys=True).encode() + b"\n" + payload)


def test_a_papers_pdf_is_read_once_and_a_forged_cache_entry_is_never_trusted(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(cache))
    paper = make_pdf(tmp_path / "paper.pdf", author="Wei Zhao", pages=PAPER_PAGES)
    [first] = load_sources(paper)
    [entry] = sorted(cache.rglob("pdf-source-*.json"))
    [again] = load_sources(paper)
    assert again == first and again.pages == first.pages and again.pages[1] > 0
    stored = json.loads(entry.read_bytes().split(b"\n", 1)[1])
    misleading = {**stored, "summary": "Warm compresses cured knee arthritis in every adult."}
    for forged in ({**misleading, "pages": [0, 10_000]}, {**stored, "pages": [5, 3]}, {**stored, "kind": "internal"},
                   {**stored, "authors": "Zhao W"}, [stored]):
        _forge(entry, json.dumps(forged).encode())
        [read] = load_sources(paper)
        assert read == first


def test_a_citation_that_fits_two_papers_is_held_to_both_and_the_run_says_so(tmp_path):
    refs = write(tmp_path, "refs.ris", CLASH)
    page = write(tmp_path, "page.md", "Cold packs eased swelling after knee surgery (Smith et al. 2020).\n\n"
                                      "Cold packs eased swelling after knee surgery (Smith 2020a).\n")
    result = audit(str(page), sources=str(refs)).result
    [warning] = [w for w in result.warnings if "fits 2 sources" in w]
    assert warning.startswith(f'{page}:1: "Smith et al. 2020" fits 2 sources (')
    assert "smith2020a" in warning and "smith2020b" in warning and "name the one meant" in warning
    assert [f.verdict for f in result.findings] == ["supported", "supported"]
