"""The summary of a batch: counts and the money recovered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ._codes import distinct_codes, distinct_ints
from ..formatting import number, share
from ..i18n import N_, _
from ._arrow import code, contiguous, encode, lengths
from .columns import FIELD, match_columns
from .table import Evaluated, from_pandas, rates_of


_OPTIONS = ("return", "partial_keep", "partial_resell", "keep")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class BatchSummary:
    """Counts and money totals of a batch; summaries of chunks add up with ``+``.

    ``groups`` maps (origin, currency, recommendation) of the evaluated rows to
    (orders, recommended, always_return, always_partial_refund): sums of the expected value of
    the recommended option, of ``return`` and of ``partial_keep`` (accept the partial refund and
    keep the item), in that currency.
    """

    rows: int = 0
    problem_rows: int = 0
    first_problems: tuple[tuple[int, str], ...] = ()  # (line or row number, text), the first 10
    groups: Mapping[tuple[str, str, str], tuple[int, float, float, float]] = field(default_factory=dict)
    unit: str = "line"  # what first_problems count: CSV lines or Parquet rows
    notes: tuple[str, ...] = ()

    KEEP_PROBLEMS = 10

    @property
    def evaluated(self) -> int:
        return self.rows - self.problem_rows

    @property
    def recommendations(self) -> dict[str, int]:
        out = dict.fromkeys(_OPTIONS, 0)
        for (_origin, _currency, rec), v in self.groups.items():
            out[rec] = out.get(rec, 0) + v[0]
        return out

    def __add__(self, other: BatchSummary) -> BatchSummary:
        groups = dict(self.groups)
        for k, v in other.groups.items():
            old = groups.get(k)
            groups[k] = v if old is None else tuple(a + b for a, b in zip(old, v))  # type: ignore[assignment]
        return BatchSummary(
            rows=self.rows + other.rows, problem_rows=self.problem_rows + other.problem_rows,
            first_problems=(self.first_problems + other.first_problems)[: self.KEEP_PROBLEMS],
            groups=groups, unit=other.unit if other.rows else self.unit, notes=self.notes + other.notes,
        )

    def totals(self, fx: Any = None) -> dict[str, Any]:
        """Money recovered, by currency and converted to EUR (where a rate exists)."""
        from ..fx import reference_rates

        rates = rates_of(fx) or reference_rates()
        by_cur: dict[str, list[float]] = {}
        by_origin: dict[str, dict[str, Any]] = {}
        eur = [0, 0.0, 0.0, 0.0]
        no_rate: dict[str, int] = {}
        for (origin, cur, rec), (cnt, best, ret, part) in sorted(self.groups.items()):
            t = by_cur.setdefault(cur, [0, 0.0, 0.0, 0.0])
            t[0] += cnt
            t[1] += best
            t[2] += ret
            t[3] += part
            o = by_origin.setdefault(origin, {"orders": 0, "recommendations": dict.fromkeys(_OPTIONS, 0),
                                              "saving_vs_always_return_eur": 0.0,
                                              "saving_vs_always_partial_refund_eur": 0.0,
                                              "orders_without_eur_rate": 0})
            o["orders"] += cnt
            o["recommendations"][rec] = o["recommendations"].get(rec, 0) + cnt
            f = rates.factor(cur, "EUR")
            if np.isfinite(f):
                eur[0] += cnt
                eur[1] += best * f
                eur[2] += ret * f
                eur[3] += part * f
                o["saving_vs_always_return_eur"] += (best - ret) * f
                o["saving_vs_always_partial_refund_eur"] += (best - part) * f
            else:
                no_rate[cur] = no_rate.get(cur, 0) + cnt
                o["orders_without_eur_rate"] += cnt

        def block(t: Sequence[float]) -> dict[str, Any]:
            return {"orders": int(t[0]), "recommended": round(t[1], 2), "always_return": round(t[2], 2),
                    "always_partial_refund": round(t[3], 2),
                    "saving_vs_always_return": round(t[1] - t[2], 2),
                    "saving_vs_always_partial_refund": round(t[1] - t[3], 2)}

        for o in by_origin.values():
            o["saving_vs_always_return_eur"] = round(o["saving_vs_always_return_eur"], 2)
            o["saving_vs_always_partial_refund_eur"] = round(o["saving_vs_always_partial_refund_eur"], 2)
        return {
            "by_currency": {c: block(t) for c, t in by_cur.items()},
            "eur": {**block(eur), "rates_of": str(rates.date) if rates.date else None,
                    "orders_without_rate": sum(no_rate.values()), "currencies_without_rate": sorted(no_rate)},
            "by_origin": by_origin,
        }

    def to_dict(self, fx: Any = None) -> dict[str, Any]:
        t = self.totals(fx)
        return {
            "rows": self.rows,
            "evaluated": self.evaluated,
            "problem_rows": self.problem_rows,
            f"first_problem_{self.unit}s": [n for n, _ in self.first_problems],
            "first_problems": [{self.unit: n, "problem": p} for n, p in self.first_problems],
            "recommendations": self.recommendations,
            "money_recovered": {
                "definition": _(MONEY_RECOVERED),
                "by_currency": t["by_currency"],
                "eur": t["eur"],
            },
            "by_origin": t["by_origin"],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """The few lines printed on stderr after a batch, in the current language (the options by
        their codes, as the ``recommendation`` column has them).

        Examples
        --------
        >>> print(BatchSummary(rows=2, problem_rows=2, first_problems=((3, "price: missing"), (5, "price: missing"))
        ...                    ).text())
        rows: 2; evaluated: 0; with problems: 2
          problems on lines 3, 5 (see the 'problem' column)
          first: line 3: price: missing
        """
        lines = [_("rows: {rows}; evaluated: {evaluated}; with problems: {problems}").format(
            rows=number(self.rows, 0), evaluated=number(self.evaluated, 0), problems=number(self.problem_rows, 0))]
        if self.problem_rows:
            where = ", ".join(str(n) for n, _p in self.first_problems)
            more = ", …" if self.problem_rows > len(self.first_problems) else ""
            if self.unit == "line":
                lines.append("  " + _("problems on lines {lines} (see the 'problem' column)").format(
                    lines=where + more))
            else:
                lines.append("  " + _("problems on rows {rows} (see the 'problem' column)").format(rows=where + more))
            n0, p0 = self.first_problems[0]
            first = _("first: line {line}: {problem}") if self.unit == "line" else _("first: row {row}: {problem}")
            lines.append("  " + first.format(line=n0, row=n0, problem=p0))
        if self.evaluated:
            recs = self.recommendations
            split = " · ".join(f"{k} {number(v, 0)} ({share(v / self.evaluated, fixed=True)})"
                               for k, v in recs.items())
            lines.append("  " + _("recommendations: {split}").format(split=split))
        lines += ["  " + _("note: {note}").format(note=n) for n in self.notes]
        return "\n".join(lines)


#: How "money recovered" is defined in the summary (written into summary.json).
MONEY_RECOVERED = N_(
    "Sum over the evaluated orders of the expected value (design section 2) of a decision, in the order "
    "currency: what the buyer can expect to get back or keep - the refund times the chance of winning the "
    "dispute minus postage and own costs for 'return', the partial refund plus the item's worth kept or "
    "resold for the others. 'recommended' takes each order's recommended option, 'always_return' takes "
    "EV_return for every order, 'always_partial_refund' takes EV_partial_keep (accept the partial refund "
    "and keep the item); where that option is closed for an order (the dispute window has passed, no "
    "partial-refund procedure), the order is kept (EV_keep). Savings are 'recommended' minus each blanket "
    "policy. EUR totals convert each currency at the reference rates; currencies without a rate are left "
    "out and listed."
)  # English, marked for translation: summary.json has it in the current language


#: Distinct codes, and each evaluated row's index into them.
Codes = tuple[np.ndarray, np.ndarray]


def summarize(frame_or_table, *, lines: np.ndarray | None = None, defaults: Mapping[str, object] | None = None,
              unit: str = "row") -> BatchSummary:
    """The :class:`BatchSummary` of one output chunk (a DataFrame from :func:`evaluate_frame`, or
    a Table from :func:`evaluate_table`); add the summaries of all chunks with ``+``.

    ``lines`` numbers the rows for the list of first problems (default: 1, 2, ...); origin and
    currency are read from the input columns as the evaluation read them, with ``defaults``.

    Examples
    --------
    >>> import datetime
    >>> import pandas as pd
    >>> from calculator.batch import evaluate_frame
    >>> out = evaluate_frame(pd.DataFrame({"price": ["30", "x"], "origin": "DE", "postage": "6"}),
    ...                      defaults={"currency": "EUR", "reason": "damaged"}, today=datetime.date(2026, 11, 26))
    >>> s = summarize(out, defaults={"currency": "EUR"})
    >>> s.rows, s.problem_rows, s.first_problems, s.recommendations["return"]
    (2, 1, ((2, "price: 'x' is not a number; write e.g. 12.99"),), 1)
    """
    t = frame_or_table if isinstance(frame_or_table, pa.Table) else from_pandas(frame_or_table)
    bad = lengths(contiguous(t.column("problem"))) > 0 if t.num_rows else np.zeros(0, bool)
    ok = np.flatnonzero(~bad)
    cols = match_columns(t.column_names, "header") if ok.size else {}
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None and v != ""}

    def codes(name: str) -> tuple[np.ndarray, np.ndarray]:
        """Distinct codes of the evaluated rows and each one's index into them."""
        d = code(str(defaults.get(name, FIELD[name].default) or ""))
        if name not in cols:
            return np.array([d]), np.zeros(len(ok), np.intp)
        words, idx = encode(t.column(cols[name]), code, d)
        labels, remap = np.unique(words.astype(str), return_inverse=True)
        return labels, remap.ravel()[idx[ok]]

    return _summary(t, bad, codes("origin") if ok.size else None, codes("currency") if ok.size else None,
                    lines, unit)


def summary_of(evaluated: Evaluated, lines: np.ndarray, unit: str) -> BatchSummary:
    """The :class:`BatchSummary` of a chunk as :func:`~calculator.batch.table.evaluate` decided it:
    origin and currency are those the evaluation read, not read again from the table."""
    ok = ~evaluated.problem

    def codes(per_row: np.ndarray) -> Codes | None:
        if not ok.any():
            return None
        return distinct_codes(per_row[ok])

    return _summary(evaluated.table, evaluated.problem, codes(evaluated.origin), codes(evaluated.currency),
                    lines, unit)



def _summary(t: pa.Table, bad: np.ndarray, origin: Codes | None, currency: Codes | None,
             lines: np.ndarray | None, unit: str) -> BatchSummary:
    """Counts and money sums of an output table whose rows with a problem are ``bad``, grouped by
    the evaluated rows' origin and currency (distinct codes, and each evaluated row's index)."""
    n = t.num_rows
    if lines is None:
        lines = np.arange(1, n + 1)
    shown = np.flatnonzero(bad)[: BatchSummary.KEEP_PROBLEMS]
    problem = t.column("problem")
    first = tuple(zip(lines[shown].tolist(), problem.take(pa.array(shown, pa.int64())).to_pylist()))
    if origin is None or currency is None:  # no row was evaluated
        return BatchSummary(rows=n, problem_rows=int(bad.sum()), first_problems=first, unit=unit)
    ok = np.flatnonzero(~bad)
    (o_lab, o_idx), (c_lab, c_idx) = origin, currency
    r_lab, r_idx = encode(t.column("recommendation"), str.strip)
    r_idx = r_idx[ok]
    ev = np.stack([np.asarray(t.column(f"ev_{o}").to_numpy(), dtype=np.float64)[ok] for o in _OPTIONS])
    option = np.array([_OPTIONS.index(r) if r in _OPTIONS else -1 for r in r_lab], np.intp)[r_idx]
    best = np.where(option >= 0, ev[option, np.arange(len(ok))], np.nan)
    key = (o_idx * len(c_lab) + c_idx) * len(r_lab) + r_idx
    uniq, inv = distinct_ints(key)
    cnt = np.bincount(inv, minlength=len(uniq))
    # a blanket policy cannot take an option that is closed for an order: that order is kept
    keep = ev[_OPTIONS.index("keep")]
    policies = [np.where(np.isnan(ev[_OPTIONS.index(o)]), keep, ev[_OPTIONS.index(o)])
                for o in ("return", "partial_keep")]
    sums = [np.bincount(inv, weights=np.nan_to_num(x), minlength=len(uniq)) for x in (best, *policies)]
    groups = {}
    for i, k in enumerate(uniq.tolist()):
        rest, r = divmod(k, len(r_lab))
        o, c = divmod(rest, len(c_lab))
        groups[(str(o_lab[o]), str(c_lab[c]), str(r_lab[r]))] = (
            int(cnt[i]), float(sums[0][i]), float(sums[1][i]), float(sums[2][i]))
    return BatchSummary(rows=n, problem_rows=int(bad.sum()), first_problems=first, groups=groups, unit=unit)
