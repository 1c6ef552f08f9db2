"""The selection pages and API: staff pages scoped (another street's staff get 404), the public
flow through the real views (code, confirm, vote, the second vote refused), limits on the
public doors, live counts, the xlsx export, and query counts pinned on the list pages."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from civicgrid.selections import services
from civicgrid.selections.models import Nomination, Selection, Vote
from civicgrid.selections.tests.conftest import build

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def test_staff_pages_answer_their_staff_and_404_to_another_street(
    client, setup, staff, other_staff
):
    pk = setup.selection.pk
    nomination = setup.candidates["王秀兰"]
    pages = [
        f"/selections/{pk}/",
        f"/selections/{pk}/edit/",
        f"/selections/{pk}/results.xlsx",
        f"/api/v1/selections/{pk}",
        f"/api/v1/selections/{pk}/results",
    ]
    client.force_login(staff)
    for url in pages:
        assert client.get(url).status_code == 200, url
    client.force_login(other_staff)
    for url in pages:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/selections/nominations/{nomination.pk}/reject/", {"reason": "x"})
    assert response.status_code == 404
    response = client.post(f"/selections/{pk}/steps/close_voting/")
    assert response.status_code == 404
    assert client.get("/api/v1/selections/").json() == []
    assert Selection.objects.get(pk=pk).status == "voting"


def test_a_community_staff_sees_only_their_communitys_selections(client, setup, tree, make_user):
    from civicgrid.org.roles import Role

    cathy = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    own = build(cathy, tree.community_a1)
    client.force_login(cathy)
    listed = client.get("/api/v1/selections/").json()
    assert [row["id"] for row in listed] == [own.selection.pk]
    assert client.get(f"/selections/{setup.selection.pk}/").status_code == 404


def test_staff_create_a_selection_and_review_through_the_pages(client, staff, tree):
    client.force_login(staff)
    response = client.post(
        "/selections/new/",
        {
            "unit": tree.street_a.code,
            "title": "优秀网格员评选",
            "categories": "优秀网格员\n最美志愿者\n",
            "nominations_open_at": "2026-01-01T09:00",
            "nominations_close_at": "2026-01-10T18:00",
            "voting_open_at": "2026-01-12T09:00",
            "voting_close_at": "2026-01-20T18:00",
            "vote_rule": "once",
        },
    )
    selection = Selection.objects.get(title="优秀网格员评选")
    assert response.status_code == 302 and selection.status == "draft"
    assert [c.name for c in selection.categories.all()] == ["优秀网格员", "最美志愿者"]
    # Bad dates: the form again with a clear message, no 500.
    response = client.post(
        "/selections/new/",
        {"unit": tree.street_a.code, "title": "x", "categories": "a", "nominations_open_at": "bad"},
    )
    assert response.status_code == 400 and "Give every date" in response.content.decode()
    client.post(f"/selections/{selection.pk}/steps/open_nominations/")
    assert Selection.objects.get(pk=selection.pk).status == "nominating"
    assert client.post(f"/selections/{selection.pk}/steps/nonsense/").status_code == 404


def test_a_refused_step_is_a_message(client, setup, staff):
    client.force_login(staff)
    response = client.post(f"/selections/{setup.selection.pk}/steps/publish/", follow=True)
    assert response.status_code == 200
    assert "not possible" in response.content.decode()


def test_the_xlsx_export_holds_the_ranking(client, setup, staff):
    services.cast_vote(
        selection=setup.selection,
        nomination=setup.candidates["李建国"],
        voter=services.voter_for(PHONE),
        ip="",
        device="d" * 24,
        now=setup.voting,
    )
    client.force_login(staff)
    response = client.get(f"/selections/{setup.selection.pk}/results.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (setup.selection.title, None, None, None)
    assert ("最美志愿者", 1, "李建国", 1) in rows and ("最美志愿者", 2, "王秀兰", 0) in rows


def _confirm(client, pk, sent_code, phone=PHONE):
    client.get(f"/vote/{pk}/")  # the device cookie
    response = client.post("/m/code/?purpose=vote", {"phone": phone}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "139****5678"[:3] in response.content.decode()
    return client.post(f"/vote/{pk}/verify/", {"phone": phone, "code": sent_code(phone)})


def test_a_resident_confirms_a_phone_votes_once_and_the_second_is_refused(
    client, setup, outbox, sent_code
):
    pk = setup.selection.pk
    wang, li = setup.candidates["王秀兰"], setup.candidates["李建国"]
    page = client.get(f"/vote/{pk}/").content.decode()
    assert "王秀兰" in page and "某某" not in page  # the rejected nomination is not shown
    assert 'name="nomination"' not in page  # no vote buttons before the phone is confirmed
    assert client.post(f"/vote/{pk}/cast/", {"nomination": wang.pk}).status_code == 302
    assert Vote.objects.count() == 0
    assert _confirm(client, pk, sent_code).status_code == 302
    response = client.post(f"/vote/{pk}/cast/", {"nomination": wang.pk}, follow=True)
    assert "your vote for 王秀兰 is counted" in response.content.decode()
    response = client.post(f"/vote/{pk}/cast/", {"nomination": li.pk}, follow=True)
    assert "already voted in this category today" in response.content.decode()
    counts = client.get(f"/vote/{pk}/counts/").content.decode()
    assert f'id="count-{wang.pk}" hx-swap-oob="true">1<' in counts
    assert f'id="count-{li.pk}" hx-swap-oob="true">0<' in counts
    assert Vote.objects.count() == 1 and services.check_tallies() == []


def test_a_browser_without_the_device_cookie_cannot_vote(client, setup, outbox, sent_code):
    pk = setup.selection.pk
    _confirm(client, pk, sent_code)
    client.cookies.pop("cg_device")
    response = client.post(
        f"/vote/{pk}/cast/", {"nomination": setup.candidates["王秀兰"].pk}, follow=True
    )
    assert "must accept cookies" in response.content.decode()
    assert Vote.objects.count() == 0


def test_drafts_and_other_ids_are_404_on_the_public_pages(client, staff, tree, setup):
    from django.utils import timezone

    from civicgrid.selections.tests.conftest import data

    draft = services.create_selection(
        actor=staff, unit=tree.street_a, data=data(timezone.now()), categories=["甲"]
    )
    assert client.get(f"/vote/{draft.pk}/").status_code == 404
    assert client.get("/vote/999999/").status_code == 404
    response = client.post(f"/vote/{setup.selection.pk}/cast/", {"nomination": "abc"})
    assert response.status_code == 302  # a message, never a 500


def test_a_resident_nominates_with_a_code_and_the_door_is_limited(
    client, staff, tree, outbox, sent_code, settings
):
    from django.utils import timezone

    from civicgrid.selections.tests.conftest import data

    selection = services.create_selection(
        actor=staff,
        unit=tree.street_a,
        data=data(timezone.now() - dt.timedelta(hours=1)),
        categories=["最美志愿者"],
    )
    selection = services.open_nominations(actor=staff, selection=selection)
    category = selection.categories.get()
    phone = "13700001111"
    client.post("/m/code/?purpose=nominate", {"phone": phone}, HTTP_HX_REQUEST="true")
    form = {
        "category": category.pk,
        "name": "刘大姐",
        "story": "楼道清洁志愿者",
        "nominator": "邻居",
        "phone": phone,
    }
    response = client.post(f"/vote/{selection.pk}/nominate/", {**form, "code": "000000x"})
    assert response.status_code == 400 and "wrong or expired" in response.content.decode()
    response = client.post(f"/vote/{selection.pk}/nominate/", {**form, "code": sent_code(phone)})
    assert response.status_code == 302
    made = Nomination.objects.get(name="刘大姐")
    assert made.status == "submitted" and made.phone_masked == "137****1111"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "nominate_ip": (1, 3600)}
    response = client.post(f"/vote/{selection.pk}/nominate/", form)
    assert response.status_code == 429


def test_outside_nominations_the_form_is_closed_before_a_code_is_spent(
    client, staff, tree, outbox, sent_code
):
    from django.utils import timezone

    from civicgrid.messaging.models import VerificationCode
    from civicgrid.selections.tests.conftest import data

    selection = services.create_selection(
        actor=staff,
        unit=tree.street_a,
        data=data(timezone.now() - dt.timedelta(hours=1)),
        categories=["最美志愿者"],
    )
    selection = services.open_nominations(actor=staff, selection=selection)
    selection = services.close_nominations(actor=staff, selection=selection)
    phone = "13700002222"
    client.post("/m/code/?purpose=nominate", {"phone": phone}, HTTP_HX_REQUEST="true")
    code = sent_code(phone)
    url = f"/vote/{selection.pk}/nominate/"
    assert client.get(url).status_code == 302
    form = {"category": selection.categories.get().pk, "name": "刘大姐", "story": "好人"}
    response = client.post(url, {**form, "phone": phone, "code": code}, follow=True)
    assert "not taking nominations" in response.content.decode()
    # The code was not spent: it still proves the phone.
    assert VerificationCode.objects.filter(used_at=None).exists()
    client.force_login(staff)
    assert client.get(f"/selections/{selection.pk}/nominate/").status_code == 302
    assert not Nomination.objects.exists()


def test_the_public_list_and_selection_pages_cost_the_same_for_one_candidate_as_for_many(
    client, setup, staff, pinned
):
    pk = setup.selection.pk
    pages = {"/vote/": 1, f"/vote/{pk}/": 4, f"/vote/{pk}/counts/": 2}
    pinned(pages)
    # More candidates (a second selection too): the same queries.
    more = build(staff, setup.selection.unit, start=setup.start + dt.timedelta(hours=1))
    del more
    bodies = pinned(pages)
    assert bodies["/vote/"].count("最美如意人评选") == 2


def test_the_staff_list_and_selection_pages_cost_the_same_for_one_as_for_many(
    client, setup, staff, pinned
):
    client.force_login(staff)
    pages = {"/selections/": 6, f"/selections/{setup.selection.pk}/": 11}
    pinned(pages)
    for hours in (1, 2):
        build(staff, setup.selection.unit, start=setup.start + dt.timedelta(hours=hours))
    services.cast_vote(
        selection=setup.selection,
        nomination=setup.candidates["赵敏"],
        voter=services.voter_for(PHONE),
        ip="198.51.100.1",
        device="d" * 24,
        now=setup.voting,
    )
    bodies = pinned(pages)
    assert bodies["/selections/"].count("最美如意人评选") == 3
