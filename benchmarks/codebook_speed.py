"""Rule-coding speed over already-tokenised segments (one core).

Texts: the demo corpus turns (``corpora/pakkeforlop-demo``) plus, when available, the report
passages of the gold set; they are tokenised once with ``spacy.blank("nb")`` (not timed), then
``RuleEngine.code_doc`` runs over every Doc. Reported:

* ``cold``  – first pass with an empty stem cache (every distinct word looked up once);
* ``warm``  – the best of further passes (the steady state on a large project, where most
  words have been seen before);
* ``sequence`` – the demo transcripts' turns coded in their place with
  ``RuleEngine.code_sequence`` (as ``autocode_project`` does when the codebook has
  ``question_context``: interviewer turns lend context to the answers), best of the warm passes.

Times are CPU time of this process (``time.process_time``), pinned to one core, because the
machine is shared and wall-clock time mostly measures the neighbours.

Words are whitespace-separated words of the segment text. Target: ≥ 200,000 words/s.

Usage: ``.venv/bin/python benchmarks/codebook_speed.py [--repeat 5]`` → ``benchmarks/results/codebook_speed.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "codebook_speed.json"


def load_texts() -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    texts: list[str] = []
    demo = ROOT / "corpora" / "pakkeforlop-demo" / "src"
    if demo.exists():
        from codebook_demo_eval import turns

        for p in sorted(demo.glob("*.md")):
            texts += [u for _s, u in turns(p) if u]
    import codebook_gold

    report = codebook_gold.find_report()
    if report is not None:
        texts += [t for _r, t in codebook_gold.gold_passages(report)]
    if not texts:  # fall back to the codebook's own examples
        from qualcode.codebook import load_codebook

        cb = load_codebook("pakkeforlop")
        texts = [e for c in cb.codes for e in c.examples_typical + c.examples_borderline]
    return texts


def sequence_speed(engine, nlp, repeat: int) -> tuple[int, float]:
    """Words and best CPU time of coding the demo transcripts in order (``code_sequence``)."""
    demo = ROOT / "corpora" / "pakkeforlop-demo" / "src"
    if not demo.exists():
        return 0, 0.0
    from codebook_demo_eval import turns

    sources = []
    for p in sorted(demo.glob("*.md")):
        ts = [(sp, i, u) for i, (sp, u) in enumerate(turns(p)) if u]
        docs = list(nlp.tokenizer.pipe([u for _s, _i, u in ts]))
        sources.append([(sp, i, d) for (sp, i, _u), d in zip(ts, docs)])
    words = sum(len(d.text.split()) for src in sources for _s, _i, d in src)
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        for src in sources:
            for _r in engine.code_sequence(src):
                pass
        best = min(best, time.process_time() - t0)
    return words, best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="warm passes")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import spacy

    from qualcode.codebook import load_codebook
    from qualcode.codebook.engine import RuleEngine

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    texts = load_texts()
    nlp = spacy.blank("nb")
    docs = list(nlp.tokenizer.pipe(texts, batch_size=256))
    words = sum(len(t.split()) for t in texts)
    cb = load_codebook("pakkeforlop")
    engine = RuleEngine(cb, nlp=nlp)
    t0 = time.process_time()
    n_codes = sum(len(engine.code_doc(d).codes) for d in docs)
    cold = time.process_time() - t0
    warm_times = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        for d in docs:
            engine.code_doc(d)
        warm_times.append(time.process_time() - t0)
    warm = min(warm_times)
    seq_words, seq_time = sequence_speed(engine, nlp, args.repeat)
    res = {
        "codebook": f"{cb.name}@{cb.version}",
        "rules": len(engine.compiled),
        "segments": len(docs),
        "words": words,
        "tokens": sum(len(d) for d in docs),
        "codes_assigned": n_codes,
        "cold_words_per_s": round(words / cold),
        "warm_words_per_s": round(words / warm),
        "warm_passes": args.repeat,
        "warm_words_per_s_mean": round(words * len(warm_times) / sum(warm_times)),
        "question_context": engine.codebook.question_context is not None,
        "sequence_words": seq_words,
        "sequence_words_per_s": round(seq_words / seq_time) if seq_time else None,
        "clock": "process_time (CPU seconds of this process, one core)",
        "target_words_per_s": 200000,
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "cpu": platform.processor() or platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import codebook_gold

    codebook_gold.write_section()
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
