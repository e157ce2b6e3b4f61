"""Disagreement review (table, CSV, HTML) and reconciliation into a consensus coder."""
from __future__ import annotations

import csv

import pytest

from qualcode.coding import add_coder, add_coding, list_codings
from qualcode.coding.agreement import agreement
from qualcode.coding.disagreements import disagreements, export_disagreements, reconcile
from qualcode.errors import CodingError


@pytest.fixture
def coded(project, corpus):
    seg = corpus.segments
    with project.store.session() as s:
        add_coder(s, "per")
        for name in ("kari", "ola", "per"):
            add_coding(s, seg[0].id, "informasjon", name)          # all agree
        add_coding(s, seg[1].id, "parorende", "kari")              # 2 of 3
        add_coding(s, seg[1].id, "parorende", "per", start=seg[1].start + 3, end=seg[1].start + 9)
        add_coding(s, seg[3].id, "evaluering", "ola")              # 1 of 3
        add_coding(s, seg[4].id, "ventetid", "kari")               # kari vs ola split
        add_coding(s, seg[4].id, "ventetid", "per")
        add_coding(s, seg[4].id, "samhandling", "ola")
    return seg


def test_listing_and_exports(project, coded, tmp_path):
    with project.store.session() as s:
        items = disagreements(s, ["kari", "ola"])
    assert [(x.segment_id, x.codes, x.differs) for x in items] == [
        (coded[1].id, {"kari": ["parorende"], "ola": []}, ["parorende"]),
        (coded[3].id, {"kari": [], "ola": ["evaluering"]}, ["evaluering"]),
        (coded[4].id, {"kari": ["ventetid"], "ola": ["samhandling"]}, ["samhandling", "ventetid"]),
    ]
    assert items[0].suggested == []  # 1 of 2 is no majority
    with project.store.session() as s:
        three = disagreements(s, ["kari", "ola", "per"])
    assert {x.segment_id: x.suggested for x in three} == {
        coded[1].id: ["parorende"], coded[3].id: [], coded[4].id: ["ventetid"]}
    out = tmp_path / "review.csv"
    export_disagreements(three, ["kari", "ola", "per"], out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["coder:per"] for r in rows] == ["parorende", "", "ventetid"]
    assert rows[2]["differs"] == "samhandling;ventetid" and rows[2]["codes"] == "ventetid"
    page = tmp_path / "review.html"
    export_disagreements(three, ["kari", "ola", "per"], page)
    doc = page.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and "<script" not in doc and "http" not in doc
    assert '<span class="code diff">samhandling</span>' in doc and "3 segment(s)" in doc


def test_reconcile_by_rule_then_by_sheet(project, coded, tmp_path):
    with project.store.session() as s:
        rep = reconcile(s, ["kari", "ola", "per"], rule="majority")
    assert rep.segments == 6 and rep.added == 3 and rep.ties == 0
    with project.store.session() as s:
        got = {(r.segment_id, r.code) for r in list_codings(s, coder="consensus")}
        assert {r.coder_kind for r in list_codings(s, coder="consensus")} == {"consensus"}
    assert got == {(coded[0].id, "informasjon"), (coded[1].id, "parorende"), (coded[4].id, "ventetid")}
    with project.store.session() as s:  # re-running changes nothing
        again = reconcile(s, ["kari", "ola", "per"], rule="majority")
    assert (again.added, again.removed, again.unchanged) == (0, 0, 3)
    # the meeting decides segment 3 has evaluering and segment 4 has both codes
    with project.store.session() as s:
        items = disagreements(s, ["kari", "ola", "per"])
    sheet = tmp_path / "decided.xlsx"
    for x in items:
        if x.segment_id == coded[3].id:
            x.suggested = ["evaluering"]
        if x.segment_id == coded[4].id:
            x.suggested = ["samhandling", "ventetid"]
    export_disagreements(items, ["kari", "ola", "per"], sheet)
    with project.store.session() as s:
        rep = reconcile(s, ["kari", "ola", "per"], rule="majority", sheet=sheet, by="møte 12.3")
    assert (rep.added, rep.removed, rep.from_sheet) == (2, 0, 3)
    with project.store.session() as s:
        got = {(r.segment_id, r.code) for r in list_codings(s, coder="consensus")}
    assert (coded[3].id, "evaluering") in got and (coded[4].id, "samhandling") in got and len(got) == 5
    # consensus is an ordinary coder for agreement: auto/people vs consensus
    report = agreement(project, ["kari", "consensus"])
    assert report.complete_units == 6


def test_two_coder_ties_and_errors(project, coded, tmp_path):
    with project.store.session() as s:
        rep = reconcile(s, ["kari", "ola"], rule="majority", consensus="enighet")
        assert rep.ties == 4 and rep.added == 1  # only informasjon on segment 0 has both
    with project.store.session() as s:
        with pytest.raises(CodingError, match="rule 'vote'"):
            reconcile(s, ["kari", "ola"], rule="vote")
        with pytest.raises(CodingError, match="needs a rule"):
            reconcile(s, ["kari", "ola"], rule=None)
        with pytest.raises(CodingError, match="cannot be one of the coders"):
            reconcile(s, ["kari", "ola"], consensus="kari")
        with pytest.raises(CodingError, match="is a person, not a consensus coder"):
            reconcile(s, ["kari", "ola"], consensus="per")
        with pytest.raises(CodingError, match="unknown coder 'nobody'"):
            disagreements(s, ["kari", "nobody"])
    bad = tmp_path / "bad.csv"
    bad.write_text(f"segment_id,codes\n{coded[0].id},informasjon\n777777,ventetid\n", encoding="utf-8")
    with project.store.session() as s:
        before = len(list_codings(s, coder="enighet"))
        with pytest.raises(CodingError, match=r"row\(s\) 3"):
            reconcile(s, ["kari", "ola"], rule="majority", sheet=bad, consensus="enighet")
    with project.store.session() as s:
        assert len(list_codings(s, coder="enighet")) == before
