"""Review sheets: every detection as CSV (for editing) and a self-contained HTML page (for reading).

Both are IDENTIFYING (they show the original words in context) and are written only into
the project's ``private/review`` folder. Columns of the CSV:

``id, source, start, end, text, label, pseudonym, recogniser, score, context, decision, note``

``decision`` is ``accept`` (default when empty) or ``reject``. A reviewer adds a miss as a new
row with an empty ``id``, the ``source`` label, the missed ``text`` and its ``label``
(``PER``, ``LOC``, ``ORG``, ``FNR``, ...); ``start``/``end`` are optional (without them every
occurrence in that source is masked).
"""
from __future__ import annotations

import csv
import re
import html
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..errors import AnonymisationError
from .detection import CATEGORY

COLUMNS = ["id", "source", "start", "end", "text", "label", "pseudonym", "recogniser", "score", "context",
           "decision", "note"]
REQUIRED = {"id", "source", "text", "label", "decision"}
WARNING = ("IDENTIFYING - anonymisation review sheet with original names in context. "
           "Keep it in the project's private/ folder; never share it.")
ACCEPT = {"", "accept", "accepted", "a", "ja", "j", "yes", "y", "ok", "x", "godta", "godkjent", "mask", "masker"}
REJECT = {"reject", "rejected", "r", "nei", "n", "no", "avvis", "avvist", "keep", "behold"}
# What an id or a source label written by qualcode looks like; any other cell (a name that
# slipped into the wrong column) is never echoed in an error message.
_ID_SHAPE = re.compile(r"\d{1,12}-\d{1,12}")
_LABEL_SHAPE = re.compile(r"[A-Za-z0-9]{1,12}(-[A-Za-z0-9æøåÆØÅ]{1,40}){1,4}-\d{1,6}")


def shown_id(value: str) -> str:
    """``value`` if it is shaped like a detection id (``12-3``), else a neutral placeholder."""
    return value if _ID_SHAPE.fullmatch(value) else "(not an id)"


def shown_source(value: str) -> str:
    """``'value'`` if it is shaped like a source label (``A-2019-ledere-1``), else a neutral placeholder."""
    return f"'{value}'" if _LABEL_SHAPE.fullmatch(value) else "(not a source label)"


@dataclass
class SheetRow:
    line: int  # line number in the CSV file (for error messages)
    id: str
    source: str
    start: int | None
    end: int | None
    text: str
    label: str
    decision: str  # accept | reject


def context(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    clean = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    return clean(before), text[start:end], clean(after)


def write_sheets(rows: list[dict[str, Any]], review_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.csv`` and ``<stem>.html``; ``rows`` carry COLUMNS plus ``_before``/``_after``."""
    review_dir.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = review_dir / f"{stem}.csv", review_dir / f"{stem}.html"
    buf = io.StringIO()
    buf.write(f"# {WARNING}\n")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    csv_path.write_text(buf.getvalue(), encoding="utf-8")
    html_path.write_text(_html(rows, stem), encoding="utf-8")
    for p in (csv_path, html_path):
        p.chmod(0o600)
    return csv_path, html_path


def _html(rows: list[dict[str, Any]], stem: str) -> str:
    e = html.escape
    body = []
    for r in rows:
        body.append(
            "<tr>" + "".join(f"<td>{e(str(r.get(c, '')))}</td>" for c in ("id", "source", "label", "pseudonym",
                                                                            "recogniser", "score"))
            + f"<td class=ctx>{e(r.get('_before', ''))}<mark>{e(r.get('text', ''))}</mark>{e(r.get('_after', ''))}</td>"
            + f"<td>{e(r.get('decision', ''))}</td></tr>"
        )
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>Anonymisation review {e(stem)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5em;}} .warn{{background:#b00020;color:#fff;padding:.8em;font-weight:bold}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ccc;padding:.25em .4em;font-size:.9em;vertical-align:top}}
th{{background:#eee;position:sticky;top:0}} mark{{background:#ffe066}} .ctx{{max-width:40em}}
</style></head><body>
<p class="warn">{e(WARNING)}</p>
<p>{len(rows)} detections, written {made}. Edit decisions in the CSV file of the same name and run
<code>qualcode anonymise --apply {e(stem)}.csv</code>.</p>
<table><thead><tr><th>id</th><th>source</th><th>label</th><th>pseudonym</th><th>recogniser</th><th>score</th>
<th>context</th><th>decision</th></tr></thead><tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""


def read_sheet(path: Path) -> list[SheetRow]:
    """Parse and validate a (possibly edited) review sheet; errors name the line and column."""
    path = Path(path)
    if not path.exists():
        raise AnonymisationError(f"review sheet {path} does not exist")
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnonymisationError(f"{path}: not UTF-8 text (byte {exc.start}); save the sheet as UTF-8 CSV") from exc
    lines = content.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and lines[skip].lstrip().startswith("#"):
        skip += 1
    sample = "".join(lines[skip:skip + 2])
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO("".join(lines[skip:])), delimiter=delimiter)
    if reader.fieldnames is None:
        raise AnonymisationError(f"{path}: empty review sheet")
    missing = REQUIRED - {f.strip() for f in reader.fieldnames}
    if missing:
        raise AnonymisationError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    out: list[SheetRow] = []
    seen: dict[str, int] = {}
    try:
        for n, raw in enumerate(reader, start=skip + 2):
            row = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items()}
            if not any(row.values()):
                continue
            where = f"{path.name} line {n}"
            rid = row.get("id", "")
            if rid:
                if rid in seen:
                    raise AnonymisationError(f"{where}: id {shown_id(rid)} also on line {seen[rid]}")
                seen[rid] = n
            decision = row.get("decision", "").lower()
            if decision in ACCEPT:
                decision = "accept"
            elif decision in REJECT:
                decision = "reject"
            else:
                raise AnonymisationError(f"{where}: decision must be accept or reject (column 'decision')")
            label = row.get("label", "").upper()
            if label not in CATEGORY:
                raise AnonymisationError(f"{where}: unknown label in column 'label' (use {', '.join(CATEGORY)})")
            if not row.get("source"):
                raise AnonymisationError(f"{where}: column 'source' is empty")
            start = _int(row.get("start", ""), where, "start")
            end = _int(row.get("end", ""), where, "end")
            if (start is None) != (end is None) or (start is not None and (start < 0 or end <= start)):
                raise AnonymisationError(f"{where}: start/end must both be given with 0 <= start < end")
            if not rid and not row.get("text"):
                raise AnonymisationError(f"{where}: a new row needs the missed words in column 'text'")
            out.append(SheetRow(n, rid, row["source"], start, end, row.get("text", ""), label, decision))
    except csv.Error as exc:
        raise AnonymisationError(f"{path}: malformed CSV ({exc})") from exc
    return out


def _int(value: str, where: str, column: str) -> int | None:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise AnonymisationError(f"{where}: column '{column}' is not a whole number") from None


def sheet_rows(source_label: str, text: str, dets: Iterable[dict[str, Any]], width: int) -> list[dict[str, Any]]:
    """Rows for one source from its stored detection dicts."""
    rows = []
    for d in dets:
        before, _, after = context(text, d["start"], d["end"], width)
        rows.append({
            "id": d["id"], "source": source_label, "start": d["start"], "end": d["end"], "text": d["text"],
            "label": d["label"], "pseudonym": d.get("replacement", ""), "recogniser": d["source"],
            "score": f"{d.get('score', 1.0):.2f}", "context": f"{before}[[{d['text']}]]{after}",
            "decision": d.get("decision") or "", "note": "", "_before": before, "_after": after,
        })
    return rows
