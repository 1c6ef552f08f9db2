"""The community figures: needs recorded and met, projects done, partner activities and the
people they served, tasks created, claimed and done — per unit (the row's) and month (of the
moment each one counts), in `CommunityRollup`.

A row adds its contributions when it is made (`add`) and the difference when a step changes them
(`counters`, the hook of the need, task and project machines in `workflow.py`), in the same
transaction. `rebuild_rollups` recomputes the rows; `check_all` says where the kept rows differ
from a recount.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.utils import timezone

from civicgrid.community.models import (
    ROLLUP_COUNTERS,
    CommunityRollup,
    Need,
    NeedStatus,
    PartnerActivity,
    Project,
    ProjectStatus,
    Task,
    TaskStatus,
)
from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts

Key = tuple[int, str, dt.date]


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)


Moment = tuple[dt.datetime | dt.date | None, str, int]


def _counted(row: Any, *moments: Moment) -> Counter:
    """(unit id, unit code, month, counter) → value for each (moment, counter, value); a
    moment not recorded counts nowhere."""
    total: Counter = Counter()
    for moment, name, value in moments:
        if value and moment is not None:
            total[(row.unit_id, row.unit_code, month_of(moment), name)] += value
    return total


def need_contributions(need: Need) -> Counter:
    counted: list[Moment] = [(need.created_at, "needs", 1)]
    if need.status == NeedStatus.MET:
        counted.append((need.closed_at, "needs_met", 1))
    return _counted(need, *counted)


def project_contributions(project: Project) -> Counter:
    if project.status != ProjectStatus.DONE:
        return Counter()
    return _counted(project, (project.done_at, "projects_done", 1))


def task_contributions(task: Task) -> Counter:
    counted: list[Moment] = [(task.created_at, "tasks", 1)]
    # A claim counts when it is made, whatever becomes of the task.
    if task.claimed_at:
        counted.append((task.claimed_at, "tasks_claimed", 1))
    if task.status == TaskStatus.DONE:
        counted.append((task.done_at, "tasks_done", 1))
    return _counted(task, *counted)


def activity_contributions(activity: PartnerActivity) -> Counter:
    return _counted(
        activity,
        (activity.held_on, "activities", 1),
        (activity.held_on, "people_served", activity.people_served),
    )


CONTRIBUTIONS: dict[type[Model], Callable[[Any], Counter]] = {
    Need: need_contributions,
    Project: project_contributions,
    Task: task_contributions,
    PartnerActivity: activity_contributions,
}


def _by_row(total: Counter) -> dict[Key, dict[str, int]]:
    rows: dict[Key, dict[str, int]] = {}
    for (*key, name), value in total.items():
        if value:
            rows.setdefault(tuple(key), {})[name] = value
    return rows


def apply(before: Counter, after: Counter) -> None:
    """Add the change between two contributions to the rollup rows."""
    delta = Counter(after)
    delta.subtract(before)
    add_to_rollups(
        RollupDelta(CommunityRollup, {"unit_id": unit_id, "month": month}, unit_code, deltas)
        for (unit_id, unit_code, month), deltas in _by_row(delta).items()
    )


def add(row: Model) -> None:
    """Count a new need, project, task or partner activity."""
    apply(Counter(), CONTRIBUTIONS[type(row)](row))


def counters(row: Model) -> Callable[[Model], None]:
    """The machines' hook: called on the locked row before a step; the function it returns adds
    the step's difference once the row has changed."""
    contributions = CONTRIBUTIONS[type(row)]
    before = contributions(row)
    return lambda changed: apply(before, contributions(changed))


def recount() -> Counter:
    total: Counter = Counter()
    for model, contributions in CONTRIBUTIONS.items():
        for row in model._default_manager.iterator():
            total.update(contributions(row))
    return total


def rebuild_rollups() -> None:
    """Recount every rollup row from the needs, projects, activities and tasks."""
    CommunityRollup.objects.all().delete()
    apply(Counter(), recount())


def check_all() -> list[Drift]:
    """Every counter where the kept rows differ from a recount (empty when they agree)."""
    expected = {
        (unit_id, month): counters
        for (unit_id, _code, month), counters in _by_row(recount()).items()
    }
    stored = {
        (row["unit_id"], row["month"]): {name: row[name] for name in ROLLUP_COUNTERS}
        for row in CommunityRollup.objects.values("unit_id", "month", *ROLLUP_COUNTERS)
    }
    return drifts("CommunityRollup", stored, expected)
