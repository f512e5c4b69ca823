"""Subcommands for uncertainty and sensitivity: ``sensitivity``, ``map``, ``thresholds`` (issue 4)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the analysis subcommands (to be written)."""


def estimate_charts(estimate, args: argparse.Namespace, out) -> None:
    """Draw the charts of ``returncost estimate --chart/--charts`` (to be written)."""
    raise NotImplementedError("estimate charts are not built yet")
