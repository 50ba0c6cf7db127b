"""The workbook's calculating sheets: the central case redone in Excel formulas.

From the :class:`~costmodel.analysis.central.CentralCase` of the scenario reported in
full, six sheets in which every figure after the inputs is a formula, so that changing
an input in Excel changes the results:

* **Inputs**: one row per input with its value, unit, price year, status, source and
  parameter path. Parameters are the central values of the parameter set; figures the
  model works out (the team simulation's mean families by cohort quarter, spend and
  income by year, the share of each year's costs still estimated, each year's distance
  from the discount base, the need-tier and design multipliers) are typed, with status
  "model output" or "derived".
* **Cohorts**: effective families by cohort period (completed + the shares of the
  effect of those who dropped out, were reached through advice or by light touch).
* **Persistence**: the share of the effect left by years since support, by outcome.
* **Outcomes**: each outcome's yearly rate, effect, cost per episode in the report's
  price year, additionality and optimism-bias factor, values beyond the fiscal cost
  and its split by paying agency.
* **Discounting**: the Green Book rate and factor of each appraisal year (standard and
  health), and the share of each year after the decision.
* **Flows**: by appraisal year, family-years of full effect, avoided episodes, gross and
  net savings by outcome, net and cashable savings by agency, values beyond the fiscal,
  costs with optimism bias and income, each with its total and present value.
* **Appraisal**: present values of benefits and costs, NPV and BCR by perspective.
* **Checks**: formulas comparing totals between the sheets (a difference, and TRUE
  where it is nil).

Each formula carries the value the library gives, so readers that do not recalculate
see the same figures. Projections of several programmes (each with its own evidence)
are not redone here: the sheet "Inputs" then says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.central import CentralCase
from ..model.savings import S
from ..model.vocabulary import AGENCY_NAMES
from .labels import AGENCY_LABELS, OUTCOME_LABELS
from .xlsx import Formula, column_letter

#: The calculating sheets, in order.
CALC_SHEETS = (
    "Inputs",
    "Cohorts",
    "Persistence",
    "Outcomes",
    "Discounting",
    "Flows",
    "Appraisal",
    "Checks",
)
#: Relative tolerance of the checks.
TOLERANCE = 1e-6

_FAMILY_KINDS = {
    "completed": ("Families completing support", None),
    "dropped": ("Families dropping out", "reach_effect.dropped_out"),
    "indirect": ("Families reached through advice", "reach_effect.indirect"),
    "light_touch": ("Families given light-touch support", "reach_effect.light_touch"),
}
_SCALARS = {
    "drop_off": ("persistence.drop_off", "Drop-off of the effect a year beyond its window"),
    "deadweight": ("additionality.deadweight", "Deadweight"),
    "attribution": ("additionality.attribution", "Attribution"),
    "displacement": ("additionality.displacement", "Displacement"),
    "ob_costs": ("optimism_bias.costs", "Optimism bias on costs (uplift)"),
    "ob_high": ("optimism_bias.benefits_high", "Optimism bias on benefits, high-grade evidence"),
    "ob_medium": (
        "optimism_bias.benefits_medium",
        "Optimism bias on benefits, medium-grade evidence",
    ),
    "ob_low": ("optimism_bias.benefits_low", "Optimism bias on benefits, low-grade evidence"),
}


def _ref(sheet: str, row: int, col: int, absolute: bool = True) -> str:
    """``'Sheet'!$C$5`` for 1-based ``row`` and ``col``."""
    d = "$" if absolute else ""
    return f"'{sheet}'!{d}{column_letter(col)}{d}{row}"


def _range(sheet: str, r1: int, c1: int, r2: int, c2: int) -> str:
    return f"'{sheet}'!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}"


def _outcome(o: str) -> str:
    lab = OUTCOME_LABELS.get(o)
    return lab.long if lab is not None else o.replace("_", " ")


def _agency(a: str) -> str:
    return AGENCY_LABELS[a].long


# ------------------------------------------------------------------ inputs


@dataclass
class _Inputs:
    """The Inputs sheet, row by row; ``add`` returns the value cell's reference."""

    params: Any
    table: pd.DataFrame
    rows: list[dict[str, Any]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)

    def add(
        self,
        key: str,
        label: str,
        value: Any,
        kind: str,
        unit: str,
        path: str = "",
        status: str | None = None,
        source: str | None = None,
        price_year: str = "",
    ) -> str:
        meta = self.table.loc[path] if path in self.table.index else None
        self.rows.append(
            {
                "Input": label,
                "Value": value,
                "Unit": unit,
                "Price year": price_year
                or (
                    str(meta["price_year"])
                    if meta is not None and _given(meta["price_year"])
                    else ""
                ),
                "Status": status or (str(meta["status"]) if meta is not None else ""),
                "Source": source or (str(meta["source"]) if meta is not None else ""),
                "Parameter path": path,
            }
        )
        self.kinds.append(kind)
        ref = _ref("Inputs", len(self.rows) + 1, 2)
        self.cells[key] = ref
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.values[key] = float(value)
        return ref

    def param(self, key: str, path: str, label: str, kind: str = "proportion") -> str:
        p = self.params[path]
        unit = str(p.unit or "")
        return self.add(key, label, float(p.value), kind, _unit(unit, p.price_year), path)

    def entry(self, key: str, path: str, entry: str, label: str, default: float | None) -> str:
        """An entry of a table parameter (``default`` where the table lacks it)."""
        table = self.params[path].value if path in self.params else {}
        given = entry in table
        value = float(table[entry]) if given else default
        return self.add(
            key,
            label,
            value,
            "proportion",
            "share",
            f"{path}.{entry}" if given else path,
            status=None if given else "default (not in the table)",
            source=None if given else "costmodel default",
        )

    def sheet(self) -> Any:
        from .workbook import Sheet

        frame = pd.DataFrame(self.rows).set_index("Input")
        return Sheet(
            "Inputs",
            frame,
            "Every input of the calculating sheets, one row each: value, unit, price year, "
            "status (published, derived, assumed; model output for the simulation's "
            "figures, typed) and source. Change a value here and the other calculating "
            "sheets follow.",
            kinds={"Value": self.kinds},
            filter=True,
        )


def _given(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v) != ""


def _unit(unit: str, price_year: Any = None) -> str:
    if unit.startswith("GBP"):
        per = unit.partition("/")[2]
        return (
            "£" + (f" per {per}" if per else "") + (f", {price_year} prices" if price_year else "")
        )
    return unit.replace("/", " per ")


# ------------------------------------------------------------------ the sheets


def calculation_sheets(case: CentralCase, table: pd.DataFrame) -> list[Any]:
    """The calculating sheets of ``case``; ``table`` is the parameter set's
    :meth:`~costmodel.params.store.ParameterSet.table` (units, status, sources)."""
    return _Builder(case, table).sheets()


class _Builder:
    def __init__(self, case: CentralCase, table: pd.DataFrame) -> None:
        self.case = case
        self.params = case.params
        self.inp = _Inputs(case.params, table)
        self.a = case.projection.appraisal
        self.inputs = case.projection.inputs
        self.names = list(case.outcomes.index)
        self.H = len(case.years)
        self.P = len(case.families)
        self.py = self.a.price_year

    # -------------------------------------------------------------- Inputs
    def _inputs(self) -> None:
        c, inp, params = self.case, self.inp, self.params
        per_word = "quarter" if c.per == 4 else "year"
        runs = "mean of the team simulation's runs at central values"
        self.fam: dict[tuple[str, int], str] = {}
        for p in range(self.P):
            for k, (words, _) in _FAMILY_KINDS.items():
                self.fam[(k, p)] = inp.add(
                    f"fam.{k}.{p}",
                    f"{words}, cohort {per_word} {p + 1} (model output, typed)",
                    float(c.families[k].iloc[p]),
                    "value",
                    "families",
                    status="model output",
                    source=runs,
                )
        self.year: dict[tuple[str, int], str] = {}
        for t in range(self.H):
            y = c.years.iloc[t]
            for key, label, kind, unit in (
                ("spend", "Programme spend before optimism bias", "money", f"£, {self.py} prices"),
                ("income", "Income (payment by results)", "money", f"£, {self.py} prices"),
                ("estimated", "Share of the year's costs still estimated", "proportion", "share"),
                ("years_from_base", "Years from the discount base", "integer", "years"),
                ("after_decision", "Share of the year after the decision", "proportion", "share"),
            ):
                self.year[(key, t)] = inp.add(
                    f"year.{key}.{t}",
                    f"{label}, year {t + 1} (model output, typed)",
                    float(y[key]),
                    kind,
                    unit,
                    status="model output",
                    source="the projection's time line and the programme's flows",
                )
        self.scalar = {
            k: inp.param(k, f"{S}.{path}", label) for k, (path, label) in _SCALARS.items()
        }
        for k, (words, path) in _FAMILY_KINDS.items():
            if path is not None:
                self.scalar[k] = inp.param(
                    k, f"{S}.{path}", f"Share of the effect: {words.lower()}"
                )
        transfer = f"{S}.evidence.transfer"
        if transfer in params:
            self.scalar["transfer"] = inp.param("transfer", transfer, "Transfer factor on effects")
        self.yas = None
        if c.years_after_support is not None:
            self.yas = inp.add(
                "yas",
                "Years each cohort is followed after its support",
                int(c.years_after_support),
                "integer",
                "years",
                f"{S}.appraisal.years_after_support",
            )
        self.bands: dict[str, list[tuple[str, str]]] = {}
        for which, sched in c.schedules.items():
            name = c.discount if which == "standard" else "health"
            path = f"prices.discounting.{name}"
            self.bands[which] = [
                (
                    inp.add(
                        f"band.{which}.{s}.start",
                        f"Discount band ({name}): first year",
                        int(s),
                        "integer",
                        "years from the base",
                        path,
                    ),
                    inp.add(
                        f"band.{which}.{s}.rate",
                        f"Discount rate ({name}) from year {s}",
                        float(r),
                        "proportion",
                        "a year",
                        path,
                    ),
                )
                for s, r in zip(sched.starts, sched.rates, strict=True)
            ]
        self.deflator = {}
        fc = "prices.gdp_deflator.forecast"
        forecast = params[fc].value if fc in params else {}
        for y, level in c.deflator_years.items():
            path = "prices.gdp_deflator." + ("forecast" if y in forecast else "financial_year")
            self.deflator[y] = inp.add(
                f"deflator.{y}", f"GDP deflator index, {y}", float(level), "value", "index", path
            )
        self.cashable = {
            a: inp.entry(
                f"cashable.{a}", f"{S}.cashable.share", a, f"Cashable share: {_agency(a)}", 0.0
            )
            for a in AGENCY_NAMES
        }
        self.local = {
            a: inp.entry(
                f"local.{a}",
                f"{S}.perspectives.local_agencies",
                a,
                f"Counted by the local partnership: {_agency(a)}",
                1.0,
            )
            for a in AGENCY_NAMES
        }
        self.transfer = {
            a: inp.entry(
                f"transfer.{a}",
                f"{S}.perspectives.transfer_share",
                a,
                f"Transfer share of savings: {_agency(a)}",
                0.0,
            )
            for a in AGENCY_NAMES
        }
        self.out: dict[str, dict[str, str]] = {}
        for o in self.names:
            head, words, row = f"{S}.outcomes.{o}", _outcome(o), c.outcomes.loc[o]
            cells: dict[str, str] = {}
            fpath = str(row["frequency_path"])
            leaf = fpath.rsplit(".", 1)[1]
            cells[leaf] = inp.param(
                f"{o}.{leaf}",
                fpath,
                f"{words}: {'yearly rate' if leaf == 'rate' else 'prevalence'}",
                "value" if leaf == "rate" else "proportion",
            )
            if f"{head}.duration" in params:
                cells["duration"] = inp.param(
                    f"{o}.duration", f"{head}.duration", f"{words}: years an episode lasts", "value"
                )
            cells["cost"] = inp.param(
                f"{o}.cost", f"{head}.cost", f"{words}: cost per episode (or year of one)", "money"
            )
            cells["cost_year"] = str(params[f"{head}.cost"].price_year)
            cells["effect"] = inp.param(f"{o}.effect", f"{head}.effect", f"{words}: pooled effect")
            cells["window"] = inp.param(
                f"{o}.window", f"{head}.window", f"{words}: years the effect holds in full", "value"
            )
            for v in ("economic_value", "social_value"):
                if f"{head}.{v}" in params:
                    cells[v] = inp.param(
                        f"{o}.{v}", f"{head}.{v}", f"{words}: {v.replace('_', ' ')}", "money"
                    )
                    cells[f"{v}_year"] = str(params[f"{head}.{v}"].price_year)
            cells["design"] = inp.add(
                f"{o}.design",
                f"{words}: design multiplier of the studies pooled",
                float(row["design_multiplier"]),
                "value",
                "multiplier",
                f"{head}.evidence",
                status="derived",
                source="savings.evidence.design.* weighted as the studies are pooled",
            )
            cells["population"] = inp.add(
                f"{o}.population",
                f"{words}: need-tier factor on the rate",
                float(row["population_factor"]),
                "value",
                "multiplier",
                f"{head}.population" if f"{head}.population" in params else "",
                status="derived",
                source="need index of the tiers served over that of the rate's tier "
                "(savings.population.*)",
            )
            shares = params[f"{head}.agencies"].value
            for a in AGENCY_NAMES:
                if a in shares:
                    cells[f"share.{a}"] = inp.add(
                        f"{o}.share.{a}",
                        f"{words}: share paid by {_agency(a)}",
                        float(shares[a]),
                        "proportion",
                        "share",
                        f"{head}.agencies",
                    )
            self.out[o] = cells

    # -------------------------------------------------------------- Cohorts
    def _cohorts(self) -> Any:
        from .workbook import Sheet

        c, s = self.case, self.scalar
        fam = c.families
        eff = (
            fam["completed"]
            + fam["dropped"] * float(self.inputs.dropout_effect[0])
            + fam["indirect"] * float(self.inputs.indirect_effect[0])
            + fam["light_touch"] * float(self.inputs.light_touch_effect[0])
        ).to_numpy()
        self.effective = eff
        cells = [
            Formula(
                f"={self.fam[('completed', p)]}+{self.fam[('dropped', p)]}*{s['dropped']}"
                f"+{self.fam[('indirect', p)]}*{s['indirect']}"
                f"+{self.fam[('light_touch', p)]}*{s['light_touch']}",
                float(eff[p]),
            )
            for p in range(self.P)
        ]
        word = "Quarter" if c.per == 4 else "Year"
        frame = pd.DataFrame(
            {"Effective families (full-effect equivalents)": cells},
            index=pd.Index([f"{word} {p + 1}" for p in range(self.P)], name="Cohort period"),
        )
        return Sheet(
            "Cohorts",
            frame,
            "Effective families by the period their support ended (each period's families "
            "are a cohort): completed, plus the shares of the effect of those who dropped "
            "out, were reached through advice or by light touch (formulas of Inputs).",
            kinds={"Effective families (full-effect equivalents)": "value"},
        )

    # -------------------------------------------------------------- Persistence
    def _persistence(self) -> Any:
        from .workbook import Sheet

        H, yas = self.H, self.case.years_after_support
        drop = float(self.inputs.drop_off[0])
        full = self.inputs.full_years[0]
        cols: dict[str, list[Formula]] = {}
        self.keep = np.zeros((len(self.names), H))
        for k in range(H):
            col = []
            for j, o in enumerate(self.names):
                v = (1 - drop) ** max(0.0, k + 1 - float(full[j]))
                if yas is not None and k >= yas:
                    v = 0.0
                self.keep[j, k] = v
                text = f"(1-{self.scalar['drop_off']})^MAX(0,{k}+1-{self.out[o]['window']})"
                if self.yas is not None:
                    text = f"IF({k}>={self.yas},0,{text})"
                col.append(Formula("=" + text, v))
            cols[f"{k} years since support"] = col
        frame = pd.DataFrame(
            cols, index=pd.Index([_outcome(o) for o in self.names], name="Outcome")
        )
        return Sheet(
            "Persistence",
            frame,
            "The share of each outcome's effect left by whole years since the cohort's "
            "support ended: 1 over the window its evidence measured, then falling by the "
            "drop-off each year; nothing after the years each cohort is followed.",
            kinds={c: "proportion" for c in frame.columns},
        )

    # -------------------------------------------------------------- Outcomes
    def _outcomes(self) -> Any:
        from .workbook import Sheet

        c, params, inp = self.case, self.params, self.inp
        names = self.names
        n = len(names)
        row_of = {o: j + 2 for j, o in enumerate(names)}
        headers = [
            "Evidence class",
            "Grade of the effect",
            "Counted net of",
            "Yearly rate given (episodes per family)",
            "Yearly rate, tiers served",
            "Effect applied",
            "Yearly rate counted",
            "Effect counted",
            f"Cost per episode or year (£, {self.py} prices)",
            "Years an episode lasts",
            "Additionality and optimism-bias factor",
            f"Economic value net of additionality (£ per episode, {self.py} prices)",
            f"Wellbeing value net of additionality (£ per episode, {self.py} prices)",
            *(f"Share paid by {_agency(a)}" for a in AGENCY_NAMES),
        ]
        self.ocol = {h: i + 2 for i, h in enumerate(headers)}
        col = self.ocol

        def cell(o: str, h: str) -> str:
            return _ref("Outcomes", row_of[o], col[h], absolute=False)

        rate = self.inputs.rate[0]
        effect = self.inputs.effect[0]
        add = self.inputs.additionality()[0]
        data: dict[str, list[Any]] = {h: [] for h in headers}
        s = self.scalar
        for j, o in enumerate(names):
            row, cells = c.outcomes.loc[o], self.out[o]
            cls = (
                "own"
                if row["counterfactual"]
                else ("transferred" if row["transferred"] else "assumed")
            )
            data["Evidence class"].append(cls)
            data["Grade of the effect"].append(str(row["grade"]))
            excl = str(row["excludes"])
            data["Counted net of"].append(_outcome(excl) if excl else "")
            if "prevalence" in cells:
                given_text = f"={cells['prevalence']}/{cells['duration']}"
                given = float(inp.values[f"{o}.prevalence"]) / float(inp.values[f"{o}.duration"])
            else:
                given_text = f"={cells['rate']}"
                given = float(inp.values[f"{o}.rate"])
            data["Yearly rate given (episodes per family)"].append(Formula(given_text, given))
            served = given * float(row["population_factor"])
            data["Yearly rate, tiers served"].append(
                Formula(f"={cell(o, headers[3])}*{cells['population']}", served)
            )
            applied = float(params[f"{S}.outcomes.{o}.effect"].value) * float(
                row["design_multiplier"]
            )
            text = f"={cells['effect']}*{cells['design']}"
            if row["transferred"]:
                applied *= float(params[f"{S}.evidence.transfer"].value)
                text += f"*{s['transfer']}"
            data["Effect applied"].append(Formula(text, applied))
            if excl:
                x = excl
                rx, ex = cell(x, headers[4]), cell(x, headers[5])
                ro, eo = cell(o, headers[4]), cell(o, headers[5])
                data["Yearly rate counted"].append(Formula(f"=MAX({ro}-{rx},0)", float(rate[j])))
                data["Effect counted"].append(
                    Formula(
                        f"=IF({ro}-{rx}>0,MIN(1,MAX(0,({ro}*{eo}-{rx}*{ex})/({ro}-{rx}))),0)",
                        float(effect[j]),
                    )
                )
            else:
                data["Yearly rate counted"].append(
                    Formula(f"={cell(o, headers[4])}", float(rate[j]))
                )
                data["Effect counted"].append(Formula(f"={cell(o, headers[5])}", float(effect[j])))
            defl = f"{self.deflator[self.py]}/{self.deflator[cells['cost_year']]}"
            data[headers[8]].append(
                Formula(f"={cells['cost']}*{defl}", float(self.inputs.cost[0, j]))
            )
            dur = float(self.inputs.duration[0, j]) if self.inputs.duration.size else 0.0
            data["Years an episode lasts"].append(
                Formula(f"={cells['duration']}", dur) if "duration" in cells else 0.0
            )
            ob = s[{"high": "ob_high", "medium": "ob_medium", "low": "ob_low"}[str(row["grade"])]]
            cf = bool(row["counterfactual"])
            text = f"=(1-{s['displacement']})*(1-{ob})"
            if not cf:
                text = (
                    f"=(1-{s['deadweight']})*(1-{s['attribution']})"
                    f"*(1-{s['displacement']})*(1-{ob})"
                )
            data["Additionality and optimism-bias factor"].append(Formula(text, float(add[j])))
            for v, h in (("economic_value", headers[11]), ("social_value", headers[12])):
                arr = getattr(self.inputs, v)
                value = float(arr[0, j] * add[j]) if arr.size else 0.0
                if v in cells:
                    d = f"{self.deflator[self.py]}/{self.deflator[cells[v + '_year']]}"
                    data[h].append(Formula(f"={cells[v]}*{d}*{cell(o, headers[10])}", value))
                else:
                    data[h].append(0.0)
            for a in AGENCY_NAMES:
                h = f"Share paid by {_agency(a)}"
                k = f"share.{a}"
                data[h].append(
                    Formula(f"={cells[k]}", inp.values[f"{o}.{k}"]) if k in cells else 0.0
                )
        self.o_rows = (2, n + 1)
        frame = pd.DataFrame(data, index=pd.Index([_outcome(o) for o in names], name="Outcome"))
        kinds: dict[str, Any] = {h: "value" for h in headers}
        for h in headers[:3]:
            kinds[h] = "text"
        for h in (headers[5], headers[7], headers[10], *headers[13:]):
            kinds[h] = "proportion"
        for h in (headers[8], headers[11], headers[12]):
            kinds[h] = "pence"
        return Sheet(
            "Outcomes",
            frame,
            "Each outcome's yearly rate (a prevalence over the years an episode lasts), "
            "scaled to the need tiers served; its effect (pooled, times the design "
            "multiplier, and the transfer factor where measured elsewhere), both counted "
            "net of an outcome it contains; its cost in the report's prices (GDP "
            "deflator); the additionality and optimism-bias factor; values beyond the "
            "fiscal; and the shares paid by each agency.",
            kinds=kinds,
        )

    # -------------------------------------------------------------- Discounting
    def _discounting(self) -> Any:
        from .workbook import Sheet

        c, H = self.case, self.H
        n_years = c.years["years_from_base"].to_numpy()
        after = c.years["after_decision"].to_numpy()
        rows: dict[str, list[Any]] = {}
        self.drow: dict[str, int] = {}
        labels = [
            ("years", "Years from the discount base"),
            ("after", "Share of the year after the decision"),
        ]
        for which in ("standard", "health"):
            labels += [
                (f"rate.{which}", f"Discount rate ({which})"),
                (f"factor.{which}", f"Discount factor ({which})"),
                (
                    f"applied.{which}",
                    f"Discount factor applied ({which}, share after the decision)",
                ),
            ]
        for i, (key, _) in enumerate(labels):
            self.drow[key] = i + 2

        def at(key: str, t: int) -> str:
            return _ref("Discounting", self.drow[key], t + 2, absolute=False)

        for t in range(H):
            col: list[Any] = [
                Formula(f"={self.year[('years_from_base', t)]}", float(n_years[t])),
                Formula(f"={self.year[('after_decision', t)]}", float(after[t])),
            ]
            for which in ("standard", "health"):
                sched = c.schedules[which]
                bands = self.bands[which]
                n = int(n_years[t])
                rate = float(sched.rate(max(n, 0)))
                text = bands[0][1]
                for start, r in bands[1:]:
                    text = f"IF({at('years', t)}>={start},{r},{text})"
                r0 = bands[0][1]
                stream = c.streams[
                    "discount_factor" if which == "standard" else "health_discount_factor"
                ]
                applied = float(stream.iloc[t])
                full = applied / after[t] if after[t] else _factor(sched, n)
                prev = (
                    f"1/(1+{r0})^{at('years', t)}"
                    if t == 0
                    else f"{at(f'factor.{which}', t - 1)}/(1+{at(f'rate.{which}', t)})"
                )
                col += [
                    Formula(f"={text}", rate),
                    Formula(f"=IF({at('years', t)}<=0,(1+{r0})^(-{at('years', t)}),{prev})", full),
                    Formula(f"={at(f'factor.{which}', t)}*{at('after', t)}", applied),
                ]
            rows[f"Year {t + 1}"] = col
        frame = pd.DataFrame(rows, index=pd.Index([w for _, w in labels], name="Item"))
        kinds = ["integer", "proportion"] + ["proportion", "factor", "factor"] * 2
        return Sheet(
            "Discounting",
            frame,
            "Green Book discount factors by appraisal year: the rate of the band holding "
            "each year's distance from the discount base, the factor compounded year by "
            "year (a year before the base is compounded forward), and the factor applied "
            "(times the share of the year after the decision); standard and health rates.",
            kinds={h: kinds for h in frame.columns},
        )

    # -------------------------------------------------------------- Flows
    def _flow_labels(self) -> list[tuple[str, str]]:
        names = self.names
        labels: list[tuple[str, str]] = [
            ("G", "Cohort families carried into the year (weighted by period)")
        ]
        labels += [(f"W.{o}", f"Family-years of full effect: {_outcome(o)}") for o in names]
        labels += [(f"A.{o}", f"Avoided episodes: {_outcome(o)}") for o in names]
        labels += [(f"gross.{o}", f"Gross savings: {_outcome(o)}") for o in names]
        labels += [(f"net.{o}", f"Net savings: {_outcome(o)}") for o in names]
        labels += [(f"agency.{a}", f"Net savings: {_agency(a)}") for a in AGENCY_NAMES]
        labels += [(f"cash.{a}", f"Cashable net savings: {_agency(a)}") for a in AGENCY_NAMES]
        labels += [
            ("net_outcomes", "Net savings: all outcomes"),
            ("net_agencies", "Net savings: all agencies"),
            ("economic", "Economic value beyond the fiscal, net"),
            ("social", "Wellbeing value, net (discounted at the health rate)"),
            ("spend", "Programme spend before optimism bias"),
            ("costs", "Costs with optimism bias"),
            ("income", "Income"),
        ]
        return labels

    def _at(self, key: str, t: int) -> str:
        """A Flows cell: row ``key``, appraisal year ``t`` (0-based)."""
        return _ref("Flows", self.frow[key], t + 2, absolute=False)

    def _ocell(self, o: str, h: str) -> str:
        """An Outcomes cell: outcome ``o``'s value under header ``h``."""
        return _ref("Outcomes", self.o_rows[0] + self.names.index(o), self.ocol[h])

    def _ocol(self, h: str) -> str:
        """The Outcomes column under header ``h``, every outcome."""
        return _range("Outcomes", self.o_rows[0], self.ocol[h], self.o_rows[1], self.ocol[h])

    def _block(self, prefix: str, t: int) -> str:
        """Year ``t``'s cells of the Flows rows ``prefix.<outcome>``, every outcome."""
        names, fr = self.names, self.frow
        first, last = fr[f"{prefix}.{names[0]}"], fr[f"{prefix}.{names[-1]}"]
        letter = column_letter(t + 2)
        return f"'Flows'!{letter}{first}:{letter}{last}"

    def _carried(self) -> tuple[np.ndarray, list[str]]:
        """Cohort families carried into each year: G[n] = sum over m of
        (per − |m|) E[per n + m], as values and as formulas."""
        per, E = self.case.per, self.effective
        G = np.zeros(self.H)
        g_text = []
        for n in range(self.H):
            terms = []
            for m in range(-(per - 1), per):
                p = per * n + m
                if 0 <= p < self.P:
                    G[n] += (per - abs(m)) * E[p]
                    terms.append(f"{per - abs(m)}*{_ref('Cohorts', p + 2, 2, absolute=False)}")
            g_text.append("=" + ("+".join(terms) or "0"))
        return G, g_text

    def _outcome_cells(self, t: int, K: int) -> list[Any]:
        """Year ``t``'s family-years, avoided episodes, gross and net savings by outcome
        (``K``: the most years an outcome's cost is spread over)."""
        c, names, at, ocell = self.case, self.names, self._at, self._ocell
        headers = list(self.ocol)
        col: list[Any] = []
        for j, o in enumerate(names):
            carried = "+".join(
                f"{_ref('Persistence', j + 2, k + 2)}*{at('G', t - k)}" for k in range(t + 1)
            )
            col.append(Formula(f"=({carried})/{c.per}", float(c.family_years[o].iloc[t])))
        for o in names:
            col.append(
                Formula(
                    f"={at(f'W.{o}', t)}*{ocell(o, headers[6])}*{ocell(o, headers[7])}",
                    float(c.avoided[o].iloc[t]),
                )
            )
        for o in names:
            cost, dur = ocell(o, headers[8]), ocell(o, headers[9])
            if K:
                spread = "+".join(
                    f"{at(f'A.{o}', t - k)}*MIN(1,MAX(0,{dur}-{k}))" for k in range(min(K, t + 1))
                )
                text = f"=IF({dur}<=0,{at(f'A.{o}', t)}*{cost},{cost}*({spread}))"
            else:
                text = f"={at(f'A.{o}', t)}*{cost}"
            col.append(Formula(text, float(c.gross[o].iloc[t])))
        for o in names:
            col.append(
                Formula(f"={at(f'gross.{o}', t)}*{ocell(o, headers[10])}", float(c.net[o].iloc[t]))
            )
        return col

    def _agency_cells(self, t: int) -> list[Any]:
        """Year ``t``'s net and cashable savings by paying agency."""
        c, at = self.case, self._at
        col: list[Any] = [
            Formula(
                f"=SUMPRODUCT({self._block('net', t)},{self._ocol(f'Share paid by {_agency(a)}')})",
                float(c.net_by_agency[a].iloc[t]),
            )
            for a in AGENCY_NAMES
        ]
        col += [
            Formula(
                f"={at(f'agency.{a}', t)}*{self.cashable[a]}",
                float(c.cashable_by_agency[a].iloc[t]),
            )
            for a in AGENCY_NAMES
        ]
        return col

    def _total_cells(self, t: int) -> list[Any]:
        """Year ``t``'s totals, values beyond the fiscal, spend, costs and income."""
        c, fr, at = self.case, self.frow, self._at
        headers = list(self.ocol)
        first_a, last_a = fr[f"agency.{AGENCY_NAMES[0]}"], fr[f"agency.{AGENCY_NAMES[-1]}"]
        letter = column_letter(t + 2)
        ob = self.scalar["ob_costs"]
        return [
            Formula(f"=SUM({self._block('net', t)})", float(c.net.iloc[t].sum())),
            Formula(
                f"=SUM('Flows'!{letter}{first_a}:{letter}{last_a})",
                float(c.net_by_agency.iloc[t].sum()),
            ),
            Formula(
                f"=SUMPRODUCT({self._block('A', t)},{self._ocol(headers[11])})",
                float(c.streams["economic_net"].iloc[t]),
            ),
            Formula(
                f"=SUMPRODUCT({self._block('A', t)},{self._ocol(headers[12])})",
                float(c.streams["social_net"].iloc[t]),
            ),
            Formula(f"={self.year[('spend', t)]}", float(c.years["spend"].iloc[t])),
            Formula(
                f"={at('spend', t)}*(1+{ob}*{self.year[('estimated', t)]})",
                float(c.streams["costs"].iloc[t]),
            ),
            Formula(f"={self.year[('income', t)]}", float(c.streams["income"].iloc[t])),
        ]

    def _row_totals(
        self, labels: list[tuple[str, str]], values: np.ndarray
    ) -> tuple[list[Any], list[Any]]:
        """Each Flows row's undiscounted total and present value, as formulas; the PVs
        are kept in ``self.pv`` for the appraisal."""
        c, H = self.case, self.H
        f_std = c.streams["discount_factor"].to_numpy()
        f_health = c.streams["health_discount_factor"].to_numpy()
        last = column_letter(H + 1)
        std = _range(
            "Discounting", self.drow["applied.standard"], 2, self.drow["applied.standard"], H + 1
        )
        hlth = _range(
            "Discounting", self.drow["applied.health"], 2, self.drow["applied.health"], H + 1
        )
        totals, pvs = [], []
        self.pv: dict[str, float] = {}
        for i, (key, _) in enumerate(labels):
            r = i + 2
            totals.append(Formula(f"=SUM(B{r}:{last}{r})", float(values[i].sum())))
            factors, ref = (f_health, hlth) if key == "social" else (f_std, std)
            pv = float(values[i] @ factors)
            self.pv[key] = pv
            pvs.append(Formula(f"=SUMPRODUCT(B{r}:{last}{r},{ref})", pv))
        return totals, pvs

    def _flows(self) -> Any:
        from .workbook import Sheet

        H, names = self.H, self.names
        labels = self._flow_labels()
        self.frow = {k: i + 2 for i, (k, _) in enumerate(labels)}
        self.total_col, self.pv_col = H + 2, H + 3
        G, g_text = self._carried()
        duration = self.inputs.duration[0] if self.inputs.duration.size else np.zeros(len(names))
        K = int(math.ceil(float(duration.max(initial=0.0))))
        hdr = [f"Year {t + 1}" for t in range(H)]
        cells: dict[str, list[Any]] = {}
        for t, h in enumerate(hdr):
            cells[h] = [
                Formula(g_text[t], float(G[t])),
                *self._outcome_cells(t, K),
                *self._agency_cells(t),
                *self._total_cells(t),
            ]
        frame = pd.DataFrame(cells, index=pd.Index([w for _, w in labels], name="Flow"))
        values = np.array([[f.value for f in cells[h]] for h in hdr], dtype=float).T
        totals, pvs = self._row_totals(labels, values)
        frame["Total (undiscounted)"] = totals
        frame["Present value"] = pvs
        row_kinds = [
            "value" if key == "G" or key.startswith(("W.", "A.")) else "money" for key, _ in labels
        ]
        return Sheet(
            "Flows",
            frame,
            f"Flows by appraisal year (real terms, {self.py} prices, undiscounted): cohort "
            "families carried into each year, family-years of full effect (persistence "
            "applied), avoided episodes, gross and net savings by outcome, net and cashable "
            "savings by paying agency, values beyond the fiscal, costs with optimism bias "
            "and income; each row's total and present value.",
            kinds={h: row_kinds for h in frame.columns},
        )

    # -------------------------------------------------------------- Appraisal
    def _appraisal(self) -> Any:
        from .workbook import Sheet

        c, fr, pvc = self.case, self.frow, self.pv_col

        def pv(key: str) -> str:
            return _ref("Flows", fr[key], pvc)

        a_first, a_last = fr[f"agency.{AGENCY_NAMES[0]}"], fr[f"agency.{AGENCY_NAMES[-1]}"]
        agencies = _range("Flows", a_first, pvc, a_last, pvc)

        def inputs_range(cells: dict[str, str]) -> str:
            first, last = cells[AGENCY_NAMES[0]], cells[AGENCY_NAMES[-1]]
            return f"{first}:{last.split('!')[1]}"

        lib = c.perspectives
        rows: dict[str, tuple[str, str, str]] = {
            "fiscal": (
                f"=SUM({agencies})",
                f"={pv('costs')}",
                "every public agency; income cancels",
            ),
            "economic": (
                f"=SUM({agencies})-SUMPRODUCT({agencies},{inputs_range(self.transfer)})+{pv('economic')}",
                f"={pv('costs')}",
                "fiscal less transfer payments, plus output not lost where valued",
            ),
            "social": (
                f"=B3+{pv('social')}",
                f"={pv('costs')}",
                "economic plus wellbeing where valued",
            ),
            "local": (
                f"=SUMPRODUCT({agencies},{inputs_range(self.local)})",
                f"={pv('costs')}-{pv('income')}",
                "local partners' savings; costs less income from central government",
            ),
        }
        funder = c.projection.perspective_weights.get("funder")
        if funder is not None and "funder" in lib.index:
            rows["funder"] = (
                f"={pv(f'cash.{funder}')}",
                f"={pv('costs')}-{pv('income')}",
                f"cashable savings of the funder ({funder}) against its outlay",
            )
        self.arow = {k: i + 2 for i, k in enumerate(rows)}
        frame = pd.DataFrame(
            {
                "Present value of benefits": [
                    Formula(b, float(lib.loc[k, "pv_benefits"])) for k, (b, _, _) in rows.items()
                ],
                "Present value of costs": [
                    Formula(x, float(lib.loc[k, "pv_costs"])) for k, (_, x, _) in rows.items()
                ],
                "Net present value": [
                    Formula(f"=B{r}-C{r}", float(lib.loc[k, "npv"])) for k, r in self.arow.items()
                ],
                "Benefit-cost ratio": [
                    Formula(f"=IF(C{r}=0,NA(),B{r}/C{r})", float(lib.loc[k, "bcr"]))
                    for k, r in self.arow.items()
                ],
                "What counts": [w for _, _, w in rows.values()],
            },
            index=pd.Index(list(rows), name="Perspective"),
        )
        money = f"£, {self.py} prices, present value"
        frame.columns = [
            f"Present value of benefits ({money})",
            f"Present value of costs ({money})",
            f"Net present value ({money})",
            "Benefit-cost ratio",
            "What counts",
        ]
        kinds = {h: "money" for h in frame.columns[:3]}
        kinds["Benefit-cost ratio"] = "ratio"
        return Sheet(
            "Appraisal",
            frame,
            "The central case's present values of benefits and costs, NPV and benefit-cost "
            "ratio by perspective, as formulas of Flows (the fiscal NPV is the report's "
            "NPV at central values).",
            kinds=dict(kinds),
        )

    # -------------------------------------------------------------- Checks
    def _checks(self) -> Any:
        from .workbook import Sheet

        fr, tc, pvc = self.frow, self.total_col, self.pv_col
        names = self.names

        def flows(key: str, col: int) -> str:
            return _ref("Flows", fr[key], col)

        def span(prefix: str, keys: Sequence[str], col: int) -> str:
            return _range("Flows", fr[f"{prefix}.{keys[0]}"], col, fr[f"{prefix}.{keys[-1]}"], col)

        c = self.case
        net = float(c.net.to_numpy().sum())
        gross = float(c.gross.to_numpy().sum())
        cash = float(c.cashable_by_agency.to_numpy().sum())
        pv_net = float(self.pv["net_outcomes"])
        lib = c.perspectives
        checks: list[tuple[str, str, float, str, float, bool]] = [
            (
                "Net savings: all outcomes less all agencies (undiscounted)",
                f"={flows('net_outcomes', tc)}-{flows('net_agencies', tc)}",
                0.0,
                flows("net_outcomes", tc),
                net,
                True,
            ),
            (
                "Net savings by outcome, present value, less the fiscal benefits",
                f"=SUM({span('net', names, pvc)})-'Appraisal'!$B$2",
                0.0,
                "'Appraisal'!$B$2",
                pv_net,
                True,
            ),
            (
                "Gross less net savings (not below zero)",
                f"=SUM({span('gross', names, tc)})-SUM({span('net', names, tc)})",
                gross - net,
                flows("net_outcomes", tc),
                net,
                False,
            ),
            (
                "Net less cashable savings (not below zero)",
                f"={flows('net_agencies', tc)}-SUM({span('cash', AGENCY_NAMES, tc)})",
                net - cash,
                flows("net_agencies", tc),
                net,
                False,
            ),
        ]
        for k, r in self.arow.items():
            checks.append(
                (
                    f"NPV less (PV benefits less PV costs): {k}",
                    f"='Appraisal'!$D${r}-('Appraisal'!$B${r}-'Appraisal'!$C${r})",
                    0.0,
                    f"'Appraisal'!$C${r}",
                    float(lib.loc[k, "pv_costs"]),
                    True,
                )
            )
        diffs, passes = [], []
        for i, (_, text, value, scale, scale_value, equal) in enumerate(checks):
            r = i + 2
            diffs.append(Formula(text, value))
            tol = f"{TOLERANCE}*MAX(1,ABS({scale}))"
            ok = (
                abs(value) <= TOLERANCE * max(1.0, abs(scale_value))
                if equal
                else value >= -TOLERANCE * max(1.0, abs(scale_value))
            )
            passes.append(Formula(f"=ABS(B{r})<={tol}" if equal else f"=B{r}>=-{tol}", bool(ok)))
        frame = pd.DataFrame(
            {"Difference (£)": diffs, "Passes": passes},
            index=pd.Index([x[0] for x in checks], name="Check"),
        )
        return Sheet(
            "Checks",
            frame,
            "Totals compared between the calculating sheets, as formulas: each difference "
            f"and TRUE where it is nil (within {TOLERANCE:g} of the total) or, for the "
            "two that must not be negative, where it is not.",
            kinds={"Difference (£)": "pence", "Passes": "text"},
        )

    def sheets(self) -> list[Any]:
        self._inputs()
        cohorts = self._cohorts()
        persistence = self._persistence()
        outcomes = self._outcomes()
        discounting = self._discounting()
        flows = self._flows()
        appraisal = self._appraisal()
        checks = self._checks()
        return [
            self.inp.sheet(),
            cohorts,
            persistence,
            outcomes,
            discounting,
            flows,
            appraisal,
            checks,
        ]


def _factor(sched: Any, n: int) -> float:
    from ..greenbook.discounting import discount_factors

    return float(discount_factors(np.array([n]), sched)[0])
