"""Party pages refuse a form that names no row with a message, never a 500."""

from civicgrid.party.models import OrganisationalLife, PointEntry, Redemption, ShockTeam

# What a page answers for an id a form sends that is no id: a stale or altered form.
NO_SUCH_ITEM = "The form names an item that does not exist"


def test_a_non_numeric_redemption_to_hand_over_is_a_400_with_the_message(client, staff, tree):
    # It was a 500: the form value was parsed outside the service's error handling.
    client.force_login(staff)
    response = client.post(
        f"/party/u/{tree.community_a1.code}/shop/",
        {"action": "hand_over", "redemption": "abc"},
    )
    assert response.status_code == 400
    assert NO_SUCH_ITEM in response.content.decode()


def test_non_numeric_ids_in_party_forms_are_refused(client, staff, tree, branch, member, item):
    code = tree.community_a1.code
    team = {"action": "team", "name": "突击队", "purpose": "防汛"}
    meeting = {"kind": "general_meeting", "topic": "学习", "class_hours": "1"}
    posts = [
        (f"/party/u/{code}/", team | {"leader": "abc"}),
        (f"/party/u/{code}/", team | {"members": ["abc"]}),
        (f"/party/u/{code}/shop/", {"action": "cancel", "redemption": "abc"}),
        (f"/party/branches/{branch.pk}/", meeting | {"attendees": [str(member.pk), "abc"]}),
        (f"/party/members/{member.pk}/", {"action": "correct", "entry": "abc", "points": "1"}),
        (f"/party/members/{member.pk}/", {"action": "redeem", "item": "abc"}),
    ]
    client.force_login(staff)
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code in {200, 400}, (url, data)
        assert NO_SUCH_ITEM in response.content.decode(), (url, data)
    assert not ShockTeam.objects.exists()
    assert not OrganisationalLife.objects.exists()
    assert not PointEntry.objects.exists() and not Redemption.objects.exists()


def test_a_year_that_is_no_year_is_a_400_not_a_500(client, staff, branch):
    client.force_login(staff)
    for year in ("abc", "99999"):
        response = client.get(f"/party/branches/{branch.pk}/?year={year}")
        assert response.status_code == 400, year
    assert client.get(f"/party/branches/{branch.pk}/?year=2025").status_code == 200
