"""Importing transcripts into a project: vault (raw, encrypted) + analysis store (metadata).

Each file is one unit of work spanning both databases. The analysis-store transaction is
opened first and flushed (so constraint problems surface), the vault row is committed inside
it, then the store commits; if that final commit fails the vault row is deleted again. A
crash between the two commits leaves a vault row without a source; the next import of the
same content notices (no source with that uid) and replaces it, so re-running is safe.

Duplicates are detected by the sha256 of the raw bytes (stored in the vault as a keyed
digest) and reported, not imported again. Errors are collected per file; messages name the
file and never contain its text.
"""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import QualcodeError, SourceImportError
from .base import Transcript, TranscriptMeta, sha256_bytes
from .manifest import Manifest, RowError, load_manifest
from .registry import ImporterOptions, get_importer, parse_bytes, read_file_bytes, supported_suffixes

if TYPE_CHECKING:
    from ..cases import CaseRegistry
    from ..project import Project

Progress = Callable[[int, int], None]
Status = Literal["imported", "duplicate", "error"]
MANIFEST_NAMES = ("manifest.yaml", "manifest.yml", "manifest.csv")


@dataclass
class FileResult:
    """The outcome for one file. ``file`` is the path as given (shown to the user, never stored
    in the analysis store)."""

    file: str
    status: Status
    label: str | None = None
    source_uid: str | None = None
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    word_count: int = 0


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)

    def _with(self, status: Status) -> list[FileResult]:
        return [r for r in self.results if r.status == status]

    @property
    def imported(self) -> list[FileResult]:
        return self._with("imported")

    @property
    def duplicates(self) -> list[FileResult]:
        return self._with("duplicate")

    @property
    def errors(self) -> list[FileResult]:
        return self._with("error")

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": len(self.imported), "duplicates": len(self.duplicates), "errors": len(self.errors),
            "files": [asdict(r) for r in self.results],
        }


# -- collecting files ------------------------------------------------------------------------

def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files to import: files as given, folders searched recursively for supported suffixes
    (hidden files and manifests skipped). Order is stable (sorted within folders)."""
    suffixes = set(supported_suffixes())
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    f = Path(root) / name
                    if not name.startswith(".") and f.suffix.lower() in suffixes and name not in MANIFEST_NAMES:
                        out.append(f)
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


# -- labels ----------------------------------------------------------------------------------

def label_prefix(meta: TranscriptMeta) -> str:
    """Neutral label stem from metadata: ``A-2019-behandlere``, ``PHV-2020-brukere``."""
    parts = [meta.case or meta.service_area or "X", str(meta.year) if meta.year else "ukjent",
             meta.informant_group or "ukjent"]
    return "-".join(parts)


# A label made by :func:`next_label` (``A-2019-behandlere-1``, ``PHV-ukjent-ukjent-2``).
NEUTRAL_LABEL = re.compile(r"[A-Z][A-Z+]{0,15}-(?:\d{4}|ukjent)-[a-zæøå]{1,40}-\d{1,6}")


def is_neutral_label(text: str | None) -> bool:
    """True for a label shaped like the ones :func:`next_label` makes (metadata only, no name)."""
    return bool(text) and NEUTRAL_LABEL.fullmatch(text) is not None


def next_label(session: Session, meta: TranscriptMeta) -> str:
    from ..store.models import Source

    prefix = label_prefix(meta)
    taken = set(session.scalars(select(Source.label).where(Source.label.like(f"{prefix}-%"))))
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"


# -- the per-file unit of work ---------------------------------------------------------------

class _Importer:
    """State shared by the files of one import run: registry, case ids, options."""

    def __init__(self, project: "Project", *, actor: str) -> None:
        from ..cases import load_registry, sync_cases

        self.project = project
        self.actor = actor
        self.options = ImporterOptions.from_config(project.config.importers)
        self.vault = project.vault  # unlock first: a wrong passphrase fails before any write
        self.registry: CaseRegistry = load_registry(project.cases_path)
        with project.store.session() as s:
            self.case_ids = sync_cases(s, self.registry)

    def duplicate(self, content_hash: str, display: str) -> FileResult | None:
        """A ``duplicate`` result when this content is imported already, else None.

        A vault row without a source (left by an interrupted import) is removed here, so the
        content imports again."""
        from ..store.models import Source
        from ..vault.models import RawSource

        vault = self.vault
        with vault.session() as vs:
            existing = vault.has_content(vs, content_hash)
            if existing is None:
                return None
            with self.project.store.session() as s:
                label = s.scalar(select(Source.label).where(Source.uid == existing))
            if label is not None:
                return FileResult(display, "duplicate", label=label, source_uid=existing,
                                  message=f"{display}: same content as source {label}; not imported again")
            vs.execute(delete(RawSource).where(RawSource.source_uid == existing))
        return None

    def store(self, transcript: Transcript, display: str) -> FileResult:
        from ..store.models import Source
        from ..vault.models import RawSource

        meta = transcript.meta
        if meta.case is not None and meta.case not in self.case_ids:
            raise SourceImportError(f"{display}: case {meta.case!r} is not in cases.yaml")
        if not transcript.content_hash:
            transcript.content_hash = sha256_bytes(transcript.text.encode("utf-8"))
        vault, project = self.vault, self.project
        dup = self.duplicate(transcript.content_hash, display)
        if dup is not None:
            return dup

        from ..store.models import new_uid

        uid = new_uid()
        vault_committed = False
        try:
            with project.store.session() as s:
                label = next_label(s, meta)
                s.add(Source(
                    uid=uid, label=label, case_id=self.case_ids.get(meta.case) if meta.case else None,
                    year=meta.year, informant_group=meta.informant_group, interview_form=meta.interview_form,
                    mode=meta.mode, interview_date=meta.date.isoformat() if meta.date else None,
                    language=meta.language, service_area=meta.service_area, unit_label=meta.unit_label,
                    setting=meta.setting, study=meta.study, format=transcript.format, status="pending",
                    word_count=transcript.word_count,
                    n_speakers=len({t.speaker for t in transcript.turns if t.speaker}),
                ))
                s.flush()
                with vault.session() as vs:
                    vault.add_transcript(vs, uid, transcript)
                    vault.audit(vs, self.actor, "import", {"source": uid, "label": label,
                                                           "file": transcript.filename, "format": transcript.format})
                vault_committed = True
        except BaseException:
            if vault_committed:  # the store refused the commit: take the vault row back out
                with vault.session() as vs:
                    vs.execute(delete(RawSource).where(RawSource.source_uid == uid))
                    vault.audit(vs, self.actor, "import_rolled_back", {"source": uid, "file": transcript.filename})
            raise
        return FileResult(display, "imported", label=label, source_uid=uid, warnings=list(transcript.warnings),
                          word_count=transcript.word_count)


def _guard(display: str, func: Callable[[], FileResult]) -> FileResult:
    try:
        return func()
    except QualcodeError as exc:
        msg = str(exc)
        return FileResult(display, "error", message=msg if display in msg else f"{display}: {msg}")
    except Exception as exc:  # never let one file stop the run, never echo content
        return FileResult(display, "error", message=f"{display}: unexpected {exc.__class__.__name__} while importing")


def import_files(project: "Project", paths: Sequence[Path | str] = (), *, manifest: Manifest | Path | str | None = None,
                 progress: Progress | None = None, actor: str | None = None) -> ImportReport:
    """Import files (folders are searched) into the vault and the analysis store.

    With a ``manifest`` every file needs a row (its metadata); with no ``paths`` all files of
    the manifest are imported. Without a manifest sources get no metadata.
    """
    importer = _Importer(project, actor=actor or _default_actor())
    if manifest is not None and not isinstance(manifest, Manifest):
        manifest = load_manifest(manifest, registry=importer.registry)
    report = ImportReport()
    files = collect_files(paths)
    if manifest is not None:
        if not paths:
            files = [e.file for e in manifest.entries]
        for e in manifest.errors:
            # rows of given files are reported with the file; other rows only when they name no
            # existing file (a manifest naming a missing file is an error of the import)
            target = (manifest.path.parent / e.file) if e.file else None
            if not paths or target is None or not target.is_file():
                report.results.append(FileResult(e.file or f"{manifest.path.name} row {e.row}", "error",
                                                 message=e.message))

    total = len(files)
    for done, path in enumerate(files, 1):
        display = str(path)

        def one(path: Path = path, display: str = display) -> FileResult:
            meta = None
            if manifest is not None:
                entry = manifest.lookup(path)
                if isinstance(entry, RowError):
                    raise SourceImportError(entry.message)
                if entry is None:
                    raise SourceImportError(f"{display}: not listed in manifest {manifest.path.name}")
                meta = entry.meta
            get_importer(path.suffix)
            data = read_file_bytes(path)
            dup = importer.duplicate(sha256_bytes(data), display)  # before parsing: re-runs are cheap
            if dup is not None:
                return dup
            transcript = parse_bytes(data, name=display, suffix=path.suffix, meta=meta, options=importer.options)
            transcript.filename = path.name
            if manifest is None:
                transcript.warnings.append("no manifest: imported without case, year or informant group")
            return importer.store(transcript, display)

        report.results.append(_guard(display, one))
        if progress is not None:
            progress(done, total)
    return report


def import_transcripts(project: "Project", transcripts: Iterable[Transcript], *, actor: str | None = None,
                       progress: Progress | None = None) -> ImportReport:
    """Import already-parsed transcripts (e.g. from a REFI-QDA project) the same way as files:
    one transaction per transcript, duplicates by ``content_hash`` (sha256 of the text when empty)."""
    importer = _Importer(project, actor=actor or _default_actor())
    transcripts = list(transcripts)
    report = ImportReport()
    for i, transcript in enumerate(transcripts, 1):
        display = transcript.filename or f"transcript {i}"
        report.results.append(_guard(display, lambda t=transcript, d=display: importer.store(t, d)))
        if progress is not None:
            progress(i, len(transcripts))
    return report


def _default_actor() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:
        return "qualcode"
