import datetime as dt

import pytest
from django.db import connection
from django.db.models import F

from civicgrid.core import privacy
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.models import AccessLog
from civicgrid.org import services as org_services
from civicgrid.org.roles import Role
from civicgrid.people import selectors, services
from civicgrid.people.models import Person, PersonKey
from civicgrid.people.services import PersonData
from civicgrid.people.tests.conftest import id_number, with_check_digit

pytestmark = pytest.mark.django_db


def test_numbers_are_stored_encrypted_hashed_and_masked(estate):
    mother = Person.objects.get(pk=estate.mother.pk)
    number = id_number(dt.date(1940, 3, 1), 2)
    assert number not in mother.id_number and "13812345678" not in mother.phone
    assert privacy.decrypt(mother.id_number) == number
    assert mother.id_masked == f"410102{'*' * 12}"
    assert mother.phone_masked == "138****5678"
    assert mother.birth_date == dt.date(1940, 3, 1) and mother.gender == "2"
    # No key holds a number in clear.
    keys = set(PersonKey.objects.filter(person=mother).values_list("key", flat=True))
    assert not any(number in key or "13812345678" in key for key in keys)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [mother.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert number not in row and "13812345678" not in row


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("id_number", with_check_digit("41010219400301002")[:-1] + "0", "check digit"),
        ("id_number", with_check_digit("41010219400230002"), "birth date"),
        ("id_number", with_check_digit("99999919400301002"), "region"),
        ("id_number", "4101021940", "18"),
        ("phone", "12345", "mobile"),
        ("birth_date", dt.date(2999, 1, 1), "impossible"),
    ],
)
def test_bad_numbers_are_refused_naming_the_field(estate, people, field, value, says):
    data = PersonData(name="王芳", **{field: value})
    with pytest.raises(InvalidInput) as error:
        services.save_person(actor=people["alice"], data=data, household=estate.household)
    assert error.value.field == field and says in error.value.message
    assert not Person.objects.filter(name="王芳").exists()


def test_birth_date_and_gender_must_agree_with_the_id(estate, people):
    number = id_number(dt.date(1980, 1, 1), 3)  # odd serial: male
    with pytest.raises(InvalidInput) as error:
        services.save_person(
            actor=people["alice"],
            data=PersonData(name="王芳", id_number=number, birth_date=dt.date(1981, 1, 1)),
            household=estate.household,
        )
    assert error.value.field == "birth_date"
    with pytest.raises(InvalidInput) as error:
        services.save_person(
            actor=people["alice"],
            data=PersonData(name="王芳", id_number=number, gender="2"),
            household=estate.household,
        )
    assert error.value.field == "gender"


def test_one_person_one_record_and_one_head(estate, people):
    with pytest.raises(Conflict) as error:
        services.save_person(
            actor=people["bob"],
            data=PersonData(name="张秀英", id_number=id_number(dt.date(1940, 3, 1), 2)),
            household=estate.other_household,
        )
    assert error.value.field == "id_number"
    with pytest.raises(Conflict) as error:
        services.save_person(
            actor=people["alice"],
            data=PersonData(name="王芳", relation="head"),
            household=estate.household,
        )
    assert error.value.field == "relation"
    assert estate.household.members.count() == 2


def test_unknown_tags_and_houses_outside_their_building(estate, people):
    with pytest.raises(InvalidInput) as error:
        services.save_person(
            actor=people["alice"],
            data=PersonData(name="王芳", tags=("飞行员",)),
            household=estate.household,
        )
    assert "飞行员" in error.value.message
    with pytest.raises(InvalidInput) as error:
        services.save_house(actor=people["alice"], building=estate.building, entrance=3, room="101")
    assert error.value.field == "entrance"
    with pytest.raises(InvalidInput) as error:
        services.save_house(
            actor=people["alice"], building=estate.building, entrance=1, room="901", floor=9
        )
    assert error.value.field == "floor"


def test_only_keepers_of_the_unit_write(estate, people):
    with pytest.raises(NotAllowed):
        services.save_person(
            actor=people["bob"], data=PersonData(name="王芳"), household=estate.household
        )
    with pytest.raises(NotAllowed):
        services.save_person(
            actor=people["dave"], data=PersonData(name="王芳"), household=estate.household
        )


def test_reveal_is_for_the_chain_only_and_logged(estate, people, community_staff, volunteer):
    alice = people["alice"]
    number = services.reveal(
        actor=alice, person=estate.mother, field="phone", reason="电话联系", ip="10.0.0.1"
    )
    assert number == "13812345678"
    assert services.reveal(
        actor=community_staff, person=estate.mother, field="id_number", reason="核对身份"
    )
    log = list(AccessLog.objects.order_by("id").values_list("actor__username", "field", "reason"))
    assert log == [("alice", "phone", "电话联系"), ("connie", "id_number", "核对身份")]
    for outsider in (people["dave"], people["erin"], volunteer, people["bob"]):
        with pytest.raises(NotAllowed):
            services.reveal(actor=outsider, person=estate.mother, field="phone", reason="看看")
    with pytest.raises(InvalidInput):
        services.reveal(actor=alice, person=estate.mother, field="phone", reason="")
    assert AccessLog.objects.count() == 2


def test_sensitive_tags_are_hidden_and_kept(estate, people, volunteer, tree):
    names = lambda user, person: {t.name for t in selectors.tags_for(user, person)}  # noqa: E731
    assert names(people["alice"], estate.mother) == {"独居老人", "残疾人"}
    assert names(volunteer, estate.mother) == {"独居老人"}
    # A volunteer keeps the micro-grid's ledger but may not set a sensitive tag…
    with pytest.raises(NotAllowed):
        services.save_person(
            actor=volunteer,
            data=PersonData(name="赵敏", tags=("disabled",)),
            unit=tree.micro_a1_1_1,
        )
    neighbour = services.save_person(
        actor=volunteer, data=PersonData(name="赵敏", tags=("veteran",)), unit=tree.micro_a1_1_1
    )
    services.save_person(
        actor=people["alice"],
        data=PersonData(name="赵敏", tags=("veteran", "subsistence")),
        unit=tree.micro_a1_1_1,
        person=neighbour,
    )
    # …and their edit keeps the sensitive tag they cannot see.
    services.save_person(
        actor=volunteer,
        data=PersonData(name="赵敏", tags=("pregnant",)),
        unit=tree.micro_a1_1_1,
        person=neighbour,
    )
    assert names(people["alice"], neighbour) == {"孕产妇", "低保对象"}
    assert names(volunteer, neighbour) == {"孕产妇"}


def test_export_and_delete_leave_no_ciphertext(estate, people):
    alice, pk = people["alice"], estate.son.pk
    copy = services.export_person(actor=alice, person=estate.son, reason="本人申请")
    assert copy["phone"] == "13900001111" and copy["name"] == "李建国"
    services.delete_person(actor=alice, person=estate.son, reason="迁出")
    assert not Person.objects.filter(pk=pk).exists()
    assert not PersonKey.objects.filter(person_id=pk).exists()
    actions = list(AccessLog.objects.order_by("id").values_list("action", "record"))
    record = f"people.person:{pk}"
    assert actions == [("export", record), ("delete", record)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM people_person WHERE phone_hash = %s",
            [privacy.blind_index("13900001111")],
        )
        assert cursor.fetchone()[0] == 0


def test_visits_and_situations(estate, people, tree):
    alice = people["alice"]
    visit = services.record_visit(
        actor=alice, household=estate.household, findings="老人独居，腿脚不便", follow_up="联系助餐"
    )
    assert list(selectors.open_follow_ups(alice, tree.grid_a1_1)) == [visit]
    services.finish_follow_up(actor=alice, visit=visit)
    assert not selectors.open_follow_ups(alice, tree.grid_a1_1).exists()
    with pytest.raises(InvalidInput):
        services.record_visit(
            actor=alice,
            household=estate.household,
            findings="x",
            visited_on=dt.date.today() + dt.timedelta(days=1),
        )
    situation = services.record_situation(
        actor=alice, unit=tree.grid_a1_1, kind="opinion", topic="楼下停车难", people_concerned=12
    )
    assert list(selectors.situations_for(people["bob"])) == []
    services.close_situation(actor=alice, situation=situation, follow_up="已协调物业划线")
    with pytest.raises(InvalidInput):
        services.record_situation(actor=alice, unit=tree.community_a1, kind="opinion", topic="x")


def test_organisations_validate_credit_code_and_phone(tree, people):
    alice = people["alice"]
    with pytest.raises(InvalidInput) as error:
        services.save_organisation(
            actor=alice,
            unit=tree.grid_a1_1,
            name="某公司",
            kind="enterprise",
            credit_code="91410100MA00000000",
        )
    assert error.value.field == "credit_code"
    org = services.save_organisation(
        actor=alice,
        unit=tree.grid_a1_1,
        name="某物业",
        kind="property",
        contact_name="王经理",
        contact_phone="0371-66668888",
    )
    assert org.contact_phone_masked == "037*****8888"
    assert "66668888" not in org.contact_phone


def test_search_keys_follow_a_unit_move(people, tree):
    from civicgrid.org.kinds import Kind

    grid = org_services.create_unit(
        actor=None, parent=tree.community_a1, kind=Kind.GRID, name="甲一第9网格"
    )
    person = services.save_person(actor=people["carol"], data=PersonData(name="钱多多"), unit=grid)
    org_services.move_unit(actor=None, unit=grid, new_parent=tree.community_b1)
    person.refresh_from_db()
    codes = set(PersonKey.objects.filter(person=person).values_list("unit_code", flat=True))
    assert codes == {person.unit_code}
    assert person.unit_code.startswith(tree.community_b1.code)
    assert [p.pk for p in selectors.lookup(people["carol"], "钱多多")] == []  # left street A


def test_a_duplicate_id_does_not_say_where_someone_lives_outside_ones_scope(estate, people):
    number = id_number(dt.date(1940, 3, 1), 2)
    with pytest.raises(Conflict) as error:
        services.save_person(
            actor=people["bob"],
            data=PersonData(name="张秀英", id_number=number),
            household=estate.other_household,
        )
    assert "another unit" in error.value.message and "保利百合" not in error.value.message
    with pytest.raises(Conflict) as error:
        services.save_person(
            actor=people["carol"],
            data=PersonData(name="张秀英", id_number=number),
            household=estate.other_household,
        )
    assert "保利百合" in error.value.message  # street staff see her household


def test_editing_without_numbers_keeps_them(estate, people):
    before = Person.objects.get(pk=estate.mother.pk)
    services.save_person(
        actor=people["alice"],
        data=PersonData(
            name="张秀英", id_number=None, phone=None, relation="head", tags=("elderly_alone",)
        ),
        household=estate.household,
        person=estate.mother,
    )
    after = Person.objects.get(pk=estate.mother.pk)
    assert (after.id_hash, after.phone_hash) == (before.id_hash, before.phone_hash)
    assert privacy.decrypt(after.phone) == "13812345678"


def test_synthetic_buildings_sit_on_the_grids_micro_grids_with_all_in_them(tree, make_user):
    """The demo's residents live on micro-grids, so a micro-grid leader has residents to see,
    and every row of a building (houses, households, persons, search keys) is where it is."""
    from civicgrid.org.models import OrgUnit
    from civicgrid.people.models import Building, House, Household, Person, PersonKey
    from civicgrid.people.selectors import persons_for
    from civicgrid.people.synth import Writer

    second = OrgUnit.objects.create(
        parent=tree.grid_a1_1,
        kind="micro_grid",
        name="甲一第1网格第2微网格",
        code=tree.grid_a1_1.code + "002",
    )
    micro_grids = [tree.micro_a1_1_1, second]
    made = Writer("410102").fill(tree.grid_a1_1, 120, ["保利百合", "纺机家园"], micro_grids)
    assert made > 0
    codes = {m.code for m in micro_grids}
    assert set(Building.objects.values_list("unit_code", flat=True)) == codes
    for model in (House, Household, Person):
        assert not model.objects.exclude(unit_code__in=codes).exists()
    assert not House.objects.exclude(unit_code=F("building__unit_code")).exists()
    assert not Person.objects.exclude(unit_code=F("household__house__unit_code")).exists()
    assert not PersonKey.objects.exclude(unit_code=F("person__unit_code")).exists()
    leader = make_user("mia", unit=tree.micro_a1_1_1, role=Role.MICRO_GRID_LEADER)
    worker = make_user("gus", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    mine = persons_for(leader).count()
    assert 0 < mine < persons_for(worker).count() == made
