"""Mirror a codebook's codes into the analysis store (``qualcode.store.models.Code``)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CodebookError
from ..store.models import Code as CodeRow
from .schema import Codebook, parse_version


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    deactivated: int = 0


def sync_codes(session: Session, codebook: Codebook) -> SyncReport:
    """Upsert one ``Code`` row per codebook code (key, path, parent, labels, colour, description,
    codebook name/version); codes no longer in the codebook are marked inactive, never deleted
    (codings may point at them). Refuses to go back to an older version than the store holds.
    Runs inside the caller's transaction; returns counts."""
    rows = {r.key: r for r in session.scalars(select(CodeRow).where(CodeRow.codebook == codebook.name))}
    new_v = parse_version(codebook.version)
    for r in rows.values():
        if r.codebook_version and _newer(r.codebook_version, new_v):
            raise CodebookError(
                f"codebook {codebook.name} {codebook.version} is older than version "
                f"{r.codebook_version} already in the analysis store; use that version or newer"
            )
    report = SyncReport()
    for c in codebook.codes:
        row = rows.get(c.id)
        if row is None:
            row = CodeRow(codebook=codebook.name, key=c.id)
            session.add(row)
            rows[c.id] = row
            report.added += 1
        else:
            report.updated += 1
        row.codebook_version = codebook.version
        row.path = c.path
        row.label = c.label_nb
        row.label_en = c.label_en
        row.colour = c.colour
        row.description = c.description_text
        row.active = True
    session.flush()
    for c in codebook.codes:
        rows[c.id].parent_id = rows[c.parent].id if c.parent else None
    wanted = set(codebook.ids)
    for key, row in rows.items():
        if key not in wanted and row.active:
            row.active = False
            report.deactivated += 1
    session.flush()
    return report


def _newer(stored: str, given) -> bool:
    try:
        return parse_version(stored) > given
    except ValueError:
        return False
