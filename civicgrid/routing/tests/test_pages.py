"""The routing models' pages: who reads them, what they show, roll-back and retraining."""

import pytest

from civicgrid.org.roles import Role
from civicgrid.routing import services
from civicgrid.routing.models import Classifier, ClassifierStatus, Target
from civicgrid.routing.tests.conftest import CODES, SAID

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(tree, make_user):
    return make_user("dina", unit=tree.district, role=Role.DISTRICT_STAFF, is_staff=True)


@pytest.fixture
def two_versions(routing_settings, close_events):
    import datetime as dt

    rows = [(t, CODES[label], None) for label, texts in SAID.items() for t in texts]
    close_events(rows)
    first = services.train_deployment(Target.CATEGORY).classifier
    close_events(rows, since=dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC))
    second = services.train_deployment(Target.CATEGORY, force=True).classifier
    return first, second


def test_district_staff_see_the_figures(client, district, two_versions, pinned):
    client.force_login(district)
    bodies = pinned({"/routing/": 5, "/routing/categories/": 8})
    listing, page = bodies["/routing/"], bodies["/routing/categories/"]
    assert 'href="/routing/categories/"' in listing
    assert 'action="/routing/categories/retrain/"' in listing
    assert 'id="per-label"' in page and "井盖破损" in page
    assert 'id="confusion"' in page and 'id="versions"' in page
    assert "5-fold" in page or "5 折" in page


def test_the_list_costs_the_same_with_more_models(client, district, two_versions, labelled, pinned):
    from django.core.management import call_command

    client.force_login(district)
    pinned({"/routing/": 5})
    for name in ("board", "desk"):
        call_command("train_router", "--name", name, "--file", str(labelled), verbosity=0)
    pinned({"/routing/": 5})


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_street_staff_and_the_leader_read_without_buttons(client, people, two_versions, who):
    client.force_login(people[who])
    page = client.get("/routing/categories/").content.decode()
    assert 'id="per-label"' in page
    assert "roll-back" not in page and "retrain" not in page


@pytest.mark.parametrize("who", ["alice", "erin", "mallory"])
def test_others_get_404(client, people, two_versions, who):
    client.force_login(people[who])
    assert client.get("/routing/").status_code == 404
    assert client.get("/routing/categories/").status_code == 404


def test_a_missing_model_is_404(client, district):
    client.force_login(district)
    assert client.get("/routing/nothing/").status_code == 404


def test_district_staff_roll_back_from_the_page(client, district, two_versions):
    first, second = two_versions
    client.force_login(district)
    active = Classifier.objects.get(name="categories", status=ClassifierStatus.ACTIVE)
    other = first if active.pk != first.pk else second
    response = client.post(f"/routing/categories/v{other.number}/roll-back/", follow=True)
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.status == ClassifierStatus.ACTIVE
    # Rolling back to the active one is refused with a message, not a 500.
    response = client.post(f"/routing/categories/v{other.number}/roll-back/", follow=True)
    assert response.status_code == 200 and "error" in response.content.decode()


def test_only_district_staff_roll_back(client, people, two_versions):
    first, _second = two_versions
    client.force_login(people["carol"])
    assert client.post(f"/routing/categories/v{first.number}/roll-back/").status_code == 404


def test_retrain_now_trains_a_new_version(
    client, district, two_versions, django_capture_on_commit_callbacks
):
    client.force_login(district)
    before = Classifier.objects.filter(name="categories").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/routing/categories/retrain/", follow=True)
    assert response.status_code == 200
    assert Classifier.objects.filter(name="categories").count() == before + 1
    assert client.post("/routing/board/retrain/").status_code == 404
