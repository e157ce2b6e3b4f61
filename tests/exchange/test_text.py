from qualcode.exchange.text import line_ending_mode, normalise_line_endings, split_turns


def test_crlf_positions_shift_by_pairs_before_them():
    raw = "ab\r\ncd\r\n\r\nef"
    n = normalise_line_endings(raw, "standard")
    assert n.text == "ab\ncd\n\nef"
    for word in ("ab", "cd", "ef"):
        i = raw.index(word)
        assert n.text[n.map(i):n.map(i + 2)] == word
    assert n.map(len(raw)) == len(n.text) and n.limit == len(raw)
    collapsed = normalise_line_endings(raw, "collapsed")
    assert collapsed.map(7) == 7 and collapsed.limit == len(collapsed.text)


def test_vendor_quirks_are_registered(monkeypatch):
    from qualcode.exchange import text

    monkeypatch.setattr(text, "VENDOR_LINE_ENDINGS", dict(text.VENDOR_LINE_ENDINGS))
    text.register_vendor_line_endings("OtherTool", "collapsed")
    assert line_ending_mode("othertool 3.1") == "collapsed"


def test_line_ending_mode_guess():
    assert line_ending_mode("ATLAS.ti for Windows 23.2.3") == "collapsed"
    assert line_ending_mode("NVivo for Mac 15.0.0") == "standard"
    assert line_ending_mode(None) == "standard"
    assert line_ending_mode("ATLAS.ti 9", "standard") == "standard"


def test_turns_of_canonical_and_foreign_text():
    turns = split_turns("Intervjuer: Hei på deg 🙂\n\nDeltaker 2: Ja: nei\n\nbare tekst")
    assert [t.speaker for t in turns] == ["Intervjuer", "Deltaker 2", None]
    text = "Det var sånn at vi ventet veldig lenge: altså\nI: ja"
    turns = split_turns(text)
    assert [t.speaker for t in turns] == [None, "I"]
    assert text[turns[0].start:turns[0].end].startswith("Det var")
