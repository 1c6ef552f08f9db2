import datetime as dt
import io

import pytest
from PIL import Image

from civicgrid.core import privacy
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.events import deadlines, patrols, rollups, services
from civicgrid.events.models import Event, EventStep, Status
from civicgrid.events.tests.conftest import A1_1, jpeg
from civicgrid.messaging.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_it_lands_in_the_grid_of_its_point(report, tree):
    event = report()
    assert event.unit == tree.grid_a1_1
    assert event.status == Status.REPORTED
    assert event.number.startswith("E") and event.number.endswith("-000001")
    assert event.response_due > event.reported_at
    assert event.closure_due > event.response_due
    assert list(event.steps.values_list("action", "to_status")) == [("report", "reported")]


def test_it_refuses_a_point_outside_every_grid(report):
    with pytest.raises(InvalidInput) as caught:
        report(point=(100.0, 30.0))
    assert caught.value.field == "location"
    assert not Event.objects.exists()


def test_it_refuses_a_class_instead_of_a_category(report):
    from civicgrid.events.models import Category

    with pytest.raises(InvalidInput):
        report(category=Category.objects.get(code="21"))


def test_a_resident_must_leave_a_phone_which_is_stored_encrypted(category, tree):
    with pytest.raises(InvalidInput) as caught:
        services.report_event(actor=None, title="x", category=category, lon=A1_1[0], lat=A1_1[1])
    assert caught.value.field == "reporter_phone"
    event = services.report_event(
        actor=None,
        title="楼下消防通道堵了",
        category=category,
        lon=A1_1[0],
        lat=A1_1[1],
        reporter_phone="13812345678",
        anonymous=True,
    )
    assert event.source == "resident"
    assert "13812345678" not in event.reporter_phone
    assert privacy.decrypt(event.reporter_phone) == "13812345678"


def _run_to_closure(event, staff, fire_unit=None):
    frank, alice = staff["frank"], staff["alice"]
    event = services.accept_event(actor=frank, event=event)
    event = services.dispatch_event(actor=frank, event=event, handler_user=alice)
    event = services.sign_event(actor=alice, event=event)
    event = services.resolve_event(actor=alice, event=event, note="已清理", photos=[jpeg()])
    event = services.verify_event(actor=frank, event=event, passed=True)
    return services.close_event(actor=frank, event=event)


def test_the_main_line_from_report_to_rating(report, staff):
    event = _run_to_closure(report(), staff)
    assert event.status == Status.CLOSED
    event = services.rate_event(
        actor=staff["carol"],
        channel="follow_up_call",
        event=event,
        solved=True,
        satisfaction="satisfied",
    )
    assert event.status == Status.RATED
    actions = list(event.steps.values_list("action", flat=True))
    assert actions == ["report", "accept", "dispatch", "sign", "resolve", "verify", "close", "rate"]
    assert event.photos.filter(stage="after").count() == 1
    assert rollups.check_all() == []


def test_resolution_needs_an_after_photo_when_the_category_asks(report, staff):
    frank, alice = staff["frank"], staff["alice"]
    event = services.dispatch_event(
        actor=frank, event=services.accept_event(actor=frank, event=report()), handler_user=alice
    )
    event = services.sign_event(actor=alice, event=event)
    with pytest.raises(InvalidInput) as caught:
        services.resolve_event(actor=alice, event=event, note="done")
    assert caught.value.field == "photos"
    assert Event.objects.get(pk=event.pk).status == Status.HANDLING


def test_an_illegal_step_is_a_conflict_and_changes_nothing(report, staff):
    event = report()
    with pytest.raises(Conflict):
        services.close_event(actor=staff["frank"], event=event)
    assert EventStep.objects.filter(event=event).count() == 1
    assert Event.objects.get(pk=event.pk).version == 1


def test_each_role_takes_only_its_own_steps(report, staff):
    event = report()
    with pytest.raises(NotAllowed):
        services.accept_event(actor=staff["alice"], event=event)  # a grid worker does not accept
    with pytest.raises(NotAllowed):
        services.accept_event(actor=staff["grace"], event=event)  # another community
    with pytest.raises(NotAllowed):
        services.accept_event(actor=staff["dave"], event=event)  # read-only leader
    services.accept_event(actor=staff["frank"], event=event)


def test_a_stale_version_is_a_conflict(report, staff):
    event = report()
    services.accept_event(actor=staff["frank"], event=event, version=1)
    with pytest.raises(Conflict) as caught:
        services.reject_event(actor=staff["frank"], event=event, reason="x", version=1)
    assert caught.value.details == {"version": 2}


def test_whistle_and_report_in(report, staff, fire, tree):
    frank, erin = staff["frank"], staff["erin"]
    event = services.accept_event(actor=frank, event=report())
    event = services.whistle_event(
        actor=frank,
        event=event,
        kind="tough_case",
        departments=[fire, tree.police_a],
        note="社区协调不动",
    )
    assert event.status == Status.DISPATCHED
    assert event.cross_boundary == "department"
    assert event.whistled_at is not None
    assert Notification.objects.filter(user=erin, link=f"/events/{event.number}/").exists()
    event = services.report_in(actor=erin, event=event, note="派出所到场")
    assert event.status == Status.HANDLING
    assert event.responded_at is not None
    with pytest.raises(Conflict):
        services.report_in(actor=erin, event=event)
    target = event.whistles.get().targets.get(department__subkind="police")
    assert target.reported_in_by == erin and target.on_time
    # A whistled department may resolve the event.
    services.resolve_event(actor=erin, event=event, note="已劝离", photos=[jpeg()])


def test_a_whistle_needs_departments(report, staff, tree):
    event = services.accept_event(actor=staff["frank"], event=report())
    with pytest.raises(InvalidInput):
        services.whistle_event(actor=staff["frank"], event=event, kind="routine", departments=[])
    with pytest.raises(InvalidInput):
        services.whistle_event(
            actor=staff["frank"], event=event, kind="routine", departments=[tree.grid_a1_2]
        )
    with pytest.raises(NotAllowed):
        services.whistle_event(
            actor=staff["alice"], event=event, kind="routine", departments=[tree.police_a]
        )


def test_dispatch_without_a_target_goes_to_the_default_department(report, staff, fire):
    event = services.accept_event(actor=staff["frank"], event=report())
    event = services.dispatch_event(actor=staff["frank"], event=event)
    assert event.handler_unit == fire


def test_failed_verification_and_dissatisfied_rating_reopen(report, staff):
    frank, alice = staff["frank"], staff["alice"]
    event = services.dispatch_event(
        actor=frank, event=services.accept_event(actor=frank, event=report()), handler_user=alice
    )
    event = services.sign_event(actor=alice, event=event)
    event = services.resolve_event(actor=alice, event=event, note="x", photos=[jpeg()])
    event = services.verify_event(actor=frank, event=event, passed=False, note="还堵着")
    assert event.status == Status.HANDLING and event.reopen_count == 1
    event = services.resolve_event(actor=alice, event=event, note="y", photos=[jpeg()])
    event = services.verify_event(actor=frank, event=event, passed=True)
    event = services.close_event(actor=frank, event=event)
    event = services.rate_event(
        actor=None,
        token=event.token,
        reporting_browser=True,
        event=event,
        solved=False,
        satisfaction="dissatisfied",
    )
    assert event.status == Status.HANDLING
    assert event.closed_at is None and event.satisfaction == "dissatisfied"
    assert rollups.check_all() == []


def test_rating_through_the_link_needs_the_right_token(report, staff):
    event = _run_to_closure(report(), staff)
    with pytest.raises(NotAllowed):
        services.rate_event(
            actor=None, token="guess", event=event, solved=True, satisfaction="satisfied"
        )


def test_return_transfer_suspend_resume_supervise(report, staff, tree):
    frank, alice, carol = staff["frank"], staff["alice"], staff["carol"]
    event = services.dispatch_event(
        actor=frank, event=services.accept_event(actor=frank, event=report()), handler_user=alice
    )
    event = services.return_event(actor=alice, event=event, reason="不属于本网格")
    assert event.status == Status.ACCEPTED and event.handler_user is None
    event = services.suspend_event(actor=frank, event=event, reason="等待法院判决")
    event = services.resume_event(actor=frank, event=event)
    assert event.status == Status.ACCEPTED
    event = services.supervise_event(actor=carol, event=event, note="请加快")
    assert Notification.objects.filter(user=frank, text__contains="请加快").exists()
    with pytest.raises(NotAllowed):
        services.supervise_event(actor=frank, event=event, note="x")
    event = services.transfer_event(
        actor=carol, event=event, unit=tree.grid_b1_1, reason="位置在乙"
    )
    assert event.status == Status.REPORTED and event.unit_code == tree.grid_b1_1.code
    assert Notification.objects.filter(user=staff["grace"], link=event.get_absolute_url()).exists()
    with pytest.raises(InvalidInput):
        services.return_event(actor=alice, event=event, reason="")


def test_reject_as_duplicate(report, staff):
    first, second = report(), report(point=(A1_1[0] + 0.0003, A1_1[1]))
    from civicgrid.events.selectors import nearby_open_events

    nearby = nearby_open_events(
        staff["frank"], second.category, second.lon, second.lat, exclude=second.pk
    )
    assert [(found.event.pk, found.metres < 100) for found in nearby] == [(first.pk, True)]
    assert nearby_open_events(staff["frank"], second.category, A1_1[0] + 0.01, A1_1[1]) == []
    rejected = services.reject_event(
        actor=staff["frank"], event=second, reason="重复", duplicate_of=first
    )
    assert rejected.duplicate_of == first and rejected.status == Status.REJECTED


def test_escalation_raises_once_per_deadline(report, staff, tree):
    event = report()
    late = event.response_due + dt.timedelta(minutes=1)
    assert deadlines.escalate_overdue(now=late) == 1
    assert deadlines.escalate_overdue(now=late) == 0
    event.refresh_from_db()
    assert event.escalation_level == 1 and not event.overdue
    assert event.steps.filter(action="escalate").get().details["unit"] == tree.community_a1.code
    assert Notification.objects.filter(user=staff["frank"], text__contains="Overdue").exists()
    later = event.closure_due + dt.timedelta(minutes=1)
    assert deadlines.escalate_overdue(now=later) == 1
    event.refresh_from_db()
    assert event.escalation_level == 2 and event.overdue
    assert deadlines.escalate_overdue(now=later + dt.timedelta(days=9)) == 0
    assert rollups.check_all() == []


def test_follow_up_is_asked_again_once(report, staff):
    event = _run_to_closure(report(), staff)
    assert deadlines.ask_ratings(now=event.closed_at + dt.timedelta(days=1)) == 0
    assert deadlines.ask_ratings(now=event.closed_at + dt.timedelta(days=4)) == 1
    assert deadlines.ask_ratings(now=event.closed_at + dt.timedelta(days=9)) == 0


def test_photos_are_checked_by_content_shrunk_and_stripped(report, settings):
    settings.PHOTO_MAX_SIDE = 32
    not_image = jpeg()
    not_image.file = io.BytesIO(b"GIF89a but not really")
    not_image.size = 22
    with pytest.raises(InvalidInput) as caught:
        report(photos=[not_image])
    assert caught.value.field == "photos"
    event = report(lon=None, lat=None, photos=[jpeg(size=(640, 480), gps=A1_1)])
    assert abs(event.lon - A1_1[0]) < 1e-4 and abs(event.lat - A1_1[1]) < 1e-4
    stored = Image.open(event.photos.get().image)
    assert max(stored.size) == 32
    assert not stored.getexif()


def test_oversized_photos_are_refused(report, settings):
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="larger than"):
        report(photos=[jpeg()])


def test_quick_note_becomes_an_event(staff, category, tree):
    alice = staff["alice"]
    patrol = patrols.start_patrol(actor=alice, kind="night_patrol", lon=A1_1[0], lat=A1_1[1])
    with pytest.raises(Conflict):
        patrols.start_patrol(actor=alice, kind="day_check")
    note = patrols.add_quick_note(
        actor=alice, text="消防通道有车", lon=A1_1[0], lat=A1_1[1], photo=jpeg()
    )
    assert note.patrol == patrol
    event = patrols.report_from_note(actor=alice, note=note, category=category)
    assert event.source == "quick_note" and event.photos.count() == 1
    with pytest.raises(Conflict):
        patrols.report_from_note(actor=alice, note=note, category=category)
    patrols.add_patrol_point(actor=alice, patrol_id=patrol.pk, lon=113.531, lat=34.731)
    patrol = patrols.end_patrol(actor=alice, patrol_id=patrol.pk)
    assert len(patrol.track) == 2 and patrol.ended_at
    with pytest.raises(NotAllowed):
        patrols.start_patrol(actor=staff["frank"], kind="day_check")


def test_the_periodic_jobs_run_through_huey(report, staff, settings):
    from civicgrid.events import tasks

    event = report()
    Event.objects.filter(pk=event.pk).update(response_due=event.reported_at - dt.timedelta(hours=1))
    assert tasks.escalate_overdue_events.call_local() == 1
    assert tasks.ask_for_ratings.call_local() == 0
    event.refresh_from_db()
    assert event.escalation_level == 1
