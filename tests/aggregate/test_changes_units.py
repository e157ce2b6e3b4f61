"""Change lines (amount, direction, distinctive words) and unit headings, without a database."""
from __future__ import annotations

from qualcode.aggregate.changes import compare_years, distinctive_words
from qualcode.aggregate.units import areas_text, unit_heading


def test_clearly_more_and_fewer_need_size_and_significance():
    more = compare_years(2019, 2020, ["rutine her"] * 3, ["rutine der"] * 30, total_a=100, total_b=100)
    assert more.kind == "more" and more.p_value < 0.05 and more.sentence().startswith("Klart mer kodet materiale i 2020")
    fewer = compare_years(2019, 2020, ["x y"] * 30, ["x y"] * 3, total_a=100, total_b=100)
    assert fewer.kind == "fewer"
    # same counts but the later year had twice the material → clearly less relative to the material
    relative = compare_years(2019, 2020, ["a b"] * 20, ["a b"] * 20, total_a=100, total_b=400)
    assert relative.kind == "fewer"
    small = compare_years(2019, 2020, ["a b"] * 2, ["a b"] * 3, total_a=100, total_b=100)
    assert small.kind == "similar" and "som i 2019" in small.sentence()


def test_only_one_year_and_missing_years():
    assert compare_years(2019, 2020, [], ["tekst her"], total_a=10, total_b=10).kind == "only_b"
    assert compare_years(2019, 2020, ["tekst"], [], total_a=10, total_b=10).sentence() == \
        "Temaet er bare kodet i 2019 (1 passasje), ikke i 2020."
    assert compare_years(2019, 2020, [], [], total_a=10, total_b=0).kind == "no_sources_b"
    assert compare_years(2019, 2020, [], [], total_a=0, total_b=10).kind == "no_sources_a"
    assert compare_years(2019, 2020, [], [], total_a=5, total_b=5).kind == "none"


def test_distinctive_new_words_are_found_and_marked():
    a = ["pasientene får brosjyrer på venterommet", "vi deler ut brosjyrer", "brosjyrer ligger fremme"] * 3
    b = ["innkomstsamtalen gir rutine", "vi har rutine på innkomstsamtalen", "innkomstsamtalen er fast"] * 3
    words_a, words_b = distinctive_words(a, b, background=a + b)
    assert "innkomstsamtalen" in words_b and "brosjyrer" in words_a
    ch = compare_years(2019, 2020, a, b, total_a=50, total_b=50, background=a + b)
    assert "innkomstsamtalen" in ch.new_b and "«innkomstsamtalen» (ny)" in ch.sentence()


def test_words_need_evidence():
    # one mention each is not enough to call a word distinctive
    assert distinctive_words(["en katt"], ["en hund"], background=[]) == ([], [])


def test_unit_headings():
    assert unit_heading("A", setting="poliklinikk", service_area="PHV", unit_label="x") == "Poliklinikk i PHV (case A)"
    assert unit_heading("F", setting="poliklinikk", service_area="PHV+TSB", unit_label=None) == \
        "Poliklinikk i PHV og TSB (case F)"
    assert unit_heading("G", setting="døgn", service_area="TSB", unit_label=None) == "Døgnenhet i TSB (case G)"
    assert unit_heading("H", setting=None, service_area=None, unit_label="Akutteam") == "Akutteam (case H)"
    assert areas_text("PHV+PHBU+TSB") == "PHV, PHBU og TSB"


def test_change_line_gives_both_pairs_in_the_same_year_order():
    from qualcode.aggregate.changes import Change

    line = Change(year_a=2019, year_b=2020, n_a=8, n_b=17, total_a=100, total_b=50, kind="more").sentence()
    # 2020 first in both pairs: 17 vs 8 passages, 34.0 vs 8.0 per 100 segments
    assert "(17 mot 8 passasjer; 34 mot 8 per 100 segmenter)" in line.replace(",0", "")
