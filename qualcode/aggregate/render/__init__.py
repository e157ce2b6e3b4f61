"""Renderers of a :class:`~qualcode.aggregate.model.Summary`: Markdown, self-contained HTML, .docx."""
from __future__ import annotations

from ..model import Quote, Summary

YEAR_LABEL = "{year}:"


def quote_display(q: Quote) -> str:
    """The quote on one line, with ellipses where the passage was cut."""
    body = " ".join(q.text.split())
    return ("…" if q.cut_before else "") + body + ("…" if q.cut_after else "")


def filters_line(summary: Summary) -> str:
    if not summary.filters:
        return "Ingen filtre."
    return "Filtre: " + "; ".join(
        f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in summary.filters.items()
    ) + "."


def crosscase_rows(summary: Summary, theme: str) -> list[dict]:
    df = summary.crosscase
    if df is None or df.empty:
        return []
    from ..crosscase import DIRECTION

    out = []
    for r in df[df["theme"] == theme].to_dict("records"):
        out.append({
            "case": r["case"], "n_a": r["n_a"], "n_b": r["n_b"],
            "rate_a": "–" if r["rate_a"] is None or r["rate_a"] != r["rate_a"] else f"{r['rate_a']:.1f}",
            "rate_b": "–" if r["rate_b"] is None or r["rate_b"] != r["rate_b"] else f"{r['rate_b']:.1f}",
            "change": DIRECTION.get(r["change"], r["change"]),
            "words": "; ".join(x for x in (r["words_b"] and f"{r['year_b']}: {r['words_b']}",
                                            r["words_a"] and f"{r['year_a']}: {r['words_a']}") if x),
        })
    return out


CROSS_HEADERS = ["Case", "Passasjer første år", "Passasjer siste år", "Per 100 segm. første år",
                 "Per 100 segm. siste år", "Endring", "Kjennetegnende ord"]
CROSS_KEYS = ["case", "n_a", "n_b", "rate_a", "rate_b", "change", "words"]
