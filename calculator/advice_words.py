"""The words of an estimate: the summary, the steps, where the answer flips, the timeline, the
assumptions with their reasons, the warnings.

Each function takes an :class:`~calculator.advice.Estimate` (``e``) and reads its numbers; the
:class:`~calculator.advice.Estimate` methods (``summary()``, ``steps()``, ``closed()``,
``print()``, the notebook view) call these. This module does not import :mod:`calculator.advice`:
``Estimate`` in annotations is a string only. The words of one option (``Estimate.words``) stay
with the estimate.
"""

from __future__ import annotations

import html
import math

import numpy as np

from . import model as _model
from .formatting import money, share
from .inputs import BY_REASON, MIN_RESALE_EUR, REASON_DEFAULTS, REASON_WORDS, SOURCES_FILE, field
from .process import FREE_NOT

__all__ = [
    "closed",
    "why_assumed",
    "warning_texts",
    "summary",
    "steps",
    "flips",
    "postage_line",
    "text",
    "assumption_lines",
    "timeline_lines",
    "exchange_lines",
    "local_line",
    "html_text",
]

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

# Inputs whose default is 0: listed together on one line.
_ZERO_DEFAULTS = ("packaging_cost", "hassle_hours", "hourly_value", "resale_fee", "resale_cost")


def closed(e: Estimate) -> dict[str, str]:
    """The options that cannot be taken, each with why, in words."""
    a = e.assessment
    out: dict[str, str] = {}
    tl = e.timeline()
    if e.window_closed:
        for o in _DISPUTE_OPTIONS:
            out[o] = f"the dispute window closed on {tl['dispute_deadline']}"
    if "no_partial_refund_procedure" in e.warnings:
        for o in ("partial_keep", "partial_resell"):
            out.setdefault(o, f"{e.market.name} has no partial-refund procedure (give --partial-refund "
                              "if the seller offers one)")
    if not bool(a.evaluation.resale_open[0]):
        m = float(e.value("min_resale"))
        out.setdefault("partial_resell", f"a local sale would bring {e.money(e.resale)}, less than the "
                                         f"{e.money(m)} worth the effort (--min-resale)")
    return {o: out[o] for o in _model.OPTIONS if o in out and math.isnan(e.ev[o])}


def why_assumed(e: Estimate, name: str, rsn: str) -> str | None:
    """Why input ``name`` took its default, in words with the source (None: not shown as an
    assumption); ``rsn`` is the order's reason."""
    a, m = e.assessment, e.market
    if name == "win_probability" and e.free_return:
        return (f"a free return is refunded when the warehouse scans it; there is no seller to refuse "
                f"({m.sources.get('free_return_win_probability', SOURCES_FILE)})")
    if name in ("win_probability", "partial_probability") and bool(a.win_streak[0]):
        return (f"you have won {int(e.value('disputes_won_in_a_row'))} disputes in a row; {m.name} refuses "
                f"the next one after {m.wins_in_a_row_risk} ({m.sources.get('wins_in_a_row_risk')})")
    if name in BY_REASON:
        return f"{REASON_DEFAULTS[rsn].why[name]} [reason: {rsn}, {REASON_WORDS[rsn]}]"
    if name == "seller_pays_postage":
        pays = float(e.value(name)) >= 1
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
        if e.free_return:
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


def warning_texts(e: Estimate) -> list[str]:
    """One sentence per warning code of the order, in the order of :attr:`Estimate.warnings`."""
    m = e.market
    tl = e.timeline()
    texts = {
        "dispute_window_closed": f"the dispute window closed on {tl['dispute_deadline']}",
        "postage_exceeds_price": f"the postage ({e.money(e.postage)}) is more than the price",
        "no_tracked_service": _untracked_text(e),
        "disputes_won_in_a_row": (f"you have won {int(e.value('disputes_won_in_a_row'))} disputes in a row; "
                                  f"{m.name} refuses the next one after {m.wins_in_a_row_risk} or blacklists the "
                                  f"buyer ({m.sources.get('wins_in_a_row_risk')})"),
        "mall_item": "'Mall' items follow a different return procedure; check the item's own return terms",
        "tariff_expired": _tariff_text(e, "expired"),
        "tariff_over_a_year_old": _tariff_text(e, "old"),
        "size_not_checked": "no parcel size given (--dims): size limits and volumetric weight were not checked",
        "free_return_conditions": _free_conditions(e),
        "free_return_not_applicable": _free_not_text(e),
        "no_partial_refund_procedure": (f"{m.name} has no partial-refund procedure, so the partial-refund options "
                                        "are closed; give --partial-refund if the seller offers one"),
        "min_resale_not_converted": (f"no exchange rate for {e.currency}: the smallest sale worth making "
                                     f"({MIN_RESALE_EUR:g} EUR) was not applied; give --fx {e.currency}=<units "
                                     "per 1 EUR> or --min-resale"),
    }
    return [texts[c] for c in e.warnings]


def _untracked_text(e: Estimate) -> str:
    if str(e.value("service")):
        return "the service you chose is untracked: a dispute needs a tracking number to prove the return"
    return ("no tracked service can take this parcel on this route: an untracked return cannot be proven in a "
            "dispute")


def _free_conditions(e: Estimate) -> str:
    m = e.market
    parts = []
    if m.free_return_one_per_order:
        parts.append("one free return per order")
    if m.free_return_exclusions:
        parts.append(f"{m.name} excludes: " + "; ".join(m.free_return_exclusions))
    return f"free return: {', '.join(parts)} (not checked here)" if parts else "free return: check the item qualifies"


def _free_not_text(e: Estimate) -> str:
    m = e.market
    why = FREE_NOT[int(e.assessment.free_return_why_not[0])]
    if why == "over_price_cap":
        return (f"the free-return programme does not apply: {m.name} excludes items over "
                f"US${m.free_return_price_cap_usd:,.0f}; the return is priced at normal postage")
    if why == "window_passed":
        return "the free-return window has passed; the return is priced at normal postage"
    return "a postage was given, so the free-return programme was not applied"


def _tariff_text(e: Estimate, kind: str) -> str:
    t = e.assessment.tariff_info.get(str(e.assessment.tariff[0]))
    if t is None:
        return "the tariff may be out of date"
    if kind == "expired":
        return f"the {t.carrier} price list was valid until {t.valid_until}; current prices may be higher"
    return f"the {t.carrier} price list dates from {t.valid_from}; current prices may differ"


def _runner_up(e: Estimate) -> str | None:
    rec = e.recommendation
    others = [o for o in e.open_options if o != rec]
    return others[0] if others else None


def summary(e: Estimate) -> str:
    """What is left (if the window has closed) and the recommendation, with the numbers."""
    a = e.assessment
    if a.problem[0]:
        return f"Cannot estimate: {a.problem[0]}"
    ev, rec = e.ev, e.recommendation
    lines = []
    if e.window_closed:
        lines.append(f"The dispute window closed on {e.timeline()['dispute_deadline']}: a return or a partial "
                     f"refund can no longer be asked for. What is left: {e.words('keep')}.")
    head = f"Recommendation: {e.words(rec)}. It is worth {e.money(ev[rec])} to you"
    runner = _runner_up(e)
    if runner is None:
        lines.append(head + ".")
    elif e.margin < 0.005:
        lines.append(f"{head}, as good as the next option: {e.words(runner)} ({e.money(ev[runner])}); "
                     "the less effortful one is named first.")
    else:
        lines.append(f"{head}, {e.money(e.margin)} more than the next best option: {e.words(runner)} "
                     f"({e.money(ev[runner])}).")
    return "\n".join(lines)


def steps(e: Estimate) -> list[str]:
    """What to do for the recommended option, step by step, with the dates."""
    if e.assessment.problem[0]:
        return []
    rec, tl, m = e.recommendation, e.timeline(), e.market
    price = float(e.value("price"))
    if rec == "keep":
        if bool(e.assessment.evaluation.keep_sells[0]):
            return [f"Do not open a dispute; sell the item locally (about {e.money(e.resale)} after fees)."]
        return ["Do not open a dispute; keep the item."]
    if rec == "return" and e.free_return:
        steps = [f"Start the free return in the order by {tl['dispute_deadline']}.",
                 "Pack the item new and unused and drop it off where the app says; keep the receipt.",
                 f"The refund follows when the warehouse scans the parcel ({m.free_return_refund_after}): "
                 f"between {tl['refund_return_earliest']} and {tl['refund_return_latest']}."]
        return steps
    rsn = str(e.value("reason"))
    escalate = (f"If the seller refuses or does not answer by {tl['seller_answer_by']}, escalate to {m.name} "
                "that day")
    if tl["escalated_refund_latest"]:
        escalate += f"; an escalated dispute can take until {tl['escalated_refund_latest']} or longer"
    if rec == "return":
        paid = ("on the seller's postage (the seller pays the return label)"
                if float(e.value("seller_pays_postage")) >= 1 else "tracked, at your cost")
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
    ask = float(e.value("partial_refund")) * price
    steps = [
        f"Open a refund-only dispute by {tl['dispute_deadline']} and ask for {e.money(ask)} "
        f"({share(float(e.value('partial_refund')))} of the price), keeping the item; attach photos or a "
        "video of the problem.",
        f"Agree the amount only inside the dispute, never in private messages. {escalate}.",
    ]
    if rec == "partial_resell":
        steps.append(f"Then sell the item locally (about {e.money(e.resale)} after fees).")
    steps.append(f"Money back: between {tl['refund_partial_earliest']} and {tl['refund_partial_latest']}.")
    return steps


def flips(e: Estimate) -> list[str]:
    """Where the answer flips: the break-even price, the largest postage at which returning
    pays, the smallest partial refund worth accepting."""
    out = []
    bep, mp, mpr = e.break_even_price, e.max_postage, e.min_partial_refund
    if not math.isnan(bep):
        if math.isinf(bep):
            out.append("returning does not pay at this postage for dearer items either")
        elif bep == 0:
            out.append("returning pays at this postage whatever the price")
        else:
            out.append(f"returning pays for items dearer than {e.money(bep)} at this postage")
    if not math.isnan(mp) and not e.free_return:
        if math.isinf(mp) and mp > 0:
            out.append("returning wins whatever the postage (the seller pays it)")
        elif mp <= 0:
            out.append("returning does not pay even with free postage")
        else:
            out.append(f"returning pays while the postage is below {e.money(mp)}")
    if not math.isnan(mpr) and "return" in e.open_options:
        price = float(e.value("price"))
        if mpr == 0:
            out.append("any partial refund the seller offers beats returning")
        elif mpr > 1:
            out.append("no partial refund is worth accepting instead of returning (it would have to exceed the "
                       "price)")
        else:
            out.append(f"if the seller offers a partial refund, accept {share(mpr)} of the price "
                       f"({e.money(mpr * price)}) or more instead of returning")
    return out


def postage_line(e: Estimate) -> str | None:
    """The return postage, where it comes from and who pays it (None when no return is open)."""
    a = e.assessment
    if "return" not in e.open_options:
        return None
    src = str(a.postage_source[0])
    cur = a.postage_currency[0]
    native = money(float(a.postage_native[0]), str(cur))
    conv = f" = {e.money(e.postage)}" if cur != e.currency else ""
    if src == "tariff":
        how = f"{a.service[0]}, {'tracked' if a.tracked[0] else 'UNTRACKED'}"
        if np.isfinite(a.chargeable_g[0]):
            how += f", charged as {a.chargeable_g[0]:,.6g} g"
    elif src == "free_return":
        return "Return postage: none (free-return programme)."
    else:
        how = "as given"
    payer = " — paid by the seller" if float(e.value("seller_pays_postage")) >= 1 else ""
    caveat = str(a.caveat[0])
    check = f" Check before posting: {caveat}" if caveat else ""
    return f"Return postage: {native}{conv} ({how}){payer}.{check}"


def text(e: Estimate) -> str:
    """The whole estimate as text: what ``print(estimate)`` shows."""
    a = e.assessment
    lines = [summary(e)]
    if a.problem[0]:
        return lines[0]
    lines += ["", "Expected value of each option:"]
    for o in e.open_options:
        mark = "►" if o == e.recommendation else " "
        lines.append(f"  {mark} {o:<15} {e.money(e.ev[o]):>18}   {e.words(o)}")
    for o, why in closed(e).items():
        lines.append(f"    {o:<15} {'—':>18}   not open: {why}")
    post = postage_line(e)
    if post:
        lines.append(post)
    flip = flips(e)
    if flip:
        lines += ["", "Where the answer flips:"] + [f"  {t}" for t in flip]
    todo = steps(e)
    if todo:
        lines += ["", "What to do:"] + [f"  {i}. {s}" for i, s in enumerate(todo, 1)]
    lines += ["", f"Timeline ({e.market.name}, item received {e.value('received_on')}):"]
    lines += [f"  {t}" for t in timeline_lines(e)]
    if e.exchange:
        lines += ["", "An exchange:"] + [f"  {t}" for t in exchange_lines(e)]
    if e.local is not None:
        lines += ["", "A return address in your country:", f"  {local_line(e)}"]
    lines += assumption_lines(e)
    ws = warning_texts(e)
    if ws:
        lines.append("")
        lines += [f"Warning: {w}." for w in ws]
    return "\n".join(lines)


def assumption_lines(e: Estimate) -> list[str]:
    """The assumptions that matter for the options still open, zeros on one line."""
    assumed = e.assumptions()
    open_ = set(e.open_options)
    irrelevant = set()
    if "return" not in open_:
        irrelevant |= {"win_probability", "seller_pays_postage", "destination", *_ZERO_DEFAULTS[:3]}
    if e.free_return:  # no postage to pay, and no seller's address to post to
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
        out.append(f"  {_NAMES.get(name, name)}: {_fmt(name, entry['value'], e.currency)} "
                   f"(--{name.replace('_', '-')}) — {entry['why']}")
    if zeros:
        out.append("  not given, so 0: " + ", ".join(f"{_NAMES[k]} (--{k.replace('_', '-')})" for k in zeros))
    return out


def timeline_lines(e: Estimate) -> list[str]:
    """The deadlines and the days the money can arrive, one line each."""
    tl, m = e.timeline(), e.market
    out = []
    if e.free_return:
        out.append(f"start the free return by {tl['dispute_deadline']}")
    elif e.window_closed:
        out.append(f"the dispute window closed on {tl['dispute_deadline']}")
        return out
    else:
        out.append(f"open the dispute by {tl['dispute_deadline']}")
        if tl["seller_answer_by"]:
            esc = f"the seller answers by {tl['seller_answer_by']}; if silent or refusing, escalate to {m.name} then"
            if tl["escalated_refund_latest"]:
                esc += f" (an escalated dispute can take until {tl['escalated_refund_latest']} or longer)"
            out.append(esc)
    if tl["ship_by"] and not e.free_return:
        out.append(f"if the return is accepted, post it and enter the tracking number by {tl['ship_by']}")
    if tl["refund_return_earliest"]:
        out.append(f"money back if you return: {tl['refund_return_earliest']} to {tl['refund_return_latest']}")
    if tl["refund_partial_earliest"]:
        out.append(f"money back for a partial refund: {tl['refund_partial_earliest']} to "
                   f"{tl['refund_partial_latest']}")
    return out


def exchange_lines(e: Estimate) -> list[str]:
    """What an exchange (a return plus a new order) costs now and when the money is back."""
    info = e.exchange_info()
    if info is None:
        return ["not possible: no return can be started any more"]
    return [
        f"{e.market.name} has no exchange: it is a return plus a new order.",
        f"Now: {e.money(info['postage_and_costs'])} to send this one back, and "
        f"{e.money(info['new_order'])} for the new order.",
        f"The first order's {e.money(info['new_order'])} comes back between {info['refund_earliest']} and "
        f"{info['refund_latest']}, if the return is accepted ({share(info['win_probability'])} likely).",
    ]


def local_line(e: Estimate) -> str:
    """What a return address in the buyer's own country would cost and change."""
    loc = e.local
    assert loc is not None
    origin = e.value("origin")
    now = e.recommendation
    same = ("the answer stays the same" if loc.recommendation == now else
            f"the answer would change to: {e.words(loc.recommendation)}")
    return (f"ask the seller for a return address in {origin}: {loc.service} costs {e.money(loc.postage)}, "
            f"returning would be worth {e.money(loc.ev_return)}, and {same}.")


def html_text(e: Estimate) -> str:
    """The estimate as HTML, for notebooks: the options, where the answer flips, the steps, the
    warnings."""
    esc = html.escape
    bold = ' style="font-weight:bold"'
    rows = "".join(
        f"<tr{bold if o == e.recommendation else ''}>"
        f"<td>{'►' if o == e.recommendation else ''}</td><td>{o}</td>"
        f"<td style='text-align:right'>{esc(e.money(e.ev[o]))}</td><td>{esc(e.words(o))}</td></tr>"
        for o in e.open_options
    ) + "".join(f"<tr><td></td><td>{o}</td><td>—</td><td>not open: {esc(w)}</td></tr>"
                for o, w in closed(e).items())
    todo = "".join(f"<li>{esc(s)}</li>" for s in steps(e))
    warn = "".join(f"<li>{esc(w)}</li>" for w in warning_texts(e))
    flip = "".join(f"<li>{esc(t)}</li>" for t in flips(e))
    return (f"<p>{esc(summary(e))}</p><table><tr><th></th><th>option</th><th>expected value</th>"
            f"<th>what it means</th></tr>{rows}</table>"
            + (f"<p>Where the answer flips:</p><ul>{flip}</ul>" if flip else "")
            + (f"<p>What to do:</p><ol>{todo}</ol>" if todo else "")
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
