"""Write the three tutorial notebooks (and, with ``--execute``, run them and keep the outputs).

The notebooks are generated so that their text and code stay reviewable as ordinary Python::

    .venv/bin/python notebooks/make_notebooks.py            # write the .ipynb files, no outputs
    .venv/bin/python notebooks/make_notebooks.py --execute  # write, run each once, save outputs

They use only qualcode's public API on the fictional demo corpus (``corpora/pakkeforlop-demo``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}

SETUP_NOTE = (
    "> Everything in the demo corpus is **fictional**: the interviews never happened and every "
    "name, place, phone number and fødselsnummer in them is invented. Run this notebook from the "
    "repository with the project's virtual environment (`.venv`); it works in a temporary folder "
    "and leaves nothing in the repository."
)

# Shared by every notebook: a pandas display that keeps committed outputs small.
PANDAS_SETUP = """\
pd.set_option("display.max_rows", 30)
pd.set_option("display.max_colwidth", 90)
pd.set_option("display.width", 140)"""


def short_text_helper() -> str:
    return '''\
def short(text: str, words: int = 25) -> str:
    """The first ``words`` words of a passage, for tables that must stay readable."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")'''


# -- 01 ------------------------------------------------------------------------------------------

NB01 = [
    ("md", f"""\
# 1 · Import and anonymise

This notebook takes the demo corpus from files on disk to an **anonymised analysis store**:

1. create a project from the corpus's case registry (`cases.yaml`),
2. import the transcripts (`.txt`, `.docx`, `.vtt`) with their manifest,
3. check the case registry against the manifest (the corpus has one planted contradiction),
4. anonymise: find names, places, institutions, phone numbers and fødselsnumre, replace them
   with pseudonyms, and write a review sheet for a human to check.

{SETUP_NOTE}"""),
    ("code", f"""\
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import display
from sqlalchemy import select

from qualcode.project import Project
from qualcode.demo import corpus_dir
from qualcode.importers import import_files
from qualcode.cases import check_cases
from qualcode.anonymise import anonymise_project
from qualcode.demo_gold import anonymisation_recall, gold_identifiers
from qualcode.store import Source

{PANDAS_SETUP}

corpus = corpus_dir()                                  # corpora/pakkeforlop-demo in the repository
workdir = Path(tempfile.mkdtemp(prefix="qualcode-nb01-"))
sorted(p.name for p in corpus.iterdir())"""),
    ("md", """\
## Create a project

A project is a folder with a settings file, an analysis database and a `private/` folder. The
passphrase protects the **vault** (see the end of this notebook); a real project would ask for it
or read it from `QUALCODE_VAULT_PASSPHRASE` instead of writing it in the code. `cases_file` copies
the corpus's registry of treatment units (case A–H) into the project."""),
    ("code", """\
project = Project.init(workdir / "project", passphrase="notebook-demo", name="pakkeforlop-demo",
                       cases_file=corpus / "cases.yaml")
sorted(str(p.relative_to(project.root)) for p in project.root.rglob("*"))"""),
    ("md", """\
## Import the transcripts

`import_files` reads every supported file under the given folders, parses speaker turns, and takes
each file's metadata (case, year, informant group, format…) from the manifest. The raw text goes
**only into the encrypted vault**; the analysis store gets a `Source` row with status `pending`
(metadata and word count, no text yet)."""),
    ("code", """\
report = import_files(project, [corpus / "transcripts"], manifest=corpus / "manifest.yaml", actor="notebook")
imported = pd.DataFrame([{"label": r.label, "file": Path(r.file).name, "status": r.status,
                          "words": r.word_count, "warnings": len(r.warnings)} for r in report.results])
print(f"{len(report.imported)} imported, {len(report.duplicates)} duplicates, {len(report.errors)} errors")
imported"""),
    ("code", """\
imported.assign(format=imported["file"].str.rsplit(".", n=1).str[-1]) \\
        .groupby("format")["words"].agg(["count", "sum", "mean"]).round(0)"""),
    ("md", """\
Look at: every file has status `imported`, and the word counts match the corpus README (clinician
interviews 1,500–4,000 words, BSB interviews shorter). Importing the same files again is safe: they
come back as `duplicate` and nothing is written twice."""),
    ("code", """\
again = import_files(project, [corpus / "transcripts"], manifest=corpus / "manifest.yaml", actor="notebook")
print(f"second run: {len(again.imported)} imported, {len(again.duplicates)} duplicates")"""),
    ("md", """\
## Check the case registry

Reports often describe the same unit in slightly different words. `check_cases` compares the
registry with every manifest row and imported source. The demo corpus has one deliberate slip:
case D is an outpatient clinic (`poliklinikk`) in the registry, but one manifest row calls it an
inpatient unit."""),
    ("code", """\
contradictions = check_cases(project, [corpus / "manifest.yaml"])
pd.DataFrame([c.as_dict() for c in contradictions])"""),
    ("md", """\
## Anonymise

`anonymise_project` releases every pending source into the analysis store. For each transcript it
runs a set of **recognisers** (a spaCy named-entity model for names, places and organisations,
plus pattern recognisers for phone numbers, fødselsnumre and addresses, and gazetteers of
Norwegian names, municipalities and health institutions), replaces each detection with a stable pseudonym (`[PERSON 3]`, `[STED 2]`…),
splits the anonymised text into segments for coding, and writes a review sheet."""),
    ("code", """\
anon = anonymise_project(project, actor="notebook")
print(f"{len(anon.sources)} sources released, {anon.detections} detections, "
      f"{anon.new_pseudonyms} pseudonyms")
for warning in anon.warnings:
    print("warning:", warning)"""),
    ("code", """\
by_label = pd.Series(anon.by_label, name="detections").rename_axis("label").sort_values(ascending=False)
by_recogniser = pd.Series(anon.by_recogniser, name="detections").rename_axis("recogniser").sort_values(ascending=False)
display(by_label.to_frame())
display(by_recogniser.to_frame())"""),
    ("md", """\
Look at: `ner` (the statistical model) does most of the work; `speakers` are speaker labels that
are names; `gazetteers` are look-ups in the name and place lists; `identifiers` (patterns with
checksums) catch the phone numbers and fødselsnumre the corpus plants; `propagation`, when listed,
masks further mentions of a form already found elsewhere in the corpus.
A model errs both ways: an ordinary word taken for an organisation, a name given the wrong label
(it is still masked). That is what the review sheet below is for.

### What the analysis store holds now

This is the text every later stage (coding, matrices, summaries, exports) sees. Identifying details
are replaced by pseudonyms; the same person gets the same pseudonym everywhere in the project."""),
    ("code", """\
with project.store.session() as s:
    sources = s.execute(select(Source.label, Source.status, Source.text).order_by(Source.label)).all()

print(pd.Series([status for _, status, _ in sources]).value_counts().to_string())

# the opening of one interview (turns are separated by blank lines)
label, _, text = next(row for row in sources if row.label.startswith("C-2020"))
print(f"\\n--- {label}, first 700 of {len(text):,} characters ---\\n")
print(text[:700], "…")"""),
    ("md", """\
### Did anything slip through?

The corpus comes with a gold file of every identifying span, marked by hand while writing it.
`anonymisation_recall` counts a gold span as caught when its words no longer occur in the anonymised
text of its turn (strict: one missed repetition of a name in the turn counts against every mention).
The missed spans themselves are identifying, so we show only the counts."""),
    ("code", """\
recall = anonymisation_recall(project).summary()
print(f"recall {recall['recall']:.1%}: {recall['caught']} of {recall['total']} gold spans caught")
pd.DataFrame(recall["by_label"]).T.astype({"caught": int, "total": int})"""),
    ("md", """\
## The review sheet is identifying

No recogniser is perfect. The review sheet lists every detection **with the original text around
it**, so a person can accept, reject or add spans and apply the decisions with
`qualcode.anonymise.apply_review` (or `qualcode anonymise --apply SHEET`). Because it shows the original
text, it is written under the project's `private/` folder, which must never be shared or
committed. We only show where it is, its warning line and its non-identifying columns."""),
    ("code", """\
for path in (anon.review_csv, anon.review_html):
    print(path.relative_to(project.root), f"({path.stat().st_size:,} bytes)")
print("\\nfirst line:", anon.review_csv.read_text(encoding="utf-8").splitlines()[0])
review = pd.read_csv(anon.review_csv, skiprows=1)   # skip that warning line
print(f"{len(review)} rows; columns: {', '.join(review.columns)}")
# the non-identifying columns only:
review[["source", "label", "pseudonym", "recogniser", "score"]].head(5)"""),
    ("md", """\
## What the vault is

The vault (`private/vault.sqlite`) is the only place that holds the raw transcripts and the key from
pseudonyms back to the original names. Its contents are **encrypted** with a key derived from the
passphrase, and imports, anonymisation and review decisions are recorded (who, what, when) in an
audit log inside it. The analysis database next to it
can be shared inside a research team; the `private/` folder cannot.

A quick check that a name from the corpus (taken from its gold file of identifying spans) is
neither readable in the vault file nor present in the anonymised text:"""),
    ("code", """\
name = next(g["text"] for g in gold_identifiers() if g["label"] == "PER" and " " in g["text"])  # a full name
vault_files = sorted(project.private_dir.glob(project.vault_path.name + "*"))   # the database and its journal
vault_bytes = b"".join(path.read_bytes() for path in vault_files)
print("vault files:", ", ".join(str(path.relative_to(project.root)) for path in vault_files),
      f"({len(vault_bytes):,} bytes)")
print("name readable in the vault files:  ", name.encode("utf-8") in vault_bytes)
print("name found in the anonymised text: ", any(name in text for _, _, text in sources))"""),
    ("code", """\
project.close()
print(f"project folder: {workdir}")"""),
    ("md", """\
Next: `02-coding-and-agreement.ipynb` codes the anonymised segments with the codebook and compares
two coders."""),
]


# -- 02 ------------------------------------------------------------------------------------------

NB02 = [
    ("md", f"""\
# 2 · Coding and inter-coder agreement

This notebook starts from an anonymised, **auto-coded** demo project and shows

1. the codebook (`pakkeforlop`): the themes and how they nest,
2. what the rule-based auto-coder found,
3. manual coding, and that every change is kept as history,
4. a second coder, and agreement between the two (percent agreement, Cohen's κ, Krippendorff's α),
5. the segments on which they disagree.

{SETUP_NOTE}"""),
    ("code", f"""\
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import display

from qualcode.demo import run_demo
from qualcode.demo_gold import CORE_THEMES, add_gold_coder
from qualcode.codebook import load_codebook
from qualcode.coding import (add_coding, agreement, change_coding, coding_history, disagreements,
                             ensure_coder, list_codings)
from qualcode.store import Segment

{PANDAS_SETUP}

{short_text_helper()}

workdir = Path(tempfile.mkdtemp(prefix="qualcode-nb02-"))"""),
    ("md", """\
## Build the coded demo project

`run_demo` does what notebook 1 did (create, import, anonymise) and then auto-codes every segment
with the project's codebook. `with_exports=False` stops there; we draw our own outputs below."""),
    ("code", """\
demo = run_demo(workdir / "demo", passphrase="notebook-demo", with_exports=False)
project = demo.project
pd.Series(demo.figures, name="value").to_frame()"""),
    ("md", """\
## The codebook

Codebooks are YAML files with a definition, when (not) to use the code, examples and auto-coding
rules for every code. The four core themes of the evaluation (`informasjon`, `behandlingsplan`,
`feedback`, `overganger`) sit under two main themes."""),
    ("code", """\
codebook = load_codebook("pakkeforlop")
print(codebook.name, codebook.version)
pd.DataFrame([{"id": c.id, "parent": c.parent or "", "label": c.label_en, "label (nb)": c.label_nb}
              for c in codebook.codes])"""),
    ("md", """\
## What the auto-coder found

Every rule hit is a coding by the coder `auto:pakkeforlop@<version>`, so automatic and human codings
can be told apart and compared. Counts per code, and per code and year:"""),
    ("code", """\
with project.store.session() as s:
    auto = pd.DataFrame([r.to_dict() for r in list_codings(s, coder="auto")])
print(f"{len(auto)} auto codings by {auto['coder'].iloc[0]} on {auto['segment_id'].nunique()} segments")
auto.pivot_table(index="code", columns="year", values="id", aggfunc="count", fill_value=0, margins=True) \\
    .sort_values("All", ascending=False)"""),
    ("md", """\
## Manual coding keeps its history

A person codes a segment, then changes their mind twice. `change_coding` never overwrites: the old
row is marked `superseded` and points to its replacement, so `coding_history` can show who changed
what and when. (One `with project.store.session()` block is one transaction.)"""),
    ("code", """\
with project.store.session() as s:
    ensure_coder(s, "ingrid")
    # a participant's segment (not the interviewer's) that the auto-coder marked 'feedback' in case C, 2020
    interviewers = {"I", "I1", "I2", "Intervjuer", "Intervjuer 1", "Intervjuer 2"}
    seg_id = next(r.segment_id for r in list_codings(s, coder="auto", code="feedback", case="C", year=2020)
                  if s.get(Segment, r.segment_id).speaker not in interviewers)
    segment = s.get(Segment, seg_id)
    print(f"segment {seg_id} ({segment.speaker}): {short(segment.text, 40)}\\n")

    first = add_coding(s, seg_id, "informasjon", "ingrid", comment="about telling patients")
    second = change_coding(s, first, by="ingrid", code="feedback", comment="it is the feedback tool")
    third = change_coding(s, second, by="ingrid", start=segment.start,  # narrow it to a span
                          end=min(segment.end, segment.start + 120))
    history = pd.DataFrame([{"coding": c.id, "code": c.code.key,
                             "span": "whole segment" if c.start is None else f"{c.start}:{c.end}",
                             "comment": c.comment, "status": c.status, "replaced by": c.replaced_by_id or "",
                             "changed by": c.changed_by or "", "changed at": c.changed_at}
                            for c in coding_history(s, third)])
history"""),
    ("md", """\
## A second coder

For agreement we need two coders on the same material. The demo corpus comes with **gold themes**:
the core themes of every speaker turn, assigned by a person while writing the corpus.
`add_gold_coder` records them as a coder called `gold` on every segment of every interview (a segment
is a turn or part of a long turn, so each segment inherits its turn's themes). Turns without a core
theme get no coding: for agreement, a coder's silence on a segment of an interview they coded counts
as "code absent"."""),
    ("code", """\
CORE = list(CORE_THEMES)   # informasjon, behandlingsplan, feedback, overganger
added = add_gold_coder(project)
print(f"{added} gold codings of the core themes")"""),
    ("md", """\
## Agreement

`agreement` treats each code as present/absent per segment. Percent agreement is easy to read but
flatters rare codes; Cohen's κ and Krippendorff's α correct for agreement by chance (1 = perfect,
0 = chance level). The `applied by …` columns show how many segments each coder gave the code."""),
    ("code", """\
rep = agreement(project, ["auto", "gold"], codes=CORE)
rows = [*rep.codes, rep.overall]
table = pd.DataFrame([{"code": r.code, "segments": int(r.units),
                       **{f"applied by {k.split(':')[0]}": int(v) for k, v in r.applied.items()},
                       "percent": r.agreement, "kappa": r.kappa, "alpha": r.alpha} for r in rows])
print(f"{rep.level} level, {rep.complete_units} segments coded by both; "
      f"identical code sets on {rep.identical_segments:.0%} of them")
table.round(3)"""),
    ("md", """\
Look at: where κ is much lower than the percent agreement, the code is rare and the coders mostly
agree on its *absence*. Compare the `applied by` columns too: a coder who applies a code far less
often than the other caps κ, however well they agree on the rest.
Low κ on a code is a cue to read its rules and definition again, not a verdict on either coder.

## Where the coders disagree

`disagreements` lists the segments whose code sets differ, with the anonymised text, so the team can
discuss them (and `qualcode.coding.reconcile` can write a consensus coder)."""),
    ("code", """\
with project.store.session() as s:
    found = disagreements(s, ["auto", "gold"], codes=CORE)
auto_name = rep.coders[0]
found_table = pd.DataFrame([{"source": d.source, "speaker": d.speaker, "differs on": ", ".join(d.differs),
                             "auto": ", ".join(d.codes[auto_name]), "gold": ", ".join(d.codes["gold"]),
                             "text": short(d.text)} for d in found])
print(f"{len(found)} of {rep.complete_units} segments differ")
display(found_table["differs on"].value_counts().to_frame("segments"))
# two examples for each single code the coders differ on
found_table[found_table["differs on"].isin(CORE)].groupby("differs on").head(2)"""),
    ("code", """\
project.close()
print(f"project folder: {workdir}")"""),
    ("md", """\
Next: `03-case-summaries.ipynb` turns the codings into a framework matrix, a cross-case comparison
and case summaries."""),
]


# -- 03 ------------------------------------------------------------------------------------------

NB03 = [
    ("md", f"""\
# 3 · Framework matrix and case summaries

From codings to what an evaluation report needs:

1. the **framework matrix**: treatment unit × year × theme, with counts of coded segments,
2. the **cross-case view**: which units changed between 2019 and 2020, theme by theme,
3. **case summaries**: per unit and theme, a few representative quotes, with plots, written as
   Markdown, HTML and Word. (In the demo corpus, case C adopts a feedback tool in 2020: we look at
   that part of the summary at the end.)

{SETUP_NOTE}"""),
    ("code", f"""\
import tempfile
from pathlib import Path

import io

import pandas as pd
from IPython.display import Image, Markdown, display
from PIL import Image as PILImage

from qualcode.demo import run_demo
from qualcode.aggregate import crosscase, framework_matrix, summarise
from qualcode.exchange import export_qdpx

{PANDAS_SETUP}

CORE = ["informasjon", "behandlingsplan", "feedback", "overganger"]   # the evaluation's four core themes

workdir = Path(tempfile.mkdtemp(prefix="qualcode-nb03-"))
demo = run_demo(workdir / "demo", passphrase="notebook-demo", with_exports=False)
project = demo.project
pd.Series(demo.figures, name="value").to_frame()"""),
    ("md", """\
## The framework matrix

One row per registered case and study year (rows are never dropped: an empty cell means "not coded",
and a case-year without interviews is visible as such). Columns are `(measure, theme)` pairs; here we
show the number of coded segments per main theme and the case-year's total. The matrix is computed
in the database (one `GROUP BY`), so it stays fast on large projects; filters such as
`setting="døgn"`, `years=2020` or `coder=...` narrow it."""),
    ("code", """\
matrix = framework_matrix(project)
print("measures:", sorted(set(matrix.columns.get_level_values(0))))
print("themes:  ", list(matrix["segments"].columns))
for warning in matrix.attrs.get("warnings", []):
    print("warning:", warning)
matrix["segments"].join(matrix["total"]["segments"].rename("all segments"))"""),
    ("code", """\
# the same with the four core themes (depth 2 of the codebook), 2020 only, inpatient units only
core = framework_matrix(project, code=CORE, depth=2, years=2020, setting="døgn", with_coders=False)
core["segments"]"""),
    ("md", """\
## Cross-case view: what changed between 2019 and 2020

For every theme and unit, `crosscase` compares how much of the unit's material was coded with the
theme in each year (`rate` = coded segments per 100 segments), says whether it changed, and lists the
words that are distinctive for each year's passages. Below: the rate in 2019 → 2020 for each
unit and core theme (`*` marks a change that the test behind `change` finds clear), then the one-line
cross-case statement per theme that the summaries print."""),
    ("code", """\
changes = crosscase(project, themes=CORE, depth=2)
units = changes[changes["case"] != "-"].copy()        # "-": interviews outside the cases (BSB, 2020 only)
units["2019 → 2020"] = (units["rate_a"].round(0).astype("Int64").astype(str) + " → "
                        + units["rate_b"].round(0).astype("Int64").astype(str)
                        + units["change"].isin(["more", "fewer", "only_a", "only_b"]).map({True: " *", False: ""}))
display(units.pivot(index="case", columns="theme", values="2019 → 2020")[CORE])
for theme, sentence in changes.attrs.get("sentences", {}).items():
    print(f"{theme}: {sentence}")"""),
    ("md", """\
## Case summaries

`summarise` writes `sammendrag.md`, `.html` and `.docx` with a heatmap per year and a change plot
(here for the four core themes; without `themes=` it covers the codebook's main themes).
The summaries are **extractive**: they never paraphrase or invent. For each unit, theme and year they
pick a few quotes that are central to that cell's passages but not repetitive (TF-IDF similarity with
maximal marginal relevance), and every quote carries its **provenance** — interview label, informant
group and segment number — so a reader can go back to the passage in the anonymised source."""),
    ("code", """\
written = summarise(project, workdir / "summaries", themes=CORE, depth=2)
for fmt, path in written.items():
    print(f"{fmt:8} {path.relative_to(workdir)}")"""),
    ("code", """\
heatmap = sorted(written["figures"].glob("heatmap_*.png"))[-1]   # the latest year
picture = PILImage.open(heatmap)
picture.thumbnail((640, 640))                                       # keep the notebook small
buffer = io.BytesIO()
picture.convert("RGB").quantize(colors=64).save(buffer, format="PNG", optimize=True)
print(heatmap.name)
display(Image(data=buffer.getvalue()))"""),
    ("code", """\
lines = written["md"].read_text(encoding="utf-8").splitlines()


def excerpt(lines: list[str], code_path: str, case: str) -> list[str]:
    # the heading of one theme's section, then that section's block for one case
    at = next(i for i, line in enumerate(lines) if f"`{code_path}`" in line)
    theme = max(i for i in range(at) if lines[i].startswith("## "))
    unit = next(i for i in range(at, len(lines)) if lines[i].startswith("### ") and f"(case {case})" in lines[i])
    end = next((i for i in range(unit + 1, len(lines)) if lines[i].startswith("##")), len(lines))
    return lines[theme:at + 1] + [""] + lines[unit:end]


print(f"{len(lines)} lines in {written['md'].name}; its title, then case C under the feedback theme:")
display(Markdown("\\n".join(lines[:3] + ["", "…", ""] + excerpt(lines, "brukermedvirkning/feedback", "C"))))"""),
    ("md", """\
## Taking the project to another QDA tool

`export_qdpx` writes the anonymised sources, the codebook, every coder's codings and the cases as a
REFI-QDA project (`.qdpx`), which NVivo, ATLAS.ti and MAXQDA can open; the raw text never leaves
the vault."""),
    ("code", """\
exported = export_qdpx(project, workdir / "pakkeforlop-demo.qdpx")
print(f"{exported.path.name}: {exported.path.stat().st_size:,} bytes, validated with {exported.validated_with}")
pd.Series({k: v for k, v in exported.as_dict().items() if isinstance(v, int)}, name="count").to_frame()"""),
    ("code", """\
project.close()
print(f"project folder: {workdir}")"""),
    ("md", """\
The same outputs come from the command line: `qualcode matrix`, `qualcode summarise`, `qualcode export --qdpx` and, for the whole
chain at once, `qualcode demo`."""),
]


NOTEBOOKS = {
    "01-import-and-anonymise.ipynb": NB01,
    "02-coding-and-agreement.ipynb": NB02,
    "03-case-summaries.ipynb": NB03,
}


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(cells):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell["id"] = f"cell-{i:02d}"  # stable ids: regenerating gives no spurious diffs
        nb.cells.append(cell)
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 300) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in nb.cells:  # execution times would make every run a diff
        cell.get("metadata", {}).pop("execution", None)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run each notebook and save its outputs")
    parser.add_argument("names", nargs="*", help="only these notebooks (default: all)")
    args = parser.parse_args(argv)
    for name, cells in NOTEBOOKS.items():
        if args.names and not any(n in name for n in args.names):
            continue
        nb = build(cells)
        started = time.perf_counter()
        if args.execute:
            execute(nb)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        took = f" (executed in {time.perf_counter() - started:.1f} s)" if args.execute else ""
        print(f"wrote {name}{took}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
