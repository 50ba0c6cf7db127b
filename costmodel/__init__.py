"""costmodel: the economics of early help for children and families.

The cost of late intervention by issue and paying agency, with every figure
sourced; Green Book prices and discounting. Typical use::

    import costmodel
    params = costmodel.load("northamptonshire")
    b = costmodel.baseline(params, price_year="2024/25")
    b.table          # issue × agency, whole pounds, real terms
    b.by_agency      # who pays
    r = costmodel.reach(params, runs=10_000, seed=1)   # the team's reach
    r.totals()       # families started, completed, ... with percentile bands
    p = costmodel.project(params, "central", draws=10_000, seed=1)   # NPV, BCR, who saves
    c = costmodel.report_content(params, ["central"])                # the report's tables
    costmodel.write_report(c, "central.pdf", xlsx="central.xlsx")    # PDF and workbook

Heavy submodules are imported on first use, so ``import costmodel`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> (module, attribute)
_API = {
    "load": ("store", "load"),
    "validate": ("store", "validate"),
    "ParameterSet": ("store", "ParameterSet"),
    "Parameter": ("schema", "Parameter"),
    "ParameterError": ("errors", "ParameterError"),
    "CostModelError": ("errors", "CostModelError"),
    "baseline": ("cost_baseline", "baseline"),
    "baseline_draws": ("cost_baseline", "baseline_draws"),
    "Baseline": ("cost_baseline", "Baseline"),
    "areas": ("cost_baseline", "areas"),
    "deflators": ("prices", "deflators_from_params"),
    "rebase": ("prices", "rebase"),
    "discount_schedule": ("discounting", "schedule_from_params"),
    "flat_rate": ("discounting", "flat_rate"),
    "discount_factors": ("discounting", "discount_factors"),
    "present_value": ("discounting", "present_value"),
    "reach": ("team_reach", "reach"),
    "reach_inputs": ("team_reach", "reach_inputs"),
    "simulate_reach": ("team_reach", "simulate"),
    "ReachResult": ("team_reach", "ReachResult"),
    "calibrate": ("calibration", "calibrate"),
    "project": ("projection", "project"),
    "compare": ("projection", "compare"),
    "Projection": ("projection", "Projection"),
    "one_way": ("sensitivity", "one_way"),
    "two_way": ("sensitivity", "two_way"),
    "switching_values": ("sensitivity", "switching_values"),
    "evppi": ("sensitivity", "evppi"),
    "report_content": ("report_content", "report_content"),
    "ReportContent": ("report_content", "ReportContent"),
    "write_report": ("pdf_report", "write_report"),
    "Scenario": ("scenarios", "Scenario"),
    "load_scenario": ("scenarios", "load_scenario"),
    "apply_scenario": ("scenarios", "apply_scenario"),
    "list_scenarios": ("scenarios", "list_scenarios"),
    "ISSUES": ("vocabulary", "ISSUES"),
    "AGENCIES": ("vocabulary", "AGENCIES"),
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:  # pragma: no cover
    from .calibration import calibrate
    from .cost_baseline import Baseline, areas, baseline, baseline_draws
    from .discounting import discount_factors, flat_rate, present_value
    from .discounting import schedule_from_params as discount_schedule
    from .errors import CostModelError, ParameterError
    from .pdf_report import write_report
    from .prices import deflators_from_params as deflators
    from .prices import rebase
    from .projection import Projection, compare, project
    from .report_content import ReportContent, report_content
    from .scenarios import Scenario, apply_scenario, list_scenarios, load_scenario
    from .schema import Parameter
    from .sensitivity import evppi, one_way, switching_values, two_way
    from .store import ParameterSet, load, validate
    from .team_reach import ReachResult, reach, reach_inputs
    from .team_reach import simulate as simulate_reach
    from .vocabulary import AGENCIES, ISSUES


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
