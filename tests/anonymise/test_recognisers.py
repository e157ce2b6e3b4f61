from __future__ import annotations

import spacy
import pytest

from qualcode.anonymise import Anonymiser, AnonymiseConfig
from qualcode.anonymise.components import detections
from qualcode.errors import ConfigError, ModelError


def found(anonymiser: Anonymiser, text: str) -> set[tuple[str, str]]:
    return {(d.text, d.source) for d in anonymiser.detect(text)}


def only(*names: str, **kw) -> AnonymiseConfig:
    return AnonymiseConfig(recognisers={n: n in names for n in ("ner", "identifiers", "gazetteers", "denylist")}, **kw)


def test_components_are_registered_factories(nlp) -> None:
    nlp.add_pipe("qualcode_ner")
    nlp.add_pipe("qualcode_identifiers")
    nlp.add_pipe("qualcode_gazetteers")
    nlp.add_pipe("qualcode_denylist", config={"names": ["Bjarte Kvamsøy"]})
    nlp.add_pipe("qualcode_resolver")
    doc = nlp("Sigrun ringte Bjarte fra Tromsø. Sigrun bor der.")
    got = {(d.text, d.label) for d in detections(doc)}
    assert ("Sigrun", "PER") in got and ("Bjarte", "PER") in got and ("Tromsø", "GPE_LOC") in got
    assert len([d for d in detections(doc) if d.text == "Sigrun"]) == 2


def test_ner_recogniser_needs_a_ner_component() -> None:
    with pytest.raises(ModelError):
        Anonymiser(spacy.blank("nb"), AnonymiseConfig())
    Anonymiser(spacy.blank("nb"), only("gazetteers"))  # fine without NER


def test_unknown_recogniser_in_config_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="nerr"):
        AnonymiseConfig.from_section({"recognisers": {"nerr": True}})


def test_gazetteer_places_names_and_institutions() -> None:
    a = Anonymiser(spacy.blank("nb"), only("gazetteers"))
    got = found(a, "Vi sendte henne til Haukeland og så til Nedre Romerike DPS, hun bor i Bodø med Ingrid Hansen.")
    texts = {t for t, _ in got}
    assert {"Haukeland", "Nedre Romerike DPS", "Bodø", "Ingrid Hansen"} <= texts


def test_hyphenated_double_first_names() -> None:
    a = Anonymiser(spacy.blank("nb"), only("gazetteers"))
    assert {"Anne-Grethe", "Kjell-Arne"} <= {t for t, _ in found(a, "Hun heter Anne-Grethe, han Kjell-Arne.")}
    assert found(a, "Vi hadde et Nord-Norge-møte.") == set()  # parts that are not first names


def test_capitalised_word_after_a_place_preposition() -> None:
    a = Anonymiser(spacy.blank("nb"), only("gazetteers"))
    texts = {t for t, _ in found(a, "Hun bor i Orkanger, han kom fra Løkken Verk i fjor.")}
    assert {"Orkanger", "Løkken Verk"} <= texts
    assert found(a, "Orkanger er fin.") == set()  # no preposition before it: left to the model
    assert found(a, "Hun bor i byen og går på jobb.") == set()


def test_ambiguous_words_only_mid_sentence() -> None:
    a = Anonymiser(spacy.blank("nb"), only("gazetteers"))
    assert found(a, "Per dag kommer det mange.") == set()
    assert ("Per", "gazetteers") in found(a, "Jeg snakket med Per om det.")


def test_deny_list_any_case_genitive_and_typo() -> None:
    a = Anonymiser(spacy.blank("nb"), only("denylist", deny_list=["Gunnbjørg Aasvik"]))
    text = "GUNNBJØRG kom. gunnbjørgs mor og Aasviks bror, og Gunbjørg igjen. Gunnbjørg Aasvik's bil."
    texts = {t for t, _ in found(a, text)}
    assert {"GUNNBJØRG", "gunnbjørgs", "Aasviks", "Gunbjørg", "Gunnbjørg Aasvik's"} <= texts
    out = a.anonymise(text)
    assert "unnbj" not in out.lower() and "aasvik" not in out.lower()
    assert out.count("[PERSON 1]") == 5  # parts and typo map to the same person


def test_allow_list_is_never_masked_but_editable(nlp) -> None:
    ruler = nlp.get_pipe("ner")
    ruler.add_patterns([{"label": "ORG", "pattern": "Helsedirektoratet"}, {"label": "ORG", "pattern": "Kvalitetsforum"}])
    a = Anonymiser(nlp, AnonymiseConfig(allow_list=["Kvalitetsforum"]))
    text = "Helsedirektoratet og Kvalitetsforum sa at pakkeforløpet og NAV og BUP hjelper."
    assert a.anonymise(text) == text
    b = Anonymiser(nlp, AnonymiseConfig(use_builtin_allow_list=False))
    assert "Helsedirektoratet" not in b.anonymise(text)


def test_propagation_across_texts_of_a_batch(nlp) -> None:
    a = Anonymiser(nlp, only("ner"))
    # the "model" tags Brekkestø only at the start of a text: the other mentions come from propagation
    nlp.get_pipe("ner").add_patterns([{"label": "PER", "pattern": [{"ORTH": "Brekkestø", "IS_SENT_START": True}]}])
    texts = ["Brekkestø sa ja.", "Vi ringte Brekkestø i går.", "Brekkestøs sak."]
    out = a.detect_batch(texts)
    assert [len(d) for d in out] == [1, 1, 1]
    assert out[1][0].source == "propagation" and out[1][0].text == "Brekkestø"
    no_prop = Anonymiser(nlp, only("ner", propagate=False)).detect_batch(texts)
    assert [len(d) for d in no_prop] == [1, 0, 0]


def test_overlapping_detections_are_merged_to_cover_both(nlp) -> None:
    a = Anonymiser(nlp, AnonymiseConfig(deny_list=["Vatnedal"]))
    text = "Sigrun Vatnedal kom."
    dets = a.detect(text)
    assert len(dets) == 1 and (dets[0].start, dets[0].end) == (0, len("Sigrun Vatnedal"))


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\t"])
def test_empty_text_gives_no_detections(nlp, text: str) -> None:
    a = Anonymiser(nlp, AnonymiseConfig(deny_list=["Sigrun"]))
    assert a.detect(text) == []
    assert a.anonymise(text) == text


def test_nynorsk_and_other_languages(nlp) -> None:
    a = Anonymiser(nlp, AnonymiseConfig(deny_list=["Halldis Kvalvik"]))
    nn = "Eg snakka med Halldis i går, ho budde i Førde før ho flytte til Ålesund. Ring 22 33 44 55."
    out = a.anonymise(nn)
    assert "Halldis" not in out and "Førde" not in out and "Ålesund" not in out and "22 33" not in out
    en = "I met Sigrun in Sverige last week; her number is +47 48123456."
    out_en = a.anonymise(en)
    assert "Sigrun" not in out_en and "Sverige" not in out_en and "48123456" not in out_en
    assert out_en.startswith("I met ")


def test_a_detection_never_crosses_a_line_break() -> None:
    a = Anonymiser(spacy.blank("nb"), only("denylist", deny_list=["Ragnfrid Østby"]))
    text = "Intervjuer: Ragnfrid\n\nØstby: ja"
    dets = a.detect(text)
    assert all("\n" not in d.text for d in dets)
    assert {d.text for d in dets} == {"Ragnfrid", "Østby"}


def test_deny_list_entries_can_be_places_and_organisations() -> None:
    a = Anonymiser(spacy.blank("nb"), only("denylist", deny_list=["STED: Nedre Kvernvik", "ORG: Lysheim gård",
                                                                   "Kari Nordmann"]))
    out = a.anonymise("Kari fra Nedre Kvernvik jobber på Lysheim gård. Nedre ting er nede.")
    assert out == "[PERSON 1] fra [STED 1] jobber på [ORG 1]. Nedre ting er nede."


def test_lower_case_first_names_and_dialect_nicknames() -> None:
    a = Anonymiser(spacy.blank("nb"), only("gazetteers"))
    text = "Æ snakka med jørgen i går, og Tømmer'n var der. Dag for dag ble tom for liv."
    got = {d.text for d in a.detect(text)}
    assert got == {"jørgen", "Tømmer'n"}  # "dag", "tom", "liv" are ordinary words


def test_ner_reads_uncased_text_truecased_when_the_pipeline_has_a_table(nlp) -> None:
    from qualcode.anonymise import Anonymiser, AnonymiseConfig
    from qualcode.nlp.truecase import add_truecase_table

    add_truecase_table(nlp, {"torvald": "Torvald", "fjellvik": "Fjellvik", "og": "og"})
    text = "vi snakket med torvald om fjellvik og sånt."
    cfg = {"recognisers": {"ner": True, "identifiers": False, "gazetteers": False, "denylist": False},
           "propagate": False}
    found = Anonymiser(nlp, AnonymiseConfig(**cfg)).detect_batch([text])[0]
    assert sorted((text[d.start:d.end], d.label) for d in found) == [("fjellvik", "GPE_LOC"), ("torvald", "PER")]
    off = Anonymiser(nlp, AnonymiseConfig(**cfg, truecase=False)).detect_batch([text])[0]
    assert off == []
    cased = "Vi snakket med torvald om Fjellvik."  # has capitals: read as typed
    assert [cased[d.start:d.end] for d in Anonymiser(nlp, AnonymiseConfig(**cfg)).detect_batch([cased])[0]] == ["Fjellvik"]


def test_propagation_through_texts_typed_without_capitals(nlp) -> None:
    from qualcode.nlp.truecase import add_truecase_table

    nlp.get_pipe("ner").add_patterns([{"label": "PER", "pattern": "sigrun nordmann"}])
    texts = ["i går møtte vi sigrun nordmann.", "sigrun sa at nordmann er et ord.", "Det var en sigrun der."]
    # without a truecasing table nothing tells a name from a common word: no propagation
    assert [len(d) for d in Anonymiser(nlp, only("ner")).detect_batch(texts)] == [1, 0, 0]
    # the training text writes "nordmann" in lower case and never "sigrun"
    add_truecase_table(nlp, {"nordmann": "nordmann", "i": "i"})
    out = Anonymiser(nlp, only("ner")).detect_batch(texts)
    assert [(d.text, d.source) for d in out[1]] == [("sigrun", "propagation")]
    assert out[2] == []  # lower-case forms never reach a text that has capitals
    assert [len(d) for d in Anonymiser(nlp, only("ner", propagate=False)).detect_batch(texts)] == [1, 0, 0]
