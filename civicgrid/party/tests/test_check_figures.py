"""`manage.py check_figures` recounts the party members' kept points and the monthly points
rows from the ledger (party/rollups.py), and names what differs."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from civicgrid.party import rollups, services
from civicgrid.party.models import PartyMember, PointKind, PointRule, PointsRollup

pytestmark = pytest.mark.django_db


def test_points_agree_with_the_ledger_then_drift_is_named(member, staff, tree):
    PointRule.objects.filter(kind=PointKind.OTHER).update(daily_cap=0, yearly_cap=0)
    entry = services.award_points(
        member=member, kind=PointKind.OTHER, points=10, day=dt.date(2020, 1, 6)
    )
    services.correct_points(actor=staff, entry=entry, points=-4, note="记错了")
    assert rollups.check_all() == []
    call_command("check_figures", stdout=io.StringIO())

    PartyMember.objects.filter(pk=member.pk).update(balance=5)
    PointsRollup.objects.filter(month=dt.date(2020, 1, 1)).update(earned=9)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_figures", stdout=out)
    lines = out.getvalue().splitlines()
    assert f"PartyMember({member.pk}).balance: kept 5, recounted 6" in lines
    assert (
        f"unit {member.unit_code} PointsRollup({member.unit_id}, 2020-01-01).earned: "
        "kept 9, recounted 10"
    ) in lines
    assert len(lines) == 2
