"""``qualcode codebook lint``: structural problems plus checks of rules against the examples.

Findings:

* ``error``   – structural (unknown parent, cycle, duplicate id, invalid regex or Matcher
  pattern, rule naming an unknown code): the codebook cannot be used.
* ``warning`` – a positive rule never fires on its code's own examples; a typical example fires
  one of its code's negative rules (exclusions); a typical example is not coded with its code.
* ``info``    – a code with rules but no examples to test them on.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import CodebookError
from .schema import Codebook, load_codebook
from .validate import structural_problems


@dataclass
class Finding:
    level: str  # error | warning | info
    code: str | None
    message: str

    def to_dict(self) -> dict[str, str | None]:
        return {"level": self.level, "code": self.code, "message": self.message}


def lint(codebook: Codebook | str | Path) -> list[Finding]:
    """Lint a loaded codebook, or load one (structural errors become findings, not exceptions)."""
    if not isinstance(codebook, Codebook):
        cb = load_codebook(codebook, check=False)  # schema errors still raise: nothing to lint
    else:
        cb = codebook
    errors = [Finding("error", None, p) for p in structural_problems(cb)]
    if errors:
        return errors
    return _example_checks(cb)


def _example_checks(cb: Codebook) -> list[Finding]:
    from .engine import RuleEngine

    engine = RuleEngine(cb)
    out: list[Finding] = []
    by_code: dict[str, list[int]] = {}
    for idx, comp in enumerate(engine.compiled):
        by_code.setdefault(comp.code, []).append(idx)
    for i, code in enumerate(cb.codes):
        rule_idx = by_code.get(code.id, [])
        examples = code.examples_typical + code.examples_borderline
        if rule_idx and not examples:
            out.append(Finding("info", code.id, f"{cb.where(('codes', i))}: code {code.id!r} has rules but no examples to test them on"))
            continue
        if not examples:
            continue
        fired: set[int] = set()
        for ex_n, ex in enumerate(code.examples_typical):
            doc = engine.nlp.make_doc(ex)
            hits = engine.rule_hits(doc)
            fired.update(idx for idx, _h in hits)
            neg = sorted({engine.compiled[idx].rule.id for idx, _h in hits
                          if idx in rule_idx and engine.compiled[idx].rule.negative})
            if neg:
                out.append(Finding("warning", code.id,
                                   f"{cb.where(('codes', i, 'examples_typical', ex_n))}: typical example "
                                   f"{ex_n + 1} of {code.id!r} fires its exclusion rule(s) {', '.join(neg)}"))
            elif code.id not in engine.code_doc(doc).codes and rule_idx:
                out.append(Finding("warning", code.id,
                                   f"{cb.where(('codes', i, 'examples_typical', ex_n))}: typical example "
                                   f"{ex_n + 1} of {code.id!r} is not coded {code.id!r} by the rules"))
        for ex in code.examples_borderline:
            fired.update(idx for idx, _h in engine.rule_hits(engine.nlp.make_doc(ex)))
        for idx in rule_idx:
            rule = engine.compiled[idx].rule
            if not rule.negative and rule.weight > 0 and idx not in fired:
                loc = _rule_loc(cb, rule.id)
                out.append(Finding("warning", code.id,
                                   f"{cb.where(loc)}: rule {rule.id!r} never fires on the examples of {code.id!r}"))
    return out


def _rule_loc(cb: Codebook, rule_id: str) -> tuple:
    for _code, rule, loc in cb.all_rules():
        if rule.id == rule_id:
            return loc
    return ()


def lint_or_raise(codebook: Codebook | str | Path) -> list[Finding]:
    """Lint; raise :class:`CodebookError` when there are errors."""
    findings = lint(codebook)
    errs = [f for f in findings if f.level == "error"]
    if errs:
        raise CodebookError(errs[0].message)
    return findings
