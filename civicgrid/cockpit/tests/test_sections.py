"""Every module's section of the overview reads its rollups for the unit's subtree and period,
compares with the previous period and last year, and links to the list behind each figure."""

import datetime as dt

from civicgrid.cockpit import figures
from civicgrid.cockpit.figures import Period
from civicgrid.cockpit.tests.conftest import NOV


def test_it_sums_each_module_over_the_subtree_with_comparisons(rolled):
    found = figures.overview(rolled.street_a, Period("month", NOV))

    held = found.figure("classes.held")
    assert (held.value, held.previous, held.last_year) == (4, 2, 1)
    assert held.change == 2 and held.change_last_year == 3
    assert found.figure("classes.attendances").value == 60
    assert found.figure("mediation.received").value == 8
    assert found.figure("mediation.success_rate").value == 75.0
    assert found.figure("mediation.success_rate").previous == 100.0
    assert found.figure("volunteers.hours").value == 10.5
    assert found.figure("volunteers.served").value == 7
    assert found.figure("points.earned").value == 120
    assert found.figure("points.redeemed").value == 40
    assert found.figure("community.needs_met").value == 2
    assert found.figure("community.people_served").value == 90


def test_it_counts_every_street_for_the_district(rolled):
    values = figures.overview(rolled.district, Period("month", NOV), compare=False).values()

    assert values["classes.held"] == 5
    assert values["mediation.success_rate"] == round(100 * 4 / 6, 1)
    assert values["community.needs_met"] == 7
    assert values["volunteers.hours"] == 11.5


def test_it_leaves_other_streets_out(rolled):
    values = figures.overview(rolled.street_b, Period("month", NOV), compare=False).values()

    assert values["classes.held"] == 1
    assert values["points.earned"] == 3


def test_a_quarter_sums_its_months(rolled):
    values = figures.overview(rolled.street_a, Period.parse("2025-Q4"), compare=False).values()

    assert values["classes.held"] == 6
    assert values["mediation.received"] == 12


def test_each_figure_links_to_its_list_with_unit_and_period(rolled):
    found = figures.overview(rolled.street_a, Period("month", NOV), compare=False)

    code = rolled.street_a.code
    reported = found.figure("events.reported").url
    assert reported == f"/events/dashboard/{code}/?start=2025-11-01&end=2025-11-30"
    assert found.figure("events.overdue").url == f"/events/board/{code}/?overdue=1"
    assert found.figure("classes.held").url == f"/classes/u/{code}/figures/?from=2025-11&to=2025-11"
    assert found.figure("mediation.received").url.startswith(f"/mediation/u/{code}/figures/?")
    assert found.figure("people.persons").url == f"/people/units/{code}/"
    assert all(f.url for section in found.sections for f in section.figures)


def test_counts_of_now_only_for_a_current_period(rolled):
    past = figures.overview(rolled.street_a, Period("month", NOV), compare=False).values()
    today = dt.date.today()
    now = figures.overview(
        rolled.street_a, Period.containing("month", today), compare=False
    ).values()

    assert "mediation.open" not in past and "community.needs_open" not in past
    assert now["mediation.open"] == 0 and now["community.needs_open"] == 0


def test_whistles_only_where_departments_are(rolled):
    street = figures.overview(rolled.street_a, Period("month", NOV), compare=False)
    community = figures.overview(rolled.community_a1, Period("month", NOV), compare=False)

    assert street.figure("whistles.received").value == 0
    assert street.figure("whistles.on_time_rate").value is None
    assert "whistles" not in [section.key for section in community.sections]


def test_assessment_shows_only_with_scored_workers(rolled):
    found = figures.overview(rolled.street_a, Period("month", NOV), compare=False)

    assert "assessment" not in [section.key for section in found.sections]


def test_organisational_life_compliance_is_held_over_due(rolled):
    from civicgrid.party.models import Branch, LifeKind, OrganisationalLife

    branch = Branch.objects.create(unit=rolled.community_a1, name="甲一社区党支部", kind="branch")
    for kind in (
        LifeKind.GENERAL_MEETING,
        LifeKind.COMMITTEE_MEETING,
        LifeKind.GROUP_MEETING,
        LifeKind.THEME_DAY,
        LifeKind.THEME_DAY,  # a second one owes nothing more
    ):
        OrganisationalLife.objects.create(
            unit=rolled.community_a1, branch=branch, kind=kind, held_on=NOV, topic="学习"
        )

    values = figures.overview(rolled.street_a, Period("month", NOV), compare=False).values()

    # Due in a month: a third of each quarterly kind, one of each monthly kind (3⅔); held up
    # to what is due: ⅓ + 1 + 1 + 1.
    assert values["party.meetings"] == 5
    assert values["party.life_compliance"] == round(100 * (1 / 3 + 3) / (2 / 3 + 3), 1)
    assert values["party.study_hours"] == 0
