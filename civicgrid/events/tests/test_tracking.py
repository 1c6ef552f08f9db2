"""The resident's tracking token stays with the resident: no Open311 answer carries it, photo
links are signed per photo, and rating needs the browser the report was made from."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.tokens import issue_token
from civicgrid.core.errors import NotAllowed
from civicgrid.events import services
from civicgrid.events.models import Event
from civicgrid.events.open311 import request_token
from civicgrid.events.tests.conftest import A1_1, jpeg

pytestmark = pytest.mark.django_db


def open311(name, *args, fmt="json"):
    return reverse(f"open311:{name}", args=[*args, fmt])


def close(event, staff):
    frank, alice = staff["frank"], staff["alice"]
    event = services.accept_event(actor=frank, event=event)
    event = services.dispatch_event(actor=frank, event=event, handler_user=alice)
    event = services.sign_event(actor=alice, event=event)
    event = services.resolve_event(actor=alice, event=event, note="已清理", photos=[jpeg()])
    event = services.verify_event(actor=frank, event=event, passed=True)
    return services.close_event(actor=frank, event=event)


def test_no_open311_answer_carries_a_tracking_token(client, staff, report, plain_category):
    key = issue_token(user=staff["frank"], name="city app")[1]
    public = report(photos=[jpeg()])
    private = report(category=plain_category, title="纠纷", photos=[jpeg()])
    close(public, staff)
    created = []
    for fmt in ("json", "xml"):
        response = client.post(
            open311("requests", fmt=fmt),
            {
                "api_key": key,
                "service_code": "2101",
                "lat": A1_1[1],
                "long": A1_1[0],
                "media": jpeg(),
            },
        )
        assert response.status_code == 201
        created.append(response.content.decode())
    tokens = list(Event.objects.values_list("token", flat=True))
    assert len(tokens) == 4
    answers = list(created)
    for fmt in ("json", "xml"):
        for auth in ({}, {"api_key": key}):
            answers.append(client.get(open311("requests", fmt=fmt), auth).content.decode())
            answers.append(client.get(open311("updates", fmt=fmt), auth).content.decode())
            for event in (public, private):
                answers.append(
                    client.get(open311("request", event.number, fmt=fmt), auth).content.decode()
                )
    # Replies to a POST carry the request's id, no token (the spec: one or the other); a token
    # made for a request still resolves.
    assert '"token"' not in created[0]
    number = json.loads(created[0])[0]["service_request_id"]
    open311_token = request_token(Event.objects.get(number=number))
    answers.append(client.get(open311("token", open311_token)).content.decode())
    for answer in answers:
        for token in tokens:
            assert token not in answer
    # The Open311 token still leads to the request it names.
    assert client.get(open311("token", open311_token)).json()[0]["service_request_id"]


def test_media_links_are_signed_and_only_for_public_events(client, staff, report, plain_category):
    key = issue_token(user=staff["frank"], name="city app")[1]
    public = report(photos=[jpeg()])
    private = report(category=plain_category, title="纠纷", photos=[jpeg()])
    answer = client.get(open311("request", public.number), {"api_key": key}).json()[0]
    assert Client().get(answer["media_url"]).status_code == 200
    assert client.get(answer["media_url"].replace("s=", "s=x")).status_code == 404
    other = private.photos.get().pk
    moved = answer["media_url"].replace(f"/photo/{public.photos.get().pk}/", f"/photo/{other}/")
    assert client.get(moved).status_code == 404
    answer = client.get(open311("request", private.number), {"api_key": key}).json()[0]
    assert answer["media_url"] is None
    # The old way in, the tracking token as `t`, opens nothing any more.
    url = reverse("events:photo", args=[other]) + f"?t={private.token}"
    assert client.get(url).status_code == 404


def test_rating_needs_the_browser_the_report_came_from(staff, category):
    resident, stranger = Client(), Client()
    response = resident.post(
        reverse("events:public_report"),
        {
            "title": "楼道堆物",
            "category": category.code,
            "lon": A1_1[0],
            "lat": A1_1[1],
            "reporter_phone": "13800000000",
        },
    )
    event = Event.objects.get()
    close(event, staff)
    rating = {"solved": "yes", "satisfaction": "satisfied"}

    page = stranger.get(response.url).content.decode()
    assert event.number in page and 'id="rate-form"' not in page
    stranger.post(response.url, rating)
    assert Event.objects.get().status == "closed"
    with pytest.raises(NotAllowed):  # the token alone, e.g. from an Open311 client
        services.rate_event(
            actor=None, event=Event.objects.get(), token=event.token, **_rate_args()
        )
    assert Event.objects.get().status == "closed"

    page = resident.get(response.url).content.decode()
    assert 'id="rate-form"' in page
    photo = re.search(r'<img class="thumb" src="([^"]+)"', page).group(1)
    assert event.token not in photo and stranger.get(photo.replace("&amp;", "&")).status_code == 200
    resident.post(response.url, rating)
    assert Event.objects.get().status == "rated"


def _rate_args():
    return {"solved": True, "satisfaction": "satisfied"}
