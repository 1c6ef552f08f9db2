"""Street and community staff make logins for their own units and post them (入网入格),
never with a role above their own, never outside their subtree (accounts/services.py)."""

import re

import pytest
from django.contrib.auth import get_user_model

from civicgrid.accounts import services
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.org.models import Posting
from civicgrid.org.roles import Role
from civicgrid.volunteers import services as volunteer_services


def logs_in(username: str, password: str) -> bool:
    return get_user_model().objects.get(username=username).check_password(password)


def posted(user) -> set[tuple[str, str]]:
    return set(Posting.objects.filter(user=user, active=True).values_list("unit_code", "role"))


def test_community_staff_make_a_grid_worker_posted_to_their_grid(personas, tree):
    user, password = services.create_account(
        actor=personas["community"],
        username="newworker",
        full_name="新网格员",
        unit=tree.grid_a1_2,
        role=Role.GRID_WORKER,
    )
    assert posted(user) == {(tree.grid_a1_2.code, Role.GRID_WORKER)}
    assert len(password) == services.INITIAL_PASSWORD_LENGTH
    assert logs_in("newworker", password)


def test_community_staff_may_not_give_a_role_above_or_beside_their_own(personas, tree):
    community = personas["community"]
    for unit, role in (
        (tree.street_a, Role.STREET_STAFF),
        (tree.community_a1, Role.COMMUNITY_STAFF),
        (tree.district, Role.LEADER_READONLY),
    ):
        with pytest.raises(NotAllowed):
            services.create_account(
                actor=community, username="x", full_name="某人", unit=unit, role=role
            )
    assert services.roles_given(community, tree.community_a1) == [Role.GRID_LEADER]


def test_nobody_makes_accounts_outside_their_subtree(personas, tree):
    with pytest.raises(NotAllowed):
        services.create_account(
            actor=personas["community"],
            username="x",
            full_name="某人",
            unit=tree.grid_b1_1,
            role=Role.GRID_WORKER,
        )
    with pytest.raises(NotAllowed):
        services.create_account(
            actor=personas["street"],
            username="x",
            full_name="某人",
            unit=tree.community_b1,
            role=Role.COMMUNITY_STAFF,
        )
    assert not Posting.objects.filter(user__username="x").exists()


def test_a_street_makes_community_staff_but_not_street_staff(personas, tree):
    street = personas["street"]
    user, _password = services.create_account(
        actor=street,
        username="newcommunity",
        full_name="新社工",
        unit=tree.community_a1,
        role=Role.COMMUNITY_STAFF,
        password="a long enough passphrase 42",
    )
    assert posted(user) == {(tree.community_a1.code, Role.COMMUNITY_STAFF)}
    with pytest.raises(NotAllowed):
        services.create_account(
            actor=street, username="y", full_name="某人", unit=tree.street_a, role=Role.STREET_STAFF
        )


@pytest.mark.parametrize("name", ["gridworker", "department", "leader", "district", "volunteer"])
def test_other_roles_make_no_accounts(personas, tree, name, client):
    with pytest.raises(NotAllowed):
        services.create_account(
            actor=personas[name],
            username="z",
            full_name="某人",
            unit=tree.grid_a1_1,
            role=Role.GRID_WORKER,
        )
    client.force_login(personas[name])
    assert client.get("/accounts/").status_code == 403


def test_a_taken_login_name_or_a_weak_password_is_refused(personas, tree):
    args = {"actor": personas["community"], "full_name": "某人", "unit": tree.grid_a1_1}
    with pytest.raises(Conflict):
        services.create_account(username="GRIDWORKER", role=Role.GRID_WORKER, **args)
    with pytest.raises(InvalidInput):
        services.create_account(username="weak", role=Role.GRID_WORKER, password="123", **args)
    with pytest.raises(InvalidInput):
        services.create_account(username="bad name!", role=Role.GRID_WORKER, **args)


def test_a_volunteer_gets_a_login_from_their_community(personas, tree):
    from civicgrid.volunteers import services as vs

    staff = personas["community"]
    volunteer = vs.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=vs.VolunteerData(name="赵师傅", phone="13500002222"),
    )
    with pytest.raises(NotAllowed):
        volunteer_services.create_volunteer_login(
            actor=personas["gridworker"], volunteer=volunteer, username="zhao"
        )
    user, password = volunteer_services.create_volunteer_login(
        actor=staff, volunteer=volunteer, username="zhao"
    )
    volunteer.refresh_from_db()
    assert volunteer.user == user and not posted(user)
    assert logs_in("zhao", password)
    with pytest.raises(Conflict):
        volunteer_services.create_volunteer_login(
            actor=staff, volunteer=volunteer, username="zhao2"
        )


def test_the_page_shows_the_new_password_once_and_keeps_input_on_refusal(client, personas, tree):
    client.force_login(personas["community"])
    page = client.get("/accounts/").content.decode()
    assert f'value="{tree.grid_a1_1.code}"' in page
    assert f'value="{tree.street_a.code}"' not in page
    assert f'value="{Role.STREET_STAFF}"' not in page
    response = client.post(
        "/accounts/",
        {
            "kind": "posting",
            "full_name": "新网格员",
            "username": "newworker",
            "unit": tree.grid_a1_1.code,
            "role": Role.GRID_WORKER,
        },
    )
    assert response.status_code == 200
    password = re.search(r'<code class="password">([^<]+)</code>', response.content.decode())
    assert password and logs_in("newworker", password.group(1))
    again = client.get("/accounts/").content.decode()
    assert 'class="password"' not in again and password.group(1) not in again
    refused = client.post(
        "/accounts/",
        {
            "kind": "posting",
            "full_name": "另一人",
            "username": "newworker",
            "unit": tree.grid_a1_1.code,
            "role": Role.GRID_WORKER,
        },
    )
    assert refused.status_code == 409
    assert 'value="另一人"' in refused.content.decode()
    outside = client.post(
        "/accounts/",
        {
            "kind": "posting",
            "full_name": "某人",
            "username": "other",
            "unit": tree.grid_b1_1.code,
            "role": Role.GRID_WORKER,
        },
    )
    assert outside.status_code == 400


def test_the_accounts_page_costs_the_same_for_one_account_as_for_six(
    client, personas, tree, pinned
):
    from civicgrid.volunteers import services as vs

    staff = personas["community"]
    client.force_login(staff)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            services.create_account(
                actor=staff,
                username=f"worker{i}",
                full_name=f"网格员{i}",
                unit=tree.grid_a1_2,
                role=Role.GRID_WORKER,
            )
            vs.register_volunteer(
                actor=staff,
                unit=tree.community_a1,
                data=vs.VolunteerData(name=f"志愿者{i}", phone=f"1350000{i:04d}"),
            )

    add(1, 0)
    pinned({"/accounts/": 8})
    add(5, 1)
    page = pinned({"/accounts/": 8})["/accounts/"]
    assert "网格员5" in page and "志愿者5" in page
