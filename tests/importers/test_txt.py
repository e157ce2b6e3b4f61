"""Plain-text and Markdown transcripts: labels, timestamps, paragraphs, configuration."""
from __future__ import annotations

import pytest

from qualcode.errors import ConfigError
from qualcode.importers import ImporterOptions, parse_bytes, read_transcript

from .conftest import INTERVIEW


def speakers_and_text(t):
    return [(turn.speaker, t.utterance(turn)) for turn in t.turns]


def test_labels_timestamps_and_continuations(write) -> None:
    t = read_transcript(write("intervju.txt", INTERVIEW))
    got = speakers_and_text(t)
    assert [s for s, _ in got] == ["Intervjuer", "B1", "Deltaker 2", "I"]
    # a wrapped line joins with a space, a new paragraph of the same turn with a newline
    assert got[1][1] == ("Vi bruker mer tid på kartlegging nå. Særlig når pasienten møter en ny behandler. "
                         "Det tar tid å få til gode rutiner.\n"
                         "Men vi ser at sjekkpunktene hjelper oss å huske brukermedvirkningen.")
    assert t.turns[0].timestamp == 4.0
    assert t.format == "txt" and t.filename == "intervju.txt" and not t.warnings
    # offsets: label and utterance are where the turn says
    for turn in t.turns:
        assert t.text[turn.speaker_start : turn.speaker_end] == turn.speaker
        assert t.text[turn.end - 1] != " "


def test_content_hash_is_sha256_of_raw_bytes(write) -> None:
    import hashlib

    path = write("a.txt", INTERVIEW, encoding="cp1252")
    assert read_transcript(path).content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("label", ["I", "Intervjuer", "B1", "Deltaker 2", "Leder", "Informant 3", "P12",
                                   "Forløpskoordinator"])
def test_builtin_labels(label: str) -> None:
    t = parse_bytes(f"{label}: Første utsagn.\n{label}: Andre.\n".encode(), name="x.txt")
    assert [turn.speaker for turn in t.turns] == [label, label]


def test_names_count_as_labels_only_when_they_recur() -> None:
    text = "Kari: Hei.\nOla Hansen: Hei selv.\nKari: Problemet: vi har for lite tid.\nOla Hansen: Ja.\n" \
           "Problemet: dette er bare tekst.\n"
    t = parse_bytes(text.encode(), name="x.txt")
    assert [turn.speaker for turn in t.turns] == ["Kari", "Ola Hansen", "Kari", "Ola Hansen"]
    # the colon inside running text and the one-off "Problemet:" stay text
    assert t.utterance(t.turns[2]) == "Problemet: vi har for lite tid."
    assert t.utterance(t.turns[3]).endswith("Ja. Problemet: dette er bare tekst.")


def test_sentence_with_colon_is_not_a_label() -> None:
    t = parse_bytes("I: Spørsmål?\nDet var slik: vi ventet lenge.\nKl. 14:30 kom de.\n".encode(), name="x.txt")
    assert len(t.turns) == 1
    assert t.utterance(t.turns[0]) == "Spørsmål? Det var slik: vi ventet lenge. Kl. 14:30 kom de."


def test_timestamp_on_its_own_line_and_after_label() -> None:
    t = parse_bytes(b"[00:01:10]\nI: Neste.\nB1: [01:02:03] Svar.\nB2 (12:00): x\n", name="x.txt")
    assert [turn.timestamp for turn in t.turns[:2]] == [70.0, 3723.0]


def test_tab_separated_label() -> None:
    t = parse_bytes("Intervjuer\tHvordan?\nB1\tSlik.\n".encode(), name="x.txt")
    assert speakers_and_text(t) == [("Intervjuer", "Hvordan?"), ("B1", "Slik.")]


def test_no_speaker_labels_one_turn_per_paragraph_with_warning() -> None:
    t = parse_bytes("Første avsnitt, linje en\nlinje to.\n\nAndre avsnitt.\n".encode(), name="x.txt")
    assert speakers_and_text(t) == [(None, "Første avsnitt, linje en linje to."), (None, "Andre avsnitt.")]
    assert t.warnings and "no speaker labels" in t.warnings[0]


def test_preamble_before_first_label_has_no_speaker() -> None:
    t = parse_bytes(b"Fokusgruppe, runde to\n\nI: Hei.\n", name="x.txt")
    assert [turn.speaker for turn in t.turns] == [None, "I"]
    assert not t.warnings


def test_configurable_label_patterns() -> None:
    text = "terapeut-a: Hei.\nungdom-b: Hei.\n".encode()
    plain = parse_bytes(text, name="x.txt")
    assert [turn.speaker for turn in plain.turns] == [None]
    opts = ImporterOptions.from_config({"speaker_labels": [r"terapeut-\w", r"ungdom-\w"]})
    t = parse_bytes(text, name="x.txt", options=opts)
    assert [turn.speaker for turn in t.turns] == ["terapeut-a", "ungdom-b"]


def test_bad_importer_config_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="speaker_labels"):
        ImporterOptions.from_config({"speaker_labels": ["(unclosed"]})
    with pytest.raises(ConfigError, match="importers.nonsense"):
        ImporterOptions.from_config({"nonsense": 1})


def test_markdown_headings_and_bold_labels() -> None:
    md = "# Intervju\n\n**I:** Hvordan går det?\n\n**B1**: Bra, takk.\n\n---\n\n__Leder:__ Enig.\n"
    t = parse_bytes(md.encode(), name="x.md")
    assert speakers_and_text(t) == [(None, "Intervju"), ("I", "Hvordan går det?"), ("B1", "Bra, takk."),
                                    ("Leder", "Enig.")]
    assert t.format == "md"


def test_bare_timestamp_before_a_label_and_time_in_prose() -> None:
    t = parse_bytes("00:00:03 I: Hei.\n14:30 møttes vi.\n".encode(), name="x.txt")
    assert speakers_and_text(t) == [("I", "Hei. 14:30 møttes vi.")]
    assert t.turns[0].timestamp == 3.0


def test_teams_style_speaker_header_lines() -> None:
    text = "Kari Nordmann   0:03\nHei, velkommen.\n\nOla 1:02:03\nTakk.\nKari Nordmann   1:02:09\nDa starter vi.\n"
    t = parse_bytes(text.encode(), name="teams.txt")
    assert speakers_and_text(t) == [("Kari Nordmann", "Hei, velkommen."), ("Ola", "Takk."),
                                    ("Kari Nordmann", "Da starter vi.")]
    assert [turn.timestamp for turn in t.turns] == [3.0, 3723.0, 3729.0]
