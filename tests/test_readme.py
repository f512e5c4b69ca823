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
        if cmd.startswith("$ returncost estimate") or cmd.startswith("$ returncost quote"):
            out.append((cmd[2:], "\n".join(lines) + "\n"))
    return out


def test_the_readme_has_example_sessions():
    assert {c.split()[1] for c, _ in sessions()} == {"estimate", "quote"}


@pytest.mark.parametrize("command, expected", sessions(), ids=lambda x: x.split()[1] if x.startswith("returncost") else "")
def test_readme_session_is_what_the_command_prints(capsys, command, expected):
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == expected
