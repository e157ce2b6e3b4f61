"""Memos on codes, segments, sources, cases and the project; listing and export."""
from __future__ import annotations

import csv

import pytest

from qualcode.coding.memos import add_memo, export_memos, list_memos
from qualcode.errors import CodingError


def test_memos_on_every_target_and_export(project, corpus, tmp_path):
    src = corpus.sources[0]
    with project.store.session() as s:
        add_memo(s, "code", "informasjon", text="Bruk koden når enheten forklarer forløpet.", author="kari")
        add_memo(s, "segment", corpus.segments[2].uid, text="Uklart svar, sjekk med ola.", author="kari")
        add_memo(s, "source", src.label, kind="intervjuoppsummering", title="Oppsummering",
                 text="Informanten beskriver god informasjon, men lite samarbeid.", author="ola", year=2019)
        add_memo(s, "case", "a", kind="enhetsoppsummering", text="Enheten har kommet langt.", author="ola", year=2019)
        add_memo(s, "project", None, text="Kodeboka revidert etter første runde.", author="kari")
    with project.store.session() as s:
        all_ = list_memos(s)
        assert sorted(m.target for m in all_) == sorted(
            ["brukermedvirkning/informasjon", f"segment {corpus.segments[2].id}", src.label, "case A", "project"])
        (summary,) = list_memos(s, kind="intervjuoppsummering")
        assert (summary.target, summary.year, summary.author) == (src.label, 2019, "ola")
        assert [m.kind for m in list_memos(s, target_type="case", target="A")] == ["enhetsoppsummering"]
        assert len(list_memos(s, author="kari")) == 3 and len(list_memos(s, year=2019)) == 2
        assert list_memos(s, target_type="source", target=corpus.sources[1].label) == []
    md, cv = tmp_path / "memos.md", tmp_path / "memos.csv"
    assert export_memos(all_, md) == 5 and export_memos(all_, cv) == 5
    text = md.read_text(encoding="utf-8")
    assert f"## source: {src.label}" in text and "### Oppsummering" in text and "Enheten har kommet langt." in text
    rows = list(csv.DictReader(cv.open(encoding="utf-8-sig")))
    assert {r["kind"] for r in rows} == {"memo", "intervjuoppsummering", "enhetsoppsummering"}


BAD = [
    (("code", "nope"), {}, "unknown code 'nope'"),
    (("segment", "999999"), {}, "unknown segment '999999'"),
    (("source", "Z-2019-x"), {}, "unknown source 'Z-2019-x'"),
    (("case", "Q"), {}, "unknown case 'Q'"),
    (("unit", "A"), {}, "memo target 'unit'"),
    (("project", "A"), {}, "takes no target"),
    (("source", None), {}, "needs a target"),
    (("case", "A"), {"kind": "intervjuoppsummering"}, "belongs to a source, not a case"),
    (("source", "A-2019-behandlere-1"), {"kind": "enhetsoppsummering"}, "belongs to a case"),
    (("project", None), {"kind": "dagbok"}, "memo kind 'dagbok'"),
    (("project", None), {"text": "  "}, "needs text"),
]


def test_bad_memos(project, corpus):
    for args, kwargs, needle in BAD:
        kw = {"text": "Et notat.", "author": "kari", **kwargs}
        with project.store.session() as s:
            with pytest.raises(CodingError, match=needle):
                add_memo(s, *args, **kw)
    with project.store.session() as s:
        assert list_memos(s) == []
    with pytest.raises(CodingError, match=r"\.md or \.csv"):
        export_memos([], "memos.txt")
