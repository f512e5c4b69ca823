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
from .formatting import day, money, number, share
from .i18n import N_, _, ngettext
from .inputs import BY_REASON, MIN_RESALE_EUR, REASON_DEFAULTS, REASON_WORDS, SOURCES_FILE, field
from .process import FREE_NOT

__all__ = [
    "option_words",
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
    "win_probability": N_("chance the return is accepted"),
    "partial_probability": N_("chance the partial refund is granted"),
    "partial_refund": N_("partial refund to ask for"),
    "use_value": N_("what keeping it is worth to you"),
    "resale_value": N_("local resale price"),
    "seller_pays_postage": N_("share of the postage the seller pays"),
    "min_resale": N_("smallest sale worth the effort"),
    "free_return": N_("free-return programme"),
    "currency": N_("order currency"),
    "destination": N_("return address in"),
    "marketplace": N_("marketplace"),
    "received_on": N_("item received on"),
    "resale_fee": N_("resale fee"),
    "resale_cost": N_("cost of selling"),
    "packaging_cost": N_("packaging"),
    "hassle_hours": N_("your time"),
    "hourly_value": N_("value of an hour"),
    "disputes_won_in_a_row": N_("disputes won in a row"),
    "mall": N_("Mall item"),
}

# Inputs whose default is 0: listed together on one line.
_ZERO_DEFAULTS = ("packaging_cost", "hassle_hours", "hourly_value", "resale_fee", "resale_cost")


def option_words(e: Estimate, option: str) -> str:
    """What ``option`` means for this order, in plain words: keeping says "keep it" or "sell it
    locally" as the numbers mean, a return says who pays the postage."""
    if option == "keep":
        if bool(e.assessment.evaluation.keep_sells[0]):
            return _("sell it locally without a dispute (about {amount})").format(amount=e.money(e.resale))
        return _("keep it without a dispute")
    if option == "return" and e.free_return:
        return _("return it free through the free-return programme")
    if option == "return" and float(e.value("seller_pays_postage")) >= 1:
        return _("dispute for a full refund and post the item back on the seller's postage")
    return _(_model.OPTION_WORDS[option])


def closed(e: Estimate) -> dict[str, str]:
    """The options that cannot be taken, each with why, in words."""
    a = e.assessment
    out: dict[str, str] = {}
    tl = e.timeline()
    if e.window_closed:
        for o in _DISPUTE_OPTIONS:
            out[o] = _("the dispute window closed on {date}").format(date=day(tl["dispute_deadline"]))
    if "no_partial_refund_procedure" in e.warnings:
        for o in ("partial_keep", "partial_resell"):
            out.setdefault(o, _("{marketplace} has no partial-refund procedure (give --partial-refund if the seller "
                                "offers one)").format(marketplace=e.market.name))
    if not bool(a.evaluation.resale_open[0]):
        m = float(e.value("min_resale"))
        out.setdefault("partial_resell", _("a local sale would bring {sale}, less than the {least} worth the effort "
                                           "(--min-resale)").format(sale=e.money(e.resale), least=e.money(m)))
    return {o: out[o] for o in _model.OPTIONS if o in out and math.isnan(e.ev[o])}


def _reason(rsn: str) -> str:
    return _("reason: {code}, {words}").format(code=rsn, words=_(REASON_WORDS[rsn]))


def why_assumed(e: Estimate, name: str, rsn: str) -> str | None:
    """Why input ``name`` took its default, in words with the source (None: not shown as an
    assumption); ``rsn`` is the order's reason."""
    a, m = e.assessment, e.market
    if name == "win_probability" and e.free_return:
        return _("a free return is refunded when the warehouse scans it; there is no seller to refuse "
                 "({source})").format(source=m.sources.get("free_return_win_probability", SOURCES_FILE))
    if name in ("win_probability", "partial_probability") and bool(a.win_streak[0]):
        won = int(e.value("disputes_won_in_a_row"))
        return ngettext("you have won {won} dispute in a row; {marketplace} refuses the next one after {limit} won "
                        "in a row ({source})",
                        "you have won {won} disputes in a row; {marketplace} refuses the next one after {limit} won "
                        "in a row ({source})", won).format(won=won, marketplace=m.name, limit=m.wins_in_a_row_risk,
                                                           source=m.sources.get("wins_in_a_row_risk"))
    if name in BY_REASON:
        return f"{_(REASON_DEFAULTS[rsn].why[name])} [{_reason(rsn)}]"
    if name == "seller_pays_postage":
        pays = float(e.value(name)) >= 1
        rule = m.sources.get("seller_pays_postage_for", SOURCES_FILE)
        if pays:
            return _("{marketplace}: the seller pays the return postage when the reason is '{what}' ({source})").format(
                marketplace=m.name, what=_(REASON_WORDS[rsn]), source=rule)
        if m.id == "aliexpress":
            return _("AliExpress: return postage is the buyer's cost, not refunded except by agreement (the starting "
                     "guide, low confidence; one source says the store pays when it is at fault: {source} A1, D); "
                     "give --seller-pays-postage 1 if the seller agrees in the dispute").format(source=SOURCES_FILE)
        return _("{marketplace}: the buyer pays the return postage for this reason ({source})").format(
            marketplace=m.name, source=rule)
    if name == "min_resale":
        return _("{least} EUR: below this a local sale is not worth the effort (assumption; {source} D)").format(
            least=number(MIN_RESALE_EUR, 0), source=SOURCES_FILE)
    if name == "free_return":
        if e.free_return:
            return _("{marketplace}: the first return of every order is free ({source})").format(
                marketplace=m.name, source=m.sources.get("free_return_by_default"))
        return None
    if name == "partial_refund":
        return _("no published statistic ({source} C); 0.5 from the starting guide, sensitivity range 0.2–0.7").format(
            source=SOURCES_FILE)
    if name == "currency":
        return _("not given; give --currency")
    if name == "destination":
        return _("the seller's return address is usually in China (give --to)")
    if name == "marketplace":
        return _("not given; give --marketplace (aliexpress, temu or ebay)")
    if name == "received_on":
        return _("not given: the item is taken as received today (give --received-on)")
    if name in _ZERO_DEFAULTS:
        return _("not given: 0")
    return None


def warning_texts(e: Estimate) -> list[str]:
    """One sentence per warning code of the order, in the order of :attr:`Estimate.warnings`."""
    m = e.market
    tl = e.timeline()
    texts = {
        "dispute_window_closed": lambda: _("the dispute window closed on {date}").format(
            date=day(tl["dispute_deadline"])),
        "postage_exceeds_price": lambda: _("the postage ({postage}) is more than the price").format(
            postage=e.money(e.postage)),
        "no_tracked_service": lambda: _untracked_text(e),
        "disputes_won_in_a_row": lambda: ngettext(
            "you have won {won} dispute in a row; {marketplace} refuses the next one after {limit} won in a row or "
            "blacklists the buyer ({source})",
            "you have won {won} disputes in a row; {marketplace} refuses the next one after {limit} won in a row or "
            "blacklists the buyer ({source})", int(e.value("disputes_won_in_a_row"))).format(
            won=int(e.value("disputes_won_in_a_row")), marketplace=m.name, limit=m.wins_in_a_row_risk,
            source=m.sources.get("wins_in_a_row_risk")),
        "mall_item": lambda: _("'Mall' items follow a different return procedure; check the item's own return terms"),
        "tariff_expired": lambda: _tariff_text(e, "expired"),
        "tariff_over_a_year_old": lambda: _tariff_text(e, "old"),
        "size_not_checked": lambda: _("no parcel size given (--dims): size limits and volumetric weight were not "
                                      "checked"),
        "free_return_conditions": lambda: _free_conditions(e),
        "free_return_not_applicable": lambda: _free_not_text(e),
        "no_partial_refund_procedure": lambda: _(
            "{marketplace} has no partial-refund procedure, so the partial-refund options are closed; give "
            "--partial-refund if the seller offers one").format(marketplace=m.name),
        "min_resale_not_converted": lambda: _(
            "no exchange rate for {currency}: the smallest sale worth making ({least} EUR) was not applied; give "
            "--fx {currency}=<units per 1 EUR> or --min-resale").format(currency=e.currency,
                                                                         least=number(MIN_RESALE_EUR, 0)),
    }
    return [texts[c]() for c in e.warnings]


def _untracked_text(e: Estimate) -> str:
    if str(e.value("service")):
        return _("the service you chose is untracked: a dispute needs a tracking number to prove the return")
    return _("no tracked service can take this parcel on this route: an untracked return cannot be proven in a "
             "dispute")


def _free_conditions(e: Estimate) -> str:
    m = e.market
    parts = []
    if m.free_return_one_per_order:
        parts.append(_("one free return per order"))
    if m.free_return_exclusions:
        parts.append(_("{marketplace} excludes: {items}").format(
            marketplace=m.name, items="; ".join(m.free_return_exclusions)))
    if not parts:
        return _("free return: check the item qualifies")
    return _("free return: {conditions} (not checked here)").format(conditions=", ".join(parts))


def _free_not_text(e: Estimate) -> str:
    m = e.market
    why = FREE_NOT[int(e.assessment.free_return_why_not[0])]
    if why == "over_price_cap":
        return _("the free-return programme does not apply: {marketplace} excludes items over {cap}; the return is "
                 "priced at normal postage").format(marketplace=m.name, cap=money(m.free_return_price_cap_usd, "USD"))
    if why == "window_passed":
        return _("the free-return window has passed; the return is priced at normal postage")
    return _("a postage was given, so the free-return programme was not applied")


def _tariff_text(e: Estimate, kind: str) -> str:
    t = e.assessment.tariff_info.get(str(e.assessment.tariff[0]))
    if t is None:
        return _("the tariff may be out of date")
    if kind == "expired":
        return _("the {carrier} price list was valid until {date}; current prices may be higher").format(
            carrier=t.carrier, date=day(t.valid_until))
    return _("the {carrier} price list dates from {date}; current prices may differ").format(
        carrier=t.carrier, date=day(t.valid_from))


def _days(n: int, business: bool) -> str:
    """``10 days``, ``5 business days``, with the language's plural forms."""
    if business:
        return ngettext("{n} business day", "{n} business days", n).format(n=n)
    return ngettext("{n} day", "{n} days", n).format(n=n)


def _runner_up(e: Estimate) -> str | None:
    """The next best open option to name next to the recommendation; a partial refund no seller is
    expected to give (its chance is 0, as for a change of mind) is only keeping the item, not an
    option to weigh."""
    rec = e.recommendation
    no_partial = float(e.value("partial_probability")) == 0
    others = [o for o in e.open_options if o != rec and not (no_partial and o.startswith("partial"))]
    return others[0] if others else None


def summary(e: Estimate) -> str:
    """What is left (if the window has closed) and the recommendation, with the numbers."""
    a = e.assessment
    if a.problem[0]:
        return _("Cannot estimate: {problem}").format(problem=a.problem[0])
    ev, rec = e.ev, e.recommendation
    lines = []
    if e.window_closed:
        lines.append(_("The dispute window closed on {date}: a return or a partial refund can no longer be asked "
                       "for. What is left: {what}.").format(date=day(e.timeline()["dispute_deadline"]),
                                                           what=e.words("keep")))
    runner = _runner_up(e)
    if runner is None:
        lines.append(_("Recommendation: {what}. It is worth {value} to you.").format(
            what=e.words(rec), value=e.money(ev[rec])))
    elif ev[rec] - ev[runner] < 0.005:
        lines.append(_("Recommendation: {what}. It is worth {value} to you, as good as the next option: {other} "
                       "({other_value}); the less effortful one is named first.").format(
            what=e.words(rec), value=e.money(ev[rec]), other=e.words(runner), other_value=e.money(ev[runner])))
    else:
        lines.append(_("Recommendation: {what}. It is worth {value} to you, {margin} more than the next best "
                       "option: {other} ({other_value}).").format(
            what=e.words(rec), value=e.money(ev[rec]), margin=e.money(ev[rec] - ev[runner]), other=e.words(runner),
            other_value=e.money(ev[runner])))
    return "\n".join(lines)


def steps(e: Estimate) -> list[str]:
    """What to do for the recommended option, step by step, with the dates."""
    if e.assessment.problem[0]:
        return []
    rec, tl, m = e.recommendation, e.timeline(), e.market
    price = float(e.value("price"))
    if rec == "keep":
        if bool(e.assessment.evaluation.keep_sells[0]):
            return [_("Do not open a dispute; sell the item locally (about {amount} after fees).").format(
                amount=e.money(e.resale))]
        return [_("Do not open a dispute; keep the item.")]
    if rec == "return" and e.free_return:
        return [_("Start the free return in the order by {date}.").format(date=day(tl["dispute_deadline"])),
                _("Pack the item new and unused and drop it off where the app says; keep the receipt."),
                _("The refund follows when the warehouse scans the parcel: between {first} and {last}.").format(
                    first=day(tl["refund_return_earliest"]), last=day(tl["refund_return_latest"]))]
    rsn = str(e.value("reason"))
    if tl["escalated_refund_latest"]:
        escalate = _("If the seller refuses or does not answer by {date}, escalate to {marketplace} that day; an "
                     "escalated dispute can take until {until} or longer.").format(
            date=day(tl["seller_answer_by"]), marketplace=m.name, until=day(tl["escalated_refund_latest"]))
    else:
        escalate = _("If the seller refuses or does not answer by {date}, escalate to {marketplace} that day.").format(
            date=day(tl["seller_answer_by"]), marketplace=m.name)
    if rec == "return":
        if float(e.value("seller_pays_postage")) >= 1:
            post = _("Once the seller has accepted, you cannot cancel the return. Post it on the seller's postage (the "
                     "seller pays the return label), only to the address given in the dispute, within {period} "
                     "(by {date} at the latest).")
        else:
            post = _("Once the seller has accepted, you cannot cancel the return. Post it tracked, at your cost, only "
                     "to the address given in the dispute, within {period} (by {date} at the latest).")
        return [
            _("Open a return dispute (return for a full refund) by {date}: reason '{reason}', with photos or a video "
              "of the problem.").format(date=day(tl["dispute_deadline"]), reason=_(REASON_WORDS[rsn])),
            _("Wait for the seller to accept the return and give the address.") + " " + escalate,
            post.format(period=_days(m.ship_by_days, m.ship_by_business_days), date=day(tl["ship_by"])),
            _("Film or photograph the packing, keep the post-office receipt, and enter the tracking number in the "
              "dispute in time."),
            _("Do not agree to extend the seller's timer; agree any amount only inside the dispute, never in private "
              "messages."),
            _("Money back: between {first} and {last}.").format(first=day(tl["refund_return_earliest"]),
                                                                 last=day(tl["refund_return_latest"])),
        ]
    ask = float(e.value("partial_refund")) * price
    out = [
        _("Open a refund-only dispute by {date} and ask for {amount} ({share} of the price), keeping the item; attach "
          "photos or a video of the problem.").format(date=day(tl["dispute_deadline"]), amount=e.money(ask),
                                                      share=share(float(e.value("partial_refund")))),
        _("Agree the amount only inside the dispute, never in private messages.") + " " + escalate,
    ]
    if rec == "partial_resell":
        out.append(_("Then sell the item locally (about {amount} after fees).").format(amount=e.money(e.resale)))
    out.append(_("Money back: between {first} and {last}.").format(first=day(tl["refund_partial_earliest"]),
                                                                    last=day(tl["refund_partial_latest"])))
    return out


def flips(e: Estimate) -> list[str]:
    """Where the answer flips: the break-even price, the largest postage at which returning
    pays, the smallest partial refund worth accepting."""
    out = []
    bep, mp, mpr = e.break_even_price, e.max_postage, e.min_partial_refund
    if not math.isnan(bep):
        if math.isinf(bep):
            out.append(_("returning does not pay at this postage, not even for dearer items"))
        elif bep == 0:
            out.append(_("returning pays at this postage whatever the price"))
        else:
            out.append(_("returning pays for items dearer than {price} at this postage").format(price=e.money(bep)))
    if not math.isnan(mp) and not e.free_return:
        if math.isinf(mp) and mp > 0:
            out.append(_("returning wins whatever the postage (the seller pays it)"))
        elif mp <= 0:
            out.append(_("returning does not pay even with free postage"))
        else:
            out.append(_("returning pays while the postage is below {postage}").format(postage=e.money(mp)))
    if not math.isnan(mpr) and "return" in e.open_options:
        price = float(e.value("price"))
        if mpr == 0:
            out.append(_("any partial refund the seller offers beats returning"))
        elif mpr > 1:
            out.append(_("no partial refund is worth accepting instead of returning (it would have to exceed the "
                         "price)"))
        else:
            out.append(_("if the seller offers a partial refund, accept {share} of the price ({amount}) or more "
                         "instead of returning").format(share=share(mpr), amount=e.money(mpr * price)))
    return out


def postage_line(e: Estimate) -> str | None:
    """The return postage, where it comes from and who pays it (None when no return is open)."""
    a = e.assessment
    if "return" not in e.open_options:
        return None
    src = str(a.postage_source[0])
    if src == "free_return":
        return _("Return postage: none (free-return programme).")
    cur = a.postage_currency[0]
    native = money(float(a.postage_native[0]), str(cur))
    amount = native if cur == e.currency else f"{native} = {e.money(e.postage)}"
    if src == "tariff":
        tracked = _("tracked") if a.tracked[0] else _("UNTRACKED")
        how = f"{a.shown_service[0]}, {tracked}"
        if np.isfinite(a.chargeable_g[0]):
            how += ", " + _("charged as {weight} g").format(weight=number(a.chargeable_g[0], 0))
    else:
        how = _("as given")
    if float(e.value("seller_pays_postage")) >= 1:
        line = _("Return postage: {amount} ({how}) — paid by the seller.").format(amount=amount, how=how)
    else:
        line = _("Return postage: {amount} ({how}).").format(amount=amount, how=how)
    caveat = str(a.caveat[0])
    return line + (" " + _("Check before posting: {caveat}").format(caveat=caveat) if caveat else "")


def text(e: Estimate) -> str:
    """The whole estimate as text: what ``print(estimate)`` shows."""
    a = e.assessment
    lines = [summary(e)]
    if a.problem[0]:
        return lines[0]
    lines += ["", _("Expected value of each option:")]
    for o in e.open_options:
        mark = "►" if o == e.recommendation else " "
        lines.append(f"  {mark} {o:<15} {e.money(e.ev[o]):>18}   {e.words(o)}")
    for o, why in closed(e).items():
        lines.append(f"    {o:<15} {'—':>18}   " + _("not open: {why}").format(why=why))
    post = postage_line(e)
    if post:
        lines.append(post)
    flip = flips(e)
    if flip:
        lines += ["", _("Where the answer flips:")] + [f"  {t}" for t in flip]
    todo = steps(e)
    if todo:
        lines += ["", _("What to do:")] + [f"  {i}. {s}" for i, s in enumerate(todo, 1)]
    lines += ["", _("Timeline ({marketplace}, item received {date}):").format(
        marketplace=e.market.name, date=day(e.value("received_on")))]
    lines += [f"  {t}" for t in timeline_lines(e)]
    if e.exchange:
        lines += ["", _("An exchange:")] + [f"  {t}" for t in exchange_lines(e)]
    if e.local is not None:
        lines += ["", _("A return address in your country:"), f"  {local_line(e)}"]
    lines += assumption_lines(e)
    ws = warning_texts(e)
    if ws:
        lines.append("")
        lines += [_("Warning: {text}.").format(text=w) for w in ws]
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
    out = ["", _("Assumed (each can be given instead):")]
    for name, entry in shown.items():
        if name in zeros:
            continue
        out.append(f"  {_(_NAMES.get(name, name))}: {_fmt(name, entry['value'], e.currency)} "
                   f"(--{name.replace('_', '-')}) — {entry['why']}")
    if zeros:
        listed = ", ".join(f"{_(_NAMES[k])} (--{k.replace('_', '-')})" for k in zeros)
        out.append("  " + _("not given, so 0: {inputs}").format(inputs=listed))
    return out


def timeline_lines(e: Estimate) -> list[str]:
    """The deadlines and the days the money can arrive, one line each."""
    tl, m = e.timeline(), e.market
    out = []
    if e.free_return:
        out.append(_("start the free return by {date}").format(date=day(tl["dispute_deadline"])))
    elif e.window_closed:
        out.append(_("the dispute window closed on {date}").format(date=day(tl["dispute_deadline"])))
        return out
    else:
        out.append(_("open the dispute by {date}").format(date=day(tl["dispute_deadline"])))
        if tl["seller_answer_by"]:
            if tl["escalated_refund_latest"]:
                out.append(_("opened today, the seller answers by {date}; if silent or refusing, escalate to "
                             "{marketplace} then (an escalated dispute can take until {until} or longer)").format(
                    date=day(tl["seller_answer_by"]), marketplace=m.name, until=day(tl["escalated_refund_latest"])))
            else:
                out.append(_("opened today, the seller answers by {date}; if silent or refusing, escalate to "
                             "{marketplace} then").format(date=day(tl["seller_answer_by"]), marketplace=m.name))
    if tl["ship_by"] and not e.free_return:
        out.append(_("if the return is accepted, post it and enter the tracking number by {date}").format(
            date=day(tl["ship_by"])))
    if tl["refund_return_earliest"]:
        out.append(_("money back if you return: {first} to {last}").format(
            first=day(tl["refund_return_earliest"]), last=day(tl["refund_return_latest"])))
    if tl["refund_partial_earliest"]:
        out.append(_("money back for a partial refund: {first} to {last}").format(
            first=day(tl["refund_partial_earliest"]), last=day(tl["refund_partial_latest"])))
    return out


def exchange_lines(e: Estimate) -> list[str]:
    """What an exchange (a return plus a new order) costs now and when the money is back."""
    info = e.exchange_info()
    if info is None:
        return [_("not possible: no return can be started any more")]
    return [
        _("{marketplace} has no exchange: it is a return plus a new order.").format(marketplace=e.market.name),
        _("Now: {cost} to send this one back, and {price} for the new order.").format(
            cost=e.money(info["postage_and_costs"]), price=e.money(info["new_order"])),
        _("The first order's {price} comes back between {first} and {last}, if the return is accepted ({chance} "
          "likely).").format(price=e.money(info["new_order"]), first=day(info["refund_earliest"]),
                             last=day(info["refund_latest"]), chance=share(info["win_probability"])),
    ]


def local_line(e: Estimate) -> str:
    """What a return address in the buyer's own country would cost and change."""
    loc = e.local
    assert loc is not None
    if loc.recommendation == e.recommendation:
        text_ = _("ask the seller for a return address in {country}: {service} costs {postage}, returning would be "
                  "worth {value}, and the answer stays the same.")
    else:
        text_ = _("ask the seller for a return address in {country}: {service} costs {postage}, returning would be "
                  "worth {value}, and the answer would change to: {other}.")
    return text_.format(country=e.value("origin"), service=loc.shown_service, postage=e.money(loc.postage),
                        value=e.money(loc.ev_return), other=e.words(loc.recommendation))


def html_text(e: Estimate) -> str:
    """The estimate as HTML, for notebooks: the options, where the answer flips, the steps, the
    warnings."""
    esc = html.escape
    bold = ' style="font-weight:bold"'
    not_open = _("not open: {why}")
    rows = "".join(
        f"<tr{bold if o == e.recommendation else ''}>"
        f"<td>{'►' if o == e.recommendation else ''}</td><td>{o}</td>"
        f"<td style='text-align:right'>{esc(e.money(e.ev[o]))}</td><td>{esc(e.words(o))}</td></tr>"
        for o in e.open_options
    ) + "".join(f"<tr><td></td><td>{o}</td><td>—</td><td>{esc(not_open.format(why=w))}</td></tr>"
                for o, w in closed(e).items())
    todo = "".join(f"<li>{esc(s)}</li>" for s in steps(e))
    warn = "".join(f"<li>{esc(w)}</li>" for w in warning_texts(e))
    flip = "".join(f"<li>{esc(t)}</li>" for t in flips(e))
    head = "".join(f"<th>{esc(h)}</th>" for h in ("", _("option"), _("expected value"), _("what it means")))
    return (f"<p>{esc(summary(e))}</p><table><tr>{head}</tr>{rows}</table>"
            + (f"<p>{esc(_('Where the answer flips:'))}</p><ul>{flip}</ul>" if flip else "")
            + (f"<p>{esc(_('What to do:'))}</p><ol>{todo}</ol>" if todo else "")
            + (f"<ul>{warn}</ul>" if warn else ""))


def _fmt(name: str, v: object, currency: str) -> str:
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, float) and name in ("min_resale", "packaging_cost", "hourly_value", "resale_cost"):
        return money(v, currency)
    if isinstance(v, float) and field(name).kind == "fraction":
        return share(v)
    if isinstance(v, float):
        return number(v, 4)
    if name == "received_on":
        return day(str(v))
    return str(v)
