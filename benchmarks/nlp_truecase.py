"""The truecasing front-end on the lower-cased UD split: as typed, truecased only, both readings,
both readings with the surname rule (model 0.3.1), and, for a pipeline with the case-free companion
(model 0.4.0), the companion with the truecased reading. Writes results/nlp_truecase_<split>.json.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/nlp_truecase.py [--split dev|test] [--model NAME_OR_PATH]

The two choices in qualcode.nlp.truecase (keep both readings; the surname rule) were made on dev
with this comparison; the test split is reported after the fact. Needs NorNE (read-only).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qualcode.nlp import load
from qualcode.nlp.conll import read_conllu
from qualcode.nlp.corpus import DEFAULT_NORNE, find_norne
from qualcode.nlp.evaluate import score_sentences
from qualcode.nlp.truecase import Truecaser
from qualcode.nlp.uncased import companion


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--norne", type=Path, default=DEFAULT_NORNE)
    ap.add_argument("--split", choices=["dev", "test"], default="dev")
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    if not args.norne.is_dir():
        print(f"NorNE not found at {args.norne}; pass --norne DIR", file=sys.stderr)
        return 2
    nlp = load(args.model)
    if not Truecaser(nlp).enabled:
        print("the pipeline has no truecasing table", file=sys.stderr)
        return 2
    files = find_norne(args.norne)
    sentences = read_conllu(files.dev if args.split == "dev" else files.test)
    variants = {
        "cased": dict(lower=False),
        "lower, as typed": dict(lower=True),
        "lower, truecased only": dict(lower=True, truecase=True, union=False, companion=False,
                                      truecaser=Truecaser(nlp, surname_rule=False)),
        "lower, both readings": dict(lower=True, truecase=True, companion=False,
                                     truecaser=Truecaser(nlp, surname_rule=False)),
        "lower, both readings + surname rule (model 0.3.1)": dict(lower=True, truecase=True, companion=False),
    }
    if companion(nlp) is not None:  # model 0.4.0: the case-free companion replaces the typed reading
        variants["lower, companion + truecased reading (shipped)"] = dict(lower=True, truecase=True)
    rows = {}
    for name, options in variants.items():
        s = score_sentences(nlp, sentences, **options)
        rows[name] = {"micro": s["micro"], "PER": s["per_label"].get("PER")}
        print(f"{name:48s} micro P/R/F {s['micro']['p']:.1f}/{s['micro']['r']:.1f}/{s['micro']['f']:.1f}  "
              f"PER P/R {rows[name]['PER']['p']:.1f}/{rows[name]['PER']['r']:.1f}", flush=True)
    out = Path(__file__).parent / "results" / f"nlp_truecase_{args.split}.json"
    out.write_text(json.dumps({"model": args.model or "shipped", "model_version": nlp.meta.get("version"),
                               "split": args.split, "variants": rows}, indent=2), encoding="utf-8")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
