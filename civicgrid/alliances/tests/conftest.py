"""Street A's joint committee (大工委) with two member units, and community B1's staff, who must
not see it."""

from dataclasses import dataclass

import pytest

from civicgrid.alliances import services
from civicgrid.org.roles import Role


@dataclass
class Alliance:
    committee: object
    school: object
    hospital: object
    outsider: object


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def alliance(tree, people, make_user) -> Alliance:
    carol = people["carol"]
    committee = services.save_committee(
        actor=carol, unit=tree.street_a, name="甲街道大工委", kind="work_committee"
    )
    school = services.add_member_unit(
        actor=carol, committee=committee, name="甲一小学", kind="school", offer="操场、礼堂"
    )
    hospital = services.add_member_unit(
        actor=carol, committee=committee, name="甲街道社区医院", kind="hospital"
    )
    outsider = make_user("grace", unit=tree.community_b1, role=Role.COMMUNITY_STAFF)
    return Alliance(committee, school, hospital, outsider)
