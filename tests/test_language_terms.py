"""Domain vocabularies, user extensions and the content tokens evidence matching compares."""

import pytest

from claimaudit.errors import InputError
from claimaudit.language import content_tokens, extract_terms, load_vocabulary


def canon(text, category, vocabulary=None):
    return extract_terms(text, vocabulary).canonical(category)


def test_condition_acronym_does_not_match_inside_a_longer_word():
    assert canon("MSCs were given to MS patients.", "conditions") == ["multiple_sclerosis"]
    assert canon("MSCs were given to volunteers.", "conditions") == []
    assert canon("Ms Smith and ms. Jones attended.", "conditions") == []


def test_short_acronym_only_as_a_whole_token():
    assert canon("People with PD improved.", "conditions") == ["parkinsons"]
    assert canon("Download the PDF leaflet.", "conditions") == []
    assert canon("AD-MSCs were cultured.", "conditions") == []
    assert canon("AD-MSCs were cultured.", "interventions") == ["adipose_msc"]


def test_populations_distinguish_animals_cells_and_people():
    terms = extract_terms("Tested in mice and in vitro before use in patients.")
    assert terms.canonical("populations") == ["animal", "cells", "human"]


def test_interventions_know_their_parent():
    vocabulary = load_vocabulary()
    assert canon("Umbilical cord-derived MSCs were infused.", "interventions") == ["umbilical_cord_cells"]
    assert vocabulary.ancestors("interventions", "umbilical_cord_cells") == ["msc", "stem_cell_therapy"]
    assert vocabulary.is_a("interventions", "hsct", "stem_cell_therapy")
    assert not vocabulary.is_a("interventions", "prp", "stem_cell_therapy")


def test_longest_alias_wins_within_a_category():
    terms = extract_terms("This treatment is not approved by any agency.")
    assert terms.canonical("regulatory") == ["not_approved"]


def test_safety_designs_and_regulatory_terms():
    text = "An FDA-approved, risk-free option backed by a randomized, double-blind trial."
    terms = extract_terms(text)
    assert terms.canonical("regulatory") == ["fda_approved"]
    assert terms.canonical("safety") == ["risk_free"]
    assert {"randomized", "double_blind"} <= set(terms.canonical("designs"))
    for term in terms.all():
        assert text[term.start:term.end] == term.text


def test_plural_forms_match_automatically():
    assert canon("Several cell lines responded.", "populations") == ["cells"]
    assert canon("Two meta-analyses agreed.", "designs") == ["meta_analysis"]


def test_user_vocabulary_adds_terms_and_aliases(tmp_path):
    extra = tmp_path / "clinic.yaml"
    extra.write_text(
        "conditions:\n"
        "  tinnitus:\n    name: tinnitus\n    aliases: [tinnitus, ringing in the ears]\n"
        "  multiple_sclerosis:\n    aliases: [demyelinating disease]\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary([extra])
    assert canon("Relief from ringing in the ears.", "conditions", vocabulary) == ["tinnitus"]
    assert canon("A demyelinating disease.", "conditions", vocabulary) == ["multiple_sclerosis"]
    assert vocabulary.name("conditions", "tinnitus") == "tinnitus"


def test_bad_vocabulary_names_the_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("diseases:\n  x:\n    aliases: [y]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_vocabulary([bad])
    assert "bad.yaml" in str(caught.value) and "diseases" in str(caught.value)


def test_content_tokens_drop_stopwords_and_stem():
    assert content_tokens("The cells reduced the relapses") == content_tokens("cell reducing relapse")
    assert "the" not in content_tokens("the cells")


def test_content_tokens_read_number_words_as_digits():
    assert content_tokens("within two weeks") == content_tokens("within 2 weeks")


def test_laboratory_work_reads_as_cells():
    for text in ("Fibroblasts grown in the laboratory made more collagen.",
                 "In lab-grown skin cells the serum worked.", "The gel was tested on extracted teeth."):
        assert canon(text, "populations") == ["cells"], text


def test_conditions_added_for_consumer_health_copy():
    text = "It eases plantar fasciitis, IBS, insomnia, hearing loss, eczema and sun damage."
    assert canon(text, "conditions") == ["plantar_fasciitis", "ibs", "insomnia", "hearing_loss", "eczema",
                                         "photoageing"]


def test_probiotic_strains_sit_under_probiotics():
    vocabulary = load_vocabulary()
    assert canon("Lactobacillus rhamnosus eased bloating.", "interventions") == ["lactobacillus"]
    assert vocabulary.is_a("interventions", "lactobacillus", "probiotics")
    assert vocabulary.is_a("interventions", "saccharomyces_boulardii", "probiotics")
    assert canon("Shockwave therapy and exercise therapy were compared.", "interventions") == [
        "shockwave_therapy", "exercise_therapy"]
