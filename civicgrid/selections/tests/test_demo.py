"""The demo's selection on the demo district's real units and the street's staff login: it
loads through the real services, once, in its voting period, with a rejected nomination, votes
whose counts equal a recount, and one flagged burst for the staff."""

import pytest
from django.contrib.auth import get_user_model

from civicgrid.org import services as org
from civicgrid.org.demo import DEMO_PASSWORD, DEMO_STREET
from civicgrid.org.divisions import import_divisions
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role
from civicgrid.selections import services
from civicgrid.selections.demo import TITLE, demo_part
from civicgrid.selections.models import Anomaly, Nomination, Selection, Vote
from civicgrid.selections.workflow import NOMINATIONS, SELECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db):
    import_divisions(["410102"], progress=False)
    user = get_user_model().objects.create_user(username="street", password=DEMO_PASSWORD)
    org.post_user(
        actor=None, user=user, unit=OrgUnit.objects.get(code=DEMO_STREET), role=Role.STREET_STAFF
    )
    return "410102"


def test_the_demo_selection_is_voting_with_candidates_votes_and_a_flag(district, client):
    line = demo_part(district, progress=False)
    assert "1 demo selection" in line
    selection = Selection.objects.get()
    assert selection.title == TITLE and selection.unit.code == DEMO_STREET
    assert selection.status == "voting" and SELECTIONS.check(selection) == []
    assert selection.categories.count() == 3
    assert Nomination.objects.filter(status="approved").count() == 7
    rejected = Nomination.objects.get(status="rejected")
    assert rejected.reason and NOMINATIONS.check(rejected) == []
    assert Vote.objects.count() > 100 and services.check_tallies() == []
    assert Anomaly.objects.filter(kind="ip_burst").count() == 1
    page = client.get(f"/vote/{selection.pk}/").content.decode()
    assert "王秀兰" in page and "王某" not in page
    # Loaded once.
    assert demo_part(district, progress=False) == ""
    assert Selection.objects.count() == 1
