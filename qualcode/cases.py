"""The case registry (``cases.yaml``): each treatment unit once, and checks against it.

``cases.yaml``::

    cases:
      - letter: A
        unit_label: Poliklinikk PHV
        setting: poliklinikk        # poliklinikk | døgn
        service_area: PHV           # PHV | PHBU | TSB, combined with + (PHV+TSB)
        region: Midt

:func:`check_cases` lists every contradiction between the registry, manifests and the
sources already imported — for instance one case described both as an outpatient clinic
("Poliklinikk i PHBU") and as an inpatient unit ("Døgnenhet PHBU").
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import CaseRegistryError
from .importers.base import normalise_service_area

if TYPE_CHECKING:
    from .project import Project

SETTINGS = ("poliklinikk", "døgn")


class CaseEntry(BaseModel):
    """One treatment unit."""

    model_config = ConfigDict(extra="forbid")

    letter: str
    unit_label: str
    setting: Literal["poliklinikk", "døgn"]
    service_area: str
    region: str | None = None

    @field_validator("letter")
    @classmethod
    def _letter(cls, v: str) -> str:
        v = v.strip().upper()
        if len(v) != 1 or not v.isalpha():
            raise ValueError(f"letter must be a single letter such as 'A', got {v!r}")
        return v

    @field_validator("setting", mode="before")
    @classmethod
    def _setting(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("service_area")
    @classmethod
    def _area(cls, v: str) -> str:
        return normalise_service_area(v)  # as in the manifest ("PHV/TSB" -> "PHV+TSB")


class CaseRegistry(BaseModel):
    """All cases of a project, by letter."""

    model_config = ConfigDict(extra="forbid")

    cases: list[CaseEntry] = []

    def get(self, letter: str | None) -> CaseEntry | None:
        if not letter:
            return None
        letter = letter.strip().upper()
        return next((c for c in self.cases if c.letter == letter), None)

    @property
    def letters(self) -> list[str]:
        return [c.letter for c in self.cases]

    def duplicates(self) -> list[str]:
        seen: set[str] = set()
        dup = []
        for c in self.cases:
            if c.letter in seen and c.letter not in dup:
                dup.append(c.letter)
            seen.add(c.letter)
        return dup


def load_registry(path: Path | str, *, allow_duplicates: bool = False) -> CaseRegistry:
    """Read and validate ``cases.yaml``; errors name the file, the entry and the field."""
    path = Path(path)
    if not path.exists():
        raise CaseRegistryError(f"{path}: case registry not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CaseRegistryError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if isinstance(data, list):
        data = {"cases": data}
    if not isinstance(data, dict):
        raise CaseRegistryError(f"{path}: expected a mapping with a 'cases' list")
    try:
        registry = CaseRegistry.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        where = f"case #{loc[1] + 1}" if len(loc) > 1 and loc[0] == "cases" and isinstance(loc[1], int) else "top level"
        field = ".".join(str(p) for p in loc[2:]) or ".".join(str(p) for p in loc)
        raise CaseRegistryError(f"{path}: {where}, field {field!r}: {err['msg']}") from None
    dup = registry.duplicates()
    if dup and not allow_duplicates:
        raise CaseRegistryError(f"{path}: case {', '.join(dup)} is listed more than once")
    return registry


def sync_cases(session: Session, registry: CaseRegistry) -> dict[str, int]:
    """Upsert the registry into the ``cases`` table; returns ``{letter: case id}``.

    Cases no longer in the registry are kept (sources may point at them)."""
    from .store.models import Case

    existing = {c.letter: c for c in session.scalars(select(Case))}
    for entry in registry.cases:
        row = existing.get(entry.letter)
        if row is None:
            row = Case(letter=entry.letter)
            session.add(row)
            existing[entry.letter] = row
        row.unit_label = entry.unit_label
        row.setting = entry.setting
        row.service_area = entry.service_area
        row.region = entry.region
    session.flush()
    return {letter: row.id for letter, row in existing.items()}


# -- checking --------------------------------------------------------------------------------

_DOGN = re.compile(r"d[øo]gn", re.IGNORECASE)
_POLI = re.compile(r"poliklin|\bpol\b|\bdps\b|\bbup\b|ambulant", re.IGNORECASE)
# BUP (barne- og ungdomspsykiatrisk poliklinikk) is the outpatient PHBU unit by name.
_AREA_WORDS = {"PHV": re.compile(r"\bphv\b|\bvoksen", re.IGNORECASE),
               "PHBU": re.compile(r"\bphbu\b|\bbup\b|\bbarn|\bungdom", re.IGNORECASE),
               "TSB": re.compile(r"\btsb\b|\brus", re.IGNORECASE)}


def implied_setting(label: str | None) -> str | None:
    """The setting a unit label states (``"Døgnenhet PHBU"`` -> ``"døgn"``), if exactly one."""
    if not label:
        return None
    d, p = bool(_DOGN.search(label)), bool(_POLI.search(label))
    return "døgn" if d and not p else "poliklinikk" if p and not d else None


def implied_areas(label: str | None) -> set[str]:
    """Service areas a unit label names (``"Poliklinikk PHV og TSB"`` -> ``{"PHV", "TSB"}``)."""
    if not label:
        return set()
    return {area for area, rx in _AREA_WORDS.items() if rx.search(label)}


def _norm(label: str) -> str:
    return " ".join(re.sub(r"\b(i|og|for)\b", " ", label.lower()).replace("-", " ").split())


@dataclass(frozen=True)
class Contradiction:
    """One disagreement about a case. ``where`` names the registry, a manifest row or a source."""

    case: str
    field: str
    registry_value: str | None
    other_value: str | None
    where: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_entry(entry: CaseEntry, where: str) -> list[Contradiction]:
    out = []
    said = implied_setting(entry.unit_label)
    if said and said != entry.setting:
        out.append(Contradiction(entry.letter, "setting", entry.setting, said, where,
                                 f"unit label {entry.unit_label!r} names a {said} unit but setting is {entry.setting}"))
    areas = implied_areas(entry.unit_label)
    registered = set(entry.service_area.split("+"))
    if not areas <= registered:  # naming fewer areas is fine ("... og rus" for PHV+TSB)
        out.append(Contradiction(entry.letter, "service_area", entry.service_area, "+".join(sorted(areas)), where,
                                 f"unit label {entry.unit_label!r} names {'+'.join(sorted(areas))} "
                                 f"but service_area is {entry.service_area}"))
    return out


def _check_stated(entry: CaseEntry | None, letter: str, stated: dict[str, str | None], where: str,
                  registry_path: str) -> list[Contradiction]:
    """Compare what a manifest row or source says about a case with the registry entry."""
    if entry is None:
        return [Contradiction(letter, "letter", None, letter, where, f"case {letter} is not in {registry_path}")]
    out = []
    label = stated.get("unit_label")
    if label and _norm(label) != _norm(entry.unit_label):
        # Name variants ("BUP" for a PHBU outpatient clinic) are fine; a name that states another
        # setting or service area is not.
        said, areas = implied_setting(label), implied_areas(label)
        registered = set(entry.service_area.split("+"))
        problems = []
        if said and said != entry.setting:
            problems.append(f"names a {said} unit, registry setting is {entry.setting}")
        if not areas <= registered:
            problems.append(f"names {'+'.join(sorted(areas))}, registry service area is {entry.service_area}")
        if problems:
            out.append(Contradiction(letter, "unit_label", entry.unit_label, label, where,
                                     f"case {letter} is called {label!r} here but {entry.unit_label!r} in the "
                                     f"registry ({'; '.join(problems)})"))
    setting = stated.get("setting")
    if setting and setting != entry.setting:
        out.append(Contradiction(letter, "setting", entry.setting, setting, where,
                                 f"case {letter} setting is {setting} here but {entry.setting} in the registry"))
    area = stated.get("service_area")
    if area and area != entry.service_area:
        out.append(Contradiction(letter, "service_area", entry.service_area, area, where,
                                 f"case {letter} service area is {area} here but {entry.service_area} in the registry"))
    return out


def check_registry(registry: CaseRegistry, *, where: str = "cases.yaml") -> list[Contradiction]:
    """Contradictions inside the registry itself (duplicates, label vs. setting/service area)."""
    out: list[Contradiction] = []
    by_letter: dict[str, CaseEntry] = {}
    for i, entry in enumerate(registry.cases, 1):
        here = f"{where} case #{i}"
        first = by_letter.get(entry.letter)
        if first is not None:
            for field in ("unit_label", "setting", "service_area", "region"):
                a, b = getattr(first, field), getattr(entry, field)
                if a != b:
                    out.append(Contradiction(entry.letter, field, a, b, here,
                                             f"case {entry.letter} is listed twice with different {field}"))
            if first == entry:
                out.append(Contradiction(entry.letter, "letter", entry.letter, entry.letter, here,
                                         f"case {entry.letter} is listed twice"))
            continue
        by_letter[entry.letter] = entry
        out.extend(_check_entry(entry, here))
    return out


def check_cases(project: "Project", manifests: Iterable[Path | str] = (), *,
                registry: CaseRegistry | None = None) -> list[Contradiction]:
    """Every contradiction between the registry, the given manifests and the imported sources."""
    from .importers.manifest import read_manifest_rows
    from .store.models import Case, Source

    registry = registry or load_registry(project.cases_path, allow_duplicates=True)
    reg_name = project.cases_path.name
    out = check_registry(registry, where=reg_name)
    # the names each case goes by across manifests and sources
    seen_labels: dict[str, dict[str, str]] = {}

    def stated_and_record(letter: str, stated: dict[str, Any], where: str) -> None:
        letter = letter.strip().upper()
        out.extend(_check_stated(registry.get(letter), letter, stated, where, reg_name))
        if stated.get("unit_label"):
            seen_labels.setdefault(letter, {}).setdefault(_norm(stated["unit_label"]), where)

    for manifest in manifests:
        for row_no, row in read_manifest_rows(Path(manifest)):
            case = row.get("case")
            if not case:
                continue
            stated = {k: _clean_value(k, row.get(k)) for k in ("unit_label", "setting", "service_area")}
            stated_and_record(str(case), stated, f"{Path(manifest).name} row {row_no}")

    with project.store.session() as s:
        rows = s.execute(select(Source.label, Case.letter, Source.unit_label, Source.setting, Source.service_area)
                         .join(Case, Source.case_id == Case.id).order_by(Source.id)).all()
    for label, letter, unit_label, setting, area in rows:
        stated_and_record(letter, {"unit_label": unit_label, "setting": setting, "service_area": area},
                          f"source {label}")

    # one case under names that contradict each other (even when the registry has no say)
    for letter, names in seen_labels.items():
        settings = {implied_setting(n) for n in names} - {None}
        if len(settings) > 1:
            out.append(Contradiction(letter, "unit_label", registry.get(letter).unit_label if registry.get(letter) else None,
                                     " / ".join(sorted(names)), ", ".join(sorted(set(names.values()))),
                                     f"case {letter} is described both as a døgn unit and as a poliklinikk"))
    return _dedupe(out)


def _clean_value(key: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = str(value).strip()
    if key == "setting":
        return value.lower()
    if key == "service_area":
        try:
            return normalise_service_area(value)
        except ValueError:
            return value
    return value


def _dedupe(items: list[Contradiction]) -> list[Contradiction]:
    seen, out = set(), []
    for c in items:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


__all__ = ["CaseEntry", "CaseRegistry", "Contradiction", "SETTINGS", "check_cases", "check_registry",
           "implied_areas", "implied_setting", "load_registry", "sync_cases"]
