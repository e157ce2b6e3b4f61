"""Decoding text files: BOMs, UTF-8, UTF-16 Word exports, cp1252/latin-1 via charset-normalizer.

Order: a byte-order mark decides (UTF-8/16/32); then strict UTF-8; then charset-normalizer
restricted to encodings a Norwegian transcript plausibly uses (so short cp1252 files are
not mistaken for Cyrillic or Central-European code pages). Files that look binary
(known magic numbers, NUL bytes outside UTF-16/32, many control characters) are refused.
"""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..errors import SourceImportError

# Single-byte encodings tried for non-UTF text, most likely first.
CANDIDATES = ("cp1252", "latin_1", "iso8859_15", "cp865", "mac_roman", "utf_16", "utf_16_le", "utf_16_be")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (e.g. .docx)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an OLE file (e.g. .doc)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"ID3": "an MP3 recording",
    b"RIFF": "a RIFF/WAV file",
    b"SQLite format 3": "an SQLite database",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF document",
}

MAX_CONTROL_RATIO = 0.01


def detect_binary(data: bytes) -> str | None:
    """A description when ``data`` is a known binary format, else None."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    return None


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def _control_ratio(text: str) -> float:
    """Share of characters that do not occur in text (C0/C1 controls, replacement character)."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def decode_text(data: bytes, *, name: str, encoding: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of a text file; :class:`SourceImportError` naming ``name`` otherwise.

    Line endings are normalised to ``\\n``. ``encoding`` forces a codec.
    """
    if not data.strip():
        raise SourceImportError(f"{name}: the file is empty")
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise SourceImportError(f"{name}: unknown encoding {encoding!r} (importers.encoding)") from None
        except UnicodeDecodeError as exc:
            raise SourceImportError(f"{name}: not valid {encoding} at byte {exc.start}") from None
        return _finish(text, name, encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _finish(data.decode(codec), name, codec)
            except UnicodeDecodeError as exc:
                raise SourceImportError(f"{name}: starts with a {codec} byte-order mark but is not valid "
                                        f"{codec} (byte {exc.start})") from None
    what = detect_binary(data)
    if what:
        raise SourceImportError(f"{name}: is {what}, not a text file")
    try:
        return _finish(data.decode("utf-8"), name, "utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    if best is None:
        kind = "binary data" if b"\x00" in data else "text in an unknown encoding"
        raise SourceImportError(f"{name}: looks like {kind}; set importers.encoding if it is text")
    return _finish(str(best), name, best.encoding)


def _finish(text: str, name: str, codec: str) -> tuple[str, str]:
    if _control_ratio(text) > MAX_CONTROL_RATIO:
        raise SourceImportError(f"{name}: looks like binary data (control characters after decoding as {codec}); "
                                "set importers.encoding if it is text")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise SourceImportError(f"{name}: the file is empty")
    return text, codec
