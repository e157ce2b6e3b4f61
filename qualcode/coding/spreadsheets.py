"""Codings in spreadsheets (CSV or XLSX), for teams that code outside qualcode.

Layout (first row = headers; column order does not matter, headers are case-insensitive
except code columns):

==============  =====================================================================
``segment_id``  the segment's id (or give ``segment_uid``; at least one of the two)
``segment_uid`` the segment's uid
``source``      source label            — written on export, ignored on import
``speaker``     anonymised speaker label — written on export, ignored on import
``text``        anonymised segment text  — written on export, ignored on import
``coder``       coder name (or pass ``coder=`` / ``--coder`` for the whole sheet)
then either
``<code key>``  one column per code (``wide`` layout): ``1``/``x``/``ja`` = applied, ``0``/blank = not
or
``codes``       one column (``codes`` layout): applied code keys separated by ``;``
==============  =====================================================================

Columns ``comment``, ``note``, ``differs`` and any starting with ``coder:`` are ignored, so a
disagreement sheet can be filled in and imported. A spreadsheet records *presence* per
segment: on import a ``1`` keeps any existing coding of the code by that coder (span or whole
segment) or adds a whole-segment coding; with ``mode="replace"`` (default) a ``0`` removes the
coder's codings of that code in that segment (marked ``removed``, kept as history). Only the
codes the sheet has columns for (every active code and any code it names, for the ``codes``
layout) are touched.
CSV files are UTF-8 (a BOM is fine; ``,`` ``;`` or tab separated). An import is validated in
full before anything is written and runs in the caller's transaction.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CodingError
from ..store import Code, Coder, Coding, Segment, Source
from ..store.models import utcnow
from .resolve import CODER_KINDS, resolve_code, resolve_coder

FIXED = ("segment_id", "segment_uid", "source", "speaker", "text", "coder")
IGNORED = {"source", "speaker", "text", "comment", "note", "differs"}
LAYOUTS = ("wide", "codes")
TRUE = {"1", "x", "ja", "yes", "true", "j", "y"}
FALSE = {"0", "", "nei", "no", "false", "n"}
MAX_LISTED = 10


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    coders: list[str] = field(default_factory=list)
    layout: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _fmt(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CodingError(f"{path.name}: spreadsheets must be .csv or .xlsx")
    return suffix[1:]


# -- export ------------------------------------------------------------------------------

def coding_table(session: Session, *, coders: Sequence[str] | None = None, layout: str = "wide",
                 codes: Iterable[str] | None = None, sources: Iterable[str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a coding sheet: one row per segment and coder (see the module doc).

    ``coders`` default: every coder with active codings; with none, a blank template (empty
    ``coder`` column). ``codes`` default: every active code (wide) / the codes applied (codes).
    """
    if layout not in LAYOUTS:
        raise CodingError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if coders is None:
        coder_rows = list(session.scalars(select(Coder).where(
            Coder.id.in_(select(Coding.coder_id).where(Coding.status == "active"))).order_by(Coder.name)))
    else:
        coder_rows = [resolve_coder(session, c) for c in coders]
    code_rows = ([resolve_code(session, c) for c in codes] if codes is not None
                 else list(session.scalars(select(Code).where(Code.active.is_(True)).order_by(Code.path))))
    code_ids = {c.id for c in code_rows}
    seen: dict[str, int] = {}
    for c in code_rows:
        seen[c.key] = seen.get(c.key, 0) + 1
    name_of = {c.id: c.key if seen[c.key] == 1 else c.path for c in code_rows}  # path when a key repeats
    seg_q = (select(Segment.id, Segment.uid, Source.label, Segment.speaker, Segment.text)
             .join(Source, Segment.source_id == Source.id).order_by(Source.label, Segment.ordinal))
    if sources is not None:
        labels = list(sources)
        known = set(session.scalars(select(Source.label).where(Source.label.in_(labels))))
        missing = [lab for lab in labels if lab not in known]
        if missing:
            raise CodingError(f"unknown source(s): {', '.join(missing)}")
        seg_q = seg_q.where(Source.label.in_(labels))
    segments = session.execute(seg_q).all()
    applied: dict[tuple[int, int], set[str]] = {}
    if coder_rows:
        key_of = name_of
        q = (select(Coding.segment_id, Coding.coder_id, Coding.code_id)
             .where(Coding.status == "active", Coding.coder_id.in_([c.id for c in coder_rows])))
        for seg_id, coder_id, code_id in session.execute(q):
            if code_id in code_ids:
                applied.setdefault((seg_id, coder_id), set()).add(key_of[code_id])
    keys = [name_of[c.id] for c in code_rows]
    header = list(FIXED) + (keys if layout == "wide" else ["codes"])
    rows: list[list[Any]] = []
    for coder in coder_rows or [None]:
        for seg_id, uid, label, speaker, text in segments:
            got = applied.get((seg_id, coder.id), set()) if coder is not None else set()
            row = [seg_id, uid, label, speaker or "", text, coder.name if coder is not None else ""]
            row += [1 if k in got else 0 for k in keys] if layout == "wide" else [";".join(k for k in keys if k in got)]
            rows.append(row)
    return header, rows


def export_codings(session: Session, path: Path | str, *, coders: Sequence[str] | None = None,
                   layout: str = "wide", codes: Iterable[str] | None = None,
                   sources: Iterable[str] | None = None) -> int:
    """Write a coding sheet to ``path`` (.csv, UTF-8 with BOM, or .xlsx); returns the row count."""
    path = Path(path)
    fmt = _fmt(path)
    header, rows = coding_table(session, coders=coders, layout=layout, codes=codes, sources=sources)
    write_table(path, header, rows, fmt=fmt, sheet="codings")
    return len(rows)


def write_table(path: Path, header: list[str], rows: list[list[Any]], *, fmt: str | None = None,
                sheet: str = "sheet1") -> None:
    fmt = fmt or _fmt(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        return
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:  # text starting with "=" must stay text, not become a formula
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    wb.save(path)


# -- reading -----------------------------------------------------------------------------

def read_table(path: Path | str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (sheet row number, cells as strings) of a CSV or XLSX file; blank rows skipped."""
    path = Path(path)
    fmt = _fmt(path)
    if not path.exists():
        raise CodingError(f"{path}: no such file")
    if fmt == "csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CodingError(f"{path.name}: not UTF-8 text (bad byte at position {exc.start}); "
                              "save the sheet as 'CSV UTF-8'") from None
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count) if first else ","
        try:
            table = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        except csv.Error as exc:  # e.g. a field over the csv module's size limit; the message has no content
            raise CodingError(f"{path.name}: not a readable CSV sheet ({exc})") from None
    else:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise CodingError(f"{path.name}: not a readable .xlsx workbook ({exc.__class__.__name__})") from None
        ws = wb["codings"] if "codings" in wb.sheetnames else wb.worksheets[0]
        table = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
                  for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
    if not table or not any(table[0]):
        raise CodingError(f"{path.name}: empty sheet (the first row must hold the column headers)")
    header = table[0]
    width = len(header)
    rows = [(i + 2, (r + [""] * width)[:width]) for i, r in enumerate(table[1:]) if any(c for c in r)]
    return header, rows


def _short(value: str, limit: int = 40) -> str:
    """A user-typed name as typed; a cell that reads like text (long, or more than three words)
    is replaced by a placeholder, so a misplaced segment text is never echoed, not even in part."""
    if len(value) > limit or len(value.split()) > 3:
        return f"(text of {len(value)} characters)"
    return value


def _rows_text(rows: Iterable[int]) -> str:
    rows = sorted(set(rows))
    more = f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    return ", ".join(map(str, rows[:MAX_LISTED])) + more


# -- import ------------------------------------------------------------------------------

def import_codings(session: Session, path: Path | str, *, coder: str | None = None, create_coder: bool = False,
                   coder_kind: str = "person", mode: str = "replace", method: str = "manual",
                   by: str | None = None) -> ImportReport:
    """Apply a coding sheet (see the module doc). Refuses the whole file, naming rows and
    columns, on unknown segments, codes or coders, bad cells, duplicate rows or a wrong layout."""
    if mode not in ("replace", "add"):
        raise CodingError(f"import mode {mode!r} is not 'replace' or 'add'")
    if coder_kind not in CODER_KINDS:
        raise CodingError(f"coder kind {coder_kind!r} is not one of {', '.join(CODER_KINDS)}")
    sheet = parse_sheet(session, path, coder=coder, create_coder=create_coder)
    report = apply_decisions(session, sheet.decided, sheet.scope, coder_kind=coder_kind, mode=mode,
                             method=method, by=by or coder or "import")
    report.rows, report.layout = sheet.rows, sheet.layout
    return report


@dataclass
class ParsedSheet:
    """A validated coding sheet: the set of code ids decided per (segment id, coder name)."""

    decided: dict[tuple[int, str], set[int]]
    scope: set[int]   # ids of the codes the sheet speaks about
    layout: str
    rows: int


def parse_sheet(session: Session, path: Path | str, *, coder: str | None = None,
                create_coder: bool = False) -> ParsedSheet:
    """Read and validate a coding sheet without writing anything; raises naming rows/columns."""
    path = Path(path)
    header, rows = read_table(path)
    name = path.name
    cols = {h.strip().lower(): i for i, h in enumerate(header) if h.strip()}
    if "segment_id" not in cols and "segment_uid" not in cols:
        raise CodingError(f"{name}: wrong layout — no 'segment_id' or 'segment_uid' column in the first row "
                          f"({len([h for h in header if h])} column header(s))")
    if len(cols) != len([h for h in header if h.strip()]):
        raise CodingError(f"{name}: duplicate column headers")
    other = [(i, h.strip()) for i, h in enumerate(header)
             if h.strip() and h.strip().lower() not in FIXED and h.strip().lower() not in IGNORED
             and not h.strip().lower().startswith("coder:")]
    if "codes" in cols:
        layout = "codes"
        extra = [h for i, h in other if h.lower() != "codes"]
        if extra:
            raise CodingError(f"{name}: wrong layout — a 'codes' column and code columns "
                              f"({', '.join(_short(h) for h in extra[:MAX_LISTED])}); use one")
    elif other:
        layout = "wide"
    else:
        raise CodingError(f"{name}: wrong layout — no 'codes' column and no code columns")

    # codes
    all_codes = list(session.scalars(select(Code)))
    candidates: dict[str, set[Code]] = {}
    for c in all_codes:
        for ref in (c.key, c.path):
            candidates.setdefault(ref, set()).add(c)
    by_name: dict[str, Code | None] = {}
    for ref, found in candidates.items():
        active = [c for c in found if c.active]
        by_name[ref] = next(iter(found)) if len(found) == 1 else (active[0] if len(active) == 1 else None)
    code_cols: list[tuple[int, Code]] = []
    if layout == "wide":
        unknown = [_short(h) for _, h in other if by_name.get(h) is None]
        if unknown:
            raise CodingError(f"{name}: unknown or ambiguous code column(s): {', '.join(unknown[:MAX_LISTED])}")
        code_cols = [(i, by_name[h]) for i, h in other]  # type: ignore[misc]
        scope = {c.id for _, c in code_cols}
    else:
        scope = {c.id for c in all_codes if c.active}  # plus retired codes the sheet names (below)

    errors: list[str] = []
    # segments
    sid_col, uid_col = cols.get("segment_id"), cols.get("segment_uid")
    ids = {r[sid_col] for _, r in rows if sid_col is not None and r[sid_col]}
    uids = {r[uid_col] for _, r in rows if uid_col is not None and r[uid_col]}
    bad_ids = {i for i in ids if not i.isdigit()}
    seg_by_id: dict[str, tuple[int, str]] = {}
    seg_by_uid: dict[str, tuple[int, str]] = {}
    good = sorted(int(i) for i in ids - bad_ids)
    for chunk in range(0, len(good), 500):
        for sid, suid in session.execute(select(Segment.id, Segment.uid).where(Segment.id.in_(good[chunk:chunk + 500]))):
            seg_by_id[str(sid)] = (sid, suid)
    uid_list = sorted(uids)
    for chunk in range(0, len(uid_list), 500):
        for sid, suid in session.execute(select(Segment.id, Segment.uid).where(Segment.uid.in_(uid_list[chunk:chunk + 500]))):
            seg_by_uid[suid] = (sid, suid)

    # coders
    coder_col = cols.get("coder")
    coder_names = {r[coder_col] for _, r in rows if coder_col is not None and r[coder_col]}
    if coder is not None:
        coder_names = {coder}
    missing_coders = []
    for cname in sorted(coder_names):
        if session.scalar(select(Coder.id).where(Coder.name == cname)) is None and not create_coder:
            missing_coders.append(cname)
    if missing_coders:
        errors.append(f"unknown coder(s) {', '.join(repr(_short(c)) for c in missing_coders[:MAX_LISTED])} "
                      "(create with `qualcode coder add`, or import with --create-coder)")

    unknown_seg, mismatch, no_coder, conflict, dup, bad_cells, unknown_codes = [], [], [], [], [], [], {}
    decided: dict[tuple[int, str], set[int]] = {}
    for rownum, r in rows:
        seg = None
        sid = r[sid_col] if sid_col is not None else ""
        suid = r[uid_col] if uid_col is not None else ""
        a, b = seg_by_id.get(sid) if sid else None, seg_by_uid.get(suid) if suid else None
        if (sid and a is None) or (suid and b is None) or not (sid or suid):
            unknown_seg.append(rownum)
            continue
        if a is not None and b is not None and a != b:
            mismatch.append(rownum)
            continue
        seg = (a or b)[0]  # type: ignore[index]
        sheet_coder = r[coder_col] if coder_col is not None else ""
        if coder is not None and sheet_coder and sheet_coder != coder:
            conflict.append(rownum)
            continue
        cname = coder or sheet_coder
        if not cname:
            no_coder.append(rownum)
            continue
        if (seg, cname) in decided:
            dup.append(rownum)
            continue
        chosen: set[int] = set()
        if layout == "wide":
            for i, code in code_cols:
                v = r[i].strip().lower()
                if v in TRUE:
                    chosen.add(code.id)
                elif v not in FALSE:
                    bad_cells.append(f"{rownum}/{header[i]}")
        else:
            for ref in (x.strip() for x in r[cols["codes"]].split(";")):
                if not ref:
                    continue
                code = by_name.get(ref)
                if code is None:
                    unknown_codes.setdefault(ref, []).append(rownum)
                else:
                    chosen.add(code.id)
                    scope.add(code.id)
        decided[(seg, cname)] = chosen
    if unknown_seg:
        errors.append(f"unknown segment id/uid in row(s) {_rows_text(unknown_seg)}")
    if mismatch:
        errors.append(f"segment_id and segment_uid name different segments in row(s) {_rows_text(mismatch)}")
    if conflict:
        errors.append(f"coder column differs from --coder {coder!r} in row(s) {_rows_text(conflict)}")
    if no_coder:
        errors.append(f"no coder in row(s) {_rows_text(no_coder)} (fill the 'coder' column or pass --coder)")
    if dup:
        errors.append(f"segment listed twice for the same coder in row(s) {_rows_text(dup)}")
    if bad_cells:
        errors.append(f"cells that are not 1/0 (row/column): {', '.join(bad_cells[:MAX_LISTED])}")
    if unknown_codes:
        parts = [f"{_short(k)!r} (row {_rows_text(v)})" for k, v in list(unknown_codes.items())[:MAX_LISTED]]
        errors.append(f"unknown or ambiguous code(s): {'; '.join(parts)}")
    if errors:
        raise CodingError(f"{name}: refused, nothing imported — " + "; ".join(errors))

    return ParsedSheet(decided=decided, scope=scope, layout=layout, rows=len(rows))


def apply_decisions(session: Session, decided: dict[tuple[int, str], set[int]], scope: set[int], *,
                    coder_kind: str = "person", mode: str = "replace", method: str = "manual",
                    by: str = "import") -> ImportReport:
    """Make each coder's codings of the ``scope`` codes on each segment match ``decided``:
    add whole-segment codings for missing codes; with ``mode="replace"`` mark the others removed.
    Coders that do not exist are created with ``coder_kind``."""
    coders: dict[str, Coder] = {}
    for cname in sorted({c for _, c in decided}):
        row = session.scalar(select(Coder).where(Coder.name == cname))
        if row is None:
            row = Coder(name=cname, kind=coder_kind)
            session.add(row)
        coders[cname] = row
    session.flush()
    report = ImportReport(rows=len(decided), coders=sorted(coders))
    code_by_id = {c.id: c for c in session.scalars(select(Code).where(Code.id.in_(
        sorted({i for v in decided.values() for i in v}) or [-1])))}
    existing: dict[tuple[int, int], list[Coding]] = {}
    coder_ids = {c.id: n for n, c in coders.items()}
    seg_ids = sorted({s for s, _ in decided})
    for chunk in range(0, len(seg_ids), 500):
        for c in session.scalars(select(Coding).where(
                Coding.status == "active", Coding.segment_id.in_(seg_ids[chunk:chunk + 500]),
                Coding.coder_id.in_(list(coder_ids)))):
            if c.code_id in scope:
                existing.setdefault((c.segment_id, coder_ids[c.coder_id]), []).append(c)
    now = utcnow()
    who = by
    for (seg, cname), chosen in decided.items():
        have = existing.get((seg, cname), [])
        have_codes = {c.code_id for c in have}
        for code_id in sorted(chosen - have_codes):
            code = code_by_id[code_id]
            session.add(Coding(segment_id=seg, code_id=code_id, coder_id=coders[cname].id, method=method,
                               codebook_version=code.codebook_version, status="active"))
            report.added += 1
        report.unchanged += len(chosen & have_codes)
        if mode == "replace":
            for c in have:
                if c.code_id not in chosen:
                    c.status, c.changed_at, c.changed_by = "removed", now, who
                    report.removed += 1
    session.flush()
    return report
