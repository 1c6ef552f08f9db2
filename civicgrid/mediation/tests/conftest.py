"""Community A1's mediation desk: its staff, a pool of mediators (one with a login), a
mediation room, and a dispute reported in grid A1-1."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from civicgrid.classes.models import Venue
from civicgrid.events import services as events
from civicgrid.events.models import Category
from civicgrid.mediation import services
from civicgrid.mediation.models import Mediator
from civicgrid.org.roles import Role


@dataclass
class Desk:
    staff: object  # cathy, community A1's staff: keeps the desk
    other_staff: object  # colin, community A1's staff too: follows up, verifies
    mediator_user: object  # mia's login
    lead: Mediator  # mia, a people's mediator
    lawyer: Mediator  # 王律师, the street's lawyer
    room: Venue


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def build_desk(tree, make_user) -> Desk:
    """The desk itself (also built by the workflow walks, tests/walks.py)."""
    staff = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    other = make_user("colin", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    mia = make_user("mia")
    lead = services.save_mediator(
        actor=staff, unit=tree.community_a1, name="米调解", kind="peoples", user=mia
    )
    street_staff = make_user("sam", unit=tree.street_a, role=Role.STREET_STAFF)
    lawyer = services.save_mediator(
        actor=street_staff, unit=tree.street_a, name="王律师", kind="lawyer", affiliation="某律所"
    )
    room = Venue.objects.create(
        unit=tree.community_a1, name="调解室", kind="mediation_room", capacity=8
    )
    return Desk(staff, other, mia, lead, lawyer, room)


@pytest.fixture
def desk(tree, make_user) -> Desk:
    return build_desk(tree, make_user)


def dispute(actor, tree, code="2201", title="楼上漏水与楼下争执"):
    return events.report_event(
        actor=actor,
        title=title,
        description="302 室漏水到 202 室，双方多次争吵",
        category=Category.objects.get(code=code),
        lon=113.53,
        lat=34.73,
    )


@pytest.fixture
def walk_in(desk, tree):
    """A walk-in case at community A1 with its applicant and respondent."""

    def make(**extra):
        return services.receive_case(
            actor=desk.staff,
            unit=tree.community_a1,
            data=services.CaseData(
                title=extra.pop("title", "邻里噪音纠纷"),
                kind="neighbour",
                facts="楼上夜间噪音，楼下多次投诉未果",
                request="夜间十点后停止噪音",
            ),
            intake=services.Intake("walk_in", **extra),
            parties=[
                services.PartyData(role="applicant", name="张三", phone="13812345678"),
                services.PartyData(role="respondent", name="李四", phone="13987654321"),
            ],
        )

    return make


def an_hour_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)
