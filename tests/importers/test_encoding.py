"""Encodings: æøå survive every path; binary, empty and undecodable files are refused."""
from __future__ import annotations

import os

import pytest

from qualcode.errors import SourceImportError
from qualcode.importers import ImporterOptions, parse_bytes, read_transcript
from qualcode.importers.encoding import decode_text

TEXT = "Intervjuer: Hvordan er ventetiden på døgnenheten?\nB1: Både Ærlig og Øyvind sier «kort», men Åse er uenig.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252", "latin-1"])
def test_norwegian_letters_survive(encoding: str, write) -> None:
    data = TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Word writes a byte-order mark
    t = read_transcript(write(f"t-{encoding}.txt", data))
    assert t.utterance(t.turns[1]) == "Både Ærlig og Øyvind sier «kort», men Åse er uenig."
    assert "døgnenheten" in t.text


def test_short_cp1252_file_is_not_mistaken_for_another_code_page() -> None:
    text, codec = decode_text("B1: Blåbær på ørret, sa Ærlend.\n".encode("cp1252"), name="x")
    assert text == "B1: Blåbær på ørret, sa Ærlend.\n" and codec in ("cp1252", "latin_1", "iso8859_15")


def test_windows_line_endings_normalised() -> None:
    t = parse_bytes("I: Hei\r\nsånn\r\nB1: Ja\r\n".encode("cp1252"), name="x.txt")
    assert "\r" not in t.text and t.utterance(t.turns[0]) == "Hei sånn"


def test_forced_encoding() -> None:
    data = "I: Må ha det.\n".encode("cp865")  # DOS Nordic
    t = parse_bytes(data, name="x.txt", options=ImporterOptions(encoding="cp865"))
    assert t.utterance(t.turns[0]) == "Må ha det."
    with pytest.raises(SourceImportError, match="unknown encoding 'nope'"):
        parse_bytes(data, name="x.txt", options=ImporterOptions(encoding="nope"))


@pytest.mark.parametrize("data,what", [
    (b"%PDF-1.7\n" + os.urandom(300), "PDF"),
    (b"PK\x03\x04" + os.urandom(300), "ZIP"),
    (b"\x89PNG\r\n\x1a\n" + os.urandom(300), "PNG"),
    (bytes(range(32)) * 40, "binary"),
])
def test_binary_file_with_txt_name_refused(data: bytes, what: str, write) -> None:
    path = write("opptak.txt", data)
    with pytest.raises(SourceImportError, match=what) as info:
        read_transcript(path)
    assert "opptak.txt" in str(info.value)


def test_unknown_encoding_refused(write) -> None:
    # high bytes only, in an arrangement no plausible single-byte code page makes readable
    path = write("rart.txt", bytes(range(0x80, 0x100)) * 20)
    with pytest.raises(SourceImportError, match="rart.txt: .*(unknown encoding|binary)"):
        read_transcript(path)


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_file_refused(data: bytes, write) -> None:
    with pytest.raises(SourceImportError, match="tom.txt: the file is empty"):
        read_transcript(write("tom.txt", data))


def test_unsupported_suffix_and_missing_file(tmp_path) -> None:
    with pytest.raises(SourceImportError, match="no importer for '.pdf'"):
        read_transcript(tmp_path / "x.pdf")
    with pytest.raises(SourceImportError, match="borte.txt: file not found"):
        read_transcript(tmp_path / "borte.txt")
