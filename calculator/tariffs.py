"""Tariff files: find them, validate them once, and hold them as frozen objects.

A *tariff* is one carrier's price lists for parcels posted from one origin country; each price list
is a *version* with the day it starts (``valid_from``) and, when known, its last day
(``valid_until``). The bundled tariffs live one folder per tariff, one file per version
(``tariffs/us-usps/2026-04-26.yaml``); a single file (``us-usps.yaml``) is a tariff with one
version. The format and the layout are documented in ``tariffs/README.md``.

Rules that hold whatever the price list says (since 2026-01-01 the UPU allows registered items for
documents only) are data too: ``tariffs/rules.yaml``, bound to the versions they concern at load.

This module is the loader and the public face of tariffs; import every tariff name from here.
What lives where:

- here: the search path (:func:`tariff_dirs`, :func:`bundled_dir`, ``$RETURNCOST_TARIFFS``),
  :func:`load_tariffs` (every version and the rules, cached by file times), :func:`load_tariff`
  (one version file, with the bundled rules by default), the checks across files
  (:func:`check_versions`, rule targets), and :func:`resolve` (the versions a call uses);
- :mod:`calculator.tariff_files`: reading and validating one file (a version, the rules) with
  located errors;
- :mod:`calculator.tariff_types`: the frozen objects (:class:`Tariff`, :class:`Service`,
  :class:`Zone`, ...), :class:`TariffSet` and which version is in force on a day;
- :mod:`calculator.tariff_view`: a tariff for people (text, HTML, a table).

The rate engine (:mod:`calculator.rates`) picks, for each parcel, the version in force on the day
it is posted.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from . import tariff_types
from .errors import TariffError
from .i18n import _
from .tariff_files import ID_PATTERN, VERSION_NAME, load_rules, read_tariff
from .tariff_types import (
    EXPIRED,
    FRESH,
    OLD,
    SOURCES_FILE,
    STALE_AFTER_DAYS,
    Addon,
    Limits,
    Rule,
    Service,
    Source,
    Surcharge,
    Tariff,
    TariffSet,
    TariffWarning,
    Volumetric,
    Zone,
    in_force,
    not_in_force,
    staleness,
)
from .units import is_country, is_currency

__all__ = [
    *tariff_types.__all__,  # the objects, TariffSet, staleness, in_force, not_in_force
    "load_tariff",
    "load_tariffs",
    "load_rules",
    "check_versions",
    "tariff_dirs",
    "bundled_dir",
    "is_country",
    "is_currency",
    "resolve",
    "scan_folder",
]

ENV_VAR = "RETURNCOST_TARIFFS"
RULES_FILE = "rules.yaml"


# --------------------------------------------------------------------------------------------
# one version file


def load_tariff(path: str | os.PathLike[str], *, rules: Iterable[Rule] | None = None) -> Tariff:
    """Load and validate one version file.

    Parameters
    ----------
    path
        The YAML file: ``NAME/YYYY-MM-DD.yaml`` in a tariff folder (named by its ``valid_from``),
        or a single-version ``NAME.yaml``.
    rules
        Rules to bind to the version's offers (default: the bundled ``rules.yaml``).

    Returns
    -------
    Tariff

    Raises
    ------
    TariffError
        With file, line and key of the first problem found.
    """
    return read_tariff(path, _bundled_rules() if rules is None else rules)


# --------------------------------------------------------------------------------------------
# rules


def _check_rule_targets(rules: Iterable[Rule], versions: Iterable[Tariff], path_of: Mapping[str, Path]) -> None:
    """Every add-on and service a rule names must exist in some loaded tariff version."""
    versions = tuple(versions)
    addons = {a.id for t in versions for s in t.services for a in s.addons}
    services = {f"{t.name}/{s.id}" for t in versions for s in t.services}
    for r in rules:
        for a in r.addons:
            if a not in addons:
                raise TariffError(_("unknown add-on {id!r}; the tariffs' add-ons are {known}").format(
                                      id=a, known=", ".join(sorted(addons))),
                                  path=path_of.get(r.label), label=r.label, line=r.lines.get("+" + a),
                                  key=f"rules '{r.id}'.addons")
        for key in r.services:
            if key not in services:
                raise TariffError(_("unknown service {key!r}; no loaded tariff has it").format(key=key),
                                  path=path_of.get(r.label), label=r.label, line=r.lines.get(key),
                                  key=f"rules '{r.id}'.services")


@functools.lru_cache(maxsize=4)
def _rules_cached(path: str, mtime: int) -> tuple[Rule, ...]:
    return load_rules(path)


def _bundled_rules() -> tuple[Rule, ...]:
    p = bundled_dir() / RULES_FILE
    return _rules_cached(str(p), _mtime(p)) if p.is_file() else ()


# --------------------------------------------------------------------------------------------
# versions


def check_versions(versions: Sequence[Tariff]) -> None:
    """Check that the versions of one tariff have one origin and do not overlap in time.

    Raises
    ------
    TariffError
        At the earlier version's ``valid_until`` line: ``... overlaps the next version ...``.
    """
    vs = sorted(versions, key=lambda t: t.valid_from)
    for a, b in zip(vs, vs[1:]):
        if b.origin != a.origin:
            raise TariffError(_("origin {origin} differs from {other} in {file}; all versions of a tariff are posted "
                                "from one country").format(origin=b.origin, other=a.origin, file=a.label),
                              path=b.path, label=b.label, line=b.lines[0] or None, key="origin")
        if a.valid_from == b.valid_from:
            raise TariffError(_("{file} starts on the same day, {day}; keep one version per day").format(
                file=b.label, day=a.valid_from), path=a.path, label=a.label, line=a.lines[0] or None,
                key="valid_from")
        if a.valid_until is not None and a.valid_until >= b.valid_from:
            last = b.valid_from - _dt.timedelta(days=1)
            raise TariffError(_("{end} overlaps the next version, {file}, valid from {start}; end this version on "
                                "{last} at the latest").format(end=a.valid_until, file=b.label, start=b.valid_from,
                                                               last=last),
                              path=a.path, label=a.label, line=a.lines[1] or None, key="valid_until")


# --------------------------------------------------------------------------------------------
# finding tariffs


def bundled_dir() -> Path:
    """The folder of bundled tariffs: inside the installed package, or ``tariffs/`` of a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_bundled_tariffs"
    if installed.is_dir():
        return installed
    return here.parent / "tariffs"


def tariff_dirs(extra: Iterable[str | os.PathLike[str]] = (), *, use_env: bool = True) -> list[Path]:
    """Search order: ``extra`` folders, then ``$RETURNCOST_TARIFFS``, then the bundled folder."""
    dirs = [Path(d).expanduser() for d in extra]
    if use_env:
        env = os.environ.get(ENV_VAR, "")
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    dirs.append(bundled_dir())
    return dirs


def _mtime(p: Path) -> int:
    """The file's modification time for the cache key; -1 when it cannot be read (the loader then
    says why)."""
    try:
        return os.stat(p).st_mtime_ns
    except OSError:
        return -1


def scan_folder(folder: Path) -> tuple[dict[str, tuple[Path, ...]], Path | None]:
    """The tariffs of one search folder: name -> version files, and its rules file (``None``)."""
    found: dict[str, tuple[Path, ...]] = {}
    rules = None
    kinds: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.name == RULES_FILE:
            rules = p
        elif p.suffix == ".yaml":
            if kinds.get(p.stem) == "folder":
                raise TariffError(_("both {file} and a folder {folder}/ are here; keep one (a folder holds the "
                                    "versions)").format(file=p.name, folder=p.stem), path=folder)
            found[p.stem], kinds[p.stem] = (p,), "file"
        elif ID_PATTERN.match(p.name) and p.is_dir():
            files = tuple(sorted(p.glob("*.yaml")))
            if not files:
                continue
            if kinds.get(p.name) == "file":
                raise TariffError(_("both {file} and a folder {folder}/ are here; keep one (a folder holds the "
                                    "versions)").format(file=f"{p.name}.yaml", folder=p.name), path=folder)
            for f in files:
                if not VERSION_NAME.match(f.stem):
                    raise TariffError(_("in a tariff folder each file is one version named by its valid_from, e.g. "
                                        "2026-04-26.yaml, not {file}").format(file=f.name),
                                      path=f, label=f"{p.name}/{f.name}")
            found[p.name], kinds[p.name] = files, "folder"
    return found, rules


def load_tariffs(
    dirs: Iterable[str | os.PathLike[str]] = (),
    *,
    use_env: bool = True,
    today: _dt.date | None = None,
) -> TariffSet:
    """Load every tariff (all versions) and the rules on the search path.

    A tariff found in an earlier folder replaces one of the same name found later, with all its
    versions; rules merge by id, the earlier folder's winning.

    Parameters
    ----------
    dirs
        Extra folders searched first (the CLI's ``--tariffs DIR``).
    use_env
        Also search the folders in ``$RETURNCOST_TARIFFS``.
    today
        The set's ``as_of``: the day whose versions the mapping shows (default: today). Every
        version is loaded whatever the day.

    Raises
    ------
    TariffError
        A malformed file, versions that overlap, a rule naming an unknown add-on: file, line, key.

    Examples
    --------
    >>> import datetime
    >>> tariffs = load_tariffs(use_env=False, today=datetime.date(2026, 11, 29))
    >>> tariffs["us-usps"].carrier, tariffs["us-usps"].version, len(tariffs.versions("us-usps"))
    ('USPS', '2026-04-26', 2)
    >>> tariffs.at("us-usps", datetime.date(2025, 11, 1)).version
    '2025-10-05'
    """
    search = tariff_dirs(dirs, use_env=use_env)
    files: dict[str, tuple[Path, ...]] = {}
    rules_files: list[Path] = []
    for d in search:
        if not d.is_dir():
            if d != search[-1]:
                raise TariffError(_("{folder}: tariff folder not found (from --tariffs or ${variable})").format(
                    folder=d, variable=ENV_VAR))
            continue
        found, rules = scan_folder(d)
        for name, paths in found.items():
            files.setdefault(name, paths)
        if rules is not None:
            rules_files.append(rules)
    key = tuple((name, tuple((str(p), _mtime(p)) for p in paths)) for name, paths in sorted(files.items()))
    rkey = tuple((str(p), _mtime(p)) for p in rules_files)
    return _load_cached(key, rkey, today or _dt.date.today(), tuple(search))


@functools.lru_cache(maxsize=16)
def _load_cached(key: tuple, rkey: tuple, today: _dt.date, dirs: tuple[Path, ...]) -> TariffSet:
    rules: dict[str, Rule] = {}
    path_of: dict[str, Path] = {}
    for p, mtime in rkey:
        for r in _rules_cached(p, mtime):
            rules.setdefault(r.id, r)
            path_of[r.label] = Path(p)
    merged = tuple(rules.values())
    versions: list[Tariff] = []
    for _name, paths in key:
        family = [read_tariff(p, merged) for p, _mtime in paths]
        check_versions(family)
        versions += family
    _check_rule_targets(merged, versions, path_of)
    return TariffSet(versions, dirs, as_of=today, rules=merged)


# --------------------------------------------------------------------------------------------
# the versions a call uses


def resolve(tariffs: Iterable[Tariff] | Mapping[str, Tariff] | None, *, today: _dt.date | None = None) -> tuple[Tariff, ...]:
    """The tariff versions to use: every version of the loaded default set when None, or of a
    :class:`TariffSet`; the values of any other mapping of name → tariff; or an iterable of
    :class:`Tariff` as given. The rate engine then picks, per parcel, the version in force on the
    day it is posted, among these.

    Each public function that takes ``tariffs`` resolves them once, where the call enters the
    package, and passes the tuple down. Resolving is idempotent and free on its own result: a
    tuple comes back as the same object (no folder read, no copy), so the functions called with it
    take it as it is.

    Examples
    --------
    >>> ts = load_tariffs(use_env=False)
    >>> versions = resolve(ts)
    >>> versions == ts.versions(), resolve(versions) is versions
    (True, True)
    """
    if type(tariffs) is tuple:
        return tariffs
    if tariffs is None:
        tariffs = load_tariffs(today=today)
    if isinstance(tariffs, TariffSet):
        return tariffs.versions()
    if isinstance(tariffs, Mapping):
        tariffs = tariffs.values()
    return tuple(tariffs)
