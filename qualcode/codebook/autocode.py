"""Auto-coding: the rule engine applied to a project's segments, or to a JSONL file.

In a project, every segment not yet coded by ``auto:<codebook>@<version>`` is coded in one
transaction: ``Coding(method="auto", score=…, evidence={"score", "rules": {rule id: [words]}})``.
Re-running is safe (already coded segments are skipped). A codebook older than the codings or
codes already in the store is refused before anything is written.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import exists, func, select

from ..errors import CodebookError
from ..jsonlines import read_json_lines
from ..store.models import Code as CodeRow
from ..store.models import Coder, Coding, Segment
from .schema import Codebook, load_codebook, parse_version
from .store_sync import sync_codes

Progress = Callable[[int, int], None]
BATCH = 500


@dataclass
class AutocodeReport:
    coder: str
    codebook: str
    segments_examined: int = 0
    segments_coded: int = 0
    codings_added: int = 0
    per_code: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def resolve_project_codebook(project, codebook: Codebook | str | Path | None) -> Codebook:
    if isinstance(codebook, Codebook):
        return codebook
    return load_codebook(codebook or project.config.codebook)


def check_not_older(session, cb: Codebook) -> None:
    """Refuse a codebook version older than codings already stored for this codebook name."""
    versions = session.scalars(
        select(Coding.codebook_version).join(CodeRow, Coding.code_id == CodeRow.id)
        .where(CodeRow.codebook == cb.name, Coding.codebook_version.is_not(None)).distinct()
    ).all()
    mine = parse_version(cb.version)
    newer = []
    for v in versions:
        try:
            if parse_version(v) > mine:
                newer.append(v)
        except ValueError:
            continue
    if newer:
        raise CodebookError(
            f"codebook {cb.name} {cb.version} is older than codings in the analysis store "
            f"(version {max(newer, key=parse_version)}); use that codebook version or newer"
        )


def autocode_project(project, *, codebook: Codebook | str | Path | None = None,
                     progress: Progress | None = None, engine=None) -> AutocodeReport:
    """Code every segment not yet coded by this codebook version's auto coder (one transaction).

    With the codebook's ``question_context``, each source's segments are coded in order, so an
    answer takes context from the interviewer's question (see :meth:`RuleEngine.code_sequence`);
    only pending segments get codings. Single texts and :func:`autocode_jsonl` have no context."""
    from .engine import RuleEngine

    cb = resolve_project_codebook(project, codebook)
    engine = engine or RuleEngine(cb)
    report = AutocodeReport(coder=cb.coder_name, codebook=f"{cb.name}@{cb.version}")
    with project.store.session() as s:
        check_not_older(s, cb)
        sync_codes(s, cb)
        code_ids = {r.key: r.id for r in s.scalars(select(CodeRow).where(CodeRow.codebook == cb.name))}
        coder = s.scalar(select(Coder).where(Coder.name == cb.coder_name))
        if coder is None:
            coder = Coder(name=cb.coder_name, kind="auto")
            s.add(coder)
            s.flush()
        done = exists().where(Coding.segment_id == Segment.id, Coding.coder_id == coder.id)
        total = s.scalar(select(func.count(Segment.id)).where(~done)) or 0
        if progress:
            progress(0, total)
        if engine.codebook.question_context is None:
            last_id = 0
            while True:
                rows = s.execute(
                    select(Segment.id, Segment.text).where(~done, Segment.id > last_id)
                    .order_by(Segment.id).limit(BATCH)
                ).all()
                if not rows:
                    break
                last_id = rows[-1][0]
                _store(s, report, cb, coder.id, code_ids, rows, engine.code_many(t for _i, t in rows), progress, total)
        else:  # segments in their place: a whole source at a time, in order
            sources = s.scalars(select(Segment.source_id).where(~done).distinct().order_by(Segment.source_id)).all()
            for src in sources:
                pending = set(s.scalars(select(Segment.id).where(~done, Segment.source_id == src)))
                segs = s.execute(
                    select(Segment.id, Segment.speaker, Segment.turn_index, Segment.text)
                    .where(Segment.source_id == src).order_by(Segment.ordinal)
                ).all()
                results = engine.code_sequence((sp, turn, text) for _i, sp, turn, text in segs)
                pairs = [(seg, res) for seg, res in zip(segs, results) if seg[0] in pending]
                _store(s, report, cb, coder.id, code_ids, [p[0] for p in pairs], (p[1] for p in pairs),
                       progress, total)
    return report


def _store(s, report: AutocodeReport, cb: Codebook, coder_id: int, code_ids: dict[str, int], rows,
           results, progress: Progress | None, total: int) -> None:
    """Add the codings of one batch (rows: segment id first) and report progress."""
    for row, result in zip(rows, results):
        report.segments_examined += 1
        if result.codes:
            report.segments_coded += 1
        for code in result.codes:
            s.add(Coding(segment_id=row[0], code_id=code_ids[code], coder_id=coder_id, method="auto",
                         codebook_version=cb.version, score=round(result.scores[code], 4),
                         evidence=result.evidence_record(code)))
            report.codings_added += 1
            report.per_code[code] = report.per_code.get(code, 0) + 1
    s.flush()
    if progress:
        progress(report.segments_examined, total)


def autocode_jsonl(in_path: Path, out_path: Path, *, codebook: Codebook | str | Path = "pakkeforlop",
                   progress: Progress | None = None) -> int:
    """Code lines ``{"id", "text"}`` of ``in_path``; write ``{"id", "codes", "evidence"}`` lines.

    The output is written to a temporary file and moved into place only when every input line
    was valid, so a bad input leaves nothing behind. Returns the number of lines coded."""
    from .engine import RuleEngine

    cb = load_codebook(codebook) if not isinstance(codebook, Codebook) else codebook
    in_path, out_path = Path(in_path), Path(out_path)
    records: list[tuple[object, str]] = []
    for n, obj in read_json_lines(in_path, CodebookError):
        if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("text"), str):
            raise CodebookError(f"{in_path}:{n}: each line needs an 'id' and a string 'text'")
        records.append((obj["id"], obj["text"]))
    engine = RuleEngine(cb)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".autocode-", suffix=".jsonl", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for i, ((rid, _t), res) in enumerate(zip(records, engine.code_many(t for _r, t in records)), 1):
                out.write(json.dumps({"id": rid, "codes": res.codes,
                                      "evidence": {c: res.words(c) for c in res.codes}}, ensure_ascii=False) + "\n")
                if progress and i % 200 == 0:
                    progress(i, len(records))
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if progress:
        progress(len(records), len(records))
    return len(records)
