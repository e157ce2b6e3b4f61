"""Evaluate the pakkeforlop codebook's rules against a gold set derived from the evaluation report.

The gold set (``benchmarks/gold/pakkeforlop_report.jsonl``) holds, per passage, only an id,
its line range in the report, a short hash of its text, its kind (case summary or quote), the
report section it sits in, and labels (two independent reading passes plus the reconciled
labels). The passage text is read from the report at run time — the report's sentences are
never committed.

Usage::

    .venv/bin/python benchmarks/codebook_gold.py                 # evaluate, write results + section
    .venv/bin/python benchmarks/codebook_gold.py --index         # (re)build the passage index
    .venv/bin/python benchmarks/codebook_gold.py --jsonl OUT     # gold as id/text/codes for `qualcode evaluate`
    .venv/bin/python benchmarks/codebook_gold.py --show IDS...   # print passages (local reading only)

Skips with a message when the report (``/work/shared/seeds/…`` or ``$QUALCODE_REPORT``) is absent.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "gold" / "pakkeforlop_report.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "codebook_eval.json"
SECTION = ROOT / "benchmarks" / "sections" / "codebook.md"
REPORT_CANDIDATES = [
    Path(os.environ.get("QUALCODE_REPORT", "")),
    ROOT.parent / "shared" / "seeds" / "sintef-2021-00090-rapport2.txt",
    Path("/work/shared/seeds/sintef-2021-00090-rapport2.txt"),
]
CORE = ["informasjon", "behandlingsplan", "feedback", "overganger"]

# Where the report's own headings put a passage (the weaker signal; never used for tuning).
HEADING_THEME = {
    "3.3.1": "informasjon",
    "Involvering i behandlingsplan": "behandlingsplan",
    "Systematisk evaluering og bruk av feedbackverktøy": "feedback",
    "4.1.4": "overganger",
    "4.2.2": "overganger",
    "4.3.2": "overganger",
}
SUBHEADINGS = ("Involvering i behandlingsplan", "Systematisk evaluering og bruk av feedbackverktøy", "Involvering av pårørende")
SECTION_RE = re.compile(r"^\s*([3-8](?:\.\d+)+)\s+\S")
HEADING_LINE_RE = re.compile(r"^\s*[3-8](?:\.\d+)+\s+[A-ZÆØÅ]")
CASE_RE = re.compile(r"\(case [A-H]\)")
YEAR_RE = re.compile(r"^\s*(2019|2020)\s*:")
FIRST_BODY_LINE = 1000  # skip the table of contents


def find_report() -> Path | None:
    for p in REPORT_CANDIDATES:
        if str(p) not in ("", ".") and p.is_file():
            return p
    return None


def norm(text: str) -> str:
    return " ".join(text.split())


def digest(text: str) -> str:
    return hashlib.sha256(norm(text).encode("utf-8")).hexdigest()[:12]


@dataclass
class Passage:
    id: str
    start: int  # 1-based first line
    end: int  # 1-based last line (inclusive)
    kind: str  # case | quote
    section: str  # numbered section (e.g. 3.3.2) plus sub-heading when present
    text: str

    @property
    def heading_theme(self) -> str | None:
        for key, theme in HEADING_THEME.items():
            if self.section == key or self.section.startswith(key + " ") or self.section.endswith("| " + key):
                return theme
        return None


def paragraphs(lines: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, text) of blank-line separated paragraphs, 1-based line numbers."""
    out, buf, start = [], [], None
    for i, line in enumerate(lines, 1):
        if HEADING_LINE_RE.match(line):  # a heading glued to a paragraph by a page break
            if buf:
                out.append((start, i - 1, "\n".join(buf)))
            out.append((i, i, line.strip()))
            buf, start = [], None
        elif line.strip():
            if start is None:
                start = i
            buf.append(line.strip())
        elif buf:
            out.append((start, i - 1, "\n".join(buf)))
            buf, start = [], None
    if buf:
        out.append((start, len(lines), "\n".join(buf)))
    return out


def extract(report: Path) -> list[Passage]:
    """Case summaries (paragraphs after a case heading, "2019: …"/"2020: …") and quoted statements
    (paragraphs introduced by a paragraph ending in a colon) in chapters 3–7."""
    lines = report.read_text(encoding="utf-8").splitlines()
    section, sub = "", ""
    prev = ""
    after_case_heading = False
    out: list[Passage] = []
    for start, end, text in paragraphs(lines):
        if start < FIRST_BODY_LINE:
            continue
        first = text.splitlines()[0]
        m = SECTION_RE.match(first)
        if m and len(text.splitlines()) == 1:
            section, sub = m.group(1), ""
            if section.startswith("8"):
                break
            prev, after_case_heading = text, False
            continue
        if not section or section[0] not in "34567":
            prev = text
            continue
        if text.strip() in SUBHEADINGS:
            sub = text.strip()
            prev, after_case_heading = text, False
            continue
        if CASE_RE.search(first) and len(text.splitlines()) == 1 and len(first) < 90:
            prev, after_case_heading = text, True
            continue
        label = f"{section} | {sub}" if sub else section
        if YEAR_RE.match(first) or after_case_heading:
            out.append(Passage("", start, end, "case", label, text))
        elif prev.rstrip().endswith(":") and not YEAR_RE.match(prev) and len(norm(text)) > 60:
            out.append(Passage("", start, end, "quote", label, text))
        prev = text
        after_case_heading = False
    for i, p in enumerate(out, 1):
        p.id = f"r{i:03d}"
    return out


def _fix_heading_theme(p: Passage) -> str | None:
    sec, _, sub = p.section.partition(" | ")
    if sub in HEADING_THEME:
        return HEADING_THEME[sub]
    return HEADING_THEME.get(sec)


def read_gold() -> list[dict]:
    if not GOLD.exists():
        return []
    return [json.loads(l) for l in GOLD.read_text(encoding="utf-8").splitlines() if l.strip()]


def write_gold(rows: list[dict]) -> None:
    GOLD.parent.mkdir(parents=True, exist_ok=True)
    GOLD.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def build_index(report: Path) -> None:
    """Write the passage index, keeping labels of passages whose hash is unchanged."""
    old = {r["sha"]: r for r in read_gold()}
    rows = []
    for p in extract(report):
        sha = digest(p.text)
        row = {"id": p.id, "lines": [p.start, p.end], "sha": sha, "kind": p.kind, "section": p.section}
        for k in ("pass1", "pass2", "codes"):
            if sha in old and k in old[sha]:
                row[k] = old[sha][k]
        rows.append(row)
    write_gold(rows)
    print(f"{len(rows)} passages indexed in {GOLD.relative_to(ROOT)}")


def gold_passages(report: Path) -> list[tuple[dict, str]]:
    """Gold rows with their text from the report; refuses when a passage's hash changed."""
    lines = report.read_text(encoding="utf-8").splitlines()
    out = []
    for row in read_gold():
        a, b = row["lines"]
        text = "\n".join(l.strip() for l in lines[a - 1 : b])
        if digest(text) != row["sha"]:
            sys.exit(f"gold passage {row['id']} (lines {a}-{b}) does not match its hash: different report file?")
        out.append((row, text))
    return out


def kappa_table(a: list[set[str]], b: list[set[str]], codes: list[str]) -> dict[str, float]:
    from sklearn.metrics import cohen_kappa_score

    out = {}
    for c in codes:
        x = [int(c in s) for s in a]
        y = [int(c in s) for s in b]
        out[c] = round(float(cohen_kappa_score(x, y)), 3) if len(set(x) | set(y)) > 1 else 1.0
    return out


def evaluate(report: Path) -> dict:
    from qualcode.codebook import load_codebook
    from qualcode.codebook.engine import RuleEngine
    from qualcode.codebook.evaluate import score_sets

    items = [(r, t) for r, t in gold_passages(report) if "codes" in r]
    if not items:
        sys.exit("no labelled passages in the gold file")
    cb = load_codebook("pakkeforlop")
    engine = RuleEngine(cb)
    t0 = time.perf_counter()
    predicted = [set(engine.code(t).codes) & set(CORE) for _r, t in items]
    elapsed = time.perf_counter() - t0
    gold = [set(r["codes"]) for r, _t in items]
    rules = score_sets(gold, predicted, CORE)
    result: dict = {
        "codebook": f"{cb.name}@{cb.version}",
        "report": report.name,
        "passages": len(items),
        "by_kind": {k: sum(1 for r, _ in items if r["kind"] == k) for k in ("case", "quote")},
        "gold_prevalence": {c: sum(c in g for g in gold) for c in CORE},
        "rules_vs_gold": rules,
        "seconds": round(elapsed, 3),
    }
    dual = [(set(r["pass1"]), set(r["pass2"])) for r, _ in items if "pass1" in r and "pass2" in r]
    if dual:
        result["inter_pass_kappa"] = {"passages": len(dual), "kappa": kappa_table([d[0] for d in dual], [d[1] for d in dual], CORE)}
    heading = [(r, _fix_heading_theme(Passage(r["id"], *r["lines"], r["kind"], r["section"], ""))) for r, _ in items]
    in_headed = [(i, th) for i, (_r, th) in enumerate(heading) if th]
    if in_headed:
        # Weaker signal: a passage under a theme's heading "should" carry that theme.
        hd: dict = {}
        for c in CORE:
            idx = [i for i, th in in_headed if th == c]
            if not idx:
                continue
            hd[c] = {
                "passages_under_heading": len(idx),
                "rules_assign_heading_theme": round(sum(c in predicted[i] for i in idx) / len(idx), 3),
                "gold_assigns_heading_theme": round(sum(c in gold[i] for i in idx) / len(idx), 3),
            }
        heading_gold = [{th} if th else set() for _r, th in heading]
        hd["kappa_rules_vs_headings_within_headed_sections"] = kappa_table(
            [predicted[i] for i, _ in in_headed], [heading_gold[i] for i, _ in in_headed], CORE)
        result["heading_signal"] = hd
    result["disagreements"] = [
        {"id": r["id"], "lines": r["lines"], "gold": sorted(g), "rules": sorted(p)}
        for (r, _t), g, p in zip(items, gold, predicted) if g != p
    ]
    return result


def _load(name: str) -> dict | None:
    p = RESULTS.parent / name
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def write_section(res: dict | None = None) -> None:
    """Render ``benchmarks/sections/codebook.md`` from every codebook result file present."""
    res = res or _load("codebook_eval.json")
    lines: list[str] = ["## Codebook: rule coding, classifier and speed", ""]
    if res:
        lines += [
            f"**Rules vs. the report-derived gold set.** Codebook `{res['codebook']}`, {res['passages']} passages "
            f"from the evaluation report ({res['by_kind']['case']} case summaries, {res['by_kind']['quote']} quoted "
            "statements), labelled by reading against the codebook definitions. "
            "Command: `.venv/bin/python benchmarks/codebook_gold.py`.",
            "",
            "| code | gold n | precision | recall | F1 | Cohen's κ |",
            "|---|---|---|---|---|---|",
        ]
        for c in CORE:
            m = res["rules_vs_gold"]["per_code"][c]
            lines.append(f"| {c} | {m['support']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['kappa']:.3f} |")
        if "inter_pass_kappa" in res:
            k = res["inter_pass_kappa"]
            lines += ["", f"Agreement between the two reading passes before reconciliation ({k['passages']} passages), κ: "
                      + ", ".join(f"{c} {v:.2f}" for c, v in k["kappa"].items()) + "."]
        if "heading_signal" in res:
            hs = res["heading_signal"]
            parts = [f"{c}: rules {v['rules_assign_heading_theme']:.0%} / gold {v['gold_assigns_heading_theme']:.0%} of {v['passages_under_heading']}"
                     for c, v in hs.items() if isinstance(v, dict) and "passages_under_heading" in v]
            lines += ["", "Weaker signal — share of passages under the report's theme heading that carry that theme: "
                      + "; ".join(parts) + ". (Not tuned to; passages often discuss other themes than their section's.)"]
        lines += ["", BASELINE_NOTE]
    demo = _load("codebook_demo_eval.json")
    if demo and "current" in demo:
        lines += ["", *demo_section(demo)]
    clf = _load("codebook_classifier.json")
    if clf:
        pc = clf["per_code"]
        lines += ["", f"**Trainable classifier** (`.venv/bin/python benchmarks/codebook_classifier.py`): {clf['model']}, "
                  f"{clf['folds']}-fold cross-validation on the same {clf['passages']} passages, thresholds picked inside "
                  "each training fold: " + "; ".join(
                      f"{c} P {pc[c]['precision']:.2f} R {pc[c]['recall']:.2f} κ {pc[c]['kappa']:.2f}" for c in CORE)
                  + ". " + CLASSIFIER_NOTE]
    sp = _load("codebook_speed.json")
    if sp:
        lines += ["", f"**Speed** (`.venv/bin/python benchmarks/codebook_speed.py`): {sp['segments']:,} already-tokenised "
                  f"segments ({sp['words']:,} words), {sp['rules']} rules, one core, CPU time: "
                  f"{sp['warm_words_per_s']:,} words/s in steady state (best of {sp['warm_passes']} passes; mean "
                  f"{sp['warm_words_per_s_mean']:,}), {sp['cold_words_per_s']:,} words/s on the first pass with an empty "
                  f"word cache"
                  + (f"; {sp['sequence_words_per_s']:,} words/s coding the demo transcripts in order with the "
                     "question context (`code_sequence`, as `autocode_project` does)" if sp.get("sequence_words_per_s") else "")
                  + f". Target ≥ {sp['target_words_per_s']:,} words/s."]
    SECTION.parent.mkdir(parents=True, exist_ok=True)
    SECTION.write_text("\n".join(lines) + "\n", encoding="utf-8")


def demo_section(demo: dict) -> list[str]:
    """The tune / held-out table of ``codebook_demo_eval.json`` (before and after)."""
    cur, base = demo["current"], demo.get("baseline")
    n_tune = cur["splits"]["tune"]
    n_held = cur["splits"]["heldout"]
    out = [
        "**Tune / held-out protocol (codebook 1.1.0).** `.venv/bin/python benchmarks/codebook_demo_eval.py` codes the "
        f"fictional demo corpus (`corpora/pakkeforlop-demo`, {demo['transcripts']} transcripts, {demo['turns']} turns, "
        "turn-level theme labels by another engineer) turn by turn in transcript order, as `autocode_project` does. "
        f"Rules were revised on the report gold and the TUNE split (cases A–D, {n_tune['transcripts']} interviews, "
        f"{n_tune['turns']} turns); the HELD-OUT split (cases E–H and all BSB interviews, {n_held['transcripts']} "
        f"interviews, {n_held['turns']} turns) was scored in aggregate only, never read. Cohen's κ over all turns"
        + (f", before (`{base['codebook']}`, git {base['revision']}) → after (`{cur['codebook']}`):" if base else ":"),
        "",
        "| code | report gold (in-sample) | demo tune | demo held-out | demo, all 22 | after: P / R held-out |",
        "|---|---|---|---|---|---|",
    ]

    def k(run, where, c):
        per = run["report_gold"]["per_code"] if where == "report" else run["splits"][where]["all_turns"]["per_code"]
        return per[c]["kappa"] if per[c]["kappa"] is not None else float("nan")

    for c in CORE:
        cells = []
        for where in ("report", "tune", "heldout", "all"):
            if where == "report" and not cur["report_gold"]:
                cells.append("–")
                continue
            cells.append(f"{k(base, where, c):.2f} → **{k(cur, where, c):.2f}**" if base else f"{k(cur, where, c):.2f}")
        m = cur["splits"]["heldout"]["all_turns"]["per_code"][c]
        out.append(f"| {c} | " + " | ".join(cells) + f" | {m['precision']:.2f} / {m['recall']:.2f} |")
    out += ["", HELD_OUT_NOTE]
    return out


BASELINE_NOTE = (
    "This is a *development* set: the rules were written first and scored against it (κ before "
    "tuning: informasjon 0.57, behandlingsplan 0.54, feedback 0.51, overganger 0.75), then revised "
    "with general cues (inflection-proof stems, context windows, vetoes for information *from* "
    "patients or feedback *to* GPs), so κ ≥ 0.80 here is an in-sample figure. Both reading passes "
    "were made by the same annotator (the second in shuffled order, headings hidden, after other "
    "work), so the inter-pass κ overstates what two independent coders would reach. Only ids, line "
    "ranges, hashes and labels are committed (`benchmarks/gold/pakkeforlop_report.jsonl`); the text "
    "is read from the report at run time."
)
HELD_OUT_NOTE = (
    "Most of the gain comes from coding turns in their place: the interviewer's question lends its "
    "theme to the answers until the next question (`question_context`, weight 1.0), and questions "
    "are not coded themselves (the demo gold codes answers; coding questions was the largest source "
    "of false positives under 1.0.0). The broader term families add the rest. The held-out split "
    "was printed in aggregate a few times during development (while trying the context feature, "
    "before the harness hid it) and at two checkpoints (after the first revision and after one "
    "further TUNE-only round), so it is nearly, not perfectly, untouched; no rule was written from "
    "its text. The report-gold figures are in-sample for both versions; 1.1.0 gives up a little there "
    "(passage-keyed vetoes removed, broader weak cues). Overganger stays the weakest on the demo "
    "corpus: its annotator also codes general collaboration with municipalities and GPs, which the "
    "codebook assigns to samhandling-kommune."
)
CLASSIFIER_NOTE = (
    "With 17–41 positives per code it has far too little to learn from, which is why "
    "`qualcode autocode --train` refuses codes with fewer than 30 manually coded segments. "
    "Reported separately from the rules (coder `classifier:<name>`)."
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", action="store_true", help="(re)build the passage index")
    ap.add_argument("--jsonl", type=Path, help="write id/text/codes JSONL for `qualcode evaluate` (keep it outside the repo)")
    ap.add_argument("--show", nargs="*", help="print passages by id (local reading)")
    args = ap.parse_args(argv)
    report = find_report()
    if report is None:
        print("SKIP: the evaluation report is not available (set QUALCODE_REPORT or provide ../shared/seeds/)")
        return 0
    if args.index:
        build_index(report)
        return 0
    if args.show is not None:
        wanted = set(args.show)
        for row, text in gold_passages(report):
            if not wanted or row["id"] in wanted:
                print(f"### {row['id']} [{row['kind']}] {row['section']}\n{norm(text)}\n")
        return 0
    if args.jsonl:
        if args.jsonl.resolve().is_relative_to(ROOT):
            sys.exit("refusing to write report text inside the repository")
        with args.jsonl.open("w", encoding="utf-8") as fh:
            for row, text in gold_passages(report):
                if "codes" in row:
                    fh.write(json.dumps({"id": row["id"], "text": text, "codes": row["codes"]}, ensure_ascii=False) + "\n")
        print(f"wrote {args.jsonl}")
        return 0
    res = evaluate(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_section(res)
    for c in CORE:
        m = res["rules_vs_gold"]["per_code"][c]
        print(f"{c:16s} n={m['support']:3d} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} kappa={m['kappa']:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
