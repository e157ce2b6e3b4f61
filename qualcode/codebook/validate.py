"""Structural checks of a codebook: ids, parents, cycles, rule references and rule syntax.

These problems make a codebook unusable, so :func:`~qualcode.codebook.schema.load_codebook`
raises on them; ``qualcode codebook lint`` lists them all.
"""
from __future__ import annotations

from typing import Any

from .rules import rule_problems
from .schema import Codebook


def _msg(cb: Codebook, loc: tuple[Any, ...], field: str, text: str) -> str:
    return f"{cb.where(loc)}: field {field}: {text}"


def _code_field(cb: Codebook, i: int, rest: str = "") -> str:
    return f"codes[{i}] ({cb.codes[i].id}){rest}"


def structural_problems(cb: Codebook) -> list[str]:
    """Every structural problem as ``file:line: field ...: message`` (empty when sound)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(cb.codes):
        if c.id in seen:
            out.append(_msg(cb, ("codes", i, "id"), _code_field(cb, i, ".id"),
                            f"duplicate code id {c.id!r} (first at codes[{seen[c.id]}])"))
        else:
            seen[c.id] = i
    by_id = {c.id: c for c in cb.codes}
    for i, c in enumerate(cb.codes):
        if c.parent is not None and c.parent not in by_id:
            out.append(_msg(cb, ("codes", i, "parent"), _code_field(cb, i, ".parent"),
                            f"unknown parent {c.parent!r}"))
    # cycles: follow parents; report each cycle once, at its first code in file order
    reported: set[frozenset[str]] = set()
    for i, c in enumerate(cb.codes):
        chain = [c.id]
        cur = c
        while cur.parent is not None and cur.parent in by_id:
            if cur.parent in chain:
                cycle = chain[chain.index(cur.parent):]
                key = frozenset(cycle)
                if key not in reported and cycle[0] == c.id:
                    reported.add(key)
                    out.append(_msg(cb, ("codes", i, "parent"), _code_field(cb, i, ".parent"),
                                    "parent cycle " + " -> ".join(cycle + [cycle[0]])))
                break
            chain.append(cur.parent)
            cur = by_id[cur.parent]
    rule_seen: dict[str, str] = {}
    for code_id, rule, loc in cb.all_rules():
        field = _rule_field(cb, loc)
        if rule.id in rule_seen:
            out.append(_msg(cb, loc + ("id",), field + ".id", f"duplicate rule id {rule.id!r}"))
        rule_seen.setdefault(rule.id, field)
        if not code_id:
            out.append(_msg(cb, loc, field + ".code", "a codebook-level rule must name its code"))
        elif code_id not in by_id:
            out.append(_msg(cb, loc + ("code",), field + ".code", f"rule names unknown code {code_id!r}"))
        for sub, text in rule_problems(rule):
            sub_loc = tuple(int(p) if p.isdigit() else p for p in sub.split("."))
            out.append(_msg(cb, loc + sub_loc, field + "." + sub, text))
    return out


def _rule_field(cb: Codebook, loc: tuple[Any, ...]) -> str:
    if loc[0] == "codes":
        return _code_field(cb, loc[1], f".rules[{loc[3]}] ({cb.codes[loc[1]].rules[loc[3]].id})")
    return f"rules[{loc[1]}] ({cb.rules[loc[1]].id})"
