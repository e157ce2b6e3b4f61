"""Self-contained HTML rendering (inline CSS, figures embedded as base64 PNG)."""
from __future__ import annotations

import base64

from jinja2 import Environment, select_autoescape

from ..model import Summary
from . import CROSS_HEADERS, CROSS_KEYS, crosscase_rows, filters_line, quote_display

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1,h2,h3,h4{font-family:Helvetica,Arial,sans-serif}
h2{border-bottom:2px solid #446;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin-top:1.6rem;color:#334}
.meta{color:#666;font-size:.9rem}
.warn{background:#fff4e0;border-left:4px solid #e0a030;padding:.4rem .8rem;margin:.6rem 0}
.year{font-weight:bold}
blockquote{margin:.5rem 0 .2rem 1.2rem;padding-left:.8rem;border-left:3px solid #bbc}
.prov{display:block;color:#666;font-size:.82rem;font-style:italic}
.change{color:#334;font-style:italic}
table{border-collapse:collapse;font-size:.85rem;margin:.8rem 0}
th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:left}
th{background:#eef}
figure{margin:1.5rem 0} figure img{max-width:100%} figcaption{color:#555;font-size:.85rem}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="nb">
<head><meta charset="utf-8"><title>{{ s.title }}</title><style>{{ css|safe }}</style></head>
<body>
<h1>{{ s.title }}</h1>
<p class="meta">År: {{ s.years|join(', ') }}. {{ filters }}{% if s.generated %} Generert {{ s.generated }}.{% endif %}</p>
{% for w in s.warnings %}<p class="warn">Advarsel: {{ w }}</p>{% endfor %}
{% for b in s.themes %}
<section class="theme" id="tema-{{ b.key }}">
<h2>{{ b.label }}</h2>
<p class="meta">Kode: <code>{{ b.path }}</code>. {{ b.crosscase_sentence }}</p>
{% for cb in b.cases %}
<section class="case">
<h3>{{ cb.unit.heading }}</h3>
{% for w in cb.unit.warnings %}<p class="warn">{{ w }}</p>{% endfor %}
{% for cell in cb.cells %}
{% if cell.quotes %}
<p><span class="year">{{ cell.year }}:</span> {{ cell.intro_line() }}</p>
{% for q in cell.quotes %}
<blockquote data-segment="{{ q.segment_id }}">«{{ show(q) }}»<span class="prov">— {{ q.provenance() }}</span></blockquote>
{% endfor %}
{% else %}
<p><span class="year">{{ cell.year }}:</span> {{ cell.empty_line() }}</p>
{% endif %}
{% endfor %}
{% if cb.change %}<p class="change">Endring: {{ cb.change.sentence() }}</p>{% endif %}
</section>
{% endfor %}
{% set rows = cross(b.key) %}
{% if rows %}
<h4>Tverrgående oversikt: {{ b.label }}</h4>
<table><thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in rows %}<tr>{% for k in keys %}<td>{{ r[k] }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>
{% endif %}
</section>
{% endfor %}
{% if figures %}
<h2>Figurer</h2>
{% for f in figures %}<figure><img alt="{{ f.title }}" src="data:image/png;base64,{{ f.data }}"><figcaption>{{ f.title }}</figcaption></figure>{% endfor %}
{% endif %}
</body>
</html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_template = _env.from_string(TEMPLATE)


def render_html(summary: Summary) -> str:
    """The whole summary as one HTML page with no external resources."""
    figures = [
        {"title": f["title"], "data": base64.b64encode(f["png"].read_bytes()).decode("ascii")}
        for f in summary.figures.values()
    ]
    return _template.render(s=summary, css=CSS, filters=filters_line(summary), show=quote_display,
                            cross=lambda key: crosscase_rows(summary, key), headers=CROSS_HEADERS,
                            keys=CROSS_KEYS, figures=figures)
