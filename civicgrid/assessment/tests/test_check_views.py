"""The 查/听 pages: the assessor draws, marks, reviews and inspects through them; another
street's staff and the grid workers get a 404 for every page and photo, like a missing plan;
a read-only leader reads without forms; bad input is a message, never a 500."""

import pytest

from civicgrid.assessment import checks
from civicgrid.assessment.models import Draw, Inspection, SpotCheckItem
from civicgrid.assessment.tests.check_setup import (
    ASPECTS,
    build,
    jpeg,
    ledger,
    sample_all,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup(tree, people, make_user):
    return build(tree, people, make_user)


def pages(setup, tree) -> list[str]:
    pk = setup.plan.pk
    return [
        f"/assessment/plans/{pk}/check/",
        f"/assessment/plans/{pk}/check/grids/{tree.grid_a1_1.code}/",
        f"/assessment/plans/{pk}/check/cross/",
        f"/assessment/plans/{pk}/inspections/",
        f"/assessment/plans/{pk}/inspections/new/",
    ]


def test_another_streets_staff_and_the_workers_get_404_everywhere(client, setup, tree, people):
    sample_all(setup, tree)
    inspection = checks.record_inspection(
        actor=setup.carol,
        plan=setup.plan,
        plan_worker=setup.alice,
        aspects=ASPECTS,
        photos=[jpeg()],
    )
    photo = f"/assessment/inspection-photos/{inspection.photos.get().pk}/"
    client.force_login(setup.carol)
    for url in [*pages(setup, tree), photo]:
        assert client.get(url).status_code == 200, url
    for outsider in (setup.sven, people["alice"], people["mallory"]):
        client.force_login(outsider)
        for url in [*pages(setup, tree), photo]:
            assert client.get(url).status_code == 404, (outsider, url)
        response = client.post(pages(setup, tree)[0], {"kind": "communities", "count": "1"})
        assert response.status_code == 404
    assert Draw.objects.filter(kind="communities").count() == 1


def test_the_assessor_draws_on_the_page_and_the_log_shows_it(client, setup, tree):
    client.force_login(setup.carol)
    url = pages(setup, tree)[0]
    response = client.post(url, {"kind": "communities", "count": "2", "seed": "会上宣读"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    drawn = Draw.objects.get()
    assert "Drawn and logged." in body and "会上宣读" in body
    assert f'data-draw="{drawn.pk}"' in body and 'id="draw-grids"' in body
    assert "How to re-draw it yourself" in body and tree.community_a1.code in body
    # Again without a reason: refused with the message, nothing logged.
    body = client.post(url, {"kind": "communities", "count": "1"}, follow=True).content.decode()
    assert "say why it is drawn again" in body and Draw.objects.count() == 1
    client.post(url, {"kind": "grids", "count": "3"})
    body = client.get(url).content.decode()
    for grid in (tree.grid_a1_1, tree.grid_a1_2, setup.grid_a2_1):
        assert f'data-grid="{grid.code}"' in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "communities", "count": "x"}, "Enter a whole number"),
        ({"kind": "communities", "count": "0"}, "Draw at least one"),
        ({"kind": "communities", "count": "9"}, "Cannot draw 9 of 2"),
        ({"kind": "nothing", "count": "1"}, "Choose what to draw"),
        ({"kind": "communities", "count": "1", "seed": "x" * 65}, "at most 64"),
        ({"kind": "grids", "count": "1"}, "communities first"),
    ],
)
def test_bad_draws_are_a_message_not_a_500(client, setup, tree, data, message):
    client.force_login(setup.carol)
    response = client.post(pages(setup, tree)[0], data, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Draw.objects.exists()


def test_a_read_only_leader_reads_without_forms_and_cannot_write(client, setup, tree, people):
    sample_all(setup, tree)
    client.force_login(people["dave"])
    body = client.get(pages(setup, tree)[0]).content.decode()
    assert 'id="draw-log"' in body and 'id="draw-communities"' not in body
    response = client.post(
        pages(setup, tree)[0], {"kind": "communities", "count": "1"}, follow=True
    )
    assert "Only the assessors" in response.content.decode()
    assert Draw.objects.filter(kind="communities").count() == 1


def test_the_spot_check_page_marks_rows_right_and_wrong(client, setup, tree, people):
    ledger(tree.grid_a1_1)
    sample_all(setup, tree)
    client.force_login(setup.carol)
    url = pages(setup, tree)[1]
    client.post(url, {"action": "draw", "kind": "ledger", "count": "3"})
    body = client.get(url).content.decode()
    items = list(SpotCheckItem.objects.order_by("pk"))
    assert len(items) == 3 and all(item.label in body for item in items)
    assert "张建国" not in body and "张**" in body
    check = items[0].spot_check
    data = {"action": "mark", "spot_check": str(check.pk), "remarks": "入户核对"}
    data |= {f"correct-{items[0].pk}": "wrong", f"remark-{items[0].pk}": "电话已变更"}
    data |= {f"correct-{items[1].pk}": "right"}
    assert client.post(url, data).status_code == 302
    marked = {item.pk: (item.correct, item.remark) for item in SpotCheckItem.objects.all()}
    assert marked[items[0].pk] == (False, "电话已变更")
    assert marked[items[1].pk] == (True, "") and marked[items[2].pk] == (None, "")
    # The read-only leader reads the results, not the rows: a surname beside a full address
    # would point at the household.
    client.force_login(people["dave"])
    body = client.get(url).content.decode()
    assert "张**" not in body and all(item.label not in body for item in items)
    client.force_login(setup.carol)
    # A grid outside the sample is a 404.
    client.post(
        pages(setup, tree)[0], {"kind": "communities", "count": "1", "seed": "a", "reason": "x"}
    )
    other = f"/assessment/plans/{setup.plan.pk}/check/grids/410102002001001/"
    assert client.get(other).status_code == 404


def test_the_inspection_form_records_and_lists_it(client, setup, tree):
    client.force_login(setup.carol)
    url = pages(setup, tree)[4]
    data = {"plan_worker": str(setup.bob.pk), "place": "甲一社区2号楼", "remarks": "在岗"}
    for aspect, (score, remark) in ASPECTS.items():
        data[f"score-{aspect}"] = score
        data[f"remark-{aspect}"] = remark
    bad = {**data, "score-service": "30"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "from 0 to 25" in response.content.decode()
    assert "甲一社区2号楼" in response.content.decode()  # the form keeps what was typed
    response = client.post(url, {**data, "photos": [jpeg()]})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.plan_worker == setup.bob and inspection.score == 85.5
    body = client.get(pages(setup, tree)[3]).content.decode()
    assert f'data-inspection="{inspection.pk}"' in body and "85.5" in body
    assert f"/assessment/inspection-photos/{inspection.photos.get().pk}/" in body
    response = client.post(url, {**data, "plan_worker": "999999"})
    assert response.status_code == 404


def test_the_cross_boundary_page_saves_a_review(client, setup, tree, people):
    from civicgrid.assessment.tests.test_check_services import cross_event

    sample_all(setup, tree)
    event = cross_event(people["alice"], setup.carol)
    client.force_login(setup.carol)
    url = pages(setup, tree)[2]
    body = client.get(url).content.decode()
    assert f'data-event="{event.number}"' in body
    client.post(url, {"event": str(event.pk), "quality": "ordinary", "remark": "描述清楚"})
    body = client.get(url).content.decode()
    assert 'data-quality="ordinary"' in body and "描述清楚" in body
    response = client.post(url, {"event": str(event.pk), "quality": "x"}, follow=True)
    assert "Choose the quality" in response.content.decode()
