"""Query counts of the mediation pages, pinned: the same with one row as with many, so an N+1
(a query per case, per party, per session, per mediator, per unit below) breaks a pin."""

import pytest
from django.utils import timezone

from civicgrid.mediation import services
from civicgrid.mediation.tests.conftest import an_hour_ago, dispute
from civicgrid.mediation.tests.test_views import _street_staff
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(desk, walk_in, tree):
    """Adds cases to community A1, each accepted with mia as lead, with a session, its
    agreement and a legal consultation; every other one with a helper (the street's lawyer)."""
    made = []

    def add(count: int) -> list:
        for _ in range(count):
            i = len(made)
            helpers = [desk.lawyer] if i % 2 else []
            case = services.accept_case(
                actor=desk.staff,
                case=walk_in(title=f"第{i}件纠纷"),
                lead=desk.lead,
                helpers=helpers,
            )
            services.record_session(
                actor=desk.mediator_user,
                case=case,
                data=services.SessionData(
                    held_at=an_hour_ago(),
                    notes=f"第{i}次调解",
                    venue=desk.room,
                    parties=list(case.parties.all()),
                ),
            )
            case = services.reach_agreement(actor=desk.mediator_user, case=case, terms=f"协议{i}")
            services.record_consultation(
                actor=desk.staff,
                unit=tree.community_a1,
                held_on=timezone.localdate(),
                residents_served=3,
                topics=f"咨询{i}",
                lawyer=desk.lawyer,
            )
            made.append(case)
        return made

    return add


def test_the_desks_list_pages_cost_the_same_for_one_case_as_for_six(
    client, desk, tree, grow, pinned
):
    code = tree.community_a1.code
    pages = {
        f"/mediation/u/{code}/": 11,
        f"/mediation/u/{code}/?status=agreed&kind=neighbour&risk=low": 11,
        f"/mediation/u/{code}/pool/": 8,
        f"/mediation/u/{code}/consultations/": 10,
        f"/mediation/u/{code}/figures/": 11,
        f"/mediation/u/{code}/new/": 8,
    }
    client.force_login(desk.staff)
    grow(1)
    pinned(pages)
    made = grow(5)
    bodies = pinned(pages)
    for case in made:
        assert case.number in bodies[f"/mediation/u/{code}/"]
    assert bodies[f"/mediation/u/{code}/consultations/"].count("王律师") >= 6


def test_the_street_figures_cost_the_same_for_one_community_as_for_four(
    client, desk, tree, grow, pinned
):
    grow(2)
    client.force_login(_street_staff(tree))
    page = {f"/mediation/u/{tree.street_a.code}/figures/": 13}
    pinned(page)
    for n in range(3):
        org_services.create_unit(
            actor=None, parent=tree.street_a, kind=Kind.COMMUNITY, name=f"甲街第{n + 3}社区"
        )
    body = pinned(page)[f"/mediation/u/{tree.street_a.code}/figures/"]
    assert "甲街第5社区" in body


def test_a_mediators_phone_page_costs_the_same_for_one_case_as_for_six(client, desk, grow, pinned):
    client.force_login(desk.mediator_user)
    page = {"/mediation/": 12}
    grow(1)
    pinned(page)
    made = grow(5)
    body = pinned(page)["/mediation/"]
    assert all(case.number in body for case in made)


def test_a_case_page_costs_the_same_for_one_session_as_for_many(client, desk, walk_in, pinned):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)

    def session(i: int) -> None:
        services.record_session(
            actor=desk.mediator_user,
            case=case,
            data=services.SessionData(
                held_at=an_hour_ago(),
                notes=f"第{i}次",
                venue=desk.room,
                parties=list(case.parties.all()),
                mediators=[desk.lead, desk.lawyer],
            ),
        )

    session(0)
    client.force_login(desk.staff)
    page = {case.get_absolute_url(): 15}
    pinned(page)
    for i in range(1, 5):
        session(i)
    services.add_party(
        actor=desk.staff, case=case, data=services.PartyData(role="third", name="王五")
    )
    body = pinned(page)[case.get_absolute_url()]
    assert "第4次" in body and "王五" in body


def test_a_dispute_events_page_adds_its_cases_and_others_add_nothing(
    client, desk, tree, make_user, pinned
):
    """The event page's own pin (events/tests/test_queries.py) holds for events of every other
    category: the panel asks nothing of them. A dispute's page adds its cases (and whether the
    login is a mediator's), and after the hand-over the event's own longer timeline."""
    worker = make_user("gabe", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    plain = dispute(worker, tree, code="2101")
    quarrel = dispute(worker, tree)
    client.force_login(desk.staff)
    # One more than before issue 20: the 改类 form lists the categories.
    pages = {f"/events/{plain.number}/": 15, f"/events/{quarrel.number}/": 17}
    pinned(pages)
    services.open_from_event(actor=desk.staff, event=quarrel)
    services.open_from_event(actor=desk.staff, event=dispute(worker, tree, title="另一起"))
    bodies = pinned({f"/events/{quarrel.number}/": 18})
    assert 'id="mediation-panel"' in bodies[f"/events/{quarrel.number}/"]
