"""What the subcommands write: JSON and CSV for machines, and charts drawn on a bare
:class:`matplotlib.figure.Figure` (no pyplot state, no display). matplotlib loads only when a
chart is drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, TextIO

from ..errors import InputError
from ..i18n import _

__all__ = ["emit_json", "emit_csv", "CHART_SUFFIXES", "chart_path", "figure", "save_chart"]

#: The image formats a chart path may end in.
CHART_SUFFIXES = (".png", ".svg", ".pdf")


def emit_json(obj: object, out: TextIO) -> None:
    json.dump(obj, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def emit_csv(rows: list[dict[str, object]], out: TextIO) -> None:
    import csv

    if not rows:
        return
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)


def chart_path(path: str, flag: str) -> Path:
    """``path`` of a chart option, refused (naming ``flag``) unless it ends in an image format."""
    p = Path(path)
    if p.suffix.lower() not in CHART_SUFFIXES:
        raise InputError(_("{flag}: {path!r} has no chart format suffix; end it in {suffixes}").format(
            flag=flag, path=path, suffixes=", ".join(CHART_SUFFIXES)))
    return p


def figure(size: tuple[float, float], panels: tuple[int, int] = (1, 1)) -> tuple[Any, Any]:
    """A bare Figure of ``size`` inches and its axes (an array of them for several ``panels``)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(*panels)


def save_chart(draw: Callable[[Any], object], path: Path, flag: str, *, size: tuple[float, float] = (7.0, 4.6),
               panels: tuple[int, int] = (1, 1)) -> None:
    """Draw with ``draw(axes)`` and save to ``path``; a path that cannot be written is a user error."""
    fig, axes = figure(size, panels)
    draw(axes)
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise InputError(_("{flag}: cannot write {path!r}: {problem}; check the folder exists").format(
            flag=flag, path=str(path), problem=exc.strerror or exc)) from None
