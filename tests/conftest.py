"""Shared fixtures: the bundled tariffs, and small tariff files written from inline YAML."""

from __future__ import annotations

import csv
import datetime
import textwrap
import warnings
from pathlib import Path

import pytest

from calculator.tariffs import load_tariffs

#: A fixed "today" so that deadlines and tariff-validity warnings do not change with the calendar.
TODAY = datetime.date(2026, 11, 26)
#: A day under the price lists of autumn 2025 (USPS Notice 123 of 2025-10-05, Royal Mail from
#: 2025-10-06), for tests whose expected numbers are those lists' (the versions are kept).
AUTUMN_2025 = datetime.date(2025, 11, 1)


@pytest.fixture(scope="session")
def bundled():
    """Every bundled tariff, every version; as a mapping, the versions in force on TODAY."""
    return load_tariffs(use_env=False, today=TODAY)


@pytest.fixture
def tariffs(bundled):
    """Every version of the bundled tariffs as a tuple, as the API's ``tariffs=`` takes them (the
    engine picks the versions in force on each order's day)."""
    return bundled.versions()


def phone(tariffs, **kw):
    """The project's starting case as an uncertain order: an 18,000 RUB phone that arrived broken,
    return postage quoted at the counter 1,450 RUB."""
    from calculator.uncertainty import uncertain_order

    base = dict(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged")
    base.update(kw)
    return uncertain_order(tariffs=tariffs, today=TODAY, **base)


@pytest.fixture
def write_tariff(tmp_path: Path):
    """Write inline YAML to ``tmp_path/NAME.yaml`` and return the path."""

    def write(text: str, name: str = "test-post") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


MINIMAL = """
carrier: Test Post
origin: DE
currency: EUR
valid_from: 2025-01-01
source: {url: https://example.org/prices, kind: primary, confidence: high}
services:
  - id: packet
    name: Packet
    tracked: false
    limits: {max_weight: 2 kg, max_length: 60 cm, max_sum: 90 cm, min_dims: [14 cm, 9 cm]}
    addons:
      - {id: registered, name: Registered, fee: 3.50, tracked: true}
    weight_limits: [500 g, 1 kg, 2 kg]
    zones:
      - id: world
        countries: ["*"]
        prices: [5.00, 8.00, 12.00]
      - id: china
        countries: [CN]
        prices: [6.00, null, 14.00]
"""


@pytest.fixture
def bundled_only(monkeypatch):
    """The batch and the CLI read ``$RETURNCOST_TARIFFS``: only the bundled tariffs here (child
    processes inherit that), their expiry warnings silenced."""
    monkeypatch.delenv("RETURNCOST_TARIFFS", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def write_file(folder: Path, content: str | bytes, name: str = "orders.csv") -> Path:
    """``content`` (text as UTF-8) in ``folder/name``; the path."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def csv_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    """A CSV output as the spreadsheet user would see it (Python's csv module, not pyarrow; a byte
    order mark at the start tells the encoding, as it tells a spreadsheet)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))
