"""The name-swap / lower-case training augmenter keeps entity structure and text aligned."""
from __future__ import annotations

import random

import spacy
from spacy.tokens import Doc
from spacy.training import Example

from qualcode.nlp.augment import (create_name_swap_augmenter, create_name_swap_augmenter_v2, lower_doc,
                                  norwegian_names, swap_names, upper_doc)


def _doc(nlp) -> Doc:
    words = ["Siri", "Åsheim", "møtte", "Øyvind", "i", "Bodø", "."]
    return Doc(nlp.vocab, words=words, spaces=[True] * 5 + [False, False],
               ents=["B-PER", "I-PER", "O", "B-PER", "O", "B-GPE_LOC", "O"])


def test_swap_names_replaces_only_people() -> None:
    nlp = spacy.blank("nb")
    first, last = norwegian_names()
    assert len(first) > 100 and len(last) > 100
    out = swap_names(nlp, _doc(nlp), random.Random(1), name_lower=0.0)
    ents = [(e.text, e.label_) for e in out.ents]
    assert [label for _, label in ents] == ["PER", "PER", "GPE_LOC"]
    assert ents[2] == ("Bodø", "GPE_LOC")
    assert ents[0][0].split()[0] in first and ents[0][0].split()[-1] in last
    assert out.text.endswith(" i Bodø.")


def test_lowercased_names_and_docs_keep_offsets() -> None:
    nlp = spacy.blank("nb")
    out = swap_names(nlp, _doc(nlp), random.Random(2), name_lower=1.0)
    assert all(e.text == e.text.lower() for e in out.ents if e.label_ == "PER")
    low = lower_doc(nlp, _doc(nlp))
    assert low.text == _doc(nlp).text.lower()
    assert [(e.start_char, e.end_char, e.label_) for e in low.ents] == \
           [(e.start_char, e.end_char, e.label_) for e in _doc(nlp).ents]


def test_augmenter_yields_aligned_examples() -> None:
    nlp = spacy.blank("nb")
    ref = _doc(nlp)
    random.seed(0)
    never = list(create_name_swap_augmenter(0.0, 0.0, 0.0)(nlp, Example(nlp.make_doc(ref.text), ref)))
    assert len(never) == 1 and never[0].reference is ref
    always = list(create_name_swap_augmenter(1.0, 0.0, 1.0)(nlp, Example(nlp.make_doc(ref.text), ref)))
    ex = always[0]
    assert ex.predicted.text == ex.reference.text == ex.reference.text.lower()
    assert [e.label_ for e in ex.reference.ents] == ["PER", "PER", "GPE_LOC"]


def test_upper_doc_keeps_entities_and_token_boundaries() -> None:
    nlp = spacy.blank("nb")
    ref = _doc(nlp)
    up = upper_doc(nlp, ref)
    assert up.text == ref.text.upper()
    assert [(e.start_char, e.end_char, e.label_) for e in up.ents] == \
           [(e.start_char, e.end_char, e.label_) for e in ref.ents]
    odd = Doc(nlp.vocab, words=["Straße", "i", "Oslo"], ents=["O", "O", "B-GPE_LOC"])
    assert [t.text for t in upper_doc(nlp, odd)] == ["Straße", "I", "OSLO"]  # "ß" would grow


def test_v2_augmenter_upper_cases_and_never_both() -> None:
    nlp = spacy.blank("nb")
    ref = _doc(nlp)
    random.seed(0)
    up = list(create_name_swap_augmenter_v2(0.0, 0.0, 0.0, 1.0)(nlp, Example(nlp.make_doc(ref.text), ref)))
    assert up[0].reference.text == ref.text.upper() == up[0].predicted.text
    low = list(create_name_swap_augmenter_v2(0.0, 0.0, 1.0, 1.0)(nlp, Example(nlp.make_doc(ref.text), ref)))
    assert low[0].reference.text == ref.text.lower()
    never = list(create_name_swap_augmenter_v2(0.0, 0.0, 0.0, 0.0)(nlp, Example(nlp.make_doc(ref.text), ref)))
    assert never[0].reference is ref


def test_mention_swap_replaces_mentions_by_earlier_ones_of_the_same_label() -> None:
    from qualcode.nlp.augment import create_mention_swap_augmenter, swap_mentions

    nlp = spacy.blank("nb")
    pools = {"PER": [(("Kari", "Nordmann"), (True, False))], "GPE_LOC": [(("Mo", "i", "Rana"), (True, True, False))]}
    out = swap_mentions(nlp, _doc(nlp), random.Random(3), pools)
    assert [(e.text, e.label_) for e in out.ents] == [
        ("Kari Nordmann", "PER"), ("Kari Nordmann", "PER"), ("Mo i Rana", "GPE_LOC")]
    assert out.text == "Kari Nordmann møtte Kari Nordmann i Mo i Rana."
    low = swap_mentions(nlp, _doc(nlp), random.Random(3), {"PER": pools["PER"]}, name_lower=1.0)
    assert [e.text for e in low.ents] == ["kari nordmann", "kari nordmann", "Bodø"]

    random.seed(0)
    augment = create_mention_swap_augmenter(1.0, ["PER", "GPE_LOC"], 10, 0.0, 0.0, 0.0)
    first = list(augment(nlp, Example(nlp.make_doc(_doc(nlp).text), _doc(nlp))))[0]
    # the pool held only this doc's own mentions
    assert [e.label_ for e in first.reference.ents] == ["PER", "PER", "GPE_LOC"]
    assert {e.text for e in first.reference.ents} <= {"Siri Åsheim", "Øyvind", "Bodø"}
    other = Doc(nlp.vocab, words=["Per", "bor", "i", "Hamar", "."], spaces=[True, True, True, False, False],
                ents=["B-PER", "O", "O", "B-GPE_LOC", "O"])
    ex = list(augment(nlp, Example(nlp.make_doc(other.text), other)))[0]
    assert ex.predicted.text == ex.reference.text
    assert [e.label_ for e in ex.reference.ents] == ["PER", "GPE_LOC"]
    assert {e.text for e in ex.reference.ents} <= {"Siri Åsheim", "Øyvind", "Per", "Bodø", "Hamar"}
