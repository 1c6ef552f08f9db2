"""Erasure reaches every row that holds a resident's data (one registry, core/erasure.py), and
moving out or deregistering is the normal end of a record."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from civicgrid.core import erasure, privacy
from civicgrid.core.errors import NotAllowed
from civicgrid.core.models import AccessLog, SealedPhone
from civicgrid.people import selectors, services
from civicgrid.people.models import Person, PersonStatus

pytestmark = pytest.mark.django_db

# Models that keep a phone but hold no resident's data, and why.
NOT_A_RESIDENT = {
    "people.Organisation": "the contact phone of an organisation",
    "cockpit.ServicePoint": "a service point's public service phone, shown on the public map",
}


# A phone in any form, an ID number or its hash, a phone's hash under another name.
PERSONAL_FIELD = re.compile(r"phone|id_number|id_hash|voter_hash|recipient_hash")


def _holds_personal_data(model) -> bool:
    if not model.__module__.startswith("civicgrid.") or issubclass(model, SealedPhone):
        return issubclass(model, SealedPhone)
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is Person and field.concrete:
            return True
        if field.concrete and PERSONAL_FIELD.search(field.name):
            return True
    return False


def test_every_model_that_holds_a_residents_data_is_in_the_erasure_registry():
    holders = {m._meta.label for m in apps.get_models() if _holds_personal_data(m)}
    assert {"party.PartyMember", "classes.Enrolment", "volunteers.Volunteer"} <= holders
    missing = holders - erasure.registered() - set(NOT_A_RESIDENT)
    assert not missing, f"register an eraser in the app's AppConfig.ready for {sorted(missing)}"


PHONE = "13812345678"


def _her_rows(estate, tree, community_staff):
    """Rows in every app that hold the mother's data (by link or by her phone), and one of
    her son's that must survive."""
    from civicgrid.classes import services as classes
    from civicgrid.classes.models import Audience, Category, Programme, VenueKind
    from civicgrid.community.models import Need
    from civicgrid.events import services as events
    from civicgrid.events.models import Category as EventCategory
    from civicgrid.party import services as party
    from civicgrid.party.models import BranchKind
    from civicgrid.volunteers import services as volunteers
    from civicgrid.volunteers.models import ServiceItem, ServiceOrder

    staff = community_staff
    branch = party.save_branch(
        actor=staff, unit=tree.community_a1, name="第一支部", kind=BranchKind.BRANCH
    )
    party.save_member(
        actor=staff,
        data=party.MemberData(name="张秀英", branch=branch, phone=PHONE, person=estate.mother),
    )
    venue = classes.save_venue(
        actor=staff,
        unit=tree.community_a1,
        name="党群服务中心",
        kind=VenueKind.SERVICE_CENTRE,
        capacity=30,
    )
    course = classes.save_course(
        actor=staff,
        unit=tree.community_a1,
        data=classes.CourseData(
            title="夜校",
            programme=Programme.NIGHT_SCHOOL,
            category=Category.SKILLS,
            audience=Audience.ELDERLY,
        ),
    )
    starts = timezone.now() + dt.timedelta(days=1)
    session = classes.schedule_session(
        actor=staff,
        course=course,
        data=classes.SessionData(
            starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=5, venue=venue
        ),
    )
    classes.enrol(actor=None, session=session, name="张秀英", phone=PHONE)
    classes.enrol(actor=None, session=session, name="李建国", phone="13900001111")
    classes.propose_topic(unit=tree.community_a1, title="防诈骗", proposer="张秀英", phone=PHONE)
    volunteers.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=volunteers.VolunteerData(name="", person=estate.mother),
    )
    item = ServiceItem.objects.create(unit=tree.community_a1, name="理发", category="life")
    order = ServiceOrder(unit=tree.community_a1, item=item, name="张秀英", address="3号楼2单元501")
    order.set_phone(PHONE)
    order.save()
    events.report_event(
        actor=None,
        title="楼道堆物",
        category=EventCategory.objects.get(code="2101"),
        lon=113.51,
        lat=34.71,
        reporter_name="张秀英",
        reporter_phone=PHONE,
    )
    events.report_event(  # in another street, her phone typed another way
        actor=None,
        title="路灯不亮",
        category=EventCategory.objects.get(code="2101"),
        lon=113.61,
        lat=34.71,
        reporter_name="张女士",
        reporter_phone=f"{PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}",
    )
    # A selection: she nominated a neighbour (phone proved) and voted for her.
    from civicgrid.core import privacy
    from civicgrid.selections import services as selections
    from civicgrid.selections.models import Vote

    begun = timezone.now() - dt.timedelta(hours=1)
    selection = selections.create_selection(
        actor=staff,
        unit=tree.community_a1,
        data=selections.SelectionData(
            title="最美如意人",
            nominations_open_at=begun,
            nominations_close_at=begun + dt.timedelta(days=5),
            voting_open_at=begun + dt.timedelta(days=7),
            voting_close_at=begun + dt.timedelta(days=30),
            vote_rule="once",
        ),
        categories=["最美家庭"],
        now=begun - dt.timedelta(hours=1),
    )
    selection = selections.open_nominations(actor=staff, selection=selection, now=begun)
    category = selection.categories.get()
    nomination = selections.nominate(
        actor=None,
        selection=selection,
        category=category,
        name="王阿姨",
        story="照顾邻居老人十年",
        nominator="张秀英",
        phone=PHONE,
    )
    Vote.objects.create(
        selection=selection,
        category=category,
        nomination=nomination,
        phone_hash=privacy.PHONE.index(PHONE),
        slot="all",
        at=timezone.now(),
    )
    Need.objects.create(
        unit=tree.grid_a1_1,
        title="助浴",
        category="elderly",
        source="resident",
        household=estate.household,
        who="张秀英",
    )


def _traces(name: str, phone: str, phone_hash: str, person_pk: int) -> list[str]:
    """Every registered row that still holds the name, the phone, its hash or the link."""
    found = []
    for label in erasure.registered():
        model = apps.get_model(label)
        for row in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                linked = field.is_relation and field.related_model is Person and value == person_pk
                text = value if isinstance(value, str) else ""
                sealed = (  # her phone however it was typed
                    field.name.endswith("phone")
                    and text
                    and privacy.phone_hash(privacy.decrypt(text)) == phone_hash
                )
                if linked or (text and text in (name, phone, phone_hash)) or sealed:
                    found.append(f"{label}.{field.name}")
    return found


def test_erasing_a_resident_reaches_every_row_that_holds_her_data(
    estate, tree, people, community_staff
):
    mother = estate.mother
    _her_rows(estate, tree, community_staff)
    assert len(_traces(mother.name, PHONE, mother.phone_hash, mother.pk)) >= 8
    services.delete_person(actor=people["alice"], person=mother, reason="本人申请删除")
    assert _traces(mother.name, PHONE, mother.phone_hash, mother.pk) == []
    assert not Person.objects.filter(pk=mother.pk).exists()
    # Her son's rows stay as they were; the ledgers keep their rows.
    from civicgrid.classes.models import Enrolment
    from civicgrid.party.models import PartyMember

    assert Enrolment.objects.filter(name="李建国").count() == 1
    assert Enrolment.objects.count() == 2 and PartyMember.objects.count() == 1
    assert AccessLog.objects.get().action == "delete"


def test_moving_out_takes_a_person_out_of_lists_counts_and_search(client, estate, people):
    alice, mother = people["alice"], estate.mother
    unit = mother.unit
    before = selectors.completeness(alice, unit, missing=0)
    with pytest.raises(NotAllowed):
        services.record_departure(
            actor=people["dave"], person=mother, status=PersonStatus.MOVED_OUT
        )
    client.force_login(alice)
    response = client.post(
        reverse("people:person_leave", args=[mother.pk]),
        {"status": "moved_out", "left_on": "2026-01-05"},
    )
    assert response.status_code == 302
    mother.refresh_from_db()
    assert (mother.status, mother.left_on, mother.household_id) == (
        "moved_out",
        dt.date(2026, 1, 5),
        None,
    )
    assert selectors.lookup(alice, "张秀英") == []
    assert [p.name for p in selectors.members_of(estate.household)] == ["李建国"]
    assert mother.pk not in [p.pk for p in selectors.persons_under(alice, unit)]
    after = selectors.completeness(alice, unit, missing=0)
    assert after.checks[0].total == before.checks[0].total - 1
    # The record is kept and can still be found, opened and erased by a role that may reveal.
    assert [p.pk for p in selectors.persons_left(alice, unit)] == [mother.pk]
    assert list(selectors.persons_left(people["dave"], unit)) == []
    assert client.get(reverse("people:person", args=[mother.pk])).status_code == 200
    assert client.get(reverse("people:person_edit", args=[mother.pk])).status_code == 404
    assert Person.objects.filter(pk=mother.pk).exists()
    response = client.post(
        reverse("people:delete_person", args=[mother.pk]), {"reason": "注销满五年"}
    )
    assert not Person.objects.filter(pk=mother.pk).exists()


def test_only_a_ledger_keeper_ends_a_record_and_only_once(client, estate, people, volunteer):
    client.force_login(people["dave"])
    url = reverse("people:person_leave", args=[estate.son.pk])
    client.post(url, {"status": "deregistered"})
    estate.son.refresh_from_db()
    assert estate.son.status == "present"
    services.record_departure(actor=people["alice"], person=estate.son, status="deregistered")
    with pytest.raises(Exception) as error:
        services.record_departure(actor=people["alice"], person=estate.son, status="moved_out")
    assert error.value.status == 409


def test_someone_who_moved_out_is_recorded_again_where_she_moved_in(estate, people, tree):
    from civicgrid.core import privacy
    from civicgrid.people.services import PersonData

    number = privacy.decrypt(estate.son.id_number)
    services.record_departure(actor=people["alice"], person=estate.son, status="moved_out")
    again = services.save_person(
        actor=people["bob"], data=PersonData(name="李建国", id_number=number), unit=tree.grid_a1_2
    )
    assert again.pk != estate.son.pk and again.id_hash == estate.son.id_hash
