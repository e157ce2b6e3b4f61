"""Case summaries in the report's layout: theme → unit ("Poliklinikk i PHV (case A)") → year.

Each year part quotes the most representative passages of that cell (see
:mod:`.ranking`) with provenance; a templated change line compares the first and last
year (see :mod:`.changes`). Nothing is paraphrased: the only prose is fixed connective
lines ("Ingen kodet materiale for 2020.").
"""
from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from sqlalchemy.orm import Session

from ..errors import AggregationError
from .changes import ThemeCounts, compare_years
from .filters import FILTER_NAMES, ResolvedFilters, resolve_filters
from .matrix import NO_CASE, compute_matrix, warning_text
from .model import CaseBlock, Cell, Quote, Summary, ThemeBlock
from .passages import Passage, coded_passages
from .ranking import excerpt, make_vectorizer, mmr_select, vectors
from .units import NO_CASE_UNIT, load_units
from ..segment import is_interviewer

FORMATS = ("md", "html", "docx")
BASENAME = "sammendrag"


def _check_filters(filters: dict[str, Any]) -> None:
    unknown = sorted(set(filters) - set(FILTER_NAMES))
    if unknown:
        raise AggregationError(f"unknown filter(s) {', '.join(unknown)}; allowed: {', '.join(FILTER_NAMES)}")


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """'md,html' or ['md', 'docx'] → validated tuple."""
    items = [f.strip().lower().lstrip(".") for f in (formats.split(",") if isinstance(formats, str) else formats)]
    items = [f for f in items if f]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise AggregationError(f"unknown output format(s) {', '.join(bad) or '(none given)'}; allowed: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(items))


def _select_themes(rf: ResolvedFilters, themes: Sequence[str] | str | None) -> None:
    if themes is None:
        return
    wanted = [themes] if isinstance(themes, str) else list(themes)
    by_key = {t.key: t for t in rf.themes} | {t.path: t for t in rf.themes}
    bad = [w for w in wanted if w not in by_key]
    if bad:
        raise AggregationError(
            f"unknown theme(s) {', '.join(map(repr, bad))}; allowed: {', '.join(t.key for t in rf.themes) or '(none)'}"
        )
    keep = {by_key[w].id for w in wanted}
    rf.themes = [t for t in rf.themes if t.id in keep]
    rf.theme_of = {c: t for c, t in rf.theme_of.items() if t in keep}
    rf.code_ids = tuple(sorted(rf.theme_of))


def _quotes(cell_passages: list[Passage], vec, *, per_cell: int, lambda_: float, max_words: int,
            x_all=None, row_of: dict[int, int] | None = None) -> list[Quote]:
    if not cell_passages:
        return []
    if x_all is not None and row_of is not None and vec is not None:
        x = x_all[[row_of[id(p)] for p in cell_passages]]
    else:
        x = vectors(vec, [p.text for p in cell_passages])
    picks = mmr_select(x, [p.key for p in cell_passages], per_cell, lambda_)
    centroid = np.asarray(x.mean(axis=0)) if vec is not None else None
    out = []
    for i, score in picks:
        p = cell_passages[i]
        start, end = excerpt(p.text, p.speaker, max_words=max_words, vec=vec, centroid=centroid)
        body_start = excerpt(p.text, p.speaker, max_words=10**9, vec=None, centroid=None)[0]
        out.append(Quote(
            segment_id=p.segment_id, segment_uid=p.segment_uid, source_label=p.source_label,
            informant_group=p.informant_group, speaker=p.speaker, text=p.text[start:end], start=start, end=end,
            centrality=round(score, 6), cut_before=start > body_start, cut_after=end < len(p.text.rstrip()),
        ))
    return out


def build_summary(session: Session, *, themes: Sequence[str] | str | None = None, per_cell: int = 3,
                  lambda_: float = 0.7, max_words: int = 80, **filters: Any) -> Summary:
    """Everything the renderers need, computed from the store (no files written)."""
    _check_filters(filters)
    if per_cell < 1:
        raise AggregationError(f"per_cell must be at least 1, got {per_cell}")
    if not 0.0 <= lambda_ <= 1.0:
        raise AggregationError(f"lambda_ must be between 0 and 1, got {lambda_}")
    rf = resolve_filters(session, **filters)
    _select_themes(rf, themes)
    matrix = compute_matrix(session, rf, with_coders=False)
    years = sorted(set(matrix.index.get_level_values("year")))
    warnings = [warning_text(w, "nb") for w in matrix.attrs.get("warning_items", [])]
    # Quotes are the informants' words: interviewer questions are never quoted (see docs/aggregation.md).
    passages = [p for p in coded_passages(session, rf) if not is_interviewer(p.speaker)]
    vec = make_vectorizer([p.text for p in passages])
    x_all = vectors(vec, [p.text for p in passages])  # each passage is tokenised once
    all_rows = {id(p): i for i, p in enumerate(passages)}

    units = load_units(session)
    letters = set(matrix.index.get_level_values("case"))
    units = [u for u in units if u.letter in letters]
    if NO_CASE in letters:
        units.append(NO_CASE_UNIT)
    letter_of_id = {u.case_id: u.letter for u in units}
    theme_by_id = {t.id: t for t in rf.themes}

    grouped: dict[tuple[int, str, int], list[Passage]] = {}
    by_theme: dict[int, list[Passage]] = {}
    for p in passages:
        if p.theme_id not in theme_by_id or p.year is None:
            continue
        letter = letter_of_id.get(p.case_id)
        if letter is None:
            continue
        grouped.setdefault((p.theme_id, letter, p.year), []).append(p)
        by_theme.setdefault(p.theme_id, []).append(p)

    total = matrix[("total", "segments")]
    blocks: list[ThemeBlock] = []
    for t in rf.themes:
        theme_passages = by_theme.get(t.id, [])
        if not theme_passages and any(o.path.startswith(t.path + "/") for o in rf.themes):
            continue  # the parent of the chosen subtree, with no codings of its own

        counts = ThemeCounts([p.text for p in theme_passages]) if len(years) >= 2 else None
        row_of = {id(p): i for i, p in enumerate(theme_passages)}
        cases: list[CaseBlock] = []
        for u in units:
            cells = []
            for y in years:
                ps = grouped.get((t.id, u.letter, y), [])
                tot = int(total.get((u.letter, y), 0))
                status = "ok" if ps else ("no_sources" if tot == 0 else "no_coded")
                cells.append(Cell(y, status, len(ps), tot, _quotes(ps, vec, per_cell=per_cell, lambda_=lambda_,
                                                                    max_words=max_words, x_all=x_all,
                                                                    row_of=all_rows)))
            change = None
            if len(years) >= 2:
                ya, yb = years[0], years[-1]
                pa, pb = grouped.get((t.id, u.letter, ya), []), grouped.get((t.id, u.letter, yb), [])
                change = compare_years(
                    ya, yb, [p.text for p in pa], [p.text for p in pb],
                    total_a=int(total.get((u.letter, ya), 0)), total_b=int(total.get((u.letter, yb), 0)),
                    theme_counts=counts, rows_a=[row_of[id(p)] for p in pa], rows_b=[row_of[id(p)] for p in pb],
                )
            cases.append(CaseBlock(u, cells, change))
        blocks.append(ThemeBlock(t.key, t.label, t.path, cases))
    summary = Summary(title="Sammendrag per tema og enhet", years=years, themes=blocks,
                      filters=rf.description, warnings=warnings, matrix=matrix)
    from .crosscase import crosscase_frame, crosscase_sentence

    summary.crosscase = crosscase_frame(summary)
    for b in summary.themes:
        b.crosscase_sentence = crosscase_sentence(b, summary.years)
    return summary


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename (no half-written outputs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summarise(project: Any, out_dir: Path | str, *, formats: str | Iterable[str] = FORMATS,
              themes: Sequence[str] | str | None = None, per_cell: int = 3, lambda_: float = 0.7,
              max_words: int = 80, plots: bool = True, **filters: Any) -> dict[str, Path]:
    """Write the case summaries (``sammendrag.md/.html/.docx``, figures in ``figurer/``) to ``out_dir``.

    ``filters`` are those of :func:`~qualcode.aggregate.framework_matrix`. Returns
    ``{format: path}`` (plus ``"figures"`` when plots were drawn). Re-running overwrites.
    """
    fmts = parse_formats(formats)
    out = Path(out_dir)
    with project.store.session() as s:
        summary = build_summary(s, themes=themes, per_cell=per_cell, lambda_=lambda_, max_words=max_words,
                                **filters)
        if plots:
            from .plots import summary_figures

            summary.figures = summary_figures(summary.matrix, out / "figurer")
    summary.generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    paths: dict[str, Path] = {}
    for fmt in fmts:
        path = out / f"{BASENAME}.{fmt}"
        if fmt == "md":
            from .render.markdown import render_markdown

            text = render_markdown(summary, figure_dir=out)
            _atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
        elif fmt == "html":
            from .render.html import render_html

            text = render_html(summary)
            _atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
        else:
            from .render.docx import render_docx

            _atomic_write(path, lambda p: render_docx(summary, p))
        paths[fmt] = path
    if plots and summary.figures:
        paths["figures"] = out / "figurer"
    return paths


__all__ = ["FORMATS", "build_summary", "parse_formats", "summarise"]
