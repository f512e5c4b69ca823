"""What the benchmark scripts share: the fixed date, the bundled tariffs, best-of-N timing."""

from __future__ import annotations

import datetime
import time
import warnings
from collections.abc import Callable

#: A fixed "today", so that results do not move with the calendar.
TODAY = datetime.date(2026, 11, 26)


def bundled_tariffs() -> tuple:
    """The bundled tariffs only ($RETURNCOST_TARIFFS ignored; expiry warnings silenced)."""
    from calculator.tariffs import TariffWarning, load_tariffs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffWarning)
        return tuple(load_tariffs(use_env=False, today=TODAY).values())


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
