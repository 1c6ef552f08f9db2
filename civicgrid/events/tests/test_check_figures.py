"""`manage.py check_figures` (issue 15): every rollup recounted, drift named per unit and
counter, exit status 1 on drift and 0 when all agree."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from civicgrid.events.models import EventMonthRollup

pytestmark = pytest.mark.django_db


def test_clean_figures_pass(report):
    report()
    report()
    out = io.StringIO()
    call_command("check_figures", stdout=out)  # raises (exit status 1) on drift
    assert "Every figure equals its recount" in out.getvalue()


def test_a_tampered_rollup_row_is_named_and_fails(report, tree):
    report()
    EventMonthRollup.objects.filter(unit=tree.street_a).update(reported=F("reported") + 3)
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("check_figures", stdout=out)
    assert failure.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"unit {tree.street_a.code} EventMonthRollup(")
    assert lines[0].endswith(".reported: kept 4, recounted 1")


def test_a_missing_row_is_drift_too(report, tree):
    report()
    EventMonthRollup.objects.filter(unit=tree.district).delete()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_figures", stdout=out)
    assert f"unit {tree.district.code} EventMonthRollup(" in out.getvalue()
    assert ".reported: kept 0, recounted 1" in out.getvalue()
