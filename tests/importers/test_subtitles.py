"""WebVTT and SubRip: voice tags, merged cues, timestamps, encodings, malformed files."""
from __future__ import annotations

import pytest

from qualcode.errors import SourceImportError
from qualcode.importers import parse_bytes

VTT = """WEBVTT

00:00:01.000 --> 00:00:03.500
<v Kari Nordmann>Hei, og velkommen til intervjuet.</v>

00:00:03.600 --> 00:00:05.000
<v Kari Nordmann>Vi starter med ventetid.</v>

00:00:05.200 --> 00:00:07.250
<v Ola>Ventetiden er blitt kortere på døgnenheten.</v>

NOTE en kommentar som ikke er tale

00:00:08.000 --> 00:00:09.000
<v Kari Nordmann><i>Så</i> bra.</v>
"""

SRT = """1
00:00:01,000 --> 00:00:02,000
I: Hvordan går det med sjekkpunktene?

2
00:00:02,500 --> 00:00:04,000
B1: De fungerer, men

3
00:00:04,100 --> 00:00:05,000
B1: <i>ikke alltid</i> på ærlig vis.
"""


def turns(t):
    return [(x.speaker, t.utterance(x), x.timestamp, x.end_timestamp) for x in t.turns]


def test_vtt_voice_tags_merge_consecutive_cues() -> None:
    t = parse_bytes(VTT.encode("utf-8"), name="teams.vtt")
    assert turns(t) == [
        ("Kari Nordmann", "Hei, og velkommen til intervjuet. Vi starter med ventetid.", 1.0, 5.0),
        ("Ola", "Ventetiden er blitt kortere på døgnenheten.", 5.2, 7.25),
        ("Kari Nordmann", "Så bra.", 8.0, 9.0),
    ]
    assert t.format == "vtt" and not t.warnings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_srt_labels_and_encodings(encoding: str) -> None:
    t = parse_bytes(SRT.encode(encoding), name="zoom.srt")
    assert turns(t) == [
        ("I", "Hvordan går det med sjekkpunktene?", 1.0, 2.0),
        ("B1", "De fungerer, men ikke alltid på ærlig vis.", 2.5, 5.0),
    ]
    assert t.format == "srt"


def test_cues_without_speaker_merge_by_pause() -> None:
    srt = ("1\n00:00:01,000 --> 00:00:02,000\nførste del\n\n2\n00:00:02,500 --> 00:00:03,000\nandre del\n\n"
           "3\n00:00:10,000 --> 00:00:11,000\netter en lang pause\n")
    t = parse_bytes(srt.encode(), name="x.srt")
    assert [(s, u) for s, u, *_ in turns(t)] == [(None, "første del andre del"), (None, "etter en lang pause")]
    assert t.warnings and "no speaker labels" in t.warnings[0]


def test_zoom_style_name_labels_in_vtt() -> None:
    vtt = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nKari Nordmann: Hei.\n\n"
           "2\n00:00:02.000 --> 00:00:03.000\nOla: Hei selv.\n\n3\n00:00:03.000 --> 00:00:04.000\nKari Nordmann: Greit.\n\n"
           "4\n00:00:04.000 --> 00:00:05.000\nOla: Ja.\n")
    t = parse_bytes(vtt.encode(), name="zoom.vtt")
    assert [x.speaker for x in t.turns] == ["Kari Nordmann", "Ola", "Kari Nordmann", "Ola"]


@pytest.mark.parametrize("name,data,match", [
    ("x.vtt", b"Dette er ikke en undertekstfil\n", "not a valid WebVTT"),
    ("x.vtt", b"WEBVTT\n\n", "no cues"),
    ("x.srt", b"1\nikke en tid\nKari Nordmann sier noe\n", "not a valid SubRip"),
])
def test_malformed_subtitles(name: str, data: bytes, match: str) -> None:
    with pytest.raises(SourceImportError, match=match) as info:
        parse_bytes(data, name=name)
    assert name in str(info.value) and "Kari" not in str(info.value)
