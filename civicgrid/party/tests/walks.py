"""The redemption machine for the shared workflow property test
(civicgrid/tests/test_workflows.py): a new member with points redeems an item; community and
street staff may hand it over or cancel it, a grid worker and a resident's login may not.
The recount: every balance is its ledger's sum, the rollup the ledgers' total, and the stock
what was not taken."""

import itertools

from django.db.models import Sum

from civicgrid.org.roles import Role
from civicgrid.party import rollups, services
from civicgrid.party.models import (
    BranchKind,
    PartyMember,
    PointsRollup,
    Redemption,
    RedemptionStatus,
)
from civicgrid.tests.walking import Walk

STOCK = 1000


def recount() -> list:
    wrong: list = rollups.check_all()  # balances and the monthly rows against the ledger
    rolled = PointsRollup.objects.aggregate(earned=Sum("earned"), redeemed=Sum("redeemed"))
    kept = PartyMember.objects.aggregate(earned=Sum("earned"), redeemed=Sum("redeemed"))
    if rolled != kept:
        wrong.append("PointsRollup")
    for item in {r.item for r in Redemption.objects.select_related("item")}:
        taken = item.redemptions.exclude(status=RedemptionStatus.CANCELLED)
        if item.stock + (taken.aggregate(q=Sum("quantity"))["q"] or 0) != STOCK:
            wrong.append(f"item {item.pk}")
    return wrong


def walk_redemptions(request) -> Walk:
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    make_user = request.getfixturevalue("make_user")
    staff = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    branch = services.save_branch(
        actor=staff, unit=tree.community_a1, name="第一党支部", kind=BranchKind.BRANCH
    )
    item = services.save_item(actor=staff, unit=tree.community_a1, name="米", points=5, stock=STOCK)
    numbers = itertools.count()

    def start():
        member = services.save_member(
            actor=staff, data=services.MemberData(name=f"党员{next(numbers)}", branch=branch)
        )
        services.award_by_hand(actor=staff, member=member, points=10, note="志愿服务")
        return services.redeem(actor=staff, member=member, item=item, quantity=2)

    steps = {
        "hand_over": lambda a, r: services.hand_over(actor=a, redemption=r),
        "cancel": lambda a, r: services.cancel_redemption(actor=a, redemption=r, reason="不要了"),
        "cancel_without_reason": lambda a, r: services.cancel_redemption(
            actor=a, redemption=r, reason=""
        ),
    }
    walkers = {
        "cathy": staff,
        "carol": people["carol"],
        "alice": people["alice"],
        "mallory": people["mallory"],
    }
    return Walk(start=start, steps=steps, people=walkers, recount=recount)


WALKS = {"party.Redemption": walk_redemptions}
