"""The rules of a selection in its services: periods, one vote per phone per category (per day
or for the whole selection), codes that burn, limits per address and per device, no phone in
clear, anomaly flags, voiding, and counts that always equal a recount."""

import contextlib
import datetime as dt

import pytest
from django.db import connection

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.limits import TooMany
from civicgrid.selections import selectors, services
from civicgrid.selections.models import (
    Anomaly,
    AnomalyKind,
    Nomination,
    Outcome,
    SelectionStep,
    Tally,
    Vote,
)
from civicgrid.selections.tests.conftest import build, data, voter
from civicgrid.selections.workflow import NOMINATIONS, SELECTIONS

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


def device(n: int = 0) -> str:
    return f"device-{n:030d}"


def cast(setup, name="王秀兰", n=1, *, now=None, ip=IP, dev=None):
    return services.cast_vote(
        selection=setup.selection,
        nomination=setup.candidates[name],
        voter=voter(n),
        ip=ip,
        device=dev or device(n),
        now=now or setup.voting,
    )


def test_the_selection_walks_its_lifecycle_with_a_log_row_per_step(setup, staff):
    selection = setup.selection
    assert selection.status == "voting"
    assert SELECTIONS.check(selection) == []
    actions = list(
        SelectionStep.objects.filter(selection=selection).values_list("action", flat=True)
    )
    assert actions == ["create", "open_nominations", "close_nominations", "open_voting"]
    assert NOMINATIONS.check(setup.rejected) == [] and setup.rejected.reason == "事迹不实"
    selection = services.close_voting(actor=staff, selection=selection, now=setup.at(31))
    selection = services.publish_results(actor=staff, selection=selection, now=setup.at(32))
    assert selection.status == "closed" and selection.published_at == setup.at(32)


def test_periods_are_enforced(setup, staff):
    # No vote before the voting period opens or after it closes, though the status is voting.
    for moment in (setup.at(6.9), setup.at(30)):
        with pytest.raises(Conflict, match="Voting is not open"):
            cast(setup, now=moment)
    # No nomination outside the nomination period: voting now, and too late even if reopened.
    with pytest.raises(Conflict, match="not taking nominations"):
        services.nominate(
            actor=None,
            selection=setup.selection,
            category=setup.categories[0],
            name="迟到",
            story="事迹",
            nominator="居民",
            phone="13800000003",
            now=setup.at(8),
        )
    assert Vote.objects.count() == 0


def test_no_nomination_before_nominations_open(staff, tree, now=None):
    from django.utils import timezone

    start = timezone.now() + dt.timedelta(days=2)
    selection = services.create_selection(
        actor=staff, unit=tree.street_a, data=data(start), categories=["最美志愿者"]
    )
    selection = services.open_nominations(actor=staff, selection=selection)
    with pytest.raises(Conflict):
        services.nominate(
            actor=staff,
            selection=selection,
            category=selection.categories.get(),
            name="早到",
            story="事迹",
            now=start - dt.timedelta(hours=1),
        )
    made = services.nominate(
        actor=staff,
        selection=selection,
        category=selection.categories.get(),
        name="准时",
        story="事迹",
        now=start + dt.timedelta(hours=1),
    )
    assert made.status == "submitted"


def test_a_second_vote_the_same_day_is_refused_and_the_next_day_allowed(setup):
    cast(setup, now=setup.voting)
    # Another candidate of the same category, same phone, same day: refused.
    with pytest.raises(Conflict, match="already voted in this category today"):
        cast(setup, "李建国", now=setup.voting + dt.timedelta(hours=2))
    # Another category the same day: allowed.
    cast(setup, "赵敏", now=setup.voting + dt.timedelta(hours=2))
    # The next day: one again in the first category.
    cast(setup, "李建国", now=setup.voting + dt.timedelta(days=1))
    assert selectors.counts(setup.selection) == {
        setup.candidates["王秀兰"].pk: 1,
        setup.candidates["李建国"].pk: 1,
        setup.candidates["赵敏"].pk: 1,
    }


def test_once_per_selection_refuses_the_next_day_too(staff, tree):
    setup = build(staff, tree.street_a, rule="once")
    cast(setup)
    with pytest.raises(Conflict, match="already voted in this category of the selection"):
        cast(setup, "李建国", now=setup.voting + dt.timedelta(days=3))
    assert Vote.objects.count() == 1 and services.check_tallies() == []


def test_only_approved_candidates_get_votes(setup):
    with pytest.raises(InvalidInput):
        services.cast_vote(
            selection=setup.selection,
            nomination=setup.rejected,
            voter=voter(1),
            ip=IP,
            device=device(),
            now=setup.voting,
        )


def test_wrong_codes_burn_the_code_and_count_against_the_address(
    setup, outbox, sent_code, settings
):
    settings.VERIFICATION_CODE_TRIES = 3
    phone = "13912345678"
    services.request_vote_code(phone=phone, ip=IP)
    code = sent_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(InvalidInput):
            services.verify_voter(phone=phone, code=wrong, ip=IP, device=device())
    # Burnt: the right code no longer works.
    with pytest.raises(InvalidInput):
        services.verify_voter(phone=phone, code=code, ip=IP, device=device())
    # A fresh code works once, and only once.
    services.request_vote_code(phone=phone, ip=IP)
    fresh = sent_code(phone)
    proved = services.verify_voter(phone=phone, code=fresh, ip=IP, device=device())
    assert proved == services.voter_for(phone) and proved.masked == "139****5678"
    with pytest.raises(InvalidInput):
        services.verify_voter(phone=phone, code=fresh, ip=IP, device=device())


def test_wrong_guesses_from_one_address_are_limited(setup, outbox, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote_guess_ip": (2, 3600)}
    for n in range(2):
        with pytest.raises(InvalidInput):
            services.verify_voter(phone=f"1391234000{n}", code="123456", ip=IP, device=device())
    with pytest.raises(TooMany):
        services.verify_voter(phone="13912340009", code="123456", ip=IP, device=device())
    # Another address is not held back.
    with pytest.raises(InvalidInput):
        services.verify_voter(
            phone="13912340009", code="123456", ip="198.51.100.1", device=device()
        )


def test_code_requests_are_limited_per_phone_and_per_address(outbox, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code_phone": (2, 3600), "code_ip": (2, 3600)}
    # One phone: two codes, from any address; the third is refused.
    services.request_vote_code(phone="13911110000", ip="198.51.100.1")
    services.request_vote_code(phone="13911110000", ip="198.51.100.2")
    with pytest.raises(TooMany):
        services.request_vote_code(phone="13911110000", ip="198.51.100.3")
    # One address: two codes, for any phones; the third is refused.
    services.request_vote_code(phone="13911110001", ip=IP)
    services.request_vote_code(phone="13911110002", ip=IP)
    with pytest.raises(TooMany):
        services.request_vote_code(phone="13911110003", ip=IP)
    assert len(outbox) == 4


def test_votes_are_limited_per_address_and_per_device(setup, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote_ip": (2, 3600), "vote_device": (1, 86400)}
    cast(setup, n=1, dev=device(1))
    with pytest.raises(TooMany):
        cast(setup, "赵敏", n=1, dev=device(1), ip="198.51.100.4")  # the device's second
    cast(setup, n=2, dev=device(2))
    with pytest.raises(TooMany):
        cast(setup, n=3, dev=device(3))  # the address's third
    assert Vote.objects.count() == 2


def test_no_phone_is_stored_in_clear(setup, outbox, sent_code):
    phone = "13955557777"
    services.request_vote_code(phone=phone, ip=IP)
    proved = services.verify_voter(phone=phone, code=sent_code(phone), ip=IP, device=device())
    services.cast_vote(
        selection=setup.selection,
        nomination=setup.candidates["王秀兰"],
        voter=proved,
        ip=IP,
        device=device(),
        now=setup.voting,
    )
    nominator = "13800000001"
    dumped = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            dumped += [str(value) for row in cursor.fetchall() for value in row]
    text = "\n".join(dumped)
    for number in (phone, nominator, IP):
        assert number not in text
        assert number[3:] not in text
    vote = Vote.objects.get()
    assert len(vote.phone_hash) == 64 and vote.phone_hash == proved.phone_hash
    assert Nomination.objects.get(name="李建国").phone_masked == "138****0001"


def test_a_burst_from_one_address_is_flagged_and_voided(setup, staff, settings):
    settings.SELECTION_IP_BURST = (3, 600)
    for n in range(5):
        cast(setup, "王秀兰" if n % 2 else "赵敏", n=n, now=setup.voting + dt.timedelta(minutes=n))
    # A vote from elsewhere is not part of it.
    cast(setup, n=50, ip="198.51.100.9", now=setup.voting + dt.timedelta(minutes=3))
    flag = Anomaly.objects.get()
    assert flag.kind == AnomalyKind.IP_BURST and flag.outcome == Outcome.OPEN
    assert services.flagged_votes(flag).count() == 5
    flag = services.void_votes(
        actor=staff, anomaly=flag, reason="同一地址集中投票", now=setup.at(9)
    )
    assert flag.outcome == Outcome.VOIDED and flag.voided == 5
    assert selectors.counts(setup.selection) == {
        setup.candidates["王秀兰"].pk: 1,
        setup.candidates["李建国"].pk: 0,
        setup.candidates["赵敏"].pk: 0,
    }
    assert services.check_tallies() == []
    step = SelectionStep.objects.filter(selection=setup.selection).last()
    assert step.action == "void_votes" and step.details["votes"] == 5 and step.actor == staff
    assert SELECTIONS.check(setup.selection) == []
    with pytest.raises(Conflict):
        services.void_votes(actor=staff, anomaly=flag, reason="again")


def test_many_phones_from_one_device_are_flagged(setup, settings):
    settings.SELECTION_DEVICE_PHONES = 2
    for n in range(3):
        cast(setup, n=n, dev=device(99), ip=f"198.51.100.{n}")
    flag = Anomaly.objects.get()
    assert flag.kind == AnomalyKind.DEVICE_PHONES and services.flagged_votes(flag).count() == 3


def test_a_surge_for_one_candidate_is_flagged_and_may_be_dismissed(setup, staff, settings):
    settings.SELECTION_CANDIDATE_SURGE = (2, 300)
    for n in range(3):
        cast(setup, n=n, ip=f"198.51.100.{n}", now=setup.voting + dt.timedelta(seconds=n))
    flag = Anomaly.objects.get()
    assert flag.kind == AnomalyKind.CANDIDATE_SURGE
    assert flag.nomination == setup.candidates["王秀兰"]
    services.dismiss_anomaly(actor=staff, anomaly=flag)
    assert Tally.objects.get(nomination=setup.candidates["王秀兰"]).votes == 3


def test_only_the_selections_staff_void_or_step(setup, other_staff, people, settings):
    settings.SELECTION_IP_BURST = (1, 600)
    cast(setup, n=1)
    cast(setup, "赵敏", n=2)
    flag = Anomaly.objects.get()
    for outsider in (other_staff, people["alice"], people["dave"]):
        with pytest.raises(NotAllowed):
            services.void_votes(actor=outsider, anomaly=flag, reason="x")
        with pytest.raises(NotAllowed):
            services.close_voting(actor=outsider, selection=setup.selection)
    assert services.check_tallies() == []


def test_counts_equal_a_recount_after_many_votes(setup, staff, settings):
    settings.SELECTION_IP_BURST = (4, 600)
    names = ["王秀兰", "李建国", "赵敏"]
    for n in range(12):
        with contextlib.suppress(Conflict):  # the same phone twice the same day
            cast(
                setup,
                names[n % 3],
                n=n % 5,
                ip=f"198.51.100.{n % 2}",
                now=setup.voting + dt.timedelta(hours=n),
            )
    for flag in Anomaly.objects.all():
        services.void_votes(actor=staff, anomaly=flag, reason="复核")
    assert services.check_tallies() == []
    assert (
        sum(selectors.counts(setup.selection).values())
        == Vote.objects.filter(voided_at=None).count()
    )


def test_the_ranking_orders_by_votes(setup):
    cast(setup, "李建国", n=1)
    cast(setup, "李建国", n=2)
    cast(setup, "王秀兰", n=3)
    ranked = selectors.results(setup.selection)
    first = ranked[0]
    assert [(c.name, c.votes, c.rank) for c in first.candidates] == [
        ("李建国", 2, 1),
        ("王秀兰", 1, 2),
    ]


def test_bad_input_is_a_clear_error(staff, tree):
    from django.utils import timezone

    start = timezone.now()
    with pytest.raises(InvalidInput, match="close after they open"):
        bad = data(start)
        bad.nominations_close_at = start
        services.create_selection(actor=staff, unit=tree.street_a, data=bad, categories=["甲"])
    with pytest.raises(InvalidInput, match="at least one category"):
        services.create_selection(
            actor=staff, unit=tree.street_a, data=data(start), categories=[" "]
        )
    with pytest.raises(InvalidInput):
        services.create_selection(
            actor=staff, unit=tree.grid_a1_1, data=data(start), categories=["甲"]
        )
    selection = services.create_selection(
        actor=staff, unit=tree.street_a, data=data(start), categories=["甲"]
    )
    selection = services.open_nominations(actor=staff, selection=selection, now=start)
    with pytest.raises(InvalidInput, match="under 1000"):
        services.nominate(
            actor=staff,
            selection=selection,
            category=selection.categories.get(),
            name="长",
            story="字" * 1001,
            now=start + dt.timedelta(minutes=1),
        )
    with pytest.raises(InvalidInput):
        services.nominate(
            actor=None,
            selection=selection,
            category=selection.categories.get(),
            name="某",
            story="事迹",
            nominator="居民",
            phone="12345",
            now=start + dt.timedelta(minutes=1),
        )
