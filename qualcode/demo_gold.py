"""The demo corpus's gold annotations, and measuring a project against them.

The gold (``corpora/pakkeforlop-demo/gold/``) was written by hand with the transcripts:
``identifiers.jsonl`` (every identifying span, offsets relative to its turn's utterance or
speaker label) and ``themes.jsonl`` (the core themes of every turn). Both are keyed by file id
and turn index, so they hold whatever canonical layout an importer produces.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .demo import corpus_dir
from .store import Segment, Source

CORE_THEMES = ("informasjon", "behandlingsplan", "feedback", "overganger")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_identifiers() -> list[dict[str, Any]]:
    return _jsonl(corpus_dir() / "gold" / "identifiers.jsonl")


def gold_themes() -> list[dict[str, Any]]:
    return _jsonl(corpus_dir() / "gold" / "themes.jsonl")


def source_uids_by_file(project) -> dict[str, str]:
    """File id (file name without suffix) → source uid, read from the vault (file names never
    leave it)."""
    out: dict[str, str] = {}
    with project.vault.session() as vs:
        for uid, transcript in project.vault.transcripts(vs):
            if transcript.filename:
                out[Path(transcript.filename).stem] = uid
    return out


def _turn_segments(project) -> dict[tuple[str, int], list[Segment]]:
    """(source uid, turn index) → the turn's anonymised segments."""
    out: dict[tuple[str, int], list[Segment]] = defaultdict(list)
    with project.store.session() as s:
        rows = s.execute(select(Source.uid, Segment).join(Segment.source).order_by(Segment.id))
        for uid, seg in rows:
            out[(uid, seg.turn_index)].append(seg)
    return out


@dataclass
class AnonymisationRecall:
    total: int = 0
    caught: int = 0
    by_label: dict[str, list[int]] = field(default_factory=dict)  # label → [caught, total]
    missed: list[dict[str, Any]] = field(default_factory=list)  # identifying: never print in logs

    @property
    def recall(self) -> float:
        return self.caught / self.total if self.total else 1.0

    def summary(self) -> dict[str, Any]:
        return {"total": self.total, "caught": self.caught, "recall": round(self.recall, 4),
                "by_label": {k: {"caught": c, "total": t, "recall": round(c / t, 4)}
                             for k, (c, t) in sorted(self.by_label.items())}}


def anonymisation_recall(project) -> AnonymisationRecall:
    """A gold span counts as caught when its surface form no longer occurs (as a word) in the
    anonymised text of its turn — or its speaker label. Strict: a second, missed occurrence of
    the same name in the turn makes both count as missed."""
    files = source_uids_by_file(project)
    turns = _turn_segments(project)
    result = AnonymisationRecall()
    for g in gold_identifiers():
        segs = turns.get((files.get(g["file"], ""), g["turn"]), [])
        if not segs:
            raise ValueError(f"gold turn {g['file']}#{g['turn']} has no segments in the project")
        haystack = segs[0].speaker or "" if g["in_speaker"] else " ".join(s.text for s in segs)
        leaked = re.search(rf"(?<!\w){re.escape(g['text'])}(?!\w)", haystack) is not None
        result.total += 1
        counts = result.by_label.setdefault(g["label"], [0, 0])
        counts[1] += 1
        if not leaked:
            result.caught += 1
            counts[0] += 1
        else:
            result.missed.append(g)
    return result


def turn_codes(project, coder: str, codes=CORE_THEMES) -> dict[tuple[str, int], set[str]]:
    """(file id, turn) → the codes ``coder`` applied to any segment of the turn."""
    from .store import Code, Coder, Coding

    by_uid = {uid: f for f, uid in source_uids_by_file(project).items()}
    out: dict[tuple[str, int], set[str]] = defaultdict(set)
    with project.store.session() as s:
        rows = s.execute(
            select(Source.uid, Segment.turn_index, Code.key)
            .join(Segment.source).join(Coding, Coding.segment_id == Segment.id)
            .join(Code, Code.id == Coding.code_id).join(Coder, Coder.id == Coding.coder_id)
            .where(Coding.status == "active", Coder.name == coder, Code.key.in_(codes))
        )
        for uid, turn, key in rows:
            out[(by_uid.get(uid, uid), turn)].add(key)
    return out


def theme_agreement(project, coder: str) -> dict[str, dict[str, float | int | None]]:
    """Per core theme, turn-level precision, recall, F1 and Cohen's κ of ``coder`` against the gold."""
    from sklearn.metrics import cohen_kappa_score

    predicted = turn_codes(project, coder)
    gold = gold_themes()
    out: dict[str, dict[str, float | int | None]] = {}
    for theme in CORE_THEMES:
        y_true = [theme in g["codes"] for g in gold]
        y_pred = [theme in predicted.get((g["file"], g["turn"]), set()) for g in gold]
        tp = sum(t and p for t, p in zip(y_true, y_pred))
        fp = sum(p and not t for t, p in zip(y_true, y_pred))
        fn = sum(t and not p for t, p in zip(y_true, y_pred))
        prec = tp / (tp + fp) if tp + fp else None
        rec = tp / (tp + fn) if tp + fn else None
        f1 = 2 * prec * rec / (prec + rec) if prec and rec else None
        kappa = float(cohen_kappa_score(y_true, y_pred)) if len(set(y_true) | set(y_pred)) > 1 else None
        out[theme] = {"gold_turns": sum(y_true), "coded_turns": sum(y_pred), "precision": prec,
                      "recall": rec, "f1": f1, "kappa": kappa}
    return out


def add_gold_coder(project, coder: str = "gold") -> int:
    """Record the gold themes as a (human) coder's codings on every segment of each turn."""
    from .codebook import load_codebook, sync_codes
    from .coding import add_coding, ensure_coder

    files = source_uids_by_file(project)
    turns = _turn_segments(project)
    added = 0
    with project.store.session() as s:
        sync_codes(s, load_codebook(project.config.codebook))
        ensure_coder(s, coder)
        for g in gold_themes():
            for seg in turns.get((files.get(g["file"], ""), g["turn"]), []):
                for code in g["codes"]:
                    add_coding(s, seg.id, code, coder, comment="demo gold (hand annotation)")
                    added += 1
    return added
