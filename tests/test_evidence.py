"""Ranking source sentences against claims, and the sources a claim names."""

from __future__ import annotations

from claimaudit.claims.anatomy import analyse
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import rank_evidence, resolve_attribution
from claimaudit.model import Source

PACK = [
    Source(id="okafor2021", citation="Okafor T, Lind S. Balm for eczema itch. Skin Trials. 2021;4:10-18.",
           summary="In a trial of 60 adults with eczema, the oat balm reduced itch scores by 30% over four weeks. "
                   "Redness did not change. Two participants reported mild stinging."),
    Source(id="rahn2019", citation="Rahn P. Oat extract in cultured skin cells. Derm Lab. 2019;2:3-9.",
           summary="Oat extract lowered inflammatory signals in cultured skin cells."),
]


def test_the_sentence_about_the_claim_ranks_first():
    index = SourceIndex.build(PACK)
    claim = analyse("The oat balm cuts itch by 30% in adults with eczema.")
    best = rank_evidence([claim], index)[0][0]
    assert best.source_id == "okafor2021"
    assert best.sentence.text.startswith("In a trial of 60 adults")
    assert best.similarity > 0.5


def test_an_author_in_the_pack_resolves_and_one_outside_it_is_missing():
    index = SourceIndex.build(PACK)
    found = resolve_attribution(analyse("Okafor et al. showed that the balm eases itch."), index)
    assert found.cited == ["okafor2021"] and found.missing == []
    missing = resolve_attribution(analyse("Berglund et al. showed that the balm eases itch."), index)
    assert missing.cited == [] and missing.missing[0]["author"] == "Berglund"


def test_a_claim_citing_its_source_needs_no_journal_name_checked():
    index = SourceIndex.build(PACK)
    claim = analyse("The balm reduced itch, according to the Journal of Skin Care.")
    assert resolve_attribution(claim, index).missing
    cited = resolve_attribution(claim, index, ("okafor2021",))
    assert cited.cited == ["okafor2021"] and cited.missing == []


def test_a_cited_source_is_searched_first():
    index = SourceIndex.build(PACK)
    claim = analyse("The oat preparation calms inflammation.")
    plain = rank_evidence([claim], index)[0]
    cited = rank_evidence([claim], index, [resolve_attribution(claim, index, ("okafor2021",))])[0]
    assert plain[0].source_id == "rahn2019"
    assert max(m.similarity for m in cited if m.source_id == "okafor2021") > max(
        m.similarity for m in plain if m.source_id == "okafor2021")


def test_a_large_run_ranks_exactly_as_a_small_one(monkeypatch):
    # Large runs score with numpy matrices, one page with plain Python; a page
    # must get the same evidence and similarities either way.
    from claimaudit.evidence import rank

    index = SourceIndex.build(PACK)
    claims = [analyse(text) for text in (
        "The oat balm cuts itch by 30% in adults with eczema.",
        "Oat extract calms inflamed skin in everyone.",
        "Two in three users saw less redness within a month.",
        "No one reported stinging.",
    )]

    def ranked():
        return [[(m.source_id, m.sentence.start, m.similarity, m.shared_terms) for m in matches]
                for matches in rank_evidence(claims, index)]

    small = ranked()
    from claimaudit.evidence import shortlist

    monkeypatch.setattr(shortlist, "ARRAY_SENTENCES", 0)  # closeness by numpy arrays, as for a large pack
    index = SourceIndex.build(PACK)
    assert ranked() == small


def test_the_shortlist_finds_what_scoring_every_sentence_finds(monkeypatch):
    # Against a large pack only each claim's closest sentences are scored in full;
    # the evidence must be what scoring every sentence of the pack gives.
    import random

    from claimaudit.evidence import rank

    rng = random.Random(5)
    words = ["oat", "balm", "itch", "skin", "redness", "adults", "children", "cream", "trial", "weeks",
             "patients", "eczema", "dryness", "sleep", "lotion", "placebo", "scores", "improved", "reduced"]
    filler = [Source(id=f"f{n}", citation=f"Filler {n}. 2020.",
                     summary=" ".join(f"{' '.join(rng.sample(words, 7)).capitalize()} by {rng.randint(5, 60)}%."
                                      for _ in range(3)))
              for n in range(300)]
    index = SourceIndex.build(PACK + filler)
    claims = [analyse(text) for text in (
        "The oat balm cuts itch by 30% in adults with eczema.",
        "Oat extract calms inflamed skin in everyone.",
        "Patients improved their sleep scores by 40% within weeks.",
        "A cream reduced redness in children.",
    )]

    def ranked():
        return [[(m.source_id, m.sentence.start, m.similarity) for m in matches]
                for matches in rank_evidence(claims, index)]

    shortlisted = ranked()
    monkeypatch.setattr(rank, "CANDIDATES", 10**6)  # every sentence in full
    assert ranked() == shortlisted
