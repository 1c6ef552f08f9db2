"""The selection and nomination machines for the shared workflow property test
(civicgrid/tests/test_workflows.py): every step tried by the street's staff, a community's
staff below it, another street's staff, a grid worker and a login with no posting; the
candidates' counts always equal a recount of the valid votes."""

import datetime as dt
import itertools

from django.utils import timezone

from civicgrid.org.roles import Role
from civicgrid.selections import services
from civicgrid.selections.models import Anomaly, Outcome, Vote
from civicgrid.selections.tests.conftest import data
from civicgrid.tests.walking import Walk


def _cast(tree, make_user):
    return {
        "sam": make_user("sam", unit=tree.street_a, role=Role.STREET_STAFF),
        "cathy": make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "olga": make_user("olga", unit=tree.street_b, role=Role.STREET_STAFF),
        "gabe": make_user("gabe", unit=tree.grid_a1_1, role=Role.GRID_WORKER),
        "mallory": make_user("mallory"),
    }


def walk_selections(request) -> Walk:
    tree, make_user = request.getfixturevalue("tree"), request.getfixturevalue("make_user")
    people = _cast(tree, make_user)
    sam = people["sam"]
    counter = itertools.count()

    def start():
        return services.create_selection(
            actor=sam,
            unit=tree.street_a,
            data=data(timezone.now() - dt.timedelta(days=1)),
            categories=["最美志愿者"],
        )

    def candidate(selection):
        """A nomination approved at once (the selection takes nominations now)."""
        nomination = services.nominate(
            actor=sam,
            selection=selection,
            category=selection.categories.first(),
            name=f"候选人{next(counter)}",
            story="事迹",
            now=selection.nominations_open_at + dt.timedelta(hours=1),
        )
        return services.approve_nomination(actor=sam, nomination=nomination)

    def vote(actor, selection):
        """Votes from one address until it is flagged (the actor plays no part: residents
        vote without a login)."""
        nomination = selection.nominations.filter(status="approved").first()
        if nomination is None:
            return
        n = next(counter)
        now = selection.voting_open_at + dt.timedelta(minutes=n + 1)
        services.cast_vote(
            selection=selection,
            nomination=nomination,
            voter=services.voter_for(f"137{n:08d}"),
            ip="10.9.9.9",
            device=f"walk-device-{n:020d}",
            now=now,
        )

    def void(actor, selection):
        flag = Anomaly.objects.filter(selection=selection, outcome=Outcome.OPEN).first()
        if flag is None:
            flag = Anomaly.objects.create(
                selection=selection,
                kind="ip_burst",
                key=Vote.objects.filter(selection=selection)
                .values_list("ip_hash", flat=True)
                .first()
                or "none",
                since=selection.voting_open_at,
                until=selection.voting_close_at,
            )
        services.void_votes(actor=actor, anomaly=flag, reason="同一地址集中投票")

    steps = {
        "open_nominations": lambda a, s: services.open_nominations(
            actor=a, selection=s, now=s.nominations_open_at
        ),
        "nominate": lambda a, s: candidate(s),
        "close_nominations": lambda a, s: services.close_nominations(actor=a, selection=s),
        "open_voting": lambda a, s: services.open_voting(actor=a, selection=s),
        "vote": vote,
        "close_voting": lambda a, s: services.close_voting(actor=a, selection=s),
        "publish": lambda a, s: services.publish_results(actor=a, selection=s),
        "cancel": lambda a, s: services.cancel_selection(actor=a, selection=s, reason="取消"),
        "void_votes": void,
    }
    return Walk(start=start, steps=steps, people=people, recount=services.check_tallies)


def walk_nominations(request) -> Walk:
    tree, make_user = request.getfixturevalue("tree"), request.getfixturevalue("make_user")
    people = _cast(tree, make_user)
    sam = people["sam"]
    selection = services.create_selection(
        actor=sam,
        unit=tree.street_a,
        data=data(timezone.now() - dt.timedelta(days=1)),
        categories=["优秀网格员"],
    )
    selection = services.open_nominations(actor=sam, selection=selection)
    counter = itertools.count()

    def start():
        return services.nominate(
            actor=None,
            selection=selection,
            category=selection.categories.first(),
            name=f"提名{next(counter)}",
            story="事迹",
            nominator="居民",
            phone="13800000009",
        )

    steps = {
        "approve": lambda a, n: services.approve_nomination(actor=a, nomination=n),
        "reject": lambda a, n: services.reject_nomination(actor=a, nomination=n, reason="不符"),
    }
    return Walk(start=start, steps=steps, people=people, recount=services.check_tallies)


WALKS = {
    "selections.Selection": walk_selections,
    "selections.Nomination": walk_nominations,
}
