"""Import a REFI-QDA ``.qdpx`` project into a qualcode project.

Two paths:

* ``anonymised=True`` — the user states the texts are already anonymised: sources, segments,
  codebook, codings per coder, cases, variables and memos go straight into the analysis store.
  A source keeps its name as label only if it is a neutral qualcode label (``A-2019-ledere-1``);
  any other name (often a file name) is replaced by a label built from its variables.
* ``anonymised=False`` (default) — sources are raw: each goes into the vault as a pending
  source, like any import, and waits for ``qualcode anonymise``. Their codings and all notes
  (free text that may identify people) are *held back* in ``private/qdpx-held/<id>.json``
  and applied by :func:`apply_held_codings` once the sources are anonymised (positions are
  mapped through the changes the anonymiser made). Codebook, coders and cases go to the store
  at once.

Everything is validated before anything is written (schema, GUIDs, references, positions,
sizes). Store and vault writes happen in one transaction each, the vault committing last and
being rolled back by hand if the store then fails, so an error leaves both unchanged.
Elements qualcode has no place for are counted in the report's ``dropped``; nothing is dropped
silently.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import ExchangeError
from ..importers.base import Transcript, TranscriptMeta, sha256_bytes
from ..importers.ingest import is_neutral_label
from ..store.models import Case, Code, Coder, Coding, Memo, Segment, Source, utcnow
from .common import VARIABLE_ALIASES, parse_datetime, parse_memo_trailer
from .description import pack_description
from .guids import derive, is_guid, normalise
from .package import MAX_QDE_BYTES, MAX_SOURCE_BYTES, Package, open_package
from .qdc import QdcReport, codes_from_elements
from .schema import PROJECT_NS, validate
from .text import LineEndings, decode_source, line_ending_mode, normalise_line_endings, split_turns

NS = PROJECT_NS
Q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
IMPORT_CODER = "qdpx-import"
HELD_DIR = "qdpx-held"
_LETTER = re.compile(r"^[A-Za-z]{1,4}$")
_KNOWN_TOP = {"Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Description", "NoteRef"}


@dataclass
class QdpxImportReport:
    """What an import did: counts of what was kept, dropped and held back (never content)."""

    path: Path
    anonymised: bool
    origin: str | None = None
    validated_with: str = "structural"
    line_endings: str = "standard"
    sources: int = 0
    pending_sources: int = 0
    segments: int = 0
    codes: int = 0
    codes_reused: int = 0
    coders: int = 0
    codings: int = 0
    held_codings: int = 0
    cases: int = 0
    memos: int = 0
    held_notes: int = 0
    held_file: str | None = None
    kept: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def keep(self, what: str, n: int = 1) -> None:
        self.kept[what] = self.kept.get(what, 0) + n

    def drop(self, what: str, n: int = 1) -> None:
        self.dropped[what] = self.dropped.get(what, 0) + n

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["path"] = str(self.path)
        return d


# -- parsed plan (no database) --------------------------------------------------------------------
@dataclass
class _Sel:
    guid: str
    start: int  # in the LF-normalised text
    end: int
    codings: list[tuple[str, str, str | None, datetime | None]]  # (coding guid, code guid, user guid, created)
    note_refs: list[str]


@dataclass
class _Src:
    guid: str
    name: str
    text: str
    raw: bytes
    selections: list[_Sel]
    note_refs: list[str]
    values: dict[str, str]
    description: str | None
    created: datetime | None


@dataclass
class _Note:
    guid: str
    name: str | None
    text: str
    user: str | None
    created: datetime | None
    modified: datetime | None
    trailer: dict[str, str]


def _local(el: etree._Element) -> str:
    return etree.QName(el.tag).localname if isinstance(el.tag, str) else ""


def _count_foreign(root: etree._Element, report: QdpxImportReport) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and not el.tag.startswith(f"{{{NS}}}"):
            report.drop("elements of other namespaces (vendor extensions)")


def _variables(root: etree._Element, report: QdpxImportReport) -> dict[str, str]:
    """Variable guid → qualcode field; unknown variables are reported."""
    out: dict[str, str] = {}
    vars_el = root.find(Q("Variables"))
    for v in (vars_el.iterchildren(Q("Variable")) if vars_el is not None else []):
        fld = VARIABLE_ALIASES.get((v.get("name") or "").strip().lower())
        if fld:
            out[normalise(v.get("guid"))] = fld
        else:
            report.drop("variables qualcode has no field for")
            report.messages.append(f"variable {v.get('name', '')[:60]!r} ({v.get('typeOfVariable')}) not imported")
    return out


def _values(el: etree._Element, variables: dict[str, str], report: QdpxImportReport) -> dict[str, str]:
    out: dict[str, str] = {}
    for vv in el.iterchildren(Q("VariableValue")):
        ref = vv.find(Q("VariableRef"))
        fld = variables.get(normalise(ref.get("targetGUID"))) if ref is not None else None
        value_el = next((c for c in vv if _local(c) != "VariableRef"), None)
        if fld is None:
            report.drop("variable values of unknown variables")
            continue
        if value_el is not None and (value_el.text or "").strip():
            out[fld] = value_el.text.strip()
    return out


def _read_text(pkg: Package, el: etree._Element, what: str, report: QdpxImportReport,
               kind: str = "sources") -> tuple[str, bytes] | None:
    content = el.find(Q("PlainTextContent"))
    path = el.get("plainTextPath")
    if path:
        if not path.lower().startswith("internal://"):
            report.drop(f"{kind} stored outside the .qdpx (relative:// or absolute:// paths)")
            return None
        info = pkg.member(path)
        if info is None:
            raise ExchangeError(f"{pkg.path.name}: {what} points to {path.split('://', 1)[-1]}, which is not in "
                                "the sources folder; nothing was imported")
        raw = pkg.read_source(info, what=what)
        try:
            return decode_source(raw), raw
        except UnicodeDecodeError as exc:
            raise ExchangeError(f"{pkg.path.name}: {info.filename} is not UTF-8 text (byte {exc.start}); "
                                "nothing was imported") from exc
    if content is not None:
        text = content.text or ""
        return text, text.encode("utf-8")
    if el.get("richTextPath"):
        report.drop(f"{kind} with only a rich-text (docx) file and no plain text")
    elif kind == "sources":
        report.drop("sources without text")
    return None


def _parse_sources(pkg: Package, variables: dict[str, str], mode: str, report: QdpxImportReport,
                   coding_notes: dict[str, str]) -> list[_Src]:
    """Text sources with their selections; ``coding_notes`` collects note guid → coding guid."""
    out: list[_Src] = []
    sources_el = pkg.root.find(Q("Sources"))
    if sources_el is None:
        return out
    for outer in sources_el:
        name = _local(outer)
        el = outer
        if name == "PDFSource":
            el = outer.find(Q("Representation"))
            n_pdf_sel = len(outer.findall(Q("PDFSelection")))
            if n_pdf_sel:
                report.drop("PDF area selections (coordinates on a page)", n_pdf_sel)
            if el is None:
                report.drop("PDFSource sources without a text representation")
                continue
            report.keep("PDF sources imported through their text representation")
        elif name != "TextSource":
            if name:
                report.drop(f"{name} sources (qualcode imports text only)")
            continue
        guid = normalise(outer.get("guid"))
        what = f"text source {guid}"
        got = _read_text(pkg, el, what, report)
        if got is None:
            continue
        raw_text, raw = got
        norm = normalise_line_endings(raw_text, mode)  # type: ignore[arg-type]
        if el.get("richTextPath"):
            report.keep("sources with a rich-text copy: the plain text was used")
        sels: list[_Sel] = []
        for sel in el.iterchildren(Q("PlainTextSelection")):
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            if not (0 <= s <= e <= norm.limit):
                raise ExchangeError(f"{pkg.path.name}: selection {normalise(sel.get('guid'))} in {what} spans "
                                    f"{s}..{e}, outside the text (0..{norm.limit}); nothing was imported")
            codings = []
            for c in sel.iterchildren(Q("Coding")):
                ref = c.find(Q("CodeRef"))
                for r in c.iterchildren(Q("NoteRef")):
                    coding_notes[normalise(r.get("targetGUID"))] = normalise(c.get("guid"))
                user = c.get("creatingUser") or sel.get("creatingUser") or sel.get("modifyingUser")
                codings.append((normalise(c.get("guid")), normalise(ref.get("targetGUID")),
                                normalise(user) if user and is_guid(user) else None,
                                parse_datetime(c.get("creationDateTime") or sel.get("creationDateTime"))))
            refs = [normalise(r.get("targetGUID")) for r in sel.iterchildren(Q("NoteRef"))]
            if sel.get("name"):
                report.drop("selection names (text excerpts; the text itself is kept)")
            d = sel.find(Q("Description"))
            if d is not None and (d.text or "").strip():
                report.drop("selection descriptions")
            sels.append(_Sel(normalise(sel.get("guid")), norm.map(s), norm.map(e), codings, refs))
        n_source_codings = len(outer.findall(Q("Coding"))) + (len(el.findall(Q("Coding"))) if el is not outer else 0)
        if n_source_codings:
            report.drop("codings of whole sources (qualcode codes passages)", n_source_codings)
        desc = outer.find(Q("Description"))
        refs = [normalise(r.get("targetGUID")) for r in outer.iterchildren(Q("NoteRef"))]
        if el is not outer:
            refs += [normalise(r.get("targetGUID")) for r in el.iterchildren(Q("NoteRef"))]
        out.append(_Src(guid, (outer.get("name") or "").strip(), norm.text, raw, sels, refs,
                        _values(outer, variables, report), desc.text if desc is not None else None,
                        parse_datetime(outer.get("creationDateTime"))))
    return out


def _parse_notes(pkg: Package, report: QdpxImportReport) -> list[_Note]:
    out: list[_Note] = []
    notes_el = pkg.root.find(Q("Notes"))
    for n in (notes_el.iterchildren(Q("Note")) if notes_el is not None else []):
        guid = normalise(n.get("guid"))
        got = _read_text(pkg, n, f"note {guid}", report, kind="notes")
        desc = n.find(Q("Description"))
        trailer = parse_memo_trailer(desc.text if desc is not None else None)
        if desc is not None and (desc.text or "").strip() and not trailer:
            report.drop("note descriptions")
        if n.find(Q("PlainTextSelection")) is not None:
            report.drop("selections inside notes")
        user = n.get("creatingUser")
        out.append(_Note(guid, n.get("name"), got[0] if got else "", normalise(user) if user and is_guid(user) else None,
                         parse_datetime(n.get("creationDateTime")), parse_datetime(n.get("modifiedDateTime")),
                         trailer))
    return out


def _count_unreferenced_files(pkg: Package, report: QdpxImportReport) -> None:
    referenced = set()
    for el in pkg.root.iter():
        for attr in ("plainTextPath", "richTextPath", "path"):
            value = el.get(attr) if isinstance(el.tag, str) else None
            if value and value.lower().startswith("internal://"):
                referenced.add(value.split("://", 1)[1].lstrip("/").lower())
    for info in pkg.zf.infolist():
        name = info.filename.replace("\\", "/")
        base = name.rsplit("/", 1)[-1]
        if info.is_dir() or not base or base.startswith(".") or name.lower().endswith(".qde"):
            continue
        if base.lower() not in referenced:
            report.drop("files in the .qdpx that no element refers to")


def _neutral_label(session: Session, meta: TranscriptMeta) -> str:
    """A label built from metadata only, like the importers' (``C-2020-ukjent-1``): the name a
    raw source had in the other tool may identify someone and stays in the vault."""
    from ..importers.ingest import next_label

    return next_label(session, meta)


def _held_target(ttype: str, target: Any) -> list[Any]:
    """A note's target as JSON for the held file: kind plus a uid (or source uid and span)."""
    if target is None or isinstance(target, (str, int)):
        return [ttype, target]
    if isinstance(target, tuple):
        return [ttype, list(target)]
    return [ttype, getattr(target, "uid", None)]


def _coder_kind(name: str) -> str:
    if name.startswith("auto:"):
        return "auto"
    if name.startswith("classifier:"):
        return "classifier"
    if name == "consensus":
        return "consensus"
    return "person"


def _method(kind: str) -> str:
    return {"auto": "auto", "classifier": "classifier", "consensus": "consensus"}.get(kind, "manual")


def _unique_label(wanted: str, taken: set[str]) -> str:
    base = (wanted or "kilde")[:190]
    label, n = base, 2
    while label in taken:
        label, n = f"{base} ({n})", n + 1
    taken.add(label)
    return label


def _segments_for(session: Session, source: Source, text: str, max_words: int) -> list[Segment]:
    from ..segment import segment_turns

    turns = split_turns(text)
    segs = []
    for i, span in enumerate(segment_turns(text, turns, max_words=max_words)):
        seg_text = text[span.start : span.end]
        segs.append(Segment(source=source, ordinal=i, turn_index=span.turn_index, speaker=span.speaker,
                            start=span.start, end=span.end, text=seg_text, word_count=len(seg_text.split()),
                            timestamp=span.timestamp))
    session.add_all(segs)
    return segs


def _place(segs: list[Segment], s: int, e: int) -> list[tuple[Segment, int | None, int | None]]:
    """Segments a selection covers: whole-segment when it matches one exactly, else pieces."""
    for seg in segs:
        if seg.start == s and seg.end == e:
            return [(seg, None, None)]
    hits = [seg for seg in segs if seg.start < e and s < seg.end] or \
           [seg for seg in segs if seg.start <= s <= seg.end]
    if hits:
        return [(seg, max(s, seg.start), min(e, seg.end)) for seg in hits]
    if not segs:
        return []
    nearest = min(segs, key=lambda g: min(abs(g.start - s), abs(g.end - e)))
    return [(nearest, s, e)]


def _max_words(project: Any) -> int:
    from ..segment import DEFAULT_MAX_WORDS

    try:
        return int(project.config.segmentation.get("max_words", DEFAULT_MAX_WORDS))
    except (TypeError, ValueError):
        return DEFAULT_MAX_WORDS


def _meta(values: dict[str, str], case_letter: str | None, report: QdpxImportReport | None) -> TranscriptMeta:
    data: dict[str, Any] = {}
    for fld in ("year", "informant_group", "interview_form", "mode", "service_area", "unit_label", "setting",
                "study", "language"):
        if fld in values:
            data[fld] = values[fld]
    if case_letter:
        data["case"] = case_letter
    good: dict[str, Any] = {}
    for k, v in data.items():
        try:
            TranscriptMeta.model_validate({**good, k: v})
            good[k] = v
        except Exception:
            if report is not None:
                report.drop(f"source variable values outside qualcode's vocabulary ({k})")
    return TranscriptMeta.model_validate(good)


def import_qdpx(project: Any, path: Path | str, *, anonymised: bool = False, line_endings: LineEndings = "auto",
                max_source_bytes: int = MAX_SOURCE_BYTES, max_qde_bytes: int = MAX_QDE_BYTES,
                actor: str = "qualcode") -> QdpxImportReport:
    """Import a REFI-QDA project file into ``project``; see the module docstring."""
    path = Path(path)
    report = QdpxImportReport(path=path, anonymised=anonymised)
    pkg = open_package(path, max_qde_bytes=max_qde_bytes, max_source_bytes=max_source_bytes)
    try:
        return _import(project, pkg, report, anonymised=anonymised, line_endings=line_endings, actor=actor)
    finally:
        pkg.close()


def _import(project: Any, pkg: Package, report: QdpxImportReport, *, anonymised: bool,
            line_endings: LineEndings, actor: str) -> QdpxImportReport:
    root = pkg.root
    report.validated_with = validate(root, kind="project", where=pkg.path.name)
    report.origin = (root.get("origin") or None)
    mode = line_ending_mode(report.origin, line_endings)
    report.line_endings = mode
    _count_foreign(root, report)
    for child in root:
        name = _local(child)
        if name and name not in _KNOWN_TOP and child.tag.startswith(f"{{{NS}}}"):
            report.drop(f"{name} (qualcode has no {name.lower()})", max(len(child), 1))

    # -- parse everything first (errors here leave the project untouched) ----------------------
    users = {normalise(u.get("guid")): (u.get("name") or u.get("id") or normalise(u.get("guid")))[:120]
             for u in root.iter(Q("User"))}
    variables = _variables(root, report)
    qdc_report = QdcReport()
    book = root.find(Q("CodeBook"))
    codes_el = book.find(Q("Codes")) if book is not None else None
    code_dicts = codes_from_elements(codes_el.iterchildren(Q("Code")) if codes_el is not None else [], NS, qdc_report)
    for k, v in qdc_report.kept.items():
        report.keep(k, v)
    for k, v in qdc_report.dropped.items():
        report.drop(k, v)
    code_note_refs: dict[str, list[str]] = defaultdict(list)
    for el in root.iter(Q("Code")):
        for r in el.iterchildren(Q("NoteRef")):
            code_note_refs[normalise(el.get("guid"))].append(normalise(r.get("targetGUID")))
    coding_notes: dict[str, str] = {}
    sources = _parse_sources(pkg, variables, mode, report, coding_notes)
    notes = _parse_notes(pkg, report)
    _count_unreferenced_files(pkg, report)
    project_note_refs = [normalise(r.get("targetGUID")) for r in root.iterchildren(Q("NoteRef"))]
    project_desc = root.find(Q("Description"))
    cases_el = root.find(Q("Cases"))
    case_plans = []
    for c in (cases_el.iterchildren(Q("Case")) if cases_el is not None else []):
        name = (c.get("name") or "").strip()
        if not _LETTER.match(name):
            report.drop("cases whose name is not a case letter (A, B, …)")
            report.messages.append(f"case {normalise(c.get('guid'))} not imported: name is not a case letter")
            continue
        if c.find(Q("CodeRef")) is not None or c.find(Q("SelectionRef")) is not None:
            report.drop("case code/selection references", len(c.findall(Q("CodeRef"))) + len(c.findall(Q("SelectionRef"))))
        case_plans.append((normalise(c.get("guid")), name.upper(), _values(c, variables, report),
                           [normalise(r.get("targetGUID")) for r in c.iterchildren(Q("SourceRef"))]))

    held: dict[str, Any] = {"codings": [], "notes": []}
    vault_uids: list[str] = []
    held_path: Path | None = None
    held_tmp: Path | None = None
    try:
        with project.store.session() as s:
            # source uids must be new: a second import of the same file is refused, not doubled
            existing = set(s.scalars(select(Source.uid).where(Source.uid.in_([x.guid for x in sources])))) if sources else set()
            if existing:
                raise ExchangeError(f"{pkg.path.name}: source {sorted(existing)[0]} is already in this project "
                                    "(imported before?); nothing was imported")
            # -- coders ------------------------------------------------------------------------------
            coder_by_guid: dict[str | None, Coder] = {}
            known_coders = {c.name: c for c in s.scalars(select(Coder))}

            def coder_for(user_guid: str | None) -> Coder:
                if user_guid in coder_by_guid:
                    return coder_by_guid[user_guid]
                name = users.get(user_guid, IMPORT_CODER) if user_guid else IMPORT_CODER
                coder = known_coders.get(name)
                if coder is None:
                    taken_uid = user_guid and s.scalar(select(Coder.id).where(Coder.uid == user_guid))
                    coder = Coder(name=name, kind=_coder_kind(name),
                                  **({"uid": user_guid} if user_guid and not taken_uid else {}))
                    s.add(coder)
                    known_coders[name] = coder
                    report.coders += 1
                coder_by_guid[user_guid] = coder
                return coder

            # -- codes -------------------------------------------------------------------------------
            code_by_guid: dict[str, Code] = {}
            by_key: dict[int, Code] = {}
            for d in code_dicts:
                guid = normalise(d["guid"])
                book_name = d.get("codebook") or "project"
                row = s.scalar(select(Code).where(Code.uid == guid)) or s.scalar(
                    select(Code).where(Code.codebook == book_name, Code.key == d["id"]))
                if row is not None:
                    report.codes_reused += 1
                else:
                    parent = code_by_guid.get(next((normalise(x["guid"]) for x in code_dicts if x["id"] == d["parent"]), ""), None) if d["parent"] else None
                    row = Code(uid=guid, codebook=book_name, codebook_version=d.get("version"), key=d["id"],
                               path=f"{parent.path}/{d['id']}" if parent else d["id"], parent=parent,
                               label=d["label_nb"][:200], label_en=(d.get("label_en") or None),
                               colour=d.get("colour"),
                               description=pack_description(d, trailer=False) or None)
                    s.add(row)
                    report.codes += 1
                code_by_guid[guid] = row
            # -- cases -------------------------------------------------------------------------------
            case_by_source: dict[str, Case] = {}
            for guid, letter, values, refs in case_plans:
                row = s.scalar(select(Case).where(Case.letter == letter))
                if row is None:
                    taken = s.scalar(select(Case.id).where(Case.uid == guid))
                    row = Case(letter=letter, unit_label=values.get("unit_label", "")[:200],
                               setting=values.get("setting"), service_area=values.get("service_area"),
                               region=values.get("region"), **({} if taken else {"uid": guid}))
                    s.add(row)
                    report.cases += 1
                else:
                    report.keep("cases already in the project (kept as they were)")
                for r in refs:
                    if r in case_by_source:
                        report.drop("second case memberships of a source")
                    else:
                        case_by_source[r] = row
            # -- sources --------------------------------------------------------------------------------
            labels = set(s.scalars(select(Source.label)))
            desc_memos: list[tuple[Source, str]] = []
            note_targets: dict[str, tuple[str, Any]] = {}
            for r in project_note_refs:
                note_targets.setdefault(r, ("project", None))
            for code_guid, refs in code_note_refs.items():
                for r in refs:
                    note_targets.setdefault(r, ("code", code_by_guid.get(code_guid)))
            max_words = _max_words(project)
            wanted = [c[0] for src in sources for sel in src.selections for c in sel.codings]
            taken_coding_uids: set[str] = set()
            codings_by_guid: dict[str, list[Coding]] = defaultdict(list)
            for i in range(0, len(wanted), 500):
                taken_coding_uids.update(s.scalars(select(Coding.uid).where(Coding.uid.in_(wanted[i:i + 500]))))
            transcripts: list[tuple[str, Transcript]] = []
            batch_hashes: set[str] = set()
            for src in sources:
                case = case_by_source.get(src.guid)
                v = src.values
                if anonymised:
                    # the name a source had in the other tool is often its file name: only a
                    # qualcode-shaped label goes into the store, anything else gets a neutral one
                    if is_neutral_label(src.name):
                        wanted_label = src.name
                    else:
                        wanted_label = _neutral_label(s, _meta(v, case.letter if case else None, None))
                        if src.name:
                            report.drop("source names that are not neutral labels (replaced by one from the variables)")
                    row = Source(uid=src.guid, label=_unique_label(wanted_label, labels),
                                 case=case, format="qdpx", status="anonymised", text=src.text,
                                 anonymised_at=utcnow(), imported_at=src.created or utcnow())
                else:
                    meta = _meta(v, case.letter if case else None, report)
                    row = Source(uid=src.guid, label=_unique_label(_neutral_label(s, meta), labels), case=case,
                                 format="qdpx", status="pending", imported_at=utcnow())
                    digest = sha256_bytes(src.raw)
                    if digest in batch_hashes:  # two sources with identical text in one file
                        digest = sha256_bytes(b"qdpx-source:" + src.guid.encode() + b"\0" + src.raw)
                        report.keep("sources with the same text as another source in the file (kept apart)")
                    batch_hashes.add(digest)
                    transcripts.append((src.guid, Transcript(
                        text=src.text, turns=split_turns(src.text), meta=meta, format="qdpx",
                        filename=src.name or None, content_hash=digest)))
                if anonymised:
                    for fld in ("informant_group", "interview_form", "mode", "service_area", "unit_label", "setting",
                                "study", "language"):
                        if fld in v:
                            setattr(row, fld, v[fld][:200])
                    if "year" in v:
                        try:
                            row.year = int(v["year"])
                        except ValueError:
                            report.drop("non-integer years")
                else:  # raw: only values that passed the vocabulary checks of TranscriptMeta
                    for fld in ("year", "informant_group", "interview_form", "mode", "service_area", "unit_label",
                                "setting", "study", "language"):
                        setattr(row, fld, getattr(meta, fld))
                turns = split_turns(src.text)
                if not turns:
                    report.keep("empty sources (no text to segment)")
                row.word_count = sum(len(src.text[t.start:t.end].split()) for t in turns)
                row.n_speakers = len({t.speaker for t in turns if t.speaker})
                s.add(row)
                if not anonymised:
                    report.pending_sources += 1
                    for sel in src.selections:
                        for cg, code_guid, user, created in sel.codings:
                            held["codings"].append({
                                "source_uid": src.guid, "start": sel.start, "end": sel.end, "coding_guid": cg,
                                "code_uid": code_by_guid[code_guid].uid, "coder": coder_for(user).name,
                                "created_at": created.isoformat() if created else None})
                            report.held_codings += 1
                        for r in sel.note_refs:
                            note_targets.setdefault(r, ("held-selection", (src.guid, sel.start, sel.end)))
                    for r in src.note_refs:
                        note_targets.setdefault(r, ("held-source", src.guid))
                    if src.description and src.description.strip():
                        held["notes"].append({"guid": None, "title": "Beskrivelse (REFI-QDA)",
                                              "text": src.description.strip(), "author": IMPORT_CODER,
                                              "kind": "beskrivelse", "year": None, "target": ["held-source", src.guid]})
                        report.held_notes += 1
                    continue
                report.sources += 1
                segs = _segments_for(s, row, src.text, max_words)
                report.segments += len(segs)
                if src.description and src.description.strip():
                    desc_memos.append((row, src.description.strip()))
                s.flush()
                for r in src.note_refs:
                    note_targets.setdefault(r, ("source", row))
                for sel in src.selections:
                    pieces = _place(segs, sel.start, sel.end)
                    if len(pieces) > 1:
                        report.keep("selections spanning several segments (split per segment)")
                    for r in sel.note_refs:
                        note_targets.setdefault(r, ("segment", pieces[0][0] if pieces else None))
                    for cg, code_guid, user, created in sel.codings:
                        coder = coder_for(user)
                        for i, (seg, cs, ce) in enumerate(pieces):
                            uid = cg if i == 0 else derive("coding-piece", cg, i)
                            if uid in taken_coding_uids:
                                uid = derive("coding-reimport", uid, datetime.now(timezone.utc).isoformat())
                            taken_coding_uids.add(uid)
                            row_c = Coding(uid=uid, segment=seg, code=code_by_guid[code_guid], coder=coder,
                                           method=_method(coder.kind), start=cs, end=ce,
                                           created_at=created or utcnow())
                            s.add(row_c)
                            codings_by_guid[cg].append(row_c)
                            report.codings += 1
            # -- notes -------------------------------------------------------------------------------------
            guid_lookup = {
                "code": lambda g: next((c for c in code_by_guid.values() if c.uid == g), None),
                "case": lambda g: s.scalar(select(Case).where(Case.uid == g)),
                "source": lambda g: s.scalar(select(Source).where(Source.uid == g)),
            }
            s.flush()
            for note_guid, coding_guid in coding_notes.items():
                note_targets.setdefault(note_guid, ("coding", coding_guid))
            for n in notes:
                author = users.get(n.user, IMPORT_CODER) if n.user else IMPORT_CODER
                ttype, target = note_targets.get(n.guid, ("project", None))
                kind = n.trailer.get("kind", "memo")
                year = int(n.trailer["year"]) if n.trailer.get("year", "").isdigit() else None
                t = n.trailer.get("target", "")
                if anonymised and t:
                    t_type, _, t_guid = t.partition(":")
                    if t_type in guid_lookup and t_guid:
                        found = guid_lookup[t_type](t_guid)
                        if found is not None:
                            ttype, target = t_type, found
                    elif t_type == "project":
                        ttype, target = "project", None
                if not anonymised:
                    held["notes"].append({"guid": n.guid, "title": n.name, "text": n.text, "author": author,
                                          "kind": kind, "year": year, "target": _held_target(ttype, target),
                                          "created_at": n.created.isoformat() if n.created else None})
                    report.held_notes += 1
                    continue
                if n.guid in coding_notes and codings_by_guid.get(coding_notes[n.guid]):
                    for row_c in codings_by_guid[coding_notes[n.guid]]:  # a note on a coding is its comment
                        row_c.comment = f"{row_c.comment}\n\n{n.text}" if row_c.comment else n.text
                    report.keep("notes on codings (as coding comments)")
                    continue
                if ttype.startswith("held") or (ttype != "project" and target is None):
                    ttype, target = "project", None
                taken = s.scalar(select(Memo.id).where(Memo.uid == n.guid)) is not None
                s.add(Memo(uid=derive("memo", n.guid, utcnow().isoformat()) if taken else n.guid,
                           target_type=ttype, target_id=getattr(target, "id", None), kind=kind[:40], author=author,
                           title=(n.name or None) and n.name[:300], text=n.text, year=year,
                           created_at=n.created or utcnow(), updated_at=n.modified))
                report.memos += 1
            for src_row, text in desc_memos:
                s.add(Memo(target_type="source", target_id=src_row.id, kind="beskrivelse", author=IMPORT_CODER,
                           title="Beskrivelse (REFI-QDA)", text=text))
                report.keep("source descriptions (as source memos)")
                report.memos += 1
            unused_users = len(set(users) - set(coder_by_guid) - {n.user for n in notes})
            if unused_users:
                report.drop("users who made no codings (not added as coders)", unused_users)
            if project_desc is not None and (project_desc.text or "").strip():
                if anonymised:
                    s.add(Memo(target_type="project", target_id=None, kind="beskrivelse", author=IMPORT_CODER,
                               title="Prosjektbeskrivelse (REFI-QDA)", text=project_desc.text.strip()))
                    report.keep("project description (as a project memo)")
                    report.memos += 1
                else:
                    held["notes"].append({"guid": None, "title": "Prosjektbeskrivelse (REFI-QDA)",
                                          "text": project_desc.text.strip(), "author": IMPORT_CODER,
                                          "kind": "beskrivelse", "year": None, "target": ["project", None]})
                    report.held_notes += 1
            s.flush()
            # -- held material and the vault (last, so a store failure can undo them) ------------------
            if not anonymised and (held["codings"] or held["notes"]):
                held_dir = project.private_dir / HELD_DIR
                held_dir.mkdir(parents=True, exist_ok=True)
                import_id = derive("qdpx-import", pkg.path.name, utcnow().isoformat())
                held_path = held_dir / f"{import_id}.json"
                fd, tmp = tempfile.mkstemp(dir=held_dir, prefix=".tmp-", suffix=".json")
                held_tmp = Path(tmp)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"file": pkg.path.name, "created_at": utcnow().isoformat(), **held}, fh,
                              ensure_ascii=False, indent=1)
            if transcripts:
                vault = project.vault
                with vault.session() as vs:
                    for uid, tr in transcripts:
                        if vault.has_content(vs, tr.content_hash):
                            raise ExchangeError(f"{pkg.path.name}: source {uid} has the same content as a source "
                                                "already in the vault; nothing was imported")
                        vault.add_transcript(vs, uid, tr)
                    vault.audit(vs, actor, "import-qdpx", {"file": str(pkg.path), "sources": [u for u, _ in transcripts]})
                    vs.flush()
                vault_uids = [u for u, _ in transcripts]
        if held_tmp is not None and held_path is not None:
            os.replace(held_tmp, held_path)
            held_tmp = None
            report.held_file = str(held_path)
    except BaseException:
        if held_tmp is not None:
            held_tmp.unlink(missing_ok=True)
        if vault_uids:  # the store failed after the vault committed: take the raw sources out again
            from ..vault.models import RawSource

            with project.vault.session() as vs:
                vs.execute(delete(RawSource).where(RawSource.source_uid.in_(vault_uids)))
        raise
    if report.pending_sources:
        report.messages.append(f"{report.pending_sources} sources wait in the vault: run `qualcode anonymise`"
                               + (", then `qualcode apply-held-codings`" if report.held_codings else ""))
    if report.held_notes:
        report.messages.append(f"{report.held_notes} notes may identify people and were kept in {report.held_file} "
                               "(private); review them before adding them as memos")
    return report


__all__ = ["import_qdpx", "QdpxImportReport", "IMPORT_CODER", "HELD_DIR"]
