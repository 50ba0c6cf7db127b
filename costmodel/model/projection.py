"""Projecting savings under a scenario: the engine that feeds programmes to the appraisal.

The result it builds is :class:`costmodel.model.result.Projection`; its time line is
:mod:`costmodel.model.timeline`.

``project`` applies the scenario, asks every programme it appraises (the team, and
any programme defined as data) for its yearly families, costs and income, draws the
savings parameters, places the programmes on one time line and appraises every draw
at once. With ``draws=1`` it gives the deterministic (central) result: central
parameter values and the mean of the simulated families and spend.

Random numbers come from one generator seeded with ``seed``, in a fixed order: first
the seed of the team simulation's own generator, then the savings parameters, then
each other programme's parameters. The same seed gives the same numbers.

Memory stays bounded however many draws are asked for. Draws are sampled in blocks of
:data:`SAMPLE_BLOCK` (the first block from the generator above, block ``b`` from a
generator seeded with ``[seed, b]``), and each block is appraised in chunks whose size
follows :data:`CHUNK_BYTES`. Results for a given seed therefore do not depend on the
chunk size. Means, the chance of a positive NPV and of paying back, and every yearly
mean are exact over all draws (running sums); every per-draw value (for percentiles,
charts, the draws table and the value of information) is kept for the first
:data:`STORED_DRAWS` draws: an exact record up to that number, and above it a simple
random sample of the draws (they are independent and identically distributed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.prices import as_financial_year, deflators, financial_year_of
from ..params.errors import ParameterError, Problem, accepts
from ..params.limits import DEFAULT_SEED, check_draws, check_runs, check_seed
from ..params.sampling import sample
from ..params.scenarios import Scenario, apply_scenario, scenario_name
from .late_intervention import baseline, default_area
from .programme import (
    CENTRAL_REACH_RUNS,
    PROGRAMMES,
    ProgrammeFlows,
    RunOptions,
    cohort_names,
    programmes,
)
from .result import (
    Projection,
    Totals,
    _flow_sums,
    bcr_interval,
    indicator_values,
    programme_financial_years,
)
from .savings import (
    PER_DRAW,
    Appraisal,
    SavingsInputs,
    Served,
    appraise,
    combine_appraisals,
    effective_families,
    evidence_summary,
    issue_cap_check,
    outcome_names,
    savings_correlations,
    savings_inputs,
    savings_paths,
)
from .timeline import FOLLOW_UP, Timeline, cohort_years, timeline
from .vocabulary import AGENCY_NAMES, QUARTERS_PER_YEAR

__all__ = [
    "CENTRAL_REACH_RUNS",
    "FOLLOW_UP",
    "Projection",
    "Timeline",
    "Totals",
    "bcr_interval",
    "cohort_years",
    "compare",
    "default_price_year",
    "programme_financial_years",
    "project",
    "timeline",
]


#: Draws sampled together from one generator.
SAMPLE_BLOCK = 100_000
#: Draws whose every per-draw value is kept (percentiles, charts, value of information).
STORED_DRAWS = 100_000
#: Memory budget of one chunk of the appraisal's working arrays, in bytes.
CHUNK_BYTES = 96 * 2**20


class _Accumulator:
    """Running sums of a projection's flows and indicators, chunk by chunk."""

    def __init__(self) -> None:
        self.draws = 0
        self.flows: dict[str, np.ndarray] = {}
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.positive = 0
        self.paid_back = 0

    def add(self, a: Appraisal, values: Mapping[str, np.ndarray]) -> None:
        self.draws += len(a.costs)
        for k, s in _flow_sums(a).items():
            self.flows[k] = self.flows[k] + s if k in self.flows else s
        for k, v in values.items():
            ok = np.asarray(v, dtype=float)
            ok = ok[np.isfinite(ok)]
            self.sums[k] = self.sums.get(k, 0.0) + float(ok.sum())
            self.counts[k] = self.counts.get(k, 0) + int(ok.size)
        self.positive += int((np.asarray(values["npv"]) > 0).sum())
        self.paid_back += int(np.isfinite(values["payback_years"]).sum())

    def totals(self) -> Totals:
        return Totals(
            draws=self.draws,
            flows={k: v / self.draws for k, v in self.flows.items()},
            indicators={
                k: (self.sums[k] / self.counts[k] if self.counts[k] else np.nan) for k in self.sums
            },
            p_npv_positive=self.positive / self.draws,
            p_payback=self.paid_back / self.draws,
        )


def default_price_year(params: Mapping) -> str:
    """The study's price base when none is asked for: the price year of the team's
    budget, or, for an area without a team, of its first programme's cost per family."""
    if "team.budget.total" in params:
        return params["team.budget.total"].price_year
    for name in cohort_names(params):
        path = f"programmes.{name}.cost_per_family"
        if path in params and params[path].price_year:
            return params[path].price_year
    raise ParameterError(
        Problem("", "team", "nothing to appraise: the area has no team.yaml and no programme")
    )


@accepts(params="mapping", scenario="scenario", price_year="name")
def project(
    params: Any,
    scenario: str | Scenario | None = None,
    *,
    draws: int = 10_000,
    seed: int = DEFAULT_SEED,
    horizon: int | None = None,
    price_year: str | None = None,
    discount: str = "standard",
    runs: int = 5000,
    simulation: Any = None,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
    check_area: bool = True,
    central: bool = False,
    chunk_bytes: int | None = None,
    on_chunk: Callable[[int], object] | None = None,
    years_after_support: int | None = None,
    base_date: dt.date | None = None,
    as_of: dt.date | None = None,
    decision_date: dt.date | None = None,
) -> Projection:
    """Appraise a scenario over ``draws`` Monte Carlo draws (1 = deterministic).

    **Cohorts.** Families whose support ends in the same quarter of a programme form a
    cohort; each cohort's savings are followed for ``years_after_support`` years from
    the quarter its support ends (default ``savings.appraisal.years_after_support``), so
    a family helped in the last quarter counts as many years of benefit as one helped in
    the first. The appraisal period (``horizon``, years from the earliest programme's
    start) defaults to the end of the last cohort's follow-up (the programme's years
    plus the years after support); a shorter ``horizon`` cuts every stream there.
    **Discounting** counts from ``base_date`` (default: the earliest programme's
    start): year ``t`` of the appraisal is discounted by the Green Book factor for its
    distance from the base year (a year before it is compounded). **Optimism bias on
    costs** is ex ante: it raises only the costs of appraisal years that start after
    ``as_of`` (default: today), never spending already incurred.

    **Effects** come from the evidence (:mod:`costmodel.params.evidence`): an effect
    measured for a programme appraised here against its own counterfactual is its own;
    one measured elsewhere is transferred; the need tiers the programmes serve scale
    the outcome rates (:func:`served_by`).

    Every programme the parameters appraise (:func:`costmodel.model.programme.programmes`)
    contributes its families, costs and income; the time line starts at the earliest
    programme's start date. The team simulation runs ``min(draws, runs)`` times;
    a ``simulation`` already run on the same parameters may be passed to reuse it, and
    ``progress`` wraps its time loop (e.g. ``tqdm.tqdm``). With ``check_area`` the
    helped families' outcome costs are checked against the area's baseline (the area
    of the parameter set: see :func:`costmodel.model.late_intervention.default_area`).
    With ``central`` the NPV at central parameter values is worked out too (a
    deterministic projection; ``central_npv``). Draws are appraised in chunks of at most
    ``chunk_bytes`` of working memory
    (default :data:`CHUNK_BYTES`); the results do not depend on it. ``on_chunk`` is
    called with the number of draws each chunk appraised (e.g. a progress bar's update).
    """
    draws = check_draws(draws)
    seed = check_seed(seed)
    runs = check_runs(runs)
    params = apply_scenario(params, scenario)
    rng = np.random.default_rng(seed)
    if price_year:
        price_year = as_financial_year(price_year)
    elif decision_date is not None:
        price_year = financial_year_of(decision_date)
    else:
        price_year = default_price_year(params)
    options = RunOptions(
        deterministic=draws == 1,
        team_seed=int(rng.integers(2**31)),
        runs=runs,
        simulation=simulation,
        progress=progress,
    )
    included = programmes(params)
    line = timeline(
        params,
        included,
        horizon=horizon,
        years_after_support=years_after_support,
        discount=discount,
        base_date=base_date,
        decision_date=decision_date,
        as_of=as_of,
    )
    run = _Run(
        params=params,
        included=tuple(included),
        served=tuple(served_by(params, [p]) for p in included),
        line=line,
        price_year=price_year,
        discount=discount,
        area=default_area(params) if check_area else None,
        chunk=_chunk_draws(chunk_bytes or CHUNK_BYTES, line.horizon, len(outcome_names(params))),
        on_chunk=on_chunk,
    )
    state = _State(stored=_Stored(min(draws, STORED_DRAWS)))
    for block, first in enumerate(range(0, draws, SAMPLE_BLOCK)):
        n = min(SAMPLE_BLOCK, draws - first)
        block_rng = rng if block == 0 else np.random.default_rng([seed, block])
        options = run.block(block, first, n, block_rng, options, state)
    return _assemble(run, state, scenario, draws, seed, central, decision_date)


@dataclass
class _State:
    """What a projection keeps while its blocks of draws are appraised."""

    stored: _Stored
    total: _Accumulator = field(default_factory=lambda: _Accumulator())
    kept: list[tuple[SavingsInputs, tuple[ProgrammeFlows, ...], pd.DataFrame]] = field(
        default_factory=list
    )
    checks: tuple[str, ...] = ()


class _Placer:
    """Puts each programme's yearly (or quarterly) arrays on the common time line."""

    def __init__(self, shifts: Sequence[int], n: int, length: int, per: int) -> None:
        self.shifts, self.n, self.length, self.per = tuple(shifts), n, length, per

    def years(self, arrays: Sequence[np.ndarray | None]) -> np.ndarray:
        out = np.zeros((self.n, self.length))
        for a, s in zip(arrays, self.shifts, strict=True):
            if a is not None:
                out[:, s : s + a.shape[1]] += a
        return out

    def periods(self, arrays: Sequence[np.ndarray | None]) -> np.ndarray:
        out = np.zeros((self.n, self.length * self.per))
        for a, s in zip(arrays, self.shifts, strict=True):
            if a is not None:
                out[:, s * self.per : s * self.per + a.shape[1]] += a
        return out

    def only(self, i: int, a: np.ndarray | None) -> list[np.ndarray | None]:
        """``a`` in programme ``i``'s place, nothing in the others'."""
        return [a if j == i else None for j in range(len(self.shifts))]


@dataclass(frozen=True)
class _Run:
    """One projection's fixed settings, and how it appraises a block of draws."""

    params: Any
    included: tuple
    served: tuple[Served, ...]
    line: Timeline
    price_year: str
    discount: str
    area: str | None
    chunk: int
    on_chunk: Callable[[int], object] | None

    def estimated(self, i: int, f: ProgrammeFlows, length: int) -> np.ndarray:
        """Years whose costs are estimates: after ``as_of``, less the outturn share."""
        future = self.line.future
        if f.actual is None:
            return future
        known = np.zeros(max(length, self.line.horizon))
        shift = self.line.shifts[i]
        known[shift : shift + len(f.actual)] = f.actual
        return future * (1.0 - known[: self.line.horizon])

    def block(
        self,
        block: int,
        first: int,
        n: int,
        rng: np.random.Generator,
        options: RunOptions,
        state: _State,
    ) -> RunOptions:
        """Sample and appraise draws ``first`` to ``first + n`` (one generator block);
        returns the run options for the next block (the team simulation shared)."""
        params = self.params
        values = sample(
            params,
            n,
            None if options.deterministic else rng,
            savings_paths(params),
            savings_correlations(params),
        )
        # each programme's effects and rates follow its own evidence and population
        inputs_each = [
            savings_inputs(params, self.price_year, values=values, served=sv)
            for sv in self.served or (Served(),)
        ]
        run = replace(options, first_draw=first)
        flows = tuple(p.flows(params, self.price_year, n, rng, run) for p in self.included)
        team = next((f for f in flows if f.simulation is not None), None)
        if team is not None:  # one team simulation serves every block
            options = replace(options, simulation=team.simulation)
        shifts = self.line.shifts
        length = max([f.years + s for f, s in zip(flows, shifts, strict=True)] or [1])
        per = QUARTERS_PER_YEAR if all(f.quarterly for f in flows) else 1
        place = _Placer(shifts, n, length, per)
        # one appraisal for each programme (none: an empty one), added up by chunk
        each = [
            (
                inputs_each[i],
                place.periods(place.only(i, _effective(f.family_flows(per > 1), inputs_each[i]))),
                place.years(place.only(i, f.costs)),
                None if f.income is None else place.years(place.only(i, f.income)),
                f.started,
                self.estimated(i, f, length),
            )
            for i, f in enumerate(flows)
        ] or [
            (
                inputs_each[0],
                place.periods([]),
                place.years([]),
                None,
                np.zeros(n),
                self.line.future,
            )
        ]
        if block == 0 and self.area is not None and flows:
            state.checks = self._area_checks(inputs_each[0], flows, place, options)
        for lo in range(0, n, self.chunk):
            self._chunk(
                lo, min(n, lo + self.chunk), each, per, flows, values, inputs_each[0], state
            )
        return options

    def _area_checks(
        self,
        inputs: SavingsInputs,
        flows: Sequence[ProgrammeFlows],
        place: _Placer,
        options: RunOptions,
    ) -> tuple[str, ...]:
        """The helped families' outcome costs against the area's baseline by issue."""
        county = baseline(self.params, self.area, self.price_year).by_issue
        central = (
            inputs
            if options.deterministic
            else savings_inputs(
                self.params, self.price_year, served=(self.served or (Served(),))[0]
            )
        )
        completed = place.years([f.completed for f in flows])
        return issue_cap_check(central, float(completed.mean(axis=0).max(initial=0)), county)

    def _chunk(
        self,
        lo: int,
        hi: int,
        each: Sequence[tuple],
        per: int,
        flows: Sequence[ProgrammeFlows],
        values: pd.DataFrame,
        inputs: SavingsInputs,
        state: _State,
    ) -> None:
        """Appraise draws ``lo`` to ``hi`` of a block and keep what is kept."""
        line = self.line
        a = combine_appraisals(
            [
                appraise(
                    inp.rows(lo, hi),
                    costs[lo:hi],
                    families[lo:hi],
                    line.factors,
                    self.discount,
                    state.checks,
                    families_helped=helped[lo:hi],
                    income=None if income is None else income[lo:hi],
                    years_after_support=line.years_after_support,
                    cohorts_per_year=per,
                    estimated_years=est,
                    health_discount_factors=line.health,
                )
                for inp, families, costs, income, helped, est in each
            ]
        )
        part = tuple(f.rows(lo, hi) for f in flows)
        state.total.add(a, indicator_values(a, part))
        if self.on_chunk is not None:
            self.on_chunk(hi - lo)
        keep = state.stored.add(a)
        if keep:
            table = pd.concat(
                [values.iloc[lo:hi].reset_index(drop=True), *(f.values for f in part)], axis=1
            )
            state.kept.append(
                (
                    inputs.rows(lo, lo + keep),
                    tuple(f.rows(0, keep) for f in part),
                    table.iloc[:keep],
                )
            )


def _assemble(
    run: _Run,
    state: _State,
    scenario: Any,
    draws: int,
    seed: int,
    central: bool,
    decision_date: dt.date | None,
) -> Projection:
    """The projection from what its blocks kept."""
    params, line = run.params, run.line
    appraisal = state.stored.appraisal()
    kept = state.kept
    stored_flows = tuple(
        ProgrammeFlows.join([k[1][i] for k in kept]) for i in range(len(run.included))
    )
    table = pd.concat([k[2].reset_index(drop=True) for k in kept], ignore_index=True)
    table = table.loc[:, ~table.columns.duplicated()]
    totals = state.total.totals()
    return Projection(
        scenario=scenario_name(scenario),
        draws=draws,
        seed=seed,
        appraisal=appraisal,
        inputs=SavingsInputs.join([k[0] for k in kept]),
        programmes=stored_flows,
        draws_table=table,
        start_year=line.start.isoformat(),
        price_basis=deflators(params).basis(run.price_year),
        area=run.area,
        totals=totals,
        central_npv=_central_npv(
            params,
            draws == 1,
            appraisal,
            central,
            dict(
                horizon=line.horizon,
                price_year=run.price_year,
                discount=run.discount,
                years_after_support=line.years_after_support,
                base_date=line.base,
                as_of=line.as_of,
                decision_date=decision_date,
            ),
        ),
        base_date=line.base.isoformat(),
        years_after_support=line.years_after_support,
        decision_date=None if decision_date is None else decision_date.isoformat(),
        sunk=sunk_values(totals, line.full, line.health_full, line.ahead),
        evidence=evidence_summary(params, (run.served or (Served(),))[0]),
        perspective_weights=perspective_weights(params, run.included),
    )


def sunk_values(
    totals: Totals, factors: np.ndarray, health: np.ndarray, ahead: np.ndarray
) -> dict[str, float]:
    """Mean present values of what falls before the decision (each year's share before
    it): costs, income, and net savings (fiscal, by agency) already realised."""
    before = factors * (1.0 - ahead)
    f = totals.flows
    out = {
        "pv_costs": float(before @ f["costs"]),
        "pv_income": float(before @ f["income"]),
        "pv_savings_net": float(before @ f["net"].sum(axis=1)),
        "pv_social_net": float((health * (1.0 - ahead)) @ f["social_net"]),
    }
    out["npv"] = out["pv_savings_net"] - out["pv_costs"]
    return out


def served_by(params: Mapping, included: Sequence) -> Served:
    """What a programme serves: its name and the need tiers of its families
    (``team.population`` or ``programmes.<name>.population``; several programmes: the
    first's tiers, so appraise each with its own, as :func:`project` does). A cohort
    programme's ``evaluated_as`` names the programme whose evaluation measured it (a
    county's delivery of a national programme), whose effects then count as its own."""
    mix: dict[str, float] = {}
    for prog in included:
        path = (
            "team.population"
            if prog.kind == "team simulation"
            else f"{PROGRAMMES}.{prog.name}.population"
        )
        if path in params and not mix:
            mix = dict(params[path].value)
    names = [p.name for p in included]
    for prog in included:  # a local programme counts its national evaluation as its own
        path = f"{PROGRAMMES}.{prog.name}.evaluated_as"
        if path in params:
            names += [k for k, v in params[path].value.items() if v]
    return Served(tuple(names), mix)


def _effective(flows: tuple[np.ndarray, ...], inputs: SavingsInputs) -> np.ndarray:
    """Full-effect-equivalent families from (completed, dropped, indirect, light touch)."""
    completed, dropped, indirect, light_touch = flows
    return effective_families(completed, dropped, indirect, inputs, light_touch)


def _central_npv(
    params: Any,
    deterministic: bool,
    appraisal: Appraisal,
    wanted: bool,
    settings: dict[str, Any],
) -> float | None:
    """The NPV at central parameter values: the projection itself when deterministic."""
    if deterministic:
        return float(appraisal.npv[0])
    if not wanted:
        return None
    one = project(params, draws=1, check_area=False, **settings)
    return float(one.appraisal.npv[0])


def perspective_weights(params: Mapping, included: Sequence) -> dict[str, Any]:
    """The agency weights of the local and economic perspectives, and the common funder."""

    def table(path: str, default: float) -> np.ndarray:
        if path not in params:
            return np.full(len(AGENCY_NAMES), default)
        p = params[path]
        unknown = set(p.value) - set(AGENCY_NAMES)
        if unknown:
            raise ParameterError(
                Problem(p.file, p.path, f"unknown agency {sorted(unknown)[0]!r}", p.line)
            )
        return np.array([float(p.value.get(a, default)) for a in AGENCY_NAMES])

    funders = {prog.funder(params) for prog in included}
    return {
        "local": table("savings.perspectives.local_agencies", 1.0),
        "transfer": table("savings.perspectives.transfer_share", 0.0),
        "funder": funders.pop() if len(funders) == 1 else None,
    }


def _chunk_draws(budget: int, horizon: int, outcomes: int) -> int:
    """Draws per chunk so the appraisal's working arrays stay within ``budget`` bytes.

    Per draw and year the appraisal holds gross and net savings by outcome and by
    agency, costs, income and a few temporaries: about ``3 × (outcomes + 8)`` numbers of
    8 bytes (an estimate on the safe side, measured by ``benchmarks/bench_memory.py``).
    """
    per_draw = 8 * horizon * 3 * (outcomes + 8)
    return max(1_000, budget // per_draw)


class _Stored:
    """The per-draw arrays of a projection's first draws, filled in place chunk by chunk."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.filled = 0
        self.first: Appraisal | None = None
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, a: Appraisal) -> int:
        """Keep as many of ``a``'s draws as there is room for; return how many."""
        keep = min(self.size - self.filled, len(a.costs))
        if keep <= 0:
            return 0
        if self.first is None:  # one chunk alone is kept as it is, without a copy
            self.first = a
        else:
            if not self.arrays:
                self._allocate(self.first)
            self._write(a, keep)
        self.filled += keep
        return keep

    def _allocate(self, a: Appraisal) -> None:
        names = [k for k in PER_DRAW if getattr(a, k) is not None]
        self.arrays = {k: np.empty((self.size, *getattr(a, k).shape[1:])) for k in names}
        done, self.filled = self.filled, 0
        self._write(a, done)
        self.filled = done
        # keep the first chunk's other fields, not its per-draw arrays
        empty: dict[str, Any] = {k: getattr(a, k)[:0].copy() for k in self.arrays}
        self.first = replace(a, **empty)

    def _write(self, a: Appraisal, keep: int) -> None:
        for k, arr in self.arrays.items():
            arr[self.filled : self.filled + keep] = getattr(a, k)[:keep]

    def appraisal(self) -> Appraisal:
        assert self.first is not None  # every projection has at least one draw
        if not self.arrays:
            return _head(self.first, self.filled)
        fields: dict[str, Any] = {k: v[: self.filled] for k, v in self.arrays.items()}
        return replace(self.first, **fields)


def _head(a: Appraisal, n: int) -> Appraisal:
    """The appraisal of its first ``n`` draws."""
    if n >= len(a.costs):
        return a
    return replace(a, **{k: getattr(a, k)[:n] for k in PER_DRAW if getattr(a, k) is not None})


@accepts(params="mapping", scenarios="names")
def compare(params: Any, scenarios: list[str], **kwargs: Any) -> pd.DataFrame:
    """Scenarios side by side: each one's headline figures (see :meth:`Projection.headlines`).

    Every scenario is discounted to one base date (the earliest start of any programme
    they appraise, unless ``base_date`` is given) and priced in one price year (the
    first scenario's, unless ``price_year`` is given), so their present values compare.
    With a ``decision_date`` every scenario is appraised forward from it (its financial
    year's prices, discounted to it); for options against a counterfactual, see
    :func:`costmodel.model.decision.appraise_options`.
    """
    if kwargs.get("decision_date") is not None:
        settings = {"base_date": kwargs.get("base_date"), "price_year": kwargs.get("price_year")}
    else:
        settings = common_basis(
            params, scenarios, kwargs.get("base_date"), kwargs.get("price_year")
        )
    cols = {}
    for name in scenarios:
        p = project(params, name, **{"central": True, **kwargs, **settings})
        cols[scenario_name(name)] = p.headlines()["estimate"]
    return pd.DataFrame(cols)


def published_returns(params: Mapping, result: Projection) -> pd.DataFrame:
    """The appraisal's benefit-cost ratios beside those an evaluation published.

    Where the projection appraises one cohort programme alone and it has
    ``programmes.<name>.evaluation.<perspective>_bcr`` parameters (as Troubled Families
    phase 2 has the national evaluation's fiscal and economic returns), one row per
    such perspective: ``modelled`` (the ratio of expected values,
    :meth:`Projection.perspectives`), ``p5`` and ``p95`` (its 90% interval over the
    draws, :func:`bcr_interval`), ``published``, ``gap`` (published less modelled) and
    the ``source`` title. Empty otherwise: a mix of programmes has no published
    return to meet. ``params`` are those the projection ran on (scenario applied).
    """
    columns = ["modelled", "p5", "p95", "published", "gap", "source"]
    empty = pd.DataFrame(columns=columns, index=pd.Index([], name="perspective"))
    if len(result.programmes) != 1 or result.programmes[0].simulation is not None:
        return empty
    head = f"programmes.{result.programmes[0].name}.evaluation."
    views = result.perspectives()
    rows = {}
    for path in params:
        if path.startswith(head) and path.endswith("_bcr"):
            view = path[len(head) : -len("_bcr")]
            if view in views.index:
                p = params[path]
                modelled = float(views.loc[view, "bcr"])
                low, high = bcr_interval(result, view)
                published = float(p.value)
                rows[view] = (modelled, low, high, published, published - modelled, p.source.title)
    if not rows:
        return empty
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("perspective")


def common_basis(
    params: Any,
    scenarios: Sequence,
    base_date: dt.date | None = None,
    price_year: str | None = None,
) -> dict[str, Any]:
    """One base date and one price year for a set of scenarios (see :func:`compare`)."""
    if base_date is None:
        starts = []
        for name in scenarios:
            p = apply_scenario(params, name)
            starts += [prog.start_date(p) for prog in programmes(p)]
        base_date = min(starts) if starts else None
    if price_year is None and scenarios:
        price_year = default_price_year(apply_scenario(params, scenarios[0]))
    return {"base_date": base_date, "price_year": price_year}


def drawn_paths(params: Mapping) -> list[str]:
    """Scalar parameters with a distribution that a projection of ``params`` draws."""
    from .programme import CohortProgramme
    from .team import team_paths

    paths = list(savings_paths(params))
    for prog in programmes(params):
        paths += (
            team_paths()
            if prog.kind == "team simulation"
            else CohortProgramme(prog.name).paths(params)
        )
    return sorted(
        p
        for p in dict.fromkeys(paths)
        if params[p].distribution is not None and not params[p].is_table
    )


class DeterministicOutcome:
    """A scenario's deterministic outcome (NPV by default) as a function of parameters.

    Call it with a :class:`~costmodel.params.store.ParameterSet` (the scenario's, with
    some values changed) to get one number: the indicator ``outcome`` of
    ``project(..., draws=1)``. One team simulation is reused while no ``team.``
    parameter changes (common random numbers), so repeated calls are fast. ``params``
    holds the scenario's parameters and ``paths`` the uncertain ones it draws.
    """

    def __init__(
        self,
        params: Any,
        scenario: str | Scenario | None = None,
        outcome: str = "npv",
        runs: int = 500,
        **project_kwargs: Any,
    ):
        from .team import reach

        self.params = apply_scenario(params, scenario)
        self.outcome = outcome
        self.runs = runs
        self.kwargs = project_kwargs
        self._reach = reach
        self._team = {k: v for k, v in self.params.items() if k.startswith("team.")}
        # an area without a team (only cohort programmes) has no simulation to reuse
        self._sim = (
            reach(self.params, runs=runs, seed=0, parameter_uncertainty=False)
            if self._team
            else None
        )

    @property
    def paths(self) -> list[str]:
        return drawn_paths(self.params)

    def projection(self, params: Any) -> Projection:
        same_team = all(params[k] is v for k, v in self._team.items())
        sim = (
            self._sim
            if same_team or self._sim is None
            else self._reach(params, runs=self.runs, seed=0, parameter_uncertainty=False)
        )
        return project(params, draws=1, simulation=sim, check_area=False, **self.kwargs)

    def __call__(self, params: Any) -> float:
        values = self.projection(params).indicators()
        if self.outcome not in values:
            raise ParameterError(
                Problem(
                    "",
                    "outcome",
                    f"unknown outcome {self.outcome!r} (choose from: {', '.join(values)})",
                )
            )
        return float(values[self.outcome][0])
