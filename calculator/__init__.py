"""return-cost-calculator: should you return a marketplace order, take a partial refund, or keep it?

The package is a set of small modules around one vectorized money model:

- :mod:`calculator.tariffs` loads and validates postal price lists (YAML);
- :mod:`calculator.rates` prices every postal offer for arrays of parcels;
- :mod:`calculator.fx` converts currencies with dated reference rates;
- :mod:`calculator.policy` holds marketplace rules, :mod:`calculator.timeline` computes deadlines;
- :mod:`calculator.model` computes the expected value of each option and the break-evens;
- :mod:`calculator.assessment` ties them together for many orders, :mod:`calculator.advice` answers
  one order in words.

Importing the package loads numpy and PyYAML only; pandas, scipy and matplotlib are imported by the
modules that need them (batch, sensitivity, charts) when those are used.
"""

from __future__ import annotations

from .errors import CalculatorError, DataFileError, FxError, InputError, RouteError, TariffError
from .assessment import Assessment, assess
from .advice import Estimate, estimate
from .fx import FxRates, reference_rates
from .i18n import get_language, language, set_language
from .model import OPTIONS, Evaluation, ModelInputs, evaluate
from .quote import Quote, quote
from .tariffs import Tariff, TariffSet, load_tariff, load_tariffs

__version__ = "0.1.0"

__all__ = [
    "estimate",
    "assess",
    "quote",
    "evaluate",
    "load_tariffs",
    "load_tariff",
    "reference_rates",
    "set_language",
    "language",
    "get_language",
    "Estimate",
    "Assessment",
    "Quote",
    "Evaluation",
    "ModelInputs",
    "OPTIONS",
    "FxRates",
    "CalculatorError",
    "DataFileError",
    "FxError",
    "InputError",
    "RouteError",
    "TariffError",
    "Tariff",
    "TariffSet",
    "__version__",
]
