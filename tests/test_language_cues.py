"""Hedge, booster, negation and relationship cues, and user-supplied lexicons."""

import pytest

from claimaudit.errors import InputError
from claimaudit.language import find_cues, is_negated, load_cues


def kinds(text, lexicon=None):
    return [(c.kind, c.text) for c in find_cues(text, lexicon)]


def test_hedges_and_causal_verbs_are_marked():
    found = kinds("Stem cells may reduce inflammation.")
    assert ("hedge", "may") in found
    assert ("causal", "reduce") in found


def test_verbs_match_in_every_form():
    for form in ("reduces", "reduced", "reducing", "reduce"):
        assert ("causal", form) in kinds(f"The drug {form} swelling."), form
    assert ("causal", "led to") in kinds("The change led to fewer visits.")


def test_boosters_are_marked():
    found = kinds("This clinically proven breakthrough completely eliminates pain.")
    assert ("booster", "clinically proven") in found
    assert ("booster", "breakthrough") in found
    assert ("booster", "completely") in found


def test_correlational_phrases_are_marked():
    assert ("correlational", "associated with") in kinds("Sleep was associated with mood.")
    assert ("correlational", "linked to") in kinds("Smoking is linked to relapse.")


def test_causal_word_inside_a_correlational_phrase_is_not_causal():
    found = kinds("Aspirin use was associated with a reduced risk of stroke.")
    assert ("correlational", "reduced risk") in found
    assert not any(kind == "causal" for kind, _ in found)


def test_negation_scope_runs_forward_to_a_terminator():
    text = "The treatment did not improve walking, but it eased pain."
    (negation,) = [c for c in find_cues(text) if c.kind == "negation"]
    assert text[negation.scope_start:negation.scope_end] == "improve walking"
    cues = find_cues(text)
    assert is_negated(cues, text.index("walking"), text.index("walking") + 7)
    assert not is_negated(cues, text.index("eased"), text.index("eased") + 5)


def test_negation_scope_is_limited_by_the_window():
    text = "No one two three four five six seven eight nine ten eleven."
    (negation,) = [c for c in find_cues(text) if c.kind == "negation"]
    assert len(text[negation.scope_start:negation.scope_end].split()) == 8


def test_post_negation_scope_runs_backward():
    text = "After surgery, tumour growth was ruled out."
    (negation,) = [c for c in find_cues(text) if c.kind == "negation"]
    assert negation.group == "post"
    assert text[negation.scope_start:negation.scope_end] == "tumour growth"


def test_pseudo_negations_negate_nothing():
    assert not any(c.kind == "negation" for c in find_cues("It is not only safe but also cheap."))
    assert not any(c.kind == "negation" for c in find_cues("We enrolled no fewer than 40 adults."))


def test_contracted_negation_is_found():
    assert ("negation", "doesn't") in kinds("It doesn't work.")


def test_offsets_match_the_text():
    text = "Results suggest the cells may help repair tissue."
    for cue in find_cues(text):
        assert text[cue.start:cue.end] == cue.text


def test_extra_lexicon_adds_phrases(tmp_path):
    extra = tmp_path / "house.yaml"
    extra.write_text("booster:\n  phrases: [life-changing]\ncausal:\n  verbs: [rejuvenate]\n", encoding="utf-8")
    lexicon = load_cues([extra])
    found = kinds("A life-changing therapy that rejuvenates joints.", lexicon)
    assert ("booster", "life-changing") in found
    assert ("causal", "rejuvenates") in found
    # the built-in entries are still there
    assert ("hedge", "may") in kinds("It may matter.", lexicon)


def test_extra_lexicon_can_remove_a_builtin_phrase(tmp_path):
    extra = tmp_path / "quiet.yaml"
    extra.write_text("remove: [breakthrough]\n", encoding="utf-8")
    assert ("booster", "breakthrough") not in kinds("A breakthrough therapy.", load_cues([extra]))


def test_broken_extra_lexicon_names_file_and_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("hedges:\n  phrases: [maybe]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_cues([bad])
    assert "bad.yaml" in str(caught.value) and "hedges" in str(caught.value)


def test_invalid_yaml_reports_the_line(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("hedge:\n  phrases: [may\n  verbs: x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_cues([bad])
    assert caught.value.path.endswith("broken.yaml")
    assert caught.value.line is not None


def test_lexicon_loading_is_cached():
    assert load_cues() is load_cues()


def test_group_comparisons_are_correlational_cues_marked_as_comparisons():
    cues = find_cues("Relapses were 3 times more frequent in smokers and were associated with age.")
    groups = {(c.text, c.group) for c in cues if c.kind == "correlational"}
    assert ("3 times more", "comparison") in groups
    assert ("associated with", "phrase") in groups


def test_comparisons_can_be_extended_by_a_user_lexicon(tmp_path):
    extra = tmp_path / "cues.yaml"
    extra.write_text("correlational:\n  comparisons: [edged out]\n", encoding="utf-8")
    cues = find_cues("The new brace edged out the old one.", load_cues([extra]))
    assert [(c.text, c.group) for c in cues if c.kind == "correlational"] == [("edged out", "comparison")]


def test_the_month_may_is_not_a_hedge():
    assert not any(kind == "hedge" for kind, _ in kinds("Enrolment closed in May 2023."))
    assert not any(kind == "hedge" for kind, _ in kinds("Results arrived on May 4."))
    assert ("hedge", "May") in kinds("Vitamin D May Lower Relapse Rates")


def test_negation_survives_a_lost_apostrophe():
    text = "The spray doesn t stop snoring."
    cues = find_cues(text)
    assert is_negated(cues, text.index("stop"), text.index("stop") + 4)


def test_a_bad_pattern_in_a_user_lexicon_is_reported(tmp_path):
    extra = tmp_path / "cues.yaml"
    extra.write_text('hedge:\n  phrases:\n    - {regex: "(unclosed"}\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_cues([extra])
    assert "bad regular expression" in str(info.value)


def test_user_patterns_keep_the_regex_syntax(tmp_path):
    extra = tmp_path / "cues.yaml"
    extra.write_text('booster:\n  phrases:\n    - {regex: "\\\\bsuper\\\\p{L}+"}\n', encoding="utf-8")
    assert ("booster", "superfood") in kinds("A superfood for joints.", load_cues([extra]))


def test_a_typed_double_hyphen_is_a_dash_and_a_single_one_joins_words():
    from claimaudit.language.cues import tokens

    assert [t for t, _, _ in tokens("zinc--a mineral--helps")] == ["zinc", "—", "a", "mineral", "—", "helps"]
    assert [t for t, _, _ in tokens("well-tolerated")] == ["well", "tolerated"]


def test_headline_ups_is_causal_but_ups_and_downs_is_not():
    assert ("causal", "ups") in kinds("Night work ups the risk of ulcers.")
    assert not any(kind == "causal" for kind, _ in kinds("Training has its ups and downs."))


def test_prevalence_in_a_group_is_a_correlational_cue():
    assert any(kind == "correlational" for kind, _ in kinds("Dry eye is common in contact lens users."))
