"""Cross-case view: per theme, which units changed between the first and last year, and how."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from .model import Summary, ThemeBlock

COLUMNS = ["theme", "case", "heading", "year_a", "year_b", "n_a", "n_b", "rate_a", "rate_b", "change",
           "p_value", "words_a", "words_b", "new_b"]
DIRECTION = {"more": "mer", "fewer": "mindre", "only_a": "bare første år", "only_b": "bare siste år",
             "similar": "uendret", "none": "ikke kodet", "no_sources_a": "mangler første år",
             "no_sources_b": "mangler siste år"}


def crosscase_frame(summary: Summary) -> pd.DataFrame:
    """One row per (theme, case) with counts, rates per 100 segments, direction and words."""
    rows = []
    for block in summary.themes:
        for cb in block.cases:
            ch = cb.change
            if ch is None:
                continue
            rows.append({
                "theme": block.key, "case": cb.unit.letter, "heading": cb.unit.heading,
                "year_a": ch.year_a, "year_b": ch.year_b, "n_a": ch.n_a, "n_b": ch.n_b,
                "rate_a": None if ch.rate_a is None else round(ch.rate_a, 3),
                "rate_b": None if ch.rate_b is None else round(ch.rate_b, 3),
                "change": ch.kind, "p_value": None if ch.p_value is None else round(ch.p_value, 6),
                "words_a": ", ".join(ch.words_a), "words_b": ", ".join(ch.words_b), "new_b": ", ".join(ch.new_b),
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def crosscase_sentence(block: ThemeBlock, years: Sequence[int]) -> str:
    """A templated line such as 'Endring ved 2 av 5 enheter med intervjuer begge år: mer ved A, …'."""
    if len(years) < 2:
        return "Bare ett år med data; ingen sammenligning mellom år."
    a, b = years[0], years[-1]
    both = [cb for cb in block.cases if cb.change and cb.change.kind not in ("no_sources_a", "no_sources_b")]
    if not both:
        return f"Ingen enhet har intervjuer fra både {a} og {b}."
    groups: dict[str, list[str]] = {}
    for cb in both:
        groups.setdefault(cb.change.kind, []).append(cb.unit.letter)  # type: ignore[union-attr]
    changed = [cb for cb in both if cb.change.changed]  # type: ignore[union-attr]
    parts = []
    for kind, word in (("more", "mer ved"), ("fewer", "mindre ved"), ("only_b", f"bare kodet i {b} ved"),
                       ("only_a", f"bare kodet i {a} ved")):
        if groups.get(kind):
            parts.append(f"{word} {_join(groups[kind])}")
    line = f"Endring fra {a} til {b} ved {len(changed)} av {len(both)} enheter med intervjuer begge år"
    return line + (": " + "; ".join(parts) + "." if parts else ".")


def crosscase(project: Any, *, themes: Sequence[str] | str | None = None, **filters: Any) -> pd.DataFrame:
    """The cross-case table as a DataFrame (filters as for :func:`framework_matrix`)."""
    from .summarise import build_summary

    with project.store.session() as s:
        summary = build_summary(s, themes=themes, per_cell=1, **filters)
    df = summary.crosscase
    df.attrs["sentences"] = {b.key: b.crosscase_sentence for b in summary.themes}
    df.attrs["warnings"] = summary.warnings
    return df
