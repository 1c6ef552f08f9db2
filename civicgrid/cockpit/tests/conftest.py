import datetime as dt

import pytest

# A month in the past, so that the counts of now (cases and needs open) stay out of it.
NOV = dt.date(2025, 11, 1)
OCT = dt.date(2025, 10, 1)
NOV_LAST_YEAR = dt.date(2024, 11, 1)


@pytest.fixture
def rolled(tree):
    """Rollup rows of every module in grid A1-1 (November and October 2025, November 2024)
    and in grid B1-1 (November 2025), as the services keep them."""
    from civicgrid.classes.models import ClassRollup
    from civicgrid.community.models import CommunityRollup
    from civicgrid.mediation.models import MediationRollup
    from civicgrid.party.models import PointsRollup
    from civicgrid.volunteers.models import VolunteerRollup

    def put(unit, month, classes, mediation, volunteers, community, points):
        ClassRollup.objects.create(unit=unit, month=month, **classes)
        MediationRollup.objects.create(unit=unit, month=month, **mediation)
        VolunteerRollup.objects.create(unit=unit, month=month, **volunteers)
        CommunityRollup.objects.create(unit=unit, month=month, **community)
        PointsRollup.objects.create(unit=unit, month=month, **points)

    put(
        tree.grid_a1_1,
        NOV,
        {"scheduled": 5, "held": 4, "attended": 60},
        {"received": 8, "mediated": 4, "agreed": 3},
        {"ordered": 10, "done": 7, "minutes": 630},
        {"needs": 6, "needs_met": 2, "projects_done": 1, "activities": 3, "people_served": 90},
        {"earned": 120, "redeemed": 40},
    )
    put(
        tree.grid_a1_1,
        OCT,
        {"scheduled": 2, "held": 2, "attended": 30},
        {"received": 4, "mediated": 2, "agreed": 2},
        {"ordered": 3, "done": 3, "minutes": 120},
        {"needs": 1, "needs_met": 1},
        {"earned": 20},
    )
    put(
        tree.grid_a1_1,
        NOV_LAST_YEAR,
        {"held": 1, "attended": 10},
        {"received": 1},
        {"ordered": 1},
        {"needs": 1},
        {"earned": 5},
    )
    put(
        tree.grid_b1_1,
        NOV,
        {"scheduled": 1, "held": 1, "attended": 7},
        {"received": 2, "mediated": 2, "agreed": 1},
        {"ordered": 2, "done": 2, "minutes": 60},
        {"needs_met": 5},
        {"earned": 3},
    )
    return tree
