"""The framework matrix: case × year rows, theme columns, computed with GROUP BY in the database.

Measures (top level of the column index), each with one column per theme:

``segments``    distinct coded segments
``sources``     distinct sources (interviews) with a coded segment
``informants``  distinct (source, speaker) pairs among the coded segments — in a group interview
                each speaking participant counts once; a segment without a speaker label
                counts as one unnamed speaker of its source
``words``       words in the distinct coded segments
``share``       ``words`` / all segment words of the case-year's sources (NaN: no material)
``coders``      distinct coders who applied the theme

Plus ``case`` (unit_label, setting, service_area from the registry) and ``total``
(sources, segments, words of the case-year's material, after the source filters).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, case, cast, distinct, func, literal, select
from sqlalchemy.orm import Session

from ..store.models import Case, Coder, Coding, Segment, Source
from .filters import ResolvedFilters, coding_conditions, resolve_filters, source_conditions

MEASURES = ("segments", "sources", "informants", "words", "share", "coders")
COUNT_MEASURES = ("segments", "sources", "informants", "words", "coders")
NO_CASE = "-"  # row label for sources that belong to no case (e.g. BSB interviews)
CASE_META = ("unit_label", "setting", "service_area")
MASK_BITS = 62  # bits per integer mask column (BIGINT, sign bit unused)


def theme_expression(rf: ResolvedFilters):
    """SQL expression mapping ``codings.code_id`` to its theme's code id."""
    if all(k == v for k, v in rf.theme_of.items()):
        return Coding.code_id
    return case(rf.theme_of, value=Coding.code_id, else_=None)


def _needs_case_join(rf: ResolvedFilters) -> bool:
    return bool(rf.service_areas or rf.settings)


def coded_base(rf: ResolvedFilters):
    """FROM/WHERE over codings ⋈ segments ⋈ sources (⟕ cases) with every filter applied."""
    stmt = (
        select()
        .select_from(Coding)
        .join(Segment, Segment.id == Coding.segment_id)
        .join(Source, Source.id == Segment.source_id)
    )
    if _needs_case_join(rf):
        stmt = stmt.outerjoin(Case, Case.id == Source.case_id)
    return stmt.where(*coding_conditions(rf))


def _coding_only_conditions(rf: ResolvedFilters):
    """The filters that live on the codings table itself (stage 1 scans only that table)."""
    conds = [Coding.status == "active"]
    if rf.coder_ids is not None:
        conds.append(Coding.coder_id.in_(rf.coder_ids))
    if rf.code_ids is not None:
        conds.append(Coding.code_id.in_(rf.code_ids))
    if rf.min_score is not None:
        conds.append(func.coalesce(Coding.score, 1.0) >= rf.min_score)
    return conds


def _lane_chunks(rf: ResolvedFilters, n_lanes: int) -> list[list[int]]:
    """Theme indexes per mask column: each theme takes ``n_lanes`` bits (one per coder)."""
    per = max(1, MASK_BITS // n_lanes)
    return [list(range(i, min(i + per, len(rf.themes)))) for i in range(0, len(rf.themes), per)]


def _segment_masks(session: Session, rf: ResolvedFilters, coder_ids: list[int]):
    """One row per coded segment: source, speaker, words and its (theme × coder) bit masks.

    Bit ``(k - chunk start) · C + j`` of a chunk's mask is set when coder ``coder_ids[j]`` applied
    theme ``k`` to the segment (``C = len(coder_ids)``, or one lane when ``coder_ids`` is empty).
    ``SUM(DISTINCT 2^bit)`` is an OR of distinct bits; it streams over the
    ``(status, segment_id, code_id, coder_id, score)`` covering index, so the million codings
    are read once, in index order, with no sort.
    """
    n_c = max(1, len(coder_ids))
    index = {t.id: i for i, t in enumerate(rf.themes)}
    chunks = _lane_chunks(rf, n_c)
    coder_part = (cast(case({cid: literal(1 << j, BigInteger) for j, cid in enumerate(coder_ids)},
                            value=Coding.coder_id, else_=literal(0, BigInteger)), BigInteger)
                  if coder_ids else None)
    masks = []
    for q, chunk in enumerate(chunks):
        lo = chunk[0]
        values = {cid: literal(1 << ((index[tid] - lo) * n_c), BigInteger)
                  for cid, tid in rf.theme_of.items() if index[tid] in chunk}
        if not values:
            masks.append(literal(0, BigInteger).label(f"m{q}"))
            continue
        expr = cast(case(values, value=Coding.code_id, else_=literal(0, BigInteger)), BigInteger)
        if coder_part is not None:
            expr = expr * coder_part
        masks.append(cast(func.sum(distinct(expr)), BigInteger).label(f"m{q}"))
    p = (
        select(Coding.segment_id, *masks)
        .where(*_coding_only_conditions(rf))
        .group_by(Coding.segment_id)
        .subquery("p")
    )
    stmt = (
        select(Segment.source_id, Segment.speaker, func.coalesce(Segment.word_count, 0),
               *[p.c[f"m{q}"] for q in range(len(chunks))])
        .select_from(p).join(Segment, Segment.id == p.c.segment_id)
    )
    # Plain DBAPI tuples: ints and the speaker label need no result processing, and building
    # ~200,000 Row objects would cost more than the query itself.
    # The cyclic garbage collector is paused while the rows are fetched and transposed: it
    # would otherwise rescan the growing heap of row tuples many times (about 0.25 s here).
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        result = session.connection().execute(stmt)
        try:
            columns = list(zip(*result.cursor.fetchall()))
        finally:
            result.close()
    finally:
        if gc_was_on:
            gc.enable()
    return chunks, n_c, columns


def _cell_counts(session: Session, rf: ResolvedFilters, coder_ids: list[int] | None = None) -> pd.DataFrame:
    """segments, sources, informants, words, coders per (case_id, year, theme index).

    The database reduces the codings to one row per coded segment (:func:`_segment_masks`);
    the few hundred thousand segment rows are then grouped with vectorised numpy: by
    (source, speaker) for informants, by source, and by (case, year). ``coders`` is the bit
    count of the OR of a case-year's masks in the theme's lane (0 when ``coder_ids`` is empty).
    """
    cols = ["case_id", "year", "theme", "segments", "sources", "informants", "words", "coders"]
    coder_ids = list(coder_ids or [])
    if not rf.themes:
        return pd.DataFrame(columns=cols)
    chunks, n_c, columns = _segment_masks(session, rf, coder_ids)
    src_stmt = select(Source.id, Source.case_id, Source.year)
    if _needs_case_join(rf):
        src_stmt = src_stmt.outerjoin(Case, Case.id == Source.case_id)
    sources = session.execute(src_stmt.where(*source_conditions(rf))).all()
    if not columns or not sources:
        return pd.DataFrame(columns=cols)
    # Sources passing the source filters → their (case, year) group.
    src_id = np.array([r[0] for r in sources], dtype=np.int64)
    cy = [(_key(r[1]), _key(r[2])) for r in sources]
    group_keys = sorted(set(cy))
    g_of = {k: i for i, k in enumerate(group_keys)}
    order = np.argsort(src_id)
    src_id = src_id[order]
    src_group = np.array([g_of[k] for k in cy], dtype=np.int64)[order]

    seg_src, speaker, wc, *mask_cols = columns
    n = len(seg_src)
    seg_src = np.fromiter(seg_src, dtype=np.int64, count=n)
    pos = np.searchsorted(src_id, seg_src).clip(0, len(src_id) - 1)
    keep = src_id[pos] == seg_src  # the segment's source passes the source filters
    if not keep.any():
        return pd.DataFrame(columns=cols)
    pos = pos[keep]
    g = src_group[pos]
    wc = np.fromiter(wc, dtype=np.int64, count=n)[keep]
    masks = [np.fromiter(m, dtype=np.int64, count=n)[keep] for m in mask_cols]
    spk = pd.factorize(pd.Series(speaker, dtype=object)[keep], use_na_sentinel=True)[0]  # NULL → -1, one label
    inf_id = np.unique(pos * (spk.max() + 2) + (spk + 1), return_inverse=True)[1]
    n_g = len(group_keys)
    g_of_inf = np.zeros(inf_id.max() + 1, dtype=np.int64)
    g_of_inf[inf_id] = g
    # Coders: OR of the masks within each (case, year) group.
    by_g = np.argsort(g, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(g[by_g]) != 0])
    present_groups = g[by_g][starts]
    lane = np.int64((1 << n_c) - 1)
    records = []
    for q, chunk in enumerate(chunks):
        m = masks[q]
        or_g = np.bitwise_or.reduceat(m[by_g], starts)
        for i, k in enumerate(chunk):
            bits = (m >> np.int64(i * n_c)) & lane
            hit = bits != 0
            n_seg = np.bincount(g[hit], minlength=n_g)
            n_words = np.bincount(g[hit], weights=wc[hit], minlength=n_g)
            has_src = np.zeros(len(src_id), dtype=bool)
            has_src[pos[hit]] = True
            n_src = np.bincount(src_group[has_src], minlength=n_g)
            has_inf = np.zeros(len(g_of_inf), dtype=bool)
            has_inf[inf_id[hit]] = True
            n_inf = np.bincount(g_of_inf[has_inf], minlength=n_g)
            n_cod = np.zeros(n_g, dtype=np.int64)
            if coder_ids:
                n_cod[present_groups] = np.bitwise_count((or_g >> np.int64(i * n_c)) & lane)
            for gi in np.flatnonzero(n_seg):
                records.append((*group_keys[gi], k, int(n_seg[gi]), int(n_src[gi]), int(n_inf[gi]),
                                int(round(n_words[gi])), int(n_cod[gi])))
    return pd.DataFrame(records, columns=cols)


def _coder_counts_plain(session: Session, rf: ResolvedFilters) -> pd.DataFrame:
    """Distinct coders per (case_id, year, theme index) with ``COUNT(DISTINCT coder_id)``.

    Used only when there are more coders than bits in a mask column (a sort of the codings,
    so slower than the lanes of :func:`_segment_masks`).
    """
    index = {t.id: i for i, t in enumerate(rf.themes)}
    theme = theme_expression(rf).label("theme")
    stmt = (coded_base(rf).add_columns(Source.case_id, Source.year, theme, func.count(distinct(Coding.coder_id)))
            .group_by(Source.case_id, Source.year, theme))
    return pd.DataFrame([(_key(r[0]), _key(r[1]), index[r[2]], int(r[3])) for r in session.execute(stmt)
                         if r[2] in index], columns=["case_id", "year", "theme", "coders"])


def _key(value: Any) -> int:
    """Case ids and years as ints, -1 for NULL (so merges and pivots keep them)."""
    return -1 if value is None else int(value)


def _totals(session: Session, rf: ResolvedFilters) -> pd.DataFrame:
    """sources, segments, words of each (case_id, year) after the source filters.

    Segments are summed per source first (one pass over ``segments`` in ``source_id`` order);
    joining each source to its segments row by row would cost three times as much.
    """
    per_source = (
        select(Segment.source_id, func.count(Segment.id).label("n"), func.sum(Segment.word_count).label("w"))
        .group_by(Segment.source_id)
        .subquery("per_source")
    )
    stmt = (
        select(
            Source.case_id, Source.year,
            func.count(Source.id).label("sources"),
            func.coalesce(func.sum(per_source.c.n), 0).label("segments"),
            func.coalesce(func.sum(per_source.c.w), 0).label("words"),
        )
        .select_from(Source)
        .outerjoin(per_source, per_source.c.source_id == Source.id)
    )
    if _needs_case_join(rf):
        stmt = stmt.outerjoin(Case, Case.id == Source.case_id)
    stmt = stmt.where(*source_conditions(rf)).group_by(Source.case_id, Source.year)
    return pd.DataFrame([(_key(r[0]), _key(r[1]), *(int(v) for v in r[2:])) for r in session.execute(stmt)],
                        columns=["case_id", "year", "sources", "segments", "words"])


def _row_cases(session: Session, rf: ResolvedFilters) -> pd.DataFrame:
    """Registry cases the rows cover (cases excluded by a service-area/setting filter drop out)."""
    stmt = select(Case.id, Case.letter, Case.unit_label, Case.setting, Case.service_area)
    cond = []
    if rf.service_areas:
        from .filters import area_condition

        cond.append(area_condition(Case.service_area, rf.service_areas))
    if rf.settings:
        cond.append(Case.setting.in_(rf.settings))
    return pd.DataFrame(session.execute(stmt.where(*cond).order_by(Case.letter)).all(),
                        columns=["case_id", "case", *CASE_META])


WARNINGS = {
    "year_without_sources": ("year {year}: no sources in the project; its rows are empty",
                             "{year}: ingen intervjuer i prosjektet; radene er tomme"),
    "sources_without_year": ("{segments} coded segment(s) come from sources without a year; they are not in the matrix",
                             "{segments} kodede segmenter kommer fra kilder uten år og er ikke med"),
    "case_without_codings": ("case {case}: no coded segments for these filters",
                             "case {case}: ingen kodede segmenter med disse filtrene"),
    "no_codes": ("no codes in the codebook: the matrix has no theme columns",
                 "ingen koder i kodeboken: ingen temaer å vise"),
}


def warning_text(item: dict[str, Any], lang: str = "en") -> str:
    """A structured matrix warning as text (``lang``: "en" or "nb")."""
    en, nb = WARNINGS[item["kind"]]
    return (nb if lang == "nb" else en).format(**item)


def study_years(session: Session) -> list[int]:
    """Years that have at least one source in the project."""
    return sorted(y for y in session.scalars(select(Source.year).distinct()) if y is not None)


#: Read-path settings for SQLite (per connection, restored afterwards): a 64 MiB page cache,
#: memory-mapped reads and in-memory temp b-trees (``SUM(DISTINCT)``).
READ_PRAGMAS = {"cache_size": -65536, "mmap_size": 1 << 30, "temp_store": 2}


@contextmanager
def sqlite_read_pragmas(session: Session) -> Iterator[None]:
    """Apply :data:`READ_PRAGMAS` on the session's SQLite connection for one read; no-op elsewhere."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.dbapi_connection
    before = {k: raw.execute(f"PRAGMA {k}").fetchone()[0] for k in READ_PRAGMAS}
    for k, v in READ_PRAGMAS.items():
        raw.execute(f"PRAGMA {k}={int(v)}")
    try:
        yield
    finally:
        for k, v in before.items():
            raw.execute(f"PRAGMA {k}={int(v)}")


def compute_matrix(session: Session, rf: ResolvedFilters, *, with_coders: bool = True) -> pd.DataFrame:
    """The matrix for already-resolved filters (see :func:`framework_matrix`)."""
    with sqlite_read_pragmas(session):
        return _compute_matrix(session, rf, with_coders=with_coders)


def _compute_matrix(session: Session, rf: ResolvedFilters, *, with_coders: bool) -> pd.DataFrame:
    items: list[dict[str, Any]] = []  # structured warnings; English text below, Norwegian in summaries
    years_all = study_years(session)
    years = list(rf.years) if rf.years else years_all
    for y in years:
        if y not in years_all:
            items.append({"kind": "year_without_sources", "year": y})
    coder_ids: list[int] = []
    if with_coders:
        coder_ids = list(rf.coder_ids) if rf.coder_ids is not None else list(
            session.scalars(select(Coder.id).order_by(Coder.id)))
    if len(coder_ids) <= MASK_BITS:
        cells = _cell_counts(session, rf, coder_ids)
    else:  # too many coders for one lane each: count them in a separate GROUP BY
        cells = _cell_counts(session, rf, []).drop(columns="coders")
        coders = _coder_counts_plain(session, rf)
        cells = cells.merge(coders, on=["case_id", "year", "theme"], how="left")
        cells["coders"] = cells["coders"].fillna(0).astype(int)
    totals = _totals(session, rf)
    cases = _row_cases(session, rf)

    n_no_year = int(cells.loc[cells["year"] == -1, "segments"].sum()) if not cells.empty else 0
    if n_no_year:
        items.append({"kind": "sources_without_year", "segments": n_no_year})
    cells = cells[cells["year"] != -1].copy()
    totals = totals[totals["year"] != -1].copy()

    rows = [(letter, y) for letter in cases["case"] for y in years]
    case_of = {int(k): v for k, v in zip(cases["case_id"], cases["case"])}
    has_no_case = bool((cells["case_id"] == -1).any() or (totals["case_id"] == -1).any())
    if has_no_case:
        rows += [(NO_CASE, y) for y in years]
        case_of[-1] = NO_CASE
    for df in (cells, totals):
        df["case"] = [case_of.get(int(c)) for c in df["case_id"]]
    cells = cells[cells["case"].notna()]
    totals = totals[totals["case"].notna()]

    index = pd.MultiIndex.from_tuples(rows, names=["case", "year"])
    theme_keys = dict(enumerate(t.key for t in rf.themes))
    theme_cols = [t.key for t in rf.themes]
    cells = cells.assign(theme=[theme_keys.get(int(t)) for t in cells["theme"]]) if not cells.empty else cells
    frames: dict[tuple[str, str], pd.Series] = {}
    meta = cases.set_index("case")
    for m in CASE_META:
        frames[("case", m)] = pd.Series(
            [meta[m].get(c, "") if c in meta.index else ("(uten case)" if m == "unit_label" else "")
             for c, _ in rows], index=index
        ).fillna("")
    tot = totals.set_index(["case", "year"]).reindex(index)
    for m in ("sources", "segments", "words"):
        frames[("total", m)] = tot[m].fillna(0).astype(int)
    if not cells.empty:  # one reshape for every count measure
        by_cell = cells.groupby(["case", "year", "theme"])[list(COUNT_MEASURES)].sum().unstack("theme")
    for m in COUNT_MEASURES:
        if cells.empty:
            wide = pd.DataFrame(0, index=index, columns=theme_cols)
        else:
            wide = by_cell[m].reindex(index=index, columns=theme_cols).fillna(0).astype(int)
        for t in theme_cols:
            frames[(m, t)] = wide[t]
    total_words = frames[("total", "words")].astype(float).replace(0, np.nan)
    for t in theme_cols:
        frames[("share", t)] = frames[("words", t)] / total_words
    order = [("case", m) for m in CASE_META] + [(m, t) for m in MEASURES for t in theme_cols] + [
        ("total", m) for m in ("sources", "segments", "words")]
    out = pd.DataFrame({k: frames[k] for k in order}, index=index)
    out.columns = pd.MultiIndex.from_tuples(order, names=["measure", "theme"])

    seg = out["segments"].sum(axis=1) if theme_cols else pd.Series(0, index=index)
    for c in cases["case"]:
        if c in seg.index.get_level_values("case") and seg.loc[c].sum() == 0:
            items.append({"kind": "case_without_codings", "case": c})
    if not theme_cols:
        items.append({"kind": "no_codes"})
    coder_names = dict(session.execute(select(Coder.id, Coder.name)).all())
    out.attrs.update(
        warnings=[warning_text(w) for w in items],
        warning_items=items,
        filters=rf.description,
        themes={t.key: {"path": t.path, "label": t.label} for t in rf.themes},
        coders=sorted(coder_names[i] for i in rf.coder_ids) if rf.coder_ids is not None else None,
    )
    return out


def framework_matrix(
    project: Any,
    *,
    service_area: str | Sequence[str] | None = None,
    setting: str | Sequence[str] | None = None,
    informant_group: str | Sequence[str] | None = None,
    coder: str | Sequence[str] | None = None,
    code: str | Sequence[str] | None = None,
    min_score: float | None = None,
    years: int | Iterable[int] | None = None,
    depth: int = 1,
    with_coders: bool = True,
) -> pd.DataFrame:
    """Case × year × theme matrix of the project's active codings.

    Rows: every registry case (matching the service-area/setting filters) × every study year
    (or ``years``), never dropped — empty cells hold 0 (``share``: 0.0, or NaN when the
    case-year has no material). Columns: ``(measure, theme)`` (see module doc). Warnings
    (year without sources, case without coded segments …) are in ``df.attrs["warnings"]``.
    ``coder`` is a name, ``"auto"`` (any automatic coder) or ``"consensus"``; ``code`` a code
    key or path whose subtree is kept; ``min_score`` drops scored codings below it (unscored,
    manual codings count as certain). ``with_coders=False`` skips the coders measure (smaller
    masks in the one pass over the codings; the column is then 0). Raises
    :class:`AggregationError` for unknown values.
    """
    with project.store.session() as s:
        rf = resolve_filters(s, service_area=service_area, setting=setting, informant_group=informant_group,
                             coder=coder, code=code, min_score=min_score, years=years, depth=depth)
        return compute_matrix(s, rf, with_coders=with_coders)


def flatten(df: pd.DataFrame, measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """One header row: ``unit_label, setting, service_area, <measure>:<theme> …, total:<x>`` for CSV/XLSX."""
    keep = [c for c in df.columns if c[0] in ("case", "total") or c[0] in measures]
    flat = df[keep].copy()
    flat.columns = [c[1] if c[0] == "case" else f"{c[0]}:{c[1]}" for c in keep]
    return flat.reset_index()


def to_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Tidy records (one per case × year × theme) for JSON output."""
    out = []
    themes = list(df["segments"].columns)
    for (c, y), row in df.iterrows():
        for t in themes:
            share = row[("share", t)]
            out.append({
                "case": c, "year": int(y), "unit_label": row[("case", "unit_label")],
                "setting": row[("case", "setting")], "service_area": row[("case", "service_area")],
                "theme": t, **{m: int(row[(m, t)]) for m in COUNT_MEASURES},
                "share": None if pd.isna(share) else round(float(share), 6),
            })
    return out
