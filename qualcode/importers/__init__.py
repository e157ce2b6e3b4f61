"""Transcript importers (txt/md, docx, vtt/srt), the manifest, and importing into a project.

``read_transcript(path)`` parses one file with the importer registered for its suffix;
``import_files(project, paths, manifest=...)`` stores files in the vault and the analysis
store, one transaction per file. New formats register with ``@register_importer(".ext")``.
"""
from .base import Transcript, TranscriptMeta, Turn
from .ingest import FileResult, ImportReport, collect_files, import_files, import_transcripts, label_prefix
from .manifest import Manifest, ManifestEntry, ManifestError, RowError, load_manifest
from .registry import (
    ImporterOptions,
    ParseResult,
    get_importer,
    parse_bytes,
    read_transcript,
    register_importer,
    supported_suffixes,
)

__all__ = [
    "Transcript", "TranscriptMeta", "Turn",
    "FileResult", "ImportReport", "collect_files", "import_files", "import_transcripts", "label_prefix",
    "Manifest", "ManifestEntry", "ManifestError", "RowError", "load_manifest",
    "ImporterOptions", "ParseResult", "get_importer", "parse_bytes", "read_transcript", "register_importer",
    "supported_suffixes",
]
