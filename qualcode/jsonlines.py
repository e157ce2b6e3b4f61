"""Reading JSON Lines input (one JSON value per line) with errors that name the line, never its content."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from .errors import QualcodeError


def read_json_lines(path: Path | str, error: type[QualcodeError], *, what: str = "input file") -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of a UTF-8 (optionally BOM) file.

    Lines are split on ``\\n`` only: JSON written with ``ensure_ascii=False`` may hold U+2028 or
    U+0085 inside strings. Raises ``error`` for a missing file, bad bytes or bad JSON.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} not found: {path}")
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    for n, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        yield n, value


__all__ = ["read_json_lines"]
