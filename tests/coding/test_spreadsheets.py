"""Coding sheets: export/import round trip (CSV and XLSX, both layouts) and refused input."""
from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from qualcode.coding import add_coding, list_codings
from qualcode.coding.spreadsheets import export_codings, import_codings, read_table
from qualcode.errors import CodingError
from qualcode.store import Coding


def _presence(project, coder=None):
    with project.store.session() as s:
        return {(r.segment_id, r.code, r.coder) for r in list_codings(s, coder=coder)}


def _code_some(project, corpus):
    seg = corpus.segments
    with project.store.session() as s:
        add_coding(s, seg[0].id, "informasjon", "kari")
        add_coding(s, seg[1].id, "parorende", "kari", start=seg[1].start + 4, end=seg[1].start + 15)
        add_coding(s, seg[3].id, "evaluering", "ola")
        add_coding(s, seg[3].id, "informasjon", "ola")
        add_coding(s, seg[8].id, "ventetid", "ola")


@pytest.mark.parametrize("suffix,layout", [(".csv", "wide"), (".csv", "codes"), (".xlsx", "wide"), (".xlsx", "codes")])
def test_round_trip(project, corpus, tmp_path, suffix, layout):
    _code_some(project, corpus)
    before = _presence(project)
    sheet = tmp_path / f"codings{suffix}"
    with project.store.session() as s:
        n = export_codings(s, sheet, layout=layout)
    assert n == 2 * len(corpus.segments)  # one row per segment and coder
    header, rows = read_table(sheet)
    assert header[:6] == ["segment_id", "segment_uid", "source", "speaker", "text", "coder"]
    assert ("codes" in header) == (layout == "codes")
    # re-import unchanged: nothing added or removed (safe to re-run)
    with project.store.session() as s:
        rep = import_codings(s, sheet)
    assert (rep.added, rep.removed, rep.unchanged) == (0, 0, len(before))
    # wipe ola's codings, then import restores them (as whole-segment codings)
    with project.store.session() as s:
        for c in s.query(Coding).filter(Coding.coder.has(name="ola")):
            c.status = "removed"
    with project.store.session() as s:
        rep = import_codings(s, sheet, coder=None)
    assert rep.added == 3 and rep.removed == 0
    assert _presence(project) == before
    with project.store.session() as s:
        span = s.query(Coding).filter_by(status="active", start=corpus.segments[1].start + 4).one()
        assert span.code.key == "parorende"  # kari's span coding survived the import untouched


def test_edit_in_sheet_changes_with_history(project, corpus, tmp_path):
    _code_some(project, corpus)
    sheet = tmp_path / "ola.csv"
    with project.store.session() as s:
        export_codings(s, sheet, coders=["ola"], layout="codes")
    rows = list(csv.reader(sheet.open(encoding="utf-8-sig")))
    idx = rows[0].index("codes")
    seg3 = str(corpus.segments[3].id)
    for r in rows[1:]:
        if r[0] == seg3:
            r[idx] = "informasjon; samhandling"  # drop evaluering, add samhandling
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)  # Excel in a Norwegian locale writes ';'
    with project.store.session() as s:
        rep = import_codings(s, sheet, coder="ola")
    assert (rep.added, rep.removed, rep.unchanged) == (1, 1, 2)
    with project.store.session() as s:
        gone = [r for r in list_codings(s, include_history=True) if r.status == "removed"]
        assert [(g.code, g.changed_by) for g in gone] == [("evaluering", "ola")]
    with project.store.session() as s:  # add mode never removes
        rows[1 + [r[0] for r in rows[1:]].index(seg3)][idx] = ""
        with sheet.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        rep = import_codings(s, sheet, coder="ola", mode="add")
        assert rep.removed == 0


def test_blank_template_and_new_coder(project, corpus, tmp_path):
    sheet = tmp_path / "template.xlsx"
    with project.store.session() as s:
        assert export_codings(s, sheet) == len(corpus.segments)  # nobody has coded: one row per segment
    wb = load_workbook(sheet)
    ws = wb["codings"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("ventetid") + 1, value="x")
    wb.save(sheet)
    with project.store.session() as s:
        with pytest.raises(CodingError, match="unknown coder"):
            import_codings(s, sheet, coder="nina")
    with project.store.session() as s:
        rep = import_codings(s, sheet, coder="nina", create_coder=True)
    assert rep.added == 1 and _presence(project, "nina") == {(corpus.segments[0].id, "ventetid", "nina")}


def _write_csv(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_refused_sheets_name_rows_and_write_nothing(project, corpus, tmp_path):
    _code_some(project, corpus)
    before = _presence(project)
    sid = [str(s.id) for s in corpus.segments]
    cases = [
        ([["segment_id", "codes"], [sid[0], "informasjon"], ["999999", "informasjon"], ["abc", ""]],
         r"unknown segment id/uid in row\(s\) 3, 4"),
        ([["segment_id", "codes"], [sid[0], "informasjon;finnes_ikke"], [sid[1], "finnes_ikke"]],
         r"unknown or ambiguous code\(s\): 'finnes_ikke' \(row 2, 3\)"),
        ([["segment_id", "informasjon", "tull"], [sid[0], "1", "0"]], "unknown or ambiguous code column.*tull"),
        ([["id", "kode"], ["1", "informasjon"]], "wrong layout — no 'segment_id'"),
        ([["segment_id", "text"], [sid[0], "x"]], "wrong layout — no 'codes' column and no code columns"),
        ([["segment_id", "codes", "ventetid"], [sid[0], "", "1"]], "a 'codes' column and code columns"),
        ([["segment_id", "ventetid"], [sid[0], "kanskje"]], r"not 1/0 \(row/column\): 2/ventetid"),
        ([["segment_id", "ventetid"], [sid[0], "1"], [sid[0], "0"]], r"listed twice .* row\(s\) 3"),
        ([["segment_id", "coder", "ventetid"], [sid[0], "kari", "1"], [sid[1], "ola", "1"]], r"differs from --coder 'kari' in row\(s\) 3"),
    ]
    for i, (rows, needle) in enumerate(cases):
        path = _write_csv(tmp_path / f"bad{i}.csv", rows)
        with project.store.session() as s:
            with pytest.raises(CodingError, match=needle) as err:
                import_codings(s, path, coder="kari")
        assert f"bad{i}.csv" in str(err.value)
    # no coder anywhere
    path = _write_csv(tmp_path / "nocoder.csv", [["segment_id", "ventetid"], [sid[0], "1"]])
    with project.store.session() as s:
        with pytest.raises(CodingError, match=r"no coder in row\(s\) 2"):
            import_codings(s, path)
    # wrong encoding (Latin-1 export from an old Excel)
    path = _write_csv(tmp_path / "latin1.csv", [["segment_id", "codes"], [sid[0], "pårørende"]], encoding="latin-1")
    with project.store.session() as s:
        with pytest.raises(CodingError, match="latin1.csv: not UTF-8"):
            import_codings(s, path, coder="kari")
    # not a workbook / wrong extension / empty
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    (tmp_path / "x.ods").write_bytes(b"")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    for name, needle in [("fake.xlsx", "not a readable .xlsx"), ("x.ods", "must be .csv or .xlsx"), ("empty.csv", "empty sheet")]:
        with project.store.session() as s:
            with pytest.raises(CodingError, match=needle):
                import_codings(s, tmp_path / name, coder="kari")
    # one good row among bad ones: still nothing written
    path = _write_csv(tmp_path / "mixed.csv", [["segment_id", "ventetid"], [sid[5], "1"], ["424242", "1"]])
    with project.store.session() as s:
        with pytest.raises(CodingError):
            import_codings(s, path, coder="kari")
    assert _presence(project) == before


def test_error_messages_never_contain_text(project, corpus, tmp_path):
    seg = corpus.segments[0]
    wb = Workbook()
    ws = wb.active
    ws.append(["segment_id", "text", "codes"])
    ws.append([seg.id, seg.text, "ukjent_kode"])
    wb.save(tmp_path / "t.xlsx")
    with project.store.session() as s:
        with pytest.raises(CodingError) as err:
            import_codings(s, tmp_path / "t.xlsx", coder="kari")
    assert seg.text not in str(err.value) and "ukjent_kode" in str(err.value)


def test_sheet_without_header_row_does_not_echo_text(project, corpus, tmp_path):
    seg = corpus.segments[0]
    path = _write_csv(tmp_path / "noheader.csv", [[str(seg.id), seg.uid, "A", "I1", seg.text, "kari", "1"]])
    with project.store.session() as s:
        with pytest.raises(CodingError, match="wrong layout") as err:
            import_codings(s, path)
    assert seg.text not in str(err.value)
    long_code = "informasjon om forløpet som ble gitt i første samtale med pasienten"
    path = _write_csv(tmp_path / "long.csv", [["segment_id", "codes"], [str(seg.id), long_code]])
    with project.store.session() as s:
        with pytest.raises(CodingError, match="unknown or ambiguous code") as err:
            import_codings(s, path, coder="kari")
    assert long_code not in str(err.value)


def test_misplaced_text_in_coder_column_is_not_echoed(project, corpus, tmp_path):
    seg = corpus.segments[0]
    sentence = "vi snakket lenge om ventetiden og om hva som skjedde etter den første samtalen"
    path = _write_csv(tmp_path / "shifted.csv", [["segment_id", "coder", "codes"], [str(seg.id), sentence, "informasjon"]])
    with project.store.session() as s:
        with pytest.raises(CodingError, match="unknown coder") as err:
            import_codings(s, path)
    assert sentence not in str(err.value)


def test_misplaced_text_is_not_echoed_even_in_part(project, corpus, tmp_path):
    seg = corpus.segments[0]
    sentence = "ventetiden var lang og vi hørte ingenting fra dem før brevet kom i posten"
    for header in (["segment_id", "codes"], ["segment_id", sentence]):
        cell = sentence if header[1] == "codes" else "1"
        path = _write_csv(tmp_path / "t.csv", [header, [str(seg.id), cell]])
        with project.store.session() as s:
            with pytest.raises(CodingError, match="unknown or ambiguous code") as err:
                import_codings(s, path, coder="kari")
        assert sentence[:20] not in str(err.value) and "text of 73 characters" in str(err.value)


def test_an_unreadable_csv_is_a_clear_error(project, corpus, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("segment_id,codes\n1,\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    with project.store.session() as s:
        with pytest.raises(CodingError, match="huge.csv: not a readable CSV sheet") as err:
            import_codings(s, path, coder="kari")
    assert "xxxx" not in str(err.value)


def test_codes_layout_leaves_retired_codes_alone(project, corpus, tmp_path):
    seg = corpus.segments
    with project.store.session() as s:
        add_coding(s, seg[0].id, "ventetid", "kari")
        add_coding(s, seg[0].id, "informasjon", "kari")
        s.get(type(corpus.codes["ventetid"]), corpus.codes["ventetid"].id).active = False  # retired code
    sheet = tmp_path / "kari.csv"
    with project.store.session() as s:
        export_codings(s, sheet, coders=["kari"], layout="codes")  # active codes only
        rep = import_codings(s, sheet, coder="kari")
    assert (rep.added, rep.removed) == (0, 0)
    assert _presence(project, "kari") == {(seg[0].id, "ventetid", "kari"), (seg[0].id, "informasjon", "kari")}
