"""The files ``costmodel new-area NAME`` writes: what an area must supply, marked TODO.

An area folder (``parameters/areas/NAME/``, see :mod:`costmodel.params.store`) needs its
population, its late-intervention total (and any issue figures published for it), its
share of England's children (so national activity counts follow it), and at least one
programme to appraise. Every value and source left to fill in is marked ``TODO``;
``costmodel validate`` refuses the folder until none is left.

Two paths fill more in from the parameter data, each saying how:

* :func:`derived_total`: for an area the Early Intervention Foundation published no
  figure for, the national cost per person (the national total over its population)
  times the area's population, marked ``derived`` with the spread per person EIF found
  across councils as its range;
* :func:`borrowed_team`: another area's ``team.yaml``, each value kept beside its lent
  original (``borrowed: {value: ...}``) so that a value the analyst changes becomes the
  area's own; its reported counts (``observed``) left behind; and every value marked
  ``scales_with: population`` rescaled by the two areas' populations, the factor and
  its reason recorded beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..params.errors import ParameterError, Problem
from ..params.schema import Parameter
from ..params.yamlio import read_yaml
from .labels import area_label

AREA_TEMPLATE = """\
description: >
  {label}: its population, the Early Intervention Foundation's estimate of its annual
  cost of late intervention, and its share of England's children.
parameters:
  population:
    description: Resident population of {label} (ONS mid-year estimate, the year of the EIF figure).
    value: TODO  # a number of people
    unit: person
    status: published  # or derived (then add a method:) or assumed (then a rationale:)
    confidence: medium
    source: {{title: TODO, url: TODO}}
  late_intervention:
    description: The EIF annual cost of late intervention in {label}.
    total:
      description: Total annual fiscal cost of late intervention in {label}.
      value: TODO  # pounds a year, e.g. 199_000_000
      unit: GBP/year
      price_year: 2014/15  # the price year of the figure
      # No figure published for the area? `costmodel new-area NAME --population N
      # --derive-total` derives one from the national cost per person, marked derived.
      status: published
      confidence: medium
      source: {{title: TODO, url: TODO}}
    # Add any issue EIF published for the area beside the total, in the same form, e.g.
    # child_protection_and_safeguarding, crime_and_antisocial_behaviour,
    # youth_substance_misuse; the rest of the total is split by national shares.
  activity:
    description: >
      Local activity counts for the bottom-up view. National counts are scaled by the
      area's share of England's children; add the area's own published counts here
      (e.g. children_looked_after, unit count) and they are used instead.
    child_population_share:
      description: {label}'s share of England's population aged under 18.
      value: TODO  # a proportion, e.g. 0.0146
      unit: proportion
      status: derived
      confidence: low
      method: TODO  # how it was worked out
      source: {{title: TODO, url: TODO}}
"""

PROGRAMME_TEMPLATE = """\
description: >
  {label}'s programme to appraise: the families it helps over its years, what a family's
  support costs, and who pays (costmodel.model.programme, a cohort programme).
parameters:
  share_appraised:
    description: Share of the programme included in an appraisal (1 appraises all of it).
    value: 1
    unit: proportion
    status: assumed
    confidence: high
    rationale: The area's own programme is the one its reports appraise.
    source: {{title: costmodel modelling choice}}
  start_date:
    description: When the programme starts.
    value: TODO  # a date, e.g. 2019-04-01
    unit: date
    status: published
    confidence: high
    source: {{title: TODO, url: TODO}}
  duration:
    description: Years the programme runs.
    value: TODO  # years, e.g. 3
    unit: year
    status: published
    confidence: high
    source: {{title: TODO, url: TODO}}
  families:
    description: Families the programme helps over its years.
    value: TODO  # a number of families
    unit: family
    status: published
    confidence: medium
    source: {{title: TODO, url: TODO}}
  cost_per_family:
    description: Cost of a family's support.
    value: TODO  # pounds per family
    unit: GBP/family
    price_year: TODO  # e.g. 2019/20
    status: published
    confidence: low
    source: {{title: TODO, url: TODO}}
    distribution: {{type: gamma, cv: 0.3}}
  funder:
    description: The agency that pays for the programme.
    value: {{local_authority: 1}}  # one of police, local_authority, nhs, schools, ...
    unit: proportion
    status: published
    confidence: high
    source: {{title: TODO, url: TODO}}
"""

CENTRAL_TEMPLATE = """\
description: The parameters as stored, with no changes.
overrides: {}
"""


#: The national reference figures a derived total starts from.
NATIONAL = "england_and_wales"


def derived_total(label: str, population: int, national: Mapping[str, Parameter]) -> dict[str, Any]:
    """The late-intervention total of an area EIF published no figure for, as a
    parameter written out: the national cost per person × ``population``, derived, with
    the spread per person across councils as a triangular range. ``national`` holds the
    parameters of ``areas/england_and_wales.yaml`` by path."""
    head = f"areas.{NATIONAL}."
    total, people = national[head + "late_intervention.total"], national[head + "population"]
    spread = national[head + "per_person_across_councils"]
    if spread.price_year != total.price_year:
        raise ParameterError(
            Problem(spread.file, spread.path, "price year differs from the national total's")
        )
    per_person = float(total.value) / float(people.value)
    low, high = (float(spread.value[k]) for k in ("lowest", "highest"))
    value = round(per_person * population)
    method = (
        f"The Early Intervention Foundation published no figure for {label}. The national "
        f"cost per person, £{total.value:,.0f} ÷ {people.value:,.0f} people in England "
        f"and Wales = £{per_person:,.2f} ({total.price_year} prices), × {label}'s "
        f"{population:,} people = £{value:,}. The range is the spread per person EIF "
        f"found across councils, £{low:,.0f} to £{high:,.0f}, × the population. No "
        f"adjustment is made for the area's deprivation or share of children (none is "
        f"sourced here): make one, with its source, or replace the figure with one "
        f"published for the area."
    )
    source = {k: v for k, v in vars(total.source).items() if v is not None}
    return {
        "description": f"Total annual fiscal cost of late intervention in {label}, derived "
        f"from the national cost per person (no figure was published for the area).",
        "value": value,
        "unit": total.unit,
        "price_year": total.price_year,
        "status": "derived",
        "confidence": "low",
        "method": method,
        "source": source,
        "distribution": {
            "type": "triangular",
            "low": round(low * population),
            "mode": value,
            "high": round(high * population),
        },
    }


def borrowed_team(
    text: str,
    file: str,
    lender: str,
    lender_population: float,
    population: int | None,
) -> str:
    """Another area's ``team.yaml`` (``text``, read from ``file``), as the new area's
    borrowed team: each parameter with its lent value beside it, ``observed`` left out,
    size-dependent values rescaled by ``population`` ÷ ``lender_population``.

    Raises a one-line :class:`ParameterError` if the team has size-dependent values
    and no ``population`` is given."""
    data, _ = read_yaml(file, text)
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise ParameterError(Problem(file, "team", "not a parameter file with 'parameters'"))
    tree = {k: v for k, v in data["parameters"].items() if k != "observed"}
    scaled: list[str] = []
    scale = None if population is None else float(f"{population / lender_population:.4g}")
    why = (
        None
        if population is None
        else f"population: {population:,} ÷ {area_label(lender)}'s {lender_population:,.0f}"
    )

    def walk(node: dict, path: str) -> dict:
        out: dict = {}
        for key, child in node.items():
            if not isinstance(child, dict):
                out[key] = child
            elif "value" in child:
                out[key] = lend(child, f"{path}.{key}")
            else:
                out[key] = walk(child, f"{path}.{key}")
        return out

    def lend(p: dict, path: str) -> dict:
        p = dict(p)
        if not p.get("scales_with"):
            p["borrowed"] = {"value": p["value"]}
            return p
        scaled.append(path)
        if scale is None or why is None:
            return p
        original = p["value"]
        p["value"] = float(f"{original * scale:.6g}")
        dist = p.get("distribution")
        if isinstance(dist, dict):
            dist = dict(dist)
            for k in ("low", "mode", "high", "sd"):
                if k in dist:
                    dist[k] = float(f"{dist[k] * scale:.6g}")
            p["distribution"] = dist
        p["borrowed"] = {"value": original, "scale": scale, "by": why}
        return p

    body = walk(tree, "team")
    if scaled and population is None:
        raise ParameterError(
            Problem(
                file,
                "--population",
                f"{', '.join(scaled)} depend on the area's size: give the area's "
                "population (--population N) so they are rescaled from "
                f"{area_label(lender)}'s",
            )
        )
    description = data.get("description", "")
    out = {
        "description": f"{description.strip()} (Borrowed from {area_label(lender)}.)",
        "borrowed_from": lender,
        "parameters": body,
    }
    header = (
        f"# Borrowed from {lender} by `costmodel new-area`. Each parameter keeps the value\n"
        f"# lent beside it (borrowed: value:): change a value and it becomes this area's\n"
        f"# own, labelled so in every output; the rest stay labelled as {lender}'s.\n"
        f"# Values that scale with the area's size (scales_with) were rescaled by the\n"
        f"# two areas' populations; borrowed: scale and by say how. {lender}'s reported\n"
        f"# counts (observed) were not copied: they are not this area's.\n"
    )
    return header + yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=88)


def area_files(
    name: str,
    population: int | None = None,
    total: Mapping[str, Any] | None = None,
    programme: bool = True,
) -> dict[Path, str]:
    """The files of a new area folder, relative to the parameter folder.

    ``population`` fills in the population's value (its source stays TODO); ``total``
    (from :func:`derived_total`) replaces the published total to fill in; without
    ``programme`` no programme file is written (an area borrowing a team appraises the
    team)."""
    label = area_label(name)
    folder = Path("areas") / name
    area = AREA_TEMPLATE.format(label=label)
    if population is not None:
        area = area.replace("value: TODO  # a number of people", f"value: {population}")
    if total is not None:
        start = area.index("    total:\n")
        end = area.index("    # Add any issue")
        block = yaml.safe_dump(
            {"total": dict(total)}, sort_keys=False, allow_unicode=True, width=84
        )
        area = area[:start] + "".join(f"    {line}\n" for line in block.splitlines()) + area[end:]
        area = area.replace(
            f"    description: The EIF annual cost of late intervention in {label}.",
            f"    description: The annual cost of late intervention in {label}.",
        ).replace(
            "the Early Intervention Foundation's estimate of its annual\n  cost of late "
            "intervention,",
            "its annual cost of late intervention (derived:\n  no figure was published for it),",
        )
    files = {folder / "area.yaml": area}
    if programme:
        files[folder / "programmes" / f"{name}_programme.yaml"] = PROGRAMME_TEMPLATE.format(
            label=label
        )
    files[folder / "scenarios" / "central.yaml"] = CENTRAL_TEMPLATE
    return files


__all__ = ["area_files", "borrowed_team", "derived_total"]
