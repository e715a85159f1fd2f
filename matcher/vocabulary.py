"""The controlled vocabularies of Attune, defined once.

Every code a client or a counselor may use (concerns, therapeutic approaches,
session formats, session types, languages) lives here, together with the
human-readable label used in match reasons. The API, the storage layer, the CLI
and the ranking model all read these tables; nothing else defines a code.

Concern and approach codes are lower-case snake_case strings so that a clinic can
grow the vocabulary without changing the wire contract. Formats and session types
are small closed sets, modelled as enums (the gRPC API mirrors them as proto enums).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "AGE_GROUPS",
    "APPROACHES",
    "CONCERNS",
    "GENDERS",
    "IDENTITIES",
    "LANGUAGES",
    "SESSION_FORMATS",
    "SESSION_TYPES",
    "Proficiency",
    "SessionFormat",
    "SessionType",
    "label_for_approach",
    "label_for_concern",
    "label_for_language",
]


class SessionFormat(StrEnum):
    """How a session is held."""

    VIDEO = "video"
    PHONE = "phone"
    IN_PERSON = "in_person"


class SessionType(StrEnum):
    """Who attends a session."""

    INDIVIDUAL = "individual"
    COUPLES = "couples"
    FAMILY = "family"


#: Session format code -> label used in reasons ("offers in-person sessions").
SESSION_FORMATS: Mapping[str, str] = MappingProxyType(
    {SessionFormat.VIDEO: "video", SessionFormat.PHONE: "phone", SessionFormat.IN_PERSON: "in-person"}
)
#: Session type code -> label.
SESSION_TYPES: Mapping[str, str] = MappingProxyType({t: t.value for t in SessionType})


class Proficiency(StrEnum):
    """How central a concern is to a counselor's practice."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


#: Concern code -> label used in reasons ("treats anxiety (primary)").
CONCERNS: Mapping[str, str] = MappingProxyType(
    {
        "anxiety": "anxiety",
        "depression": "depression",
        "grief": "grief",
        "trauma": "trauma",
        "ptsd": "PTSD",
        "relationship": "relationship issues",
        "family_conflict": "family conflict",
        "parenting": "parenting",
        "stress": "stress",
        "burnout": "burnout",
        "self_esteem": "self-esteem",
        "life_transitions": "life transitions",
        "anger": "anger",
        "substance_use": "substance use",
        "eating_disorders": "eating disorders",
        "ocd": "OCD",
        "adhd": "ADHD",
        "bipolar": "bipolar disorder",
        "sleep": "sleep problems",
        "chronic_illness": "chronic illness",
        "identity": "identity and LGBTQ+ concerns",
        "infertility": "infertility",
        "perinatal": "perinatal mental health",
        "panic": "panic attacks",
        "phobias": "phobias",
        "self_harm": "self-harm",
    }
)

#: Therapeutic approach code -> label.
APPROACHES: Mapping[str, str] = MappingProxyType(
    {
        "cbt": "CBT",
        "dbt": "DBT",
        "emdr": "EMDR",
        "act": "ACT",
        "psychodynamic": "psychodynamic therapy",
        "family_systems": "family systems therapy",
        "gottman": "the Gottman method",
        "eft": "emotionally focused therapy",
        "mindfulness": "mindfulness-based therapy",
        "person_centered": "person-centred therapy",
        "solution_focused": "solution-focused therapy",
        "narrative": "narrative therapy",
        "ifs": "internal family systems",
        "motivational_interviewing": "motivational interviewing",
        "exposure": "exposure therapy",
        "somatic": "somatic therapy",
    }
)

#: ISO 639-1 language code -> English name, for the languages counselors offer.
LANGUAGES: Mapping[str, str] = MappingProxyType(
    {
        "am": "Amharic",
        "ar": "Arabic",
        "bn": "Bengali",
        "de": "German",
        "el": "Greek",
        "en": "English",
        "es": "Spanish",
        "fa": "Persian",
        "fr": "French",
        "gu": "Gujarati",
        "he": "Hebrew",
        "hi": "Hindi",
        "ht": "Haitian Creole",
        "hy": "Armenian",
        "it": "Italian",
        "ja": "Japanese",
        "km": "Khmer",
        "ko": "Korean",
        "nl": "Dutch",
        "pa": "Punjabi",
        "pl": "Polish",
        "pt": "Portuguese",
        "ro": "Romanian",
        "ru": "Russian",
        "so": "Somali",
        "sw": "Swahili",
        "ta": "Tamil",
        "th": "Thai",
        "tl": "Tagalog",
        "tr": "Turkish",
        "uk": "Ukrainian",
        "ur": "Urdu",
        "vi": "Vietnamese",
        "yi": "Yiddish",
        "yo": "Yoruba",
        "zh": "Chinese",
    }
)


#: Age group code -> label: who a counselor sees, which one the client is.
AGE_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        "child": "children (under 13)",
        "teen": "teens (13 to 17)",
        "adult": "adults (18 to 64)",
        "older_adult": "older adults (65 and over)",
    }
)

#: Gender code -> label, as counselors state their own gender (a counselor may state several,
#: e.g. a transgender woman: ``woman`` and ``transgender``).
GENDERS: Mapping[str, str] = MappingProxyType(
    {
        "woman": "a woman",
        "man": "a man",
        "nonbinary": "nonbinary",
        "transgender": "transgender",
    }
)

#: Identity and cultural attribute code -> label, as counselors state them: affirming care,
#: faith-integrated care with its tradition, cultural background, lived experience.
IDENTITIES: Mapping[str, str] = MappingProxyType(
    {
        "lgbtq_affirming": "LGBTQ+ affirming",
        "faith_christian": "faith-integrated (Christian)",
        "faith_jewish": "faith-integrated (Jewish)",
        "faith_muslim": "faith-integrated (Muslim)",
        "faith_hindu": "faith-integrated (Hindu)",
        "faith_buddhist": "faith-integrated (Buddhist)",
        "culture_black": "Black cultural background",
        "culture_latino": "Latino/Latina/Latinx cultural background",
        "culture_asian": "Asian cultural background",
        "culture_indigenous": "Indigenous cultural background",
        "culture_middle_eastern": "Middle Eastern or North African cultural background",
        "lived_immigration": "lived experience of immigration",
        "lived_military": "lived experience of military service",
        "lived_recovery": "lived experience of recovery",
        "lived_disability": "lived experience of disability",
    }
)


def label_for_concern(code: str) -> str:
    """Return the reason label of a concern code (the code itself if unknown)."""
    return CONCERNS.get(code, code)


def label_for_approach(code: str) -> str:
    """Return the reason label of an approach code (the code itself if unknown)."""
    return APPROACHES.get(code, code)


def label_for_language(code: str) -> str:
    """Return the English name of an ISO 639-1 code (the code itself if unknown)."""
    return LANGUAGES.get(code, code)
