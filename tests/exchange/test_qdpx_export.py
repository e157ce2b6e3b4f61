from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from builders import build_project
from qualcode.exchange import export_qdpx
from qualcode.exchange.schema import PROJECT_NS, project_schema, structural_problems
from qualcode.store.models import Coding, Segment, Source

Q = lambda t: f"{{{PROJECT_NS}}}{t}"  # noqa: E731


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def test_export_is_schema_valid(project, tmp_path: Path, refi_dir: Path):
    build_project(project)
    report = export_qdpx(project, tmp_path / "p.qdpx")
    assert report.validated_with == "xsd"
    assert project_schema().validate(_qde(tmp_path / "p.qdpx"))
    with project.store.session() as s:
        commented = len(s.scalars(select(Coding.id).where(Coding.comment.is_not(None))).all())
    assert commented > 0
    assert (report.sources, report.codes, report.codings, report.cases) == (3, 8, 40, 2)
    assert report.notes == 5 + commented  # memos, and coding comments as notes


def test_export_without_schema_checks_structure(project, tmp_path: Path, no_refi):
    build_project(project)
    report = export_qdpx(project, tmp_path / "p.qdpx")
    assert report.validated_with == "structural"
    assert structural_problems(_qde(tmp_path / "p.qdpx"), kind="project") == []


def test_positions_are_code_points_of_the_source_file(project, tmp_path: Path):
    build_project(project, n_codings=60)
    export_qdpx(project, tmp_path / "p.qdpx")
    root = _qde(tmp_path / "p.qdpx")
    with project.store.session() as s:
        by_uid = {src.uid: src for src in s.scalars(select(Source))}
        expected = {}
        for coding, seg in s.execute(select(Coding, Segment).join(Segment)):
            start = seg.start if coding.start is None else coding.start
            end = seg.end if coding.end is None else coding.end
            expected[coding.uid] = seg.source.text[start:end]
    assert any(not t.isascii() for t in expected.values())  # æøå / emoji are really exercised
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        checked = 0
        for ts in root.iter(Q("TextSource")):
            text = zf.read("sources/" + ts.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
            assert text == by_uid[ts.get("guid")].text
            assert "\r" not in text
            for sel in ts.iter(Q("PlainTextSelection")):
                chunk = text[int(sel.get("startPosition")):int(sel.get("endPosition"))]
                for coding in sel.iter(Q("Coding")):
                    assert chunk == expected[coding.get("guid")]
                    checked += 1
    assert checked == 60


def test_emoji_and_aeoeaa_count_as_one_position_each(project, tmp_path: Path):
    build_project(project, n_codings=0, memos=False)
    text = "Intervjuer: Hei 🙂🙂!\n\nDeltaker: Blåbærsyltetøy på Østlandet 👍🏽 var godt."
    start = text.index("Østlandet")
    with project.store.session() as s:
        from qualcode.store.models import Code, Coder

        src = Source(label="E-2020-brukere-1", format="txt", status="anonymised", text=text)
        seg = Segment(source=src, ordinal=0, turn_index=1, speaker="Deltaker", start=text.index("Blåbær"),
                      end=len(text), text=text[text.index("Blåbær"):])
        s.add_all([src, seg])
        s.add(Coding(segment=seg, code=s.scalars(select(Code)).first(), coder=s.scalars(select(Coder)).first(),
                     start=start, end=start + len("Østlandet")))
        uid = src.uid
    export_qdpx(project, tmp_path / "p.qdpx")
    ts = next(t for t in _qde(tmp_path / "p.qdpx").iter(Q("TextSource")) if t.get("guid") == uid)
    sel = ts.find(Q("PlainTextSelection"))
    assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) == (start, start + 9)
    assert start == 49  # code points; UTF-8 bytes or UTF-16 units would give more
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        data = zf.read(f"sources/{uid}.txt")
    assert data.decode("utf-8")[start:start + 9] == "Østlandet"
    assert data.find("Østlandet".encode()) > start


def test_guids_are_stable_and_files_identical(project, tmp_path: Path):
    build_project(project)
    export_qdpx(project, tmp_path / "a.qdpx")
    export_qdpx(project, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()


def test_pending_sources_are_not_exported(project, tmp_path: Path):
    build_project(project)
    with project.store.session() as s:
        s.add(Source(label="P-2020-ledere-9", format="txt", status="pending"))
    report = export_qdpx(project, tmp_path / "p.qdpx")
    assert report.skipped_pending == 1 and report.sources == 3
    names = [ts.get("name") for ts in _qde(tmp_path / "p.qdpx").iter(Q("TextSource"))]
    assert "P-2020-ledere-9" not in names


def test_content_of_the_export(project, tmp_path: Path):
    build_project(project)
    export_qdpx(project, tmp_path / "p.qdpx")
    root = _qde(tmp_path / "p.qdpx")
    assert {u.get("name") for u in root.iter(Q("User"))} >= {"koder-1", "koder-2", "auto:testbok@1.0.0"}
    case_a = next(c for c in root.iter(Q("Case")) if c.get("name") == "A")
    assert len(case_a.findall(Q("SourceRef"))) == 2
    assert {v.get("name") for v in root.iter(Q("Variable"))} >= {"Year", "Informant group", "Unit label",
                                                                  "Setting", "Service area", "Region"}
    codes = {c.get("name"): c for c in root.iter(Q("Code"))}
    assert codes["Informasjon"].getparent() is codes["Brukermedvirkning"]
    assert codes["Ventetid"].get("color") == "#d62728"
    assert codes["Ventetid"].find(Q("NoteRef")) is not None  # the code memo
    assert len(root.findall(Q("NoteRef"))) == 1  # the project memo
    case_note = next(n for n in root.iter(Q("Note")) if n.get("name") == "Enhet A")  # cases take no NoteRef:
    assert f"target=case:{case_a.get('guid')}" in case_note.find(Q("Description")).text  # kept in a trailer
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        assert all(n == "project.qde" or (n.startswith("sources/") and n.endswith(".txt")) for n in zf.namelist())


def test_unwritable_target_is_a_clear_error(project, tmp_path: Path):
    import pytest

    from qualcode.errors import ExchangeError

    build_project(project, n_codings=2, memos=False)
    with pytest.raises(ExchangeError, match="is a folder"):
        export_qdpx(project, tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExchangeError, match="cannot write"):
        export_qdpx(project, tmp_path / "file" / "p.qdpx")
    assert not list(tmp_path.glob(".tmp-*"))


def test_control_characters_do_not_break_the_xml(project, tmp_path: Path):
    from qualcode.store.models import Memo

    build_project(project, n_codings=2, memos=False)
    with project.store.session() as s:
        s.add(Memo(target_type="project", target_id=None, author="koder\x0b1", title="Tittel\x01",
                   text="Linje\x0bmed vertikal tab\x00"))
    export_qdpx(project, tmp_path / "p.qdpx")
    note = next(_qde(tmp_path / "p.qdpx").iter(Q("Note")))
    assert note.find(Q("PlainTextContent")).text == "Linje\ufffdmed vertikal tab\ufffd"
