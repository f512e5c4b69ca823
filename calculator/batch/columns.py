"""Which column holds which input, and the values given for missing columns and empty cells."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import InputError
from ..i18n import _
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
                raise BatchError(_("{where}: columns {first} ({first_name!r}) and {second} ({second_name!r}) are both "
                                   "'{input}'; rename or remove one").format(
                    where=where, first=found[key] + 1, first_name=names[found[key]], second=i + 1, second_name=nm,
                    input=key))
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
            listed = ", ".join(map(repr, names)) or _("none")
            if len(names) == 1:
                raise BatchError(_("{where}: no '{input}' column (columns: {columns}); name a column '{input}' or give "
                                   "{flag}; is the delimiter right? the header is one column {header!r}").format(
                    where=where, input=req, columns=listed, flag=flag, header=names[0]))
            raise BatchError(_("{where}: no '{input}' column (columns: {columns}); name a column '{input}' or give "
                               "{flag}").format(where=where, input=req, columns=listed, flag=flag))
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
        raise InputError(_("defaults: unknown input {name!r}; inputs are: {names}").format(name=unknown[0],
                                                                                           names=", ".join(FIELD)))
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
