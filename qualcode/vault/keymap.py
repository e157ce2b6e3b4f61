"""The anonymiser's key in the vault: pseudonym ↔ original, and per-source detection sets.

Originals are stored encrypted (``Pseudonym.original_enc``); look-ups go through the keyed
digest ``cipher.digest("pseudonym:" + category + ":" + normalised form)``, so nothing outside
the vault, and nothing inside it without the passphrase, reveals who ``[PERSON 3]`` is.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import DetectionSet, Pseudonym
from .store import Vault


class VaultKeyMap:
    """Loads a :class:`qualcode.anonymise.PseudonymMap` from the vault and saves new entries."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def digest(self, category: str, norm: str) -> str:
        return self.vault.cipher.digest(f"pseudonym:{category}:{norm}")

    def load(self, session: Session, pmap) -> Any:
        for row in session.scalars(select(Pseudonym).order_by(Pseudonym.id)):
            data = json.loads(self.vault.cipher.decrypt(row.original_enc, context=b"pseudonym"))
            pmap.add_existing(row.label, data["norm"], row.pseudonym, data["original"])
        return pmap

    def save(self, session: Session, pmap) -> int:
        """Write entries not yet in the vault; returns how many."""
        n = 0
        for entry in pmap.unsaved():
            digest = self.digest(entry.category, entry.norm)
            if session.scalar(select(Pseudonym.id).where(Pseudonym.original_digest == digest)) is None:
                payload = json.dumps({"norm": entry.norm, "original": entry.original}, ensure_ascii=False)
                session.add(Pseudonym(pseudonym=entry.pseudonym, label=entry.category, original_digest=digest,
                                      original_enc=self.vault.cipher.encrypt(payload, context=b"pseudonym")))
                n += 1
            entry.saved = True
        session.flush()
        return n

    def lookup(self, session: Session, category: str, norm: str) -> str | None:
        """The pseudonym of a normalised original, if any."""
        return session.scalar(select(Pseudonym.pseudonym).where(
            Pseudonym.original_digest == self.digest(category, norm)))

    # -- detection sets ------------------------------------------------------------------------
    def save_detections(self, session: Session, source_uid: str, detections: list[dict[str, Any]]) -> None:
        enc = self.vault.cipher.encrypt(json.dumps(detections, ensure_ascii=False), context=source_uid.encode())
        row = session.scalar(select(DetectionSet).where(DetectionSet.source_uid == source_uid))
        if row is None:
            session.add(DetectionSet(source_uid=source_uid, detections_enc=enc))
        else:
            row.detections_enc = enc
        session.flush()

    def load_detections(self, session: Session, source_uid: str) -> list[dict[str, Any]] | None:
        row = session.scalar(select(DetectionSet).where(DetectionSet.source_uid == source_uid))
        if row is None:
            return None
        return json.loads(self.vault.cipher.decrypt(row.detections_enc, context=source_uid.encode()))
