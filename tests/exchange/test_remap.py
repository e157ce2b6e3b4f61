from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from qdpx_files import SRC, project_xml, selection, write_qdpx
from qualcode.exchange import import_qdpx
from qualcode.exchange.qdpx_import import _segments_for
from qualcode.exchange.remap import PositionMap, apply_held_codings
from qualcode.store.models import Coding, Segment, Source

RAW = "Intervjuer: Hvordan var det?\n\nDeltaker: Kari Nordmann i Tromsø fortalte om ventetiden på åtte uker."
ANON = "Intervjuer: Hvordan var det?\n\nDeltaker: PERSON 1 i STED 1 fortalte om ventetiden på åtte uker."


def test_position_map_keeps_unchanged_words_and_snaps_replaced_names():
    m = PositionMap(RAW, ANON)
    i = RAW.index("ventetiden")
    assert ANON[m.map(i):m.map(i + 10, side="end")] == "ventetiden"
    k = RAW.index("Nordmann")  # inside a replaced name
    assert m.map(k) == ANON.index("PERSON 1")
    assert m.map(k + 3, side="end") == ANON.index("PERSON 1") + len("PERSON 1")
    assert m.map(0) == 0 and m.map(len(RAW), side="end") == len(ANON)


def test_held_codings_are_applied_after_anonymisation(project, tmp_path: Path):
    a, b = RAW.index("ventetiden"), RAW.index("uker") + 4
    n = RAW.index("Kari")
    qde = project_xml(selections=selection(1, a, b) + selection(2, n, n + len("Kari Nordmann")))
    report = import_qdpx(project, write_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SRC}.txt": RAW}))
    assert report.held_codings == 2

    first = apply_held_codings(project)  # nothing anonymised yet: all wait
    assert (first.applied, first.waiting) == (0, 2)

    with project.store.session() as s:  # stand-in for `qualcode anonymise` releasing the source
        src = s.scalar(select(Source).where(Source.uid == SRC))
        src.text, src.status = ANON, "anonymised"
        _segments_for(s, src, ANON, 120)

    done = apply_held_codings(project)
    assert (done.applied, done.waiting) == (2, 0)
    with project.store.session() as s:
        texts = sorted(ANON[c.start if c.start is not None else seg.start:c.end if c.end is not None else seg.end]
                       for c, seg in s.execute(select(Coding, Segment).join(Segment)))
    assert texts == ["PERSON 1", "ventetiden på åtte uker"]
    again = apply_held_codings(project)
    assert again.applied == 0
    assert not any((project.private_dir / "qdpx-held").glob("*.json")) or again.files == 1
