"""Which column holds which input, and the values given for missing columns and empty cells."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import InputError
from ..inputs import FIELDS
from ..units import Reading, read_date, read_input, read_yes_no


class BatchError(InputError):
    """The input as a whole cannot be read (empty, binary, no price column); names the file."""


FIELD = {f.name: f for f in FIELDS}
NUMERIC_KINDS = ("money", "fraction", "weight", "length", "number", "int")
TEXT_KINDS = ("currency", "country", "choice", "text")


def norm_name(name: str) -> str:
    """A header name as an input's name: ``Weight-g `` → ``weight_g``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def match_columns(names: Sequence[str], where: str) -> dict[str, int]:
    """Input name → position of the column that holds it (header names matched loosely:
    ``Price``, `` price ``, ``weight-g`` all count)."""
    found: dict[str, int] = {}
    for i, nm in enumerate(names):
        key = norm_name(nm)
        if key in FIELD:
            if key in found:
                raise BatchError(
                    f"{where}: columns {found[key] + 1} ({names[found[key]]!r}) and {i + 1} ({nm!r}) are both "
                    f"'{key}'; rename or remove one"
                )
            found[key] = i
    return found


def check_columns(columns: Sequence[str], defaults: Mapping[str, object] | None = None, *,
                  where: str = "header") -> dict[str, int]:
    """Which column holds which input; raises :class:`BatchError` for a missing ``price`` or
    ``origin`` (unless ``defaults`` gives it) or an input named twice."""
    names = [str(c) for c in columns]
    cols = match_columns(names, where)
    given = {k for k, v in (defaults or {}).items() if v is not None and v != ""}
    for req, flag in (("price", "--price"), ("origin", "--from")):
        if req not in cols and req not in given:
            hint = (f"; is the delimiter right? the header is one column {names[0]!r}" if len(names) == 1 else "")
            raise BatchError(f"{where}: no '{req}' column (columns: {', '.join(map(repr, names)) or 'none'}); "
                             f"name a column '{req}' or give {flag}{hint}")
    return cols


def clean_text(word: str, kind: str) -> str:
    """A text input as the evaluation reads it (a choice in lower case, words joined by ``_``)."""
    w = str(word).strip()
    if kind == "choice":
        return re.sub(r"[\s\-]+", "_", w.lower())
    return w


def read_defaults(defaults: Mapping[str, object] | None, decimal: str) -> dict[str, object]:
    """The values for missing columns and empty cells, read as a cell is read (by the value engine
    of :mod:`calculator.units`, which reads what the column engine reads): a number as a
    :class:`~calculator.units.Reading` (its currency sign is checked row by row), a date as a
    ``datetime64[D]``, yes/no as a bool, text cleaned. Raises :class:`InputError` naming the flag
    for a value that cannot be read, before anything else is."""
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None and v != ""}
    unknown = sorted(set(defaults) - set(FIELD))
    if unknown:
        raise InputError(f"defaults: unknown input {unknown[0]!r}; inputs are: {', '.join(FIELD)}")
    out: dict[str, object] = {}
    for name, value in defaults.items():
        f = FIELD[name]
        if f.kind in NUMERIC_KINDS:
            r = read_input(value, name, label=f.flag, decimal=decimal)
            problem = r.problem
            out[name] = r
        elif f.kind == "date":
            day, problem = read_date(value, name=f.flag)
            out[name] = np.datetime64(day, "D")
        elif f.kind == "bool":
            answer, problem = read_yes_no(value, name=f.flag)
            out[name] = answer
        else:
            problem = ""
            out[name] = clean_text(str(value), f.kind)
        if problem:
            raise InputError(problem)
    return {k: v for k, v in out.items() if v is not None and not (isinstance(v, Reading) and np.isnan(v.value))}
