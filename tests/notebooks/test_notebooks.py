"""The tutorial notebooks run from top to bottom, use only the public API, and match their generator."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ["01-import-and-anonymise.ipynb", "02-coding-and-agreement.ipynb", "03-case-summaries.ipynb"]
#: qualcode modules a notebook may import from (package level only)
PUBLIC = {"qualcode.project", "qualcode.demo", "qualcode.demo_gold", "qualcode.importers", "qualcode.cases",
          "qualcode.anonymise", "qualcode.codebook", "qualcode.coding", "qualcode.aggregate", "qualcode.exchange",
          "qualcode.store"}


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def code_of(nb: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")


def generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS_DIR / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_public_api_only(name: str) -> None:
    tree = ast.parse(code_of(read(name)))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qualcode"):
            used.append(node.module)
            assert node.module in PUBLIC, f"{name}: imports from {node.module} (not a public package)"
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{name}: imports private names {private} from {node.module}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith("qualcode") or alias.name in PUBLIC, f"{name}: import {alias.name}"
    assert used, f"{name}: uses no qualcode API at all"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_matches_generator(name: str) -> None:
    """Edit notebooks/make_notebooks.py, not the .ipynb (then re-run it with --execute)."""
    built = generator().build(generator().NOTEBOOKS[name])
    committed = read(name)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in built.cells]


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_are_small_and_clean(name: str) -> None:
    nb = read(name)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells), f"{name}: committed without a full run"
    errors = [o for c in code_cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{name}: committed outputs contain an error"
    size = (NOTEBOOKS_DIR / name).stat().st_size
    assert size < 400_000, f"{name}: {size:,} bytes; keep outputs small (.head(), modest images)"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualcode.nlp import shipped_model_path

    if not (shipped_model_path() / "config.cfg").is_file():
        pytest.skip(f"the shipped NLP model is missing ({shipped_model_path()}); the notebooks anonymise with it")
    from nbclient import NotebookClient

    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's tempfile.mkdtemp() lands here, cleaned up by pytest

    nb = read(name)
    for cell in nb.cells:  # run from a clean slate
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    client.execute()  # raises CellExecutionError (naming the cell) on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type in ("execute_result", "display_data") for o in outputs), f"{name}: shows nothing"
