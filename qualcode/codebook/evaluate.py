"""Evaluate the rule coder against a gold file: per-code precision, recall, F1 and Cohen's κ.

A gold file is JSONL, one passage per line: ``{"id": ..., "text": ..., "codes": [code ids]}``.
Gold naming codes the codebook does not know is refused (before anything is computed).
Messages name the file, line and field, never the passage text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import CodebookError
from ..jsonlines import read_json_lines
from .schema import Codebook, load_codebook


@dataclass
class GoldItem:
    id: str
    text: str
    codes: set[str]


def load_gold(path: Path, codebook: Codebook) -> list[GoldItem]:
    """Read and check a gold JSONL file against ``codebook``."""
    path = Path(path)
    known = set(codebook.ids)
    items: list[GoldItem] = []
    seen: set[str] = set()
    unknown: dict[str, int] = {}
    for n, obj in read_json_lines(path, CodebookError, what="gold file"):
        if not isinstance(obj, dict):
            raise CodebookError(f"{path}:{n}: each line must be an object with id, text and codes")
        for key, typ in (("id", (str, int)), ("text", str), ("codes", list)):
            if not isinstance(obj.get(key), typ):
                raise CodebookError(f"{path}:{n}: field {key!r} missing or of the wrong type")
        gid = str(obj["id"])
        if gid in seen:
            raise CodebookError(f"{path}:{n}: duplicate id {gid!r}")
        seen.add(gid)
        codes = set()
        for c in obj["codes"]:
            if not isinstance(c, str):
                raise CodebookError(f"{path}:{n}: field 'codes' must hold code ids (strings)")
            c = c.rsplit("/", 1)[-1]  # accept paths like brukermedvirkning/informasjon
            if c not in known:
                unknown.setdefault(c, n)
            codes.add(c)
        items.append(GoldItem(gid, obj["text"], codes))
    if unknown:
        listed = ", ".join(f"{c!r} (line {ln})" for c, ln in sorted(unknown.items(), key=lambda x: x[1]))
        raise CodebookError(f"{path}: codes unknown to codebook {codebook.name}@{codebook.version}: {listed}")
    if not items:
        raise CodebookError(f"{path}: no passages")
    return items


def score_sets(gold: Sequence[set[str]], predicted: Sequence[set[str]], codes: Iterable[str]) -> dict[str, Any]:
    """Per-code and micro-averaged precision, recall, F1 and Cohen's κ (scikit-learn)."""
    from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

    per: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    for c in codes:
        y = [int(c in g) for g in gold]
        p = [int(c in s) for s in predicted]
        prec, rec, f1, _ = precision_recall_fscore_support(y, p, average="binary", zero_division=0)
        kappa = float(cohen_kappa_score(y, p)) if len(set(y) | set(p)) > 1 else 1.0
        tp = sum(a and b for a, b in zip(y, p))
        fp = sum((not a) and b for a, b in zip(y, p))
        fn = sum(a and (not b) for a, b in zip(y, p))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        per[c] = {"support": sum(y), "predicted": sum(p), "tp": tp, "fp": fp, "fn": fn,
                  "precision": round(float(prec), 4), "recall": round(float(rec), 4),
                  "f1": round(float(f1), 4), "kappa": round(kappa, 4)}
    mp = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    mr = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    mf = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    return {"per_code": per, "micro": {"precision": round(mp, 4), "recall": round(mr, 4), "f1": round(mf, 4)}}


@dataclass
class EvaluationReport:
    codebook: str
    passages: int
    codes: list[str]
    metrics: dict[str, Any]
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"codebook": self.codebook, "passages": self.passages, "codes": self.codes,
                **self.metrics, "disagreements": self.disagreements}


def evaluate_gold(path: Path, codebook: Codebook | str | None = None, *, codes: Sequence[str] | None = None,
                  engine=None) -> EvaluationReport:
    """Code every gold passage with the rule engine and compare. ``codes`` restricts the scored
    codes (default: codes that appear in the gold file or carry rules)."""
    from .engine import RuleEngine

    cb = load_codebook(codebook or "pakkeforlop") if not isinstance(codebook, Codebook) else codebook
    items = load_gold(path, cb)
    engine = engine or RuleEngine(cb)
    predicted = [set(r.codes) for r in engine.code_many(i.text for i in items)]
    gold = [i.codes for i in items]
    if codes is None:
        ruled = {code for code, _r, _l in cb.all_rules()}
        used = set().union(*gold)
        codes = [c for c in cb.ids if c in used or c in ruled]
    else:
        bad = [c for c in codes if c not in set(cb.ids)]
        if bad:
            raise CodebookError(f"unknown code(s) for evaluation: {', '.join(bad)}")
    metrics = score_sets(gold, predicted, codes)
    scored = set(codes)
    dis = []
    for item, g, p in zip(items, gold, predicted):
        g2, p2 = g & scored, p & scored
        if g2 != p2:
            dis.append({"id": item.id, "missed": sorted(g2 - p2), "extra": sorted(p2 - g2)})
    return EvaluationReport(f"{cb.name}@{cb.version}", len(items), list(codes), metrics, dis)
