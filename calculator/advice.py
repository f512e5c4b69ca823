"""One order, answered in words: what to do, why, what it is worth, the steps and the deadlines.

:func:`estimate` assesses one order with :func:`calculator.assess` and wraps it in an
:class:`Estimate`, whose text says first what can still be done (a closed dispute window leaves
only keeping the item), then the recommendation with its numbers, where the answer would flip, the
process step by step with its dates (design section 4), and every assumption with its reason.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import model as _model
from .assessment import FREE_NOT, MONEY_COLUMNS, FRACTION_COLUMNS, Assessment, assess
from .errors import InputError
from .formatting import money, round_output, share
from .fx import FxRates
from .inputs import BY_REASON, MIN_RESALE_EUR, REASON_DEFAULTS, REASON_WORDS, SOURCES_FILE, field
from .policy import Marketplace, get_marketplace
from .tariffs import Tariff

__all__ = ["Estimate", "LocalReturn", "estimate"]

_DISPUTE_OPTIONS = ("partial_keep", "partial_resell", "return")

#: Input names in words, for sentences (no single letters, no codes).
_NAMES: dict[str, str] = {
    "win_probability": "chance the return is accepted",
    "partial_probability": "chance the partial refund is granted",
    "partial_refund": "partial refund to ask for",
    "use_value": "what keeping it is worth to you",
    "resale_value": "local resale price",
    "seller_pays_postage": "share of the postage the seller pays",
    "min_resale": "smallest sale worth the effort",
    "free_return": "free-return programme",
    "currency": "order currency",
    "destination": "return address in",
    "marketplace": "marketplace",
    "received_on": "item received on",
    "resale_fee": "resale fee",
    "resale_cost": "cost of selling",
    "packaging_cost": "packaging",
    "hassle_hours": "your time",
    "hourly_value": "value of an hour",
    "disputes_won_in_a_row": "disputes won in a row",
    "mall": "Mall item",
}

# Inputs a user always gives or that are shown elsewhere (postage, parcel) are not listed as
# assumptions.
_NOT_ASSUMPTIONS = {"postage", "length_cm", "width_cm", "height_cm", "zone", "service", "postage_currency",
                    "weight_g", "price", "origin", "reason", "purchased_on", "mall", "disputes_won_in_a_row"}
_ZERO_DEFAULTS = ("packaging_cost", "hassle_hours", "hourly_value", "resale_fee", "resale_cost")


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalReturn:
    """What returning to a return address in the buyer's own country would cost and change."""

    postage: float  # [order currency]
    service: str
    ev_return: float  # [order currency]
    recommendation: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Estimate:
    """The answer for one order: what to do, by how much, how sure, the steps and dates, and where
    the answer would flip. ``print()`` it for the text, or use :meth:`to_dict`."""

    assessment: Assessment
    exchange: bool = False
    local: LocalReturn | None = None

    # -- numbers -------------------------------------------------------------------------------

    def _get(self, a: NDArray) -> object:
        v = np.asarray(a).reshape(-1)[0]
        return v.item() if hasattr(v, "item") else v

    def _value(self, name: str) -> object:
        return self._get(self.assessment.values[name])

    @property
    def market(self) -> Marketplace:
        return get_marketplace(str(self._value("marketplace")))

    @property
    def currency(self) -> str:
        return str(self._value("currency"))

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

    # -- words ---------------------------------------------------------------------------------

    def _money(self, x: float) -> str:
        return money(x, self.currency)

    def words(self, option: str) -> str:
        """What ``option`` means for this order, in plain words."""
        if option == "keep":
            if bool(self.assessment.evaluation.keep_sells[0]):
                return f"sell it locally without a dispute (about {self._money(self.resale)})"
            return "keep it without a dispute"
        if option == "return" and self.free_return:
            return "return it free through the free-return programme"
        if option == "return" and float(self._value("seller_pays_postage")) >= 1:
            return "dispute for a full refund and post the item back on the seller's postage"
        return _model.OPTION_WORDS[option]

    def closed(self) -> dict[str, str]:
        """The options that cannot be taken, each with why, in words."""
        a = self.assessment
        out: dict[str, str] = {}
        tl = self.timeline()
        if self.window_closed:
            for o in _DISPUTE_OPTIONS:
                out[o] = f"the dispute window closed on {tl['dispute_deadline']}"
        if "no_partial_refund_procedure" in self.warnings:
            for o in ("partial_keep", "partial_resell"):
                out.setdefault(o, f"{self.market.name} has no partial-refund procedure (give --partial-refund "
                                  "if the seller offers one)")
        if not bool(a.evaluation.resale_open[0]):
            m = float(self._value("min_resale"))
            out.setdefault("partial_resell", f"a local sale would bring {self._money(self.resale)}, less than the "
                                             f"{self._money(m)} worth the effort (--min-resale)")
        return {o: out[o] for o in _model.OPTIONS if o in out and math.isnan(self.ev[o])}

    def assumptions(self) -> dict[str, dict[str, object]]:
        """Every input that took a default: its value and why (plain words, with the source)."""
        a = self.assessment
        out: dict[str, dict[str, object]] = {}
        rsn = str(self._value("reason"))
        for name, mask in a.assumed.items():
            if not bool(mask[0]) or name in _NOT_ASSUMPTIONS:
                continue
            value = self._value(name)
            why = self._why(name, rsn)
            if why is None:
                continue
            if isinstance(value, np.datetime64):
                value = str(value)
            out[name] = {"value": value, "why": why}
        return out

    def _why(self, name: str, rsn: str) -> str | None:
        a, m = self.assessment, self.market
        if name == "win_probability" and self.free_return:
            return (f"a free return is refunded when the warehouse scans it; there is no seller to refuse "
                    f"({m.sources.get('free_return_win_probability', SOURCES_FILE)})")
        if name in ("win_probability", "partial_probability") and bool(a.win_streak[0]):
            return (f"you have won {int(self._value('disputes_won_in_a_row'))} disputes in a row; {m.name} refuses "
                    f"the next one after {m.wins_in_a_row_risk} ({m.sources.get('wins_in_a_row_risk')})")
        if name in BY_REASON:
            return f"{REASON_DEFAULTS[rsn].why[name]} [reason: {rsn}, {REASON_WORDS[rsn]}]"
        if name == "seller_pays_postage":
            pays = float(self._value(name)) >= 1
            rule = m.sources.get("seller_pays_postage_for", SOURCES_FILE)
            if pays:
                return f"{m.name}: the seller pays the return postage when the item is {REASON_WORDS[rsn]} ({rule})"
            if m.id == "aliexpress":
                return ("AliExpress: return postage is the buyer's cost, not refunded except by agreement (the "
                        "starting guide, low confidence; one source says the store pays when it is at fault: "
                        f"{SOURCES_FILE} A1, D); give --seller-pays-postage 1 if the seller agrees in the dispute")
            return f"{m.name}: the buyer pays the return postage for this reason ({rule})"
        if name == "min_resale":
            return (f"{MIN_RESALE_EUR:g} EUR: below this a local sale is not worth the effort (assumption; "
                    f"{SOURCES_FILE} D)")
        if name == "free_return":
            if self.free_return:
                return f"{m.name}: the first return of every order is free ({m.sources.get('free_return_by_default')})"
            return None
        if name == "partial_refund":
            return field("partial_refund").source
        if name == "currency":
            return "not given; give --currency"
        if name == "destination":
            return "the seller's return address is usually in China (give --to)"
        if name == "marketplace":
            return "not given; give --marketplace (aliexpress, temu or ebay)"
        if name == "received_on":
            return "not given: the item is taken as received today (give --received-on)"
        if name in _ZERO_DEFAULTS:
            return "not given: 0"
        return None

    def _warning_texts(self) -> list[str]:
        m = self.market
        tl = self.timeline()
        texts = {
            "dispute_window_closed": f"the dispute window closed on {tl['dispute_deadline']}",
            "postage_exceeds_price": f"the postage ({self._money(self.postage)}) is more than the price",
            "no_tracked_service": self._untracked_text(),
            "disputes_won_in_a_row": (f"you have won {int(self._value('disputes_won_in_a_row'))} disputes in a row; "
                                      f"{m.name} refuses the next one after {m.wins_in_a_row_risk} or blacklists the "
                                      f"buyer ({m.sources.get('wins_in_a_row_risk')})"),
            "mall_item": "'Mall' items follow a different return procedure; check the item's own return terms",
            "tariff_expired": self._tariff_text("expired"),
            "tariff_over_a_year_old": self._tariff_text("old"),
            "size_not_checked": "no parcel size given (--dims): size limits and volumetric weight were not checked",
            "free_return_conditions": self._free_conditions(),
            "free_return_not_applicable": self._free_not_text(),
            "no_partial_refund_procedure": (f"{m.name} has no partial-refund procedure, so the partial-refund options "
                                            "are closed; give --partial-refund if the seller offers one"),
            "min_resale_not_converted": (f"no exchange rate for {self.currency}: the smallest sale worth making "
                                         f"({MIN_RESALE_EUR:g} EUR) was not applied; give --fx {self.currency}=<units "
                                         "per 1 EUR> or --min-resale"),
        }
        return [texts[c] for c in self.warnings]

    def _untracked_text(self) -> str:
        if str(self._value("service")):
            return "the service you chose is untracked: a dispute needs a tracking number to prove the return"
        return ("no tracked service can take this parcel on this route: an untracked return cannot be proven in a "
                "dispute")

    def _free_conditions(self) -> str:
        m = self.market
        parts = []
        if m.free_return_one_per_order:
            parts.append("one free return per order")
        if m.free_return_exclusions:
            parts.append(f"{m.name} excludes: " + "; ".join(m.free_return_exclusions))
        return f"free return: {', '.join(parts)} (not checked here)" if parts else "free return: check the item qualifies"

    def _free_not_text(self) -> str:
        m = self.market
        why = FREE_NOT[int(self.assessment.free_return_why_not[0])]
        if why == "over_price_cap":
            return (f"the free-return programme does not apply: {m.name} excludes items over "
                    f"US${m.free_return_price_cap_usd:,.0f}; the return is priced at normal postage")
        if why == "window_passed":
            return "the free-return window has passed; the return is priced at normal postage"
        return "a postage was given, so the free-return programme was not applied"

    def _tariff_text(self, kind: str) -> str:
        t = self.assessment.tariff_info.get(str(self.assessment.tariff[0]))
        if t is None:
            return "the tariff may be out of date"
        if kind == "expired":
            return f"the {t.carrier} price list was valid until {t.valid_until}; current prices may be higher"
        return f"the {t.carrier} price list dates from {t.valid_from}; current prices may differ"

    def _runner_up(self) -> str | None:
        rec = self.recommendation
        others = [o for o in self.open_options if o != rec]
        return others[0] if others else None

    def summary(self) -> str:
        """What is left (if the window has closed) and the recommendation, with the numbers."""
        a = self.assessment
        if a.problem[0]:
            return f"Cannot estimate: {a.problem[0]}"
        ev, rec = self.ev, self.recommendation
        lines = []
        if self.window_closed:
            lines.append(f"The dispute window closed on {self.timeline()['dispute_deadline']}: a return or a partial "
                         f"refund can no longer be asked for. What is left: {self.words('keep')}.")
        head = f"Recommendation: {self.words(rec)}. It is worth {self._money(ev[rec])} to you"
        runner = self._runner_up()
        if runner is None:
            lines.append(head + ".")
        elif self.margin < 0.005:
            lines.append(f"{head}, as good as the next option: {self.words(runner)} ({self._money(ev[runner])}); "
                         "the less effortful one is named first.")
        else:
            lines.append(f"{head}, {self._money(self.margin)} more than the next best option: {self.words(runner)} "
                         f"({self._money(ev[runner])}).")
        return "\n".join(lines)

    def steps(self) -> list[str]:
        """What to do for the recommended option, step by step, with the dates."""
        if self.assessment.problem[0]:
            return []
        rec, tl, m = self.recommendation, self.timeline(), self.market
        price = float(self._value("price"))
        if rec == "keep":
            if bool(self.assessment.evaluation.keep_sells[0]):
                return [f"Do not open a dispute; sell the item locally (about {self._money(self.resale)} after fees)."]
            return ["Do not open a dispute; keep the item."]
        if rec == "return" and self.free_return:
            steps = [f"Start the free return in the order by {tl['dispute_deadline']}.",
                     "Pack the item new and unused and drop it off where the app says; keep the receipt.",
                     f"The refund follows when the warehouse scans the parcel ({m.free_return_refund_after}): "
                     f"between {tl['refund_return_earliest']} and {tl['refund_return_latest']}."]
            return steps
        rsn = str(self._value("reason"))
        escalate = (f"If the seller refuses or does not answer by {tl['seller_answer_by']}, escalate to {m.name} "
                    "that day")
        if tl["escalated_refund_latest"]:
            escalate += f"; an escalated dispute can take until {tl['escalated_refund_latest']} or longer"
        if rec == "return":
            paid = ("on the seller's postage (the seller pays the return label)"
                    if float(self._value("seller_pays_postage")) >= 1 else "tracked, at your cost")
            return [
                f"Open a return dispute (return for a full refund) by {tl['dispute_deadline']}: reason "
                f"'{REASON_WORDS[rsn]}', with photos or a video of the problem.",
                f"Wait for the seller to accept the return and give the address. {escalate}.",
                "Once the seller has accepted, you cannot cancel the return. Post it "
                f"{paid}, only to the address given in the dispute, within {m.ship_by_days} days "
                f"(by {tl['ship_by']} at the latest).",
                "Film or photograph the packing, keep the post-office receipt, and enter the tracking number in "
                "the dispute in time.",
                "Do not agree to extend the seller's timer; agree any amount only inside the dispute, never in "
                "private messages.",
                f"Money back: between {tl['refund_return_earliest']} and {tl['refund_return_latest']}.",
            ]
        ask = float(self._value("partial_refund")) * price
        steps = [
            f"Open a refund-only dispute by {tl['dispute_deadline']} and ask for {self._money(ask)} "
            f"({share(float(self._value('partial_refund')))} of the price), keeping the item; attach photos or a "
            "video of the problem.",
            f"Agree the amount only inside the dispute, never in private messages. {escalate}.",
        ]
        if rec == "partial_resell":
            steps.append(f"Then sell the item locally (about {self._money(self.resale)} after fees).")
        steps.append(f"Money back: between {tl['refund_partial_earliest']} and {tl['refund_partial_latest']}.")
        return steps

    def _flips(self) -> list[str]:
        out = []
        bep, mp, mpr = self.break_even_price, self.max_postage, self.min_partial_refund
        if not math.isnan(bep):
            if math.isinf(bep):
                out.append("returning does not pay at this postage for dearer items either")
            elif bep == 0:
                out.append("returning pays at this postage whatever the price")
            else:
                out.append(f"returning pays for items dearer than {self._money(bep)} at this postage")
        if not math.isnan(mp) and not self.free_return:
            if math.isinf(mp) and mp > 0:
                out.append("returning wins whatever the postage (the seller pays it)")
            elif mp <= 0:
                out.append("returning does not pay even with free postage")
            else:
                out.append(f"returning pays while the postage is below {self._money(mp)}")
        if not math.isnan(mpr) and "return" in self.open_options:
            price = float(self._value("price"))
            if mpr == 0:
                out.append("any partial refund the seller offers beats returning")
            elif mpr > 1:
                out.append("no partial refund is worth accepting instead of returning (it would have to exceed the "
                           "price)")
            else:
                out.append(f"if the seller offers a partial refund, accept {share(mpr)} of the price "
                           f"({self._money(mpr * price)}) or more instead of returning")
        return out

    def _postage_line(self) -> str | None:
        a = self.assessment
        if "return" not in self.open_options:
            return None
        src = str(a.postage_source[0])
        cur = a.postage_currency[0]
        native = money(float(a.postage_native[0]), str(cur))
        conv = f" = {self._money(self.postage)}" if cur != self.currency else ""
        if src == "tariff":
            how = f"{a.service[0]}, {'tracked' if a.tracked[0] else 'UNTRACKED'}"
            if np.isfinite(a.chargeable_g[0]):
                how += f", charged as {a.chargeable_g[0]:,.6g} g"
        elif src == "free_return":
            return "Return postage: none (free-return programme)."
        else:
            how = "as given"
        payer = " — paid by the seller" if float(self._value("seller_pays_postage")) >= 1 else ""
        caveat = str(a.caveat[0])
        check = f" Check before posting: {caveat}" if caveat else ""
        return f"Return postage: {native}{conv} ({how}){payer}.{check}"

    def __str__(self) -> str:
        a = self.assessment
        lines = [self.summary()]
        if a.problem[0]:
            return lines[0]
        lines += ["", "Expected value of each option:"]
        for o in self.open_options:
            mark = "►" if o == self.recommendation else " "
            lines.append(f"  {mark} {o:<15} {self._money(self.ev[o]):>18}   {self.words(o)}")
        for o, why in self.closed().items():
            lines.append(f"    {o:<15} {'—':>18}   not open: {why}")
        post = self._postage_line()
        if post:
            lines.append(post)
        flips = self._flips()
        if flips:
            lines += ["", "Where the answer flips:"] + [f"  {t}" for t in flips]
        steps = self.steps()
        if steps:
            lines += ["", "What to do:"] + [f"  {i}. {s}" for i, s in enumerate(steps, 1)]
        lines += ["", f"Timeline ({self.market.name}, item received {self._value('received_on')}):"]
        lines += [f"  {t}" for t in self._timeline_lines()]
        if self.exchange:
            lines += ["", "An exchange:"] + [f"  {t}" for t in self._exchange_lines()]
        if self.local is not None:
            lines += ["", "A return address in your country:", f"  {self._local_line()}"]
        lines += self._assumption_lines()
        ws = self._warning_texts()
        if ws:
            lines.append("")
            lines += [f"Warning: {w}." for w in ws]
        return "\n".join(lines)

    def _assumption_lines(self) -> list[str]:
        """The assumptions that matter for the options still open, zeros on one line."""
        assumed = self.assumptions()
        open_ = set(self.open_options)
        irrelevant = set()
        if "return" not in open_:
            irrelevant |= {"win_probability", "seller_pays_postage", "destination", *_ZERO_DEFAULTS[:3]}
        if self.free_return:  # no postage to pay, and no seller's address to post to
            irrelevant |= {"seller_pays_postage", "destination"}
        if not open_ & {"partial_keep", "partial_resell"}:
            irrelevant |= {"partial_probability", "partial_refund"}
        shown = {k: v for k, v in assumed.items() if k not in irrelevant}
        zeros = [k for k in shown if k in _ZERO_DEFAULTS]
        if not shown:
            return []
        out = ["", "Assumed (each can be given instead):"]
        for name, entry in shown.items():
            if name in zeros:
                continue
            out.append(f"  {_NAMES.get(name, name)}: {_fmt(name, entry['value'], self.currency)} "
                       f"(--{name.replace('_', '-')}) — {entry['why']}")
        if zeros:
            out.append("  not given, so 0: " + ", ".join(f"{_NAMES[k]} (--{k.replace('_', '-')})" for k in zeros))
        return out

    def _timeline_lines(self) -> list[str]:
        tl, m = self.timeline(), self.market
        out = []
        if self.free_return:
            out.append(f"start the free return by {tl['dispute_deadline']}")
        elif self.window_closed:
            out.append(f"the dispute window closed on {tl['dispute_deadline']}")
            return out
        else:
            out.append(f"open the dispute by {tl['dispute_deadline']}")
            if tl["seller_answer_by"]:
                esc = f"the seller answers by {tl['seller_answer_by']}; if silent or refusing, escalate to {m.name} then"
                if tl["escalated_refund_latest"]:
                    esc += f" (an escalated dispute can take until {tl['escalated_refund_latest']} or longer)"
                out.append(esc)
        if tl["ship_by"] and not self.free_return:
            out.append(f"if the return is accepted, post it and enter the tracking number by {tl['ship_by']}")
        if tl["refund_return_earliest"]:
            out.append(f"money back if you return: {tl['refund_return_earliest']} to {tl['refund_return_latest']}")
        if tl["refund_partial_earliest"]:
            out.append(f"money back for a partial refund: {tl['refund_partial_earliest']} to "
                       f"{tl['refund_partial_latest']}")
        return out

    def exchange_info(self) -> dict[str, object] | None:
        """An exchange is a return plus a new order: what it costs now and when the first order's
        money is back (``None`` when no return is possible)."""
        if "return" not in self.open_options:
            return None
        tl = self.timeline()
        x = self.assessment.inputs
        own = float(self._get((1 - x.seller_pays_postage) * x.postage + x.packaging_cost + x.hassle_hours * x.hourly_value))
        return {"postage_and_costs": own, "new_order": float(self._value("price")),
                "refund_earliest": tl["refund_return_earliest"], "refund_latest": tl["refund_return_latest"],
                "win_probability": float(self._value("win_probability"))}

    def _exchange_lines(self) -> list[str]:
        info = self.exchange_info()
        if info is None:
            return ["not possible: no return can be started any more"]
        return [
            f"{self.market.name} has no exchange: it is a return plus a new order.",
            f"Now: {self._money(info['postage_and_costs'])} to send this one back, and "
            f"{self._money(info['new_order'])} for the new order.",
            f"The first order's {self._money(info['new_order'])} comes back between {info['refund_earliest']} and "
            f"{info['refund_latest']}, if the return is accepted ({share(info['win_probability'])} likely).",
        ]

    def _local_line(self) -> str:
        loc = self.local
        assert loc is not None
        origin = self._value("origin")
        now = self.recommendation
        same = ("the answer stays the same" if loc.recommendation == now else
                f"the answer would change to: {self.words(loc.recommendation)}")
        return (f"ask the seller for a return address in {origin}: {loc.service} costs {self._money(loc.postage)}, "
                f"returning would be worth {self._money(loc.ev_return)}, and {same}.")

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
        return f"<Estimate {self.recommendation}: margin {self._money(self.margin)}>\n{self}"

    def _repr_html_(self) -> str:
        e = html.escape
        bold = ' style="font-weight:bold"'
        rows = "".join(
            f"<tr{bold if o == self.recommendation else ''}>"
            f"<td>{'►' if o == self.recommendation else ''}</td><td>{o}</td>"
            f"<td style='text-align:right'>{e(self._money(self.ev[o]))}</td><td>{e(self.words(o))}</td></tr>"
            for o in self.open_options
        ) + "".join(f"<tr><td></td><td>{o}</td><td>—</td><td>not open: {e(w)}</td></tr>"
                    for o, w in self.closed().items())
        steps = "".join(f"<li>{e(s)}</li>" for s in self.steps())
        warn = "".join(f"<li>{e(w)}</li>" for w in self._warning_texts())
        flips = "".join(f"<li>{e(t)}</li>" for t in self._flips())
        return (f"<p>{e(self.summary())}</p><table><tr><th></th><th>option</th><th>expected value</th>"
                f"<th>what it means</th></tr>{rows}</table>"
                + (f"<p>Where the answer flips:</p><ul>{flips}</ul>" if flips else "")
                + (f"<p>What to do:</p><ol>{steps}</ol>" if steps else "")
                + (f"<ul>{warn}</ul>" if warn else ""))


def _fmt(name: str, v: object, currency: str) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and name in ("min_resale", "packaging_cost", "hourly_value", "resale_cost"):
        return money(v, currency)
    if isinstance(v, float) and field(name).kind == "fraction":
        return share(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


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
            raise InputError(f"{k}: estimate() takes one order; use assess() for many")
    from .tariffs import resolve

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
    return LocalReturn(postage=float(b.postage[0]), service=str(b.service[0]),
                       ev_return=float(b.evaluation.ev_return[0]), recommendation=str(b.recommendation[0]))
