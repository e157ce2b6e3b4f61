"""Run every benchmark script in benchmarks/ (each writes benchmarks/results/*.json), then BENCHMARKS.md."""
from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"__init__.py", "run_all.py", "assemble.py",
        "nlp_candidates.py"}  # compares trained candidate models: run it by hand with NAME=DIR arguments


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("*.py")):
        if script.name in SKIP or script.name.startswith("_"):
            continue
        print(f"== {script.name}", flush=True)
        if subprocess.call([sys.executable, str(script)]) != 0:
            failed.append(script.name)
    runpy.run_path(str(HERE / "assemble.py"), run_name="__main__")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
