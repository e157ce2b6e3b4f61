"""The case-free companion: built into the pipeline, run on uncased text only, merged with the truecased reading."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from qualcode.errors import ModelError
from qualcode.nlp import entities, load
from qualcode.nlp.train import companion_config_path
from qualcode.nlp.truecase import add_truecase_table, pipe
from qualcode.nlp.uncased import UNCASED_PIPE, add_companion, companion

CONFIGS = Path(__file__).parents[2] / "qualcode" / "nlp" / "configs"


def _main():
    """A cased "model": finds Kari (capitalised), Tromsø, and "bodø" only as typed in lower case;
    truecases kari, tromsø and bodø."""
    nlp = spacy.blank("nb")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns([
        {"label": "PER", "pattern": [{"ORTH": "Kari"}]},
        {"label": "GPE_LOC", "pattern": [{"ORTH": "Tromsø"}]},
        {"label": "LOC", "pattern": [{"ORTH": "bodø"}]},
    ])
    return add_truecase_table(nlp, {"kari": "Kari", "tromsø": "Tromsø", "nordmann": "nordmann", "bodø": "Bodø"})


def _uncased():
    """A case-free "companion": finds lower-case full names and reads tromsø as an organisation."""
    nlp = spacy.blank("nb")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns([
        {"label": "PER", "pattern": [{"LOWER": "kari"}, {"LOWER": "nordmann"}]},
        {"label": "ORG", "pattern": [{"LOWER": "tromsø"}]},
    ])
    return nlp


def _pipeline():
    return add_companion(_main(), _uncased())


def _found(doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def test_the_companion_is_a_disabled_component() -> None:
    nlp = _pipeline()
    assert UNCASED_PIPE in nlp.component_names and UNCASED_PIPE not in nlp.pipe_names
    assert companion(nlp) is nlp.get_pipe(UNCASED_PIPE) and companion(_main()) is None
    assert _found(nlp("kari nordmann i tromsø")) == []  # plain nlp.pipe never runs it


def test_uncased_text_is_read_by_the_companion_and_the_truecased_pipeline() -> None:
    texts = ["jeg møtte kari nordmann i tromsø.", "Jeg møtte Kari Nordmann i Tromsø."]
    typed, cased = list(pipe(_pipeline(), texts))
    assert typed.text == texts[0] and cased.text == texts[1]  # always the text as typed
    # the companion's longer name wins; on the equal span "tromsø" its label wins
    assert _found(typed) == [("kari nordmann", "PER"), ("tromsø", "ORG")]
    assert _found(cased) == [("Kari", "PER"), ("Tromsø", "GPE_LOC")]  # cased text: no companion


def test_the_comparison_knobs() -> None:
    text = ["møtte kari nordmann i tromsø."]
    assert _found(next(pipe(_pipeline(), text, companion=False))) == [("kari", "PER"), ("tromsø", "GPE_LOC")]
    assert _found(next(pipe(_pipeline(), text, truecase=False))) == []
    assert _found(next(pipe(_pipeline(), text, keep_typed=True))) == [("kari nordmann", "PER"), ("tromsø", "ORG")]
    # only the cased pipeline's reading as typed finds "bodø": keep_typed adds it
    text = ["møtte kari nordmann i bodø."]
    assert _found(next(pipe(_pipeline(), text))) == [("kari nordmann", "PER")]
    assert _found(next(pipe(_pipeline(), text, keep_typed=True))) == [("kari nordmann", "PER"), ("bodø", "LOC")]


def test_an_uncased_text_that_truecasing_leaves_alone_still_gets_the_companion() -> None:
    nlp = _pipeline()
    assert _found(next(pipe(nlp, ["i tromsø."]))) == [("tromsø", "ORG")]
    nlp.vocab.lookups.remove_table("qualcode_truecase")  # no truecasing at all: the companion still reads
    assert _found(next(pipe(nlp, ["kari nordmann."]))) == [("kari nordmann", "PER")]


def test_the_companion_is_saved_and_used_by_entities(tmp_path: Path) -> None:
    _pipeline().to_disk(tmp_path / "p")
    nlp = load(tmp_path / "p")
    assert nlp.disabled == [UNCASED_PIPE]
    texts = ["hun heter kari nordmann.", "Hun heter Kari Nordmann."] * 40  # more than one batch
    found = entities(nlp, texts, batch_size=7)
    assert len(found) == 80
    assert [(texts[0][e["start"]:e["end"]], e["label"]) for e in found[0]] == [("kari nordmann", "PER")]
    assert [e["label"] for e in found[1]] == ["PER"] and found[1][0]["end"] - found[1][0]["start"] == 4
    assert found[78:] == found[:2]


def test_a_companion_with_another_lexicon_table_is_refused() -> None:
    from spacy.vectors import Vectors

    other = _uncased()
    other.vocab.vectors = Vectors(strings=other.vocab.strings, shape=(3, 8))
    with pytest.raises(ModelError, match="another lexicon table"):
        add_companion(_main(), other)


def test_companion_recipe_errors(tmp_path: Path) -> None:
    assert companion_config_path(CONFIGS / "ner_v3.cfg") is None
    (tmp_path / "u.cfg").write_text("[qualcode]\nlexicon = true\n", encoding="utf-8")
    (tmp_path / "m.cfg").write_text("[qualcode]\nlexicon = true\ncompanion = \"u.cfg\"\n", encoding="utf-8")
    assert companion_config_path(tmp_path / "m.cfg") == tmp_path / "u.cfg"
    missing = tmp_path / "a.cfg"
    missing.write_text("[qualcode]\nlexicon = true\ncompanion = \"nope.cfg\"\n", encoding="utf-8")
    with pytest.raises(ModelError, match="nope.cfg not found"):
        companion_config_path(missing)
    (tmp_path / "b.cfg").write_text("[qualcode]\nlexicon = 3\n", encoding="utf-8")
    missing.write_text("[qualcode]\nlexicon = true\ncompanion = \"b.cfg\"\n", encoding="utf-8")
    with pytest.raises(ModelError, match="lexicon setting differs"):
        companion_config_path(missing)
