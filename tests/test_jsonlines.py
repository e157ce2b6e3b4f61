"""The shared JSON Lines reader and its users (auto-coding, gold files, the anonymiser's batch mode)."""
from __future__ import annotations

import json

import pytest

from qualcode.anonymise.jsonl import read_jsonl
from qualcode.codebook import load_codebook
from qualcode.codebook.autocode import autocode_jsonl
from qualcode.codebook.evaluate import load_gold
from qualcode.errors import AnonymisationError, CodebookError
from qualcode.jsonlines import read_json_lines

TEXTS = ["Første linje\u2028med linjeskift inni.", "Andre\x85linje.", "Tredje."]


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_unicode_line_separators_inside_strings_do_not_split_records(tmp_path):
    path = _write(tmp_path / "in.jsonl", [{"id": i, "text": t} for i, t in enumerate(TEXTS)])
    assert [v["text"] for _, v in read_json_lines(path, CodebookError)] == TEXTS
    assert read_jsonl(path) == list(enumerate(TEXTS))


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": 1, "text": "hei"}).encode() + b"\n")
    assert list(read_json_lines(path, CodebookError)) == [(1, {"id": 1, "text": "hei"})]


def test_non_utf8_input_is_a_clear_error_not_a_crash(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps({"id": 1, "text": "Sigrun på Fjellvik"}, ensure_ascii=False).encode("latin-1") + b"\n")
    cb = load_codebook("pakkeforlop")
    for call, error in [(lambda: autocode_jsonl(path, tmp_path / "out.jsonl", codebook=cb), CodebookError),
                        (lambda: load_gold(path, cb), CodebookError),
                        (lambda: read_jsonl(path), AnonymisationError)]:
        with pytest.raises(error, match="not UTF-8") as exc:
            call()
        assert "Sigrun" not in str(exc.value)
    assert not (tmp_path / "out.jsonl").exists()


def test_a_failed_batch_write_leaves_no_partial_file(tmp_path, monkeypatch):
    import qualcode.anonymise.jsonl as jl

    calls = []
    real_dumps = json.dumps

    def failing_dumps(obj, **kw):
        calls.append(obj)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_dumps(obj, **kw)

    monkeypatch.setattr(jl.json, "dumps", failing_dumps)
    with pytest.raises(OSError):
        jl._write(tmp_path / "out.jsonl", [{"id": 1, "text": "Sigrun"}, {"id": 2, "text": "Torvald"}])
    assert list(tmp_path.iterdir()) == []
