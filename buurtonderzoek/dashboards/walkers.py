"""Door visits per team, walker and day (models.WalkerDay): the roll-up behind the team-health page.

Team health counts each walker's door visits in periods that end now (the last 30 and 90 days and the
periods before them). Counting half a year of visits on every view grows with the data, so the
background job that keeps the grip figures (tasks.refresh_grip_figures) folds the visits into one row
per team, walker and local day, and `visits_per_walker` adds those rows up. The answer stays the one a
direct count gives:

- the days on which a period starts or ends are counted from the visits themselves, to the second;
- visits recorded after the last refresh (an id above AreaRefresh.visits_through_id) are counted live,
  so a visit sent in from a phone shows at once, also when it was made days ago;
- a gemeente that was never refreshed is counted live entirely.

What the roll-up can miss until the next full recount (every FULL_RECOUNT_HOURS): door visits deleted
with their incident, and a visit whose insert committed after a refresh that had already seen a higher
id. A deleted user's rows go with them (cascade), as their visits lose their walker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, F, Lookup, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.dashboards.models import AreaRefresh, WalkerDay
from buurtonderzoek.places.models import Gemeente

# Under a day, so the nightly scheduled run (scheduling/jobs.py, grip-cijfers) always finds the last full
# recount due, even when yesterday's ran a few minutes later.
FULL_RECOUNT_HOURS = 20
TEAM = "canvass__incident__team_id"


class _AnyOf(Lookup):  # type: ignore[type-arg]
    """`column IN (ids)` for a long list of integer ids, without Django preparing each element.

    Django's `__in` resolves and converts every element on its own (about 10 microseconds each: half a
    second for the 50,000 canvasses five years of a large gemeente hold). PostgreSQL gets the ids as
    one array parameter and plans `= ANY(array)` exactly as an IN list (by the same index); SQLite gets
    the plain IN list (as JSON, `json_each`, it took twice as long: it could no longer use the ranges of
    the (canvass, visited_at) index).
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, ids]
        if not ids:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*params, *ids]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def visits_per_walker(teams: Sequence[Team], edges: Sequence[datetime]) -> dict[int, dict[int, list[int]]]:
    """Door visits per team and walker in each period [edges[i], edges[i + 1]) (edges ascending).

    Returns {team id: {walker id: [visits in period 0, period 1, ...]}}; four queries.
    """
    periods = len(edges) - 1
    result: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * periods))
    if not teams or periods < 1:
        return result
    through = dict(
        AreaRefresh.objects.filter(
            gemeente__in={t.gemeente_id for t in teams}, visits_through_id__isnull=False
        ).values_list("gemeente_id", "visits_through_id")
    )
    rolled: dict[int, list[int]] = defaultdict(list)  # gemeente id -> its teams' ids
    for team in teams:
        if team.gemeente_id in through:
            rolled[team.gemeente_id].append(team.pk)
    days = [timezone.localtime(edge).date() for edge in edges]

    # Whole days strictly between two edge days lie wholly inside one period: read from the roll-up.
    rolled_ids = [pk for ids in rolled.values() for pk in ids]
    if rolled_ids:
        sums = {f"p{i}": Sum("visits", filter=Q(day__gt=days[i], day__lt=days[i + 1])) for i in range(periods)}
        for row in (
            WalkerDay.objects.filter(team__in=rolled_ids, day__gt=days[0], day__lt=days[-1])
            .values("team_id", "volunteer_id")
            .annotate(**sums)
            .order_by()
        ):
            result[row["team_id"]][row["volunteer_id"]] = [row[f"p{i}"] or 0 for i in range(periods)]

    # Counted from the visits: the edge days of rolled-up teams, their visits since the refresh, and
    # everything of teams whose gemeente has no roll-up yet. Each part is a range on the (canvass,
    # visited_at) index for the teams' own canvasses: filtering on the team through a join instead made
    # PostgreSQL fetch every visit in the country on the edge days (32,000 rows at national scale) and
    # drop all but the few hundred of these teams.
    start, end = edges[0], edges[-1]
    team_of = dict(Canvass.objects.filter(incident__team__in=[t.pk for t in teams]).values_list("id", "incident__team"))
    canvasses: dict[int | None, list[int]] = defaultdict(list)  # gemeente id (None: counted live) -> canvasses
    gemeente_of = {t.pk: t.gemeente_id for t in teams}
    for canvass_id, team_id in team_of.items():
        canvasses[gemeente_of[team_id] if gemeente_of[team_id] in through else None].append(canvass_id)
    live = Q()
    for rolled_up, ids in canvasses.items():
        if rolled_up is None:
            live |= Q(_AnyOf(F("canvass_id"), ids), visited_at__gte=start, visited_at__lt=end)
            continue
        moments = Q(id__gt=through[rolled_up], visited_at__gte=start, visited_at__lt=end)
        for day in sorted(set(days)):
            moments |= Q(
                visited_at__gte=max(_midnight(day), start),
                visited_at__lt=min(_midnight(day + timedelta(days=1)), end),
            )
        live |= Q(_AnyOf(F("canvass_id"), ids)) & moments
    if not live:
        return result
    for row in (
        DoorVisit.objects.filter(live, volunteer__isnull=False)
        .values("canvass_id", "volunteer_id")
        .annotate(
            **{
                f"p{i}": Count("id", filter=Q(visited_at__gte=edges[i], visited_at__lt=edges[i + 1]))
                for i in range(periods)
            }
        )
        .order_by()
    ):
        counts = result[team_of[row["canvass_id"]]][row["volunteer_id"]]
        for i in range(periods):
            counts[i] += row[f"p{i}"]
    return result


def refresh_walker_days(gemeente: Gemeente, *, full: bool | None = None) -> int:
    """Bring the gemeente's WalkerDay rows up to date; returns the rows written.

    Incremental: only the (team, day) cells that received a visit since the last refresh are recounted,
    each from all its visits, so a rerun is harmless. A full recount when asked for or when the last one
    is older than FULL_RECOUNT_HOURS. The gemeente's AreaRefresh row is locked for the duration, so
    several workers can run this at once without counting twice.
    """
    AreaRefresh.objects.get_or_create(gemeente=gemeente)
    with transaction.atomic():
        state = AreaRefresh.objects.select_for_update().get(gemeente=gemeente)
        now = timezone.now()
        if full is None:
            full = (
                state.visits_through_id is None
                or state.visits_recounted_at is None
                or state.visits_recounted_at < now - timedelta(hours=FULL_RECOUNT_HOURS)
            )
        top = DoorVisit.objects.aggregate(top=Max("id"))["top"] or 0
        visits = DoorVisit.objects.filter(
            canvass__incident__team__gemeente=gemeente, volunteer__isnull=False, id__lte=top
        )
        if full:
            WalkerDay.objects.filter(team__gemeente=gemeente).delete()
            written = _insert_counted(visits)
        else:
            changed = set(
                visits.filter(id__gt=state.visits_through_id or 0)
                .annotate(day=TruncDate("visited_at", tzinfo=timezone.get_current_timezone()))
                .values_list(TEAM, "day")
                .order_by()
                .distinct()
            )
            rows = []
            if changed:
                first, last = min(d for _t, d in changed), max(d for _t, d in changed)
                recount = visits.filter(
                    **{f"{TEAM}__in": {t for t, _d in changed}},
                    visited_at__gte=_midnight(first),
                    visited_at__lt=_midnight(last + timedelta(days=1)),
                )
                rows = [r for r in _counted(recount) if (r.team_id, r.day) in changed]
                days_of: dict[int, set[date]] = defaultdict(set)
                for team_id, day in changed:
                    days_of[team_id].add(day)
                stale = Q()
                for team_id, team_days in days_of.items():
                    stale |= Q(team_id=team_id, day__in=team_days)
                WalkerDay.objects.filter(stale).delete()  # these teams are the gemeente's: no join needed
            WalkerDay.objects.bulk_create(rows, batch_size=5000)
            written = len(rows)
        AreaRefresh.objects.filter(pk=state.pk).update(
            visits_through_id=top, **({"visits_recounted_at": now} if full else {})
        )
    return written


def _per_day(visits: QuerySet[DoorVisit]) -> QuerySet[DoorVisit, dict[str, Any]]:
    """Visits counted per team, walker and local day; selects exactly those four columns, in that order."""
    return (
        visits.annotate(day=TruncDate("visited_at", tzinfo=timezone.get_current_timezone()))
        .values(TEAM, "volunteer_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )


def _counted(visits: QuerySet[DoorVisit]) -> list[WalkerDay]:
    return [
        WalkerDay(team_id=row[TEAM], volunteer_id=row["volunteer_id"], day=row["day"], visits=row["n"])
        for row in _per_day(visits)
    ]


def _insert_counted(visits: QuerySet[DoorVisit]) -> int:
    """The full recount inside the database (INSERT ... SELECT): hundreds of thousands of rows never
    travel to Python and back. The SELECT is Django's own, so its parameters stay parameters."""
    select, params = _per_day(visits).query.sql_with_params()
    table = connection.ops.quote_name(WalkerDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (team_id, volunteer_id, day, visits) {select}", params)
        return int(max(cursor.rowcount, 0))
