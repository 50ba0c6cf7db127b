"""The baseline: an area's annual cost of late intervention by issue and paying agency.

Method, in order:

1. National (England and Wales) cost by issue: EIF's published figures; the
   combined mental-health-and-substance-misuse figure and the unattributed rest are
   split by the assumed shares in ``baseline.method.national_split``.
2. National issue × agency matrix: each issue's assumed agency shares
   (``baseline.method.agency_prior``) fitted by iterative proportional fitting to the
   published national agency totals (police and schools, not published apart, are
   fitted as one group). The fitted rows give each issue's agency shares.
3. The area's cost by issue: its published figures; the unpublished remainder split
   across the missing issues in proportion to their national costs.
4. The area's agency split: each issue's cost times the national fitted shares.

Deterministic results are in whole pounds, with rows and columns that add up
exactly. :func:`baseline_draws` runs the same steps vectorised over Monte Carlo
draws of the assumed shares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..greenbook.prices import as_financial_year, deflators
from ..params.distributions import draw
from ..params.errors import ParameterError, Problem, accepts
from ..params.limits import DEFAULT_SEED, check_draws, check_seed
from ..params.scenarios import Scenario, with_scenario
from .ipf import FittingError, fit, largest_remainder, round_to_margins
from .vocabulary import AGENCY_NAMES, COMBINED_ISSUE, ISSUE_NAMES, NATIONAL_AREA

METHOD = "baseline.method"

#: Bottom-up items: (issue, item, count parameter, unit cost parameter).
BOTTOM_UP_ITEMS = (
    (
        "child_protection_and_safeguarding",
        "children_looked_after",
        "children_looked_after",
        "child_looked_after",
    ),
    (
        "child_protection_and_safeguarding",
        "children_in_need_not_looked_after",
        "children_in_need_not_looked_after",
        "child_in_need_case_management",
    ),
    (
        "crime_and_antisocial_behaviour",
        "first_time_entrants",
        "first_time_entrants",
        "first_time_entrant",
    ),
    (
        "crime_and_antisocial_behaviour",
        "young_people_in_custody",
        "young_people_in_custody",
        "young_offender_institution_place",
    ),
    (
        "youth_substance_misuse",
        "young_people_in_treatment",
        "young_people_in_substance_misuse_treatment",
        "young_persons_substance_misuse_treatment",
    ),
    (
        "school_absence_and_exclusion",
        "permanent_exclusions",
        "permanent_exclusions",
        "permanent_exclusion",
    ),
)
UNIT_COSTS = "unit_costs.children_and_young_people"


@accepts(params="mapping")
def areas(params: Mapping) -> list[str]:
    """The areas that have a late-intervention total in the store."""
    return sorted(
        {
            k.split(".")[1]
            for k in params
            if k.startswith("areas.") and k.endswith(".late_intervention.total")
        }
    )


@dataclass(frozen=True)
class Baseline:
    """An area's annual late-intervention cost, issue × agency, in whole pounds.

    ``table`` rows are issues and columns agencies; every value is in real terms at
    ``price_year`` prices. ``issue_status`` and ``agency_status`` say whether each
    margin is ``published``, ``derived``, ``assumed`` or ``borrowed`` (a figure given as
    a parameter carries that parameter's status; the rest of the split is derived);
    ``total_status`` is the total's own: ``published`` only if it was.
    ``provenance`` holds, for the total, the population and every figure given as a
    parameter, where it came from (:meth:`ParameterSet.provenance`: status, source,
    method, range), so that every output can say it.
    """

    area: str
    price_year: str
    price_basis: str
    table: pd.DataFrame
    issue_status: pd.Series
    agency_status: pd.Series
    population: float
    bottom_up: pd.DataFrame | None = field(default=None, compare=False)
    total_status: str = "published"
    provenance: Mapping[str, Mapping] = field(default_factory=dict, compare=False)

    @property
    def by_issue(self) -> pd.Series:
        return self.table.sum(axis=1).rename("cost")

    @property
    def by_agency(self) -> pd.Series:
        return self.table.sum(axis=0).rename("cost")

    @property
    def total(self) -> int:
        return int(self.table.to_numpy().sum())

    @property
    def per_person(self) -> float:
        return self.total / self.population

    def frame(self, by: str = "issue") -> pd.DataFrame:
        """Cost, share of total and status by ``issue`` or ``agency``."""
        s = self.by_issue if by == "issue" else self.by_agency
        st = self.issue_status if by == "issue" else self.agency_status
        return pd.DataFrame(
            {
                "cost": s.astype("int64"),
                "share": s / self.total,
                "status": st.reindex(s.index),
            }
        )

    def to_dict(self) -> dict:
        """A JSON-ready summary (the CLI's ``--format json``)."""

        def block(s: pd.Series, st: pd.Series) -> dict:
            return {k: {"value": int(v), "status": str(st[k])} for k, v in s.items()}

        return {
            "area": self.area,
            "price_year": self.price_year,
            "price_basis": self.price_basis,
            "unit": "GBP/year",
            "total": self.total,
            "total_status": self.total_status,
            "provenance": {k: dict(v) for k, v in self.provenance.items()},
            "by_issue": block(self.by_issue, self.issue_status),
            "by_agency": block(self.by_agency, self.agency_status),
            "per_person": round(self.per_person, 2),
            "population": int(round(self.population)),
        }


# ----------------------------------------------------------------- the computation


def _area_inputs(params: Mapping, area: str) -> tuple[dict, dict]:
    """The area's published issue figures and total (parameters), by name."""
    head = f"areas.{area}.late_intervention."
    found = {k[len(head) :]: params[k] for k in params if k.startswith(head)}
    if "total" not in found:
        raise ParameterError(
            Problem(
                "",
                f"areas.{area}.late_intervention.total",
                f"area {area!r} has no late-intervention total",
            )
        )
    issues, agencies = {}, {}
    for name, p in found.items():
        if name == "total":
            continue
        if name.startswith("by_agency."):
            a = name.split(".", 1)[1]
            if a not in AGENCY_NAMES:
                raise ParameterError(
                    Problem(
                        p.file,
                        p.path,
                        f"unknown agency {a!r} (known: {', '.join(AGENCY_NAMES)})",
                        p.line,
                    )
                )
            agencies[a] = p
        elif name in ISSUE_NAMES or (name == COMBINED_ISSUE and area == NATIONAL_AREA):
            issues[name] = p
        else:
            raise ParameterError(
                Problem(
                    p.file,
                    p.path,
                    f"unknown issue {name!r} (known: {', '.join(ISSUE_NAMES)})",
                    p.line,
                )
            )
    for p in [found["total"], *issues.values(), *agencies.values()]:
        if p.price_year != found["total"].price_year:
            raise ParameterError(
                Problem(
                    p.file,
                    p.path,
                    f"price year {p.price_year} differs "
                    f"from the area total's {found['total'].price_year}",
                    p.line,
                )
            )
    return {"total": found["total"], **issues}, agencies


def _sample(params: Mapping, path: str, n: int, rng: np.random.Generator | None) -> np.ndarray:
    p = params[path]
    if rng is None:
        v = np.array(list(p.value.values()) if p.is_table else [p.value], dtype=float)
        return np.broadcast_to(v, (n, v.size)).copy() if p.is_table else np.full(n, v[0])
    return draw(p, n, rng)


def _national_by_issue(params: Mapping, n: int, rng: np.random.Generator | None) -> np.ndarray:
    """National cost by issue (n, issues), from published figures and the split shares."""
    figures, _ = _area_inputs(params, NATIONAL_AREA)
    total = figures["total"].value
    known = {k: p.value for k, p in figures.items() if k != "total"}
    combined = known.pop(COMBINED_ISSUE, 0.0)
    unattributed = total - sum(known.values()) - combined
    if unattributed < 0:
        p = figures["total"]
        raise ParameterError(
            Problem(
                p.file,
                p.path,
                "the national issue figures add up to more "
                f"than the total by £{-unattributed:,.0f}",
                p.line,
            )
        )
    s = _sample(params, f"{METHOD}.national_split.substance_misuse_share_of_combined", n, rng)
    h = _sample(params, f"{METHOD}.national_split.school_share_of_unattributed", n, rng)
    out = np.zeros((n, len(ISSUE_NAMES)))
    for i, name in enumerate(ISSUE_NAMES):
        if name in known:
            out[:, i] = known[name]
    ix = ISSUE_NAMES.index
    out[:, ix("youth_substance_misuse")] += combined * s
    out[:, ix("child_injuries_and_mental_health")] += combined * (1 - s) + unattributed * (1 - h)
    out[:, ix("school_absence_and_exclusion")] += unattributed * h
    return out


def _agency_shares(
    params: Mapping, national: np.ndarray, n: int, rng: np.random.Generator | None
) -> np.ndarray:
    """Each issue's agency shares (n, issues, agencies), fitted to national agency totals."""
    prior = np.zeros((n, len(ISSUE_NAMES), len(AGENCY_NAMES)))
    for i, name in enumerate(ISSUE_NAMES):
        path = f"{METHOD}.agency_prior.{name}"
        p = params[path]
        if set(p.value) != set(AGENCY_NAMES):
            raise ParameterError(
                Problem(
                    p.file,
                    p.path,
                    "needs one share for each agency: " + ", ".join(AGENCY_NAMES),
                    p.line,
                )
            )
        d = _sample(params, path, n, rng)
        prior[:, i, :] = d[:, [list(p.value).index(a) for a in AGENCY_NAMES]]
    figures, published = _area_inputs(params, NATIONAL_AREA)
    total = figures["total"].value
    groups, targets = [], []
    rest = [j for j, a in enumerate(AGENCY_NAMES) if a not in published]
    for j, a in enumerate(AGENCY_NAMES):
        if a in published:
            groups.append([j])
            targets.append(published[a].value)
    remainder = total - sum(targets)
    if remainder < 0 or (rest == [] and abs(remainder) > 0.5):
        p = figures["total"]
        raise ParameterError(
            Problem(
                p.file,
                f"areas.{NATIONAL_AREA}.late_intervention.by_agency",
                "the published agency totals do not add up to the total",
                p.line,
            )
        )
    if rest:
        groups.append(rest)
        targets.append(remainder)
    seed = national[:, :, None] * prior
    try:
        fitted = fit(seed, national, np.broadcast_to(np.array(targets), (n, len(targets))), groups)
    except FittingError as exc:
        raise ParameterError(
            Problem(
                "",
                f"{METHOD}.agency_prior",
                f"cannot fit the agency split to the national totals: {exc}",
            )
        ) from exc
    rows = fitted.sum(axis=-1, keepdims=True)
    return np.divide(fitted, rows, out=np.zeros_like(fitted), where=rows > 0)


def _area_by_issue(
    params: Mapping,
    area: str,
    national: np.ndarray,
    n: int,
    rng: np.random.Generator | None,
) -> np.ndarray:
    if area == NATIONAL_AREA:
        return national
    figures, _ = _area_inputs(params, area)
    total = figures["total"].value
    out = np.zeros((n, len(ISSUE_NAMES)))
    missing = []
    for i, name in enumerate(ISSUE_NAMES):
        if name in figures:
            out[:, i] = figures[name].value
        else:
            missing.append(i)
    remainder = total - out[0].sum()
    if remainder < -0.5:
        p = figures["total"]
        raise ParameterError(
            Problem(
                p.file,
                p.path,
                f"the published issue figures add up to more than the total by £{-remainder:,.0f}",
                p.line,
            )
        )
    if missing:
        weights = national[:, missing] / national[:, missing].sum(axis=1, keepdims=True)
        if rng is not None:
            conc = params[f"{METHOD}.remainder_concentration"].value
            weights = _dirichlet_rows(rng, conc * weights)
        out[:, missing] = remainder * weights
    elif abs(remainder) > 0.5:
        p = figures["total"]
        raise ParameterError(
            Problem(p.file, p.path, "the issue figures do not add up to the total", p.line)
        )
    return out


def _dirichlet_rows(rng: np.random.Generator, alpha: np.ndarray) -> np.ndarray:
    """One Dirichlet draw per row of ``alpha`` (vectorised through gamma draws)."""
    g = rng.gamma(alpha)
    return g / g.sum(axis=1, keepdims=True)


def _compute(
    params: Mapping, area: str, n: int, rng: np.random.Generator | None
) -> tuple[np.ndarray, np.ndarray]:
    national = _national_by_issue(params, n, rng)
    shares = _agency_shares(params, national, n, rng)
    by_issue = _area_by_issue(params, area, national, n, rng)
    return by_issue, by_issue[:, :, None] * shares


def default_area(params: Mapping) -> str | None:
    """The area a parameter set is about: the one it was loaded for
    (``costmodel.load(area)``), else its only area besides the national reference one,
    else None (several areas and none chosen)."""
    chosen = getattr(params, "area", None)
    if chosen:
        return chosen
    local = [a for a in areas(params) if a != NATIONAL_AREA]
    return local[0] if len(local) == 1 else None


def _check_area(params: Mapping, area: str | None) -> str:
    area = area or default_area(params) or NATIONAL_AREA
    known = areas(params)
    if area not in known:
        raise ParameterError(
            Problem("", f"areas.{area}", f"unknown area {area!r} (known: {', '.join(known)})")
        )
    return area


@accepts(params="mapping", area="name", price_year="name", scenario="scenario")
def baseline(
    params: Mapping,
    area: str | None = None,
    price_year: str | None = None,
    *,
    scenario: str | Scenario | None = None,
) -> Baseline:
    """The area's annual late-intervention cost, issue × agency, in whole pounds.

    ``price_year`` (e.g. ``"2024/25"``) re-expresses every figure in that year's
    prices with the GDP deflator; by default the published price year is kept.
    ``scenario`` is applied to ``params`` first (see :func:`costmodel.project`).
    """
    params = with_scenario(params, scenario)
    area = _check_area(params, area)
    figures, agencies_published = _area_inputs(params, area)
    base_year = figures["total"].price_year
    price_year = as_financial_year(price_year) if price_year else base_year
    defl = deflators(params)
    factor = defl.factor(base_year, price_year)

    by_issue, matrix = _compute(params, area, 1, None)
    by_issue, matrix = by_issue[0] * factor, matrix[0] * factor
    total_int = int(round(figures["total"].value * factor))
    issue_int = largest_remainder(by_issue, total_int)
    # published agency totals are met to the pound; the other columns take what rounding gives
    col_targets = np.array(
        [
            round(agencies_published[a].value * factor) if a in agencies_published else np.nan
            for a in AGENCY_NAMES
        ]
    )
    cells = round_to_margins(matrix, issue_int, col_targets)

    table = pd.DataFrame(
        cells,
        index=pd.Index(ISSUE_NAMES, name="issue"),
        columns=pd.Index(AGENCY_NAMES, name="agency"),
    )
    prov = _provenance(params)
    given = {f"issue.{k}": p.path for k, p in figures.items() if k != "total"}
    given.update({f"agency.{k}": p.path for k, p in agencies_published.items()})
    provenance = {
        "total": prov(figures["total"].path),
        "population": prov(f"areas.{area}.population"),
        **{k: prov(path) for k, path in given.items()},
    }
    for key, entry in provenance.items():
        if key != "population" and "range" in entry:  # money: in the result's prices
            provenance[key] = {**entry, "range": [x * factor for x in entry["range"]]}

    def status(key: str) -> str:
        return str(provenance[key]["status"]) if key in provenance else "derived"

    issue_status = pd.Series({k: status(f"issue.{k}") for k in ISSUE_NAMES})
    agency_status = pd.Series({k: status(f"agency.{k}") for k in AGENCY_NAMES})
    population = float(params[f"areas.{area}.population"].value)
    return Baseline(
        area=area,
        price_year=price_year,
        price_basis=defl.basis(price_year),
        table=table,
        issue_status=issue_status,
        agency_status=agency_status,
        population=population,
        bottom_up=bottom_up(params, area, price_year, table.sum(axis=1)),
        total_status=str(provenance["total"]["status"]),
        provenance=provenance,
    )


def _provenance(params: Mapping) -> Callable[[str], dict]:
    """Where a parameter came from: the parameter set's own account where it has one
    (:meth:`ParameterSet.provenance`), else the parameter's status and source."""
    if hasattr(params, "provenance"):
        return params.provenance

    def of(path: str) -> dict:
        p = params[path]
        return {
            "status": p.status,
            "basis": p.status,
            "confidence": p.confidence,
            "source": p.source.citation(),
        }

    return of


#: The area's share of the nation's children, which scales national counts to an area.
CHILD_SHARE = "child_population_share"


def area_count(params: Mapping, area: str, name: str) -> tuple[float, str] | None:
    """An activity count for ``area`` and where it came from: the area's own
    (``areas.AREA.activity.NAME``), else the national count times the area's share of
    England's children (the source says ``derived: ... × ...``), else None."""
    own = f"areas.{area}.activity.{name}"
    if own in params:
        return float(params[own].value), own
    national = f"areas.{NATIONAL_AREA}.activity.{name}"
    share = f"areas.{area}.activity.{CHILD_SHARE}"
    if national in params and share in params and area != NATIONAL_AREA:
        return (
            float(params[national].value) * float(params[share].value),
            f"derived: {national} × {share}",
        )
    return None


def bottom_up(
    params: Mapping, area: str, price_year: str, published: pd.Series | None = None
) -> pd.DataFrame | None:
    """Activity counts × unit costs for the issues where both are in the store.

    One row per item, then per issue a ``not itemised`` row: the top-down figure
    (``published``, by issue) less the items, so that changing a count shows its effect
    on the gap. ``None`` when the area has no activity counts.
    """
    head = f"areas.{area}.activity."
    if not any(k.startswith(head) for k in params):
        return None
    defl = deflators(params)
    rows = []
    for issue, item, count_name, cost_name in BOTTOM_UP_ITEMS:
        found = area_count(params, area, count_name)
        if found is None:
            continue
        count, count_path = found
        cost_path = f"{UNIT_COSTS}.{cost_name}"
        cost = params[cost_path]
        unit_cost = cost.value * defl.factor(cost.price_year, price_year)
        rows.append(
            {
                "issue": issue,
                "item": item,
                "count": count,
                "unit_cost": unit_cost,
                "cost": count * unit_cost,
                "count_source": count_path,
                "unit_cost_source": cost_path,
                "unit_cost_price_year": cost.price_year,
            }
        )
    items = pd.DataFrame(rows)
    if published is None or items.empty:
        return items
    recon = []
    for issue, group in items.groupby("issue", sort=False):
        recon.append(
            {
                "issue": issue,
                "item": "not_itemised",
                "count": np.nan,
                "unit_cost": np.nan,
                "cost": float(published[issue]) - group["cost"].sum(),
                "count_source": None,
                "unit_cost_source": None,
                "unit_cost_price_year": None,
            }
        )
    out = pd.concat([items, pd.DataFrame(recon)], ignore_index=True)
    order = {k: i for i, k in enumerate(ISSUE_NAMES)}
    out["_o"] = out["issue"].map(order)
    out["_r"] = (out["item"] == "not_itemised").astype(int)
    return (
        out.sort_values(["_o", "_r"], kind="stable")
        .drop(columns=["_o", "_r"])
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class BaselineDraws:
    """Monte Carlo draws of the baseline: arrays shaped (draws, issues[, agencies])."""

    area: str
    price_year: str
    by_issue: np.ndarray
    matrix: np.ndarray

    def summary(
        self, by: str = "issue", percentiles: Sequence[float] = (5, 50, 95)
    ) -> pd.DataFrame:
        """Mean and percentiles of each issue's (or agency's) cost over the draws."""
        values = self.by_issue if by == "issue" else self.matrix.sum(axis=1)
        names = ISSUE_NAMES if by == "issue" else AGENCY_NAMES
        out = pd.DataFrame({"mean": values.mean(axis=0)}, index=pd.Index(names, name=by))
        for q in percentiles:
            out[f"p{q}"] = np.percentile(values, q, axis=0)
        return out


@accepts(params="mapping", area="name", price_year="name", scenario="scenario")
def baseline_draws(
    params: Mapping,
    area: str | None = None,
    price_year: str | None = None,
    *,
    draws: int = 1000,
    seed: int | np.random.Generator = DEFAULT_SEED,
    scenario: str | Scenario | None = None,
) -> BaselineDraws:
    """The baseline under ``draws`` draws of the assumed shares (published figures fixed);
    ``scenario`` is applied to ``params`` first."""
    params = with_scenario(params, scenario)
    draws = check_draws(draws)
    if not isinstance(seed, np.random.Generator):
        seed = check_seed(seed)
    area = _check_area(params, area)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    figures, _ = _area_inputs(params, area)
    base_year = figures["total"].price_year
    price_year = as_financial_year(price_year) if price_year else base_year
    factor = deflators(params).factor(base_year, price_year)
    by_issue, matrix = _compute(params, area, draws, rng)
    return BaselineDraws(area, price_year, by_issue * factor, matrix * factor)
