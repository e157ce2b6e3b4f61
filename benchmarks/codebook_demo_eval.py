"""The rule coder on the fictional demo corpus (``corpora/pakkeforlop-demo``), with a tune/held-out split.

The corpus was written and theme-labelled (turn level, the four core codes) by another engineer.
Protocol (codebook 1.1.0, see ``docs/codebook.md``): the rules were revised looking at

* the report-derived gold set (``benchmarks/codebook_gold.py``) and
* the TUNE split: the clinician interviews of cases A–D (2019 and 2020),

while the HELD-OUT split — cases E–H and every BSB interview — was only ever scored in aggregate,
never read. Both splits and the full corpus are reported, for the current codebook and for a
baseline (by default codebook 1.0.0 from git, written before the demo corpus was looked at).

Turns are coded in their place, as ``autocode_project`` does: each transcript's turns in order
through :meth:`RuleEngine.code_sequence`, so an answer can take context from the interviewer's
question when the codebook has ``question_context``. Turn text is read from ``src/*.md`` (markup
stripped: ``[[surface|LABEL]]`` → surface, trailing ``{#theme ...}`` tag removed) and aligned with
``gold/themes.jsonl`` by (file, turn).

Usage: ``.venv/bin/python benchmarks/codebook_demo_eval.py [--baseline REV | --no-baseline]``
→ ``benchmarks/results/codebook_demo_eval.json`` (and the Markdown section).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "pakkeforlop-demo"
RESULTS = ROOT / "benchmarks" / "results" / "codebook_demo_eval.json"
CORE = ["informasjon", "behandlingsplan", "feedback", "overganger"]
SPAN = re.compile(r"\[\[([^|\]]+)\|[A-Z_]+\]\]")
TAG = re.compile(r"\s*\{#[^}]*\}\s*$")
TUNE_FILE = re.compile(r"^[A-D]-(2019|2020)-")  # cases A–D; everything else is held out
#: The last revision with codebook 1.0.0 (before the tune/held-out protocol).
BASELINE_REV = "2fae77c"
INTERVIEWER = re.compile(r"^(?:[a-zæøå]+-)?(?:i|int|intervjuer|interviewer)\s*\d*$", re.IGNORECASE)


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


def split_of(file_id: str) -> str:
    return "tune" if TUNE_FILE.match(file_id) else "heldout"


def load_demo() -> list[dict]:
    """Gold turns with text, speaker and split, in file and turn order."""
    rows = [json.loads(l) for l in (CORPUS / "gold" / "themes.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    cache: dict[str, list[tuple[str, str]]] = {}
    out = []
    for row in rows:
        if row["file"] not in cache:
            cache[row["file"]] = turns(CORPUS / "src" / f"{row['file']}.md")
        speaker, utt = cache[row["file"]][row["turn"]]
        if speaker != row["speaker"]:
            sys.exit(f"turn alignment failed in {row['file']} turn {row['turn']}")
        out.append({"file": row["file"], "turn": row["turn"], "speaker": speaker, "text": utt,
                    "gold": set(row["codes"]), "split": split_of(row["file"])})
    out.sort(key=lambda r: (r["file"], r["turn"]))
    return out


def code_turns(engine, data: list[dict]) -> list[set[str]]:
    """Core codes per turn, each transcript coded in order (context from the questions)."""
    pred: list[set[str]] = []
    for _f, grp in groupby(data, key=lambda r: r["file"]):
        grp = list(grp)
        pred += [set(res.codes) & set(CORE)
                 for res in engine.code_sequence((r["speaker"], r["turn"], r["text"]) for r in grp)]
    return pred


def split_scores(data: list[dict], pred: list[set[str]]) -> dict:
    from qualcode.codebook.evaluate import score_sets

    out = {}
    for name in ("tune", "heldout", "all"):
        idx = [i for i, r in enumerate(data) if name == "all" or r["split"] == name]
        inf = [i for i in idx if not INTERVIEWER.match(data[i]["speaker"])]
        out[name] = {
            "transcripts": len({data[i]["file"] for i in idx}),
            "turns": len(idx),
            "all_turns": score_sets([data[i]["gold"] for i in idx], [pred[i] for i in idx], CORE),
            "informant_turns": {"turns": len(inf), **score_sets([data[i]["gold"] for i in inf], [pred[i] for i in inf], CORE)},
        }
    return out


def report_scores(engine) -> dict | None:
    """The same codebook on the report-derived gold set (None when the report is absent)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import codebook_gold
    from qualcode.codebook.evaluate import score_sets

    report = codebook_gold.find_report()
    if report is None:
        return None
    items = [(r, t) for r, t in codebook_gold.gold_passages(report) if "codes" in r]
    pred = [set(engine.code(t).codes) & set(CORE) for _r, t in items]
    return {"passages": len(items), **score_sets([set(r["codes"]) for r, _t in items], pred, CORE)}


def baseline_codebook(rev: str):
    """The codebook as committed at ``rev`` (None when git cannot show it)."""
    from qualcode.codebook import load_codebook

    try:
        text = subprocess.run(["git", "show", f"{rev}:codebooks/pakkeforlop.yaml"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pakkeforlop.yaml"
        path.write_text(text, encoding="utf-8")
        return load_codebook(path)


def evaluate(cb, data: list[dict]) -> dict:
    from qualcode.codebook.engine import RuleEngine

    engine = RuleEngine(cb)
    t0 = time.perf_counter()
    pred = code_turns(engine, data)
    return {"codebook": f"{cb.name}@{cb.version}", "seconds": round(time.perf_counter() - t0, 3),
            "splits": split_scores(data, pred), "report_gold": report_scores(engine)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codebook", default="pakkeforlop", help="codebook name or YAML path (default: pakkeforlop)")
    ap.add_argument("--baseline", default=BASELINE_REV, help=f"git revision of the baseline codebook (default {BASELINE_REV}: 1.0.0)")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    if not (CORPUS / "gold" / "themes.jsonl").exists():
        print(f"SKIP: {CORPUS / 'gold' / 'themes.jsonl'} not found")
        return 0
    sys.path.insert(0, str(ROOT))
    from qualcode.codebook import load_codebook

    data = load_demo()
    current = evaluate(load_codebook(args.codebook), data)
    res = {
        "codebook": current["codebook"],
        "corpus": "corpora/pakkeforlop-demo (fictional; turn-level theme labels by another engineer)",
        "protocol": "rules revised on the report gold and the TUNE split (cases A-D); HELD-OUT split "
                    "(cases E-H and all BSB interviews) scored in aggregate only, never read",
        "tune_files": sorted({r["file"] for r in data if r["split"] == "tune"}),
        "heldout_files": sorted({r["file"] for r in data if r["split"] == "heldout"}),
        "transcripts": len({r["file"] for r in data}),
        "turns": len(data),
        # full corpus, current codebook (the figures `qualcode.demo_gold.theme_agreement` measures)
        "all_turns": current["splits"]["all"]["all_turns"],
        "informant_turns": current["splits"]["all"]["informant_turns"],
        "current": current,
    }
    if not args.no_baseline:
        base_cb = baseline_codebook(args.baseline)
        if base_cb is not None:
            res["baseline"] = {"revision": args.baseline, **evaluate(base_cb, data)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import codebook_gold

    codebook_gold.write_section()
    runs = [("current", current)] + ([("baseline", res["baseline"])] if "baseline" in res else [])
    for label, run in runs:
        print(f"== {label}: {run['codebook']} (Cohen's κ; P/R)")
        sets = [(n, run["splits"][n]["all_turns"]["per_code"]) for n in ("tune", "heldout", "all")]
        if run["report_gold"]:
            sets.insert(0, ("report", run["report_gold"]["per_code"]))
        for name, per in sets:
            print(f"  {name:8s} " + "  ".join(
                f"{c[:8]:8s} κ={per[c]['kappa']:.3f} P={per[c]['precision']:.2f} R={per[c]['recall']:.2f}" for c in CORE))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
