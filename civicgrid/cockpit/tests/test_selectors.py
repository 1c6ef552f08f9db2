import datetime as dt

import pytest
from django.http import Http404

from civicgrid.cockpit import selectors
from civicgrid.cockpit.figures import Period
from civicgrid.cockpit.tests.conftest import NOV
from civicgrid.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "kind", "first"),
    [
        ("2025-11", "month", dt.date(2025, 11, 1)),
        ("2025-q4", "quarter", dt.date(2025, 10, 1)),
        (" 2025 ", "year", dt.date(2025, 1, 1)),
    ],
)
def test_parse_period_reads_months_quarters_and_years(value, kind, first):
    period = selectors.parse_period(value)

    assert (period.kind, period.first) == (kind, first)


@pytest.mark.parametrize("value", ["2025-13", "2025-Q5", "25", "2025/11", "1999", "abc", "9999-01"])
def test_parse_period_refuses_anything_else_on_the_period_field(value):
    with pytest.raises(InvalidInput) as caught:
        selectors.parse_period(value)

    assert caught.value.field == "period"


def test_the_default_period_is_this_month(settings):
    period = selectors.parse_period("")

    assert period.kind == "month"
    assert period.first <= dt.date.today() + dt.timedelta(days=1)
    assert period.last >= dt.date.today() - dt.timedelta(days=1)


def test_who_may_see_the_overview(people, tree, make_user):
    from civicgrid.org.roles import Role

    leader = make_user("gina", unit=tree.grid_a1_1, role=Role.GRID_LEADER)

    assert selectors.may_see_overview(people["carol"])
    assert selectors.may_see_overview(people["dave"])
    assert selectors.may_see_overview(leader)
    assert not selectors.may_see_overview(people["alice"])  # a grid worker
    assert not selectors.may_see_overview(people["erin"])  # a department handler
    assert not selectors.may_see_overview(people["mallory"])


def test_overview_unit_is_404_outside_the_users_units(people, tree):
    carol = people["carol"]

    assert selectors.overview_unit(carol, tree.grid_a1_1.code) == tree.grid_a1_1
    with pytest.raises(Http404):
        selectors.overview_unit(carol, tree.street_b.code)
    with pytest.raises(Http404):
        selectors.overview_unit(carol, "999999")
    with pytest.raises(Http404):
        selectors.overview_unit(people["alice"], tree.grid_a1_1.code)


def test_overview_home_is_the_users_top_unit(people, tree):
    assert selectors.overview_home(people["carol"]) == tree.street_a
    assert selectors.overview_home(people["dave"]) == tree.district
    with pytest.raises(Http404):
        selectors.overview_home(people["alice"])


def test_overview_below_gives_each_unit_its_subtrees_figures(rolled, people):
    units = selectors.units_below(people["dave"], rolled.district)
    rows = selectors.overview_below(units, Period("month", NOV))

    assert [row.unit for row in rows] == [rolled.street_a, rolled.street_b]
    street_a, street_b = rows
    assert street_a.value("classes.held") == 4 and street_b.value("classes.held") == 1
    assert street_a.value("volunteers.hours") == 10.5
    assert street_b.value("community.needs_met") == 5
    assert street_a.value("mediation.success_rate") == 75.0
    assert street_a.cells["events.closure"].target is not None
    assert street_a.url.endswith(f"/overview/{rolled.street_a.code}/?period=2025-11")
    assert [f.key for f in street_a.ordered()] == selectors.COLUMN_KEYS


def test_overview_below_agrees_with_each_units_overview(rolled, people):
    from civicgrid.cockpit import figures

    period = Period("month", NOV)
    units = selectors.units_below(people["dave"], rolled.district)
    for row in selectors.overview_below(units, period):
        values = figures.overview(row.unit, period, compare=False).values()
        assert {key: row.value(key) for key in selectors.COLUMN_KEYS} == {
            key: values[key] for key in selectors.COLUMN_KEYS
        }


def test_overview_below_of_nothing_is_empty():
    assert selectors.overview_below([], Period("month", NOV)) == []


def test_units_below_leave_departments_and_micro_grids_out(people, tree):
    carol = people["carol"]

    assert selectors.units_below(carol, tree.street_a) == [tree.community_a1]
    assert selectors.units_below(carol, tree.grid_a1_1) == []


def test_sort_rows_puts_units_without_a_value_last(rolled, people):
    units = selectors.units_below(people["dave"], rolled.district)
    rows = selectors.overview_below(units, Period("month", NOV))

    by_held = selectors.sort_rows(rows, "classes.held", descending=False)
    assert [row.unit for row in by_held] == [rolled.street_b, rolled.street_a]
    by_closure = selectors.sort_rows(rows, "events.closure")
    assert [row.unit for row in by_closure] == [rolled.street_a, rolled.street_b]  # both None
    assert selectors.parse_sort("-classes.held") == ("classes.held", True)
    assert selectors.parse_sort("nonsense") == ("", False)


def test_trend_gives_twelve_months_up_to_the_period(rolled):
    rows = selectors.trend(rolled.street_a, Period("month", NOV))

    assert len(rows) == 12
    assert rows[0]["month"] == "2024-12" and rows[-1]["month"] == "2025-11"
    assert rows[-1]["attendances"] == 60 and rows[-2]["attendances"] == 30
    assert rows[-1]["hours"] == 10.5
