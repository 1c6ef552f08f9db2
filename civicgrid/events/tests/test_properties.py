"""Random walks through the workflow by random people: the event never leaves the table, the
log always matches the status, and the rollups always equal a recount."""

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.core.errors import CivicgridError
from civicgrid.events import deadlines, rollups, services
from civicgrid.events.models import Event, Status
from civicgrid.events.tests.conftest import jpeg

pytestmark = pytest.mark.django_db


def _steps(tree):
    far = dt.timedelta(days=60)
    return {
        "accept": lambda a, e: services.accept_event(actor=a, event=e),
        "reject": lambda a, e: services.reject_event(actor=a, event=e, reason="无效"),
        "dispatch": lambda a, e: services.dispatch_event(
            actor=a, event=e, handler_unit=tree.grid_a1_1
        ),
        "whistle": lambda a, e: services.whistle_event(
            actor=a, event=e, kind="routine", departments=[tree.police_a]
        ),
        "report_in": lambda a, e: services.report_in(actor=a, event=e),
        "sign": lambda a, e: services.sign_event(actor=a, event=e),
        "return": lambda a, e: services.return_event(actor=a, event=e, reason="退回"),
        "transfer": lambda a, e: services.transfer_event(
            actor=a,
            event=e,
            unit=tree.grid_a1_2 if e.unit_id != tree.grid_a1_2.pk else tree.grid_a1_1,
            reason="转",
        ),
        "resolve": lambda a, e: services.resolve_event(
            actor=a, event=e, note="好", photos=[jpeg()]
        ),
        "verify": lambda a, e: services.verify_event(actor=a, event=e, passed=True),
        "fail": lambda a, e: services.verify_event(actor=a, event=e, passed=False, note="没好"),
        "close": lambda a, e: services.close_event(actor=a, event=e),
        "rate_good": lambda a, e: services.rate_event(
            actor=a, event=e, solved=True, satisfaction="basically_satisfied"
        ),
        "rate_bad": lambda a, e: services.rate_event(
            actor=a, event=e, solved=False, satisfaction="dissatisfied"
        ),
        "reopen": lambda a, e: services.reopen_event(actor=a, event=e, reason="重办"),
        "suspend": lambda a, e: services.suspend_event(actor=a, event=e, reason="挂起"),
        "resume": lambda a, e: services.resume_event(actor=a, event=e),
        "supervise": lambda a, e: services.supervise_event(actor=a, event=e, note="督办"),
        "escalate": lambda a, e: deadlines.escalate_event(event=e, now=e.reported_at + far),
    }


ACTIONS = sorted(_steps(None))
PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "mallory"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(walk=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(PEOPLE)), max_size=14))
def test_random_walks_keep_every_invariant(report, staff, tree, walk):
    steps = _steps(tree)
    event = report()
    for action, person in walk:
        with contextlib.suppress(CivicgridError):
            steps[action](staff[person], Event.objects.get(pk=event.pk))
        event.refresh_from_db()
        assert event.status in Status.values
        log = list(event.steps.order_by("id").values_list("action", "from_status", "to_status"))
        assert log[-1][2] == event.status
        assert event.version == len(log)
        for step, (logged, source, target) in enumerate(log[1:], start=1):
            transition = services.TRANSITIONS[logged]
            assert source == log[step - 1][2]
            assert source in transition.sources
            assert target == (transition.target or (source if logged != "resume" else target))
    assert rollups.check_all() == []
