"""The community's state machines — needs, tasks and projects: who may take which step from
which status.

Run by `core.workflow` (lock, table, role, log, rollups in one transaction); the services in
`services.py` say what each step changes. Anything not in these tables is refused.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.alliances.models import MemberUnit
from civicgrid.community import rollups
from civicgrid.community.models import (
    Need,
    NeedAction,
    NeedStatus,
    NeedStep,
    Project,
    ProjectAction,
    ProjectStatus,
    ProjectStep,
    Task,
    TaskAction,
    TaskStatus,
    TaskStep,
)
from civicgrid.core.workflow import Machine, register, step
from civicgrid.org.scoping import holds
from civicgrid.party.models import PartyMember
from civicgrid.party.roles import PARTY_ROLES

Extra = Mapping[str, Any]


def is_keeper(actor: Any, row: Need | Task | Project, extra: Extra) -> bool:
    """Staff who keep the community's lists at the row's unit or above it."""
    return holds(actor, row.unit_code, PARTY_ROLES)


def member_of(actor: Any) -> PartyMember | None:
    """The party member a login belongs to, if any."""
    return getattr(actor, "party_member", None) if actor is not None else None


def member_unit_of(actor: Any) -> MemberUnit | None:
    """The member unit a login belongs to, if any."""
    return getattr(actor, "member_unit", None) if actor is not None else None


def may_claim(actor: Any, task: Task, extra: Extra) -> bool:
    """Staff record anyone's claim (`extra`: the member or member unit claiming); a party
    member or a member unit claims for itself, and for nobody else."""
    if is_keeper(actor, task, extra):
        return True
    member, member_unit = extra.get("member"), extra.get("member_unit")
    own, own_unit = member_of(actor), member_unit_of(actor)
    if own is not None and member is not None and member_unit is None:
        return member.pk == own.pk
    if own_unit is not None and member_unit is not None and member is None:
        return member_unit.pk == own_unit.pk
    return False


def is_claimant_or_keeper(actor: Any, task: Task, extra: Extra) -> bool:
    own, own_unit = member_of(actor), member_unit_of(actor)
    mine = (own is not None and task.member_id == own.pk) or (
        own_unit is not None and task.member_unit_id == own_unit.pk
    )
    return mine or is_keeper(actor, task, extra)


# ---- needs ---------------------------------------------------------------------------------------

N = NeedStatus
NA = NeedAction

NEED_TRANSITIONS = {
    NA.MATCH: step([N.OPEN], N.MATCHED, is_keeper),
    NA.START: step([N.MATCHED], N.IN_PROGRESS, is_keeper),
    NA.MEET: step([N.MATCHED, N.IN_PROGRESS], N.MET, is_keeper),
    NA.NOT_FEASIBLE: step([N.OPEN, N.MATCHED], N.NOT_FEASIBLE, is_keeper),
}

NEEDS: Machine[Need] = register(
    Machine(
        model=Need,
        log=NeedStep,
        subject="need",
        transitions=NEED_TRANSITIONS,
        statuses=NeedStatus,
        actions=NeedAction,
        counters=rollups.counters,
        creations=(NA.RECORD,),
    )
)

# ---- tasks ---------------------------------------------------------------------------------------

T = TaskStatus
TA = TaskAction

TASK_TRANSITIONS = {
    TA.CLAIM: step([T.OPEN], T.CLAIMED, may_claim),
    TA.REPORT: step([T.CLAIMED], T.DONE, is_claimant_or_keeper),
    TA.CLOSE: step([T.OPEN, T.CLAIMED], T.CLOSED, is_keeper),
}


def explain_task(task: Task, action: str) -> str | None:
    # First come: the second claimant learns who was quicker (read after the task's lock).
    if action == TA.CLAIM and task.status == T.CLAIMED:
        return _("%(who)s has already claimed this task.") % {"who": task.claimant}
    return None


TASKS: Machine[Task] = register(
    Machine(
        model=Task,
        log=TaskStep,
        subject="task",
        transitions=TASK_TRANSITIONS,
        statuses=TaskStatus,
        actions=TaskAction,
        counters=rollups.counters,
        explain=explain_task,
        creations=(TA.CREATE,),
    )
)

# ---- projects ------------------------------------------------------------------------------------

P = ProjectStatus
PA = ProjectAction

# No service sets a project running or drops it: those statuses are reached by no step.
PROJECT_TRANSITIONS = {
    PA.FINISH: step([P.PLANNED, P.RUNNING], P.DONE, is_keeper),
}


def explain_project(project: Project, action: str) -> str | None:
    if action == PA.FINISH and project.status in {P.DONE, P.DROPPED}:
        return _("This project is already %(status)s.") % {"status": project.get_status_display()}
    return None


PROJECTS: Machine[Project] = register(
    Machine(
        model=Project,
        log=ProjectStep,
        subject="project",
        transitions=PROJECT_TRANSITIONS,
        statuses=ProjectStatus,
        actions=ProjectAction,
        counters=rollups.counters,
        explain=explain_project,
        creations=(PA.PLAN,),
    )
)
