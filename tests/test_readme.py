"""The README's example sessions are what the commands print (so the README stays true)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from calculator.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def sessions() -> list[tuple[str, str]]:
    """(command, expected output) of each ```console block that runs estimate or quote."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        lines = block.splitlines()
        cmd = lines.pop(0)
        while cmd.endswith("\\"):
            cmd = cmd[:-1] + lines.pop(0).strip()
        if cmd.startswith(("$ returncost estimate", "$ returncost quote", "$ returncost --lang ru estimate")):
            out.append((cmd[2:], "\n".join(lines) + "\n"))
    return out


def test_the_readme_has_example_sessions():
    assert {c.split()[1] for c, _ in sessions()} == {"estimate", "quote", "--lang"}


@pytest.mark.parametrize("command, expected", sessions(), ids=lambda x: x.split()[1] if x.startswith("returncost") else "")
def test_readme_session_is_what_the_command_prints(capsys, command, expected):
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == expected


def _claims(block: str) -> list[tuple[str, object]]:
    """Lines ``expression   # literal[: prose]`` of a README code block, as (expression, literal)."""
    import ast

    out = []
    for line in block.splitlines():
        if "#" not in line or line.lstrip().startswith("#"):
            continue
        code, comment = (part.strip() for part in line.split("#", 1))
        for text in (comment, comment.split(":", 1)[0] if not comment.startswith("{") else comment):
            try:
                out.append((code, ast.literal_eval(text)))
                break
            except (ValueError, SyntaxError):
                continue
    return out


def _same(actual: object, claimed: object) -> bool:
    if isinstance(claimed, float):
        decimals = len(repr(claimed).split(".")[1]) if "." in repr(claimed) else 0
        return round(float(actual), decimals) == claimed
    if isinstance(claimed, (tuple, list)):
        return len(actual) == len(claimed) and all(_same(a, c) for a, c in zip(actual, claimed))
    if isinstance(claimed, dict):
        return set(actual) == set(claimed) and all(_same(actual[k], v) for k, v in claimed.items())
    return actual == claimed


def test_readme_python_example_values_are_what_the_api_returns():
    import matplotlib

    matplotlib.use("Agg")
    block = re.search(r"## Use it from Python.*?```python\n(.*?)```", README, flags=re.S).group(1)
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # the example, as a reader would run it
    claims = [(code, value) for code, value in _claims(block) if not code.startswith(("print", "o =", "charts", "monte"))]
    assert len(claims) >= 5
    for code, value in claims:
        actual = eval(code, namespace)
        assert _same(actual, value), f"README says {code} is {value!r}; it is {actual!r}"
