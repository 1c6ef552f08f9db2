"""Free text posted on any page arrives without control characters (core middleware), here a
visit's follow-up, which its service only trims."""

from civicgrid.people.models import Visit


def test_a_posted_follow_up_loses_its_control_characters(client, people, estate):
    client.force_login(people["alice"])
    response = client.post(
        f"/people/households/{estate.household.pk}/visit/",
        {"findings": "老人\x00独居", "follow_up": "下周\x0b再去\x1b看看\n带药"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.findings == "老人独居"
    assert visit.follow_up == "下周再去看看\n带药"
