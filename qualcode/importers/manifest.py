"""The import manifest: metadata for each transcript file (``manifest.yaml`` or ``.csv``).

YAML: a list of rows, or a mapping with ``files:`` (the rows) and optional ``defaults:``
(values every row inherits). CSV: a header row with the field names; ``,`` or ``;`` as
separator; any encoding the text importer accepts (Excel's cp1252 included).

Fields: ``file`` (relative to the manifest), ``case``, ``year``, ``informant_group``,
``interview_form``, ``mode``, ``date``, ``language``, ``service_area``, ``unit_label``,
``setting``, ``study``.

Rules (each broken rule is an error naming the row and the field; other rows still import):
- ``file`` and ``year`` are required; the file must exist; ``year`` is 2019 or 2020.
- ``case`` is a letter listed in ``cases.yaml``. It may be left out only for interviews of the
  user study (``study: bsb`` or ``pårørende``, or informant group ``brukere``/``pårørende``),
  which then need ``service_area``.
- Missing ``service_area``/``setting``/``unit_label`` are taken from the case registry;
  a missing ``study`` is inferred from the informant group (clinicians → ``fagfolk``,
  users and relatives → ``bsb``).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from ..errors import SourceImportError
from .base import TranscriptMeta
from .encoding import decode_text

if TYPE_CHECKING:
    from ..cases import CaseRegistry

FIELDS = ("file", "case", "year", "informant_group", "interview_form", "mode", "date", "language",
          "service_area", "unit_label", "setting", "study")
USER_STUDIES = ("bsb", "pårørende")
STUDIES = ("fagfolk", *USER_STUDIES)
SETTINGS = ("poliklinikk", "døgn")
USER_GROUPS = ("brukere", "pårørende")
CLINICIAN_GROUPS = ("behandlere", "ledere", "forløpskoordinatorer")


class ManifestError(SourceImportError):
    """The manifest file as a whole cannot be read."""


@dataclass
class ManifestEntry:
    row: int
    file: Path
    meta: TranscriptMeta


@dataclass
class RowError:
    row: int
    file: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Manifest:
    path: Path
    entries: list[ManifestEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def lookup(self, path: Path) -> ManifestEntry | RowError | None:
        """The entry (or the row's error) for a file, matched by resolved path, else by unique name."""
        target = Path(path).resolve()
        for item in [*self.entries, *self.errors]:
            f = item.file if isinstance(item, ManifestEntry) else (self.path.parent / item.file if item.file else None)
            if f is not None and Path(f).resolve() == target:
                return item
        by_name = [e for e in self.entries if e.file.name == target.name]
        return by_name[0] if len(by_name) == 1 else None


def read_manifest_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Raw rows ``(row number, fields)``; rows are numbered from 1 (CSV: the header is row 0)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"manifest {path}: file not found") from None
    except OSError as exc:
        raise ManifestError(f"manifest {path}: cannot be read ({exc.__class__.__name__})") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _yaml_rows(data, path)
    if suffix in (".csv", ".tsv"):
        return _csv_rows(data, path)
    raise ManifestError(f"manifest {path}: use a .yaml or .csv file")


def _yaml_rows(data: bytes, path: Path) -> list[tuple[int, dict[str, Any]]]:
    text, _ = decode_text(data, name=f"manifest {path}")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ManifestError(f"manifest {path}: not valid YAML{where}") from None
    defaults: dict[str, Any] = {}
    if isinstance(doc, dict):
        unknown = set(doc) - {"files", "defaults"}
        if unknown:
            raise ManifestError(f"manifest {path}: unknown top-level key {sorted(unknown)[0]!r} "
                                "(expected 'files' and optional 'defaults')")
        defaults = doc.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise ManifestError(f"manifest {path}: 'defaults' must be a mapping")
        doc = doc.get("files")
    if not isinstance(doc, list):
        raise ManifestError(f"manifest {path}: expected a list of rows (or 'files:' with a list)")
    rows = []
    for i, row in enumerate(doc, 1):
        if not isinstance(row, dict):
            raise ManifestError(f"manifest {path}: row {i} is not a mapping of field: value")
        rows.append((i, {**defaults, **row}))
    return rows


def _csv_rows(data: bytes, path: Path) -> list[tuple[int, dict[str, Any]]]:
    text, _ = decode_text(data, name=f"manifest {path}")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise ManifestError(f"manifest {path}: no header row")
    rows = []
    try:
        for i, row in enumerate(reader, 1):
            if None in row:
                raise ManifestError(f"manifest {path}: row {i} has more columns than the header")
            cleaned = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k is not None}
            if not any(cleaned.values()):
                continue  # blank line
            rows.append((i, {k: v for k, v in cleaned.items() if v not in ("", None)}))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit; the message has no content
        raise ManifestError(f"manifest {path}: not a readable CSV file ({exc})") from None
    return rows


_NO_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


def _norwegian_date(value: str) -> str:
    """``03.10.2019`` (day.month.year) -> ``2019-10-03``; other values unchanged (ISO expected)."""
    m = _NO_DATE.match(value)
    return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else value.strip()


def _row_error(path: Path, row: int, file: str | None, field: str | None, problem: str) -> RowError:
    where = f"manifest {path.name} row {row}" + (f" ({file})" if file else "")
    what = f"field {field!r}: " if field else ""
    return RowError(row, file, field, f"{where}: {what}{problem}")


def load_manifest(path: Path | str, *, registry: "CaseRegistry | None" = None) -> Manifest:
    """Read and check a manifest. Row problems go to ``Manifest.errors``; an unreadable
    manifest raises :class:`ManifestError`."""
    path = Path(path)
    manifest = Manifest(path)
    seen: dict[Path, int] = {}
    for row_no, raw in read_manifest_rows(path):
        file = raw.get("file")
        file = str(file).strip().replace("\\", "/") if file not in (None, "") else None  # Windows paths

        def err(field: str | None, problem: str) -> None:
            manifest.errors.append(_row_error(path, row_no, file, field, problem))

        unknown = sorted(set(raw) - set(FIELDS))
        if unknown:
            err(unknown[0], f"unknown field (known: {', '.join(FIELDS)})")
            continue
        if file is None:
            err("file", "is required")
            continue
        full = (path.parent / file)
        if not full.is_file():
            err("file", "names a file that does not exist")
            continue
        resolved = full.resolve()
        if resolved in seen:
            err("file", f"is already listed in row {seen[resolved]}")
            continue
        seen[resolved] = row_no
        values = {k: v for k, v in raw.items() if k != "file" and v not in (None, "")}
        if "year" not in values:
            err("year", "is required")
            continue
        try:
            year = float(str(values["year"]).strip())  # spreadsheets write 2019 as 2019.0
            if not year.is_integer():
                raise ValueError
            values["year"] = int(year)
        except ValueError:
            err("year", "is not a year")
            continue
        if isinstance(values.get("date"), str):
            values["date"] = _norwegian_date(values["date"])
        for key in ("informant_group", "interview_form", "mode", "setting", "study"):
            if isinstance(values.get(key), str):
                values[key] = values[key].strip().lower()
        try:
            meta = TranscriptMeta.model_validate(values)
        except ValidationError as exc:
            e = exc.errors()[0]
            field_name = str(e["loc"][0]) if e["loc"] else None
            msg = e["msg"].removeprefix("Value error, ")
            err(field_name, msg)
            continue
        if meta.setting is not None and meta.setting not in SETTINGS:
            err("setting", f"{meta.setting!r} is not one of {', '.join(SETTINGS)}")
            continue
        if meta.study is not None and meta.study not in STUDIES:
            err("study", f"{meta.study!r} is not one of {', '.join(STUDIES)}")
            continue
        if meta.study is None and meta.informant_group:
            meta.study = "fagfolk" if meta.informant_group in CLINICIAN_GROUPS else "bsb"
        if meta.case is None:
            user_study = meta.study in USER_STUDIES or meta.informant_group in USER_GROUPS
            if not user_study:
                err("case", "is required (only user-study interviews, study bsb/pårørende, may leave it out)")
                continue
            if not meta.service_area:
                err("service_area", "is required when a user-study interview has no case")
                continue
        elif registry is not None:
            entry = registry.get(meta.case)
            if entry is None:
                known = ", ".join(registry.letters) or "none registered"
                err("case", f"case {meta.case!r} is not in cases.yaml (known: {known})")
                continue
            meta.service_area = meta.service_area or entry.service_area
            meta.setting = meta.setting or entry.setting
            meta.unit_label = meta.unit_label or entry.unit_label
        manifest.entries.append(ManifestEntry(row_no, full, meta))
    return manifest
