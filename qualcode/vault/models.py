"""Tables of the vault database. Every identifying value is stored encrypted (``*_enc``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..store.models import utcnow


class VaultBase(DeclarativeBase):
    pass


class VaultMeta(VaultBase):
    __tablename__ = "vault_meta"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class RawSource(VaultBase):
    """A transcript as imported (identifying), linked to the analysis store by ``source_uid``."""

    __tablename__ = "raw_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_uid: Mapped[str] = mapped_column(String(36), unique=True)
    content_digest: Mapped[str] = mapped_column(String(64), unique=True)  # HMAC of the file's sha256
    transcript_enc: Mapped[bytes] = mapped_column(LargeBinary)  # JSON of Transcript.to_dict()
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Pseudonym(VaultBase):
    """The re-identification key: one pseudonym ↔ one original surface form."""

    __tablename__ = "pseudonyms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(80), index=True)  # e.g. "PERSON 3"
    label: Mapped[str] = mapped_column(String(20))  # PERSON, STED, ORG, ID, ...
    original_digest: Mapped[str] = mapped_column(String(64), unique=True)  # HMAC of the normalised form
    original_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(VaultBase):
    """Who did what, when, to identifying material (imports, detections, review decisions)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    detail_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class DetectionSet(VaultBase):
    """The anonymiser's detections for one source (with review decisions), as encrypted JSON.

    Added for the anonymiser's review round trip (``qualcode.vault.keymap``)."""

    __tablename__ = "detection_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_uid: Mapped[str] = mapped_column(String(36), unique=True)
    detections_enc: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
