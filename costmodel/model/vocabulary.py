"""Names the model uses: the EIF issues, the paying agencies, and the calendar.

These are keys, not labels: what people read is in :mod:`costmodel.present.labels`.
"""

from __future__ import annotations

#: EIF's late-intervention issues (2015 categories), in the order tables show them.
ISSUE_NAMES: tuple[str, ...] = (
    "child_protection_and_safeguarding",
    "crime_and_antisocial_behaviour",
    "youth_substance_misuse",
    "youth_economic_inactivity",
    "child_injuries_and_mental_health",
    "school_absence_and_exclusion",
)

#: The issue of an outcome that EIF's late-intervention estimate leaves out (it counts
#: spending on children and young people only: an adult's years out of work or in
#: prison are costs a family brings to services, but not EIF late intervention).
OUTSIDE_ESTIMATE = "outside_late_intervention_estimate"

#: Agencies that pay for late intervention.
AGENCY_NAMES: tuple[str, ...] = (
    "local_authority",
    "police",
    "criminal_justice",
    "nhs",
    "welfare",
    "schools",
)

#: The area whose published figures give the national shares and agency totals: the
#: reference data set of the EIF estimate, not an area the model defaults to.
NATIONAL_AREA = "england_and_wales"

#: The issues EIF published nationally only as one combined figure.
COMBINED_ISSUE = "mental_health_and_substance_misuse"

#: Calendar convention for the team simulations: 52-week years of four 13-week quarters.
WEEKS_PER_YEAR = 52
WEEKS_PER_QUARTER = 13
QUARTERS_PER_YEAR = 4
