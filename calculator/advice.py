"""One order, answered in words: what to do, why, what it is worth, the steps and the deadlines.

:func:`estimate` assesses one order with :func:`calculator.assess` and wraps it in an
:class:`Estimate`, whose text says first what can still be done (a closed dispute window leaves
only keeping the item), then the recommendation with its numbers, where the answer would flip, the
process step by step with its dates (design section 4), and every assumption with its reason.

The numbers of the answer live here; its sentences (summary, steps, timeline, assumption reasons,
warnings, the text and HTML views) are built in :mod:`calculator.advice_words`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import advice_words as _words
from . import model as _model
from .assessment import MONEY_COLUMNS, FRACTION_COLUMNS, Assessment, assess
from .errors import InputError
from .formatting import money, round_output
from .i18n import Views, _
from .fx import FxRates
from .policy import Marketplace, get_marketplace
from .tariffs import Tariff, resolve

__all__ = ["Estimate", "LocalReturn", "estimate"]

# Inputs a user always gives or that are shown elsewhere (postage, parcel) are not listed as
# assumptions.
_NOT_ASSUMPTIONS = {"postage", "length_cm", "width_cm", "height_cm", "zone", "service", "postage_currency",
                    "weight_g", "price", "origin", "reason", "purchased_on", "mall", "disputes_won_in_a_row"}


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalReturn:
    """What returning to a return address in the buyer's own country would cost and change."""

    postage: float  # [order currency]
    service: str
    ev_return: float  # [order currency]
    recommendation: str
    shown_service: str = ""  # the service in the language texts were in when it was priced


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Estimate(Views):
    """The answer for one order: what to do, by how much, how sure, the steps and dates, and where
    the answer would flip. ``print()`` it for the text, or use :meth:`to_dict`."""

    assessment: Assessment
    exchange: bool = False
    local: LocalReturn | None = None

    # -- numbers -------------------------------------------------------------------------------

    def _get(self, a: NDArray) -> object:
        v = np.asarray(a).reshape(-1)[0]
        return v.item() if hasattr(v, "item") else v

    def value(self, name: str) -> object:
        """The value of an input after defaults (``assessment.values``), as a Python scalar."""
        return self._get(self.assessment.values[name])

    @property
    def market(self) -> Marketplace:
        return get_marketplace(str(self.value("marketplace")))

    @property
    def currency(self) -> str:
        return str(self.value("currency"))

    @property
    def recommendation(self) -> str:
        return str(self.assessment.recommendation[0])

    @property
    def ev(self) -> dict[str, float]:
        """Expected value of each option (NaN for an option that cannot be taken). [order currency]"""
        return {o: float(self.assessment.evaluation.ev[i, 0]) for i, o in enumerate(_model.OPTIONS)}

    @property
    def open_options(self) -> list[str]:
        """The options that can still be taken, best first."""
        ev = self.ev
        return sorted((o for o, v in ev.items() if not math.isnan(v)), key=lambda o: -ev[o])

    @property
    def margin(self) -> float:
        return float(self.assessment.evaluation.margin[0])

    @property
    def postage(self) -> float:
        return float(self.assessment.postage[0])

    @property
    def break_even_price(self) -> float:
        return float(self.assessment.evaluation.break_even_price[0])

    @property
    def max_postage(self) -> float:
        return float(self.assessment.evaluation.max_postage[0])

    @property
    def min_partial_refund(self) -> float:
        return float(self.assessment.evaluation.min_partial_refund[0])

    @property
    def free_return(self) -> bool:
        return bool(self.assessment.free_return[0])

    @property
    def window_closed(self) -> bool:
        return "dispute_window_closed" in self.warnings

    @property
    def warnings(self) -> list[str]:
        return [w for w in str(self.assessment.warning_codes()[0]).split(";") if w]

    @property
    def resale(self) -> float:
        """Net proceeds of a local sale, r·(1 − φ)·P − k. [order currency]"""
        x = self.assessment.inputs
        return float(self._get(x.resale_value * (1 - x.resale_fee) * x.price - x.resale_cost))

    def timeline(self) -> dict[str, _dt.date | None]:
        """Deadlines and the dates the money can arrive (``None`` where unknown or closed)."""
        out = {}
        for k, v in self.assessment.dates.items():
            d = v[0]
            out[k] = None if np.isnat(d) else d.astype(object)
        return out

    # -- words (built in calculator.advice_words) ---------------------------------------------

    def money(self, x: float) -> str:
        """An amount in the order currency, as the current language writes it."""
        return money(x, self.currency)

    def words(self, option: str) -> str:
        """What ``option`` means for this order, in plain words."""
        return _words.option_words(self, option)

    def closed(self) -> dict[str, str]:
        """The options that cannot be taken, each with why, in words."""
        return _words.closed(self)

    def assumptions(self) -> dict[str, dict[str, object]]:
        """Every input that took a default: its value and why (plain words, with the source)."""
        a = self.assessment
        out: dict[str, dict[str, object]] = {}
        rsn = str(self.value("reason"))
        for name, mask in a.assumed.items():
            if not bool(mask[0]) or name in _NOT_ASSUMPTIONS:
                continue
            value = self.value(name)
            why = _words.why_assumed(self, name, rsn)
            if why is None:
                continue
            if isinstance(value, np.datetime64):
                value = str(value)
            out[name] = {"value": value, "why": why}
        return out

    def summary(self) -> str:
        """What is left (if the window has closed) and the recommendation, with the numbers."""
        return _words.summary(self)

    def steps(self) -> list[str]:
        """What to do for the recommended option, step by step, with the dates."""
        return _words.steps(self)

    def _warning_texts(self) -> list[str]:
        return _words.warning_texts(self)

    def __str__(self) -> str:
        return _words.text(self)

    def exchange_info(self) -> dict[str, object] | None:
        """An exchange is a return plus a new order: what it costs now and when the first order's
        money is back (``None`` when no return is possible)."""
        if "return" not in self.open_options:
            return None
        tl = self.timeline()
        x = self.assessment.inputs
        own = float(self._get((1 - x.seller_pays_postage) * x.postage + x.packaging_cost + x.hassle_hours * x.hourly_value))
        return {"postage_and_costs": own, "new_order": float(self.value("price")),
                "refund_earliest": tl["refund_return_earliest"], "refund_latest": tl["refund_return_latest"],
                "win_probability": float(self.value("win_probability"))}

    def to_dict(self) -> dict[str, object]:
        """Every number of the estimate, JSON-ready (NaN → null, ∞ → "inf")."""
        a = self.assessment

        def clean(v: object) -> object:
            if isinstance(v, float):
                return None if math.isnan(v) else (str(v) if math.isinf(v) else v)
            if isinstance(v, np.datetime64):
                return None if np.isnat(v) else str(v)
            if isinstance(v, _dt.date):
                return str(v)
            return v

        cols = {k: clean(self._get(v)) for k, v in a.columns().items()}
        for k in MONEY_COLUMNS:
            if isinstance(cols[k], float):
                cols[k] = float(round_output(cols[k], 2))
        for k in FRACTION_COLUMNS:
            if isinstance(cols[k], float):
                cols[k] = float(round_output(cols[k], 4))
        inputs = {k: clean(self._get(v)) for k, v in a.values.items()}
        out: dict[str, object] = {
            "recommendation": self.recommendation,
            "currency": self.currency,
            "ev": {k: clean(float(round_output(v, 2))) for k, v in self.ev.items()},
            "closed": self.closed(),
            "outputs": cols,
            "inputs": inputs,
            "assumed": {k: {"value": clean(e["value"]), "why": e["why"]} for k, e in self.assumptions().items()},
            "steps": self.steps(),
            "warnings": [{"code": c, "text": t} for c, t in zip(self.warnings, self._warning_texts())],
            "today": str(a.today),
        }
        if self.exchange:
            info = self.exchange_info()
            out["exchange"] = None if info is None else {k: clean(v) for k, v in info.items()}
        if self.local is not None:
            out["local_return"] = {"postage": self.local.postage, "service": self.local.service,
                                   "ev_return": self.local.ev_return, "recommendation": self.local.recommendation}
        return out

    def to_frame(self):  # -> pandas.DataFrame
        """One row per option: EV (NaN where closed) and whether it is recommended."""
        import pandas as pd

        return pd.DataFrame(
            {"option": list(self.ev), "ev": list(self.ev.values()),
             "recommended": [o == self.recommendation for o in self.ev]}
        ).set_index("option")

    def __repr__(self) -> str:
        return f"<Estimate {self.recommendation}: margin {self.money(self.margin)}>\n{self}"

    def _repr_html_(self) -> str:
        return _words.html_text(self)


def estimate(
    *,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
    today: _dt.date | None = None,
    exchange: bool = False,
    local_return: bool = True,
    **inputs: object,
) -> Estimate:
    """Decide one order: return it, accept a partial refund, or keep it.

    Parameters
    ----------
    **inputs
        The order, by the names of :data:`calculator.inputs.FIELDS` (``price``, ``currency``,
        ``origin``, ``weight_g``, ``reason``, ...). Scalars only; use :func:`assess` for many
        orders. ``reason`` is required.
    tariffs, fx, today
        As for :func:`calculator.assess`.
    exchange
        Also say what an exchange (a return plus a new order) costs and when the money is back.
    local_return
        Also price a return to an address in the buyer's own country, where a domestic tariff
        exists, and say whether it would change the answer.

    Returns
    -------
    Estimate

    Raises
    ------
    InputError
        For an invalid or missing value, naming the input (a missing ``reason`` lists the codes).
    RouteError
        When no tariff prices the route and no ``postage`` is given; the message lists the
        tariffs for the origin and how to pass a counter quote.

    Examples
    --------
    The guide's phone: 18,000 RUB, arrived broken, return postage 1,450 RUB. Returning is worth
    0.84·(18,000 − 1,450) + 0.16·1,800 (the broken phone sold locally if the dispute is refused):

    >>> import datetime
    >>> e = estimate(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged",
    ...              received_on="2026-11-20", today=datetime.date(2026, 11, 29))
    >>> e.recommendation, e.ev["return"]
    ('return', 14190.0)
    """
    for k, v in inputs.items():
        if np.ndim(v) > 0:
            raise InputError(_("{name}: estimate() takes one order; use assess() for many").format(name=k))
    tset = resolve(tariffs, today=today)
    a = assess(tariffs=tset, fx=fx, today=today, errors="raise", **inputs)  # type: ignore[arg-type]
    local = _local_return(a, tset, fx, today, inputs) if local_return else None
    return Estimate(assessment=a, exchange=exchange, local=local)


def _local_return(a: Assessment, tset, fx, today, inputs: dict[str, object]) -> LocalReturn | None:
    """The same order returned to an address in the origin country, priced by a domestic tariff."""
    v = a.values
    origin = str(v["origin"][0])
    if (not bool(a.return_open[0]) or bool(a.free_return[0]) or str(v["destination"][0]) == origin
            or not any(t.origin == origin and origin in t.destinations() for t in tset)):
        return None
    local = {k: x for k, x in inputs.items() if k not in ("postage", "postage_currency", "service", "zone")}
    local["destination"] = origin
    b = assess(tariffs=tset, fx=fx, today=today, errors="mark", **local)  # type: ignore[arg-type]
    if b.problem[0] or not np.isfinite(b.postage[0]):
        return None
    return LocalReturn(postage=float(b.postage[0]), service=str(b.service[0]), shown_service=str(b.shown_service[0]),
                       ev_return=float(b.evaluation.ev_return[0]), recommendation=str(b.recommendation[0]))
