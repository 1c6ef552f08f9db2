"""The mediation case machine for the shared workflow property test
(civicgrid/tests/test_workflows.py): every step, tried by the desk, the case's mediator,
another community's staff, a grid worker and a resident, on cases from the desk and from
dispute events; the case's event must stay in step and the figures equal a recount."""

import datetime as dt

from django.utils import timezone

from civicgrid.events.models import Status
from civicgrid.mediation import rollups, services
from civicgrid.mediation.models import ENDED, Case
from civicgrid.mediation.tests.conftest import build_desk, dispute
from civicgrid.tests.walking import Walk


def _consistent() -> list[str]:
    """The figures against a recount, and each event against its case: an event an open case
    mediates is being handled; a closed case's event has moved on (resolved or later)."""
    wrong = [str(drift) for drift in rollups.check_all()]
    for case in Case.objects.exclude(event=None).select_related("event"):
        status = case.event.status
        if case.status not in ENDED and status != Status.HANDLING:
            wrong.append(f"case {case.pk} is {case.status}, its event {status}")
        if case.status == "closed" and status == Status.HANDLING:
            wrong.append(f"case {case.pk} closed, its event still handling")
    return wrong


def walk_cases(request) -> Walk:
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    desk = build_desk(tree, request.getfixturevalue("make_user"))
    make_user = request.getfixturevalue("make_user")
    from civicgrid.org.roles import Role

    cast = {
        "cathy": desk.staff,
        "colin": desk.other_staff,
        "mia": desk.mediator_user,
        "carol": people["carol"],  # the street above
        "alice": people["alice"],  # a grid worker
        "mallory": people["mallory"],
        "bella": make_user("bella", unit=tree.community_b1, role=Role.COMMUNITY_STAFF),
    }
    counter = iter(range(10**6))

    def start():
        if next(counter) % 2:
            return services.open_from_event(
                actor=desk.staff, event=dispute(people["alice"], tree), lead=desk.lead
            )
        return services.receive_case(
            actor=desk.staff,
            unit=tree.community_a1,
            data=services.CaseData(title="噪音纠纷", kind="neighbour", facts="夜间噪音"),
            intake=services.Intake("walk_in", lead=desk.lead),
            parties=[services.PartyData(role="applicant", name="张三")],
        )

    def session(actor, case):
        held = timezone.now() - dt.timedelta(minutes=30)
        data = services.SessionData(held_at=held, notes="双方陈述", venue=desk.room)
        return services.record_session(actor=actor, case=case, data=data)

    steps = {
        "accept": lambda a, c: services.accept_case(actor=a, case=c, lead=desk.lead),
        "decline": lambda a, c: services.decline_case(actor=a, case=c, reason="不属调解范围"),
        "assign": lambda a, c: services.assign_mediators(
            actor=a, case=c, lead=desk.lead, helpers=[desk.lawyer]
        ),
        "session": session,
        "agree": lambda a, c: services.reach_agreement(actor=a, case=c, terms="赔偿 500 元"),
        "fail": lambda a, c: services.record_no_agreement(actor=a, case=c, reason="分歧较大"),
        "refer": lambda a, c: services.refer_case(
            actor=a, case=c, body="justice", body_name="甲街道司法所"
        ),
        "referral_accepted": lambda a, c: services.record_referral_accepted(actor=a, case=c),
        "follow_up_kept": lambda a, c: services.follow_up(actor=a, case=c, kept=True, note="回访"),
        "follow_up_broken": lambda a, c: services.follow_up(
            actor=a, case=c, kept=False, note="未履行"
        ),
        "resume": lambda a, c: services.resume_mediation(actor=a, case=c, note="再次调解"),
        "close": lambda a, c: services.close_case(actor=a, case=c, outcome="结案"),
        "close_settled": lambda a, c: services.close_case(
            actor=a, case=c, outcome="已化解", resolved=True
        ),
        "risk": lambda a, c: services.change_risk(actor=a, case=c, risk="high", signs=["violence"]),
        "escalate": lambda a, c: services.escalate_case(
            case=c, now=(c.due_at or timezone.now()) + dt.timedelta(minutes=1)
        ),
    }
    return Walk(start=start, steps=steps, people=cast, recount=_consistent)


WALKS = {"mediation.Case": walk_cases}
