"""The import graph of calculator/: no import circles, and every import runs down the layers.

Every module of the package is parsed with ``ast`` (nothing is imported), and every import of a
sibling module is collected: at module level, inside functions, and under ``if TYPE_CHECKING:``
alike (an import that only a type checker runs still ties the two modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

import calculator

PACKAGE = Path(calculator.__file__).resolve().parent

#: The layers, from the ground up: a module imports only from layers below its own. The comments
#: name each group of layers; the modules of a package have layers between its own and the next.
LAYERS: dict[str, float] = {
    # foundations: no sibling imports
    "errors": 0,

    # languages: gettext catalogs (and the developers' tool that keeps them in step)
    "i18n": 1,
    "_catalogs": 2,
    # words for people: money, shares, dates, weights and tables in the current language
    "formatting": 2,
    # the vocabulary: the options and the inputs, with their words marked for translation
    "model": 2,
    "inputs": 3,
    # reading text: the located-YAML reader; the input grammar (over the inputs' kinds and ranges)
    "_yaml": 3,
    "units": 3.5,
    # data and its objects: exchange rates, marketplace rules, distributions, order columns, tariffs
    "fx": 4,
    "policy": 4,
    "timeline": 4.5,  # above units (3.5): dates read by the grammar
    "distributions": 4,
    "order_columns": 4,
    "tariff_view": 3,
    "tariff_types": 4,
    "process": 5,
    "tariff_files": 5,
    "tariffs": 6,
    # the rate engine
    "offers": 7,
    "rates": 8,
    # orders to decisions
    "quote": 9,
    "assessment": 9,
    "advice_words": 9,
    "advice": 10,
    "uncertainty": 10,
    "__init__": 11,
    # analyses and their pictures
    "routes": 11,
    "sensitivity": 12,
    "charts": 13,
    # the edges: batch files (calculator/batch/) and the command line (calculator/cli/: what
    # every subcommand shares, then the subcommands, then the parser that gathers them)
    "batch._arrow": 14.0,  # pyarrow helpers
    "batch._codes": 14.0,  # distinct values of a column without sorting its rows
    "batch.columns": 14.1,  # which column is which input; values for missing columns
    "batch.cells": 14.2,  # the column engine of the input grammar
    "batch.schema": 14.2,  # the output columns
    "batch.opening": 14.2,  # opening an input, its dialect
    "batch.reading": 14.3,  # chunks of rows
    "batch.table": 14.3,  # evaluating a table
    "batch.writing": 14.3,  # outputs, whole or not at all
    "batch.summary": 14.4,
    "batch.running": 14.5,  # the pipeline
    "batch": 14.6,
    "cli.terminal": 15,
    "cli.options": 15,
    "cli.output": 15,
    "cli.analysis": 16,
    "cli.tariffs": 16,
    "cli.batch": 16,
    "cli.estimate": 17,
    "cli": 18,
    "__main__": 19,
}


def _modules() -> dict[str, Path]:
    """Dotted name (relative to the package) of every module; ``__init__`` for the package face."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _target(base: list[str], name: str | None, alias: str) -> str:
    """The module that ``from <base>.<name> import <alias>`` ties to: a submodule when ``alias`` is
    one, else the module ``name`` (``__init__`` when that is the package itself)."""
    mod = ".".join([*base, *(name.split(".") if name else [])])
    sub = f"{mod}.{alias}" if mod else alias
    if sub in MODULES:
        return sub
    return mod or "__init__"


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(sibling module, line) for every import in ``path``, wherever it stands."""
    is_package = path.name == "__init__.py"
    package = module.split(".") if is_package and module != "__init__" else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                name = node.module
            elif node.module == "calculator" or (node.module or "").startswith("calculator."):
                base, name = [], node.module.partition(".")[2] or None
            else:
                continue
            out += [(_target(base, name, a.name), node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("calculator."):
                    out.append((a.name.partition(".")[2], node.lineno))
                elif a.name == "calculator":
                    out.append(("__init__", node.lineno))
    return [(m, line) for m, line in out if m != module]


def _edges() -> dict[tuple[str, str], tuple[str, int]]:
    """Module → module import edges, each with one place that makes it (file, line)."""
    edges: dict[tuple[str, str], tuple[str, int]] = {}
    for module, path in MODULES.items():
        for target, line in _imports(module, path):
            edges.setdefault((module, target), (str(path.relative_to(PACKAGE.parent)), line))
    return edges


def _layer(node: str) -> float | None:
    return LAYERS.get(node)


def test_the_walk_finds_the_imports_it_should():
    """The parser sees module-level and function-level imports and ``from . import name``."""
    edges = _edges()
    assert ("rates", "offers") in edges  # module level
    assert ("tariff_types", "tariff_view") in edges  # inside Tariff.__str__
    assert ("cli", "__init__") in edges  # from . import __version__
    assert ("advice", "advice_words") in edges  # from . import advice_words as _words


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if _layer(m) is None)
    assert not missing, f"give {', '.join(missing)} a layer in LAYERS (tests/test_layers.py)"


def test_no_import_runs_back_up():
    wrong = []
    for (a, b), (where, line) in sorted(_edges().items()):
        la, lb = _layer(a), _layer(b)
        if la is not None and lb is not None and lb >= la:
            wrong.append(f"{where}, line {line}: {a} (layer {la}) imports {b} (layer {lb})")
    assert not wrong, "imports that do not run down the layers:\n" + "\n".join(wrong)


def _circles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_circles():
    assert _circles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert _circles({("a", "b"), ("b", "c")}) == []


def test_no_import_circles():
    edges = _edges()
    circles = _circles(set(edges))
    described = ["; ".join(f"{a} -> {b} ({edges[a, b][0]}, line {edges[a, b][1]})"
                           for a in c for b in c if (a, b) in edges) for c in circles]
    assert not circles, "import circles:\n" + "\n".join(described)

