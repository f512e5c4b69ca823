"""Which column holds which input, and the values given for missing columns and empty cells."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..inputs import FIELDS
from .cells import _parse_numbers


class BatchError(InputError):
    """The input as a whole cannot be read (empty, binary, no price column); names the file."""


_FIELD = {f.name: f for f in FIELDS}


_NUMERIC_KINDS = ("money", "fraction", "weight", "length", "number", "int")


def _norm_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _match_columns(names: Sequence[str], where: str) -> dict[str, int]:
    """Input name → position of the column that holds it (header names matched loosely:
    ``Price``, `` price ``, ``weight-g`` all count)."""
    found: dict[str, int] = {}
    for i, nm in enumerate(names):
        key = _norm_name(nm)
        if key in _FIELD:
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
    cols = _match_columns(names, where)
    given = {k for k, v in (defaults or {}).items() if v is not None and v != ""}
    for req, flag in (("price", "--price"), ("origin", "--from")):
        if req not in cols and req not in given:
            hint = (f"; is the delimiter right? the header is one column {names[0]!r}" if len(names) == 1 else "")
            raise BatchError(f"{where}: no '{req}' column (columns: {', '.join(map(repr, names)) or 'none'}); "
                             f"name a column '{req}' or give {flag}{hint}")
    return cols


def _clean_text(word: str, kind: str) -> str:
    w = str(word).strip()
    if kind == "choice":
        return re.sub(r"[\s\-]+", "_", w.lower())
    return w


def _default_number(value: object, name: str, kind: str, decimal: str) -> float:
    """A command-line default, read exactly like a cell and held to the input's range; raises
    InputError naming the flag."""
    f = _FIELD[name]
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        v, shown = float(value), repr(value)
    else:
        p = _parse_numbers(pa.array([str(value)]), f.flag, kind, decimal)
        if p.bad[0] or np.isnan(p.values[0]):
            raise InputError(str(p.text[0]) if p.text is not None else f"{f.flag}: {value!r} is not a number")
        v, shown = float(p.values[0]), repr(str(value))
    low, high = f.range or (-np.inf, np.inf)
    if not low <= v <= high:
        raise InputError(f"{f.flag}: {shown} is out of range; give {f.range_text} [{f.unit}]")
    if kind == "int" and v != round(v):
        raise InputError(f"{f.flag}: {shown} is not a whole number")
    return v + 0.0  # -0 is 0


def _default_date(value: object, name: str) -> np.datetime64:
    try:
        return np.datetime64(str(value).strip(), "D")
    except ValueError:
        raise InputError(f"{_FIELD[name].flag}: {value!r} is not a date; write YYYY-MM-DD") from None


def _check_defaults(defaults: Mapping[str, object], decimal: str) -> None:
    """Values for missing columns are read like cells: refuse a wrong one before anything is read."""
    unknown = sorted(set(defaults) - set(_FIELD))
    if unknown:
        raise InputError(f"defaults: unknown input {unknown[0]!r}; inputs are: {', '.join(_FIELD)}")
    for name, value in defaults.items():
        if value is None or value == "":
            continue
        kind = _FIELD[name].kind
        if kind in _NUMERIC_KINDS:
            _default_number(value, name, kind, decimal)
        elif kind == "date":
            _default_date(value, name)
