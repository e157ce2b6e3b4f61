"""Agreement measures: published worked examples, the store pipeline, and bad input."""
from __future__ import annotations

import numpy as np
import pytest
import krippendorff

from qualcode.coding import add_coder, add_coding
from qualcode.coding.agreement import (ONE_CATEGORY, agreement, cohen_kappa, krippendorff_alpha,
                                       weighted_nominal_alpha)
from qualcode.errors import CodingError
from qualcode.store import Code, Coder

nan = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, University of Pennsylvania. Section C: 4 observers, 12 units, nominal data
# with missing values; published result alpha = 0.743.
KRIPPENDORFF_2011_C = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
# Same paper, section A: 2 observers, 10 units, binary data; published alpha = 0.095.
KRIPPENDORFF_2011_A = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
                                [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]], dtype=float)


def _value_counts(data: np.ndarray) -> np.ndarray:
    values = np.unique(data[~np.isnan(data)])
    return (data.T[..., None] == values).sum(axis=1)


def test_krippendorff_published_examples():
    assert round(krippendorff_alpha(KRIPPENDORFF_2011_C)[0], 3) == 0.743
    assert round(weighted_nominal_alpha(_value_counts(KRIPPENDORFF_2011_C))[0], 3) == 0.743
    assert round(krippendorff_alpha(KRIPPENDORFF_2011_A)[0], 3) == 0.095


def test_cohen_kappa_textbook_table():
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals, both yes 20, A yes/B no 5,
    # A no/B yes 10, both no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.40.
    a = np.array([1] * 20 + [1] * 5 + [0] * 10 + [0] * 15)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    assert round(cohen_kappa(a, b)[0], 3) == 0.400


def test_weighted_alpha_equals_replicated_units():
    rng = np.random.default_rng(7)
    data = rng.integers(0, 2, size=(3, 40)).astype(float)
    data[rng.random(data.shape) < 0.2] = nan
    weights = rng.integers(1, 5, size=40)
    replicated = np.repeat(data, weights, axis=1)
    expected = krippendorff.alpha(reliability_data=replicated, level_of_measurement="nominal")
    got, _ = weighted_nominal_alpha(_value_counts(data), weights)
    assert got == pytest.approx(expected, abs=1e-12)


def test_undefined_measures_say_so():
    same = np.zeros((2, 5))
    assert krippendorff_alpha(same) == (None, ONE_CATEGORY)
    assert cohen_kappa(same[0], same[1]) == (None, ONE_CATEGORY)
    assert weighted_nominal_alpha(_value_counts(same)) == (None, ONE_CATEGORY)


def _kappa_corpus(project, make_source):
    """50 one-turn segments coded to reproduce the textbook kappa table in the store."""
    with project.store.session() as s:
        code = Code(codebook="t", key="ventetid", path="ventetid", label="Ventetid")
        other = Code(codebook="t", key="evaluering", path="evaluering", label="Evaluering")
        s.add_all([code, other, Coder(name="A"), Coder(name="B")])
        _, segs = make_source(s, "K-2019-1", turns=[("P1", f"Svar nummer {i}.") for i in range(50)])
        for i, seg in enumerate(segs):
            if i < 25:
                add_coding(s, seg, code, "A")
            if i < 20 or 25 <= i < 35:
                add_coding(s, seg, code, "B")
        add_coding(s, segs[0], other, "A")
        add_coding(s, segs[0], other, "B")
        return [seg.id for seg in segs]


def test_segment_level_pipeline_reproduces_kappa_table(project, make_source):
    _kappa_corpus(project, make_source)
    rep = agreement(project, ["A", "B"], ["ventetid"])
    (row,) = rep.codes
    assert round(row.kappa, 3) == 0.400
    assert round(row.agreement, 3) == 0.700
    assert row.units == 50 and row.applied == {"A": 25.0, "B": 30.0}
    expected_alpha = krippendorff.alpha(reliability_data=np.array(
        [[1] * 25 + [0] * 25, [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15], dtype=float),
        level_of_measurement="nominal")
    assert row.alpha == pytest.approx(expected_alpha)
    full = agreement(project, ["A", "B"])
    assert [c.code for c in full.codes] == ["evaluering", "ventetid"]
    assert full.codes[0].kappa == 1.0 and full.codes[0].applied == {"A": 1.0, "B": 1.0}
    assert full.overall.units == 100
    assert full.identical_segments == pytest.approx(35 / 50)


def test_binary_example_through_store(project, make_source):
    with project.store.session() as s:
        code = Code(codebook="t", key="x", path="x", label="X")
        s.add_all([code, Coder(name="A"), Coder(name="B")])
        _, segs = make_source(s, "K-2019-2", turns=[("P1", f"Enhet {i}.") for i in range(10)])
        for i, seg in enumerate(segs):
            for name, row in zip("AB", KRIPPENDORFF_2011_A):
                if row[i]:
                    add_coding(s, seg, code, name)
    rep = agreement(project, ["A", "B"], ["x"])
    assert round(rep.codes[0].alpha, 3) == 0.095


def test_universe_and_missing_data(project, corpus):
    seg = corpus.segments  # source 0: segments 0-5, source 1: 6-11
    with project.store.session() as s:
        add_coder(s, "per")
        add_coding(s, seg[0].id, "informasjon", "kari")
        add_coding(s, seg[0].id, "informasjon", "ola")
        add_coding(s, seg[3].id, "evaluering", "ola")
        add_coding(s, seg[7].id, "ventetid", "ola")   # only ola coded source 1
        add_coding(s, seg[0].id, "informasjon", "per")
    rep = agreement(project, ["kari", "ola"])
    assert rep.units == 12 and rep.complete_units == 6
    by = {c.code: c for c in rep.codes}
    assert by["informasjon"].agreement == 1.0 and by["informasjon"].units == 6
    assert by["evaluering"].agreement == pytest.approx(5 / 6)
    assert by["ventetid"].alpha is None and by["ventetid"].alpha_note == ONE_CATEGORY
    three = agreement(project, ["kari", "ola", "per"])
    assert three.codes[0].kappa is None and "two coders" in three.codes[0].kappa_note
    explicit = agreement(project, ["kari", "ola"], segments=[s.id for s in seg])
    assert explicit.complete_units == 12
    assert {c.code: c for c in explicit.codes}["ventetid"].agreement == pytest.approx(11 / 12)
    only_b = agreement(project, ["kari", "ola"], sources=[corpus.sources[0].label])
    assert only_b.units == 6


def test_character_level_matches_expanded_characters(project, corpus):
    seg = corpus.segments[3]
    s0 = seg.start
    with project.store.session() as s:
        add_coding(s, seg.id, "evaluering", "kari", start=s0 + 4, end=s0 + 30)
        add_coding(s, seg.id, "evaluering", "ola", start=s0 + 10, end=s0 + 40)
        add_coding(s, corpus.segments[1].id, "evaluering", "ola")  # whole segment
    rep = agreement(project, ["kari", "ola"], level="character")
    # expand to one unit per character of the 6 segments of source 0
    chars = [(sg.start, sg.end) for sg in corpus.segments[:6]]
    pos = np.concatenate([np.arange(a, b) for a, b in chars])
    kari = ((pos >= s0 + 4) & (pos < s0 + 30)).astype(float)
    ola = (((pos >= s0 + 10) & (pos < s0 + 40))
           | ((pos >= corpus.segments[1].start) & (pos < corpus.segments[1].end))).astype(float)
    row = rep.codes[0]
    assert rep.units == len(pos) and row.units == len(pos)
    assert row.agreement == pytest.approx((kari == ola).mean())
    from sklearn.metrics import cohen_kappa_score
    assert row.kappa == pytest.approx(cohen_kappa_score(kari, ola))
    assert row.alpha == pytest.approx(krippendorff.alpha(reliability_data=np.stack([kari, ola]),
                                                         level_of_measurement="nominal"))
    assert row.applied == {"kari": 26.0, "ola": 30.0 + len(corpus.segments[1].text)}


def test_bad_input(project, corpus):
    with project.store.session() as s:
        add_coding(s, corpus.segments[0].id, "informasjon", "kari")
        add_coder(s, "auto:test@1", kind="auto")
    with pytest.raises(CodingError, match="unknown coder 'nobody'"):
        agreement(project, ["kari", "nobody"])
    with pytest.raises(CodingError, match="coder 'ola' has no active codings"):
        agreement(project, ["kari", "ola"])
    with pytest.raises(CodingError, match="at least two coders"):
        agreement(project, ["kari"])
    with pytest.raises(CodingError, match="named twice"):
        agreement(project, ["kari", "kari"])
    with pytest.raises(CodingError, match="no active codings"):
        agreement(project, ["kari", "auto"])
    with pytest.raises(CodingError, match="unknown code 'nope'"):
        agreement(project, ["kari", "ola"], ["nope"])
    with pytest.raises(CodingError, match="level 'word'"):
        agreement(project, ["kari", "ola"], level="word")
    with pytest.raises(CodingError, match="unknown segment id"):
        agreement(project, ["kari", "ola"], segments=[corpus.segments[0].id, 99999])
    with pytest.raises(CodingError, match="unknown source"):
        agreement(project, ["kari", "ola"], sources=["Z-1999-x"])


def test_auto_coder_against_a_person(project, corpus):
    seg = corpus.segments
    with project.store.session() as s:
        add_coder(s, "auto:test@1.0", kind="auto")
        for i in (0, 2, 4):
            add_coding(s, seg[i].id, "informasjon", "auto", method="auto")
        for i in (0, 2):
            add_coding(s, seg[i].id, "informasjon", "kari")
    rep = agreement(project, ["auto", "kari"], ["informasjon"])
    assert rep.coders == ["auto:test@1.0", "kari"]
    row = rep.codes[0]
    assert row.agreement == pytest.approx(5 / 6) and row.applied == {"auto:test@1.0": 3.0, "kari": 2.0}
    # 2x2 table: both 2, auto only 1, neither 3 -> kappa = (5/6 - p_e) / (1 - p_e), p_e = (3*2 + 3*4)/36
    p_e = (3 * 2 + 3 * 4) / 36
    assert row.kappa == pytest.approx((5 / 6 - p_e) / (1 - p_e))


def test_store_pipeline_matches_direct_computation_on_random_codings(project, make_source):
    """Random codings by three coders, each with their own sources: every per-code α equals the
    package run on a reliability matrix built independently from the ORM rows."""
    rng = np.random.default_rng(3)
    with project.store.session() as s:
        codes = [Code(codebook="t", key=f"k{i}", path=f"k{i}", label=f"K{i}") for i in range(4)]
        s.add_all(codes + [Coder(name=n) for n in ("a", "b", "c")])
        sources = [make_source(s, f"R-{i}", turns=[("P1", f"Tekst {j}.") for j in range(15)])[1] for i in range(4)]
        coded_by = {"a": [0, 1, 2], "b": [0, 1, 3], "c": [1, 2, 3]}
        for name, src_idx in coded_by.items():
            for si in src_idx:
                for seg in sources[si]:
                    for code in codes:
                        if rng.random() < 0.3:
                            add_coding(s, seg, code, name)
    rep = agreement(project, ["a", "b", "c"], [c.key for c in codes])
    with project.store.session() as s:
        from qualcode.store import Coding, Segment
        segs = s.query(Segment).order_by(Segment.id).all()
        active = {(c.segment_id, c.code_id, c.coder.name) for c in s.query(Coding).filter_by(status="active")}
        for row, code in zip(rep.codes, codes):
            matrix = np.array([[(1.0 if (sg.id, code.id, name) in active else 0.0)
                                if sg.source.label in {f"R-{i}" for i in coded_by[name]} else nan
                                for sg in segs] for name in ("a", "b", "c")])
            assert row.alpha == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
            complete = ~np.isnan(matrix).any(axis=0)
            assert row.units == complete.sum() == 15 * 1  # only source 1 was coded by all three


def test_character_level_three_coders_with_missing_data(project, make_source):
    rng = np.random.default_rng(5)
    with project.store.session() as s:
        code = Code(codebook="t", key="x", path="x", label="X")
        s.add_all([code] + [Coder(name=n) for n in ("a", "b", "c")])
        srcs = [make_source(s, f"C-{i}", turns=[("P1", "Et svar med litt lengre tekst her.")] * 3)[1] for i in range(2)]
        coded_by = {"a": [0, 1], "b": [0, 1], "c": [1]}
        spans = {}
        for name, idx in coded_by.items():
            for si in idx:
                for seg in srcs[si]:
                    a = int(rng.integers(seg.start, seg.end - 5))
                    b = int(rng.integers(a + 1, seg.end + 1))
                    add_coding(s, seg, code, name, start=a, end=b)
                    spans.setdefault(name, []).append((seg.source_id, a, b))
        segs = [(seg.source_id, seg.start, seg.end) for src in srcs for seg in src]
    rep = agreement(project, ["a", "b", "c"], level="character")
    chars = [(src, p) for src, a, b in segs for p in range(a, b)]
    src_of = {name: {srcs[i][0].source_id for i in idx} for name, idx in coded_by.items()}
    matrix = np.array([[(1.0 if any(sid == src and a <= p < b for sid, a, b in spans[n]) else 0.0)
                        if src in src_of[n] else nan for src, p in chars] for n in ("a", "b", "c")])
    row = rep.codes[0]
    assert rep.units == len(chars)
    assert row.alpha == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
    complete = ~np.isnan(matrix).any(axis=0)
    assert row.units == complete.sum()
    assert row.agreement == pytest.approx((matrix[:, complete] == matrix[0, complete]).all(axis=0).mean())
