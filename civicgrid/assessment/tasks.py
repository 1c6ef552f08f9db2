"""Periodic work of the assessment: knowledge-test papers whose time ran out are closed and
marked on the answers saved by then."""

from huey import crontab

from civicgrid.assessment import quiz
from civicgrid.core import jobs


@jobs.periodic(crontab(minute="*"))
def expire_quiz_papers() -> int:
    return quiz.expire_due()
