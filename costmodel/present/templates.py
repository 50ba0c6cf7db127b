"""The files ``costmodel new-area NAME`` writes: what an area must supply, marked TODO.

An area folder (``parameters/areas/NAME/``, see :mod:`costmodel.params.store`) needs its
population, its late-intervention total (and any issue figures published for it), its
share of England's children (so national activity counts follow it), and at least one
programme to appraise. Every value and source left to fill in is marked ``TODO``;
``costmodel validate`` refuses the folder until none is left.
"""

from __future__ import annotations

from pathlib import Path

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


def area_files(name: str) -> dict[Path, str]:
    """The files of a new area folder, relative to the parameter folder."""
    label = area_label(name)
    folder = Path("areas") / name
    return {
        folder / "area.yaml": AREA_TEMPLATE.format(label=label),
        folder / "programmes" / f"{name}_programme.yaml": PROGRAMME_TEMPLATE.format(label=label),
        folder / "scenarios" / "central.yaml": CENTRAL_TEMPLATE,
    }


__all__ = ["area_files"]
