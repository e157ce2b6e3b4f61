"""Filters shared by the matrix, summaries, cross-case view and plots.

:func:`resolve_filters` checks every filter value against what the project knows (registry,
sources, coders, codebook) and raises :class:`AggregationError` naming the bad value and the
allowed ones. :func:`coding_conditions` turns the resolved filters into SQL conditions on the
``codings ⋈ segments ⋈ sources ⟕ cases`` join.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ..errors import AggregationError
from ..store.models import Case, Code, Coder, Coding, Source

#: Informant groups of the study; accepted even when no source has them yet.
INFORMANT_GROUPS = ("behandlere", "ledere", "forløpskoordinatorer", "brukere", "pårørende")
#: Coder pseudo-names: any automatic coder, and the consensus coder.
CODER_ALIASES = ("auto", "consensus")
FILTER_NAMES = ("service_area", "setting", "informant_group", "coder", "code", "min_score", "years", "depth")


@dataclass(frozen=True)
class Theme:
    """A matrix column: a code whose subtree is rolled up into it."""

    id: int
    key: str
    path: str
    label: str
    codebook: str


@dataclass
class ResolvedFilters:
    """Validated filters, plus the theme mapping (code id → theme id) they imply."""

    service_areas: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    informant_groups: tuple[str, ...] = ()
    coder_ids: tuple[int, ...] | None = None
    code_ids: tuple[int, ...] | None = None
    min_score: float | None = None
    years: tuple[int, ...] | None = None
    themes: list[Theme] = field(default_factory=list)
    theme_of: dict[int, int] = field(default_factory=dict)
    description: dict[str, Any] = field(default_factory=dict)


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
    else:
        parts = [str(p).strip() for p in value]
    return tuple(p for p in parts if p)


def _fmt_allowed(values: Iterable[str], limit: int = 40) -> str:
    vals = sorted(set(values), key=str.casefold)
    if not vals:
        return "(none in this project)"
    shown = ", ".join(vals[:limit])
    return shown + (f", … ({len(vals) - limit} more)" if len(vals) > limit else "")


def _components(value: str | None) -> list[str]:
    """'PHV+TSB' → ['PHV+TSB', 'PHV', 'TSB']."""
    if not value:
        return []
    parts = [p.strip() for p in value.split("+") if p.strip()]
    return [value.strip(), *parts] if len(parts) > 1 else [value.strip()]


def _match_values(name: str, wanted: tuple[str, ...], known: Iterable[str]) -> tuple[str, ...]:
    by_fold = {k.casefold(): k for k in known}
    out = []
    for w in wanted:
        if w.casefold() not in by_fold:
            raise AggregationError(f"unknown {name} {w!r}; allowed: {_fmt_allowed(by_fold.values())}")
        out.append(by_fold[w.casefold()])
    return tuple(out)


def _code_depth(code: Code) -> int:
    return code.path.count("/") + 1


def resolve_filters(
    session: Session,
    *,
    service_area: str | Sequence[str] | None = None,
    setting: str | Sequence[str] | None = None,
    informant_group: str | Sequence[str] | None = None,
    coder: str | Sequence[str] | None = None,
    code: str | Sequence[str] | None = None,
    min_score: float | None = None,
    years: int | Iterable[int] | None = None,
    depth: int = 1,
) -> ResolvedFilters:
    """Validate filter values and work out the themes (matrix columns).

    Themes are the codes ``depth`` levels below the roots of the codebook, or — with
    ``code`` — ``depth`` levels below each chosen code; every code maps to its ancestor at
    that level (codes above the level map to themselves), so nothing is dropped.
    """
    rf = ResolvedFilters()
    desc: dict[str, Any] = {}

    areas_known: set[str] = set()
    settings_known: set[str] = set()
    for ca, sa, cs, ss in session.execute(
        select(Case.service_area, Source.service_area, Case.setting, Source.setting)
        .select_from(Source).outerjoin(Case, Source.case_id == Case.id)
    ):
        for v in (ca, sa):
            areas_known.update(_components(v))
        settings_known.update(v for v in (cs, ss) if v)
    for ca, cs in session.execute(select(Case.service_area, Case.setting)):
        areas_known.update(_components(ca))
        if cs:
            settings_known.add(cs)

    if wanted := _as_tuple(service_area):
        rf.service_areas = _match_values("service area", wanted, areas_known)
        desc["service_area"] = list(rf.service_areas)
    if wanted := _as_tuple(setting):
        rf.settings = _match_values("setting", wanted, settings_known)
        desc["setting"] = list(rf.settings)
    if wanted := _as_tuple(informant_group):
        groups = set(INFORMANT_GROUPS) | {
            g for g in session.scalars(select(Source.informant_group).distinct()) if g
        }
        rf.informant_groups = _match_values("informant group", wanted, groups)
        desc["informant_group"] = list(rf.informant_groups)

    if wanted := _as_tuple(coder):
        coders = session.execute(select(Coder.id, Coder.name, Coder.kind)).all()
        ids: set[int] = set()
        for w in wanted:
            wf = w.casefold()
            if wf == "auto":
                hit = [c.id for c in coders if c.kind == "auto" or c.name.startswith("auto:")]
            elif wf == "consensus":
                hit = [c.id for c in coders if c.kind == "consensus" or c.name == "consensus"]
            else:
                hit = [c.id for c in coders if c.name.casefold() == wf]
                if not hit:
                    raise AggregationError(
                        f"unknown coder {w!r}; allowed: "
                        f"{_fmt_allowed([*CODER_ALIASES, *(c.name for c in coders)])}"
                    )
            ids.update(hit)
        rf.coder_ids = tuple(sorted(ids))
        desc["coder"] = list(wanted)

    if min_score is not None:
        try:
            ms = float(min_score)
        except (TypeError, ValueError):
            raise AggregationError(f"min_score must be a number, got {min_score!r}") from None
        if not math.isfinite(ms):
            raise AggregationError(f"min_score must be finite, got {min_score!r}")
        rf.min_score = ms
        desc["min_score"] = ms

    if years is not None:
        ys = (years,) if isinstance(years, (int, str)) else tuple(years)
        try:
            rf.years = tuple(sorted({int(y) for y in ys}))
        except (TypeError, ValueError):
            raise AggregationError(f"years must be whole numbers, got {list(ys)!r}") from None
        if not rf.years:
            raise AggregationError("years is empty; give at least one year or leave it out")
        desc["years"] = list(rf.years)

    if depth < 1:
        raise AggregationError(f"depth must be 1 or more, got {depth}")

    codes = list(session.scalars(select(Code)))
    by_id = {c.id: c for c in codes}
    roots: list[Code]
    if wanted := _as_tuple(code):
        roots = []
        for w in wanted:
            hit = [c for c in codes if c.key == w or c.path == w]
            if not hit:
                raise AggregationError(
                    f"unknown code (subtree) {w!r}; allowed keys: {_fmt_allowed(c.key for c in codes)}"
                )
            roots.extend(hit)
        desc["code"] = list(wanted)
    else:
        roots = [c for c in codes if c.parent_id is None]

    # code id → theme id, walking each root's subtree.
    children: dict[int | None, list[Code]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c)
    themes: dict[int, Code] = {}
    theme_of: dict[int, int] = {}
    for root in roots:
        base = _code_depth(root) - (0 if code else 1)
        stack = [root]
        while stack:
            c = stack.pop()
            if c.id in theme_of:
                continue
            level = _code_depth(c) - base
            if level <= depth:
                anchor = c
            else:
                anchor = c
                while _code_depth(anchor) - base > depth and anchor.parent_id in by_id:
                    anchor = by_id[anchor.parent_id]
            theme_of[c.id] = anchor.id
            themes[anchor.id] = anchor
            stack.extend(children.get(c.id, []))
    if code:
        rf.code_ids = tuple(sorted(theme_of))
    keys = [t.key for t in themes.values()]
    dup = {k for k in keys if keys.count(k) > 1}
    # Themes that only have descendants as themes are structural; keep leaves of the theme tree
    # at the chosen level plus any code above it (they hold direct codings).
    ordered = sorted(themes.values(), key=lambda c: c.path)
    rf.themes = [
        Theme(c.id, f"{c.codebook}:{c.key}" if c.key in dup else c.key, c.path, c.label, c.codebook)
        for c in ordered
    ]
    rf.theme_of = theme_of
    rf.description = desc
    return rf


def area_condition(column: Any, areas: tuple[str, ...]) -> ColumnElement[bool]:
    """True when ``column`` equals an area or lists it as a '+' component (PHV+TSB)."""
    conds = []
    for a in areas:
        conds += [column == a, column.like(f"{a}+%"), column.like(f"%+{a}"), column.like(f"%+{a}+%")]
    return or_(*conds)


def source_conditions(rf: ResolvedFilters) -> list[ColumnElement[bool]]:
    """Conditions on sources (joined with their case) — the denominators use only these."""
    conds: list[ColumnElement[bool]] = []
    if rf.service_areas:
        conds.append(area_condition(func.coalesce(Case.service_area, Source.service_area), rf.service_areas))
    if rf.settings:
        conds.append(func.coalesce(Case.setting, Source.setting).in_(rf.settings))
    if rf.informant_groups:
        conds.append(Source.informant_group.in_(rf.informant_groups))
    if rf.years:
        conds.append(Source.year.in_(rf.years))
    return conds


def coding_conditions(rf: ResolvedFilters) -> list[ColumnElement[bool]]:
    """Conditions on active codings (plus the source conditions)."""
    conds: list[ColumnElement[bool]] = [Coding.status == "active", *source_conditions(rf)]
    if rf.coder_ids is not None:
        conds.append(Coding.coder_id.in_(rf.coder_ids))
    if rf.code_ids is not None:
        conds.append(Coding.code_id.in_(rf.code_ids))
    if rf.min_score is not None:
        # Manual codings carry no score: they count as certain.
        conds.append(func.coalesce(Coding.score, 1.0) >= rf.min_score)
    return conds


__all__ = [
    "CODER_ALIASES", "FILTER_NAMES", "INFORMANT_GROUPS", "ResolvedFilters", "Theme",
    "area_condition", "coding_conditions", "resolve_filters", "source_conditions",
]
