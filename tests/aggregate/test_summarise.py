"""Case summaries: layout, provenance, ranking stability, empty cells, warnings, output formats."""
from __future__ import annotations

import random
from html.parser import HTMLParser

import docx
import lxml.html
import pytest
from aggregate_fixture import SEGMENTS, build
from sqlalchemy import select

from qualcode.aggregate import build_summary, crosscase, summarise
from qualcode.errors import AggregationError
from qualcode.project import Project
from qualcode.store.models import Segment, Source


def _summary(project, **kw):
    with project.store.session() as s:
        return build_summary(s, **kw)


def _all_quotes(summary):
    for b in summary.themes:
        for cb in b.cases:
            for cell in cb.cells:
                for q in cell.quotes:
                    yield b, cb, cell, q


def test_layout_theme_case_year(coded):
    sm = _summary(coded.project)
    assert [b.key for b in sm.themes] == ["brukermedvirkning", "koordinator"]
    # report order: outpatient units first, then inpatient, then by letter; sources without a case last
    assert [cb.unit.heading for cb in sm.themes[0].cases] == [
        "Poliklinikk i PHV (case A)", "Poliklinikk i PHBU (case D)", "Døgnenhet i PHV (case B)",
        "Døgnenhet i TSB (case C)", "Kilder uten case (f.eks. Bruker spør bruker)"]
    assert all([c.year for c in cb.cells] == [2019, 2020] for b in sm.themes for cb in b.cases)


def test_every_quote_is_a_substring_of_its_segment_with_provenance(coded):
    sm = _summary(coded.project, per_cell=6)
    quotes = list(_all_quotes(sm))
    assert len(quotes) == 19  # every coded (theme, segment) pair fits in 6 per cell
    with coded.project.store.session() as s:
        for _b, cb, cell, q in quotes:
            seg = s.get(Segment, q.segment_id)
            src = s.get(Source, seg.source_id)
            assert q.text and q.text in seg.text and seg.text[q.start:q.end] == q.text
            assert q.source_label == src.label and q.informant_group == src.informant_group
            assert src.year == cell.year
            assert str(q.segment_id) in q.provenance() and src.label in q.provenance()
            assert not q.text.startswith(f"{seg.speaker}:")  # the speaker prefix is not part of the quote


def test_long_passages_are_cut_to_whole_sentences(coded):
    sm = _summary(coded.project, per_cell=5, max_words=8)
    cut = [q for *_, q in _all_quotes(sm) if q.cut_after or q.cut_before]
    assert cut, "some fixture utterances are longer than 8 words"
    for q in cut:
        assert len(q.text.split()) <= 8 or "." not in q.text


def test_ranking_is_stable_and_independent_of_insertion_order(coded, tmp_path):
    def picks(project):
        sm = _summary(project, per_cell=3)
        return [(b.key, cb.unit.letter, cell.year, q.source_label, q.text) for b, cb, cell, q in _all_quotes(sm)]

    first = picks(coded.project)
    assert picks(coded.project) == first
    order = list(SEGMENTS)
    random.Random(3).shuffle(order)
    other = Project.init(tmp_path / "shuffled", passphrase="correct horse battery staple")
    try:
        build(other, order=order)
        assert picks(other) == first
    finally:
        other.close()


def test_diversity_penalty_avoids_near_duplicates(coded):
    near_dupes = {SEGMENTS["s1"][2], SEGMENTS["s20"][2]}

    def a2019(lam):
        sm = _summary(coded.project, per_cell=2, lambda_=lam)
        return {q.text for q in sm.themes[0].cases[0].cells[0].quotes}

    assert a2019(1.0) == near_dupes  # pure centrality: the two near-identical passages win
    assert len(a2019(0.7) & near_dupes) == 1  # with the MMR penalty only one of them is kept


def test_empty_cells_say_so(coded):
    sm = _summary(coded.project)
    c = next(cb for cb in sm.themes[0].cases if cb.unit.letter == "C")
    assert [cell.status for cell in c.cells] == ["no_coded", "no_sources"]
    assert c.cells[0].empty_line() == "Ingen kodet materiale for 2019."
    assert "2020" in c.cells[1].empty_line() and c.change.kind == "no_sources_b"
    assert "case C: ingen kodede segmenter med disse filtrene" in sm.warnings


def test_consistency_warning_in_case_header(coded):
    sm = _summary(coded.project)
    units = {cb.unit.letter: cb.unit for cb in sm.themes[0].cases}
    assert units["A"].warnings == () and units["B"].warnings == ()
    text = " ".join(units["D"].warnings)
    assert "Døgnenhet PHBU" in text and "Poliklinikk i PHBU" in text and "D-2020-behandlere-1" in text


def test_change_lines_and_crosscase(coded):
    df = crosscase(coded.project)
    ko = df[df["theme"] == "koordinator"].set_index("case")
    assert ko.loc["A", "change"] == "only_a" and ko.loc["B", "change"] == "only_b" and ko.loc["D", "change"] == "only_b"
    assert (ko.loc["A", "n_a"], ko.loc["A", "n_b"]) == (1, 0)
    assert ko.loc["C", "change"] == "no_sources_b"
    assert df.attrs["sentences"]["koordinator"].startswith("Endring fra 2019 til 2020 ved 3 av 3 enheter")
    bm = df[df["theme"] == "brukermedvirkning"].set_index("case")
    assert bm.loc["A", "change"] == "similar" and bm.loc["A", "rate_a"] == pytest.approx(75.0)


def test_filters_reach_the_summary(coded):
    sm = _summary(coded.project, informant_group="ledere")
    quotes = [q for *_, q in _all_quotes(sm)]
    assert quotes and all(q.informant_group == "ledere" for q in quotes)
    with pytest.raises(AggregationError, match="nope"):
        _summary(coded.project, coder="nope")
    with pytest.raises(AggregationError, match="colour"):
        _summary(coded.project, colour="red")


def test_code_subtree_summary_skips_an_empty_parent(coded):
    sm = _summary(coded.project, code="brukermedvirkning")
    assert [b.key for b in sm.themes] == ["behandlingsplan", "informasjon"]


def test_theme_selection(coded):
    assert [b.key for b in _summary(coded.project, themes=["koordinator"]).themes] == ["koordinator"]
    with pytest.raises(AggregationError, match="allowed: brukermedvirkning, koordinator"):
        _summary(coded.project, themes=["tull"])


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One full run (md, html, docx, figures), shared by the output tests of this module."""
    root = tmp_path_factory.mktemp("written")
    project = Project.init(root / "project", passphrase="correct horse battery staple")
    built = build(project)
    paths = summarise(project, root / "out")
    yield built, paths
    project.close()


def test_markdown_output(written):
    coded, paths = written
    md = paths["md"].read_text(encoding="utf-8")
    a, d, b = (md.index(h) for h in ("### Poliklinikk i PHV (case A)", "### Poliklinikk i PHBU (case D)",
                                      "### Døgnenhet i PHV (case B)"))
    assert a < d < b
    assert md.index("**2019:**", a) < md.index("**2020:**", a) < d
    assert "Ingen kodet materiale for 2019." in md and "Merk: kildene er ikke enige" in md
    assert "![" in md and (paths["md"].parent / "figurer" / "heatmap_2019.png").exists()


def test_html_is_self_contained_and_parses(written):
    coded, paths = written
    raw = paths["html"].read_text(encoding="utf-8")
    HTMLParser().feed(raw)
    tree = lxml.html.fromstring(raw)
    assert [h.text_content() for h in tree.iter("h2")][:2] == ["Brukermedvirkning", "Forløpskoordinator"]
    assert "Poliklinikk i PHV (case A)" in [h.text_content() for h in tree.iter("h3")]
    imgs = list(tree.iter("img"))
    assert imgs and all(i.get("src").startswith("data:image/png;base64,") for i in imgs)
    assert not tree.xpath("//link|//script[@src]")
    assert "&#39;" not in tree.xpath("//style")[0].text  # CSS is not HTML-escaped
    quotes = [bq.text_content() for bq in tree.iter("blockquote")]
    assert any(SEGMENTS["s7"][2] in q for q in quotes)
    assert len(tree.xpath("//table")) == 2


def test_docx_reads_back(written):
    coded, paths = written
    doc = docx.Document(str(paths["docx"]))
    heads = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Brukermedvirkning") in heads
    assert ("Heading 2", "Døgnenhet i TSB (case C)") in heads
    text = "\n".join(p.text for p in doc.paragraphs)
    assert SEGMENTS["s16"][2] in text and "2019: Ingen kodet materiale for 2019." in text
    assert len(doc.tables) == 2 and len(doc.inline_shapes) >= 3


def test_formats_and_rerun(coded, tmp_path):
    out = tmp_path / "o"
    paths = summarise(coded.project, out, formats="md", plots=False)
    assert set(paths) == {"md"} and not (out / "figurer").exists()
    again = summarise(coded.project, out, formats=["md"], plots=False)
    assert again["md"].read_text(encoding="utf-8").split("\n", 3)[3] == paths["md"].read_text(encoding="utf-8").split("\n", 3)[3]
    with pytest.raises(AggregationError, match="pdf"):
        summarise(coded.project, out, formats="md,pdf")
    with pytest.raises(AggregationError, match="per_cell"):
        summarise(coded.project, out, per_cell=0)


def test_plots_png_and_svg(written):
    _coded, paths = written
    fig_dir = paths["figures"]
    for name in ("heatmap_2019", "heatmap_2020", "change"):
        assert (fig_dir / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = lxml.etree.fromstring((fig_dir / f"{name}.svg").read_bytes())
        assert svg.tag.endswith("svg")


def test_summary_never_contains_uncoded_text(written):
    coded, paths = written
    uncoded = [SEGMENTS["s3"][2], SEGMENTS["s18"][2]]
    for fmt in ("md", "html"):
        text = paths[fmt].read_text(encoding="utf-8")
        assert not any(u in text for u in uncoded)
    with coded.project.store.session() as s:
        assert s.scalar(select(Segment.id).where(Segment.text.contains("kommet i gang"))) is not None


def test_interviewer_questions_are_never_quoted(project):
    """Quotes are informants' words: a coded interviewer question is left out of the summary."""
    from qualcode.aggregate import build_summary
    from qualcode.store import Code, Coder, Coding, Segment, Source

    with project.store.session() as s:
        code = Code(key="informasjon", path="informasjon", label="Informasjon")
        coder = Coder(name="ida")
        src = Source(label="A-2019-behandlere-1", year=2019, format="txt", status="anonymised",
                     text="I: Hva sier dere om pakkeforløpet?\n\nB1: Vi informerer i første brev.")
        q = Segment(source=src, ordinal=0, turn_index=0, speaker="I", start=3, end=34,
                    text="Hva sier dere om pakkeforløpet?")
        a = Segment(source=src, ordinal=1, turn_index=1, speaker="B1", start=40, end=68,
                    text="Vi informerer i første brev.")
        s.add_all([code, coder, src, q, a])
        s.flush()
        s.add_all([Coding(segment=q, code=code, coder=coder), Coding(segment=a, code=code, coder=coder)])
    with project.store.session() as s:
        summary = build_summary(s)
        quotes = [qt.text for block in summary.themes for unit in block.cases for cell in unit.cells
                  for qt in cell.quotes]
    assert any("første brev" in t for t in quotes)
    assert not any("pakkeforløpet?" in t for t in quotes)
