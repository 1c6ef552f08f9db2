"""The demo's mediation part (civicgrid/mediation/demo.py) on the demo district's real units
with the demo's named logins, a few residents and a party member: it loads through the real
services, once, its figures equal a recount, the mediator login sees only the cases they
mediate, and 河南纺机社区 has dozens of cases of every door and outcome, all in the past."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from civicgrid.core import demo
from civicgrid.core.privacy import phone_hash
from civicgrid.events.models import Event, Status
from civicgrid.mediation import rollups, selectors
from civicgrid.mediation.demo import MEDIATOR_LOGIN, demo_part
from civicgrid.mediation.models import (
    Case,
    CaseParty,
    CaseStatus,
    CaseStep,
    Channel,
    Consultation,
    Mediator,
    MediatorKind,
    Risk,
    Session,
)
from civicgrid.mediation.workflow import CASES
from civicgrid.org import services as org
from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_LOGINS, DEMO_PASSWORD, DEMO_STREET
from civicgrid.org.divisions import import_divisions
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.people import services as people
from civicgrid.people.services import PersonData


@pytest.fixture
def district(db):
    """The demo district's streets and communities, two grids of 河南纺机社区, the named
    logins where the demo posts them, and a household of two residents."""
    import_divisions(["410102"], progress=False)
    community = OrgUnit.objects.get(code=DEMO_COMMUNITY)
    for number in ("001", "002"):
        org.create_unit(
            actor=None,
            parent=community,
            kind=Kind.GRID,
            name=f"第{int(number)}网格",
            code=DEMO_COMMUNITY + number,
        )
    User = get_user_model()
    for username, role, code in DEMO_LOGINS:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            continue
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        org.post_user(actor=None, user=user, unit=unit, role=role)
    worker = User.objects.get(username="gridworker")
    grid = OrgUnit.objects.get(code=DEMO_COMMUNITY + "001")
    building = people.save_building(
        actor=worker, unit=grid, estate="保利百合", name="3号楼", entrances=3
    )
    house = people.save_house(actor=worker, building=building, entrance=2, room="501")
    household = people.save_household(actor=worker, house=house)
    for name, phone, born, relation in (
        ("张秀英", "13703710086", dt.date(1950, 5, 8), "head"),
        ("李建国", "13937112345", dt.date(1966, 9, 17), "child"),
    ):
        people.save_person(
            actor=worker,
            data=PersonData(name=name, phone=phone, birth_date=born, relation=relation),
            household=household,
        )
    return community


def test_mediation_comes_after_the_events_and_the_classes():
    names = [part.name for part in demo.parts()]
    assert names.index("mediation") > names.index("events")
    assert names.index("mediation") > names.index("classes")


def test_the_demo_mediation_loads_once_and_its_figures_equal_a_recount(district):
    assert demo_part("410102", progress=False).endswith("demo mediation cases added.")
    now = timezone.now()
    assert demo_part("410102", progress=False) == ""  # the district has it
    assert rollups.check_all() == []
    assert all(CASES.check(case) == [] for case in Case.objects.all())
    out = io.StringIO()
    call_command("check_figures", stdout=out)
    assert "Every figure equals its recount." in out.getvalue()

    cases = Case.objects.filter(unit=district)
    assert cases.count() >= 24  # dozens in 河南纺机社区
    assert Case.objects.exclude(unit=district).filter(unit_code__under=DEMO_STREET).count() >= 3
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("kind", flat=True)) >= {
        "neighbour",
        "property",
        "family",
        "labour",
        "consumer",
        "land",
    }
    statuses = list(cases.values_list("status", flat=True))
    assert statuses.count(CaseStatus.CLOSED) > len(statuses) / 2
    for status in ("received", "accepted", "mediating", "agreed", "declined"):
        assert status in statuses, status
    assert cases.filter(agreed=True).count() > cases.filter(agreed=False).count() > 0
    assert cases.filter(referral_accepted_at__isnull=False).exists()
    assert cases.filter(kept=False).exists() and cases.filter(kept=True).exists()
    assert CaseStep.objects.filter(case__in=cases, action="resume").exists()  # broken, again
    assert cases.filter(risk=Risk.HIGH).exists()
    overdue = cases.get(overdue=True)
    assert overdue.status not in ("closed", "declined") and overdue.due_at < now
    # Every open case but the overdue one has its deadline ahead: nothing else escalates.
    for case in cases.exclude(status__in=["closed", "declined"]).exclude(pk=overdue.pk):
        assert case.due_at is None or case.due_at > now, case.number
    assert Session.objects.filter(case__in=cases).count() > cases.count()
    assert Session.objects.filter(venue__kind="mediation_room").exists()
    # All of it happened in the last year, in the past.
    assert not CaseStep.objects.filter(at__gt=now).exists()
    assert not CaseStep.objects.filter(at__lt=now - dt.timedelta(days=370)).exists()
    # Parties linked to residents, with the resident's sealed phone; none in clear.
    linked = CaseParty.objects.exclude(person=None).first()
    assert linked is not None and linked.phone_hash == linked.person.phone_hash
    assert not CaseParty.objects.filter(phone__startswith="1").exists()
    # The pool: every kind, the micro-grid one a party member when there is one.
    assert set(Mediator.objects.values_list("kind", flat=True)) >= set(MediatorKind.values) - {
        MediatorKind.OTHER
    }
    # A year of legal consultations, one month with the 33 residents of the reports.
    consultations = Consultation.objects.filter(unit=district)
    assert consultations.count() == 12
    assert consultations.filter(residents_served=33).exists()


def test_the_dispute_events_move_with_their_cases(district):
    demo_part("410102", progress=False)
    from_events = Case.objects.filter(channel=Channel.EVENT).select_related("event")
    assert from_events.count() >= 3
    for case in from_events:
        assert case.event.category.code.startswith("22")
        if case.status in ("closed", "declined"):
            assert case.event.status != Status.HANDLING, case.number
        else:
            assert case.event.status == Status.HANDLING, case.number
    assert Event.objects.filter(mediation_cases__status="closed", status=Status.CLOSED).exists()


def test_the_mediator_login_sees_only_the_cases_they_mediate(district):
    demo_part("410102", progress=False)
    login = get_user_model().objects.get(username=MEDIATOR_LOGIN)
    assert login.check_password(DEMO_PASSWORD)
    mine = set(selectors.cases_for(login).values_list("pk", flat=True))
    led = Case.objects.filter(lead=login.mediator).values_list("pk", flat=True)
    helped = Case.objects.filter(helpers=login.mediator).values_list("pk", flat=True)
    assert mine == set(led) | set(helped)
    assert 5 <= len(mine) < Case.objects.count()
    assert selectors.my_cases(login).exists()  # open cases waiting on their phone page
    # The other logins of the demo see a case only at a desk.
    User = get_user_model()
    others = User.objects.filter(username__in=["gridworker", "gridworker2", "gridleader", "leader"])
    assert others.count() == 4
    for user in others:
        assert not selectors.cases_for(user).exists(), user.username
    assert selectors.cases_for(User.objects.get(username="community")).count() == (
        Case.objects.filter(unit=district).count()
    )
    # A resident's phone hash finds her party rows (erasure relies on it).
    assert CaseParty.objects.filter(phone_hash=phone_hash("13703710086")).count() <= 1
