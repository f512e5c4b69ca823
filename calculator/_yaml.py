"""The one reader of the package's YAML data files: tariffs, rules, marketplaces, exchange rates.

``yaml.safe_load`` semantics, with these guarantees on top, each refused with a one-line located
:class:`~calculator.errors.DataFileError` before anything is constructed:

- only regular files are read, at most :data:`MAX_BYTES` (a named pipe, a device or a link to one
  is refused without blocking; a symbolic-link loop is named as one);
- no anchors or aliases (``&name``, ``*name``): a data file spells every value out, so an "alias
  bomb" of a few kilobytes cannot expand into gigabytes;
- no tags other than the plain YAML ones (``!!python/object``, ``!custom`` are refused; nothing is
  ever executed);
- no key given twice in one mapping; no impossible date (``2023-02-30``).

:func:`load` and :func:`parse` return a :class:`Document`: the composed node tree (so a wrong value
is reported at its own line) as a :class:`Node` to walk, and, for readers that prefer plain data,
``data`` with ``lines`` (the line of every key path).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import errno
import math
import os
import re
import stat
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml import events as _ev

from .errors import DataFileError
from .formatting import number
from .i18n import N_, _

__all__ = ["MAX_BYTES", "Document", "Node", "load", "parse", "read_text"]

#: The largest data file read. Real tariffs are about 15 kB; 5 MB leaves room for big ones and
#: stops a runaway file (or a link to /dev/zero) before it fills the memory.
MAX_BYTES = 5 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                        ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISFIFO, N_("a named pipe")), (stat.S_ISCHR, N_("a character device")),
                       (stat.S_ISBLK, N_("a block device")), (stat.S_ISSOCK, N_("a socket")),
                       (stat.S_ISDIR, N_("a folder"))):
        if test(mode):
            return _(word)
    return _("a special file")


def read_text(path: str | os.PathLike[str], *, what: str = N_("the data file"), label: str | None = None,
              error: type[DataFileError] = DataFileError) -> str:
    """The UTF-8 text of a regular file of at most :data:`MAX_BYTES`.

    Parameters
    ----------
    path
        The file. A symbolic link is followed to a regular file; a loop of links, a named pipe, a
        device or a socket is refused without opening it for a blocking read.
    what
        How the file is called in messages ("the tariff file"): English, marked with ``N_`` where it
        is written; translated here.
    label
        How the file is named in messages (default: the path).
    error
        The :class:`~calculator.errors.DataFileError` subclass to raise.
    """
    p = Path(path)
    what = _(what)
    limit = MAX_BYTES // 2**20

    def fail(message: str) -> DataFileError:
        return error(message, path=p, label=label)

    try:
        st = os.stat(p)  # follows links; a loop of links is ELOOP
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fail(_("cannot read {what}: a loop of symbolic links; point the link at a file").format(
                what=what)) from None
        raise fail(_("cannot read {what} ({problem})").format(what=what, problem=exc.strerror)) from None
    if not stat.S_ISREG(st.st_mode):
        raise fail(_("cannot read {what}: {kind}, not a regular file").format(what=what, kind=_kind(st.st_mode)))
    if st.st_size > MAX_BYTES:
        raise fail(_("{what} is {size} MB, over the {limit} MB limit for data files").format(
            what=what, size=number(st.st_size / 2**20, 1), limit=limit))
    try:
        # O_NONBLOCK: should the file be swapped for a named pipe after the stat, opening it does
        # not wait for a writer; the fstat below then refuses it.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise fail(_("cannot read {what} ({problem})").format(what=what, problem=exc.strerror)) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise fail(_("cannot read {what}: {kind}, not a regular file").format(what=what, kind=_kind(st.st_mode)))
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise fail(_("{what} is over the {limit} MB limit for data files").format(what=what, limit=limit))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(_("{what} is not UTF-8 text (byte {byte}); save it as UTF-8").format(
            what=what, byte=exc.start)) from None


class _BadValue(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor whose impossible dates say where they are instead of raising ValueError."""

    def construct_yaml_timestamp(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _BadValue(node, _("{value!r} is not a date ({problem}); write a real day as YYYY-MM-DD").format(
                value=node.value, problem=exc)) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _construct(node: yaml.Node, doc: Document, where: str = "") -> Any:
    c = _Constructor()
    try:
        return c.construct_object(node, deep=True)
    except _BadValue as bad:
        raise Node(bad.node, where + _path_of(node, bad.node), doc).error(bad.message) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise doc.error(str(exc.problem or exc.context), line=mark.line + 1 if mark else None) from None


def _path_of(root: yaml.Node, target: yaml.Node) -> str:
    """The key path from ``root`` down to ``target`` (``.valid_from``, ``[2].date``), for messages."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, f"{path}.{k.value}") for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node.value))
    return ""


class Document:
    """A checked YAML document: its node tree, and (computed on first use) its data and the line of
    every key path.

    Attributes
    ----------
    root
        The top :class:`Node`, or None for an empty document.
    path, label
        The file (None for text from no file) and how messages name it.
    """

    def __init__(self, root: yaml.Node | None, *, path: Path | None, label: str,
                 error: type[DataFileError]) -> None:
        self.path, self.label, self.error_class = path, label, error
        self._root = root
        self._data: Any = None
        self._lines: dict[tuple[str, ...], int] | None = None

    @property
    def root(self) -> Node | None:
        return None if self._root is None else Node(self._root, "", self)

    def error(self, message: str, *, line: int | None = None, key: str | None = None) -> DataFileError:
        return self.error_class(message, path=self.path, line=line, key=key, label=self.label)

    @property
    def data(self) -> Any:
        """The document as plain Python data (dicts, lists, str, int, float, bool, None, date)."""
        if self._data is None and self._root is not None:
            self._data = _construct(self._root, self)
        return self._data

    @property
    def lines(self) -> dict[tuple[str, ...], int]:
        """Line (1-based) of every key path: ``("marketplaces", "temu", "ship_by_days") -> 120``;
        list items by their index as text."""
        if self._lines is None:
            self._lines = {}
            stack: list[tuple[yaml.Node, tuple[str, ...]]] = [] if self._root is None else [(self._root, ())]
            while stack:
                node, path = stack.pop()
                self._lines.setdefault(path, node.start_mark.line + 1)
                if isinstance(node, yaml.MappingNode):
                    for k, v in node.value:
                        sub = (*path, str(k.value))
                        self._lines[sub] = k.start_mark.line + 1
                        stack.append((v, sub))
                elif isinstance(node, yaml.SequenceNode):
                    stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))
        return self._lines


def parse(text: str, *, label: str, path: str | os.PathLike[str] | None = None,
          error: type[DataFileError] = DataFileError) -> Document:
    """Check and compose YAML ``text`` (see the module text for what is refused).

    Parameters
    ----------
    text
        The YAML.
    label
        How messages name the text's file (``us-usps/2026-04-26.yaml``).
    path
        The file it came from, kept on errors as ``path``.
    error
        The :class:`~calculator.errors.DataFileError` subclass to raise.
    """
    doc = Document(None, path=Path(path) if path is not None else None, label=label, error=error)
    try:
        _check_events(text, doc)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise doc.error(_("not valid YAML ({problem}); check the indentation and quoting there").format(
            problem=exc.problem or exc.context), line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise doc.error(_("not valid YAML ({problem})").format(problem=exc)) from None
    except RecursionError:
        raise doc.error(_("not valid YAML (nested too deeply)")) from None
    doc._root = root
    return doc


def _check_events(text: str, doc: Document) -> None:
    """Refuse anchors, aliases, unusual tags and duplicate keys from the parser's events, before a
    node is composed or a value constructed."""
    # One entry per open collection: [key path, keys seen (None for a list), expecting a key?,
    # current key or list index].
    open_: list[list[Any]] = []
    nodes = (_ev.ScalarEvent, _ev.MappingStartEvent, _ev.SequenceStartEvent, _ev.AliasEvent)
    for ev in yaml.parse(text, Loader=_Loader):
        cls = type(ev)
        if cls is _ev.MappingEndEvent or cls is _ev.SequenceEndEvent:
            open_.pop()
            continue
        if cls not in nodes:
            continue
        line, path, is_key = ev.start_mark.line + 1, "", False
        if open_:
            top = open_[-1]
            if top[1] is None:  # an item of a list
                path = f"{top[0]}[{top[3]}]"
                top[3] += 1
            elif top[2]:  # a key of a mapping
                is_key = True
                key = ev.value if cls is _ev.ScalarEvent else None
                path = f"{top[0]}.{key}" if top[0] else str(key)
                if key is not None and key in top[1]:
                    raise doc.error(_("duplicate key; keep one"), line=line, key=path)
                top[1].add(key)
                top[2], top[3] = False, key
            else:  # a value of a mapping
                path = f"{top[0]}.{top[3]}" if top[0] else str(top[3])
                top[2] = True
        if cls is _ev.AliasEvent:
            raise doc.error(_("an alias (*{name}) is not allowed in data files; write the value out").format(
                name=ev.anchor), line=line, key=path or None)
        if ev.anchor is not None:
            raise doc.error(_("an anchor (&{name}) is not allowed in data files; write the value out").format(
                name=ev.anchor), line=line, key=path or None)
        if ev.tag is not None and ev.tag != "!" and ev.tag not in _PLAIN_TAGS:
            shown = ev.tag.replace("tag:yaml.org,2002:", "!!")
            raise doc.error(_("the tag {tag} is not allowed in data files; remove it (plain values only)").format(
                tag=shown), line=line, key=path or None)
        if is_key:
            continue
        if cls is _ev.MappingStartEvent:
            open_.append([path, set(), True, None])
        elif cls is _ev.SequenceStartEvent:
            open_.append([path, None, False, 0])


def load(path: str | os.PathLike[str], *, what: str = N_("the data file"), label: str | None = None,
         error: type[DataFileError] = DataFileError) -> Document:
    """:func:`read_text` then :func:`parse`."""
    text = read_text(path, what=what, label=label, error=error)
    return parse(text, label=label if label is not None else str(path), path=path, error=error)


# --------------------------------------------------------------------------------------------
# walking the node tree with located errors


def _close(key: str, allowed: Iterable[str]) -> str | None:
    hits = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    return hits[0] if hits else None


_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*([A-Za-z0-9/]+)?\s*")


class Node:
    """A YAML node with the key path that led to it, for located errors.

    ``where`` is the path as messages show it (``services[0] 'fcpis'.zones``); :meth:`error`
    builds the document's error class for this node's line and path.
    """

    __slots__ = ("node", "where", "doc")

    def __init__(self, node: yaml.Node, where: str, doc: Document) -> None:
        self.node, self.where, self.doc = node, where, doc

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def error(self, message: str) -> DataFileError:
        return self.doc.error(message, line=self.line, key=self.where.lstrip(".") or None)

    def mapping(self, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Node]:
        """The children of a mapping by key; unknown keys (with a suggestion) and missing required
        keys are errors."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(_("expected a mapping of keys, got {what}").format(what=self._kind()))
        allowed = tuple(allowed)
        out: dict[str, Node] = {}
        for knode, vnode in self.node.value:
            key = knode.value
            sub = f"{self.where}.{key}" if self.where else str(key)
            if key not in allowed:
                hint = _close(key, allowed)
                if hint:
                    text = _("unknown key {key!r} (did you mean {hint!r}?); allowed: {allowed}")
                else:
                    text = _("unknown key {key!r}; allowed: {allowed}")
                raise Node(knode, sub, self.doc).error(text.format(key=key, hint=hint, allowed=", ".join(allowed)))
            out[key] = Node(vnode, sub, self.doc)
        for key in required:
            if key not in out:
                raise self.error(_("missing required key {key!r}").format(key=key))
        return out

    def items(self) -> list[tuple[str, Node]]:
        """(key, value) of a mapping whose keys are data (ids, codes), in file order."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(_("expected a mapping of keys, got {what}").format(what=self._kind()))
        return [(str(k.value), Node(v, f"{self.where}.{k.value}" if self.where else str(k.value), self.doc))
                for k, v in self.node.value]

    def sequence(self) -> list[Node]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(_("expected a list, got {what}").format(what=self._kind()))
        return [Node(n, f"{self.where}[{i}]", self.doc) for i, n in enumerate(self.node.value)]

    def value(self) -> Any:
        """The node as plain data (checked: no date is impossible)."""
        return _construct(self.node, self.doc, self.where)

    @property
    def raw(self) -> str | None:
        """The scalar's text as written (``NO`` stays ``NO``, not False); None for collections."""
        return self.node.value if isinstance(self.node, yaml.ScalarNode) else None

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def text(self) -> str:
        v = self.value()
        if not isinstance(v, str) or not v.strip():
            raise self.error(_("expected text, got {value!r}").format(value=v))
        return v.strip()

    def boolean(self) -> bool:
        v = self.value()
        if not isinstance(v, bool):
            raise self.error(_("expected true or false, got {value!r}").format(value=v))
        return v

    def number(self, *, minimum: float | None = 0.0, positive: bool = False) -> float:
        v = self.value()
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(_("expected a number, got {value!r}").format(value=v))
        v = float(v)
        if not math.isfinite(v):
            raise self.error(_("{value!r} is not a finite number").format(value=v))
        if positive and v <= 0:
            raise self.error(_("{value!r} must be greater than zero").format(value=v))
        if minimum is not None and v < minimum:
            raise self.error(_("{value!r} is negative; prices and sizes must be zero or more").format(value=v))
        return v

    def date(self) -> _dt.date:
        v = self.value()
        if isinstance(v, _dt.datetime):
            v = v.date()
        if not isinstance(v, _dt.date):
            raise self.error(_("expected a date like 2025-10-05, got {value!r}").format(value=v))
        return v

    def quantity(self, table: Mapping[str, Decimal], default_unit: str, what: str) -> float:
        """A number with an optional unit from ``table`` (``500 g``, ``24 in``); in base units.
        ``what`` names the quantity in messages ("weight"): English, marked with ``N_`` where it
        is written; translated here."""
        v = self.value()
        what = _(what)
        if isinstance(v, bool):
            raise self.error(_("expected a {what} such as 500 g, got {value!r}").format(what=what, value=v))
        if isinstance(v, (int, float)):
            num, unit = Decimal(repr(v)) if isinstance(v, float) else Decimal(v), default_unit
        elif isinstance(v, str):
            m = _NUMBER.fullmatch(v)
            if not m:
                raise self.error(_("{value!r} is not a {what}; write a number and a unit, e.g. 500 g").format(
                    value=v, what=what))
            num, unit = Decimal(m.group(1)), (m.group(2) or default_unit)
        else:
            raise self.error(_("expected a {what} such as 500 g, got {value!r}").format(what=what, value=v))
        if unit not in table:
            raise self.error(_("unknown {what} unit {unit!r}; use {units}").format(
                unit=unit, what=what, units=", ".join(table)))
        if num < 0:
            raise self.error(_("{value!r} is negative").format(value=v))
        return float(num * table[unit])

    def _kind(self) -> str:
        if isinstance(self.node, yaml.MappingNode):
            return _("a mapping")
        if isinstance(self.node, yaml.SequenceNode):
            return _("a list")
        return repr(self.node.value)
