"""Periodic jobs. Each only calls a service; the services do the work in their transactions."""

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.core import jobs
from civicgrid.routing import services


@jobs.periodic(crontab(minute="30", hour="3"))
def retrain_routing_models() -> int:
    """Nightly: retrain the deployment's category and department models where enough events
    have closed since they learned; a new version is activated only if it beats the active
    one on the most recent events."""
    return len(services.train_due())


@db_task()
def retrain_now(target: str, user_id: int | None = None) -> bool:
    """District staff asked for a new version of a deployment model now (the model's page)."""
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.train_deployment(target, force=True, actor=actor) is not None
