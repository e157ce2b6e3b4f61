"""Cross-validated figures of the textcat_multilabel classifier on the report-derived gold set.

Same passages and reconciled labels as ``codebook_gold.py`` (text read from the report at run
time; skips when it is absent). 5-fold cross-validation, out-of-fold predictions at p ≥ 0.5,
scored with the same P/R/F1/κ as the rules.

Usage: ``.venv/bin/python benchmarks/codebook_classifier.py`` → ``benchmarks/results/codebook_classifier.json``.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "codebook_classifier.json"
CORE = ["informasjon", "behandlingsplan", "feedback", "overganger"]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import codebook_gold

    report = codebook_gold.find_report()
    if report is None:
        print("SKIP: the evaluation report is not available (set QUALCODE_REPORT or provide ../shared/seeds/)")
        return 0
    from qualcode.codebook.classifier import cross_validate

    items = [(r, t) for r, t in codebook_gold.gold_passages(report) if "codes" in r]
    texts = [t for _r, t in items]
    labels = [set(r["codes"]) for r, _t in items]
    t0 = time.process_time()
    cv = cross_validate(texts, labels, CORE, folds=5)
    res = {"model": "spaCy textcat_multilabel (TextCatBOW.v3, uni+bigrams), 12 epochs",
           "passages": len(texts), "cpu_seconds": round(time.process_time() - t0, 1), **cv}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import codebook_gold

    codebook_gold.write_section()
    for c in CORE:
        m = cv["per_code"][c]
        print(f"{c:16s} n={m['support']:3d} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} kappa={m['kappa']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
