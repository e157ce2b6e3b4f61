"""Framework matrix: exact counts on the hand-made project, filters, empty cells, bad input."""
from __future__ import annotations

import math

import pytest

from qualcode.aggregate import NO_CASE, flatten, framework_matrix, to_records
from qualcode.errors import AggregationError

from aggregate_fixture import words

BM, KO = "brukermedvirkning", "koordinator"


def test_rows_cover_every_case_and_year_and_columns_every_theme(coded):
    df = framework_matrix(coded.project)
    assert list(df.index) == [(c, y) for c in ["A", "B", "C", "D", NO_CASE] for y in (2019, 2020)]
    assert list(df["segments"].columns) == [BM, KO]
    assert df.loc[("A", 2019), ("case", "unit_label")] == "Poliklinikk i PHV"
    assert df.loc[("B", 2020), ("case", "setting")] == "døgn"


def test_exact_counts(coded):
    df = framework_matrix(coded.project)
    seg, src, inf, cod = df["segments"], df["sources"], df["informants"], df["coders"]
    # A 2019: s1 s2 s4 s5 s20 (group interview: informants 1 and 2) + s6 (leader); s6's superseded row ignored
    assert seg.loc[("A", 2019), BM] == 6
    assert src.loc[("A", 2019), BM] == 2
    assert inf.loc[("A", 2019), BM] == 3
    assert cod.loc[("A", 2019), BM] == 2  # anna + auto
    assert seg.loc[("A", 2019), KO] == 1
    # A 2020: s8 s9 s10; the removed koordinator coding on s10 does not count
    assert seg.loc[("A", 2020), BM] == 3 and cod.loc[("A", 2020), BM] == 2  # anna + consensus
    assert seg.loc[("A", 2020), KO] == 0
    assert (seg.loc[("B", 2019), BM], inf.loc[("B", 2019), BM]) == (3, 2)
    assert (seg.loc[("B", 2020), BM], src.loc[("B", 2020), BM], seg.loc[("B", 2020), KO]) == (2, 2, 1)
    assert seg.loc[("D", 2019), BM] == 1 and seg.loc[("D", 2020), KO] == 1
    assert seg.loc[(NO_CASE, 2020), BM] == 1
    assert int(seg.to_numpy().sum()) == (6 + 1) + 3 + 3 + (2 + 1) + 1 + 1 + 1


def test_share_of_words(coded):
    df = framework_matrix(coded.project)
    a19 = ["s1", "s2", "s3", "s4", "s5", "s20", "s6", "s7"]
    coded_words = sum(words(n) for n in ["s1", "s2", "s4", "s5", "s20", "s6"])
    assert df.loc[("A", 2019), ("words", BM)] == coded_words
    assert df.loc[("A", 2019), ("total", "words")] == sum(words(n) for n in a19)
    assert df.loc[("A", 2019), ("share", BM)] == pytest.approx(coded_words / sum(words(n) for n in a19))


def test_empty_cells_are_zero_or_nan_never_dropped(coded):
    df = framework_matrix(coded.project)
    # C 2019: an interview with no codings → 0 and share 0.0; C 2020: no interview at all → NaN share
    assert df.loc[("C", 2019), ("segments", BM)] == 0
    assert df.loc[("C", 2019), ("share", BM)] == 0.0
    assert df.loc[("C", 2020), ("total", "sources")] == 0
    assert math.isnan(df.loc[("C", 2020), ("share", BM)])
    assert any("case C" in w for w in df.attrs["warnings"])


def test_year_without_sources_is_kept_with_a_warning(coded):
    df = framework_matrix(coded.project, years=[2019, 2021])
    assert ("A", 2021) in df.index
    assert df.loc[("A", 2021), ("segments", BM)] == 0
    assert any("2021" in w for w in df.attrs["warnings"])


def test_coder_and_score_filters(coded):
    auto = framework_matrix(coded.project, coder="auto")
    assert auto["segments"].loc[("A", 2019), BM] == 2  # s1, s5
    assert auto["segments"].loc[("B", 2019), BM] == 1
    assert int(auto["segments"].to_numpy().sum()) == 3
    assert framework_matrix(coded.project, min_score=0.5)["segments"].loc[("A", 2019), BM] == 5  # s5 (0.4) out
    both = framework_matrix(coded.project, coder="auto", min_score=0.5)
    assert both["segments"].loc[("A", 2019), BM] == 1
    cons = framework_matrix(coded.project, coder="consensus")
    assert int(cons["segments"].to_numpy().sum()) == 1 and cons["segments"].loc[("A", 2020), BM] == 1
    assert cons["coders"].loc[("A", 2020), BM] == 1 and int(cons["coders"].to_numpy().sum()) == 1
    assert auto["coders"].loc[("A", 2019), BM] == 1
    assert framework_matrix(coded.project, coder="ANNA")["segments"].loc[("A", 2019), BM] == 5  # s1 s2 s4 s20 s6


def test_code_subtree_gives_child_columns(coded):
    df = framework_matrix(coded.project, code=BM)
    assert list(df["segments"].columns) == [BM, "behandlingsplan", "informasjon"]
    assert df["segments"].loc[("A", 2019), "informasjon"] == 5
    assert df["segments"].loc[("A", 2019), "behandlingsplan"] == 1
    assert df["segments"].loc[("A", 2019), BM] == 0  # nothing coded on the parent itself
    assert int(df["segments"].loc[("A", 2019)].sum()) == 6
    leaf = framework_matrix(coded.project, code="brukermedvirkning/informasjon")
    assert list(leaf["segments"].columns) == ["informasjon"]


def test_depth_two_splits_themes(coded):
    df = framework_matrix(coded.project, depth=2)
    assert set(df["segments"].columns) == {BM, "informasjon", "behandlingsplan", KO}
    assert df["segments"].loc[("B", 2020), "informasjon"] == 2


def test_source_filters(coded):
    ledere = framework_matrix(coded.project, informant_group="ledere")
    assert ledere["segments"].loc[("A", 2019), BM] == 1 and ledere["segments"].loc[("A", 2019), KO] == 1
    assert ledere.loc[("A", 2019), ("total", "sources")] == 1
    phv = framework_matrix(coded.project, service_area="phv")
    assert sorted(set(phv.index.get_level_values("case"))) == ["A", "B"]
    dogn = framework_matrix(coded.project, setting="døgn")
    assert sorted(set(dogn.index.get_level_values("case"))) == ["B", "C"]  # registry, not D's stray label
    brukere = framework_matrix(coded.project, informant_group="brukere")
    assert brukere["segments"].loc[(NO_CASE, 2020), BM] == 1
    assert int(brukere["segments"].to_numpy().sum()) == 1


@pytest.mark.parametrize("kwargs, named, allowed", [
    ({"service_area": "XYZ"}, "XYZ", "PHBU"),
    ({"setting": "hjemme"}, "hjemme", "poliklinikk"),
    ({"informant_group": "venner"}, "venner", "pårørende"),
    ({"coder": "bob"}, "bob", "anna"),
    ({"code": "finnesikke"}, "finnesikke", "informasjon"),
])
def test_unknown_filter_values_are_named_with_allowed_values(coded, kwargs, named, allowed):
    with pytest.raises(AggregationError) as exc:
        framework_matrix(coded.project, **kwargs)
    assert named in str(exc.value) and allowed in str(exc.value)


def test_bad_numbers(coded):
    with pytest.raises(AggregationError, match="min_score"):
        framework_matrix(coded.project, min_score="high")
    with pytest.raises(AggregationError, match="years"):
        framework_matrix(coded.project, years=["twenty"])


def test_empty_project(project):
    df = framework_matrix(project)
    assert df.empty and list(df.columns.get_level_values("measure")).count("segments") == 0


def test_flatten_and_records(coded):
    df = framework_matrix(coded.project)
    flat = flatten(df)
    assert {"case", "year", "unit_label", f"segments:{BM}", "total:words"} <= set(flat.columns)
    recs = to_records(df)
    assert len(recs) == len(df) * 2
    a = next(r for r in recs if r["case"] == "A" and r["year"] == 2019 and r["theme"] == BM)
    assert a["segments"] == 6 and a["informants"] == 3


def test_postgres_gives_the_same_matrix(tmp_path, postgres_url):
    from qualcode.project import Project

    from aggregate_fixture import build

    pg = Project.init(tmp_path / "pg", passphrase="correct horse battery staple", database_url=postgres_url)
    lite = Project.init(tmp_path / "lite", passphrase="correct horse battery staple")
    try:
        build(pg), build(lite)
        a, b = framework_matrix(pg), framework_matrix(lite)
        assert a.fillna(-1).equals(b.fillna(-1))
        f = {"code": "brukermedvirkning", "coder": "auto", "min_score": 0.5, "setting": "poliklinikk"}
        assert framework_matrix(pg, **f).equals(framework_matrix(lite, **f))
        from qualcode.aggregate import crosscase

        assert crosscase(pg).equals(crosscase(lite))
    finally:
        pg.close(), lite.close()


def test_many_themes_span_several_mask_columns(coded):
    """70 root codes: theme bits go beyond one 62-bit column (and coder bits beyond several)."""
    from sqlalchemy import select

    from qualcode.store.models import Code, Coder, Coding, Segment

    with coded.project.store.session() as s:
        extra = [Code(codebook="test", key=f"x{i:02d}", path=f"x{i:02d}", label=f"X{i}") for i in range(70)]
        s.add_all(extra)
        s.flush()
        seg = s.scalar(select(Segment).where(Segment.id == coded.segment_ids["s8"]))  # A 2020
        coders = {c.name: c for c in s.scalars(select(Coder))}
        for i in (0, 61, 62, 69):
            s.add(Coding(segment=seg, code=extra[i], coder=coders["anna"]))
        s.add(Coding(segment=seg, code=extra[69], coder=coders["consensus"]))
    df = framework_matrix(coded.project)
    assert len(df["segments"].columns) == 72
    for key in ("x00", "x61", "x62", "x69"):
        assert df["segments"].loc[("A", 2020), key] == 1
        assert int(df["segments"][key].sum()) == 1
    assert df["coders"].loc[("A", 2020), "x69"] == 2 and df["coders"].loc[("A", 2020), "x62"] == 1
    assert int(df["segments"]["x30"].sum()) == 0
    assert df["segments"].loc[("A", 2019), BM] == 6  # the original themes are unaffected
