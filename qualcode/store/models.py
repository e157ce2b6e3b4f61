"""ORM models of the analysis store: anonymised text only.

Nothing in these tables may identify a person: sources carry a neutral label built from
their metadata (never the file name), text columns hold anonymised text. Identifying
material lives in the vault (:mod:`qualcode.vault`).

Codings are append-only history: a change writes a new row and marks the old one
``superseded`` (``replaced_by_id`` points forward), a removal marks it ``removed``.
Queries for analysis use ``Coding.status == "active"``.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_uid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProjectMeta(Base):
    """Key/value facts about the project (its uid, codebook in use, ...)."""

    __tablename__ = "project_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Case(Base):
    """A treatment unit (case A–H) from cases.yaml."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    letter: Mapped[str] = mapped_column(String(4), unique=True)
    unit_label: Mapped[str] = mapped_column(String(200))
    setting: Mapped[str | None] = mapped_column(String(40))  # poliklinikk | døgn
    service_area: Mapped[str | None] = mapped_column(String(40))  # PHV, PHBU, TSB, PHV+TSB
    region: Mapped[str | None] = mapped_column(String(80))

    sources: Mapped[list["Source"]] = relationship(back_populates="case")


class Source(Base):
    """One interview transcript. Created at import with status ``pending`` (metadata only);
    ``text`` and segments arrive when the anonymiser releases it (status ``anonymised``)."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    label: Mapped[str] = mapped_column(String(200), unique=True)  # e.g. "A-2019-behandlere-1"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    informant_group: Mapped[str | None] = mapped_column(String(40), index=True)
    interview_form: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str | None] = mapped_column(String(40))
    interview_date: Mapped[str | None] = mapped_column(String(10))  # ISO date
    language: Mapped[str] = mapped_column(String(8), default="nb")
    service_area: Mapped[str | None] = mapped_column(String(40))
    unit_label: Mapped[str | None] = mapped_column(String(200))  # as stated by the manifest
    setting: Mapped[str | None] = mapped_column(String(40))
    study: Mapped[str | None] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | anonymised
    text: Mapped[str | None] = mapped_column(Text)  # anonymised canonical text
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    n_speakers: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case | None] = relationship(back_populates="sources")
    segments: Mapped[list["Segment"]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="Segment.ordinal"
    )


class Segment(Base):
    """A passage for coding: a speaker turn, or part of a long one. Offsets are code points
    into ``Source.text``."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("source_id", "ordinal"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    turn_index: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(80))  # anonymised label
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    timestamp: Mapped[float | None] = mapped_column(Float)

    source: Mapped[Source] = relationship(back_populates="segments")
    codings: Mapped[list["Coding"]] = relationship(back_populates="segment")


class Code(Base):
    """A code of a codebook. ``key`` is the codebook's stable id (e.g. ``informasjon``);
    ``path`` the slash-joined ancestry (``brukermedvirkning/informasjon``)."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("codebook", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    codebook: Mapped[str] = mapped_column(String(100), default="project")
    codebook_version: Mapped[str | None] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200), index=True)
    path: Mapped[str] = mapped_column(String(500))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"))
    label: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str | None] = mapped_column(String(200))
    colour: Mapped[str | None] = mapped_column(String(9))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped["Code | None"] = relationship(remote_side="Code.id")


class Coder(Base):
    """Who coded: a person, ``auto:<codebook>@<version>``, a classifier, or ``consensus``."""

    __tablename__ = "coders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="person")  # person|auto|classifier|consensus


class Coding(Base):
    """One code applied to a segment (or a character span of it) by one coder."""

    __tablename__ = "codings"
    __table_args__ = (
        Index("ix_codings_active", "status", "code_id", "segment_id"),
        Index("ix_codings_coder", "coder_id", "status"),
        # aggregate: one streaming pass per segment (framework matrix), covering its filters
        Index("ix_codings_segment_active", "status", "segment_id", "code_id", "coder_id", "score"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"))
    method: Mapped[str] = mapped_column(String(20), default="manual")  # manual|auto|classifier|consensus
    codebook_version: Mapped[str | None] = mapped_column(String(40))
    # Span inside the source text (code points); NULL means the whole segment.
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active|superseded|removed
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str | None] = mapped_column(String(120))

    segment: Mapped[Segment] = relationship(back_populates="codings")
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder] = relationship()


class Memo(Base):
    """A memo on a code, segment, source, case or the project (target_id NULL)."""

    __tablename__ = "memos"
    __table_args__ = (Index("ix_memos_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    target_type: Mapped[str] = mapped_column(String(20))  # code|segment|source|case|project
    target_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40), default="memo")  # memo|intervjuoppsummering|enhetsoppsummering
    author: Mapped[str] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
