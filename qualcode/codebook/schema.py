"""Codebook file format: pydantic models, YAML loading with file/line/field errors.

A codebook is a YAML file (see ``codebooks/pakkeforlop.yaml``)::

    name: pakkeforlop
    version: 1.0.0
    description: ...
    changelog: [{version: 1.0.0, date: 2026-11-24, changes: [...]}]
    codes:
      - id: informasjon
        parent: brukermedvirkning
        label_nb: Informasjon
        label_en: Information
        definition: ...
        rules:
          - {id: info-stems, type: terms, terms: [informasjon, informere]}

Structural problems (unknown parent, cycle, duplicate id, invalid regex or Matcher pattern, a
rule naming an unknown code) raise :class:`~qualcode.errors.CodebookError` naming the file, the
line and the field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from ..errors import CodebookError

#: Folder of the codebooks shipped with the repository.
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "codebooks"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class Context(BaseModel):
    """A context window: the hit counts only if (``require``) or unless (``forbid``) one of
    ``terms`` occurs within ``window`` tokens of it."""

    model_config = ConfigDict(extra="forbid")
    terms: list[str] = Field(min_length=1)
    window: int = Field(default=8, ge=1, le=200)
    mode: Literal["part", "head", "word", "prefix", "exact"] = "part"


class Rule(BaseModel):
    """One auto-coding rule. ``type`` names a registered rule type (see ``rules.py``):

    * ``terms``   – compound-aware word stems (``mode``: exact/word/prefix/head/part;
      ``except_terms`` lists substrings that disqualify a token, e.g. *devaluering*)
    * ``phrase``  – spaCy PhraseMatcher over lowercased token sequences
    * ``matcher`` – spaCy Matcher token patterns (list of patterns, each a list of token dicts)
    * ``regex``   – Python regular expression over the lowercased text

    A hit adds ``weight`` to the score of ``code`` (default: the code the rule is listed under).
    ``negative: true`` makes the rule a veto: when it fires the code is not assigned.
    """

    model_config = ConfigDict(extra="forbid")
    id: str
    type: str = "terms"
    code: str | None = None
    description: str | None = None
    terms: list[str] = []
    mode: Literal["part", "head", "word", "prefix", "exact"] = "part"
    except_terms: list[str] = []  # a token containing one of these is never a hit of this rule
    phrases: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    pattern: str | None = None
    weight: float = 1.0
    max_hits: int = Field(default=1, ge=1)
    negative: bool = False
    require: Context | None = None
    forbid: Context | None = None

    @field_validator("id")
    @classmethod
    def _id_ok(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("rule id must be lowercase letters, digits, '-' or '_'")
        return v


class Code(BaseModel):
    """One code. ``parent`` is another code's id (any depth); ``path`` is the slash-joined ancestry."""

    model_config = ConfigDict(extra="forbid")
    id: str
    parent: str | None = None
    label_nb: str
    label_en: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    examples_typical: list[str] = []
    examples_borderline: list[str] = []
    colour: str | None = None
    threshold: float = Field(default=1.0, gt=0)
    rules: list[Rule] = []
    _path: str | None = PrivateAttr(default=None)

    @field_validator("id")
    @classmethod
    def _id_ok(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("code id must be lowercase letters, digits, '-' or '_'")
        return v

    @field_validator("colour")
    @classmethod
    def _colour_ok(cls, v: str | None) -> str | None:
        if v is not None and not COLOUR_RE.match(v):
            raise ValueError("colour must look like #1f77b4")
        return v

    @property
    def path(self) -> str:
        """Slash-joined ancestry, e.g. ``brukermedvirkning/informasjon`` (set by the codebook)."""
        return self._path or self.id

    @property
    def description_text(self) -> str:
        """Definition plus when (not) to use, for stores and exports that keep one text."""
        parts = [self.definition.strip()]
        if self.when_to_use.strip():
            parts.append("Bruk når: " + self.when_to_use.strip())
        if self.when_not_to_use.strip():
            parts.append("Ikke bruk når: " + self.when_not_to_use.strip())
        return "\n\n".join(p for p in parts if p)


#: Speaker labels taken as the interviewer's (case-insensitive): I, I1, Int, Intervjuer 2, BSB-intervjuer…
INTERVIEWER_LABELS = r"^(?:[a-zæøå]+-)?(?:i|int|intervjuer|intervjuar|interviewer|moderator)\s*\d*$"


class QuestionContext(BaseModel):
    """How an interviewer's question sets the context of the answer that follows it.

    A segment is the interviewer's when its speaker label matches ``interviewer`` (a regex,
    case-insensitive); without a speaker label, when it ends with a question mark. The answers
    get ``weight`` × the question's score per code added to their own score (evidence marked
    "from the preceding question"): every turn until the next interviewer turn (``scope:
    exchange``) or only the turn right after the question (``scope: next``). A question that
    reaches the threshold of more than ``max_codes`` codes lists an agenda rather than asking
    about one theme, and lends nothing. With ``code_questions: false`` the
    interviewer's segments are not coded themselves: they only lend context.
    """

    model_config = ConfigDict(extra="forbid")
    weight: float = Field(default=0.5, ge=0.0, le=1.0)
    scope: Literal["next", "exchange"] = "exchange"
    max_codes: int = Field(default=2, ge=1)
    code_questions: bool = True
    interviewer: str = INTERVIEWER_LABELS

    @field_validator("interviewer")
    @classmethod
    def _regex_ok(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return v

    def is_interviewer(self, speaker: str | None, text: str) -> bool:
        """Is this segment the interviewer's (by speaker label; by a final '?' without one)?"""
        if speaker and speaker.strip():
            return re.match(self.interviewer, speaker.strip(), re.IGNORECASE) is not None
        return text.rstrip().rstrip("»”\"')").endswith("?")


class ChangelogEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    date: str | None = None
    changes: list[str] = []


class Codebook(BaseModel):
    """A named, versioned codebook."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    description: str = ""
    language: str = "nb"
    changelog: list[ChangelogEntry] = []
    codes: list[Code] = Field(min_length=1)
    rules: list[Rule] = []  # codebook-level rules; each must name its ``code``
    question_context: QuestionContext | None = None  # None: segments are coded one by one
    _source: Path | None = PrivateAttr(default=None)
    _locator: "Locator | None" = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _name_ok(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("codebook name must be lowercase letters, digits, '-' or '_'")
        return v

    @field_validator("version")
    @classmethod
    def _version_ok(cls, v: Any) -> str:
        parse_version(str(v))
        return str(v)

    # -- lookups ------------------------------------------------------------------------------
    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def coder_name(self) -> str:
        """Coder name used in the analysis store: ``auto:<name>@<version>``."""
        return f"auto:{self.name}@{self.version}"

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise CodebookError(f"codebook {self.name}: unknown code {code_id!r}")

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def children(self, code_id: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def all_rules(self) -> Iterable[tuple[str, Rule, tuple[Any, ...]]]:
        """Every rule with the code it scores and its location path in the file."""
        for i, c in enumerate(self.codes):
            for j, r in enumerate(c.rules):
                yield (r.code or c.id), r, ("codes", i, "rules", j)
        for j, r in enumerate(self.rules):
            yield (r.code or ""), r, ("rules", j)

    def where(self, loc: tuple[Any, ...]) -> str:
        """``file:line`` of a field location (best effort)."""
        src = str(self._source) if self._source else f"<codebook {self.name}>"
        line = self._locator.line(loc) if self._locator else None
        return f"{src}:{line}" if line else src


# -- versions ---------------------------------------------------------------------------------
def parse_version(v: str):
    """Parse a codebook version (PEP 440 / semver-like) for ordering."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(str(v))
    except InvalidVersion as exc:
        raise ValueError(f"version {v!r} is not a version number like 1.2.0") from exc


# -- YAML line lookup ---------------------------------------------------------------------------
@dataclass
class Locator:
    """Maps a pydantic error location to a line of the YAML file via the composed node tree."""

    root: yaml.Node | None

    def line(self, loc: Iterable[Any]) -> int | None:
        node = self.root
        best = node.start_mark.line + 1 if node is not None else None
        for key in loc:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key):
                        nxt = v
                        best = k.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                nxt = node.value[key]
                best = nxt.start_mark.line + 1
            node = nxt
        return best


def _field_name(loc: tuple[Any, ...], data: Any) -> str:
    """Human field path: ``codes[3] (informasjon).rules[0].pattern``."""
    out: list[str] = []
    cur = data
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(cur, list) and key < len(cur) and isinstance(cur[key], dict) and "id" in cur[key]:
                label += f" ({cur[key]['id']})"
            out.append(label)
            cur = cur[key] if isinstance(cur, list) and key < len(cur) else None
        else:
            out.append(("." if out else "") + str(key))
            cur = cur.get(key) if isinstance(cur, dict) else None
    return "".join(out)


def resolve_codebook_path(name_or_path: str | Path) -> Path:
    """A builtin name (``pakkeforlop``) or a path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix.lower() in {".yaml", ".yml"} or p.exists():
        if not p.exists():
            raise CodebookError(f"codebook file not found: {p}")
        return p
    builtin = BUILTIN_DIR / f"{name_or_path}.yaml"
    if builtin.exists():
        return builtin
    known = sorted(x.stem for x in BUILTIN_DIR.glob("*.yaml")) if BUILTIN_DIR.exists() else []
    raise CodebookError(f"no codebook named {str(name_or_path)!r} (builtin: {', '.join(known) or 'none'})")


def parse_codebook(text: str, *, source: Path | None = None, check: bool = True) -> Codebook:
    """Validate codebook YAML text. ``check=False`` skips the cross-reference checks."""
    src = str(source) if source else "<codebook>"
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{src}:{mark.line + 1}" if mark else src
        raise CodebookError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc.__class__.__name__})") from exc
    locator = Locator(root)
    if not isinstance(data, dict):
        raise CodebookError(f"{src}: a codebook must be a mapping with name, version and codes")
    try:
        cb = Codebook.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = locator.line(loc)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CodebookError(
            f"{src}:{line}: field {_field_name(loc, data) or '(root)'}: {err['msg']}{more}"
        ) from exc
    cb._source = source
    cb._locator = locator
    _set_paths(cb)
    if check:
        from .validate import structural_problems

        problems = structural_problems(cb)
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more problems; run `qualcode codebook lint`)" if len(problems) > 1 else ""
            raise CodebookError(f"{first}{more}")
    return cb


def load_codebook(name_or_path: str | Path, *, check: bool = True) -> Codebook:
    """Load and validate a codebook by builtin name (``pakkeforlop``) or path."""
    if isinstance(name_or_path, Codebook):  # already loaded
        return name_or_path
    path = resolve_codebook_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read codebook ({exc.__class__.__name__})") from exc
    return parse_codebook(text, source=path, check=check)


def _set_paths(cb: Codebook) -> None:
    """Fill ``Code.path``; stops at cycles and unknown parents (reported by validation)."""
    by_id = {c.id: c for c in cb.codes}
    for c in cb.codes:
        parts = [c.id]
        seen = {c.id}
        cur = c
        while cur.parent and cur.parent in by_id and cur.parent not in seen:
            cur = by_id[cur.parent]
            seen.add(cur.id)
            parts.append(cur.id)
        c._path = "/".join(reversed(parts))
