"""Readers for NorNE's two formats: NDT CoNLL (``name=B-PER`` in the last column) and UD CoNLL-U.

Both yield :class:`Sentence` objects: words, whether a space follows each word, lemmas,
part-of-speech tags and BIO entity tags. Errors name the file and line, never the text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import ModelError

#: NorNE's nine entity labels.
LABELS: tuple[str, ...] = ("PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG", "PROD", "EVT", "DRV", "MISC")

# Tokens that normally attach to the previous / next word in running text. NDT has no
# spacing information, so text is rebuilt with this heuristic (UD has SpaceAfter=No).
_NO_SPACE_BEFORE = frozenset(",.:;!?)]}»%…")
_NO_SPACE_AFTER = frozenset("([{«")


@dataclass
class Sentence:
    """One annotated sentence; all lists have the same length."""

    words: list[str]
    spaces: list[bool]
    lemmas: list[str]
    pos: list[str]  # NDT: fine tag "pos|feats" (e.g. "subst|prop"); UD: UPOS
    tags: list[str]  # BIO: "O", "B-PER", "I-PER", ...
    source: str = ""  # "file:line" of the first token, for error messages
    sent_id: str | None = None

    @property
    def loose_key(self) -> tuple[str, ...]:
        """The word sequence without punctuation-only tokens: how NDT sentences are matched
        against the UD splits (NDT and UD differ in a few punctuation tokens)."""
        return tuple(w for w in self.words if any(c.isalnum() for c in w))

    @property
    def text(self) -> str:
        return "".join(w + (" " if s else "") for w, s in zip(self.words, self.spaces))


def _name_tag(field_value: str, where: str) -> str:
    """Extract the BIO tag from a ``name=B-PER`` (possibly ``|``-joined) column."""
    for part in field_value.split("|"):
        if part.startswith("name="):
            tag = part[5:]
            if tag == "O":
                return tag
            prefix, _, label = tag.partition("-")
            if prefix not in ("B", "I") or label not in LABELS:
                raise ModelError(f"{where}: unknown entity tag in name= field")
            return tag
    raise ModelError(f"{where}: no name= entity tag in the last column")


def _heuristic_spaces(words: list[str]) -> list[bool]:
    spaces = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        space = nxt is not None and nxt not in _NO_SPACE_BEFORE and word not in _NO_SPACE_AFTER
        spaces.append(space)
    return spaces


def _blocks(path: Path) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Yield (first line number, [(line number, line), ...]) per blank-line separated block."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc.__class__.__name__}") from exc
    block: list[tuple[int, str]] = []
    with handle:
        try:
            for lineno, line in enumerate(handle, 1):
                line = line.rstrip("\n").rstrip("\r")
                if not line.strip():
                    if block:
                        yield block[0][0], block
                        block = []
                    continue
                block.append((lineno, line))
        except UnicodeDecodeError as exc:
            raise ModelError(f"{path}: not valid UTF-8") from exc
    if block:
        yield block[0][0], block


def read_ndt(path: Path | str) -> list[Sentence]:
    """Read one NDT CoNLL file (10 tab-separated columns, NER in column 10)."""
    path = Path(path)
    sentences = []
    for first, block in _blocks(path):
        words, lemmas, pos, tags = [], [], [], []
        for lineno, line in block:
            cols = line.split("\t")
            where = f"{path}:{lineno}"
            if len(cols) != 10:
                raise ModelError(f"{where}: expected 10 tab-separated columns, found {len(cols)}")
            words.append(cols[1])
            lemmas.append(cols[2])
            pos.append(cols[3] if cols[5] in ("", "_") else f"{cols[3]}|{cols[5]}")
            tags.append(_name_tag(cols[9], where))
        sentences.append(Sentence(words, _heuristic_spaces(words), lemmas, pos, tags, f"{path}:{first}"))
    return sentences


def read_conllu(path: Path | str) -> list[Sentence]:
    """Read a UD CoNLL-U file with NorNE's ``name=`` tags in MISC (multi-word/empty tokens skipped)."""
    path = Path(path)
    sentences = []
    for first, block in _blocks(path):
        words, spaces, lemmas, pos, tags = [], [], [], [], []
        sent_id = None
        for lineno, line in block:
            if line.startswith("#"):
                if line.startswith("# sent_id"):
                    sent_id = line.split("=", 1)[-1].strip()
                continue
            cols = line.split("\t")
            where = f"{path}:{lineno}"
            if len(cols) != 10:
                raise ModelError(f"{where}: expected 10 tab-separated columns, found {len(cols)}")
            if "-" in cols[0] or "." in cols[0]:
                continue
            misc = cols[9]
            words.append(cols[1])
            spaces.append("SpaceAfter=No" not in misc.split("|"))
            lemmas.append(cols[2])
            pos.append(cols[3])
            tags.append(_name_tag(misc, where))
        if words:
            spaces[-1] = False
            sentences.append(Sentence(words, spaces, lemmas, pos, tags, f"{path}:{first}", sent_id))
    return sentences


def bio_to_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(start, end, label)`` from BIO tags; a stray ``I-`` starts a new entity."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, lab = tag.partition("-")
        if start is not None and (prefix != "I" or lab != label):
            spans.append((start, i, label))  # type: ignore[arg-type]
            start, label = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, label = i, lab
    return spans
