"""The assessment's state machines: the plan, each worker's test paper, and each appeal.

Run by `core.workflow` (lock, version, table, actor, log in one transaction); the services say
what each step changes. Anything not in these tables is refused.

- A plan is set up (draft), run (draws, inspections, spot checks, the test), scored and
  announced (appeals open), then published and locked. Only assessors (street or district staff
  of the plan's unit or above) move it.
- A paper is issued to a worker, started and handed in by that worker alone, or closed by the
  clock: one attempt.
- An appeal is filed by the worker it concerns and answered by an assessor, never by the worker.
"""

from collections.abc import Mapping
from typing import Any

from civicgrid.assessment.models import (
    Appeal,
    AppealAction,
    AppealStatus,
    AppealStep,
    Paper,
    PaperAction,
    PaperStatus,
    PaperStep,
    Plan,
    PlanAction,
    PlanStatus,
    PlanStep,
)
from civicgrid.assessment.roles import ASSESSOR_ROLES
from civicgrid.core.workflow import Machine, register, step, system
from civicgrid.org.scoping import holds

Extra = Mapping[str, Any]


def is_assessor(actor: Any, plan: Plan, extra: Extra) -> bool:
    """Street or district staff of the plan's unit or above it."""
    return holds(actor, plan.unit_code, ASSESSOR_ROLES)


def is_paper_worker(actor: Any, paper: Paper, extra: Extra) -> bool:
    return actor is not None and paper.plan_worker.worker_id == actor.pk


def is_appellant(actor: Any, appeal: Appeal, extra: Extra) -> bool:
    return actor is not None and appeal.plan_worker.worker_id == actor.pk


def answers_appeal(actor: Any, appeal: Appeal, extra: Extra) -> bool:
    """An assessor of the plan who is not the appellant."""
    return not is_appellant(actor, appeal, extra) and is_assessor(
        actor, appeal.plan_worker.plan, extra
    )


P = PlanStatus
PLANS: Machine[Plan] = register(
    Machine(
        model=Plan,
        log=PlanStep,
        subject="plan",
        statuses=PlanStatus,
        actions=PlanAction,
        version_field="version",
        creations=(PlanAction.CREATE,),
        transitions={
            PlanAction.OPEN: step([P.DRAFT], P.RUNNING, is_assessor),
            PlanAction.SCORE: step([P.RUNNING], P.SCORING, is_assessor),
            PlanAction.RESCORE: step([P.SCORING], P.SCORING, is_assessor),
            PlanAction.PUBLISH: step([P.SCORING], P.PUBLISHED, is_assessor),
        },
    )
)

Q = PaperStatus
PAPERS: Machine[Paper] = register(
    Machine(
        model=Paper,
        log=PaperStep,
        subject="paper",
        statuses=PaperStatus,
        actions=PaperAction,
        version_field="version",
        related=("plan_worker", "plan_worker__plan", "quiz"),
        creations=(PaperAction.ISSUE,),
        transitions={
            PaperAction.START: step([Q.ISSUED], Q.STARTED, is_paper_worker),
            PaperAction.SUBMIT: step([Q.STARTED], Q.SUBMITTED, is_paper_worker),
            # The clock: a started paper past its time, or one never started when the quiz
            # closes.
            PaperAction.EXPIRE: step([Q.ISSUED, Q.STARTED], Q.EXPIRED, system),
        },
    )
)

A = AppealStatus
APPEALS: Machine[Appeal] = register(
    Machine(
        model=Appeal,
        log=AppealStep,
        subject="appeal",
        statuses=AppealStatus,
        actions=AppealAction,
        version_field="version",
        related=("plan_worker", "plan_worker__plan"),
        creations=(AppealAction.FILE,),
        transitions={
            AppealAction.UPHOLD: step([A.FILED], A.UPHELD, answers_appeal),
            AppealAction.DISMISS: step([A.FILED], A.DISMISSED, answers_appeal),
        },
    )
)
