"""The importer registry: built-in suffixes and registering a new format."""
from __future__ import annotations

import pytest

from qualcode.errors import SourceImportError
from qualcode.importers import ParseResult, parse_bytes, register_importer, supported_suffixes
from qualcode.importers import registry


def test_builtin_suffixes() -> None:
    assert {".txt", ".md", ".docx", ".vtt", ".srt"} <= set(supported_suffixes())


def test_register_a_new_format(monkeypatch) -> None:
    monkeypatch.setattr(registry, "_IMPORTERS", dict(registry._IMPORTERS))

    @register_importer("psv", format="psv")
    def read_psv(data: bytes, *, name: str, options) -> ParseResult:
        rows = [line.split("|", 1) for line in data.decode("utf-8").splitlines() if line]
        return ParseResult([(who, what, None) for who, what in rows], ["made up format"])

    t = parse_bytes("I|Hei på deg\nB1|Hei\n".encode(), name="x.PSV")
    assert [(x.speaker, t.utterance(x)) for x in t.turns] == [("I", "Hei på deg"), ("B1", "Hei")]
    assert t.format == "psv" and t.warnings == ["made up format"]


def test_importer_output_without_text_is_refused() -> None:
    import docx
    import io

    buf = io.BytesIO()
    docx.Document().save(buf)
    with pytest.raises(SourceImportError, match="tom.docx: no text found"):
        parse_bytes(buf.getvalue(), name="tom.docx")
