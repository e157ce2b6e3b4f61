"""Lint: structural errors become findings; rules vs. examples; the shipped codebook is clean."""
from __future__ import annotations

from qualcode.codebook import load_codebook, parse_codebook
from qualcode.codebook.linter import lint


def test_shipped_codebook_has_no_findings():
    cb = load_codebook("pakkeforlop")
    assert lint(cb) == []
    for core in ("informasjon", "behandlingsplan", "feedback", "overganger"):
        c = cb.code(core)
        assert c.definition and c.when_to_use and c.when_not_to_use
        assert len(c.examples_typical) >= 3 and c.examples_borderline and c.rules
        assert c.label_nb and c.label_en and c.colour


def test_rule_that_never_fires_on_examples(mini):
    findings = lint(mini)
    msgs = [f.message for f in findings]
    assert any("rule 'ev-tool' never fires on the examples of 'evaluering'" in m for m in msgs)
    assert any("rule 'plan-head' never fires" in m for m in msgs)
    assert any("'vente' has rules but no examples" in m for m in msgs)
    assert all(f.level in {"warning", "info"} for f in findings)


def test_example_firing_exclusion(mini_text):
    text = mini_text.replace("examples_typical: [Evalueringspunktene fungerer godt.]",
                        "examples_typical: [Evalueringspunktene i evalueringen av reformen.]")
    findings = lint(parse_codebook(text))
    assert any(f.level == "warning" and "fires its exclusion rule(s) ev-report" in f.message for f in findings)


def test_example_not_coded(mini_text):
    text = mini_text.replace("examples_typical: [Etter utskrivningen var det stille.]",
                        "examples_typical: [Det var stille.]")
    findings = lint(parse_codebook(text))
    assert any("typical example 1 of 'utskrivning' is not coded" in f.message for f in findings)


def test_structural_problems_are_error_findings(tmp_path, mini_text):
    p = tmp_path / "bad.yaml"
    p.write_text(mini_text.replace("    parent: tema\n    label_nb: Plan", "    parent: nowhere\n    label_nb: Plan")
                 .replace("terms: [behandlingsplan], mode: part}", "terms: [behandlingsplan], mode: part, code: ghost}"),
                 encoding="utf-8")
    findings = lint(p)
    assert [f.level for f in findings] == ["error", "error"]
    assert "bad.yaml:8: field codes[1] (plan).parent: unknown parent 'nowhere'" in findings[0].message
    assert "rule names unknown code 'ghost'" in findings[1].message
