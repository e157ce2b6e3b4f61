"""Two NER pipelines timed interleaved in one process, so that machine noise hits both alike.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/nlp_speed_pair.py OLD NEW [--rounds 3] [--out FILE]

OLD and NEW are pipeline names or folders ("shipped" = the packaged model). Each round times
``nlp.pipe`` on the speed texts of ``nlp_ner.py`` (words per CPU-second, best of three runs,
one BLAS thread, batch 32) for OLD, then NEW. On a shared machine a single figure moves by
20 % from hour to hour; the interleaved pair says whether a new model is slower than the old.
Writes benchmarks/results/nlp_speed_pair.json. Needs NorNE (read-only).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from nlp_ner import speed_texts  # noqa: E402

from qualcode.nlp import load  # noqa: E402
from qualcode.nlp.corpus import DEFAULT_NORNE  # noqa: E402
from qualcode.nlp.evaluate import words_per_second  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--norne", type=Path, default=DEFAULT_NORNE)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "nlp_speed_pair.json")
    args = ap.parse_args(argv)
    texts = speed_texts(args.norne)
    models = {name: load(None if name == "shipped" else name) for name in (args.old, args.new)}
    rounds = []
    for r in range(args.rounds):
        row = {}
        for name, nlp in models.items():
            row[name] = words_per_second(nlp, texts)["words_per_cpu_second"]
        rounds.append(row)
        print(r, row, flush=True)
    result = {"models": {n: nlp.meta.get("version") for n, nlp in models.items()}, "rounds": rounds,
              "best": {n: max(row[n] for row in rounds) for n in models},
              "load_1min": round(os.getloadavg()[0], 2), "threads": os.environ.get("OMP_NUM_THREADS", "default")}
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result["best"]), "->", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
