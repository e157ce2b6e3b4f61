"""Held-out check of the rule coder on the fictional demo corpus (``corpora/pakkeforlop-demo``).

The corpus was written and theme-labelled (turn level, the four core codes) by another
engineer; the codebook's rules were never tuned on it, so it measures how the rules carry over
to unseen interview text (dialect, turn-sized passages). Turn text is read from ``src/*.md``
(markup stripped: ``[[surface|LABEL]]`` → surface, trailing ``{#theme ...}`` tag removed) and
aligned with ``gold/themes.jsonl`` by (file, turn). Only transcripts present in the gold file count.

Usage: ``.venv/bin/python benchmarks/codebook_demo_eval.py`` → ``benchmarks/results/codebook_demo_eval.json``.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "pakkeforlop-demo"
RESULTS = ROOT / "benchmarks" / "results" / "codebook_demo_eval.json"
CORE = ["informasjon", "behandlingsplan", "feedback", "overganger"]
SPAN = re.compile(r"\[\[([^|\]]+)\|[A-Z_]+\]\]")
TAG = re.compile(r"\s*\{#[^}]*\}\s*$")


def turns(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("---", 2)[2]
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = TAG.sub("", SPAN.sub(r"\1", block.strip()))
        speaker, _, utterance = block.partition(":")
        out.append((speaker.strip(), " ".join(utterance.split())))
    return out


def main() -> int:
    gold_path = CORPUS / "gold" / "themes.jsonl"
    if not gold_path.exists():
        print(f"SKIP: {gold_path} not found")
        return 0
    sys.path.insert(0, str(ROOT))
    from qualcode.codebook import load_codebook
    from qualcode.codebook.engine import RuleEngine
    from qualcode.codebook.evaluate import score_sets

    gold_rows = [json.loads(l) for l in gold_path.read_text(encoding="utf-8").splitlines() if l.strip()]
    cache: dict[str, list[tuple[str, str]]] = {}
    texts, gold, speakers = [], [], []
    for row in gold_rows:
        if row["file"] not in cache:
            cache[row["file"]] = turns(CORPUS / "src" / f"{row['file']}.md")
        speaker, utt = cache[row["file"]][row["turn"]]
        if speaker != row["speaker"]:
            sys.exit(f"turn alignment failed in {row['file']} turn {row['turn']}")
        texts.append(utt)
        gold.append(set(row["codes"]))
        speakers.append(speaker)
    cb = load_codebook("pakkeforlop")
    engine = RuleEngine(cb)
    t0 = time.perf_counter()
    pred = [set(r.codes) & set(CORE) for r in engine.code_many(texts)]
    secs = time.perf_counter() - t0
    res = {
        "codebook": f"{cb.name}@{cb.version}",
        "corpus": "corpora/pakkeforlop-demo (fictional; labels by another engineer; not tuned on)",
        "transcripts": len(cache),
        "turns": len(texts),
        "all_turns": score_sets(gold, pred, CORE),
        "seconds": round(secs, 3),
    }
    # interviewer turns are questions; also report informant turns only
    idx = [i for i, s in enumerate(speakers) if not s.upper().startswith("I")]
    res["informant_turns"] = {"turns": len(idx), **score_sets([gold[i] for i in idx], [pred[i] for i in idx], CORE)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import codebook_gold

    codebook_gold.write_section()
    for c in CORE:
        m = res["all_turns"]["per_code"][c]
        print(f"{c:16s} n={m['support']:3d} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} kappa={m['kappa']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
