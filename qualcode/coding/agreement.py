"""Inter-coder agreement: percent agreement, Cohen's κ and Krippendorff's α (nominal).

Each code is a presence/absence variable. Two levels:

* ``segment`` — one unit per segment: does the coder apply the code anywhere in the segment?
* ``character`` — one unit per character of the segments (span coding): is the character inside
  a span of the code? Characters are handled as runs (maximal intervals in which no coder's
  value changes) and the runs as a length-weighted table of coder-state patterns, so a
  50,000-character source costs no more than its number of span boundaries.

Which segments a coder "coded" (the coder's universe): every segment of every source in which
the coder has at least one active coding (of any code). Absence of a code in a segment of the
universe is a deliberate 0; segments outside it are missing data. An explicit ``segments``
set replaces this rule (every coder is then taken to have coded exactly those segments);
``sources`` restricts it to some sources.

Percent agreement and Cohen's κ use the units coded by all coders (κ only for two coders);
Krippendorff's α uses every unit coded by at least two coders (missing data allowed).
The overall row pools all (unit, code) pairs. κ is computed by scikit-learn; segment-level α by
the ``krippendorff`` package, character-level α by :func:`weighted_nominal_alpha` (the package's
formula with unit weights; tests check it against the package on expanded data).
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from itertools import chain
from typing import Any, Iterable, Sequence

import krippendorff
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..errors import CodingError
from ..store import Code, Coder, Coding, Segment, Source
from .resolve import resolve_code, resolve_coder

LEVELS = ("segment", "character")
ONE_CATEGORY = "undefined (only one category)"
NO_UNITS = "undefined (no unit coded by two coders)"
TWO_CODERS = "Cohen's κ needs exactly two coders"


# -- measures ----------------------------------------------------------------------------

def percent_agreement(data: np.ndarray, weights: np.ndarray | None = None) -> tuple[float | None, float]:
    """Share of units (columns of ``data``, coders × units, NaN = missing) coded by every coder
    on which all coders agree; returns (agreement or None, number/weight of such units)."""
    complete = ~np.isnan(data).any(axis=0)
    w = np.ones(data.shape[1]) if weights is None else weights
    total = float(w[complete].sum())
    if total == 0:
        return None, 0.0
    same = (data[:, complete] == data[0, complete]).all(axis=0)
    return float(w[complete][same].sum() / total), total


def cohen_kappa(a: np.ndarray, b: np.ndarray, weights: np.ndarray | None = None) -> tuple[float | None, str | None]:
    """Cohen's κ (scikit-learn) of two coders' labels; (None, reason) when undefined."""
    if len(a) == 0:
        return None, NO_UNITS
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return None, ONE_CATEGORY
    from sklearn.metrics import cohen_kappa_score  # imported here: ~1 s, only needed for two coders

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        k = cohen_kappa_score(a, b, sample_weight=weights)
    if np.isnan(k):
        return None, ONE_CATEGORY
    return float(k), None


def krippendorff_alpha(data: np.ndarray) -> tuple[float | None, str | None]:
    """Krippendorff's α, nominal (``krippendorff`` package), coders × units with NaN = missing."""
    present = ~np.isnan(data)
    pairable = present.sum(axis=0) >= 2
    if not pairable.any():
        return None, NO_UNITS
    values = data[:, pairable]
    observed = values[present[:, pairable]]
    binary = bool(((observed == 0) | (observed == 1)).all())
    n_values = int((observed == 0).any()) + int((observed == 1).any()) if binary else len(np.unique(observed))
    if n_values < 2:
        return None, ONE_CATEGORY
    if binary:
        # presence/absence: hand the package per-unit value counts directly (saves its 3-D pass)
        ones = np.nansum(values, axis=0)
        counts = np.stack([present[:, pairable].sum(axis=0) - ones, ones], axis=1).astype(np.int64)
        kwargs = {"value_counts": counts, "value_domain": [0, 1]}
    else:
        kwargs = {"reliability_data": values}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        a = krippendorff.alpha(level_of_measurement="nominal", **kwargs)
    return (None, ONE_CATEGORY) if np.isnan(a) else (float(a), None)


def weighted_nominal_alpha(value_counts: np.ndarray, weights: np.ndarray | None = None) -> tuple[float | None, str | None]:
    """Nominal α from per-unit value counts (units × values), each unit counted ``weights`` times.

    Same coincidence-matrix formula as the ``krippendorff`` package (Krippendorff 2011); a
    weight of 3 equals three identical units.
    """
    vc = np.asarray(value_counts, dtype=float)
    w = np.ones(len(vc)) if weights is None else np.asarray(weights, dtype=float)
    m = vc.sum(axis=1)
    keep = (m >= 2) & (w > 0)
    if not keep.any():
        return None, NO_UNITS
    vc, m, w = vc[keep], m[keep], w[keep]
    # identical units contribute identically: merge them first (few patterns for binary codes)
    base = int(vc.max()) + 1
    if base ** vc.shape[1] <= 1 << 20:
        radix = base ** np.arange(vc.shape[1])
        w = np.bincount((vc @ radix).astype(np.int64), weights=w)
        keys = np.flatnonzero(w)
        w = w[keys]
        vc = (keys[:, None] // radix % base).astype(float)
        m = vc.sum(axis=1)
    scaled = vc * (w / (m - 1))[:, None]
    o = scaled.T @ vc - np.diag(scaled.sum(axis=0))
    n_c = o.sum(axis=0)
    n = n_c.sum()
    if (n_c > 0).sum() < 2:
        return None, ONE_CATEGORY
    observed = o.sum() - np.trace(o)
    expected = (n * n - (n_c ** 2).sum()) / (n - 1)
    return float(1 - observed / expected), None


# -- results -----------------------------------------------------------------------------

@dataclass
class CodeAgreement:
    """Agreement on one code (or ``(all codes)`` for the pooled row)."""

    code: str
    units: float              # units coded by all coders (segments, or characters)
    pairable: float           # units coded by at least two coders (what α uses)
    applied: dict[str, float]  # per coder: units where the coder applied the code
    agreement: float | None
    kappa: float | None
    kappa_note: str | None
    alpha: float | None
    alpha_note: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AgreementReport:
    level: str
    coders: list[str]
    units: int                 # segments (or characters) in any coder's universe
    complete_units: int        # ... in every coder's universe
    codes: list[CodeAgreement] = field(default_factory=list)
    overall: CodeAgreement | None = None
    identical_segments: float | None = None  # segment level: share of complete segments with identical code sets

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["codes"] = [c.to_dict() for c in self.codes]
        return d


# -- loading -----------------------------------------------------------------------------

@dataclass
class CodingData:
    """Active codings of the chosen coders over their universes, as numpy arrays."""

    coders: list[Coder]
    codes: list[Code]
    seg_ids: np.ndarray        # sorted ids of the union universe
    seg_source: np.ndarray
    seg_start: np.ndarray
    seg_end: np.ndarray
    universe: np.ndarray       # bool coders × segments
    coder_idx: np.ndarray      # per coding
    code_idx: np.ndarray
    seg_pos: np.ndarray
    start: np.ndarray          # per coding, source offsets (whole segment filled in)
    end: np.ndarray


def _fetch_array(session: Session, query: Any, ncols: int) -> np.ndarray:
    """Integer query results as an (n, ncols) array, read through the raw DB-API cursor.

    The queries here bind only integers and fixed strings, so they are compiled with literal
    values; skipping SQLAlchemy's row objects and flattening with ``np.fromiter`` is ~15× faster
    than ``np.array(result.all())``.
    """
    conn = session.connection()
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * ncols).reshape(-1, ncols)


def _resolve_coders(session: Session, coders: Sequence[str | Coder]) -> list[Coder]:
    resolved = [resolve_coder(session, c) for c in coders]
    if len({c.id for c in resolved}) != len(resolved):
        raise CodingError("the same coder is named twice")
    if len(resolved) < 2:
        raise CodingError("agreement needs at least two coders")
    return resolved


def load_coding_data(session: Session, coders: Sequence[str | Coder], codes: Iterable[str] | None = None, *,
                     segments: Iterable[int] | None = None, sources: Iterable[str] | None = None) -> CodingData:
    """Fetch what agreement needs in a few vectorised queries (see the module doc for universes)."""
    who = _resolve_coders(session, coders)
    coder_ids = np.array([c.id for c in who])
    code_rows = [resolve_code(session, c) for c in codes] if codes is not None else None

    q = (select(Coding.coder_id, Coding.code_id, Coding.segment_id, func.coalesce(Coding.start, -1),
                func.coalesce(Coding.end, -1))
         .where(Coding.status == "active", Coding.coder_id.in_(coder_ids.tolist())))
    arr = _fetch_array(session, q, 5)

    seg_q = select(Segment.id, Segment.source_id, Segment.start, Segment.end)
    explicit = None
    if segments is not None:
        explicit = np.unique(np.fromiter((int(s) for s in segments), dtype=np.int64))
        if len(explicit) <= 500:
            seg_q = seg_q.where(Segment.id.in_(explicit.tolist()))
    else:
        inner = aliased(Segment)
        src_q = (select(inner.source_id).join(Coding, Coding.segment_id == inner.id)
                 .where(Coding.status == "active", Coding.coder_id.in_(coder_ids.tolist())).distinct())
        if sources is not None:
            labels = list(sources)
            found = dict(session.execute(select(Source.label, Source.id).where(Source.label.in_(labels))).all())
            missing = [lab for lab in labels if lab not in found]
            if missing:
                raise CodingError(f"unknown source(s): {', '.join(missing)}")
            src_q = src_q.where(inner.source_id.in_(list(found.values())))
        seg_q = seg_q.where(Segment.source_id.in_(src_q.scalar_subquery()))
    seg = _fetch_array(session, seg_q.order_by(Segment.id), 4)
    if explicit is not None:
        seg = seg[np.isin(seg[:, 0], explicit)]
        if len(seg) < len(explicit):
            missing = np.setdiff1d(explicit, seg[:, 0])[:10]
            raise CodingError(f"unknown segment id(s): {', '.join(map(str, missing))}")
    seg_ids, seg_source = seg[:, 0], seg[:, 1]

    # keep codings on universe segments
    pos = np.searchsorted(seg_ids, arr[:, 2])
    if len(seg_ids):
        pos = np.minimum(pos, len(seg_ids) - 1)
        on = seg_ids[pos] == arr[:, 2]
    else:
        on = np.zeros(len(arr), dtype=bool)
    arr, pos = arr[on], pos[on]
    cidx = np.searchsorted(np.sort(coder_ids), arr[:, 0])
    order = np.argsort(coder_ids)  # map sorted position back to the caller's order
    cidx = order[cidx]

    k = len(who)
    universe = np.zeros((k, len(seg_ids)), dtype=bool)
    if explicit is not None:
        universe[:] = True
    else:
        for i in range(k):
            srcs = np.unique(seg_source[pos[cidx == i]])
            universe[i] = np.isin(seg_source, srcs)
    for i, c in enumerate(who):
        if not (cidx == i).any():
            where = "" if explicit is None and sources is None else " in the chosen segments/sources"
            raise CodingError(f"coder {c.name!r} has no active codings{where}")

    if code_rows is None:
        used = np.unique(arr[:, 1]).tolist()
        code_rows = list(session.scalars(select(Code).where(Code.id.in_(used))))
    code_rows = sorted({c.id: c for c in code_rows}.values(), key=lambda c: c.path)
    code_ids = np.array([c.id for c in code_rows], dtype=np.int64)
    keep = np.isin(arr[:, 1], code_ids)
    arr, pos, cidx = arr[keep], pos[keep], cidx[keep]
    sort_codes = np.argsort(code_ids)
    qidx = sort_codes[np.searchsorted(code_ids[sort_codes], arr[:, 1])]
    start = np.where(arr[:, 3] < 0, seg[pos, 2], arr[:, 3])
    end = np.where(arr[:, 4] < 0, seg[pos, 3], arr[:, 4])
    return CodingData(coders=who, codes=code_rows, seg_ids=seg_ids, seg_source=seg_source,
                      seg_start=seg[:, 2], seg_end=seg[:, 3], universe=universe, coder_idx=cidx,
                      code_idx=qidx, seg_pos=pos, start=start, end=end)


# -- computing ---------------------------------------------------------------------------

def _row(name: str, data: np.ndarray, coders: list[str]) -> CodeAgreement:
    """All measures for one segment-level variable (coders × units, values 0/1/NaN)."""
    agree, units = percent_agreement(data)
    present = ~np.isnan(data)
    pairable = present.sum(axis=0) >= 2
    if len(coders) == 2:
        both = present.all(axis=0)
        # the 2×2 table of the two coders' values, handed to scikit-learn as four weighted items
        cells = np.bincount((data[0, both] * 2 + data[1, both]).astype(np.int64), minlength=4).astype(float)
        nz = cells > 0
        kappa, kappa_note = cohen_kappa(np.array([0, 0, 1, 1])[nz], np.array([0, 1, 0, 1])[nz], cells[nz])
    else:
        kappa, kappa_note = None, TWO_CODERS
    alpha, alpha_note = krippendorff_alpha(data)
    applied = {c: float((data[i] == 1).sum()) for i, c in enumerate(coders)}
    return CodeAgreement(code=name, units=units, pairable=float(pairable.sum()), applied=applied,
                         agreement=agree, kappa=kappa, kappa_note=kappa_note, alpha=alpha, alpha_note=alpha_note)


def _segment_level(d: CodingData) -> AgreementReport:
    k, n, nq = len(d.coders), len(d.seg_ids), len(d.codes)
    present = np.zeros((k, nq, n), dtype=np.float64)
    present[d.coder_idx, d.code_idx, d.seg_pos] = 1.0
    missing = ~d.universe[:, None, :]
    present[np.broadcast_to(missing, present.shape)] = np.nan
    names = [c.name for c in d.coders]
    rows = [_row(code.key, present[:, j, :], names) for j, code in enumerate(d.codes)]
    pooled = present.reshape(k, nq * n)
    overall = _row("(all codes)", pooled, names)
    complete = d.universe.all(axis=0)
    identical = None
    if complete.any() and nq:
        sets = present[:, :, complete]
        identical = float((sets == sets[0]).all(axis=(0, 1)).mean())
    return AgreementReport(level="segment", coders=names, units=int(d.universe.any(axis=0).sum()),
                           complete_units=int(complete.sum()), codes=rows, overall=overall,
                           identical_segments=identical)


def _pattern_row(name: str, table: np.ndarray, coders: list[str]) -> CodeAgreement:
    """All measures from a pattern table: ``table[p]`` is the weight of units whose coder states
    are the base-3 digits of ``p`` (0 = missing, 1 = absent, 2 = present). Exact, because every
    measure here is a sum over units of a function of the unit's pattern."""
    k = len(coders)
    pats = np.arange(len(table))
    states = (pats[None, :] // (3 ** np.arange(k))[:, None]) % 3  # coders × patterns
    present = states > 0
    n_present = present.sum(axis=0)
    ones = (states == 2).sum(axis=0)
    complete = n_present == k
    units = float(table[complete].sum())
    same = complete & ((ones == 0) | (ones == k))
    agree = float(table[same].sum() / units) if units else None
    if k == 2:
        cells = np.zeros(4)
        np.add.at(cells, ((states[0] - 1) * 2 + (states[1] - 1))[complete], table[complete])
        nz = cells > 0
        kappa, kappa_note = cohen_kappa(np.array([0, 0, 1, 1])[nz], np.array([0, 1, 0, 1])[nz], cells[nz])
    else:
        kappa, kappa_note = None, TWO_CODERS
    counts = np.stack([n_present - ones, ones], axis=1)
    alpha, alpha_note = weighted_nominal_alpha(counts, table)
    applied = {c: float(table[states[i] == 2].sum()) for i, c in enumerate(coders)}
    return CodeAgreement(code=name, units=units, pairable=float(table[n_present >= 2].sum()), applied=applied,
                         agreement=agree, kappa=kappa, kappa_note=kappa_note, alpha=alpha, alpha_note=alpha_note)


def _character_level(d: CodingData) -> AgreementReport:
    k, nq = len(d.coders), len(d.codes)
    base = d.seg_source.astype(np.int64) << 32
    s_key, e_key = base + d.seg_start, base + d.seg_end
    c_base = d.seg_source[d.seg_pos].astype(np.int64) << 32
    cs_key, ce_key = c_base + d.start, c_base + d.end
    bounds = np.unique(np.concatenate([s_key, e_key, cs_key, ce_key]))
    m = max(len(bounds) - 1, 0)
    lengths = np.diff(bounds).astype(np.float64)

    def cover(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        diff = (np.bincount(np.searchsorted(bounds, starts), minlength=m + 1)
                - np.bincount(np.searchsorted(bounds, ends), minlength=m + 1))
        return np.cumsum(diff)[:m] > 0

    in_uni = np.stack([cover(s_key[d.universe[i]], e_key[d.universe[i]]) for i in range(k)]) if m else np.zeros((k, 0), bool)
    keep = in_uni.any(axis=0)
    w = lengths[keep]
    in_uni = in_uni[:, keep]
    names = [c.name for c in d.coders]
    radix = 3 ** np.arange(k)
    # group codings by (code, coder) once instead of masking the whole array per pair
    order = np.lexsort((d.coder_idx, d.code_idx))
    pair = d.code_idx[order] * k + d.coder_idx[order]
    edges = np.searchsorted(pair, np.arange(nq * k + 1))
    tables = []
    for j in range(nq):
        idx = np.zeros(len(w), dtype=np.int64)
        for i in range(k):
            sel = order[edges[j * k + i]:edges[j * k + i + 1]]
            state = np.where(in_uni[i], 1 + cover(cs_key[sel], ce_key[sel])[keep], 0)
            idx += state * radix[i]
        tables.append(np.bincount(idx, weights=w, minlength=3 ** k))
    rows = [_pattern_row(code.key, tables[j], names) for j, code in enumerate(d.codes)]
    overall = _pattern_row("(all codes)", np.sum(tables, axis=0) if tables else np.zeros(3 ** k), names)
    complete = in_uni.all(axis=0)
    return AgreementReport(level="character", coders=names, units=int(w.sum()),
                           complete_units=int(w[complete].sum()), codes=rows, overall=overall)


def agreement(target: Any, coders: Sequence[str | Coder], codes: Iterable[str] | None = None, *,
              level: str = "segment", segments: Iterable[int] | None = None,
              sources: Iterable[str] | None = None) -> AgreementReport:
    """Agreement between ``coders`` (names; ``auto`` = the project's auto coder) on ``codes``
    (default: every code any of them used). ``target`` is a Session or a Project."""
    if level not in LEVELS:
        raise CodingError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    if not isinstance(target, Session):
        with target.store.session() as s:
            return agreement(s, coders, codes, level=level, segments=segments, sources=sources)
    d = load_coding_data(target, coders, codes, segments=segments, sources=sources)
    return _segment_level(d) if level == "segment" else _character_level(d)
