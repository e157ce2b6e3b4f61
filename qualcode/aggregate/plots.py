"""Figures from the framework matrix (matplotlib, Agg canvas — no display needed).

* ``heatmap_<year>``: case × theme, coded segments per 100 segments of the case-year (the
  cell text shows the count of passages).
* ``change``: one panel per theme, a dumbbell per case from the first to the last year.
Each figure is written as PNG and SVG.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FORMATS = ("png", "svg")
_RC = {"svg.hashsalt": "qualcode", "svg.fonttype": "path"}


def _case_label(c: str) -> str:
    return "uten case" if c == "-" else f"case {c}"


def rates(matrix: pd.DataFrame) -> pd.DataFrame:
    """Coded segments per 100 segments of the case-year (NaN: no material that year)."""
    total = matrix[("total", "segments")].astype(float).replace(0, np.nan)
    return matrix["segments"].div(total, axis=0) * 100.0


def _save(fig: Figure, out_dir: Path, name: str) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    paths = {}
    with matplotlib.rc_context(_RC):
        for fmt in FORMATS:
            path = out_dir / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=150, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
            paths[fmt] = path
    return paths


def heatmap(matrix: pd.DataFrame, year: int, out_dir: Path) -> dict[str, Any]:
    """Case × theme heatmap for one year."""
    r = rates(matrix).xs(year, level="year")
    counts = matrix["segments"].xs(year, level="year")
    cases, themes = list(r.index), list(r.columns)
    fig = Figure(figsize=(max(4.0, 1.1 * len(themes) + 2), max(2.5, 0.45 * len(cases) + 1.5)), layout="constrained")
    ax = fig.add_subplot()
    data = np.ma.masked_invalid(r.to_numpy(dtype=float)) if themes else np.zeros((len(cases), 0))
    im = ax.imshow(data, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(themes)), themes, rotation=35, ha="right")
    ax.set_yticks(range(len(cases)), [_case_label(c) for c in cases])
    top = float(np.nanmax(r.to_numpy(dtype=float))) if themes and r.notna().any().any() else 0.0
    for i in range(len(cases)):
        for j in range(len(themes)):
            val = r.iat[i, j]
            dark = not pd.isna(val) and top > 0 and val > 0.6 * top  # white text on the darkest blues
            ax.text(j, i, "–" if pd.isna(val) else str(int(counts.iat[i, j])), ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    fig.colorbar(im, ax=ax, label="kodede segmenter per 100 segmenter")
    title = f"Kodet materiale per enhet og tema, {year}"
    ax.set_title(title)
    return {"title": title, **_save(fig, out_dir, f"heatmap_{year}")}


def change_plot(matrix: pd.DataFrame, year_a: int, year_b: int, out_dir: Path) -> dict[str, Any]:
    """Dumbbell per case and theme: rate in ``year_a`` → rate in ``year_b``."""
    r = rates(matrix)
    themes = list(r.columns)
    cases = list(dict.fromkeys(r.index.get_level_values("case")))
    n = max(1, len(themes))
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(4.2 * cols, max(2.5, 0.35 * len(cases) + 1.2) * rows), layout="constrained")
    for k, theme in enumerate(themes or [""]):
        ax = fig.add_subplot(rows, cols, k + 1)
        for i, c in enumerate(cases):
            a = r[theme].get((c, year_a), np.nan) if theme else np.nan
            b = r[theme].get((c, year_b), np.nan) if theme else np.nan
            if not (pd.isna(a) or pd.isna(b)):
                ax.plot([a, b], [i, i], color="0.6", lw=1.5, zorder=1)
            if not pd.isna(a):
                ax.scatter([a], [i], color="#1f77b4", s=80, zorder=2, label=str(year_a) if i == 0 else None)
            if not pd.isna(b):
                ax.scatter([b], [i], color="#d62728", marker="D", s=30, zorder=3, label=str(year_b) if i == 0 else None)
        ax.set_yticks(range(len(cases)), [_case_label(c) for c in cases])
        ax.invert_yaxis()
        ax.set_title(theme, fontsize=10)
        ax.set_xlabel("per 100 segmenter", fontsize=8)
        ax.set_xlim(left=0)
    handles = [matplotlib.lines.Line2D([], [], color="#1f77b4", marker="o", ls="", label=str(year_a)),
               matplotlib.lines.Line2D([], [], color="#d62728", marker="D", ls="", label=str(year_b))]
    fig.legend(handles=handles, loc="outside right upper")
    title = f"Endring {year_a}→{year_b} per tema og enhet"
    fig.suptitle(title)
    return {"title": title, **_save(fig, out_dir, "change")}


def summary_figures(matrix: pd.DataFrame, out_dir: Path) -> dict[str, dict[str, Any]]:
    """Heatmap per year and (with two or more years) the change plot."""
    years = sorted(set(matrix.index.get_level_values("year")))
    figs = {f"heatmap_{y}": heatmap(matrix, y, Path(out_dir)) for y in years}
    if len(years) >= 2:
        figs["change"] = change_plot(matrix, years[0], years[-1], Path(out_dir))
    return figs


def plot(project: Any, out_dir: Path | str, **filters: Any) -> dict[str, dict[str, Any]]:
    """Draw every figure for the project (filters as for :func:`framework_matrix`)."""
    from .matrix import framework_matrix

    return summary_figures(framework_matrix(project, with_coders=False, **filters), Path(out_dir))
