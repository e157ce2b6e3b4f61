"""Build the fictional *pakkeforløp* demo corpus from its marked-up sources.

Run from anywhere::

    /work/main/.venv/bin/python corpora/pakkeforlop-demo/build.py [--check]

Input: ``src/<id>.md`` — YAML front matter, then turns ``Speaker: utterance`` separated by
blank lines. Identifying spans are marked ``[[surface|LABEL]]`` (also inside the speaker
label); a turn's core themes are a trailing tag ``{#informasjon #overganger}``.

Output (all deterministic, committed):

- ``transcripts/<id>.txt|.docx|.vtt`` — the markup stripped, in the format named by the
  front matter (``format``; ``docx_layout: table`` gives a two-column table);
- ``manifest.yaml`` — one row of metadata per transcript file;
- ``gold/identifiers.jsonl`` — one line per identifying span, offsets relative to the turn's
  utterance (or to its speaker label when ``in_speaker`` is true);
- ``gold/themes.jsonl`` — one line per turn with its core theme codes (possibly empty);
- ``stats.json`` and the statistics block of ``README.md``.

``--check`` rebuilds in memory and exits non-zero if any committed output differs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import docx
import yaml
from docx.shared import Pt

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "src"
OUT = ROOT / "transcripts"
GOLD = ROOT / "gold"

CORE_THEMES = ("informasjon", "behandlingsplan", "feedback", "overganger")
LABELS = ("PER", "GPE_LOC", "LOC", "ORG", "ADDRESS", "PHONE", "FNR")
FORMATS = ("txt", "docx", "vtt")
MANIFEST_FIELDS = ("case", "year", "informant_group", "interview_form", "mode", "date", "language",
                   "service_area", "unit_label", "setting", "study")
MIN_WORDS = {"fagfolk": 1500, "bsb": 800}
MAX_WORDS = 4000

SPAN_RE = re.compile(r"\[\[([^\[\]|]+)\|([A-Z_]+)\]\]")
TAG_RE = re.compile(r"\s*\{(#[a-zæøå]+(?:\s+#[a-zæøå]+)*)\}\s*$")
FIXED_TIME = (2021, 1, 1, 0, 0, 0)


class CorpusError(Exception):
    """A source file breaks the markup rules (message names file and turn, never the text)."""


@dataclass
class Span:
    start: int
    end: int
    text: str
    label: str


@dataclass
class Turn:
    speaker: str
    utterance: str
    speaker_spans: list[Span] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


@dataclass
class Source:
    id: str
    meta: dict
    turns: list[Turn]

    @property
    def words(self) -> int:
        return sum(len(t.utterance.split()) for t in self.turns)


def strip_markup(marked: str, where: str) -> tuple[str, list[Span]]:
    """Remove ``[[surface|LABEL]]`` marks; return the plain text and the spans in it."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in SPAN_RE.finditer(marked):
        chunk = marked[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        surface, label = m.group(1), m.group(2)
        if label not in LABELS:
            raise CorpusError(f"{where}: unknown label {label!r}")
        if surface != surface.strip():
            raise CorpusError(f"{where}: span with surrounding whitespace")
        spans.append(Span(length, length + len(surface), surface, label))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise CorpusError(f"{where}: malformed span markup")
    return text, spans


def parse_source(path: Path) -> Source:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise CorpusError(f"{path.name}: missing YAML front matter")
    _, front, body = raw.split("---\n", 2)
    meta = yaml.safe_load(front)
    if meta.get("id") != path.stem:
        raise CorpusError(f"{path.name}: front matter id must equal the file stem")
    if meta.get("format") not in FORMATS:
        raise CorpusError(f"{path.name}: format must be one of {FORMATS}")
    turns: list[Turn] = []
    for block in re.split(r"\n\s*\n", body.strip()):
        block = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if not block:
            continue
        where = f"{path.name} turn {len(turns)}"
        if ": " not in block:
            raise CorpusError(f"{where}: no 'Speaker: ' label")
        label_marked, rest = block.split(": ", 1)
        themes: list[str] = []
        tag = TAG_RE.search(rest)
        if tag:
            themes = [t.lstrip("#") for t in tag.group(1).split()]
            rest = rest[: tag.start()]
            bad = [t for t in themes if t not in CORE_THEMES]
            if bad:
                raise CorpusError(f"{where}: unknown theme(s) {bad}")
        if "{#" in rest:
            raise CorpusError(f"{where}: theme tag not at the end of the turn")
        speaker, sp_spans = strip_markup(label_marked.strip(), where + " (speaker)")
        utterance, spans = strip_markup(rest.strip(), where)
        if not utterance:
            raise CorpusError(f"{where}: empty utterance")
        turns.append(Turn(speaker, utterance, sp_spans, spans, sorted(set(themes), key=CORE_THEMES.index)))
    return Source(path.stem, meta, turns)


# ---------------------------------------------------------------- writers

def render_txt(src: Source) -> bytes:
    return ("\n\n".join(f"{t.speaker}: {t.utterance}" for t in src.turns) + "\n").encode("utf-8")


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack a .docx with fixed timestamps so the build is byte-for-byte reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def render_docx(src: Source) -> bytes:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    props = document.core_properties
    props.author = "qualcode demo corpus"
    props.title = ""
    props.created = props.modified = dt.datetime(2021, 1, 1)
    props.last_modified_by = ""
    props.revision = 1
    if src.meta.get("docx_layout") == "table":
        table = document.add_table(rows=0, cols=2)
        for t in src.turns:
            cells = table.add_row().cells
            cells[0].text = t.speaker
            cells[1].text = t.utterance
    else:
        for t in src.turns:
            p = document.add_paragraph()
            p.add_run(f"{t.speaker}:").bold = True
            p.add_run(f" {t.utterance}")
    buf = io.BytesIO()
    document.save(buf)
    return _deterministic_zip(buf.getvalue())


def _ts(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def split_cues(utterance: str, max_words: int = 28) -> list[str]:
    """Split a long utterance at sentence ends (else at word limits) into cue texts.

    Joining the cues with single spaces gives back the utterance exactly."""
    words = utterance.split(" ")
    cues: list[str] = []
    current: list[str] = []
    for w in words:
        current.append(w)
        at_end = w.endswith((".", "?", "!", "…"))
        if (at_end and len(current) >= 8) or len(current) >= max_words:
            cues.append(" ".join(current))
            current = []
    if current:
        if cues and len(current) < 4:
            cues[-1] += " " + " ".join(current)
        else:
            cues.append(" ".join(current))
    assert " ".join(cues) == utterance
    return cues


def render_vtt(src: Source) -> bytes:
    lines = ["WEBVTT", ""]
    clock = 4.0
    n = 0
    for t in src.turns:
        for cue in split_cues(t.utterance):
            n += 1
            dur = max(1.2, len(cue.split()) / 2.6)
            lines += [str(n), f"{_ts(clock)} --> {_ts(clock + dur)}", f"<v {t.speaker}>{cue}</v>", ""]
            clock += dur + 0.3
        clock += 0.6
    return "\n".join(lines).encode("utf-8")


RENDER = {"txt": render_txt, "docx": render_docx, "vtt": render_vtt}


# ---------------------------------------------------------------- gold, manifest, stats

def manifest_rows(sources: list[Source]) -> list[dict]:
    rows = []
    for s in sources:
        row = {"file": f"transcripts/{s.id}.{s.meta['format']}"}
        for key in MANIFEST_FIELDS:
            value = s.meta.get(key, "nb" if key == "language" else None)
            row[key] = value.isoformat() if isinstance(value, dt.date) else value
        rows.append(row)
    return rows


def gold_lines(sources: list[Source]) -> tuple[str, str]:
    ids, themes = [], []
    for s in sources:
        for i, t in enumerate(s.turns):
            for flag, spans in ((True, t.speaker_spans), (False, t.spans)):
                for sp in spans:
                    ids.append({"file": s.id, "turn": i, "in_speaker": flag, "start": sp.start,
                                "end": sp.end, "text": sp.text, "label": sp.label})
            themes.append({"file": s.id, "turn": i, "speaker": t.speaker, "codes": t.themes})
    dump = lambda rows: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)  # noqa: E731
    return dump(ids), dump(themes)


def statistics(sources: list[Source]) -> dict:
    per_cell: dict[str, Counter] = defaultdict(Counter)
    entities: Counter = Counter()
    speaker_entities: Counter = Counter()
    themes: Counter = Counter()
    theme_cells: dict[str, Counter] = defaultdict(Counter)
    formats: Counter = Counter()
    words_by_study: Counter = Counter()
    for s in sources:
        formats[s.meta["format"]] += 1
        words_by_study[s.meta["study"]] += s.words
        if s.meta.get("case"):
            per_cell[s.meta["case"]][str(s.meta["year"])] += 1
        for t in s.turns:
            for sp in t.spans:
                entities[sp.label] += 1
            for sp in t.speaker_spans:
                speaker_entities[sp.label] += 1
            for code in t.themes:
                themes[code] += 1
                key = f"{s.meta['case']}-{s.meta['year']}" if s.meta.get("case") else "BSB"
                theme_cells[key][code] += 1
    return {
        "transcripts": len(sources),
        "turns": sum(len(s.turns) for s in sources),
        "words_total": sum(s.words for s in sources),
        "words_by_study": dict(sorted(words_by_study.items())),
        "words_by_file": {s.id: s.words for s in sources},
        "formats": dict(sorted(formats.items())),
        "transcripts_per_case_year": {c: dict(sorted(v.items())) for c, v in sorted(per_cell.items())},
        "entities_in_utterances": {k: entities.get(k, 0) for k in LABELS},
        "entities_in_speaker_labels": {k: speaker_entities.get(k, 0) for k in LABELS},
        "turns_per_core_theme": {k: themes.get(k, 0) for k in CORE_THEMES},
        "turns_without_core_theme": sum(1 for s in sources for t in s.turns if not t.themes),
        "core_theme_turns_per_case_year": {k: {c: v.get(c, 0) for c in CORE_THEMES}
                                           for k, v in sorted(theme_cells.items())},
    }


def stats_markdown(st: dict) -> str:
    studies = ", ".join(f"{k}: {v}" for k, v in st["words_by_study"].items())
    formats = ", ".join(f"{n} .{k}" for k, n in st["formats"].items())
    out = [f"- Transcripts: **{st['transcripts']}** ({formats}); turns: **{st['turns']}**; "
           f"words in utterances: **{st['words_total']}** ({studies})."]
    out += ["", "Transcripts per case and year:", "", "| Case | 2019 | 2020 |", "|---|---|---|"]
    for case, cell in st["transcripts_per_case_year"].items():
        out.append(f"| {case} | {cell.get('2019', 0)} | {cell.get('2020', 0)} |")
    out += ["", "Identifying spans per label (gold/identifiers.jsonl):", "",
            "| Label | in utterances | in speaker labels |", "|---|---|---|"]
    for label in LABELS:
        out.append(f"| {label} | {st['entities_in_utterances'][label]} | {st['entities_in_speaker_labels'][label]} |")
    out += ["", "Turns per core theme (gold/themes.jsonl; a turn may carry several):", "",
            "| Theme | turns |", "|---|---|"]
    for code, n in st["turns_per_core_theme"].items():
        out.append(f"| {code} | {n} |")
    out.append(f"| (none) | {st['turns_without_core_theme']} |")
    out += ["", "Core-theme turns per case × year:", "",
            "| Cell | " + " | ".join(CORE_THEMES) + " |", "|---" * (len(CORE_THEMES) + 1) + "|"]
    for cell, counts in st["core_theme_turns_per_case_year"].items():
        out.append(f"| {cell} | " + " | ".join(str(counts[c]) for c in CORE_THEMES) + " |")
    out += ["", "Words per transcript:", "", "| Transcript | words |", "|---|---|"]
    for fid, n in st["words_by_file"].items():
        out.append(f"| {fid} | {n} |")
    return "\n".join(out)


README_START = "<!-- stats:start (generated by build.py) -->"
README_END = "<!-- stats:end -->"


def build(check: bool = False) -> int:
    sources = [parse_source(p) for p in sorted(SRC.glob("*.md"))]
    if not sources:
        raise CorpusError("no sources in src/")
    outputs: dict[Path, bytes] = {}
    for s in sources:
        outputs[OUT / f"{s.id}.{s.meta['format']}"] = RENDER[s.meta["format"]](s)
    manifest = {"files": manifest_rows(sources)}
    outputs[ROOT / "manifest.yaml"] = (
        "# Generated by build.py — one row per transcript file (fictional metadata).\n"
        + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False)).encode("utf-8")
    ids, themes = gold_lines(sources)
    outputs[GOLD / "identifiers.jsonl"] = ids.encode("utf-8")
    outputs[GOLD / "themes.jsonl"] = themes.encode("utf-8")
    st = statistics(sources)
    outputs[ROOT / "stats.json"] = (json.dumps(st, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    readme = ROOT / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        if README_START in text and README_END in text:
            head, rest = text.split(README_START, 1)
            _, tail = rest.split(README_END, 1)
            text = f"{head}{README_START}\n{stats_markdown(st)}\n{README_END}{tail}"
        outputs[readme] = text.encode("utf-8")

    stale = [p for p in OUT.glob("*") if p not in outputs] if OUT.exists() else []
    if check:
        diff = [p for p, data in outputs.items() if not p.exists() or p.read_bytes() != data] + stale
        for p in diff:
            print(f"out of date: {p.relative_to(ROOT)}")
        return 1 if diff else 0
    for p, data in outputs.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    for p in stale:
        p.unlink()

    problems = 0
    for s in sources:
        low = MIN_WORDS.get(s.meta["study"], 0)
        flag = "" if low <= s.words <= MAX_WORDS else f"  <-- outside {low}-{MAX_WORDS}"
        problems += bool(flag)
        print(f"{s.id:32s} {s.meta['format']:5s} {len(s.turns):4d} turns {s.words:6d} words{flag}")
    print(f"total: {st['transcripts']} transcripts, {st['words_total']} words; "
          f"entities {sum(st['entities_in_utterances'].values()) + sum(st['entities_in_speaker_labels'].values())}; "
          f"themes {st['turns_per_core_theme']}")
    return 1 if problems else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if committed outputs are stale")
    args = ap.parse_args()
    try:
        sys.exit(build(check=args.check))
    except CorpusError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
