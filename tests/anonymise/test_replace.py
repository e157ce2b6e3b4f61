from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.anonymise.replace import OffsetMap, Replacement, apply, map_turns
from qualcode.importers.base import Transcript


@st.composite
def text_and_replacements(draw):
    text = draw(st.text(alphabet="abc ", min_size=1, max_size=60))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=10))))
    reps = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        if b > a:
            reps.append(Replacement(a, b, draw(st.sampled_from(["[PERSON 1]", "[ID]", "X", "[STED 12]s"]))))
    return text, reps


@settings(max_examples=200, deadline=None)
@given(text_and_replacements())
def test_offsets_outside_replacements_round_trip(case) -> None:
    text, reps = case
    new = apply(text, reps)
    omap = OffsetMap(reps)
    for off in range(len(text) + 1):
        if any(r.start < off < r.end for r in reps):
            continue
        assert omap.to_raw(omap.to_new(off)) == off
        # the character after an untouched offset is the same in both texts
        if off < len(text) and not any(r.start <= off < r.end for r in reps):
            assert new[omap.to_new(off)] == text[off]


def test_turns_follow_replacements_and_speaker_labels_are_masked() -> None:
    tr = Transcript.from_turns([("Kari", "Hei Ola."), ("Intervjuer", "Takk.")])
    reps = [Replacement(0, 4, "[PERSON 1]"), Replacement(10, 13, "[PERSON 2]")]
    new = apply(tr.text, reps)
    turns = map_turns(tr.turns, OffsetMap(reps), new)
    assert [t.speaker for t in turns] == ["[PERSON 1]", "Intervjuer"]
    assert [new[t.start:t.end] for t in turns] == ["Hei [PERSON 2].", "Takk."]
