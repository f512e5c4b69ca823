"""Subcommand ``batch`` (issue 5)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the batch subcommand (to be written)."""
