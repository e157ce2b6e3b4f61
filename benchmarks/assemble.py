"""Assemble BENCHMARKS.md from the per-stage sections in benchmarks/sections/."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["import", "nlp", "anonymise", "codebook", "coding", "aggregate", "exchange", "demo"]


def main() -> None:
    sections = {p.stem: p for p in (HERE / "sections").glob("*.md")}
    names = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    parts = [
        "# Benchmarks\n",
        "Measured on the project's 2-core machine. Each figure comes from a script in `benchmarks/`",
        "that writes its raw numbers to `benchmarks/results/*.json`; the command is given with each table.",
        "Re-run everything with `make benchmarks` (NorNE and the report are read from `../shared/`).\n",
    ]
    for name in names:
        parts.append(sections[name].read_text(encoding="utf-8").strip() + "\n")
    (HERE.parent / "BENCHMARKS.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote BENCHMARKS.md from {len(names)} sections")


if __name__ == "__main__":
    main()
