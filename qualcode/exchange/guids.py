"""GUIDs for REFI-QDA files: stable ones derived from qualcode uids, and normalisation of foreign ones.

REFI-QDA accepts ``xxxxxxxx-xxxx-...`` with or without braces, in either case. qualcode stores
them lower-case without braces, so that a GUID read from a file and written again is unchanged
(apart from case and braces) and lookups work across vendors.
"""
from __future__ import annotations

import re
import uuid

#: Namespace of every GUID qualcode derives (uuid5); fixed forever so exports stay stable.
QUALCODE_NS = uuid.UUID("6b0f4c1e-52a4-5d51-9a0e-7c1f0a2d9e11")

GUID_RE = re.compile(
    r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?(1)\})$"
)


def derive(*parts: object) -> str:
    """A GUID derived from ``parts`` (uuid5 in qualcode's namespace): same parts, same GUID."""
    return str(uuid.uuid5(QUALCODE_NS, "\x1f".join(str(p) for p in parts)))


def is_guid(value: str | None) -> bool:
    return bool(value) and GUID_RE.match(value.strip()) is not None


def normalise(value: str) -> str:
    """Lower-case, without braces: the form qualcode stores and compares."""
    return value.strip().strip("{}").lower()


def as_guid(uid: str, *, kind: str = "row") -> str:
    """A stored uid as a REFI GUID; uids that are not GUIDs get a derived one."""
    return normalise(uid) if is_guid(uid) else derive(kind, uid)


__all__ = ["QUALCODE_NS", "GUID_RE", "derive", "is_guid", "normalise", "as_guid"]
