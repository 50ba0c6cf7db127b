"""Labels for people: the one place where names become words.

Every indicator, reach outcome, cash-flow column, outcome, issue, agency and group of
parameters has a :class:`Label` here: a long form for tables and text, a short form
for narrow columns and chart ticks, the unit it is counted in, and its *kind*, which
says how a number of that kind is printed (see
:func:`costmodel.present.formatting.by_kind`). The command line, the PDF, the workbook,
the charts and the notebook views all read these; nothing else spells them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model.vocabulary import AGENCY_NAMES, ISSUE_NAMES


@dataclass(frozen=True)
class Label:
    """How people read a name: ``long`` and ``short`` text, ``unit`` and ``kind``.

    ``kind`` is one of ``money``, ``number``, ``ratio``, ``years``, ``share``,
    ``weeks`` or ``text``.
    """

    long: str
    short: str
    unit: str = ""
    kind: str = "text"


def _labels(rows: Mapping[str, tuple[str, ...]]) -> dict[str, Label]:
    return {k: Label(*v) for k, v in rows.items()}


#: EIF's late-intervention issues (2015 categories).
ISSUE_LABELS: dict[str, Label] = _labels(
    {
        "child_protection_and_safeguarding": (
            "Child protection and safeguarding",
            "Child protection",
            "GBP/year",
            "money",
        ),
        "crime_and_antisocial_behaviour": (
            "Crime and anti-social behaviour",
            "Crime and ASB",
            "GBP/year",
            "money",
        ),
        "youth_substance_misuse": (
            "Youth substance misuse",
            "Substance misuse",
            "GBP/year",
            "money",
        ),
        "youth_economic_inactivity": (
            "Youth economic inactivity",
            "Economic inactivity",
            "GBP/year",
            "money",
        ),
        "child_injuries_and_mental_health": (
            "Child injuries and mental health",
            "Injuries and mental health",
            "GBP/year",
            "money",
        ),
        "school_absence_and_exclusion": (
            "School absence and exclusion",
            "School absence",
            "GBP/year",
            "money",
        ),
    }
)

#: The agencies that pay for late intervention (and gain from savings).
AGENCY_LABELS: dict[str, Label] = _labels(
    {
        "local_authority": (
            "Local authority (children's services)",
            "Local authority",
            "GBP",
            "money",
        ),
        "police": ("Police", "Police", "GBP", "money"),
        "criminal_justice": ("Criminal justice", "Justice", "GBP", "money"),
        "nhs": ("NHS", "NHS", "GBP", "money"),
        "welfare": ("DWP / welfare", "DWP", "GBP", "money"),
        "schools": ("Schools", "Schools", "GBP", "money"),
    }
)

#: Public mappings of name → long label (``costmodel.ISSUES``, ``costmodel.AGENCIES``).
ISSUES: dict[str, str] = {k: ISSUE_LABELS[k].long for k in ISSUE_NAMES}
AGENCIES: dict[str, str] = {k: AGENCY_LABELS[k].long for k in AGENCY_NAMES}

#: Units whose values are shares, shown as percentages (a relative reduction may be below zero).
SHARE_UNITS = ("proportion", "relative_reduction")

#: The kinds of evidence an effect rests on (costmodel.params.evidence.CLASSES).
EVIDENCE_CLASS_LABELS: dict[str, str] = {
    "own": "measured for this programme against its own counterfactual",
    "transferred": "transferred from another programme or population",
    "assumed": "assumed (no counterfactual measure)",
}
#: The same, short, for table cells.
EVIDENCE_CLASS_SHORT: dict[str, str] = {
    "own": "own counterfactual",
    "transferred": "transferred",
    "assumed": "assumed",
}

#: The savings model's outcomes: what one occurrence is.
OUTCOME_LABELS: dict[str, Label] = _labels(
    {
        "child_enters_care": ("A child enters care", "Care entry", "episode", "number"),
        "youth_custody": (
            "A young person is sentenced to custody",
            "Youth custody",
            "episode",
            "number",
        ),
        "youth_conviction": (
            "A young person is convicted",
            "Youth conviction",
            "episode",
            "number",
        ),
        "antisocial_behaviour": (
            "An anti-social behaviour incident",
            "Anti-social behaviour",
            "incident",
            "number",
        ),
        "domestic_abuse": (
            "A victim-year of domestic abuse",
            "Domestic abuse",
            "victim-year",
            "number",
        ),
        "young_adult_neet": (
            "A young adult not in education, employment or training",
            "Young adult NEET",
            "person",
            "number",
        ),
        "school_exclusion": ("A school exclusion", "School exclusion", "episode", "number"),
        "camhs_case": ("A child mental health (CAMHS) case", "CAMHS case", "case", "number"),
        "adult_out_of_work": (
            "A parent's year claiming Jobseeker's Allowance",
            "Adult out of work",
            "year",
            "number",
        ),
        "adult_custody": (
            "A parent is sentenced to custody",
            "Adult custody",
            "episode",
            "number",
        ),
        "adult_mental_health": (
            "A parent's year of mental health treatment",
            "Adult mental health",
            "year",
            "number",
        ),
    }
)

#: Indicators of an appraisal and of a programme's reach.
INDICATORS: dict[str, Label] = _labels(
    {
        "pv_costs": ("Present value of costs", "PV of costs", "GBP", "money"),
        "pv_income": (
            "Present value of payment-by-results income",
            "PV of results income",
            "GBP",
            "money",
        ),
        "pv_savings_gross": (
            "Present value of savings, gross",
            "PV savings, gross",
            "GBP",
            "money",
        ),
        "pv_savings_net": (
            "Present value of savings, net of deadweight and other adjustments",
            "PV savings, net",
            "GBP",
            "money",
        ),
        "npv": ("Net present value (NPV)", "NPV", "GBP", "money"),
        "npv_median": ("Net present value, median of the draws", "NPV, median", "GBP", "money"),
        "npv_central": (
            "Net present value at central parameter values",
            "NPV, central values",
            "GBP",
            "money",
        ),
        "npv_p5": ("NPV, 5th percentile", "NPV, 5th pct", "GBP", "money"),
        "npv_p95": ("NPV, 95th percentile", "NPV, 95th pct", "GBP", "money"),
        "bcr": ("Benefit-cost ratio", "BCR", "ratio", "ratio"),
        "roi": ("Return on investment", "ROI", "ratio", "share"),
        "payback_years": (
            "Payback, years from start",
            "Payback (years)",
            "year",
            "years",
        ),
        "break_even_families": (
            "Break-even: families starting support",
            "Break-even families",
            "family",
            "number",
        ),
        "break_even_effect_scale": (
            "Break-even: share of the assumed effects needed",
            "Break-even effect",
            "proportion",
            "share",
        ),
        "families_started": (
            "Families starting support (direct work, for the team)",
            "Families started",
            "family",
            "number",
        ),
        "families_completed": (
            "Families completing support",
            "Families completed",
            "family",
            "number",
        ),
        "families_reached_indirectly": (
            "Families reached through advice to other services",
            "Reached by advice",
            "family",
            "number",
        ),
        "families_contacted_light_touch": (
            "Families given light-touch support (a call and a follow-up)",
            "Light-touch families",
            "family",
            "number",
        ),
        "effective_families": (
            "Full-effect-equivalent families",
            "Full-effect families",
            "family",
            "number",
        ),
        "cost_per_family_started": (
            "Cost per family starting support",
            "Cost per family",
            "GBP/family",
            "money",
        ),
        "p_npv_positive": (
            "Chance that NPV is above zero",
            "Chance NPV > 0",
            "proportion",
            "share",
        ),
        "p_payback": (
            "Chance of paying back within the horizon",
            "Chance of payback",
            "proportion",
            "share",
        ),
    }
)

#: Columns of a decision's tables (:mod:`costmodel.model.decision`): options against
#: the counterfactual, each agency's view of an option, and a split of its cost.
DECISION_COLUMNS: dict[str, Label] = _labels(
    {
        "pv_costs": ("Extra present value of costs", "Extra PV costs", "GBP", "money"),
        "pv_income": ("Extra payment-by-results income", "Extra income", "GBP", "money"),
        "pv_savings_net": (
            "Extra present value of net savings",
            "Extra PV savings",
            "GBP",
            "money",
        ),
        "npv": ("Incremental NPV, mean", "NPV", "GBP", "money"),
        "npv_p5": ("Incremental NPV, 5th percentile", "NPV 5th pct", "GBP", "money"),
        "npv_p95": ("Incremental NPV, 95th percentile", "NPV 95th pct", "GBP", "money"),
        "bcr": ("Incremental benefit-cost ratio", "BCR", "ratio", "ratio"),
        "p_better": (
            "Chance the option beats the counterfactual",
            "Chance better",
            "proportion",
            "share",
        ),
        "payback_years": ("Payback, years from the start", "Payback", "year", "years"),
        "families_started": (
            "Extra families starting support",
            "Extra families",
            "family",
            "number",
        ),
        "cost_per_family_started": (
            "Extra cost per extra family started",
            "Cost per family",
            "GBP/family",
            "money",
        ),
        "cash": ("Cashable savings (cash only)", "Cash", "GBP", "money"),
        "cash_and_capacity": (
            "Cashable savings and capacity freed",
            "Cash + capacity",
            "GBP",
            "money",
        ),
        "remit": ("Savings within its whole remit", "Whole remit", "GBP", "money"),
        "pays": ("What it pays now (PV)", "Pays now", "GBP", "money"),
        "npv_cash": ("Its NPV, cash only", "NPV cash", "GBP", "money"),
        "npv_cash_and_capacity": ("Its NPV, cash and capacity", "NPV cash+cap", "GBP", "money"),
        "npv_remit": ("Its NPV, whole remit", "NPV remit", "GBP", "money"),
        "share_cashable": (
            "Share of the cost, by cashable savings",
            "Share (cash)",
            "proportion",
            "share",
        ),
        "pays_cashable": ("Pays, by cashable savings (PV)", "Pays (cash)", "GBP", "money"),
        "npv_cashable": ("Its NPV under that split, cash only", "NPV (cash)", "GBP", "money"),
        "share_total": (
            "Share of the cost, by all its savings",
            "Share (all)",
            "proportion",
            "share",
        ),
        "pays_total": ("Pays, by all its savings (PV)", "Pays (all)", "GBP", "money"),
        "npv_total": ("Its NPV under that split, all savings", "NPV (all)", "GBP", "money"),
        "benefits_cashable": ("Its cashable savings", "Cash savings", "GBP", "money"),
        "benefits_total": ("All its net savings", "All savings", "GBP", "money"),
    }
)

#: The columns of the monitoring template (:data:`costmodel.params.monitoring.COLUMNS`),
#: in words for the monitoring plan.
MONITORING_FIELDS: dict[str, str] = {
    "outcome": "the outcome (care entry, exclusion, police call-out, ...)",
    "follow_up_months": "the months each family was followed",
    "supported_families": "families supported",
    "supported_with_outcome": "of them, families with the outcome at least once",
    "comparison_families": "comparison families (referred but redirected, or waiting)",
    "comparison_with_outcome": "of them, families with the outcome",
    "comparison_group": "who the comparison families are",
    "period": "the period covered",
    "source": "the system the counts come from",
}

#: What is sunk at the decision (:meth:`costmodel.model.decision.OptionsAppraisal.sunk`).
SUNK_ROWS: dict[str, str] = {
    "pv_costs": "Spent before the decision",
    "pv_income": "Payment-by-results income before the decision",
    "pv_savings_net": "Net savings realised before the decision",
    "pv_social_net": "Wellbeing valued before the decision",
    "npv": "Net of savings and spending before the decision",
    "pv_savings_net_after_decision": "Savings still to come from families already helped",
}

#: Outcomes of the team's reach simulation, totalled over the programme.
REACH_OUTCOMES: dict[str, Label] = _labels(
    {
        "referred": ("Families referred", "Referred", "family", "number"),
        "screened_out": ("Screened out or declined", "Screened out", "family", "number"),
        "eligible": ("Eligible and consenting", "Eligible", "family", "number"),
        "started": ("Families starting direct work", "Started", "family", "number"),
        "completed": ("Families completing direct work", "Completed", "family", "number"),
        "dropped_out": ("Families dropping out", "Dropped out", "family", "number"),
        "redirected": ("Redirected after the maximum wait", "Redirected", "family", "number"),
        "ongoing_at_end": ("Still in a case at the end", "Ongoing at end", "family", "number"),
        "waiting_at_end": ("Waiting when funding ends", "Waiting at end", "family", "number"),
        "consultations": (
            "Consultations with other professionals",
            "Consultations",
            "count",
            "number",
        ),
        "reached_indirectly": (
            "Families reached through advice to professionals",
            "Reached by advice",
            "family",
            "number",
        ),
        "families_reached": (
            "Families reached, directly or through advice",
            "Reached",
            "family",
            "number",
        ),
        "light_touch_referred": (
            "Families passed on for light-touch contact",
            "Light-touch referrals",
            "family",
            "number",
        ),
        "light_touch_contacted": (
            "Families given light-touch support",
            "Light touch",
            "family",
            "number",
        ),
        "light_touch_lapsed": (
            "Light-touch contacts that lapsed unmade",
            "Lapsed",
            "family",
            "number",
        ),
        "families_supported": (
            "Families supported (casework or light touch)",
            "Supported",
            "family",
            "number",
        ),
        "children_supported": (
            "Children in the families supported",
            "Children supported",
            "person",
            "number",
        ),
        "cost_per_family_supported": (
            "Cost per family supported",
            "Cost per family supported",
            "GBP/family",
            "money",
        ),
        "mean_wait_weeks": (
            "Mean wait before starting (weeks)",
            "Mean wait (weeks)",
            "week",
            "weeks",
        ),
        "utilisation": ("Caseload utilisation", "Utilisation", "proportion", "share"),
        "spend": ("Spend", "Spend", "GBP", "money"),
        "cost_per_family_started": (
            "Cost per family starting direct work",
            "Cost per family",
            "GBP/family",
            "money",
        ),
        "cost_per_family_completed": (
            "Cost per family completing direct work",
            "Cost per completion",
            "GBP/family",
            "money",
        ),
        "posts_filled": ("Posts filled", "Posts filled", "post", "years"),
        "capacity": ("Places for cases", "Places", "count", "number"),
        "active": ("Cases open", "Open cases", "count", "number"),
        "waiting": ("Families waiting", "Waiting", "family", "number"),
        "wait_weeks": ("Weeks waited by families starting", "Weeks waited", "week", "number"),
    }
)

#: How a headline figure is formed (:meth:`costmodel.model.projection.Projection.headlines`).
BASIS_LABELS: dict[str, str] = {
    "mean": "mean of the draws",
    "median": "median of the draws",
    "central_values": "every parameter at its central value",
    "ratio_of_means": "ratio of means",
    "share_of_draws": "share of the draws",
    "mean_curves": "from the mean cumulative curves; shown where at least half the draws pay back",
}

#: Rows of the reconciliation of a family's yearly cost with published figures.
FAMILY_COST_ROWS: dict[str, str] = {
    "modelled": "All the model's outcomes",
    "published": "Published: reactive spending on a family with multiple problems",
    "not_modelled": "Not covered by the model's outcomes",
}

#: Rows of the board paper's table of who pays and who saves.
WHO_PAYS_ROWS: dict[str, str] = {
    "costs": "Costs of the programme",
    **{f"cashable_{a}": f"Cashable saving: {label.long}" for a, label in AGENCY_LABELS.items()},
}

#: Whether a report looks back on a programme or forward to a decision.
STANCE_LABELS: dict[str, str] = {
    "ex_post": "Evaluation after the event (ex post)",
    "in_flight": "Review of a programme under way",
    "ex_ante": "Appraisal before the decision (ex ante)",
}

#: The appraisal's perspectives (:meth:`costmodel.model.result.Projection.perspectives`):
#: the long form for the tables of perspectives, the short for the summary page.
PERSPECTIVE_LABELS: dict[str, Label] = _labels(
    {
        "fiscal": (
            "Fiscal: the public sector as a whole (the headline figures)",
            "Fiscal: the public sector as a whole",
        ),
        "economic": (
            "Economic: fiscal less transfers, plus output",
            "Economic: less transfers, plus output",
        ),
        "social": ("Social: economic plus wellbeing", "Social: plus wellbeing, where valued"),
        "local": ("The local partnership", "Local partners (costs less government income)"),
        "funder": ("The funder's own view", "The funder's own cashable view"),
    }
)

#: What each perspective counts (its ``basis`` key); ``{funder}`` is the paying agency.
PERSPECTIVE_BASIS: dict[str, str] = {
    "fiscal": "every public agency; income cancels",
    "economic": "fiscal less transfer payments, plus output not lost where valued",
    "social": "economic plus wellbeing where valued (see each outcome's social_value)",
    "local": "local partners' savings; costs less income from central government",
    "funder": "cashable savings of the funder ({funder}) against its outlay",
}


def perspective_basis(key: str, funder: str | None = None) -> str:
    """What a perspective counts, in words; ``funder`` is the funder's agency key."""
    return PERSPECTIVE_BASIS[key].format(
        funder=AGENCY_LABELS[funder].long if funder in AGENCY_LABELS else funder
    )


#: The team's service tiers (:meth:`costmodel.model.team.ReachResult.tiers`).
TIER_LABELS: dict[str, str] = {
    "casework": "Casework (direct work with the family)",
    "light_touch": "Light touch (a call and a follow-up)",
    "advice": "Advice to other professionals",
    "supported": "Supported: casework and light touch",
}

#: Statistics of the draws or runs, as the columns of a table name them.
STATISTIC_LABELS: dict[str, str] = {
    "mean": "mean",
    "p5": "5th percentile",
    "p50": "median",
    "p95": "95th percentile",
    "low": "5th percentile",
    "high": "95th percentile",
}


def money_basis(basis: str, price_basis: str, discount: str) -> str:
    """The money basis of a cash-flow table (``real``, ``discounted`` or ``nominal``)
    in words, given the report's price basis and discount rate's name."""
    if basis == "real":
        return f"{price_basis}, undiscounted"
    if basis == "discounted":
        return f"{price_basis}, discounted ({discount} Green Book rate)"
    return "nominal (cash) prices of each year, by the GDP deflator"


#: Year-by-year cash-flow columns (``net_<agency>`` are added below).
CASH_FLOWS: dict[str, Label] = _labels(
    {
        "costs": ("Programme costs", "Costs", "GBP", "money"),
        "income": ("Payment-by-results income", "Results income", "GBP", "money"),
        "savings_gross": ("Gross savings", "Gross savings", "GBP", "money"),
        "savings_net": ("Net savings", "Net savings", "GBP", "money"),
        "net_benefit": ("Net benefit", "Net benefit", "GBP", "money"),
        **{
            f"net_{a}": (
                f"Net savings: {AGENCY_LABELS[a].long}",
                f"Net: {AGENCY_LABELS[a].short}",
                "GBP",
                "money",
            )
            for a in AGENCY_NAMES
        },
    }
)

#: The columns of a decision's option year by year
#: (:meth:`costmodel.analysis.report.ReportContent.option_cash_flows`); the same words,
#: after "Less <the counterfactual>:", head the option less the counterfactual. Net benefit here is
#: fiscal, as the options are ranked: income is a transfer within the public sector.
OPTION_FLOWS: dict[str, Label] = _labels(
    {
        "costs": ("Programme costs", "Costs", "GBP", "money"),
        "income": ("Payment-by-results income", "Results income", "GBP", "money"),
        "savings_net": ("Net savings, every agency", "Net savings", "GBP", "money"),
        "net_benefit": (
            "Fiscal net benefit (net savings − costs)",
            "Net benefit",
            "GBP",
            "money",
        ),
        "discount_factor": (
            "Discount factor applied",
            "Discount factor",
            "factor",
            "factor",
        ),
        "costs_discounted": ("Programme costs", "Costs", "GBP", "money"),
        "income_discounted": ("Payment-by-results income", "Results income", "GBP", "money"),
        "savings_net_discounted": ("Net savings, every agency", "Net savings", "GBP", "money"),
        "net_benefit_discounted": (
            "Fiscal net benefit (net savings − costs)",
            "Net benefit",
            "GBP",
            "money",
        ),
    }
)

#: Groups of parameters for the value of information (the groups themselves are data in
#: :data:`costmodel.analysis.value_of_information.GROUPS`).
GROUP_LABELS: dict[str, Label] = _labels(
    {
        "effects": ("Effects of support on each outcome", "Effects"),
        "outcome rates": ("How often each outcome happens without support", "Outcome rates"),
        "unit costs": ("What each outcome costs", "Unit costs"),
        "persistence": ("How long effects last", "Persistence"),
        "evidence adjustments": (
            "How far effects measured elsewhere, or in weaker designs, carry over",
            "Evidence adjustments",
        ),
        "population need": ("How needy the families served are", "Population need"),
        "additionality": (
            "Deadweight, attribution, displacement and partial effects",
            "Additionality",
        ),
        "team throughput": ("The team's staffing, referrals and caseloads", "Team throughput"),
        "programme costs and income": (
            "Other programmes' costs, families and income",
            "Programme costs",
        ),
        "other": ("Every other drawn parameter", "Other"),
    }
)

#: The last part of a parameter path, in words, where plain replacement reads badly.
_LEAF_WORDS = {
    "rate": "rate without support",
    "cost": "cost per occurrence",
    "effect": "effect",
    "transfer": "transfer factor",
    "drop_off": "yearly drop-off",
    "dropped_out": "effect share for drop-outs",
    "indirect": "effect share for advice",
    "cost_per_family": "cost per family",
}


def area_label(area: str) -> str:
    """``'england_and_wales'`` → ``'England and Wales'``."""
    small = {"and", "of", "the", "upon", "on"}
    words = area.replace("-", " ").replace("_", " ").split()
    return " ".join(w if (w in small and i) else w.capitalize() for i, w in enumerate(words))


def provenance_text(entry: Mapping) -> str:
    """A figure's provenance (:meth:`ParameterSet.provenance`) in one line of words:
    ``derived (low confidence): the national cost per person × the population; EIF ...``;
    a borrowed value names its lender and any rescaling."""
    status = str(entry.get("status", ""))
    head = status
    if status == "borrowed" and entry.get("borrowed_from"):
        head = f"borrowed from {area_label(str(entry['borrowed_from']))} ({entry.get('basis')})"
        if entry.get("rescaled"):
            head += f", rescaled {entry['rescaled']}"
    if entry.get("confidence"):
        head += f", {entry['confidence']} confidence"
    how = entry.get("method") if entry.get("basis", status) == "derived" else None
    parts = [
        head,
        *([str(how)] if how else []),
        *([str(entry["source"])] if entry.get("source") else []),
    ]
    return "; ".join(parts)


#: How a report names the late-intervention total, by the total's status: only a
#: published figure is the Early Intervention Foundation's estimate for the area.
LATE_INTERVENTION_PHRASES: dict[str, str] = {
    "published": "The Early Intervention Foundation's estimate of what late intervention "
    "costs public services in {area} each year",
    "derived": "An estimate derived for {area} (the Early Intervention Foundation published "
    "no figure for the area; see how below) of what late intervention costs its public "
    "services each year",
    "assumed": "An assumed figure for what late intervention costs public services in "
    "{area} each year (no published figure; see its rationale in the annex)",
    "borrowed": "Another area's figure for what late intervention costs public services, "
    "standing in for {area}'s",
}


def late_intervention_phrase(status: str, area: str) -> str:
    """The words that introduce an area's late-intervention total, chosen by its status."""
    return LATE_INTERVENTION_PHRASES.get(status, LATE_INTERVENTION_PHRASES["derived"]).format(
        area=area
    )


def scenario_label(name: str) -> str:
    """A scenario's display name: ``'full_strength'`` → ``'Full strength'``."""
    text = Path(name).stem if name.endswith((".yaml", ".yml")) else name
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


def parameter_label(path: str) -> str:
    """A short readable label for a parameter path (the same in tornado, tables and text).

    ``savings.outcomes.child_enters_care.effect`` → ``Care entry: effect``;
    ``team.direct_work.caseload`` → ``Direct work: caseload``;
    ``programmes.troubled_families_phase2.cost_per_family`` →
    ``Troubled families phase2: cost per family``.
    """
    parts = [p for p in path.split(".") if p]
    if not parts:
        return path
    plain = parts[-1].replace("_", " ")
    leaf = _LEAF_WORDS.get(parts[-1], plain) if parts[0] != "team" else plain
    if len(parts) >= 3 and parts[-3] == "outcomes" and parts[-2] in OUTCOME_LABELS:
        head = OUTCOME_LABELS[parts[-2]].short
    elif len(parts) == 3 and parts[0] == "areas":
        head = area_label(parts[1])  # an area's own figure: its name as a name
    elif len(parts) >= 2:
        head = parts[-2].replace("_", " ")
        head = head[:1].upper() + head[1:]
    else:
        return leaf[:1].upper() + leaf[1:]
    return f"{head}: {leaf}"


def label(name: str, table: Mapping[str, Label] = INDICATORS, short: bool = False) -> str:
    """The long (or short) label of ``name`` in ``table``; the name itself if it has none."""
    lab = table.get(name)
    if lab is None:
        return name.replace("_", " ")
    return lab.short if short else lab.long


def kind(name: str, table: Mapping[str, Label] = INDICATORS) -> str:
    """The kind of ``name`` in ``table`` (how its numbers print); ``number`` if unknown."""
    lab = table.get(name)
    return lab.kind if lab is not None else "number"


#: What to measure, and from where, to narrow each group of parameters: the monitoring
#: and evaluation plan follows the value of information group by group.
MONITORING: dict[str, tuple[str, str]] = {
    "effects": (
        "Outcomes of the families helped against a matched comparison group: care "
        "entries, custody, convictions, police call-outs, school exclusions, benefit claims",
        "Council, police, youth justice and DWP records matched for helped and waiting "
        "families (as the national Troubled Families evaluation did)",
    ),
    "outcome rates": (
        "How often each outcome happens among referred families without support",
        "Referral records linked to the same administrative data, for families referred "
        "but not supported",
    ),
    "unit costs": (
        "What a care placement, a custodial sentence or an incident costs locally",
        "The council's and police's own finance data, beside the Unit Cost Database",
    ),
    "persistence": (
        "Whether effects hold two, three and four years after support ends",
        "Follow-up of the same matched records at fixed points after support",
    ),
    "evidence adjustments": (
        "This programme's own effects, so that none need be transferred from another",
        "The outcomes of the families helped against a matched comparison group",
    ),
    "population need": (
        "The needs of the families served: thresholds met, prior care, police and school contact",
        "Referral and assessment records of the families helped",
    ),
    "additionality": (
        "What other services did for the same families, and what would have happened anyway",
        "Case records of partner services; the comparison group's outcomes",
    ),
    "team throughput": (
        "Referrals, caseloads, case lengths, drop-out, vacancies and waiting times",
        "The team's case management system, quarter by quarter",
    ),
    "programme costs and income": (
        "What the programme costs per family and what it claims in results payments",
        "The programme's own accounts and claims",
    ),
    "other": ("Every other uncertain input", "As each parameter's source says"),
}

#: Terms a board paper uses, in plain words (the glossary).
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Benefit-cost ratio (BCR)", "Present value of benefits divided by present value of costs."),
    (
        "Break clause",
        "A point at which the funders may stop the funding, tied to a decision gate.",
    ),
    (
        "Calibration",
        "Adjusting uncertain inputs so that the simulation reproduces what the team reported "
        "(families worked with, spend), keeping the inputs' own uncertainty.",
    ),
    (
        "Cashable saving",
        "A saving that can be taken out of a budget as money, rather than freed staff time.",
    ),
    (
        "Counterfactual",
        "What would have happened without the programme, as a comparison group shows it.",
    ),
    ("Deadweight", "Improvement that would have happened anyway."),
    (
        "Decision gate",
        "A date by which monitoring shows whether the programme is working well enough to go on.",
    ),
    ("Attribution", "The share of an improvement due to other services."),
    ("Displacement", "Harm moved elsewhere rather than prevented."),
    (
        "Discounting",
        "Valuing future amounts less than present ones, at the HM Treasury Green Book rate "
        "(3.5% a year).",
    ),
    ("Economic perspective", "Fiscal value less transfer payments, plus output gained."),
    ("Evidence grade", "The confidence the model's sources allow: high, medium or low."),
    (
        "EVPI / EVPPI",
        "Expected value of perfect (partial) information: what knowing the "
        "uncertain inputs before deciding would be worth.",
    ),
    ("Ex ante / ex post", "An appraisal before a decision / an evaluation after the event."),
    ("Fiscal perspective", "Costs and savings to public bodies."),
    ("Gross / net savings", "Savings before / after the adjustments for additionality."),
    (
        "Light-touch support",
        "Advice, signposting and brief contact with a family, short of casework.",
    ),
    ("Monte Carlo draws", "Repeated runs with every uncertain input drawn from its range."),
    ("Net present value (NPV)", "Present value of benefits less present value of costs."),
    (
        "Optimism bias",
        "The Green Book's correction for appraisers' tendency to overstate benefits and "
        "understate costs.",
    ),
    ("Payback", "When cumulative discounted savings first cover cumulative discounted costs."),
    (
        "Payment by results",
        "Funding paid when agreed outcomes are shown, as in the Troubled Families programme.",
    ),
    (
        "Persistence",
        "How long an effect lasts after support ends, and how fast it fades.",
    ),
    ("Price base", "The year whose prices all money is expressed in (real terms)."),
    ("Social perspective", "Economic value plus wellbeing, where valued."),
    ("Switching value", "The value of one input at which the NPV would be zero."),
    ("Transfer", "A payment between bodies or people that uses no resources (e.g. benefits)."),
)

#: Topics of the technical annex: a parameter path's first parts → heading.
ANNEX_TOPICS: tuple[tuple[str, str], ...] = (
    ("areas.", "The area and its late-intervention cost"),
    ("team.programme", "The team: programme and budget"),
    ("team.budget", "The team: programme and budget"),
    ("team.staff", "The team: staff"),
    ("team.staffing_steps", "The team: staff"),
    ("team.referrals", "The team: referrals and casework"),
    ("team.direct_work", "The team: referrals and casework"),
    ("team.light_touch", "The team: light touch and advice"),
    ("team.indirect", "The team: light touch and advice"),
    ("team.", "The team: families and what it reported"),
    ("savings.outcomes.", "Outcomes: rates, costs and effects"),
    ("savings.", "Savings: persistence, additionality and optimism bias"),
    ("programmes.", "Other programmes"),
    ("prices.", "Prices and discounting"),
    ("baseline.", "Baseline method"),
    ("", "Other"),
)


#: The board's case: a perspective that ranks options, in the words of a paper.
RANKING_WORDS: dict[str, str] = {
    "fiscal": "the public purse (the fiscal view)",
    "economic": "the economy (the economic view)",
    "social": "society (the social view: economic value plus wellbeing)",
    "local": "the local partnership",
    "funder": "the funder alone",
}
#: The management case's headings (a decision file's ``case.management`` keys).
MANAGEMENT_LABELS: dict[str, str] = {
    "senior_responsible_owner": "Senior responsible owner",
    "governance": "Governance",
    "delivery": "Delivery",
    "staffing": "Staffing",
}


def management_label(key: str) -> str:
    """A management-case heading: its label, else the key in words."""
    return MANAGEMENT_LABELS.get(key, key.replace("_", " ").capitalize())


#: The savings an option's cost is shared in proportion to (a decision's
#: ``case.cost_sharing``), in the words of a paper.
SHARING_WORDS: dict[str, str] = {
    "cashable": "cashable savings",
    "total": "savings, cashable or not",
    "local_cashable": "cashable savings, among the local partnership's agencies",
}
