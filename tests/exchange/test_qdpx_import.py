from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from builders import build_project
from qdpx_files import CODE_A, CODE_B, SRC, forge_size, project_xml, selection, write_qdpx
from qualcode.errors import ExchangeError
from qualcode.exchange import export_qdpx, import_qdpx
from qualcode.project import Project
from qualcode.store.models import Case, Code, Coder, Coding, Memo, Segment, Source
from qualcode.vault.models import RawSource

RAW = "Intervjuer: Hvor lenge ventet du?\r\n\r\nDeltaker: Det tok åtte uker 🙂 før første samtale.\r\n"
LF = RAW.replace("\r\n", "\n")


def counts(project: Project) -> dict[str, int]:
    with project.store.session() as s:
        out = {m.__name__: s.scalar(select(func.count()).select_from(m))
               for m in (Source, Segment, Code, Coder, Coding, Memo, Case)}
    with project.vault.session() as vs:
        out["RawSource"] = vs.scalar(select(func.count()).select_from(RawSource))
    return out


def _coded_texts(project: Project) -> list[str]:
    with project.store.session() as s:
        rows = s.execute(select(Coding, Segment, Source).join(Segment, Coding.segment_id == Segment.id)
                         .join(Source, Segment.source_id == Source.id)).all()
        return sorted(src.text[(c.start if c.start is not None else seg.start):(c.end if c.end is not None else seg.end)]
                      for c, seg, src in rows)


# -- round trip ---------------------------------------------------------------------------------
def _normalised_qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        files = {n: zf.read(n) for n in zf.namelist() if n != "project.qde"}
    root.attrib.pop("name")  # the project folder name differs, nothing else may
    return etree.tostring(root, method="c14n"), files


def test_round_trip_export_import_export_gives_the_same_project(project, tmp_path: Path):
    build_project(project, n_sources=4, n_codings=80)
    export_qdpx(project, tmp_path / "one.qdpx")
    other = Project.init(tmp_path / "other", passphrase="another passphrase")
    try:
        report = import_qdpx(other, tmp_path / "one.qdpx", anonymised=True)
        assert (report.sources, report.codes, report.codings, report.cases, report.memos) == (4, 8, 80, 2, 5)
        assert report.dropped == {}
        export_qdpx(other, tmp_path / "two.qdpx")
        assert _normalised_qde(tmp_path / "one.qdpx") == _normalised_qde(tmp_path / "two.qdpx")
        assert _coded_texts(other) == _coded_texts(project)
        a, b = counts(project), counts(other)
        assert {k: a[k] for k in ("Source", "Segment", "Code", "Coding", "Memo", "Case")} == \
               {k: b[k] for k in ("Source", "Segment", "Code", "Coding", "Memo", "Case")}
        def comments(p):
            with p.store.session() as s:
                return sorted(s.scalars(select(Coding.uid + ":" + Coding.comment).where(Coding.comment.is_not(None))))
        assert comments(other) == comments(project) and len(comments(project)) > 0
        assert report.kept == {"notes on codings (as coding comments)": len(comments(project))}
        with other.store.session() as s:
            kinds = dict(s.execute(select(Coder.name, Coder.kind)).all())
            assert kinds["auto:testbok@1.0.0"] == "auto"
            memo = s.scalar(select(Memo).where(Memo.kind == "enhetsoppsummering"))
            assert memo.target_type == "case" and memo.year == 2020
    finally:
        other.close()


def test_reimporting_the_same_file_is_refused(project, tmp_path: Path):
    build_project(project)
    export_qdpx(project, tmp_path / "p.qdpx")
    before = counts(project)
    with pytest.raises(ExchangeError, match="already in this project"):
        import_qdpx(project, tmp_path / "p.qdpx", anonymised=True)
    assert counts(project) == before


# -- positions and line endings ------------------------------------------------------------------
@pytest.mark.parametrize("origin, text_of", [
    ("NVivo 15", RAW),        # the standard: CRLF is two code points
    ("ATLAS.ti 23.2", LF),     # documented ATLAS.ti quirk: a line break counts once
])
def test_crlf_positions_follow_the_standard_and_the_atlas_quirk(project, tmp_path: Path, origin, text_of):
    want = "åtte uker 🙂"
    s = text_of.index(want)
    qde = project_xml(origin=origin, selections=selection(1, s, s + len(want)))
    path = write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW})
    report = import_qdpx(project, path, anonymised=True)
    assert report.line_endings == ("collapsed" if "ATLAS" in origin else "standard")
    assert _coded_texts(project) == [want]
    with project.store.session() as s_:
        assert s_.scalar(select(Source.text)) == LF
        assert "\r" not in s_.scalar(select(Source.text))


def test_line_endings_can_be_forced(project, tmp_path: Path):
    want = "åtte uker"
    s = LF.index(want)
    qde = project_xml(origin="Some tool", selections=selection(1, s, s + len(want)))
    path = write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW})
    import_qdpx(project, path, anonymised=True, line_endings="collapsed")
    assert _coded_texts(project) == [want]


def test_import_maps_segments_cases_variables_and_reports_drops(project, tmp_path: Path):
    whole = LF.index("Det tok")
    end = LF.index("samtale.") + len("samtale.")
    sels = selection(1, RAW.index("Det tok"), RAW.index("samtale.") + len("samtale."), code=CODE_B) + \
        selection(2, 0, RAW.index("Det tok") + 3)  # spans two turns
    qde = project_xml(origin="NVivo", selections=sels, extra_top='<Sets><Set guid="5e700000-0000-4000-8000-000000000001" name="S"/></Sets>')
    files = {f"sources/{SRC}.txt": RAW, "sources/0000-extra.pdf": b"%PDF"}
    report = import_qdpx(project, write_qdpx(tmp_path / "p.qdpx", qde, files), anonymised=True)
    assert report.dropped["files in the .qdpx that no element refers to"] == 1
    assert report.dropped["variables qualcode has no field for"] == 1
    assert report.dropped["variable values of unknown variables"] == 1
    assert report.dropped["Sets (qualcode has no sets)"] == 1
    assert report.kept["selections spanning several segments (split per segment)"] == 1
    with project.store.session() as s:
        src = s.scalar(select(Source))
        assert (src.year, src.case.letter, src.status) == (2020, "C", "anonymised")
        segs = s.scalars(select(Segment).order_by(Segment.ordinal)).all()
        assert [g.speaker for g in segs] == ["Intervjuer", "Deltaker"]
        whole_coding = s.scalar(select(Coding).join(Code).where(Code.uid == CODE_B))
        assert whole_coding.start is None and whole_coding.segment.start == whole and whole_coding.segment.end == end
        assert s.scalar(select(func.count()).select_from(Coding)) == 3
        assert s.scalar(select(Code.path).where(Code.uid == CODE_B)) == "ventetid/forste-samtale"
        assert s.scalar(select(Code.colour).where(Code.uid == CODE_A)) == "#cc0000"
        memo = s.scalar(select(Memo))
        assert (memo.target_type, memo.target_id, memo.author) == ("source", src.id, "forsker")


# -- raw (not yet anonymised) import -------------------------------------------------------------
def test_raw_import_goes_through_the_vault_and_holds_codings(project, tmp_path: Path):
    s0 = RAW.index("åtte")
    qde = project_xml(selections=selection(1, s0, s0 + 4))
    report = import_qdpx(project, write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW}))
    assert (report.pending_sources, report.sources, report.held_codings, report.held_notes) == (1, 0, 1, 1)
    with project.store.session() as s:
        src = s.scalar(select(Source))
        assert src.status == "pending" and src.text is None and src.label == "C-2020-ukjent-1"
        assert s.scalar(select(func.count()).select_from(Coding)) == 0
        assert s.scalar(select(func.count()).select_from(Memo)) == 0
    with project.vault.session() as vs:
        tr = project.vault.transcript(vs, SRC)
        assert tr.text == LF and tr.filename == "Intervju 1" and tr.meta.year == 2020
    held = Path(report.held_file)
    assert held.parent.parent == project.private_dir
    assert '"start": ' in held.read_text(encoding="utf-8")


# -- bad input: clear errors, nothing half-imported ------------------------------------------------
def _bad_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    ok_sel = selection(1, 0, 5)
    files = {f"sources/{SRC}.txt": RAW}
    out = {}
    (tmp_path / "notzip.qdpx").write_bytes(b"PK? not really a zip")
    out["not a zip"] = (tmp_path / "notzip.qdpx", "not a .qdpx")
    out["no project.qde"] = (write_qdpx(tmp_path / "noqde.qdpx", None, files), "no project.qde")
    out["not well-formed"] = (write_qdpx(tmp_path / "xml.qdpx", "<Project", files), "not well-formed")
    out["invalid"] = (write_qdpx(tmp_path / "inv.qdpx", project_xml(selections=ok_sel).replace(
        'name="Ventetid" isCodable="true"', 'name="Ventetid"'), files), "isCodable")
    out["outside"] = (write_qdpx(tmp_path / "pos.qdpx", project_xml(selections=ok_sel + selection(2, 5, len(RAW) + 1)),
                                 files), "outside the text")
    out["missing code"] = (write_qdpx(tmp_path / "code.qdpx", project_xml(
        selections=selection(1, 0, 5, code="c0de0000-0000-4000-8000-0000000000ff")), files), "missing code")
    out["missing source"] = (write_qdpx(tmp_path / "src.qdpx", project_xml(
        case_refs='<SourceRef targetGUID="5a5a0000-0000-4000-8000-0000000000ff"/>'), files), "missing source")
    out["duplicate guid"] = (write_qdpx(tmp_path / "dup.qdpx", project_xml(code_b_guid=CODE_A), files), "duplicate GUID")
    out["missing file"] = (write_qdpx(tmp_path / "nofile.qdpx", project_xml(selections=ok_sel), {}), "not in the sources folder")
    big = write_qdpx(tmp_path / "big.qdpx", project_xml(selections=ok_sel), files)
    forge_size(big, f"sources/{SRC}.txt", 500 * 1024 * 1024)
    out["500 MB source"] = (big, "524288000 bytes, more than the limit")
    return out


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory):
    """One project for all bad-input tests: since nothing may ever be imported, they can share it."""
    p = Project.init(tmp_path_factory.mktemp("bad") / "project", passphrase="bad input tests")
    yield p
    p.close()


@pytest.mark.parametrize("case", ["not a zip", "no project.qde", "not well-formed", "invalid", "outside",
                                  "missing code", "missing source", "duplicate guid", "missing file", "500 MB source"])
@pytest.mark.parametrize("anonymised", [True, False])
def test_bad_input_is_refused_and_nothing_is_imported(shared_project, tmp_path: Path, no_refi, case, anonymised):
    project = shared_project
    path, message = _bad_cases(tmp_path)[case]
    before = counts(project)
    with pytest.raises(ExchangeError, match=message) as err:
        import_qdpx(project, path, anonymised=anonymised)
    assert "Deltaker" not in str(err.value) and "åtte" not in str(err.value)  # no transcript text in errors
    assert counts(project) == before
    assert not (project.private_dir / "qdpx-held").exists() or not any((project.private_dir / "qdpx-held").iterdir())


def test_schema_violations_are_reported_with_the_official_schema(project, tmp_path: Path, refi_dir):
    qde = project_xml().replace("<Users>", "<Unknown/><Users>")
    path = write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW})
    with pytest.raises(ExchangeError, match="not valid REFI-QDA project XML.*Unknown"):
        import_qdpx(project, path, anonymised=True)
    qde = project_xml().replace("<IntegerValue>44</IntegerValue>", "<IntegerValue>Kari Nordmann</IntegerValue>")
    path = write_qdpx(tmp_path / "q.qdpx", qde, {f"sources/{SRC}.txt": RAW})
    with pytest.raises(ExchangeError, match="IntegerValue") as err:
        import_qdpx(project, path, anonymised=True)
    assert "Kari" not in str(err.value)  # the offending value is not echoed
    assert counts(project)["Source"] == 0


def test_a_store_failure_leaves_the_vault_unchanged(project, tmp_path: Path, monkeypatch):
    qde = project_xml(selections=selection(1, 0, 5))
    path = write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW})
    before = counts(project)
    import qualcode.store.db as db

    real = db.Store.session

    def failing(self):
        from contextlib import contextmanager

        @contextmanager
        def cm():
            with real(self) as s:
                yield s
                raise RuntimeError("disk full")
        return cm()

    monkeypatch.setattr(db.Store, "session", failing)
    with pytest.raises(RuntimeError):
        import_qdpx(project, path)
    monkeypatch.setattr(db.Store, "session", real)
    assert counts(project) == before


# -- vendor samples ------------------------------------------------------------------------------
def test_vendor_samples_import_with_a_report(tmp_path: Path, refi_dir: Path):
    samples = refi_dir / "samples"
    results = {}
    for i, sample in enumerate(sorted(samples.glob("*.qdpx"))):
        p = Project.init(tmp_path / f"p{i}", passphrase="pw")
        try:
            results[sample.stem] = (import_qdpx(p, sample, anonymised=True), counts(p))
        finally:
            p.close()
    blank = results["atlasti23-blank-project"][0]
    assert blank.codes == 0 and blank.sources == 0 and blank.validated_with == "xsd"
    target, tc = results["atlasti23-target-project"]
    assert target.codes == 3 and tc["Code"] == 3 and target.line_endings == "collapsed"
    nvivo, nc = results["nvivo15-mac-project"]
    assert nvivo.sources == 2 and nc["Source"] == 2
    assert nvivo.codes == nc["Code"] > 50
    assert nvivo.kept["sources with a rich-text copy: the plain text was used"] == 2


def test_pdf_sources_come_in_through_their_text_representation(project, tmp_path: Path):
    want = "åtte uker"
    s = RAW.index(want)
    rep = "5a5a0000-0000-4000-8000-0000000000aa"
    pdf = (f'<PDFSource guid="{SRC}" name="Skjema" path="internal://{SRC}.pdf">'
           f'<PDFSelection guid="5e150000-0000-4000-8000-0000000000aa" page="1" firstX="0" firstY="0" secondX="9" secondY="9"/>'
           f'<Representation guid="{rep}" plainTextPath="internal://{rep}.txt">{selection(1, s, s + len(want))}</Representation>'
           f'</PDFSource>')
    qde = project_xml(origin="NVivo 14")
    start, end = qde.index("<TextSource"), qde.index("</TextSource>") + len("</TextSource>")
    qde = qde[:start] + pdf + qde[end:]
    files = {f"sources/{rep}.txt": RAW, f"sources/{SRC}.pdf": b"%PDF-1.4"}
    report = import_qdpx(project, write_qdpx(tmp_path / "p.qdpx", qde, files), anonymised=True)
    assert report.sources == 1 and report.codings == 1
    assert report.kept["PDF sources imported through their text representation"] == 1
    assert report.dropped["PDF area selections (coordinates on a page)"] == 1
    assert "files in the .qdpx that no element refers to" not in report.dropped
    assert _coded_texts(project) == [want]
    with project.store.session() as s_:
        assert s_.scalar(select(Source.case_id)) is not None  # the case's SourceRef names the PDF source


def test_a_source_name_from_another_tool_never_reaches_the_store_or_exports(project, tmp_path: Path):
    """The name a source had elsewhere is often its file name (here with a person's name):
    even for an 'anonymised' import the store gets a neutral label built from the variables."""
    qde = project_xml().replace('name="Intervju 1"', 'name="Intervju Sigrun Vatnedal 2020.docx"')
    report = import_qdpx(project, write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW}), anonymised=True)
    assert report.dropped["source names that are not neutral labels (replaced by one from the variables)"] == 1
    with project.store.session() as s:
        assert s.scalar(select(Source.label)) == "C-2020-ukjent-1"
    export_qdpx(project, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        assert all(b"Vatnedal" not in zf.read(n) for n in zf.namelist())
