"""Structural checks of REFI-QDA XML never repeat arbitrary attribute values."""
from __future__ import annotations

from lxml import etree

from qualcode.exchange.schema import structural_problems

NS = "urn:QDA-XML:project:1.0"


def test_a_coding_without_code_ref_is_named_without_its_bad_guid():
    doc = etree.fromstring(
        f'<Project xmlns="{NS}" name="p"><Sources><TextSource guid="5a5a0000-0000-4000-8000-000000000001">'
        '<PlainTextSelection guid="5e150000-0000-4000-8000-000000000001" startPosition="0" endPosition="3">'
        '<Coding guid="Sigrun Vatnedal sa at hun ventet" creatingUser="x"/>'
        '<Coding guid="c0d10000-0000-4000-8000-000000000001"/>'
        '</PlainTextSelection></TextSource></Sources></Project>')
    problems = " ".join(structural_problems(doc, kind="project"))
    assert "Coding has no CodeRef" in problems
    assert "c0d10000-0000-4000-8000-000000000001 has no CodeRef" in problems
    assert "Sigrun" not in problems
