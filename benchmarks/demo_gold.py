"""The demo pipeline against the demo corpus's hand-made gold.

Measures (1) anonymisation recall of every gold identifying span (strict: the surface form
must be gone from its turn), (2) turn-level precision/recall/κ of the auto-coder per core
theme, and (3) the wall time of `qualcode demo`'s stages. Writes
benchmarks/results/demo_gold.json and benchmarks/sections/demo.md.

    .venv/bin/python benchmarks/demo_gold.py
"""
from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

from qualcode.demo import run_demo
from qualcode.demo_gold import anonymisation_recall, theme_agreement

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = run_demo(Path(tmp) / "demo")
        total = time.perf_counter() - t0
        project = result.project
        coder = next(c for c in project_coders(project) if c.startswith("auto:"))
        recall = anonymisation_recall(project).summary()
        themes = theme_agreement(project, coder)
        project.close()
    out = {"machine": platform.machine(), "python": platform.python_version(), "demo_seconds": round(total, 1),
           "stage_seconds": result.timings, "figures": result.figures, "anonymisation": recall,
           "auto_coder": coder, "themes": themes}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "demo_gold.json").write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    lines = [
        "## Demo pipeline against the demo corpus gold (`benchmarks/demo_gold.py`)",
        "",
        f"`qualcode demo` end to end: **{total:.1f} s** (" + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()) + ").",
        "",
        f"Anonymisation, strict recall of {recall['total']} hand-marked identifying spans (surface form gone from its turn): "
        f"**{recall['recall']:.3f}**",
        "",
        "| label | caught / total | recall |", "| --- | --- | --- |",
    ]
    for label, v in recall["by_label"].items():
        lines.append(f"| {label} | {v['caught']} / {v['total']} | {v['recall']:.3f} |")
    lines += ["", f"Auto-coder `{coder}` vs the gold themes, turn level (1,319 turns):", "",
              "| theme | gold turns | coded turns | precision | recall | F1 | κ |", "| --- | --- | --- | --- | --- | --- | --- |"]
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    for theme, v in themes.items():
        lines.append(f"| {theme} | {v['gold_turns']} | {v['coded_turns']} | {fmt(v['precision'])} | {fmt(v['recall'])} "
                     f"| {fmt(v['f1'])} | {fmt(v['kappa'])} |")
    (HERE / "sections").mkdir(exist_ok=True)
    (HERE / "sections" / "demo.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2, ensure_ascii=False))


def project_coders(project) -> list[str]:
    from sqlalchemy import select

    from qualcode.store import Coder

    with project.store.session() as s:
        return list(s.scalars(select(Coder.name)))


if __name__ == "__main__":
    main()
