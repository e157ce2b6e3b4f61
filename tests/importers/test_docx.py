"""Word transcripts: bold/colon/tab labels, tables, headers ignored, damaged and encrypted files."""
from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from qualcode.errors import SourceImportError
from qualcode.importers import parse_bytes, read_transcript

FIXTURES = Path(__file__).parents[1] / "fixtures" / "importers"


def _save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _bold_label(document, label: str, text: str) -> None:
    p = document.add_paragraph()
    p.add_run(label).bold = True
    p.add_run(text)


def turns(t):
    return [(turn.speaker, t.utterance(turn)) for turn in t.turns]


def test_paragraph_labels_bold_colon_and_tab() -> None:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Kari Nordmann – fortrolig"
    d.sections[0].footer.paragraphs[0].text = "Side 1 av 1"
    _bold_label(d, "Intervjuer:", " Hvordan opplevde dere oppstarten?")
    _bold_label(d, "Åse", " Den var krevende for døgnenheten.")
    d.add_paragraph("B1: Vi fikk lite opplæring.")
    d.add_paragraph("")
    d.add_paragraph("Og det merket pasientene.")
    d.add_paragraph("Leder\tVi prioriterte kartlegging.")
    _bold_label(d, "Åse", " Ja.")
    _bold_label(d, "Viktig", " poeng uten taler.")  # bold emphasis, not a label (only once)
    t = parse_bytes(_save(d), name="intervju.docx")
    assert turns(t) == [
        ("Intervjuer", "Hvordan opplevde dere oppstarten?"),
        ("Åse", "Den var krevende for døgnenheten."),
        ("B1", "Vi fikk lite opplæring.\nOg det merket pasientene."),
        ("Leder", "Vi prioriterte kartlegging."),
        ("Åse", "Ja.\nViktig poeng uten taler."),
    ]
    assert "Nordmann" not in t.text and "Side 1" not in t.text  # header and footer ignored
    assert t.format == "docx"


def test_two_and_three_column_tables() -> None:
    d = docx.Document()
    d.add_paragraph("Fokusgruppe med behandlere")
    table = d.add_table(rows=4, cols=2)
    rows = [("Taler", "Tekst"), ("I:", "Hva betyr sjekkpunktene for dere?"), ("B2", "De gir struktur."),
            ("", "Men de tar tid.")]
    for i, (a, b) in enumerate(rows):
        table.cell(i, 0).text, table.cell(i, 1).text = a, b
    t3 = d.add_table(rows=1, cols=3)
    t3.cell(0, 0).text, t3.cell(0, 1).text, t3.cell(0, 2).text = "[00:10:05]", "I", "Takk for nå."
    t = parse_bytes(_save(d), name="tabell.docx")
    got = turns(t)
    assert got[0] == (None, "Fokusgruppe med behandlere")
    assert ("I", "Hva betyr sjekkpunktene for dere?") in got
    assert ("B2", "De gir struktur.\nMen de tar tid.") in got
    assert got[-1] == ("I", "Takk for nå.") and t.turns[-1].timestamp == 605.0


def test_password_protected_docx_refused() -> None:
    with pytest.raises(SourceImportError, match="password_protected.docx: the document is password-protected"):
        read_transcript(FIXTURES / "password_protected.docx")


@pytest.mark.parametrize("data,match", [
    (b"PK\x03\x04 this is not really a zip", "not a valid .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Word .doc"),
    (b"Intervjuer: bare tekst med feil endelse\n", "not a valid .docx"),
])
def test_corrupt_docx_refused(data: bytes, match: str, write) -> None:
    with pytest.raises(SourceImportError, match=match) as info:
        read_transcript(write("skadet.docx", data))
    assert "skadet.docx" in str(info.value) and "bare tekst" not in str(info.value)


def test_zip_without_word_document_refused(write) -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hei.txt", "Kari Nordmann")
    with pytest.raises(SourceImportError, match="feil.docx: .*docx") as info:
        read_transcript(write("feil.docx", buf.getvalue()))
    assert "Kari" not in str(info.value)


def test_docx_norwegian_letters() -> None:
    d = docx.Document()
    d.add_paragraph("I: Blåbærsyltetøy på ørret, Æsop?")
    t = parse_bytes(_save(d), name="x.docx")
    assert turns(t) == [("I", "Blåbærsyltetøy på ørret, Æsop?")]


def test_tracked_changes_and_content_controls() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    p = d.add_paragraph("B1: Vi har ")
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="x"><w:r><w:t xml:space="preserve">ikke </w:t></w:r></w:ins>'))
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="x"><w:r><w:delText>aldri </w:delText></w:r></w:del>'))
    p.add_run("ventetid.")
    body = d.element.body
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>I: Fra en innholdskontroll.</w:t></w:r></w:p>'
                    '</w:sdtContent></w:sdt>')
    body.insert(len(body) - 1, sdt)  # before sectPr
    t = parse_bytes(_save(d), name="spor.docx")
    assert turns(t) == [("B1", "Vi har ikke ventetid."), ("I", "Fra en innholdskontroll.")]
