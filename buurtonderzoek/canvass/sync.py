"""The field app's sync: visits queued on a phone arrive exactly once, and one bad visit sinks nothing.

Flow of `sync_visits(user, items)`: the phone sends up to `MAX_BATCH` visits, each carrying the UUID
it generated when the visit was saved on the phone. Everything the batch needs is looked up in bulk
first (stored visits with those UUIDs when the batch has several, the route stops with the user's rights
on them, questionnaire versions), then each visit is handled on its own:

1. its shape is checked (`VisitIn`); a malformed visit is rejected with Dutch messages per field;
2. a UUID this user already stored answers `duplicate` (the phone lost the first answer and sent
   again), so the phone can drop it; a UUID stored by someone else is rejected (409). A single visit
   is not looked up first: the unique constraint finds a stored UUID at the insert, and a refused
   visit is looked up before it is answered;
3. access: a route the user may not see answers 404, one they may see but not walk answers 403
   (only the route's walkers and the team's coordinators write); a visit saved on the phone by
   another account answers 403 and waits for that account;
4. `actions.record_visit`, the one write path, stores it in its own transaction, told what the batch
   lookups already established (the stop, team membership) so it does not ask again; a ValidationError
   (closed canvass, answers the questionnaire engine refuses, a time in the future) becomes a
   `rejected` result with the messages per field, and the phone keeps the visit for correction.

Two volunteers recording the same door both keep their visit: the UUIDs differ, so nothing is
merged. `conflicts_for(canvass)` lists such doors for the coordinator (`canvass/field/_conflicts.html`
shows them), who chooses the visit that counts (`actions.choose_counting_visit`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE, KnownForVisit, record_visit
from buurtonderzoek.canvass.models import Canvass, DoorVisit, Outcome, ReviewStatus, Route, RouteStop
from buurtonderzoek.canvass.sync_lookup import stops_with_rights
from buurtonderzoek.core.api import INVALID_INPUT, TITLES
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

# 200 visits is more than a pair walks in an evening; the phone sends its whole queue in one go.
MAX_BATCH = 200
# Two volunteers recording one door within this window most likely rang the same bell together.
CONFLICT_WINDOW = timedelta(minutes=60)

Status = Literal["accepted", "duplicate", "rejected"]


class VisitIn(serializers.Serializer[dict[str, Any]]):
    """One visit as the phone queued it."""

    client_uuid = serializers.UUIDField()
    canvass = serializers.IntegerField(min_value=1)
    address = serializers.IntegerField(min_value=1)
    stop = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, error_messages={"invalid_choice": gettext_lazy("Kies een geldige uitkomst.")}
    )
    visited_at = serializers.DateTimeField()
    answers = serializers.DictField(required=False, default=dict)
    questionnaire_version = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    # The account that was logged in on the phone when the visit was saved.
    recorded_by = serializers.IntegerField(required=False, allow_null=True)


@dataclass
class VisitResult:
    client_uuid: str
    status: Status
    visit_id: int | None = None
    problem: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"client_uuid": self.client_uuid, "status": self.status}
        if self.visit_id is not None:
            data["visit"] = self.visit_id
        if self.problem is not None:
            data["problem"] = self.problem
        return data


@dataclass
class SyncResult:
    results: list[VisitResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.count("accepted"),
            "duplicate": self.count("duplicate"),
            "rejected": self.count("rejected"),
            "results": [r.as_dict() for r in self.results],
        }


def problem(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """An RFC 9457 problem document, shaped like the API's other errors (core.api)."""
    data: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "title": str(TITLES.get(status, "")),
        "detail": detail,
    }
    if errors:
        data["errors"] = errors
    return data


def _validation_problem(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if key == "__all__" else key): list(msgs) for key, msgs in exc.message_dict.items()
        }
        return problem(400, str(INVALID_INPUT), errors)
    return problem(400, " ".join(exc.messages), {"non_field_errors": list(exc.messages)})


@dataclass
class _Lookups:
    """What the whole batch needs, fetched in a handful of queries."""

    # uuid -> (visit id, canvass id, volunteer id); looked up for a batch of several visits only (see below).
    existing: dict[uuid.UUID, tuple[int, int, int | None]] | None
    stops: dict[tuple[int, int], RouteStop]  # (canvass id, address id) -> stop
    walked_routes: set[int]
    member_teams: set[int]  # teams the user is a volunteer or coordinator of
    coordinated_teams: set[int]
    versions: dict[int, QuestionnaireVersion]
    # Routes the user may see but not write; only asked for when a visit is not writable (see below).
    visible_routes: Callable[[], set[int]]
    canvasses: dict[int, Canvass] = field(default_factory=dict)

    def stored(self, client_uuid: uuid.UUID) -> tuple[int, int, int | None] | None:
        """The visit already stored under this UUID, if any (a query when the batch lookup did not run)."""
        if self.existing is not None:
            return self.existing.get(client_uuid)
        return _stored_visits([client_uuid]).get(client_uuid)

    def canvass(self, stop: RouteStop) -> Canvass:
        # One instance per canvass for the whole batch: record_visit moves the incident to
        # "running" on the first visit, and the next visit must see that, not a stale copy.
        return self.canvasses.setdefault(stop.canvass_id, stop.canvass)

    def writable(self, stop: RouteStop) -> bool:
        """Whether the user may record visits on this stop's route: its walkers (while they are in the
        team) and the team's coordinators. Whoever may write may also see the route
        (Route.objects.visible_to), so the costlier visibility query is only needed for the rest."""
        team_id = stop.canvass.incident.team_id
        return team_id in self.coordinated_teams or (
            stop.route_id in self.walked_routes and team_id in self.member_teams
        )


def _stored_visits(uuids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int, int | None]]:
    rows = DoorVisit.objects.filter(client_uuid__in=uuids).order_by()
    return {
        row[0]: (row[1], row[2], row[3]) for row in rows.values_list("client_uuid", "pk", "canvass_id", "volunteer_id")
    }


def _lookups(user: Any, valid: Sequence[dict[str, Any]]) -> _Lookups:
    # A phone that is online sends each visit as it is saved: one visit per POST, a stored UUID there a rare
    # retry, which the unique constraint finds at the insert (record_visit), so the common case saves a round
    # trip. A phone that was offline sends its queue in one go, and a queue sent again is all retries: there
    # one lookup answers them all without trying an insert for each.
    existing = _stored_visits([v["client_uuid"] for v in valid]) if len(valid) > 1 else None
    pairs = {(v["canvass"], v["address"]) for v in valid}
    stops: dict[tuple[int, int], RouteStop] = {}
    walked: set[int] = set()
    member: set[int] = set()
    coordinated: set[int] = set()
    if pairs:
        # One statement for the stops and whether the user may write on them (sync_lookup.py says why it
        # is not built by the ORM): every round trip counts when many phones sync at once.
        for found in stops_with_rights(user.pk, {c for c, _a in pairs}, {a for _c, a in pairs}):
            stop = found.stop
            if (stop.canvass_id, stop.address_id) not in pairs:
                continue
            stops[(stop.canvass_id, stop.address_id)] = stop
            team_id = stop.canvass.incident.team_id
            if found.walks:
                walked.add(stop.route_id)
            if found.member or user.is_superuser:
                member.add(team_id)
            if found.coordinates or user.is_superuser:
                coordinated.add(team_id)
    route_ids = {s.route_id for s in stops.values()}

    def visible() -> set[int]:
        return set(Route.objects.visible_to(user).filter(pk__in=route_ids).values_list("pk", flat=True))

    version_ids = {v["questionnaire_version"] for v in valid if v.get("questionnaire_version")}
    versions: dict[int, QuestionnaireVersion] = {}
    if version_ids:
        versions = {
            # Not the schema: the parse of a published version is kept per process (QuestionnaireVersion.parsed),
            # so decoding its JSON on every sync would be wasted.
            q.pk: q
            for q in QuestionnaireVersion.objects.filter(pk__in=version_ids)
            .select_related("questionnaire")
            .defer("schema")
            .order_by()
        }
    return _Lookups(existing, stops, walked, member, coordinated, versions, _once(visible))


def _once(compute: Callable[[], set[int]]) -> Callable[[], set[int]]:
    found: list[set[int]] = []

    def get() -> set[int]:
        if not found:
            found.append(compute())
        return found[0]

    return get


def _client_uuid_of(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("client_uuid", ""))[:64]
    return ""


def sync_visits(user: Any, items: Sequence[Any]) -> SyncResult:
    """Store a batch of queued visits; one result per visit, in the order they came."""
    parsed: list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    for item in items:
        serializer = VisitIn(data=item)
        if serializer.is_valid():
            parsed.append((item, dict(serializer.validated_data), None))
        else:
            errors = {key: [str(m) for m in msgs] for key, msgs in serializer.errors.items()}
            parsed.append((item, None, problem(400, str(INVALID_INPUT), errors)))
    lookups = _lookups(user, [data for _i, data, _p in parsed if data is not None])
    result = SyncResult()
    for item, data, bad in parsed:
        if data is None:
            result.results.append(VisitResult(_client_uuid_of(item), "rejected", problem=bad))
        else:
            result.results.append(_sync_one(user, data, lookups))
    return result


def _sync_one(user: Any, data: dict[str, Any], lookups: _Lookups) -> VisitResult:
    """A UUID already stored answers as a retry whatever else is wrong with the visit now (the route was
    taken away, the canvass closed): the phone must be able to drop what the server has."""
    if lookups.existing is not None and (seen := _as_stored(user, data, lookups.existing.get(data["client_uuid"]))):
        return seen
    result = _new_visit(user, data, lookups)
    if result.status == "rejected" and (seen := _as_stored(user, data, lookups.stored(data["client_uuid"]))):
        return seen
    return result


def _as_stored(user: Any, data: dict[str, Any], stored: tuple[int, int, int | None] | None) -> VisitResult | None:
    if stored is None:
        return None
    key = str(data["client_uuid"])
    visit_id, canvass_id, volunteer_id = stored
    if volunteer_id == user.pk and canvass_id == data["canvass"]:
        return VisitResult(key, "duplicate", visit_id=visit_id)
    return VisitResult(key, "rejected", problem=problem(409, _("Deze client-id hoort bij een ander bezoek.")))


def _new_visit(user: Any, data: dict[str, Any], lookups: _Lookups) -> VisitResult:
    key = str(data["client_uuid"])
    stop = lookups.stops.get((data["canvass"], data["address"]))
    writable = stop is not None and lookups.writable(stop)
    if stop is None or not (writable or stop.route_id in lookups.visible_routes()):
        return VisitResult(
            key,
            "rejected",
            problem=problem(404, _("Dit adres staat niet op een route die u mag zien. Vraag het de coördinator.")),
        )
    if not writable:
        return VisitResult(
            key,
            "rejected",
            problem=problem(
                403, _("Alleen de lopers van deze route en de coördinatoren van het team leggen hier bezoeken vast.")
            ),
        )
    recorded_by = data.get("recorded_by")
    if recorded_by is not None and recorded_by != user.pk:
        return VisitResult(
            key,
            "rejected",
            problem=problem(
                403,
                _(
                    "Dit bezoek is op deze telefoon vastgelegd door een ander account. "
                    "Log in met dat account om het te versturen."
                ),
            ),
        )

    version = None
    version_id = data.get("questionnaire_version")
    if version_id and data["outcome"] == Outcome.GESPROKEN:
        version = lookups.versions.get(version_id)
        if version is None or version.questionnaire.slug != CANVASS_QUESTIONNAIRE:
            return VisitResult(
                key,
                "rejected",
                problem=problem(
                    400,
                    str(INVALID_INPUT),
                    {"questionnaire_version": [_("Deze versie van de vragenlijst is onbekend.")]},
                ),
            )
    try:
        visit, created = record_visit(
            lookups.canvass(stop),
            by=user,
            client_uuid=data["client_uuid"],
            address_id=data["address"],
            outcome=data["outcome"],
            visited_at=data["visited_at"],
            answers=data.get("answers") or {},
            questionnaire_version=version,
            known=KnownForVisit(stop=stop, team_member=stop.canvass.incident.team_id in lookups.member_teams),
        )
    except ValidationError as exc:
        return VisitResult(key, "rejected", problem=_validation_problem(exc))
    return VisitResult(key, "accepted" if created else "duplicate", visit_id=visit.pk)


# Conflicts ----------------------------------------------------------------------------------


@dataclass
class Conflict:
    """One door that two or more volunteers recorded; the coordinator decides which visit counts."""

    address_id: int
    address_label: str
    route_number: int | None
    visits: list[DoorVisit]
    reasons: list[str]

    @property
    def volunteers(self) -> list[str]:
        return list(dict.fromkeys(str(v.volunteer or _("onbekende loper")) for v in self.visits))

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address_id,
            "label": self.address_label,
            "route": self.route_number,
            "reasons": self.reasons,
            "visits": [
                {
                    "id": v.pk,
                    "volunteer": str(v.volunteer or ""),
                    "outcome": v.outcome,
                    "outcome_label": v.get_outcome_display(),
                    "visited_at": v.visited_at.isoformat(),
                    "review_status": v.review_status,
                }
                for v in self.visits
            ],
        }


def conflicts_for(canvass: Canvass) -> list[Conflict]:
    """Doors recorded by different volunteers close together in time, or spoken to twice (one query).

    A not-home at seven and a talk at nine by someone else is an ordinary second round, not a conflict.
    """
    visits = (
        # A visit the coordinator set aside (rejected, e.g. by choosing the other one) no longer competes.
        DoorVisit.objects.filter(canvass=canvass)
        .exclude(review_status=ReviewStatus.REJECTED)
        .select_related("volunteer", "address", "stop__route")
        .order_by("address_id", "visited_at", "id")
    )
    per_address: dict[int, list[DoorVisit]] = defaultdict(list)
    for visit in visits:
        per_address[visit.address_id].append(visit)
    conflicts: list[Conflict] = []
    for address_id, door in per_address.items():
        reasons = _conflict_reasons(door)
        if reasons:
            first = door[0]
            route = first.stop.route.number if first.stop is not None else None
            label = f"{first.address.street} {first.address.house_number_label}"
            conflicts.append(Conflict(address_id, label, route, door, reasons))
    conflicts.sort(key=lambda c: (c.route_number or 0, c.visits[0].stop.order if c.visits[0].stop else 0))
    return conflicts


def _conflict_reasons(door: Sequence[DoorVisit]) -> list[str]:
    if len({v.volunteer_id for v in door}) < 2:
        return []
    reasons: list[str] = []
    spoken_by = {v.volunteer_id for v in door if v.outcome == Outcome.GESPROKEN}
    if len(spoken_by) >= 2:
        reasons.append(_("Twee lopers hebben hier allebei een gesprek vastgelegd."))
    close = any(
        a.volunteer_id != b.volunteer_id and abs(a.visited_at - b.visited_at) <= CONFLICT_WINDOW
        for i, a in enumerate(door)
        for b in door[i + 1 :]
    )
    if close:
        outcomes = {v.outcome for v in door}
        if len(outcomes) > 1:
            reasons.append(_("Twee lopers legden hier binnen een uur een verschillende uitkomst vast."))
        elif not reasons:
            reasons.append(_("Twee lopers legden hier binnen een uur hetzelfde bezoek vast."))
    return reasons
