"""A selection of street A (甲街道) taken to its voting period with explicit times: three
categories, four nominations (three approved, one rejected), the street's staff running it."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from civicgrid.org.roles import Role
from civicgrid.selections import services
from civicgrid.selections.models import Category, Nomination, Selection


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings (the browser test reads Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class Setup:
    selection: Selection
    start: dt.datetime
    categories: list[Category]
    # name -> nomination
    candidates: dict[str, Nomination] = field(default_factory=dict)
    rejected: Nomination | None = None

    def at(self, days: float) -> dt.datetime:
        """A moment `days` after the nominations opened."""
        return self.start + dt.timedelta(days=days)

    @property
    def voting(self) -> dt.datetime:
        """Noon of day 8 in Asia/Shanghai, inside the voting period (day 7 to day 30): a few
        hours later is still the same day, whatever the time the tests run at."""
        return timezone.localtime(self.at(8)).replace(hour=12, minute=0, second=0, microsecond=0)


def data(start: dt.datetime, rule: str = "daily", title: str = "最美如意人评选"):
    return services.SelectionData(
        title=title,
        nominations_open_at=start,
        nominations_close_at=start + dt.timedelta(days=5),
        voting_open_at=start + dt.timedelta(days=7),
        voting_close_at=start + dt.timedelta(days=30),
        vote_rule=rule,
    )


def build(staff, unit, *, rule: str = "daily", start: dt.datetime | None = None) -> Setup:
    """A selection of `unit` in its voting period: nominations opened at `start` (20 days ago by
    default, so voting is open now too), reviewed, voting opened on day 7."""
    start = start or timezone.now() - dt.timedelta(days=20)
    selection = services.create_selection(
        actor=staff,
        unit=unit,
        data=data(start, rule),
        categories=["最美志愿者", "优秀网格员", "最美家庭"],
        now=start - dt.timedelta(days=1),
    )
    setup = Setup(selection, start, list(selection.categories.all()))
    selection = services.open_nominations(actor=staff, selection=selection, now=start)
    volunteer, worker, family = setup.categories
    made = {
        "王秀兰": services.nominate(
            actor=staff,
            selection=selection,
            category=volunteer,
            name="王秀兰",
            story="退休教师，十年如一日为社区老人义务理发。",
            now=setup.at(1),
        ),
        "李建国": services.nominate(
            actor=None,
            selection=selection,
            category=volunteer,
            name="李建国",
            story="疫情期间每天为独居老人送菜。",
            nominator="张阿姨",
            phone="13800000001",
            now=setup.at(1),
        ),
        "赵敏": services.nominate(
            actor=staff,
            selection=selection,
            category=worker,
            name="赵敏",
            story="网格员，熟悉辖区每一户。",
            now=setup.at(2),
        ),
    }
    rejected = services.nominate(
        actor=None,
        selection=selection,
        category=family,
        name="某某",
        story="重复提名",
        nominator="路人",
        phone="13800000002",
        now=setup.at(2),
    )
    selection = services.close_nominations(actor=staff, selection=selection, now=setup.at(5))
    for name, nomination in made.items():
        setup.candidates[name] = services.approve_nomination(
            actor=staff, nomination=nomination, now=setup.at(6)
        )
    setup.rejected = services.reject_nomination(
        actor=staff, nomination=rejected, reason="事迹不实", now=setup.at(6)
    )
    setup.selection = services.open_voting(actor=staff, selection=selection, now=setup.at(7))
    return setup


@pytest.fixture
def staff(tree, make_user):
    """sam, staff of street A: runs the street's selections and those of its communities."""
    return make_user("sam", unit=tree.street_a, role=Role.STREET_STAFF)


@pytest.fixture
def other_staff(tree, make_user):
    """olga, staff of street B: sees none of street A's selections."""
    return make_user("olga", unit=tree.street_b, role=Role.STREET_STAFF)


@pytest.fixture
def setup(staff, tree) -> Setup:
    return build(staff, tree.street_a)


def voter(n: int) -> services.Voter:
    return services.voter_for(f"139{n:08d}")
