"""Names shared by the .qdpx exporter and importer: variables, memo trailers, limits."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .guids import derive

#: Variables qualcode writes: (field, REFI name, typeOfVariable, where: source|case|both)
VARIABLES: tuple[tuple[str, str, str, str], ...] = (
    ("year", "Year", "Integer", "source"),
    ("informant_group", "Informant group", "Text", "source"),
    ("interview_form", "Interview form", "Text", "source"),
    ("mode", "Interview mode", "Text", "source"),
    ("study", "Study", "Text", "source"),
    ("language", "Language", "Text", "source"),
    ("service_area", "Service area", "Text", "both"),
    ("unit_label", "Unit label", "Text", "both"),
    ("setting", "Setting", "Text", "both"),
    ("region", "Region", "Text", "case"),
)
#: Names (lower-case) accepted on import for each field, including Norwegian ones.
VARIABLE_ALIASES: dict[str, str] = {}
for _field, _name, _t, _w in VARIABLES:
    VARIABLE_ALIASES[_name.lower()] = _field
    VARIABLE_ALIASES[_field.replace("_", " ")] = _field
VARIABLE_ALIASES.update({
    "år": "year", "aar": "year", "informantgruppe": "informant_group", "intervjuform": "interview_form",
    "modus": "mode", "studie": "study", "språk": "language", "tjenesteområde": "service_area",
    "fagområde": "service_area", "enhet": "unit_label", "behandlingsenhet": "unit_label",
    "type enhet": "setting", "behandlingsform": "setting", "region": "region", "helseregion": "region",
})


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: object) -> str:
    """``value`` as text XML 1.0 can carry: control characters it forbids become U+FFFD."""
    return _XML_INVALID.sub("\ufffd", str(value))


def variable_guid(field: str) -> str:
    return derive("variable", field)


def memo_trailer(kind: str, year: int | None, target_type: str, target_guid: str | None) -> str:
    parts = [f"kind={kind}"]
    if year is not None:
        parts.append(f"year={year}")
    parts.append(f"target={target_type}" + (f":{target_guid}" if target_guid else ""))
    return "[qualcode " + " ".join(parts) + "]"


_MEMO_TRAILER = re.compile(r"^\[qualcode((?:\s+[a-z_]+=\S*)*)\s*\]$")


def parse_memo_trailer(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    m = _MEMO_TRAILER.match(text.strip().splitlines()[-1].strip() if text.strip() else "")
    if not m:
        return {}
    return dict(pair.split("=", 1) for pair in m.group(1).split() if "=" in pair)


def xml_datetime(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC (naive values from SQLite are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
