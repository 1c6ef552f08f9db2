import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.org import services
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.roles import Role
from civicgrid.org.scoping import minimal_prefixes, scope


def codes(queryset, field="code"):
    return set(queryset.values_list(field, flat=True))


def test_it_keeps_only_the_outermost_prefixes():
    assert minimal_prefixes(["410102001", "410102", "410103", "410102001001"]) == (
        "410102",
        "410103",
    )
    assert minimal_prefixes([]) == ()


def test_it_shows_a_grid_worker_her_grid_and_what_lies_below(tree, people):
    seen = codes(scope(OrgUnit.objects.all(), people["alice"], "code"))
    assert seen == {tree.grid_a1_1.code, tree.micro_a1_1_1.code}


def test_it_shows_a_street_officer_the_whole_street_and_its_departments(tree, people):
    seen = codes(scope(OrgUnit.objects.all(), people["carol"], "code"))
    assert tree.police_a.code in seen and tree.micro_a1_1_1.code in seen
    assert not any(code.startswith(tree.street_b.code) for code in seen)
    assert tree.district.code not in seen


def test_it_shows_nothing_to_anonymous_users_and_users_without_postings(tree, people):
    from django.contrib.auth.models import AnonymousUser

    assert not scope(OrgUnit.objects.all(), AnonymousUser(), "code").exists()
    assert not scope(OrgUnit.objects.all(), people["mallory"], "code").exists()


def test_it_shows_a_superuser_everything(tree, make_user):
    root = make_user("root", is_superuser=True)
    assert scope(OrgUnit.objects.all(), root, "code").count() == OrgUnit.objects.count()


def test_it_stops_showing_a_unit_once_the_posting_ends(tree, people):
    alice = people["alice"]
    posting = Posting.objects.get(user=alice)
    services.end_posting(actor=None, posting=posting)
    assert not scope(OrgUnit.objects.all(), alice, "code").exists()


def test_it_scopes_rows_by_their_own_unit_code(tree, people):
    seen = scope(Posting.objects.all(), people["carol"])
    assert {p.user.username for p in seen} == {"alice", "bob", "carol", "erin"}


# --- property: nobody ever sees a row outside their subtrees ----------------------------------

# A random tree is a list of parent indices (-1 = a root district); a unit's code is its
# parent's code plus three digits, as in the real tree.
trees = st.lists(st.integers(min_value=-1, max_value=30), min_size=1, max_size=30)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parents=trees,
    postings=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 29), st.booleans()), max_size=12),
    superuser=st.booleans(),
)
@pytest.mark.django_db
def test_property_no_user_sees_a_row_outside_their_subtrees(
    parents, postings, superuser, make_user
):
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        units: list[OrgUnit] = []
        for index, parent_at in enumerate(parents):
            parent = units[parent_at] if 0 <= parent_at < index else None
            if parent is None:
                code = f"4101{len(units):02d}"
            else:
                siblings = sum(1 for u in units if u.parent_id == parent.pk)
                code = f"{parent.code}{siblings + 1:03d}"
            units.append(
                OrgUnit.objects.create(code=code, name=code, kind="district", parent=parent)
            )
        users = [
            get_user_model().objects.create(username=f"p{i}", is_superuser=superuser and i == 0)
            for i in range(5)
        ]
        for user_at, unit_at, active in postings:
            unit = units[unit_at % len(units)]
            if not Posting.objects.filter(
                user=users[user_at], unit=unit, role=Role.GRID_WORKER
            ).exists():
                Posting.objects.create(
                    user=users[user_at], unit=unit, role=Role.GRID_WORKER, active=active
                )

        for user in users:
            if user.is_superuser:
                expected_units = {u.code for u in units}
            else:
                roots = {
                    p.unit.code
                    for p in Posting.objects.filter(user=user, active=True).select_related("unit")
                }
                expected_units = {u.code for u in units if any(u.code.startswith(r) for r in roots)}
            assert codes(scope(OrgUnit.objects.all(), user, "code")) == expected_units
            seen_rows = set(scope(Posting.objects.all(), user).values_list("pk", flat=True))
            expected_rows = set(
                Posting.objects.filter(unit__code__in=expected_units).values_list("pk", flat=True)
            )
            assert seen_rows == expected_rows
        transaction.set_rollback(True)
