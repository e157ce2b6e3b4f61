"""Ordinary Bokmål word forms and compounds (truecasing's unknown-word rule)."""
from __future__ import annotations

import pytest

from qualcode.nlp.wordforms import is_compound, ordinary_words


def test_compounds_split_into_known_parts_with_or_without_a_linking_letter() -> None:
    parts = {"rus", "politikken", "arbeid", "plass", "pakke", "forløpet", "behandling", "planen"}
    assert is_compound("ruspolitikken", parts)
    assert is_compound("arbeidsplass", parts)  # linking s
    assert is_compound("behandlingsplanen", parts)
    assert is_compound("pakkeforløpet", parts)
    assert is_compound("ruspakkeforløpet", parts)  # three parts
    assert not is_compound("borten", parts) and not is_compound("rus", parts)
    assert not is_compound("rusxyz", parts)  # the tail must be a word too
    assert not is_compound("ruspl", {"rus", "pl"})  # parts have at least three letters


def test_ordinary_words_are_lower_case_ordbank_forms_of_every_length() -> None:
    words = ordinary_words()
    assert len(words) > 500_000
    assert {"leste", "tabbe", "behandling", "og"} <= words
    assert "borten" not in words and "kari" not in words and "oslo" not in words
    assert all(w == w.lower() for w in list(words)[:1000])


@pytest.mark.parametrize("word", ["ruspolitikken", "pakkeforløpet", "behandlingsplanene"])
def test_long_compounds_of_the_report_are_ordinary(word: str) -> None:
    words = ordinary_words()
    assert word in words or is_compound(word, words)


def test_compounds_that_end_like_norwegian_names() -> None:
    from qualcode.nlp.wordforms import ends_like_a_name

    parts = {"stor", "haug", "stave", "land", "baste", "sen", "valg", "mann", "stemmer"}
    assert ends_like_a_name("storhaug", parts) and ends_like_a_name("staveland", parts)
    assert ends_like_a_name("bastesens", parts)  # genitive s
    assert not ends_like_a_name("valgmannstemmer", parts)
    assert not ends_like_a_name("haug", parts)  # an ending alone is no name
