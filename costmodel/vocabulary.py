"""Names used across the model: the EIF issues and the paying agencies."""

from __future__ import annotations

#: EIF's late-intervention issues (2015 categories), with display labels.
ISSUES: dict[str, str] = {
    "child_protection_and_safeguarding": "Child protection and safeguarding",
    "crime_and_antisocial_behaviour": "Crime and anti-social behaviour",
    "youth_substance_misuse": "Youth substance misuse",
    "youth_economic_inactivity": "Youth economic inactivity",
    "child_injuries_and_mental_health": "Child injuries and mental health",
    "school_absence_and_exclusion": "School absence and exclusion",
}

#: Agencies that pay for late intervention, with display labels.
AGENCIES: dict[str, str] = {
    "local_authority": "Local authority (children's services)",
    "police": "Police",
    "criminal_justice": "Criminal justice",
    "nhs": "NHS",
    "welfare": "DWP / welfare",
    "schools": "Schools",
}

#: The area whose published figures give the national shares and agency totals.
NATIONAL_AREA = "england_and_wales"

#: The issues EIF published nationally only as one combined figure.
COMBINED_ISSUE = "mental_health_and_substance_misuse"

def area_label(area: str) -> str:
    """``'england_and_wales'`` → ``'England and Wales'``."""
    small = {"and", "of", "the", "upon", "on"}
    words = area.replace("-", " ").replace("_", " ").split()
    return " ".join(w if (w in small and i) else w.capitalize() for i, w in enumerate(words))


#: Calendar convention for the team simulations: 52-week years of four 13-week quarters.
WEEKS_PER_YEAR = 52
WEEKS_PER_QUARTER = 13
