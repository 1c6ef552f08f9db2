"""Separation of duties: nobody verifies or grades their own work, ratings come from the
reporter or from a follow-up call recorded as such, and on-the-spot handling (即报即办) counts
as what it is."""

import pytest

from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.events import rollups, selectors, services
from civicgrid.events.models import EventStep, Status
from civicgrid.events.tests.conftest import A1_1, jpeg
from civicgrid.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _resolved_by(event, dispatcher, worker):
    event = services.accept_event(actor=dispatcher, event=event)
    event = services.dispatch_event(actor=dispatcher, event=event, handler_user=worker)
    event = services.sign_event(actor=worker, event=event)
    return services.resolve_event(actor=worker, event=event, note="已清理", photos=[jpeg()])


def _closed(event, staff):
    event = _resolved_by(event, staff["frank"], staff["alice"])
    event = services.verify_event(actor=staff["frank"], event=event, passed=True)
    return services.close_event(actor=staff["frank"], event=event)


def test_nobody_verifies_their_own_resolution(report, staff, make_user, tree):
    # A grid leader may dispatch and verify, but not what they resolved themselves.
    leader = make_user("lena", unit=tree.community_a1, role=Role.GRID_LEADER)
    event = _resolved_by(report(), staff["frank"], leader)
    assert services.allowed_actions(leader, event) == []
    for passed, note in ((True, ""), (False, "还没好")):
        with pytest.raises(NotAllowed) as caught:
            services.verify_event(actor=leader, event=event, passed=passed, note=note)
        assert "resolved this event yourself" in caught.value.message
    assert event.steps.count() == 5
    event = services.verify_event(actor=staff["frank"], event=event, passed=True)
    assert event.status == Status.VERIFIED


def test_the_refusal_reads_in_chinese(report, staff, make_user, tree):
    from django.utils import translation

    leader = make_user("lena", unit=tree.community_a1, role=Role.GRID_LEADER)
    event = _resolved_by(report(), staff["frank"], leader)
    with translation.override("zh-hans"), pytest.raises(NotAllowed) as caught:
        services.verify_event(actor=leader, event=event, passed=True)
    assert "核查" in caught.value.message


def test_a_grid_worker_verifies_only_what_a_department_handled_for_their_report(
    report, staff, tree
):
    alice, bob, erin, frank = staff["alice"], staff["bob"], staff["erin"], staff["frank"]
    ours = _resolved_by(report(), frank, bob)
    # Resolved by a fellow grid worker: the community verifies, not the reporter.
    assert services.allowed_actions(alice, ours) == []
    with pytest.raises(NotAllowed):
        services.verify_event(actor=alice, event=ours, passed=True)

    whistled = services.accept_event(actor=frank, event=report())
    whistled = services.whistle_event(
        actor=frank, event=whistled, kind="routine", departments=[tree.police_a]
    )
    whistled = services.report_in(actor=erin, event=whistled)
    whistled = services.resolve_event(actor=erin, event=whistled, note="已劝离", photos=[jpeg()])
    assert "verify" in services.allowed_actions(alice, whistled)
    assert "verify" not in services.allowed_actions(erin, whistled)
    assert "verify" not in services.allowed_actions(bob, whistled)  # not the reporter
    assert list(selectors.to_verify_for(alice)) == [whistled]
    assert set(selectors.to_verify_for(frank)) == {ours, whistled}
    services.verify_event(actor=alice, event=whistled, passed=True)


def test_district_staff_get_no_district_wide_list_to_verify(report, staff, make_user, tree):
    district = make_user("dora", unit=tree.district, role=Role.DISTRICT_STAFF)
    event = _resolved_by(report(), staff["frank"], staff["alice"])
    assert list(selectors.to_verify_for(district)) == []
    assert "verify" not in services.allowed_actions(district, event)
    assert list(selectors.to_verify_for(staff["carol"])) == [event]  # the street's own
    assert list(selectors.to_verify_for(staff["alice"])) == []  # she resolved it


def test_staff_may_not_rate_as_if_they_were_the_resident(report, staff):
    event = _closed(report(), staff)
    with pytest.raises(NotAllowed) as caught:
        services.rate_event(
            actor=staff["carol"], event=event, solved=True, satisfaction="satisfied"
        )
    assert "follow-up call" in caught.value.message
    # The grid worker who reported (and handled) it is not offered the rating at all.
    assert "rate" not in services.allowed_actions(staff["alice"], event)
    with pytest.raises(NotAllowed):
        services.rate_event(
            actor=staff["alice"],
            event=event,
            channel="follow_up_call",
            solved=True,
            satisfaction="satisfied",
        )
    assert event.steps.filter(action="rate").count() == 0


def test_a_staff_reporter_does_not_grade_their_own_report(report, staff):
    event = _closed(report(actor=staff["frank"]), staff)
    with pytest.raises(NotAllowed) as caught:
        services.rate_event(
            actor=staff["frank"],
            event=event,
            channel="follow_up_call",
            solved=True,
            satisfaction="satisfied",
        )
    assert "You reported this event" in caught.value.message


def test_a_follow_up_call_is_recorded_with_who_called(report, staff):
    event = _closed(report(), staff)
    assert "rate" in services.allowed_actions(staff["carol"], event)
    event = services.rate_event(
        actor=staff["carol"],
        event=event,
        channel="follow_up_call",
        solved=True,
        satisfaction="basically_satisfied",
        comment="电话回访",
    )
    assert event.status == Status.RATED and event.rating_channel == "follow_up_call"
    step = EventStep.objects.get(event=event, action="rate")
    assert step.actor == staff["carol"]
    assert step.details["channel"] == "follow_up_call"
    assert step.details["caller"] == staff["carol"].pk


def test_the_reporter_rates_through_the_tracking_link(staff, category):
    event = services.report_event(
        actor=None,
        title="楼下消防通道堵了",
        category=category,
        lon=A1_1[0],
        lat=A1_1[1],
        reporter_phone="13812345678",
    )
    event = _closed(event, staff)
    event = services.rate_event(
        actor=None,
        token=event.token,
        reporting_browser=True,
        event=event,
        solved=True,
        satisfaction="satisfied",
    )
    assert event.status == Status.RATED and event.rating_channel == "resident"
    step = EventStep.objects.get(event=event, action="rate")
    assert step.actor is None and step.details["channel"] == "resident"


def test_a_resident_account_rates_their_own_report_only(staff, category, make_user):
    resident = make_user("rita")  # no posting: a resident's own login
    neighbour = make_user("nina")
    event = services.report_event(
        actor=resident, title="消防通道被堵", category=category, lon=A1_1[0], lat=A1_1[1]
    )
    event = _closed(event, staff)
    with pytest.raises(NotAllowed):
        services.rate_event(actor=neighbour, event=event, solved=True, satisfaction="satisfied")
    event = services.rate_event(actor=resident, event=event, solved=True, satisfaction="satisfied")
    assert event.rating_channel == "resident"


# ---- on-the-spot handling (即报即办) ---------------------------------------------------------


def _on_the_spot(staff, category, **fields):
    values = {
        "actor": staff["alice"],
        "title": "楼道杂物已清理",
        "category": category,
        "lon": A1_1[0],
        "lat": A1_1[1],
        "photos": [jpeg("before.jpg")],
        "after_photos": [jpeg("after.jpg")],
        "resolution": "当场清理",
        "on_the_spot": True,
    }
    return services.report_event(**(values | fields))


def test_on_the_spot_needs_both_photos_and_a_grid_worker(staff, category):
    with pytest.raises(InvalidInput) as caught:
        _on_the_spot(staff, category, after_photos=[])
    assert caught.value.field == "after_photos"
    with pytest.raises(InvalidInput) as caught:
        _on_the_spot(staff, category, photos=[])
    assert caught.value.field == "photos"
    with pytest.raises(InvalidInput) as caught:
        _on_the_spot(staff, category, resolution=" ")
    assert caught.value.field == "note"
    with pytest.raises(NotAllowed):
        _on_the_spot(staff, category, actor=staff["frank"])  # community staff do not patrol
    with pytest.raises(NotAllowed):
        _on_the_spot(staff, category, actor=None, reporter_phone="13812345678")


def test_on_the_spot_closes_in_one_step_and_counts_in_the_rates(staff, category, settings):
    settings.SPOT_CHECK_SHARE = 0
    event = _on_the_spot(staff, category)
    assert event.status == Status.CLOSED and event.on_the_spot and not event.spot_check
    assert event.closed_at == event.reported_at == event.responded_at
    step = event.steps.get()
    assert (step.action, step.from_status, step.to_status) == ("report_handled", "", "closed")
    assert sorted(event.photos.values_list("stage", flat=True)) == ["after", "before"]
    assert all(photo.step_id == step.pk for photo in event.photos.all())
    assert "rate" not in services.allowed_actions(staff["alice"], event)

    settings.SPOT_CHECK_SHARE = 1
    checked = _on_the_spot(staff, category)
    assert checked.status == Status.RESOLVED and checked.spot_check
    # The community checks it; the reporter, who did the work, may not.
    assert "verify" not in services.allowed_actions(staff["alice"], checked)
    assert list(selectors.to_verify_for(staff["frank"])) == [checked]
    checked = services.verify_event(actor=staff["frank"], event=checked, passed=True)
    services.close_event(actor=staff["frank"], event=checked)

    figures = selectors.figures_for(staff["alice"].postings.get().unit, *_this_year(event))
    assert figures.counts["on_the_spot"] == 2
    assert figures.counts["spot_checks"] == 1
    assert figures.counts["closed"] == 2
    assert figures.counts["responded_on_time"] == 2


def _this_year(event):
    from django.utils import timezone

    day = timezone.localtime(event.reported_at).date()
    return day.replace(month=1, day=1), day.replace(month=12, day=31)


def test_rebuild_equals_the_incremental_rows_with_on_the_spot_events(
    staff, category, report, settings
):
    for share in (0, 1, 0, 1):
        settings.SPOT_CHECK_SHARE = share
        _on_the_spot(staff, category)
    checked = selectors.to_verify_for(staff["frank"]).first()
    services.verify_event(actor=staff["frank"], event=checked, passed=False, note="没清干净")
    _closed(report(), staff)
    incremental = {model: rollups.stored(model, keys) for model, keys, _above in rollups.GRAINS}
    assert rollups.check_all() == []
    rollups.rebuild()
    assert {model: rollups.stored(model, keys) for model, keys, _ in rollups.GRAINS} == (
        incremental
    )
    assert any("on_the_spot" in row for row in incremental[rollups.GRAINS[1][0]].values())


def test_the_spot_check_share_is_honoured_and_reproducible(settings):
    settings.SECRET_KEY = "a fixed key for this test"
    numbers = [f"E20261116-{n:06d}" for n in range(1, 2001)]
    drawn = [services.spot_check_drawn(number, 0.2) for number in numbers]
    assert drawn == [services.spot_check_drawn(number, 0.2) for number in numbers]
    assert 0.17 < sum(drawn) / len(drawn) < 0.23
    assert not any(services.spot_check_drawn(number, 0) for number in numbers[:50])
    assert all(services.spot_check_drawn(number, 1) for number in numbers[:50])
    settings.SPOT_CHECK_SHARE = 0.5
    half = [services.spot_check_drawn(number) for number in numbers]
    assert 0.45 < sum(half) / len(half) < 0.55
    # Every event drawn at 20 % is drawn at 50 % too: raising the share only adds checks.
    assert all(h for d, h in zip(drawn, half, strict=True) if d)


def test_staff_who_reported_are_told_of_the_closure_not_asked_to_rate(report, staff):
    import datetime as dt

    from civicgrid.events import deadlines
    from civicgrid.messaging.models import Notification

    event = _closed(report(), staff)
    texts = list(Notification.objects.filter(user=staff["alice"]).values_list("text", flat=True))
    assert f"Closed: {event.number}" in texts
    assert not any("rate" in text for text in texts)
    assert deadlines.ask_ratings(now=event.closed_at + dt.timedelta(days=4)) == 1
    assert not Notification.objects.filter(user=staff["alice"], text__contains="rate").exists()


def test_synthetic_history_has_on_the_spot_events_that_keep_every_invariant(tree):
    from civicgrid.events.models import Event
    from civicgrid.events.synth import synthesize
    from civicgrid.events.workflow import EVENTS

    synthesize(district=tree.district.code, count=300, days=60, with_steps=True)
    spot = Event.objects.filter(on_the_spot=True)
    assert spot.exists() and not spot.exclude(source="patrol").exists()
    assert spot.filter(spot_check=True).exists()
    for event in spot[:40]:
        assert EVENTS.check(event) == []
    assert not Event.objects.filter(status="rated", rating_channel="").exists()
    assert rollups.check_all() == []
