"""Manual coding: add, change, remove, list — and history kept on every change."""
from __future__ import annotations

import pytest

from qualcode.coding import (add_coder, add_coding, change_coding, coding_history, find_codings,
                             list_codings, remove_coding)
from qualcode.errors import CodingError
from qualcode.store import Coding


def test_add_by_id_uid_key_and_path(project, corpus):
    seg = corpus.segments[0]
    with project.store.session() as s:
        a = add_coding(s, seg.id, "informasjon", "kari", comment="tydelig")
        b = add_coding(s, seg.uid, "brukermedvirkning/parorende", "ola")
        assert (a.code.key, a.coder.name, a.method, a.codebook_version) == ("informasjon", "kari", "manual", "1.0")
        assert a.start is None and a.end is None and a.status == "active"
        assert b.code.key == "parorende"
    with project.store.session() as s:
        rows = list_codings(s)
    assert [(r.code, r.coder, r.source, r.case) for r in rows] == [
        ("informasjon", "kari", corpus.sources[0].label, "A"), ("parorende", "ola", corpus.sources[0].label, "A")]


@pytest.mark.parametrize("seg,code,coder,needle", [
    (999999, "informasjon", "kari", "unknown segment '999999'"),
    ("no-such-uid", "informasjon", "kari", "unknown segment 'no-such-uid'"),
    (None, "finnes_ikke", "kari", "unknown code 'finnes_ikke'"),
    (None, "informasjon", "per", "unknown coder 'per'"),
])
def test_unknown_references_are_named(project, corpus, seg, code, coder, needle):
    with project.store.session() as s:
        with pytest.raises(CodingError, match=needle):
            add_coding(s, corpus.segments[0].id if seg is None else seg, code, coder)


def test_spans_checked_against_segment_and_overlaps(project, corpus):
    seg = corpus.segments[1]
    with project.store.session() as s:
        c = add_coding(s, seg.id, "parorende", "kari", start=seg.start + 4, end=seg.start + 20)
        assert (c.start, c.end) == (seg.start + 4, seg.start + 20)
        # the whole segment written as a span is stored as "whole segment"
        w = add_coding(s, seg.id, "evaluering", "kari", start=seg.start, end=seg.end)
        assert (w.start, w.end) == (None, None)
        # a second, non-overlapping span of the same code is fine
        add_coding(s, seg.id, "parorende", "kari", start=seg.start + 25, end=seg.start + 30)
        # the same span by another coder is fine
        add_coding(s, seg.id, "parorende", "ola", start=seg.start + 4, end=seg.start + 20)
    for start, end, needle in [(seg.start + 10, seg.start + 26, "already has code 'parorende'"),
                               (None, None, "already has code 'parorende'"),
                               (seg.start - 1, seg.start + 5, "outside the segment"),
                               (seg.start + 5, seg.end + 1, "outside the segment"),
                               (seg.start + 5, seg.start + 5, "outside the segment"),
                               (seg.start + 5, None, "needs both")]:
        with project.store.session() as s:
            with pytest.raises(CodingError, match=needle):
                add_coding(s, seg.id, "parorende", "kari", start=start, end=end)
    with project.store.session() as s:
        assert s.query(Coding).count() == 4  # refused writes left nothing behind


def test_change_and_remove_keep_history(project, corpus):
    seg = corpus.segments[2]
    with project.store.session() as s:
        first = add_coding(s, seg.id, "evaluering", "kari")
    with project.store.session() as s:
        second = change_coding(s, first.id, by="ola", code="informasjon", comment="feil kode først")
    with project.store.session() as s:
        third = change_coding(s, second.id, by="kari", start=seg.start + 4, end=seg.start + 12)
    with project.store.session() as s:
        old = s.get(Coding, first.id)
        assert (old.status, old.replaced_by_id, old.changed_by) == ("superseded", second.id, "ola")
        assert old.changed_at is not None and old.code.key == "evaluering"  # the old row is untouched
        mid = s.get(Coding, second.id)
        assert (mid.status, mid.replaced_by_id, mid.changed_by) == ("superseded", third.id, "kari")
        assert [c.id for c in coding_history(s, third.id)] == [first.id, second.id, third.id]
        assert [c.id for c in coding_history(s, first.id)] == [first.id, second.id, third.id]
        with pytest.raises(CodingError, match="superseded, not active"):
            change_coding(s, first.id, by="kari", code="ventetid")
        with pytest.raises(CodingError, match="nothing to change"):
            change_coding(s, third.id, by="kari")
    with project.store.session() as s:
        (row,) = find_codings(s, seg.id, "informasjon", "kari")
        gone = remove_coding(s, row, by="kari")
        assert (gone.status, gone.changed_by) == ("removed", "kari")
    with project.store.session() as s:
        assert list_codings(s) == []
        hist = list_codings(s, include_history=True)
        assert [r.status for r in hist] == ["superseded", "superseded", "removed"]
        assert s.query(Coding).count() == 3
        with pytest.raises(CodingError, match="is removed"):
            remove_coding(s, third.id, by="kari")
        with pytest.raises(CodingError, match="no active coding"):
            find_codings(s, seg.id, "informasjon", "kari")


def test_list_filters(project, corpus):
    with project.store.session() as s:
        add_coder(s, "auto:test@1.0", kind="auto")
        add_coding(s, corpus.segments[0].id, "informasjon", "kari")
        add_coding(s, corpus.segments[1].id, "parorende", "ola")
        add_coding(s, corpus.segments[7].id, "ventetid", "auto", method="auto")
        s.get(type(corpus.sources[1]), corpus.sources[1].id).informant_group = "ledere"
    with project.store.session() as s:
        assert {r.code for r in list_codings(s, code="brukermedvirkning")} == {"informasjon", "parorende"}
        assert [r.coder for r in list_codings(s, coder="auto")] == ["auto:test@1.0"]
        assert [r.code for r in list_codings(s, case="B")] == ["ventetid"]
        assert [r.code for r in list_codings(s, informant_group="ledere")] == ["ventetid"]
        assert len(list_codings(s, year=2019)) == 3 and list_codings(s, year=2020) == []
        assert list_codings(s, coder="kari", code="parorende") == []
        with pytest.raises(CodingError, match="unknown coder 'nobody'"):
            list_codings(s, coder="nobody")
        with pytest.raises(CodingError, match="exists already"):
            add_coder(s, "kari")
        with pytest.raises(CodingError, match="kind 'robot'"):
            add_coder(s, "r2", kind="robot")
