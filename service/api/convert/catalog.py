"""Proto <-> domain conversion for counselors, intakes and rankings.

Incoming messages are decoded *and validated* here: enum values the domain cannot
represent (UNSPECIFIED, or numbers from a newer client) are reported with the proto
names that are allowed, then the domain validator runs, and every problem is raised
together as one :class:`InvalidInput` whose field paths name the request fields
(``intake.concerns[1].concern``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from google.protobuf import field_mask_pb2, timestamp_pb2

from attune.v1 import common_pb2, counselor_pb2, matching_pb2
from matcher.errors import FieldViolation, InvalidInput
from matcher.model import (
    Availability,
    ConcernPreference,
    CounselorProfile,
    Intake,
    Specialty,
    WeeklyWindow,
    validate_counselor,
    validate_intake,
)
from matcher.vocabulary import Proficiency
from service.api.convert.codes import (
    ProtoEnum,
    codes_from_counselor,
    codes_from_intake,
    codes_to_counselor,
    codes_to_intake,
)
from service.api.convert.preferences import preferences_from_proto, preferences_to_proto
from service.api.paging import DEFAULT_TOP_K, MAX_TOP_K, page_size

if TYPE_CHECKING:  # annotations only: keeps the CLI from importing storage and scipy
    from service.storage.counselors import CounselorRecord

__all__ = [
    "UPDATABLE_FIELDS",
    "availability_from_proto",
    "counselor_from_proto",
    "counselor_to_proto",
    "intake_from_proto",
    "intake_to_proto",
    "merge_counselor",
    "profile_to_proto",
    "rank_request_from_proto",
]

E = TypeVar("E", bound=Enum)

_PROFICIENCIES = ProtoEnum.of(common_pb2.Proficiency.DESCRIPTOR, Proficiency)
#: Counselor fields an update mask may name: every profile field but the id.
UPDATABLE_FIELDS = tuple(f.name for f in fields(CounselorProfile) if f.name != "id")


def availability_from_proto(
    msg: common_pb2.Availability, path: str, out: list[FieldViolation]
) -> Availability:
    """Decode an availability; day values outside Monday..Sunday are reported in ``out``."""
    windows = []
    for i, w in enumerate(msg.windows):
        if not common_pb2.DAY_OF_WEEK_MONDAY <= w.day <= common_pb2.DAY_OF_WEEK_SUNDAY:
            out.append(
                FieldViolation(
                    f"{path}.windows[{i}].day", "required; allowed: DAY_OF_WEEK_MONDAY .. DAY_OF_WEEK_SUNDAY"
                )
            )
            continue
        windows.append(WeeklyWindow(w.day - 1, w.start_minute, w.end_minute))
    return Availability(msg.time_zone, tuple(windows))


def _availability_to_proto(availability: Availability) -> common_pb2.Availability:
    return common_pb2.Availability(
        time_zone=availability.time_zone,
        windows=[
            common_pb2.WeeklyWindow(
                day=w.day + 1,  # type: ignore[arg-type]
                start_minute=w.start_minute,
                end_minute=w.end_minute,
            )
            for w in availability.windows
        ],
    )


def _validated(build: Callable[[], None], prefix: str, out: list[FieldViolation]) -> None:
    try:
        build()
    except InvalidInput as error:
        out.extend(error.prefixed(prefix).violations if prefix else error.violations)
    if out:
        raise InvalidInput(out)


def _profile_from_proto(
    msg: counselor_pb2.Counselor, path: str, out: list[FieldViolation]
) -> CounselorProfile:
    specialties = []
    for i, s in enumerate(msg.specialties):
        level = _PROFICIENCIES.decode(s.proficiency, f"{path}.specialties[{i}].proficiency", out)
        specialties.append(Specialty(s.concern, level or Proficiency.PRIMARY))
    return CounselorProfile(
        id=msg.id,
        display_name=msg.display_name,
        credentials=tuple(msg.credentials),
        specialties=tuple(specialties),
        availability=availability_from_proto(msg.availability, f"{path}.availability", out),
        accepting_new_clients=msg.accepting_new_clients,
        caseload_current=msg.caseload_current,
        caseload_max=msg.caseload_max,
        active=msg.active,
        **codes_from_counselor(msg, path, out),
    )


def counselor_from_proto(msg: counselor_pb2.Counselor, path: str = "counselor") -> CounselorProfile:
    """Decode and validate a counselor; raise :class:`InvalidInput` naming ``path``-prefixed fields."""
    out: list[FieldViolation] = []
    profile = _profile_from_proto(msg, path, out)
    _validated(lambda: validate_counselor(profile), path, out)
    return profile


def merge_counselor(
    existing: CounselorProfile,
    msg: counselor_pb2.Counselor,
    mask: field_mask_pb2.FieldMask,
    path: str = "counselor",
) -> CounselorProfile:
    """Apply the fields of ``msg`` named by ``mask`` (all updatable fields if empty) to ``existing``."""
    out: list[FieldViolation] = []
    paths = list(mask.paths) or list(UPDATABLE_FIELDS)
    unknown = [p for p in paths if p not in UPDATABLE_FIELDS]
    if unknown:
        out.append(
            FieldViolation(
                "update_mask",
                f"cannot update {', '.join(unknown)}; updatable fields: {', '.join(UPDATABLE_FIELDS)}",
            )
        )
    incoming = _profile_from_proto(msg, path, out)
    changes = {p: getattr(incoming, p) for p in paths if p in UPDATABLE_FIELDS}
    merged = CounselorProfile(**{**existing.__dict__, **changes})
    _validated(lambda: validate_counselor(merged), path, out)
    return merged


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def counselor_to_proto(record: CounselorRecord) -> counselor_pb2.Counselor:
    """Encode a stored counselor."""
    msg = profile_to_proto(record.profile)
    msg.create_time.CopyFrom(_timestamp(record.create_time))
    msg.update_time.CopyFrom(_timestamp(record.update_time))
    return msg


def profile_to_proto(p: CounselorProfile) -> counselor_pb2.Counselor:
    """Encode a profile (no timestamps: it may not be stored yet)."""
    return counselor_pb2.Counselor(
        id=p.id,
        display_name=p.display_name,
        credentials=list(p.credentials),
        specialties=[
            counselor_pb2.Specialty(
                concern=s.concern,
                proficiency=_PROFICIENCIES.encode(s.proficiency),  # type: ignore[arg-type]
            )
            for s in p.specialties
        ],
        availability=_availability_to_proto(p.availability),
        accepting_new_clients=p.accepting_new_clients,
        caseload_current=p.caseload_current,
        caseload_max=p.caseload_max,
        active=p.active,
        **codes_to_counselor(p),
    )


def intake_from_proto(msg: matching_pb2.Intake, path: str = "intake") -> Intake:
    """Decode and validate an intake; raise :class:`InvalidInput` naming ``path``-prefixed fields."""
    out: list[FieldViolation] = []
    has_availability = msg.HasField("availability") and (
        bool(msg.availability.windows) or bool(msg.availability.time_zone)
    )
    intake = Intake(
        client_id=msg.client_id,
        concerns=tuple(ConcernPreference(c.concern, c.priority or 1) for c in msg.concerns),
        availability=(
            availability_from_proto(msg.availability, f"{path}.availability", out)
            if has_availability
            else None
        ),
        preferences=preferences_from_proto(msg.preferences, path, out),
        **codes_from_intake(msg, path, out),
    )
    _validated(lambda: validate_intake(intake), path, out)
    return intake


def rank_request_from_proto(msg: matching_pb2.RankCounselorsRequest) -> tuple[Intake, int]:
    """The validated intake and the number of results (top k) a ranking request asks for.

    Every problem of the request (page size, missing intake, each intake field) is raised
    together as one :class:`InvalidInput`.
    """
    out: list[FieldViolation] = []
    top_k = intake = None
    try:
        top_k = page_size(msg.page_size, default=DEFAULT_TOP_K, maximum=MAX_TOP_K)
    except InvalidInput as error:
        out.extend(error.violations)
    if not msg.HasField("intake"):
        out.append(FieldViolation("intake", "required: the client's intake preferences"))
    else:
        try:
            intake = intake_from_proto(msg.intake)
        except InvalidInput as error:
            out.extend(error.violations)
    if out or top_k is None or intake is None:
        raise InvalidInput(out)
    return intake, top_k


def intake_to_proto(intake: Intake) -> matching_pb2.Intake:
    """Encode an intake (used by clients: the CLI and the simulator)."""
    msg = matching_pb2.Intake(
        client_id=intake.client_id,
        concerns=[
            matching_pb2.ConcernPreference(concern=c.concern, priority=c.priority) for c in intake.concerns
        ],
        preferences=preferences_to_proto(intake.preferences),
        **codes_to_intake(intake),
    )
    if intake.availability is not None:
        msg.availability.CopyFrom(_availability_to_proto(intake.availability))
    return msg
