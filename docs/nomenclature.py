"""Print the README's nomenclature tables (inputs and outputs) from the code that defines them.

    python docs/nomenclature.py

The tests check that the README contains exactly these tables, so the README cannot drift from
`calculator.inputs.FIELDS` and `calculator.assessment.OUTPUTS`.
"""

from __future__ import annotations

from calculator.assessment import OUTPUTS
from calculator.cli.options import flags
from calculator.inputs import FIELDS, REASON_DEFAULTS, REASON_WORDS


def inputs_table() -> str:
    rows = ["| name (Python, CSV column) | flag | unit | valid range | default | meaning; where the default comes from |",
            "|---|---|---|---|---|---|"]
    for f in FIELDS:
        flag = "" if f.name in ("width_cm", "height_cm") else "`, `".join(flags(f.name))
        if f.default_text:
            default = f.default_text
        elif f.default is None:
            default = "required"
        else:
            default = str(f.default).lower() if isinstance(f.default, bool) else str(f.default)
        src = f"; {f.source}" if f.source and f.source != "REASON_DEFAULTS" else ""
        if f.source == "REASON_DEFAULTS":
            src = "; see the reason table"
        choices = f" ({', '.join(f.choices)})" if f.choices and f.name != "reason" else ""
        valid = f.range_text
        flag_cell = f"`{flag}`" if flag else ""
        rows.append(f"| `{f.name}` | {flag_cell} | {f.unit} | {valid} | {default} | {f.help}{choices}{src} |")
    return "\n".join(rows)


def reasons_table() -> str:
    rows = ["| reason | what it means | win_probability | partial_probability | use_value | resale_value | why |",
            "|---|---|---|---|---|---|---|"]
    for name, d in REASON_DEFAULTS.items():
        why = "; ".join(f"{k}: {v}" for k, v in d.why.items())
        rows.append(f"| `{name}` | {REASON_WORDS[name]} | {d.win_probability:g} | {d.partial_probability:g} | "
                    f"{d.use_value:g} | {d.resale_value:g} | {why} |")
    return "\n".join(rows)


def outputs_table() -> str:
    rows = ["| column | unit | meaning |", "|---|---|---|"]
    rows += [f"| `{name}` | {unit} | {meaning} |" for name, (unit, meaning) in OUTPUTS.items()]
    return "\n".join(rows)


if __name__ == "__main__":
    print(inputs_table(), reasons_table(), outputs_table(), sep="\n\n")
