"""costmodel: the economics of early help for children and families.

What late intervention costs an area, by issue and paying agency; how many families
an early-help team reaches; and what early help may save, appraised as the HM
Treasury Green Book sets out. Typical use::

    import costmodel
    params = costmodel.load()                          # the shipped, validated parameters
    b = costmodel.baseline(params, price_year="2024/25")
    b.table          # issue × agency, whole pounds, real terms
    r = costmodel.reach(params, runs=10_000, seed=1)   # the team's reach
    r.totals()       # families started, completed, ... with percentile bands
    p = costmodel.project(params, "central", draws=10_000, seed=1)   # NPV, BCR, who saves
    p.draws_table    # every parameter value each Monte Carlo draw used
    c = costmodel.report_content(params, ["central"])                # the report's tables
    costmodel.write_report(c, "central.pdf", xlsx="central.xlsx")    # PDF and workbook

The package is layered; each layer imports only those before it:
:mod:`costmodel.params` (files, schema, store, scenarios, distributions, sampling),
:mod:`costmodel.greenbook` (prices, discounting, appraisal arithmetic),
:mod:`costmodel.model` (baseline, team, programmes, savings, projection),
:mod:`costmodel.analysis` (sensitivity and value of information on any model) and
:mod:`costmodel.present` (labels, formatting, report, charts, PDF, workbook, widgets),
with the command line beside them. Names are imported on first use, so
``import costmodel`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("costmodel")
except PackageNotFoundError:  # pragma: no cover - running from a checkout that is not installed
    __version__ = "0+unknown"

# public name -> (module under costmodel, attribute)
_API = {
    "load": ("params.store", "load"),
    "ParameterSet": ("params.store", "ParameterSet"),
    "Parameter": ("params.schema", "Parameter"),
    "ParameterError": ("params.errors", "ParameterError"),
    "CostModelError": ("params.errors", "CostModelError"),
    "Scenario": ("params.scenarios", "Scenario"),
    "load_scenario": ("params.scenarios", "load_scenario"),
    "apply_scenario": ("params.scenarios", "apply_scenario"),
    "list_scenarios": ("params.scenarios", "list_scenarios"),
    "sample": ("params.sampling", "sample"),
    "deflators": ("greenbook.prices", "deflators"),
    "rebase": ("greenbook.prices", "rebase"),
    "discount_schedule": ("greenbook.discounting", "discount_schedule"),
    "flat_rate": ("greenbook.discounting", "flat_rate"),
    "discount_factors": ("greenbook.discounting", "discount_factors"),
    "present_value": ("greenbook.discounting", "present_value"),
    "validate": ("model.validation", "validate"),
    "baseline": ("model.late_intervention", "baseline"),
    "baseline_draws": ("model.late_intervention", "baseline_draws"),
    "Baseline": ("model.late_intervention", "Baseline"),
    "areas": ("model.late_intervention", "areas"),
    "reach": ("model.team", "reach"),
    "reach_inputs": ("model.team", "reach_inputs"),
    "simulate_reach": ("model.team", "simulate_reach"),
    "ReachResult": ("model.team", "ReachResult"),
    "calibrate": ("model.calibration", "calibrate"),
    "programmes": ("model.programme", "programmes"),
    "project": ("model.projection", "project"),
    "compare": ("model.projection", "compare"),
    "Projection": ("model.projection", "Projection"),
    "one_way": ("analysis.sensitivity", "one_way"),
    "two_way": ("analysis.sensitivity", "two_way"),
    "switching_values": ("analysis.sensitivity", "switching_values"),
    "evpi": ("analysis.value_of_information", "evpi"),
    "evppi": ("analysis.value_of_information", "evppi"),
    "report_content": ("analysis.report", "report_content"),
    "ReportContent": ("analysis.report", "ReportContent"),
    "write_report": ("present.pdf", "write_report"),
    "ISSUES": ("present.labels", "ISSUES"),
    "AGENCIES": ("present.labels", "AGENCIES"),
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.report import ReportContent, report_content
    from .analysis.sensitivity import one_way, switching_values, two_way
    from .analysis.value_of_information import evpi, evppi
    from .greenbook.discounting import (
        discount_factors,
        discount_schedule,
        flat_rate,
        present_value,
    )
    from .greenbook.prices import deflators, rebase
    from .model.calibration import calibrate
    from .model.late_intervention import Baseline, areas, baseline, baseline_draws
    from .model.programme import programmes
    from .model.projection import Projection, compare, project
    from .model.team import ReachResult, reach, reach_inputs, simulate_reach
    from .model.validation import validate
    from .params.errors import CostModelError, ParameterError
    from .params.sampling import sample
    from .params.scenarios import Scenario, apply_scenario, list_scenarios, load_scenario
    from .params.schema import Parameter
    from .params.store import ParameterSet, load
    from .present.labels import AGENCIES, ISSUES
    from .present.pdf import write_report


def __getattr__(name: str) -> Any:
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'costmodel' has no attribute {name!r}") from None
    value = getattr(import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
