import re

import pytest
from django.urls import reverse

from civicgrid.events import services
from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1, jpeg

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_staff_report_from_the_phone_page(client, staff, category):
    login(client, staff["alice"])
    response = client.post(
        reverse("events:report"),
        {
            "title": "消防通道堵塞",
            "category": category.code,
            "lon": A1_1[0],
            "lat": A1_1[1],
            "photos": [jpeg()],
            "attribute[plate]": "豫A12345",
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "events:detail", args=[event.number]
    )
    assert event.attributes == {"plate": "豫A12345"} and event.photos.count() == 1


def test_bad_report_shows_the_error_and_keeps_nothing(client, staff, category):
    login(client, staff["alice"])
    response = client.post(reverse("events:report"), {"title": "x", "category": category.code})
    assert response.status_code == 400
    assert 'data-field="location"' in response.content.decode()
    assert not Event.objects.exists()


def test_residents_report_and_rate_through_their_link(client, staff, category):
    response = client.post(
        reverse("events:public_report"),
        {
            "title": "楼道堆物",
            "category": category.code,
            "lon": A1_1[0],
            "lat": A1_1[1],
            "reporter_phone": "13800000000",
            "anonymous": "on",
        },
    )
    event = Event.objects.get()
    assert response.url == reverse("events:track", args=[event.token])
    page = client.get(response.url)
    assert event.number in page.content.decode()
    frank, alice = staff["frank"], staff["alice"]
    services.dispatch_event(
        actor=frank, event=services.accept_event(actor=frank, event=event), handler_user=alice
    )
    event = services.sign_event(actor=alice, event=event)
    event = services.resolve_event(actor=alice, event=event, note="好", photos=[jpeg()])
    services.close_event(
        actor=frank, event=services.verify_event(actor=frank, event=event, passed=True)
    )
    photo = event.photos.get()
    assert client.get(reverse("events:photo", args=[photo.pk])).status_code == 404
    track = client.get(response.url).content.decode()
    signed = re.search(r'<img class="thumb" src="([^"]+)"', track)
    assert client.get(signed.group(1).replace("&amp;", "&")).status_code == 200
    client.post(response.url, {"solved": "yes", "satisfaction": "satisfied"})
    assert Event.objects.get().status == "rated"


def test_event_page_is_scoped_like_a_missing_one(client, staff, report):
    event = report()
    url = reverse("events:detail", args=[event.number])
    assert login(client, staff["grace"]).get(url).status_code == 404
    assert login(client, staff["mallory"]).get(url).status_code == 404
    page = login(client, staff["frank"]).get(url)
    assert page.status_code == 200
    assert reverse("events:act", args=[event.number, "accept"]) in page.content.decode()
    leader = login(client, staff["dave"]).get(url)  # a read-only leader sees it, takes no step
    assert leader.status_code == 200
    assert "/act/" not in leader.content.decode()


def test_steps_from_the_page_with_a_stale_version(client, staff, report):
    event = report()
    login(client, staff["frank"])
    url = reverse("events:act", args=[event.number, "accept"])
    client.post(url, {"version": 1})
    response = client.post(
        reverse("events:act", args=[event.number, "reject"]),
        {"version": 1, "note": "x", "confirm": "on"},
        follow=True,
    )
    assert (
        "changed by someone else" in response.content.decode()
        or "他人" in response.content.decode()
    )
    assert Event.objects.get().status == "accepted"


def test_lists_and_dashboard(client, staff, report, tree, django_assert_max_num_queries):
    event = report()
    frank = staff["frank"]
    services.dispatch_event(
        actor=frank,
        event=services.accept_event(actor=frank, event=event),
        handler_user=staff["alice"],
    )
    assert (
        event.number in login(client, staff["alice"]).get(reverse("events:tasks")).content.decode()
    )
    login(client, frank)
    with django_assert_max_num_queries(20):
        board = client.get(reverse("events:board", args=[tree.community_a1.code]))
    assert event.number in board.content.decode()
    dash = client.get(reverse("events:dashboard", args=[tree.community_a1.code]))
    assert dash.status_code == 200 and 'data-count="reported">1<' in dash.content.decode()
    assert client.get(reverse("events:dashboard", args=[tree.community_b1.code])).status_code == 404
    geo = client.get(reverse("events:map_geojson")).json()
    assert [f["properties"]["number"] for f in geo["features"]] == [event.number]
    assert client.get(
        reverse("events:nearby"), {"category": event.category.code, "lon": A1_1[0], "lat": A1_1[1]}
    ).content


def test_department_inbox_shows_whistled_events(client, staff, report, tree):
    frank = staff["frank"]
    event = services.accept_event(actor=frank, event=report())
    services.whistle_event(actor=frank, event=event, kind="emergency", departments=[tree.police_a])
    page = login(client, staff["erin"]).get(reverse("events:inbox"))
    assert event.number in page.content.decode()
    assert client.get(reverse("events:detail", args=[event.number])).status_code == 200


def test_patrol_and_quick_note_pages(client, staff, category):
    login(client, staff["alice"])
    client.post(
        reverse("events:patrol_start"), {"kind": "day_check", "lon": A1_1[0], "lat": A1_1[1]}
    )
    client.post(reverse("events:quick_note"), {"text": "路灯不亮", "lon": A1_1[0], "lat": A1_1[1]})
    from civicgrid.events.models import QuickNote

    note = QuickNote.objects.get()
    response = client.post(reverse("events:note_to_event", args=[note.pk]), {"category": "1102"})
    assert response.status_code == 302 and Event.objects.get().source == "quick_note"


def test_district_staff_keep_the_categories_others_do_not(client, staff, tree, make_user):
    from civicgrid.org.roles import Role

    url = reverse("admin:events_category_changelist")
    boss = make_user("hank", unit=tree.district, role=Role.DISTRICT_STAFF, is_staff=True)
    assert login(client, boss).get(url).status_code == 200
    assert login(client, staff["carol"]).get(url).status_code == 403


def test_the_public_page_shows_community_outlines(client, tree, settings):
    areas = client.get(reverse("events:public_areas")).json()
    assert {f["properties"]["name"] for f in areas["features"]} == {"甲一社区", "乙一社区"}
    settings.MAP_TILE_CRS = "gcj02"
    shifted = client.get(reverse("events:public_areas")).json()
    assert shifted["features"][0]["geometry"] != areas["features"][0]["geometry"]


def test_dashboard_links_only_the_units_above_that_the_user_may_open(client, staff, tree):
    # The crawl found community staff's dashboard linking the street and district: 404 each.
    login(client, staff["frank"])
    page = client.get(reverse("events:dashboard", args=[tree.community_a1.code])).content.decode()
    assert tree.street_a.display_name in page
    assert reverse("events:dashboard", args=[tree.street_a.code]) not in page
    assert reverse("events:dashboard", args=[tree.district.code]) not in page


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-31", "0001-01-01"), ("0001-01-01", "9999-12-31"), ("2026-12-31", "9999-12-31")],
)
def test_dashboard_dates_at_the_ends_of_the_calendar_are_refused_not_a_500(
    client, staff, tree, start, end
):
    login(client, staff["frank"])
    url = reverse("events:dashboard", args=[tree.community_a1.code])
    response = client.get(url, {"start": start, "end": end})
    assert response.status_code == 200


def test_non_numeric_ids_in_the_step_form_are_refused(client, staff, report, settings):
    settings.LANGUAGE_CODE = "en"  # the messages are checked in English, their source
    event = report()
    login(client, staff["frank"])
    client.post(reverse("events:act", args=[event.number, "accept"]))
    dispatch = reverse("events:act", args=[event.number, "dispatch"])
    for data, message in (
        ({"handler_user": "abc"}, "The form names an item that does not exist"),
        ({"handler_user": "²"}, "The form names an item that does not exist"),
        ({"version": "abc"}, "Enter a whole number."),
    ):
        response = client.post(dispatch, data)
        assert response.status_code == 400, data  # the page again, with the message
        assert message in response.content.decode(), data
    assert Event.objects.get().status == "accepted"


def _handling(staff, report):
    frank, alice = staff["frank"], staff["alice"]
    event = services.dispatch_event(
        actor=frank, event=services.accept_event(actor=frank, event=report()), handler_user=alice
    )
    return services.sign_event(actor=alice, event=event)


def test_a_refused_resolve_keeps_what_was_typed(client, staff, report, settings):
    settings.LANGUAGE_CODE = "en"
    event = _handling(staff, report)  # fire lane: the category needs an after photo
    login(client, staff["alice"])
    response = client.post(
        reverse("events:act", args=[event.number, "resolve"]),
        {"version": event.version, "note": "已清理通道，车主已挪车"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="已清理通道，车主已挪车"' in page
    assert 'id="resolve-error"' in page and "needs a photo of the result" in page
    photo_input = re.search(r'<input type="file" name="photos" id="resolve-photos"[^>]*>', page)
    assert 'aria-invalid="true"' in photo_input.group(0)
    assert 'aria-describedby="resolve-error"' in photo_input.group(0)
    assert Event.objects.get().status == "handling"


def test_the_expected_step_is_the_main_button_and_the_rest_wait_behind_more(client, staff, report):
    event = report()
    login(client, staff["frank"])
    page = client.get(reverse("events:detail", args=[event.number])).content.decode()
    actions = page[page.index('id="actions"') :]
    main, more = actions.split('class="more-steps"', 1)
    assert 'id="step-accept"' in main and 'class="button primary"' in main
    assert 'id="step-reject"' in more and 'class="button primary"' not in more
    # Every control of every step has a visible label.
    for control in re.finditer(r"<(select|input|textarea)\b([^>]*)>", actions):
        attributes = control.group(2)
        if 'type="hidden"' in attributes or 'type="checkbox"' in attributes:
            continue
        if 'type="radio"' in attributes:
            continue
        name_id = re.search(r'id="([^"]+)"', attributes).group(1)
        assert f'<label for="{name_id}"' in actions, attributes


def test_a_destructive_step_needs_its_confirmation(client, staff, report):
    event = report()
    login(client, staff["frank"])
    reject = reverse("events:act", args=[event.number, "reject"])
    response = client.post(reject, {"version": event.version, "note": "无效上报"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="无效上报"' in page and '<details class="more-steps" open' in page
    assert Event.objects.get().status == "reported"
    client.post(reject, {"version": event.version, "note": "无效上报", "confirm": "on"})
    assert Event.objects.get().status == "rejected"


def test_the_read_only_leader_sees_no_write_forms(client, staff, report):
    event = report()
    login(client, staff["dave"])
    for url in (
        reverse("events:detail", args=[event.number]),
        reverse("events:tasks"),
        reverse("events:board_home"),
    ):
        page = client.get(url).content.decode()
        posts = re.findall(r'<form method="post" action="([^"]*)"', page)
        assert [action for action in posts if action != reverse("logout")] == [], url


def test_a_grid_worker_reports_a_problem_handled_on_the_spot(client, staff, settings):
    settings.SPOT_CHECK_SHARE = 0
    login(client, staff["alice"])
    url = reverse("events:report")
    assert 'name="on_the_spot"' in client.get(url).content.decode()
    fields = {
        "category": "0103",
        "title": "楼道杂物",
        "lon": "113.53",
        "lat": "34.73",
        "on_the_spot": "on",
        "resolution": "当场清走",
    }
    refused = client.post(url, fields | {"photos": jpeg("before.jpg")})
    assert refused.status_code == 400 and "当场清走" in refused.content.decode()
    done = client.post(
        url, fields | {"photos": jpeg("before.jpg"), "after_photos": jpeg("after.jpg")}
    )
    event = Event.objects.get()
    assert done.status_code == 302 and event.on_the_spot and event.status == "closed"
    login(client, staff["frank"])
    assert 'name="on_the_spot"' not in client.get(url).content.decode()
