"""Unit headings ("Poliklinikk i PHV (case A)") and consistency checks on case metadata.

The heading is built from the registry (setting + service area); when the registry lacks
them it falls back to the registry's unit label. A case whose sources disagree with each
other or with the registry on unit label, setting or service area gets warnings (in the
report's language) that the summary prints under its heading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Case, Source

SETTING_WORDS = {"poliklinikk": "Poliklinikk", "poliklinisk": "Poliklinikk", "døgn": "Døgnenhet",
                 "døgnenhet": "Døgnenhet", "dogn": "Døgnenhet"}
SETTING_CANON = {"poliklinikk": "poliklinikk", "poliklinisk": "poliklinikk", "døgn": "døgn",
                 "døgnenhet": "døgn", "dogn": "døgn", "døgnavdeling": "døgn"}
SETTING_ORDER = {"poliklinikk": 0, "døgn": 1}
_FILLER = {"i", "og", "ved", "for", "på", "-", "–"}
FIELD_NAMES = {"unit_label": "enhetsnavn", "setting": "behandlingsform", "service_area": "tjenesteområde"}


@dataclass(frozen=True)
class Unit:
    """A case as the summaries present it."""

    case_id: int | None
    letter: str
    heading: str
    unit_label: str
    setting: str | None
    service_area: str | None
    warnings: tuple[str, ...] = ()

    @property
    def order(self) -> tuple[int, str]:
        """The report's order: outpatient units, then inpatient units, then by letter."""
        canon = SETTING_CANON.get((self.setting or "").casefold(), "")
        return (SETTING_ORDER.get(canon, 2), self.letter)


def areas_text(service_area: str | None) -> str:
    """'PHV+TSB' → 'PHV og TSB'."""
    parts = [p.strip() for p in (service_area or "").split("+") if p.strip()]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " og " + parts[-1]


def unit_heading(letter: str, *, setting: str | None, service_area: str | None, unit_label: str | None) -> str:
    """'Døgnenhet i TSB (case G)'; falls back to the unit label when setting/area are missing."""
    word = SETTING_WORDS.get((setting or "").strip().casefold())
    areas = areas_text(service_area)
    if word and areas:
        base = f"{word} i {areas}"
    elif unit_label:
        base = unit_label.strip()
    elif word:
        base = word
    else:
        base = "Enhet"
    return f"{base} (case {letter})"


def _norm(field: str, value: str) -> str:
    v = " ".join(value.split()).casefold()
    if field == "setting":
        return SETTING_CANON.get(v, v)
    if field == "service_area":
        return "+".join(sorted(p.strip() for p in v.split("+")))
    tokens = [t for t in re.split(r"[\s,]+", v) if t and t not in _FILLER]
    return " ".join(tokens)


def consistency_warnings(case: Case, sources: list) -> list[str]:
    """Warnings for each field where the registry and the sources' stated values disagree."""
    out = []
    for field, name in FIELD_NAMES.items():
        stated: dict[str, list[str]] = {}
        shown: dict[str, str] = {}
        reg = getattr(case, field)
        if reg:
            stated.setdefault(_norm(field, reg), []).append("registeret")
            shown.setdefault(_norm(field, reg), reg)
        for src in sorted(sources, key=lambda s: s.label):
            val = getattr(src, field)
            if val:
                stated.setdefault(_norm(field, val), []).append(src.label)
                shown.setdefault(_norm(field, val), val)
        if len(stated) > 1:
            variants = "; ".join(
                f"«{shown[k]}» ({', '.join(who)})" for k, who in sorted(stated.items(), key=lambda kv: kv[0])
            )
            out.append(f"Merk: kildene er ikke enige om {name} for case {case.letter}: {variants}.")
    return out


def load_units(session: Session) -> list[Unit]:
    """Every registry case as a :class:`Unit`, in the report's order."""
    cases = list(session.scalars(select(Case)))
    sources = session.execute(
        select(Source.case_id, Source.label, Source.unit_label, Source.setting, Source.service_area)
        .where(Source.case_id.is_not(None))
    ).all()  # metadata only: the sources' text is not loaded
    by_case: dict[int, list] = {}
    for s in sources:
        by_case.setdefault(s.case_id, []).append(s)
    units = [
        Unit(c.id, c.letter,
             unit_heading(c.letter, setting=c.setting, service_area=c.service_area, unit_label=c.unit_label),
             c.unit_label, c.setting, c.service_area, tuple(consistency_warnings(c, by_case.get(c.id, []))))
        for c in cases
    ]
    return sorted(units, key=lambda u: u.order)


NO_CASE_UNIT = Unit(None, "-", "Kilder uten case (f.eks. Bruker spør bruker)", "", None, None)
