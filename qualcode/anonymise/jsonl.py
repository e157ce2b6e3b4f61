"""Batch interface for other tools: JSONL in (``{"id", "text"}`` per line), detections or
anonymised text out. Propagation runs across all lines of one input file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from ..errors import AnonymisationError
from ..jsonlines import read_json_lines
from .anonymiser import Anonymiser


def read_jsonl(path: Path) -> list[tuple[Any, str]]:
    """``(id, text)`` per line; ``id`` defaults to the line number. Errors name the line only."""
    path = Path(path)
    if not path.exists():
        raise AnonymisationError(f"{path} does not exist")
    out = []
    for n, obj in read_json_lines(path, AnonymisationError):
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise AnonymisationError(f"{path} line {n}: needs a string field 'text'")
        out.append((obj.get("id", n), obj["text"]))
    return out


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp.replace(path)
    except BaseException:  # no half-written file (it may hold detected names) is left behind
        tmp.unlink(missing_ok=True)
        raise


def ner_jsonl(anonymiser: Anonymiser, in_path: Path, out_path: Path, *, n_process: int = 1,
              progress: Callable[[int, int], None] | None = None) -> int:
    """Write ``{"id", "entities": [{start, end, label, text, source, score}]}`` per line; returns lines."""
    rows = read_jsonl(in_path)
    found = anonymiser.detect_batch([t for _, t in rows], n_process=n_process)
    _write(out_path, [{"id": rid, "entities": [d.to_dict() for d in dets]} for (rid, _), dets in zip(rows, found)])
    if progress:
        progress(len(rows), len(rows))
    return len(rows)


def anonymise_jsonl(anonymiser: Anonymiser, in_path: Path, out_path: Path, *, n_process: int = 1) -> int:
    """Write ``{"id", "text": anonymised}`` per line (pseudonyms consistent across the file)."""
    rows = read_jsonl(in_path)
    texts = anonymiser.anonymise_batch([t for _, t in rows], n_process=n_process)
    _write(out_path, [{"id": rid, "text": text} for (rid, _), text in zip(rows, texts)])
    return len(rows)
