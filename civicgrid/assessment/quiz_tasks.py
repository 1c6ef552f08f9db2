"""Periodic work for the knowledge test: papers whose time ran out are closed and marked.

huey discovers `tasks` modules only: `civicgrid/assessment/tasks.py` (or the app's `ready()`)
imports this module so that the consumer schedules it."""

from huey import crontab

from civicgrid.assessment import quiz
from civicgrid.core import jobs


@jobs.periodic(crontab(minute="*"))
def expire_quiz_papers() -> int:
    return quiz.expire_due()
