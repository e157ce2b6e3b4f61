"""The end-to-end demo on the fictional corpus, measured against its hand-made gold.

Thresholds start from what was measured (see BENCHMARKS.md, `benchmarks/demo_gold.py`) and fail
the suite when quality drops.
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.demo import corpus_dir, run_demo
from qualcode.demo_gold import CORE_THEMES, anonymisation_recall, theme_agreement

# Measured values are in benchmarks/results/demo_gold.json; these floors sit just below them.
MIN_ANONYMISATION_RECALL = 0.97
MIN_PER_RECALL = 0.97
# Measured with codebook 1.1.0 (1.1.1 gives the same) on the whole demo corpus: κ 0.714 / 0.702 / 0.831 / 0.626.
# Below the codebook issue's 0.80 target for three themes: that target is for the report-derived
# development set; the demo gold is another annotator's turn-level reading (see BENCHMARKS.md).
MIN_THEME_KAPPA = {"informasjon": 0.66, "behandlingsplan": 0.65, "feedback": 0.78, "overganger": 0.58}


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    result = run_demo(tmp_path_factory.mktemp("demo") / "out")
    yield result
    result.project.close()


@pytest.mark.slow
def test_demo_writes_every_output(demo):
    assert demo.figures["transcripts imported"] == 22
    for name, path in demo.outputs.items():
        assert Path(path).exists(), name
    from docx import Document
    from lxml import html

    outputs = {Path(p).suffix: Path(p) for p in demo.outputs.values()}
    assert Document(str(outputs[".docx"])).paragraphs
    assert html.fromstring(outputs[".html"].read_bytes()).xpath("//h1|//h2")
    with zipfile.ZipFile(outputs[".qdpx"]) as z:
        assert "project.qde" in z.namelist()


@pytest.mark.slow
def test_demo_anonymisation_recall(demo):
    recall = anonymisation_recall(demo.project)
    per_caught, per_total = recall.by_label["PER"]
    assert recall.recall >= MIN_ANONYMISATION_RECALL, recall.summary()
    assert per_caught / per_total >= MIN_PER_RECALL, recall.summary()
    # identifiers with checksums or fixed formats must all go
    for label in ("FNR", "PHONE"):
        caught, total = recall.by_label[label]
        assert caught == total, label


@pytest.mark.slow
def test_demo_exports_leak_nothing_beyond_the_measured_misses(demo):
    """Exports come from the analysis store only: any gold name found in them must be one the
    recall figure already counts as missed (the export path adds no raw text of its own)."""
    import re

    from qualcode.demo_gold import gold_identifiers

    missed = {g["text"] for g in anonymisation_recall(demo.project).missed}
    names = {g["text"] for g in gold_identifiers() if g["label"] == "PER" and len(g["text"]) >= 4}
    for path in demo.project.exports_dir.rglob("*"):
        if path.suffix in {".md", ".html", ".csv"}:
            text = path.read_text(encoding="utf-8")
            found = {n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)}
            assert found <= missed, (path.name, len(found - missed))


@pytest.mark.slow
def test_demo_autocoder_against_gold(demo):
    coder = next(name for name in _coders(demo.project) if name.startswith("auto:"))
    figures = theme_agreement(demo.project, coder)
    assert set(figures) == set(CORE_THEMES)
    for theme, floor in MIN_THEME_KAPPA.items():
        assert figures[theme]["kappa"] is not None and figures[theme]["kappa"] >= floor, (theme, figures[theme])


def test_demo_refuses_foreign_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    from qualcode.errors import ConfigError

    with pytest.raises(ConfigError, match="not a qualcode demo folder"):
        run_demo(tmp_path)
    assert (tmp_path / "keep.txt").exists()


def test_corpus_build_is_up_to_date():
    """The committed transcripts, manifest and gold are what build.py makes from src/."""
    build = corpus_dir() / "build.py"
    res = subprocess.run([sys.executable, str(build), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]


def _coders(project) -> list[str]:
    from sqlalchemy import select

    from qualcode.store import Coder

    with project.store.session() as s:
        return list(s.scalars(select(Coder.name)))
