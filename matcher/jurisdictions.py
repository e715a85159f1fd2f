"""Where a counselor may practise: the jurisdictions of licensure, as ISO 3166-2 codes.

A counselor is licensed by a state board, and may see only clients who are in that
state during the session, by video and phone as in person. The codes are the ISO
3166-2 subdivision codes of the United States: the fifty states, the District of
Columbia and the inhabited territories with their own licensing boards (the
territories also have ISO 3166-1 country codes; ISO 3166-2:US lists them as
subdivisions too). The label is the name written in reasons and shown by
``GetVocabulary``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["JURISDICTIONS"]

#: ISO 3166-2 code -> name, for the jurisdictions a counselor can be licensed in.
JURISDICTIONS: Mapping[str, str] = MappingProxyType(
    {
        "US-AL": "Alabama",
        "US-AK": "Alaska",
        "US-AZ": "Arizona",
        "US-AR": "Arkansas",
        "US-CA": "California",
        "US-CO": "Colorado",
        "US-CT": "Connecticut",
        "US-DE": "Delaware",
        "US-DC": "District of Columbia",
        "US-FL": "Florida",
        "US-GA": "Georgia",
        "US-HI": "Hawaii",
        "US-ID": "Idaho",
        "US-IL": "Illinois",
        "US-IN": "Indiana",
        "US-IA": "Iowa",
        "US-KS": "Kansas",
        "US-KY": "Kentucky",
        "US-LA": "Louisiana",
        "US-ME": "Maine",
        "US-MD": "Maryland",
        "US-MA": "Massachusetts",
        "US-MI": "Michigan",
        "US-MN": "Minnesota",
        "US-MS": "Mississippi",
        "US-MO": "Missouri",
        "US-MT": "Montana",
        "US-NE": "Nebraska",
        "US-NV": "Nevada",
        "US-NH": "New Hampshire",
        "US-NJ": "New Jersey",
        "US-NM": "New Mexico",
        "US-NY": "New York",
        "US-NC": "North Carolina",
        "US-ND": "North Dakota",
        "US-OH": "Ohio",
        "US-OK": "Oklahoma",
        "US-OR": "Oregon",
        "US-PA": "Pennsylvania",
        "US-RI": "Rhode Island",
        "US-SC": "South Carolina",
        "US-SD": "South Dakota",
        "US-TN": "Tennessee",
        "US-TX": "Texas",
        "US-UT": "Utah",
        "US-VT": "Vermont",
        "US-VA": "Virginia",
        "US-WA": "Washington",
        "US-WV": "West Virginia",
        "US-WI": "Wisconsin",
        "US-WY": "Wyoming",
        "US-AS": "American Samoa",
        "US-GU": "Guam",
        "US-MP": "Northern Mariana Islands",
        "US-PR": "Puerto Rico",
        "US-VI": "U.S. Virgin Islands",
    }
)
