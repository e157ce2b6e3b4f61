"""Codebook schema: loading, paths, file/line/field errors, structural problems, store sync."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.codebook import load_codebook, parse_codebook, sync_codes
from qualcode.errors import CodebookError
from qualcode.store.models import Code as CodeRow

BASE = """\
name: mini
version: 1.0.0
codes:
  - id: top
    label_nb: Topp
    label_en: Top
  - id: mid
    parent: top
    label_nb: Midt
    label_en: Middle
  - id: leaf
    parent: mid
    label_nb: Blad
    label_en: Leaf
    colour: "#112233"
    rules:
      - id: leaf-terms
        type: terms
        terms: [plan]
        mode: head
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cb.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_paths_and_lookup(tmp_path):
    cb = load_codebook(write(tmp_path, BASE))
    assert cb.code("leaf").path == "top/mid/leaf"
    assert cb.code("top").path == "top"
    assert cb.coder_name == "auto:mini@1.0.0"
    with pytest.raises(CodebookError, match="unknown code 'nope'"):
        cb.code("nope")


def test_builtin_name_resolves():
    cb = load_codebook("pakkeforlop")
    assert {"informasjon", "behandlingsplan", "feedback", "overganger"} <= set(cb.ids)


def test_unknown_builtin_name():
    with pytest.raises(CodebookError, match="no codebook named 'nosuch'"):
        load_codebook("nosuch")


def test_field_error_names_file_line_and_field(tmp_path):
    p = write(tmp_path, BASE.replace('colour: "#112233"', 'colour: "blue"'))
    with pytest.raises(CodebookError) as e:
        load_codebook(p)
    msg = str(e.value)
    assert f"{p}:15:" in msg
    assert "codes[2] (leaf).colour" in msg


def test_missing_field(tmp_path):
    p = write(tmp_path, BASE.replace("    label_en: Middle\n", ""))
    with pytest.raises(CodebookError, match=r"cb.yaml:7: field codes\[1\] \(mid\).label_en: Field required"):
        load_codebook(p)


def test_invalid_yaml_names_line(tmp_path):
    p = write(tmp_path, BASE + "  - id: [unclosed\n")
    with pytest.raises(CodebookError, match=r"cb.yaml:\d+: not valid YAML"):
        load_codebook(p)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - id: mid\n", "  - id: top\n", r"cb.yaml:7: field codes\[1\] \(top\).id: duplicate code id 'top'"),
        ("    parent: top\n", "    parent: ghost\n", r"cb.yaml:8: .*unknown parent 'ghost'"),
        ("    label_en: Top\n", "    label_en: Top\n    parent: leaf\n", r"parent cycle top -> leaf -> mid -> top"),
        ("        mode: head\n", "        mode: head\n        code: nowhere\n", r"rule names unknown code 'nowhere'"),
        ("        type: terms\n        terms: [plan]\n", "        type: regex\n        pattern: '(unclosed'\n",
         r"cb.yaml:19: field codes\[2\] \(leaf\).rules\[0\] \(leaf-terms\).pattern: invalid regular expression"),
        ("        type: terms\n        terms: [plan]\n", "        type: matcher\n        patterns: [[{LOWERR: plan}]]\n",
         r"rules\[0\] \(leaf-terms\).patterns.0: invalid Matcher pattern"),
        ("        type: terms\n", "        type: telepathy\n", r"unknown rule type 'telepathy'"),
    ],
)
def test_structural_errors(tmp_path, old, new, expected):
    assert old in BASE
    p = write(tmp_path, BASE.replace(old, new))
    with pytest.raises(CodebookError, match=expected):
        load_codebook(p)


def test_sync_codes_upserts_and_refuses_downgrade(project):
    cb = parse_codebook(BASE)
    with project.store.session() as s:
        rep = sync_codes(s, cb)
        assert rep.added == 3
    with project.store.session() as s:
        rows = {r.key: r for r in s.scalars(select(CodeRow).where(CodeRow.codebook == "mini"))}
        assert rows["leaf"].path == "top/mid/leaf"
        assert rows["leaf"].parent_id == rows["mid"].id
        assert rows["leaf"].colour == "#112233"
        assert rows["leaf"].codebook_version == "1.0.0"
    newer = parse_codebook(BASE.replace("version: 1.0.0", "version: 1.1.0").replace("  - id: top\n    label_nb: Topp",
                                                                                       "  - id: top\n    label_nb: Toppen"))
    with project.store.session() as s:
        rep = sync_codes(s, newer)
        assert (rep.added, rep.updated) == (0, 3)
    with project.store.session() as s:
        assert s.scalar(select(CodeRow.label).where(CodeRow.key == "top")) == "Toppen"
    with pytest.raises(CodebookError, match="older than version 1.1.0"):
        with project.store.session() as s:
            sync_codes(s, cb)
    with project.store.session() as s:
        assert s.scalar(select(CodeRow.codebook_version).where(CodeRow.key == "top")) == "1.1.0"


def test_package_exports_resolve_to_functions():
    import qualcode.codebook as cb
    import qualcode.codebook.linter  # noqa: F401  (importing the module must not shadow the function)

    assert callable(cb.lint) and cb.lint.__name__ == "lint"
    for name in ("RuleEngine", "autocode_project", "autocode_jsonl", "evaluate_gold", "train_project_classifier"):
        assert callable(getattr(cb, name))
    with pytest.raises(AttributeError):
        cb.no_such_thing
