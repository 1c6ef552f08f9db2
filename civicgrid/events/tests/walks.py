"""The event machine for the shared workflow property test (civicgrid/tests/test_workflows.py)."""

import datetime as dt
import itertools

from civicgrid.events import deadlines, rollups, services
from civicgrid.events.models import Category
from civicgrid.events.tests.conftest import A1_1, jpeg
from civicgrid.org.roles import Role
from civicgrid.tests.walking import Walk


def walk_events(request) -> Walk:
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    make_user = request.getfixturevalue("make_user")
    staff = people | {
        "frank": make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "grace": make_user("grace", unit=tree.community_b1, role=Role.COMMUNITY_STAFF),
    }
    category = Category.objects.get(code="2101")  # after-photo required, fire brigade
    far = dt.timedelta(days=60)

    starts = itertools.count()

    def start():
        # Every third walk starts with an event handled on the spot (即报即办), closed at once
        # or drawn for the community's spot check.
        turn = next(starts)
        if turn % 3:
            return services.report_event(
                actor=staff["alice"],
                title="消防通道被堵",
                category=category,
                lon=A1_1[0],
                lat=A1_1[1],
            )
        return services.report_event(
            actor=staff["alice"],
            title="消防通道已疏通",
            category=category,
            lon=A1_1[0],
            lat=A1_1[1],
            photos=[jpeg()],
            after_photos=[jpeg()],
            resolution="当场疏通",
            on_the_spot=True,
            spot_check=turn % 2 == 0,
        )

    steps = {
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
            actor=a, event=e, channel="follow_up_call", solved=True, satisfaction="satisfied"
        ),
        "rate_bad": lambda a, e: services.rate_event(
            actor=a, event=e, channel="follow_up_call", solved=False, satisfaction="dissatisfied"
        ),
        # Staff who do not say it was a follow-up call are always refused.
        "rate_as_resident": lambda a, e: services.rate_event(
            actor=a, event=e, solved=True, satisfaction="satisfied"
        ),
        "rate_link": lambda a, e: services.rate_event(
            actor=None,
            event=e,
            token=e.token,
            reporting_browser=True,
            solved=True,
            satisfaction="basically_satisfied",
        ),
        "reopen": lambda a, e: services.reopen_event(actor=a, event=e, reason="重办"),
        "suspend": lambda a, e: services.suspend_event(actor=a, event=e, reason="挂起"),
        "resume": lambda a, e: services.resume_event(actor=a, event=e),
        "supervise": lambda a, e: services.supervise_event(actor=a, event=e, note="督办"),
        "escalate": lambda a, e: deadlines.escalate_event(event=e, now=e.reported_at + far),
    }
    return Walk(start=start, steps=steps, people=staff, recount=rollups.check_all)


WALKS = {"events.Event": walk_events}
