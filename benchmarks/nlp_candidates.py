"""Recipe candidates against the shipped NER model: dev-only selection rule, then test figures.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/nlp_candidates.py NAME=MODEL_DIR [NAME=MODEL_DIR ...]

The rule (docs/nlp.md, fixed before the v2 runs): a candidate may replace the shipped model only
if on the UD dev split its micro F >= shipped dev F - 1.0, its PER recall on lower-cased dev text
is at least 10 points above the shipped model's, and it processes more words per CPU-second.
Among passing candidates the highest dev micro F wins, except (added for v3, before its runs
finished) that a candidate reaching 20,000 words per CPU-second whose dev F is within 1.0 of the
best passing one is preferred. Test scores are reported, never used to choose. Writes benchmarks/results/nlp_candidates.json. Needs NorNE (read-only; not in the repo).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import spacy

from qualcode.nlp import shipped_model_path
from qualcode.nlp.corpus import DEFAULT_NORNE
from qualcode.nlp.evaluate import dir_size_bytes, evaluate_norne, words_per_second

sys.path.insert(0, str(Path(__file__).parent))
from nlp_ner import speed_texts  # noqa: E402

F_MARGIN = 1.0
LOWER_PER_RECALL_GAIN = 10.0
SPEED_TARGET = 20_000  # words per CPU-second


def figures(path: Path, norne: Path, texts: list[str]) -> dict:
    """Dev (selection) and test (report) scores, speed and size of one pipeline folder."""
    nlp = spacy.load(path)
    dev = evaluate_norne(nlp, norne, split="dev")
    test = evaluate_norne(nlp, norne, split="test")
    speed = words_per_second(nlp, texts, repeats=2)

    def pick(s: dict) -> dict:
        return {"f": s["cased"]["micro"]["f"], "per_f": s["cased"]["per_label"]["PER"]["f"],
                "per_r": s["cased"]["per_label"]["PER"]["r"], "lower_f": s["lower"]["micro"]["f"],
                "lower_per_r": s["lower"]["per_label"]["PER"]["r"]}

    return {"path": str(path), "recipe_version": nlp.meta.get("qualcode", {}).get("recipe_version"),
            "dev": pick(dev), "test": pick(test), "speed": speed, "size_mb": round(dir_size_bytes(path) / 1e6, 2)}


def passes(cand: dict, shipped: dict) -> dict:
    """The three dev-only conditions of the selection rule."""
    return {"dev_f": cand["dev"]["f"] >= shipped["dev"]["f"] - F_MARGIN,
            "dev_lower_per_r": cand["dev"]["lower_per_r"] >= shipped["dev"]["lower_per_r"] + LOWER_PER_RECALL_GAIN,
            "faster": cand["speed"]["words_per_cpu_second"] > shipped["speed"]["words_per_cpu_second"]}


def select(rows: dict, qualified: list[str]) -> str | None:
    """The highest dev F among qualified candidates, or a fast one within ``F_MARGIN`` of it."""
    if not qualified:
        return None
    best = max(qualified, key=lambda n: rows[n]["dev"]["f"])
    fast = [n for n in qualified if rows[n]["speed"]["words_per_cpu_second"] >= SPEED_TARGET
            and rows[n]["dev"]["f"] >= rows[best]["dev"]["f"] - F_MARGIN]
    return max(fast, key=lambda n: rows[n]["dev"]["f"]) if fast else best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("candidates", nargs="+", help="NAME=MODEL_DIR")
    ap.add_argument("--norne", type=Path, default=DEFAULT_NORNE)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "nlp_candidates.json")
    args = ap.parse_args()
    if not args.norne.is_dir():
        print(f"NorNE not found at {args.norne}; pass --norne DIR", file=sys.stderr)
        return 2
    texts = speed_texts(args.norne)
    shipped = figures(shipped_model_path(), args.norne, texts)
    rows = {"shipped": shipped}
    for spec in args.candidates:
        name, _, path = spec.partition("=")
        cand = figures(Path(path), args.norne, texts)
        cand["rule"] = passes(cand, shipped)
        cand["qualifies"] = all(cand["rule"].values())
        rows[name] = cand
    qualified = [n for n, c in rows.items() if c.get("qualifies")]
    winner = select(rows, qualified)
    result = {"rule": {"dev_f_margin": F_MARGIN, "dev_lower_per_recall_gain": LOWER_PER_RECALL_GAIN,
                       "speed": "words per CPU-second, same session",
                       "speed_preference": SPEED_TARGET},
              "models": rows, "selected": winner, "threads": os.environ.get("OMP_NUM_THREADS", "default")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    for name, c in rows.items():
        print(f"{name:10s} dev F {c['dev']['f']:.1f} lower PER R {c['dev']['lower_per_r']:.1f} | test F {c['test']['f']:.1f} "
              f"PER F {c['test']['per_f']:.1f} lower PER R {c['test']['lower_per_r']:.1f} | "
              f"{c['speed']['words_per_cpu_second']} w/CPU-s {c['size_mb']} MB {c.get('rule', '')}")
    print(f"selected: {winner or 'none (keep the shipped model)'} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
