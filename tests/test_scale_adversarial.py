"""Adversarial checks of the site-scale engine (issue 14): candidates before scores, the judgement memo,
the pack facts rules ask of the whole pack, and executors that must not change the report.

Each test holds the fast path to a plain reference worked out here the slow way: every sentence scored
in full, every figure of the pack compared, every claim judged on its own."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

import claimaudit
import claimaudit.evidence.shortlist as shortlist
from claimaudit.claims.anatomy import analyse
from claimaudit.evidence import rank
from claimaudit.evidence.index import SourceIndex, SourceSentence
from claimaudit.evidence.shortlist import NOT_FIGURES, figure_keys
from claimaudit.executors import InProcess
from claimaudit.language import Quantity
from claimaudit.model import Source
from claimaudit.rules.engine import judge
from claimaudit.rules.kinds.common import is_year, same_figure
from claimaudit.rules.kinds.figures import figure_twins
from claimaudit.rules.loader import load_rules

# --- a made-up pack with many near-ties -------------------------------------------------------------

REMEDIES = ["zorvalin", "quentapril", "mebrafix", "tolunexa", "curcumin", "vitamin d", "fish oil", "metformin"]
CONDITIONS = ["migraine", "joint pain", "insomnia", "high blood pressure", "type 2 diabetes", "fatigue", "acne"]
OUTCOMES = ["pain scores", "sleep quality", "blood pressure", "HbA1c", "symptom days", "headache frequency"]
PEOPLE = ["adults", "older adults", "children", "women", "office workers", "athletes", "patients"]
VERBS = ["reduced", "lowered", "improved", "cut", "did not change", "slightly reduced", "may reduce"]
FIGURES = ["30%", "a third", "12 points", "4.5 mmHg", "half", "2 in 5", "1.5-fold", "20 to 40%", "about 25%",
           "over 10%", "6 weeks", "three months", "120 participants", "0%", "$40"]
SETTINGS = ["in a randomised trial", "in an open-label study", "according to the authors", "compared with placebo",
            "in a small pilot", "over the study period"]


def _sentence(rng: random.Random) -> str:
    remedy, condition, outcome, people, verb, figure = (rng.choice(x) for x in
                                                         (REMEDIES, CONDITIONS, OUTCOMES, PEOPLE, VERBS, FIGURES))
    pick = rng.random()
    if pick < 0.45:
        return f"{remedy.capitalize()} {verb} {outcome} by {figure} in {people} with {condition} {rng.choice(SETTINGS)}."
    if pick < 0.65:
        return f"Among {rng.randint(20, 900)} {people}, {remedy} {verb} {outcome} {rng.choice(SETTINGS)}."
    if pick < 0.8:
        return f"{rng.choice(SETTINGS).capitalize()}, {people} with {condition} reported {figure} fewer {outcome}."
    if pick < 0.9:
        return f"No serious adverse events were reported with {remedy} in {people}."
    return f"The {rng.choice(['budget', 'committee', 'protocol'])} was reviewed on day {rng.randint(1, 90)}."


def _pack(seed: int, sources: int, per_source: int) -> tuple[list[Source], list[str]]:
    """Sources whose sentences repeat across sources (exact ties broken by source id), and claims:
    pack sentences word for word, fresh ones, ones sharing no word with the pack, ones with figures."""
    rng = random.Random(seed)
    shared = [_sentence(rng) for _ in range(sources * per_source // 3 + 5)]
    # Listed out of id order, so that pack order and tie-breaking by id disagree.
    ids = [f"ref{n:04d}" for n in range(sources)]
    rng.shuffle(ids)
    pack = [Source(id=source_id, citation=f"Inventa{n % 29} et al. {2001 + n % 20}. A made-up study.",
                   summary=" ".join(rng.choice(shared) if rng.random() < 0.5 else _sentence(rng)
                                    for _ in range(per_source)))
            for n, source_id in enumerate(ids)]
    claims = []
    for _ in range(60):
        pick = rng.random()
        if pick < 0.45:
            claims.append(_sentence(rng))
        elif pick < 0.65:
            claims.append(rng.choice(shared))
        elif pick < 0.75:
            claims.append(f"Our {rng.choice(['gadget', 'cushion'])} is the quickest in the galaxy.")
        else:
            claims.append(f"{rng.choice(REMEDIES).capitalize()} clinically proven to lower "
                          f"{rng.choice(OUTCOMES)} by {rng.choice(FIGURES)}.")
    return pack, claims


def _claims_and_resolutions(index: SourceIndex, texts: list[str], seed: int):
    rng = random.Random(seed)
    statements = [replace(analyse(text), claim_type="efficacy", is_claim=True) for text in texts]
    ids = [s.id for s in index.sources]
    cited = [tuple(rng.sample(ids, rng.choice([0, 0, 1, 2]))) for _ in texts]
    return statements, [rank.resolve_attribution(s, index, c) for s, c in zip(statements, cited)]


def _ranked(matches: list[list[rank.Match]]) -> list[list[tuple[str, int, float]]]:
    return [[(m.source_id, m.sentence.start, m.similarity) for m in row] for row in matches]


def _by_full_scoring(index: SourceIndex, statements, resolutions) -> list[list[tuple[str, int, float]]]:
    """The top three of every claim the slow way: every sentence the shortlist allows scored in full, no early stop."""
    out = []
    for claim, resolution in zip(statements, resolutions):
        cited = set(resolution.cited)
        weights = rank.WEIGHTS_WITH_FIGURES if any(q.kind not in NOT_FIGURES for q in claim.quantities) \
            else rank.WEIGHTS_WITHOUT_FIGURES
        every = index.inverted._closest_plain(claim, weights, 10 ** 9)
        allowed = set(index.inverted._closest_plain(claim, weights, rank.CANDIDATES).closest)
        allowed |= {row for source_id in cited for row in index.rows_by_source.get(source_id, ())}
        if len(index.sentences) <= rank.CANDIDATES:
            allowed = set(range(len(index.sentences)))
        w_fuzz, w_terms, w_numbers = weights
        claim_figures = figure_keys(claim)
        keys = []
        for row in sorted(allowed):
            sentence = index.sentences[row]
            terms = every.tokens(row)
            canon = rank._canon_overlap(claim, sentence.statement)
            if canon is not None:
                terms = 0.7 * terms + 0.3 * canon
            numbers = rank._number_overlap(claim_figures, figure_keys(sentence.statement)) if w_numbers else 0.0
            fuzzy = fuzz.token_set_ratio(claim.text.lower(), sentence.text.lower()) / 100.0
            similarity = w_fuzz * fuzzy + w_terms * min(terms, 1.0) + w_numbers * numbers
            if sentence.source.id in cited:
                similarity += rank.NAMED_SOURCE_BONUS
            keys.append((-round(min(similarity, 1.0), 4), sentence.source.id, sentence.start))
        out.append([(source_id, start, -score) for score, source_id, start in sorted(keys)[:3]])
    return out


@pytest.fixture(scope="module")
def large_pack():
    """About 500 sentences: over CANDIDATES, and over ARRAY_SENTENCES."""
    sources, claims = _pack(11, 100, 5)
    index = SourceIndex.build(sources)
    statements, resolutions = _claims_and_resolutions(index, claims, 11)
    return index, statements, resolutions


def test_early_stop_finds_the_same_top_three_as_scoring_every_candidate_in_full(large_pack):
    index, statements, resolutions = large_pack
    assert len(index.sentences) > shortlist.ARRAY_SENTENCES > rank.CANDIDATES
    assert _ranked(rank.rank_evidence(statements, index, resolutions)) == \
        _by_full_scoring(index, statements, resolutions)


def test_a_pack_between_candidates_and_array_size_is_ranked_exactly_too():
    sources, claims = _pack(12, 60, 5)
    index = SourceIndex.build(sources)
    assert rank.CANDIDATES < len(index.sentences) <= shortlist.ARRAY_SENTENCES
    statements, resolutions = _claims_and_resolutions(index, claims, 12)
    assert _ranked(rank.rank_evidence(statements, index, resolutions)) == \
        _by_full_scoring(index, statements, resolutions)


def test_the_array_path_gives_the_plain_path_similarities_float_for_float(large_pack, monkeypatch):
    index, statements, resolutions = large_pack
    monkeypatch.setattr(shortlist, "ARRAY_SENTENCES", 10 ** 9)
    plain = _ranked(rank.rank_evidence(statements, index, resolutions))
    monkeypatch.setattr(shortlist, "ARRAY_SENTENCES", 0)
    arrays = _ranked(rank.rank_evidence(statements, index, resolutions))
    assert plain == arrays
    assert any(row for row in plain)


def test_in_a_large_pack_a_sentence_sharing_nothing_with_the_claim_is_never_its_evidence(large_pack):
    index, _, _ = large_pack
    claim = replace(analyse("Our cushion is the quickest in the galaxy."), claim_type="efficacy", is_claim=True)
    assert rank.rank_evidence([claim], index, [rank.Resolution()]) == [[]]


def test_a_cited_source_is_weighed_however_little_it_shares_with_the_claim(large_pack):
    index, _, _ = large_pack
    claim = replace(analyse("Our cushion is the quickest in the galaxy."), claim_type="efficacy", is_claim=True)
    cited = index.sources[-1].id
    [matches] = rank.rank_evidence([claim], index, [rank.Resolution(cited=[cited])])
    assert matches and {m.source_id for m in matches} == {cited}


# --- the pack's figures by amount ------------------------------------------------------------------

KINDS = ["percent", "ratio", "count", "plain", "money", "multiplier", "duration"]
QUALIFIERS = ["exact", "about", "nearly", "over", "at_least", "under", "up_to"]
DURATION_UNITS = ["minutes", "hours", "days", "weeks", "months", "years", ""]
AMOUNTS = st.one_of(st.sampled_from([0.0, 1.0, 0.5, -3.0, 30.0, 2021.0, 1.5, 100.0]),
                    st.floats(min_value=-500, max_value=5000, allow_nan=False, allow_infinity=False))


@st.composite
def quantities(draw) -> Quantity:
    kind = draw(st.sampled_from(KINDS))
    value = draw(AMOUNTS)
    unit = {"duration": draw(st.sampled_from(DURATION_UNITS)), "percent": "%", "money": "$"}.get(kind, "")
    denominator = draw(st.one_of(st.none(), st.sampled_from([0.0, 5.0]), st.floats(0.5, 2000))) \
        if kind == "ratio" else None
    low = high = None
    if draw(st.booleans()) and draw(st.booleans()):
        low, high = value - abs(draw(AMOUNTS)), value
    return Quantity(text=f"{value:g}", start=0, end=1, value=value, low=low, high=high, unit=unit, kind=kind,
                    qualifier=draw(st.sampled_from(QUALIFIERS)), denominator=denominator)


def _pack_of_figures(figures: list[Quantity]) -> SourceIndex:
    """A pack of one sentence per figure, each sentence holding exactly that figure."""
    source = Source(id="figures", summary="Placeholder sentence for the figures.")
    index = SourceIndex.build([source])
    plain = analyse("Placeholder sentence for the figures.")
    index.sentences = [SourceSentence(source, f"Figure {n}.", 0, 9, replace(plain, quantities=[q]))
                       for n, q in enumerate(figures)]
    return index


@st.composite
def near_figures(draw, claim: Quantity) -> Quantity:
    """A figure of about the claim's amount (often just inside or outside a margin), in any kind and unit."""
    figure = draw(quantities())
    if draw(st.booleans()):
        factor = draw(st.one_of(st.sampled_from([1.0, 0.9, 0.8, 0.75, 1.25, 1 / 0.9, 0.5, 0.05, 1.0001]),
                                st.floats(0.0, 2.0)))
        value = claim.value * factor + draw(st.sampled_from([0.0, 0.0, 1.0, -1.0, 0.5, 1.5]))
        low = None if figure.low is None else value - abs(figure.value - figure.low)
        figure = replace(figure, value=value, low=low, high=None if low is None else value,
                         kind=draw(st.sampled_from([claim.kind, figure.kind])))
        if figure.kind == "duration" and not figure.unit:
            figure = replace(figure, unit=draw(st.sampled_from(DURATION_UNITS)))
    return figure


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), claim=quantities(),
       tolerance=st.one_of(st.sampled_from([0.0, 0.05, 0.1, 0.5, 0.95]), st.floats(0.0, 0.99)))
def test_figure_twins_are_exactly_the_figures_a_whole_pack_scan_accepts(data, claim, tolerance):
    pack = data.draw(st.lists(near_figures(claim), min_size=1, max_size=6))
    index = _pack_of_figures(pack)
    scanned = [(row, eq) for row, sentence in enumerate(index.sentences) for eq in sentence.statement.quantities
               if same_figure(claim, eq, tolerance) and not is_year(eq)]
    assert figure_twins(index, claim, tolerance) == scanned


def test_figure_twins_match_a_figure_in_other_units_and_forms():
    weeks = Quantity("6 weeks", 0, 7, 6.0, unit="weeks", kind="duration")
    days = Quantity("42 days", 0, 7, 42.0, unit="days", kind="duration")
    share = Quantity("3 of 10", 0, 7, 3.0, kind="ratio", denominator=10.0)
    percent = Quantity("nearly 31%", 0, 10, 31.0, unit="%", kind="percent", qualifier="nearly")
    index = _pack_of_figures([days, share])
    assert figure_twins(index, weeks, 0.05) == [(0, days)]
    assert figure_twins(index, percent, 0.05) == [(1, share)]


# --- a claim repeated word for word is judged once -------------------------------------------------

@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_a_repeated_claim_is_judged_as_if_alone_whatever_sources_each_copy_names(rules):
    sources = [Source(id=f"ref{n}", citation=f"Inventa{n} et al. 201{n}. A made-up study.",
                      summary=f"Zorvalin reduced joint pain by {20 + n}% in {40 + n} adults over 8 weeks. "
                              f"No serious adverse events were reported.") for n in range(4)]
    index = SourceIndex.build(sources)
    text = "Zorvalin reduced joint pain by 21% in adults and is completely safe."
    statements = [replace(analyse(text), claim_type=kind, is_claim=True)
                  for kind in ("efficacy", "efficacy", "safety", "efficacy", "efficacy")]
    resolutions = [rank.resolve_attribution(statements[0], index, cited)
                   for cited in [("ref1",), ("ref1",), ("ref1",), ("ref3",), ()]]
    memo: dict = {}
    together = judge(statements, index, resolutions, rules, memo)
    again = judge(statements, index, resolutions, rules, memo)
    alone = [judge([s], index, [r], rules)[0] for s, r in zip(statements, resolutions)]

    def seen(judgement):
        return ([(r.code, r.message, r.evidence_source) for r in judgement.reasons],
                [(m.source_id, m.sentence.start, m.similarity) for m in judgement.evidence])

    assert [seen(j) for j in together] == [seen(j) for j in again] == [seen(j) for j in alone]
    assert seen(alone[1]) != seen(alone[3])  # the cited source changes the evidence: the memo must not merge them
    # Each copy owns its lists: dropping a reason from one finding leaves the others whole.
    together[0].reasons.clear()
    together[0].evidence.clear()
    assert seen(together[1]) == seen(alone[1]) and seen(judge([statements[0]], index, [resolutions[0]], rules,
                                                              memo)[0]) == seen(alone[0])


# --- executors: the report does not depend on how documents are batched ---------------------------

def _site(root: Path) -> tuple[list[Path], Path]:
    rng = random.Random(5)
    pages = []
    for n in range(6):
        lines = [f"# Care page {n}", "", "Zorvix lowered joint pain by 30% in adults (Inventa1 et al. 2012).", "",
                 f"{rng.choice(REMEDIES).capitalize()} is completely safe for everyone.", "",
                 "Zorvix lowered joint pain by 30% in adults (Inventa1 et al. 2012).", "",
                 f"{_sentence(rng)}", ""]
        page = root / f"page-{n}.md"
        page.write_text("\n".join(lines), encoding="utf-8")
        pages.append(page)
    pack = {"aliases": {"Zorvix": ["zorvalin"]},
            "sources": [{"id": f"ref{n}", "citation": f"Inventa{n} et al. {2011 + n}. A made-up study.",
                         "summary": f"Zorvalin reduced joint pain by {28 + n}% in {60 + n} adults. "
                                    "No serious adverse events were reported."} for n in range(5)]}
    (root / "pack.json").write_text(json.dumps(pack), encoding="utf-8")
    return pages, root / "pack.json"


def test_batches_of_any_size_give_the_same_report(tmp_path):
    pages, pack = _site(tmp_path)
    whole = claimaudit.audit([str(p) for p in pages], str(pack)).to_json()
    one_page_batches = claimaudit.audit([str(p) for p in pages], str(pack),
                                        executor=InProcess(claims_per_batch=1)).to_json()
    assert one_page_batches == whole


def test_a_file_named_twice_is_audited_once_whatever_the_batches(tmp_path):
    pages, pack = _site(tmp_path)
    named_twice = [str(pages[0]), str(pages[0]), str(pages[1])]
    whole = claimaudit.audit(named_twice, str(pack)).to_json()
    assert claimaudit.audit(named_twice, str(pack), executor=InProcess(claims_per_batch=1)).to_json() == whole
    assert whole == claimaudit.audit([str(pages[0]), str(pages[1])], str(pack)).to_json()
