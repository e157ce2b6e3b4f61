"""Project workflow: pending vault transcripts → detections → pseudonyms → analysis store.

``anonymise_project`` releases every pending source (one transaction per source: the vault
commits its key/detections/audit first, then the analysis store its text and segments) and
writes a review sheet; ``apply_review`` applies a reviewer's decisions and regenerates the
analysis text, keeping segment ids where the segmentation allows.
"""
from __future__ import annotations

import getpass
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy import select

from ..errors import AnonymisationError
from ..importers.base import Transcript, Turn
from ..store.models import Coding, Segment, Source, utcnow
from ..vault.keymap import VaultKeyMap
from .anonymiser import Anonymiser, read_deny_file
from .components import GENITIVE
from .config import AnonymiseConfig
from .detection import Detection
from .pseudonyms import PseudonymMap, assign_all
from .replace import OffsetMap, Replacement, apply, map_turns
from .review import read_sheet, sheet_rows, shown_id, shown_source, write_sheets
from .speakers import speaker_detections

Progress = Callable[[int, int], None]


@dataclass
class AnonymiseReport:
    sources: list[str] = field(default_factory=list)  # labels released
    detections: int = 0
    by_label: dict[str, int] = field(default_factory=dict)
    by_recogniser: dict[str, int] = field(default_factory=dict)
    new_pseudonyms: int = 0
    review_csv: Path | None = None
    review_html: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["review_csv"] = str(self.review_csv) if self.review_csv else None
        d["review_html"] = str(self.review_html) if self.review_html else None
        return d


@dataclass
class ReviewReport:
    sources: list[str] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    added: int = 0
    segments_changed: int = 0
    codings_affected: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database
        return "unknown"


def project_config(project) -> tuple[AnonymiseConfig, list[str]]:
    cfg = AnonymiseConfig.from_section(project.config.anonymise)
    deny = read_deny_file(project.root / cfg.deny_list_file) if cfg.deny_list_file else []
    return cfg, deny


# -- shared helpers ------------------------------------------------------------------------------
def _segment_spans(text: str, turns: Sequence[Turn], max_words: int | None):
    try:
        from ..segment import segment_turns
    except ImportError:  # segmenter not installed: one segment per turn
        return [(i, t.speaker, t.start, t.end, t.timestamp) for i, t in enumerate(turns)]
    kwargs = {"max_words": max_words} if max_words else {}
    return [(s.turn_index, s.speaker, s.start, s.end, s.timestamp) for s in segment_turns(text, list(turns), **kwargs)]


def _release(session, source: Source, text: str, turns: list[Turn], max_words: int | None) -> tuple[int, int]:
    """Write text and segments; reuse existing segment rows by ordinal (stable ids).
    Returns (segments whose text changed, active codings on them)."""
    spans = _segment_spans(text, turns, max_words)
    existing = {seg.ordinal: seg for seg in session.scalars(select(Segment).where(Segment.source_id == source.id))}
    changed, codings = 0, 0
    for ordinal, (turn_index, speaker, start, end, ts) in enumerate(spans):
        seg_text = text[start:end]
        seg = existing.pop(ordinal, None)
        if seg is None:
            session.add(Segment(source_id=source.id, ordinal=ordinal, turn_index=turn_index, speaker=speaker,
                                start=start, end=end, text=seg_text, word_count=len(seg_text.split()), timestamp=ts))
            continue
        if seg.text != seg_text or seg.start != start or seg.end != end:
            changed += 1
            codings += _active_codings(session, seg.id)
        seg.turn_index, seg.speaker, seg.start, seg.end = turn_index, speaker, start, end
        seg.text, seg.word_count, seg.timestamp = seg_text, len(seg_text.split()), ts
    for seg in existing.values():  # fewer segments than before
        changed += 1
        codings += _active_codings(session, seg.id)
        session.delete(seg)
    source.text = text
    source.status = "anonymised"
    source.anonymised_at = utcnow()
    source.word_count = sum(len(text[t.start:t.end].split()) for t in turns)
    source.n_speakers = len({t.speaker for t in turns if t.speaker})
    return changed, codings


def _active_codings(session, segment_id: int) -> int:
    return len(session.scalars(select(Coding.id).where(Coding.segment_id == segment_id,
                                                       Coding.status == "active")).all())


def _remap_codings(session, source_id: int, old: OffsetMap, new: OffsetMap) -> None:
    """Carry span codings through a change of replacements (old text → raw → new text)."""
    rows = session.scalars(select(Coding).join(Segment).where(Segment.source_id == source_id,
                                                              Coding.start.is_not(None)))
    for c in rows:
        c.start = new.to_new(old.to_raw(c.start, side="start"), side="start")
        c.end = new.to_new(old.to_raw(c.end, side="end"), side="end")


def _det_dicts(source_id: int, dets: Sequence[Detection], reps: Sequence[Replacement], first: int = 1,
               decisions: Sequence[str | None] | None = None) -> list[dict[str, Any]]:
    out = []
    for i, (d, r) in enumerate(zip(dets, reps)):
        row = d.to_dict()
        row.update(id=f"{source_id}-{first + i}", replacement=r.new,
                   decision=decisions[i] if decisions else None)
        out.append(row)
    return out


# -- anonymise --------------------------------------------------------------------------------------
def anonymise_project(project, *, progress: Progress | None = None, actor: str | None = None,
                      nlp=None, anonymiser: Anonymiser | None = None) -> AnonymiseReport:
    """Release every pending source into the analysis store, anonymised; write a review sheet."""
    actor = actor or default_actor()
    cfg, deny = project_config(project)
    report = AnonymiseReport()
    with project.store.session() as s:
        pending = [(src.id, src.uid, src.label) for src in
                   s.scalars(select(Source).where(Source.status == "pending").order_by(Source.id))]
    if not pending:
        return report
    vault = project.vault  # raises on a missing/wrong passphrase before anything is read
    keymap = VaultKeyMap(vault)
    with vault.session() as vs:
        pmap = keymap.load(vs, PseudonymMap(surrogates=cfg.surrogates, seed=project.uid))
        transcripts: list[Transcript] = [vault.transcript(vs, uid) for _, uid, _ in pending]
    empty = [label for (_, _, label), t in zip(pending, transcripts) if not t.text.strip()]
    if empty:
        raise AnonymisationError(f"empty or whitespace-only transcript(s): {', '.join(empty)}; "
                                 "re-import or remove them first (nothing was written)")
    if anonymiser is None:
        if nlp is None and cfg.enabled("ner"):
            from .anonymiser import load_nlp
            nlp = load_nlp(project.config.model)
        anonymiser = Anonymiser(nlp, cfg, deny_list=deny, pseudonyms=pmap)
    else:
        anonymiser.pseudonyms = pmap
    extra = [speaker_detections(t) for t in transcripts] if cfg.speaker_labels else None
    found = anonymiser.detect_batch([t.text for t in transcripts], extra=extra)
    sheet: list[dict[str, Any]] = []
    for k, ((sid, uid, label), tr, dets) in enumerate(zip(pending, transcripts, found)):
        reps = anonymiser.replacements(dets)
        new_text = apply(tr.text, reps)
        turns = map_turns(tr.turns, OffsetMap(reps), new_text)
        stored = _det_dicts(sid, dets, reps)
        try:
            with project.store.session() as s, vault.session() as vs:
                report.new_pseudonyms += keymap.save(vs, pmap)
                keymap.save_detections(vs, uid, stored)
                vault.audit(vs, actor, "anonymise", {
                    "source_uid": uid, "detections": len(dets),
                    "by_label": dict(Counter(d.label for d in dets)),
                    "recognisers": anonymiser.recogniser_names,
                })
                src = s.get(Source, sid)
                if src is None or src.status != "pending":
                    raise AnonymisationError(f"source {label} changed while anonymising; run again")
                _release(s, src, new_text, turns, cfg.max_words)
        except BaseException:
            for entry in pmap.entries.values():  # the vault may have rolled back: re-check on next save
                entry.saved = False
            raise
        report.sources.append(label)
        report.detections += len(dets)
        for d in dets:
            report.by_label[d.label] = report.by_label.get(d.label, 0) + 1
            report.by_recogniser[d.source] = report.by_recogniser.get(d.source, 0) + 1
        sheet.extend(sheet_rows(label, tr.text, stored, cfg.context_chars))
        if progress is not None:
            progress(k + 1, len(pending))
    stem = "review-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    report.review_csv, report.review_html = write_sheets(sheet, project.private_dir / "review", stem)
    return report


# -- review -------------------------------------------------------------------------------------------
def apply_review(project, sheet_path: Path, *, actor: str | None = None) -> ReviewReport:
    """Apply accept/reject decisions and added misses from a review sheet.

    Everything is validated before anything is written; an invalid sheet leaves both stores
    unchanged. Segment rows are updated in place by ordinal (ids stay stable); span codings
    are carried through the new offsets; the report warns when coded segments changed.
    """
    actor = actor or default_actor()
    cfg, _ = project_config(project)
    rows = read_sheet(Path(sheet_path))
    report = ReviewReport()
    if not rows:
        return report
    labels = sorted({r.source for r in rows})
    with project.store.session() as s:
        found = {src.label: (src.id, src.uid, src.status) for src in
                 s.scalars(select(Source).where(Source.label.in_(labels)))}
    for r in rows:
        if r.source not in found:
            raise AnonymisationError(f"line {r.line}: unknown source {shown_source(r.source)} in column 'source'")
        if found[r.source][2] != "anonymised":
            raise AnonymisationError(f"line {r.line}: source '{r.source}' is not anonymised yet")
    vault = project.vault
    keymap = VaultKeyMap(vault)
    plans = []
    with vault.session() as vs:
        pmap = keymap.load(vs, PseudonymMap(surrogates=cfg.surrogates, seed=project.uid))
        for label in labels:
            sid, uid, _ = found[label]
            stored = keymap.load_detections(vs, uid)
            if stored is None:
                raise AnonymisationError(f"source '{label}' has no anonymisation record in the vault")
            tr = vault.transcript(vs, uid)
            plans.append(_plan(label, sid, uid, tr, stored, [r for r in rows if r.source == label]))
    # one transaction pair for the whole sheet: an error leaves every source as it was
    with project.store.session() as s, vault.session() as vs:
        for label, sid, uid, raw, turns_src, old_dets, new_dets, events in plans:
            old_reps = [Replacement(d["start"], d["end"], d["replacement"]) for d in old_dets if d.get("decision") != "reject"]
            accepted = [(i, d) for i, d in enumerate(new_dets) if d["decision"] != "reject"]
            dets = [Detection.from_dict(d) for _, d in accepted]
            assign_all(pmap, dets)
            reps = [Replacement(d.start, d.end, pmap.pseudonym(d)[1]) for d in dets]
            for (i, d), rep in zip(accepted, reps):
                new_dets[i]["replacement"] = rep.new
            new_text = apply(raw, reps)
            omap = OffsetMap(reps)
            turns = map_turns(turns_src, omap, new_text)
            keymap.save(vs, pmap)
            keymap.save_detections(vs, uid, new_dets)
            for action, detail in events:
                vault.audit(vs, actor, action, {"source_uid": uid, **detail})
            src = s.get(Source, sid)
            _remap_codings(s, sid, OffsetMap(old_reps), omap)
            changed, codings = _release(s, src, new_text, turns, cfg.max_words)
            report.sources.append(label)
            report.segments_changed += changed
            report.codings_affected += codings
            for action, _ in events:
                if action == "review-accept":
                    report.accepted += 1
                elif action == "review-reject":
                    report.rejected += 1
                else:
                    report.added += 1
    if report.codings_affected:
        report.warnings.append(f"{report.codings_affected} active coding(s) sit on segments whose text changed; "
                               "check them")
    return report


def _plan(label: str, sid: int, uid: str, tr: Transcript, stored: list[dict[str, Any]], rows) -> tuple:
    """Validate one source's rows against its stored detections; returns what to write."""
    raw_text = tr.text
    by_id = {d["id"]: dict(d) for d in stored}
    events: list[tuple[str, dict[str, Any]]] = []
    additions: list[dict[str, Any]] = []
    for r in rows:
        if r.id:
            d = by_id.get(r.id)
            if d is None:
                raise AnonymisationError(f"line {r.line}: unknown id {shown_id(r.id)} for source '{label}'")
            if (r.start is not None and (r.start, r.end) != (d["start"], d["end"])):
                raise AnonymisationError(f"line {r.line}: start/end of id {r.id} were edited; add a new row instead")
            previous = d.get("decision")
            if previous != r.decision or d["label"] != r.label:
                d["decision"], d["label"] = r.decision, r.label
                events.append((f"review-{r.decision}", {"id": r.id, "label": r.label, "text": d["text"]}))
            continue
        if r.decision == "reject":
            continue
        if r.start is not None:
            if r.end > len(raw_text) or raw_text[r.start:r.end] != r.text:
                raise AnonymisationError(f"line {r.line}: start/end do not match the words in column 'text'")
            spans = [(r.start, r.end)]
        else:
            pat = re.compile(rf"(?<!\w){re.escape(r.text)}{GENITIVE}(?!\w)")
            spans = [m.span() for m in pat.finditer(raw_text)]
            if not spans:
                raise AnonymisationError(f"line {r.line}: the words in column 'text' do not occur in source '{label}'")
        for st, en in spans:
            additions.append({"line": r.line, "start": st, "end": en, "text": raw_text[st:en], "label": r.label,
                              "source": "review", "score": 1.0, "decision": "accept", "explicit": r.start is not None})
    accepted = sorted([d for d in by_id.values() if d.get("decision") != "reject"], key=lambda d: d["start"])
    kept_add = []
    for a in additions:
        clash = [d for d in accepted + kept_add if a["start"] < d["end"] and d["start"] < a["end"]]
        if clash:
            if a["explicit"]:
                other = clash[0].get("id") or f"line {clash[0]['line']}"
                raise AnonymisationError(f"line {a['line']}: span overlaps {other} in source '{label}'")
            continue  # already masked there
        kept_add.append(a)
    n = max([int(d["id"].rsplit("-", 1)[1]) for d in stored] + [0])
    for a in kept_add:
        n += 1
        a["id"] = f"{sid}-{n}"
        events.append(("review-add", {"id": a["id"], "label": a["label"], "text": a["text"]}))
    new_dets = sorted(list(by_id.values()) + [{k: v for k, v in a.items() if k not in ("line", "explicit")}
                                               for a in kept_add], key=lambda d: d["start"])
    live = [d for d in new_dets if d.get("decision") != "reject"]
    for a, b in zip(live, live[1:]):
        if b["start"] < a["end"]:
            raise AnonymisationError(f"ids {a['id']} and {b['id']} overlap in source '{label}'")
    return label, sid, uid, raw_text, tr.turns, stored, new_dets, events
