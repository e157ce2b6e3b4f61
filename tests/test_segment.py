"""Segmentation: one segment per turn, long turns split at sentence boundaries, stable offsets."""
from __future__ import annotations

import pytest

from qualcode.importers.base import Transcript
from qualcode.segment import SegmentSpan, segment_turns, sentence_spans


def _sentence(i: int, words: int = 10) -> str:
    return "Setning " + " ".join(f"ord{i}x{j}" for j in range(words - 2)) + " slutt."


def test_one_segment_per_short_turn_offsets_point_at_utterances() -> None:
    t = Transcript.from_turns([("I", "Hvordan gikk det?"), ("B1", "Det gikk fint, takk."), (None, "Uten taler.")])
    spans = segment_turns(t.text, t.turns)
    assert [s.turn_index for s in spans] == [0, 1, 2]
    assert [t.text[s.start : s.end] for s in spans] == ["Hvordan gikk det?", "Det gikk fint, takk.", "Uten taler."]
    assert [s.speaker for s in spans] == ["I", "B1", None]


def test_long_turn_split_at_sentence_boundaries_within_limit() -> None:
    utterance = " ".join(_sentence(i) for i in range(25))  # 250 words, sentences of 10
    t = Transcript.from_turns([("I", "Spørsmål?"), ("B1", utterance)])
    spans = segment_turns(t.text, t.turns, max_words=40)
    long = [s for s in spans if s.turn_index == 1]
    assert len(long) == 7  # ceil(250 / 40) with whole sentences of 10 words: 4 sentences each
    for s in long:
        passage = t.text[s.start : s.end]
        assert len(passage.split()) <= 40
        assert passage.startswith("Setning") and passage.endswith("slutt.")
    # passages cover the turn in order without overlap
    assert long[0].start == t.turns[1].start and long[-1].end == t.turns[1].end
    assert all(a.end < b.start for a, b in zip(long, long[1:]))
    joined = " ".join(t.text[s.start : s.end] for s in long)
    assert joined == utterance


def test_over_long_sentence_cut_at_word_boundaries() -> None:
    utterance = " ".join(f"ord{j}" for j in range(95))
    t = Transcript.from_turns([("B1", utterance)])
    spans = segment_turns(t.text, t.turns, max_words=30)
    assert [len(t.text[s.start : s.end].split()) for s in spans] == [30, 30, 30, 5]


def test_deterministic_and_keeps_timestamps() -> None:
    utterance = " ".join(_sentence(i) for i in range(12))
    t = Transcript.from_turns([("I", utterance, 12.5), ("B1", "Ja.", 30.0)])
    a = segment_turns(t.text, t.turns, max_words=25)
    b = segment_turns(t.text, t.turns, max_words=25)
    assert a == b
    assert {s.timestamp for s in a if s.turn_index == 0} == {12.5}
    assert a[-1] == SegmentSpan(1, "B1", t.turns[1].start, t.turns[1].end, 30.0)


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Vi bruker f.eks. Skjema A i dag. Det fungerer bl.a. for Ungdom. Neste punkt!"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == ["Vi bruker f.eks. Skjema A i dag.", "Det fungerer bl.a. for Ungdom.", "Neste punkt!"]


def test_bad_offsets_and_limit_rejected() -> None:
    t = Transcript.from_turns([("I", "Hei.")])
    with pytest.raises(ValueError):
        segment_turns(t.text[:2], t.turns)
    with pytest.raises(ValueError):
        segment_turns(t.text, t.turns, max_words=0)


def test_segmentation_options_from_config() -> None:
    from qualcode.errors import ConfigError
    from qualcode.segment import SegmentationOptions

    assert SegmentationOptions.from_config({}).max_words == 120
    assert SegmentationOptions.from_config({"max_words": 60}).max_words == 60
    with pytest.raises(ConfigError, match="segmentation.max_words"):
        SegmentationOptions.from_config({"max_words": 0})
    with pytest.raises(ConfigError, match="segmentation.words"):
        SegmentationOptions.from_config({"words": 3})


from hypothesis import given, settings, strategies as st

_token = st.sampled_from(["Vi", "har", "ventetid", "f.eks.", "Ja.", "nei?", "Åse", "kom!", "...", "dvs.", "2020.",
                          "«Hei»", "–", "ok", "Døgn", "enheten."])


@settings(max_examples=60, deadline=None)
@given(st.lists(_token, min_size=1, max_size=400), st.integers(min_value=1, max_value=50))
def test_passages_keep_every_word_in_order_within_the_limit(words: list[str], max_words: int) -> None:
    t = Transcript.from_turns([("I", "Spørsmål?"), ("B1", " ".join(words))])
    spans = segment_turns(t.text, t.turns, max_words=max_words)
    long = [s for s in spans if s.turn_index == 1]
    assert all(len(t.text[s.start : s.end].split()) <= max_words for s in long)
    assert " ".join(t.text[s.start : s.end] for s in long).split() == words
    assert spans == segment_turns(t.text, t.turns, max_words=max_words)


def test_is_interviewer_labels():
    from qualcode.segment import is_interviewer

    for label in ("I", "I1", "I 2", "Intervjuer", "intervjuer 2", "BSB-intervjuer", "Moderator", "Forsker"):
        assert is_interviewer(label), label
    for label in (None, "", "B1", "Leder", "Informant", "Ingrid", "Koordinator", "[PERSON 3]", "Deltaker 2"):
        assert not is_interviewer(label), label
