"""The printable documents of a case (application, session record, agreement) as HTML and PDF,
and the signed scans and session photos: shown only to the people who see the case."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from civicgrid.mediation import services
from civicgrid.mediation.models import SessionPhoto, SignedScan
from civicgrid.mediation.tests.conftest import an_hour_ago
from civicgrid.org.roles import Role

pytestmark = pytest.mark.django_db

TERMS = "楼上住户每晚十点后不再使用洗衣机"
PHONE_DIGITS = ("13812345678", "13987654321", "5678", "4321")


def _jpeg(name="scan.jpg", size=(80, 60)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _agreed(desk, walk_in, photos=()):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    services.record_session(
        actor=desk.mediator_user,
        case=case,
        data=services.SessionData(
            held_at=an_hour_ago(), notes="申请人陈述噪音情况\n被申请人同意调整", venue=desk.room
        ),
        photos=photos,
    )
    return services.reach_agreement(
        actor=desk.mediator_user, case=case, terms=TERMS, performance="自即日起履行"
    )


def _url(case, kind, **query):
    url = reverse("mediation:document", args=[case.pk, kind])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _no_phone(body: str) -> None:
    """Neither the parties' numbers nor their masked forms (138****5678): not a digit of them
    (a case's id in a link may well contain 138)."""
    for digits in PHONE_DIGITS:
        assert digits not in body
        assert f"{digits[:3]}****{digits[-4:]}" not in body
    assert "****" not in body


@pytest.mark.parametrize("who", ["staff", "mediator_user"])
def test_the_agreement_prints_for_the_desk_and_the_lead(client, desk, walk_in, who):
    case = _agreed(desk, walk_in)
    client.force_login(getattr(desk, who))
    body = client.get(_url(case, "agreement")).content.decode()
    assert "People&#x27;s mediation agreement" in body
    assert TERMS in body and "自即日起履行" in body
    assert "张三" in body and "李四" in body
    assert services.document_number(case) in body
    assert "legally binding; the parties shall perform it as agreed" in body
    assert "made in 3 copies" in body
    assert "mediation/documents.css" in body
    _no_phone(body)


def test_the_agreement_in_chinese_carries_the_number_and_article_31(
    client, desk, walk_in, settings
):
    case = _agreed(desk, walk_in)
    client.force_login(desk.staff)
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        body = client.get(_url(case, "agreement")).content.decode()
    assert f"〔{case.year}〕甲一社区调字第1号" in body
    assert "人民调解协议书" in body
    assert "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行" in body
    assert "甲一社区人民调解委员会" in body


def test_each_document_as_pdf(client, desk, walk_in):
    case = _agreed(desk, walk_in)
    client.force_login(desk.staff)
    for kind, pages in (("application", 2), ("record", 1), ("agreement", 1)):
        response = client.get(_url(case, kind, format="pdf"))
        assert response.status_code == 200, kind
        assert response["Content-Type"] == "application/pdf"
        data = response.content
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert len(re.findall(rb"/Type\s*/Page\b", data)) == pages, kind
        assert b"STSong-Light" in data
        for digits in PHONE_DIGITS:
            assert digits.encode() not in data


def test_the_application_and_the_record(client, desk, walk_in):
    case = _agreed(desk, walk_in)
    client.force_login(desk.mediator_user)
    body = client.get(_url(case, "application")).content.decode()
    assert "People&#x27;s mediation application" in body and "registration form" in body
    assert "楼上夜间噪音，楼下多次投诉未果" in body and "夜间十点后停止噪音" in body
    assert case.number in body and "米调解" in body
    _no_phone(body)
    body = client.get(_url(case, "record")).content.decode()
    assert "People&#x27;s mediation record" in body
    assert "申请人陈述噪音情况" in body and "被申请人同意调整" in body and "调解室" in body
    _no_phone(body)


def test_a_record_picks_its_session(client, desk, walk_in):
    case = _agreed(desk, walk_in)
    first = case.sessions.get()
    client.force_login(desk.staff)
    assert client.get(_url(case, "record", session=first.pk)).status_code == 200
    assert client.get(_url(case, "record", session=first.pk + 99)).status_code == 404
    assert client.get(_url(case, "record", session="x")).status_code == 404
    assert client.get(_url(case, "minutes")).status_code == 404


def test_no_agreement_no_session_no_document(client, desk, walk_in):
    case = walk_in()
    client.force_login(desk.staff)
    response = client.get(_url(case, "agreement"))
    assert response.status_code == 409
    assert "No agreement has been reached" in response.content.decode()
    response = client.get(_url(case, "record", format="pdf"))
    assert response.status_code == 409 and "No session" in response.content.decode()
    assert client.get(_url(case, "application")).status_code == 200


def test_nobody_else_sees_a_document(client, desk, walk_in, tree, people, make_user):
    case = _agreed(desk, walk_in)
    other = make_user("olga", unit=tree.community_b1, role=Role.COMMUNITY_STAFF)
    for user in (people["alice"], people["erin"], people["dave"], people["mallory"], other):
        client.force_login(user)
        for kind in ("application", "record", "agreement"):
            assert client.get(_url(case, kind)).status_code == 404, (user, kind)
            assert client.get(_url(case, kind, format="pdf")).status_code == 404
    client.logout()
    response = client.get(_url(case, "agreement"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_signed_scan_is_uploaded_and_served_to_the_case_only(
    client, desk, walk_in, tree, people, make_user
):
    case = _agreed(desk, walk_in)
    upload = reverse("mediation:upload_scan", args=[case.pk])
    client.force_login(desk.mediator_user)
    response = client.post(upload, {"kind": "agreement", "scan": _jpeg()}, follow=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:case", args=[case.pk])
    scan = SignedScan.objects.get(case=case)
    assert scan.kind == "agreement" and scan.uploaded_by == desk.mediator_user
    served = client.get(reverse("mediation:scan", args=[scan.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")
    client.force_login(desk.staff)
    assert client.get(reverse("mediation:scan", args=[scan.pk])).status_code == 200
    other = make_user("olga", unit=tree.community_b1, role=Role.COMMUNITY_STAFF)
    for user in (people["alice"], people["erin"], other):
        client.force_login(user)
        assert client.get(reverse("mediation:scan", args=[scan.pk])).status_code == 404
        response = client.post(upload, {"kind": "agreement", "scan": _jpeg()})
        assert response.status_code == 404
    assert SignedScan.objects.count() == 1
    client.logout()
    assert client.get(reverse("mediation:scan", args=[scan.pk])).status_code == 302


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"kind": "agreement"}, "Choose the scanned document"),
        ({"kind": "agreement", "scan": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")}, "not an image"),
        ({"kind": "agreement", "scan": SimpleUploadedFile("e.jpg", b"")}, "empty"),
        ({"kind": "minutes", "scan": "x"}, "Choose one of the offered values"),
    ],
)
def test_a_bad_scan_gives_a_clear_message(client, desk, walk_in, post, message):
    case = _agreed(desk, walk_in)
    client.force_login(desk.staff)
    if post.get("scan") == "x":
        post = {**post, "scan": _jpeg()}
    response = client.post(reverse("mediation:upload_scan", args=[case.pk]), post)
    assert response.status_code == 302
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any(message in text for text in texts), texts
    assert not SignedScan.objects.exists()


def test_a_scan_too_large_is_refused(client, desk, walk_in, settings):
    settings.PHOTO_MAX_BYTES = 100
    case = _agreed(desk, walk_in)
    client.force_login(desk.staff)
    response = client.post(
        reverse("mediation:upload_scan", args=[case.pk]), {"kind": "record", "scan": _jpeg()}
    )
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any("larger than" in text for text in texts), texts
    assert not SignedScan.objects.exists()


def test_session_photos_are_served_to_the_case_only(client, desk, walk_in, people):
    case = _agreed(desk, walk_in, photos=[_jpeg("p.jpg")])
    photo = SessionPhoto.objects.get(session__case=case)
    url = reverse("mediation:photo", args=[photo.pk])
    for user in (desk.staff, desk.mediator_user):
        client.force_login(user)
        assert client.get(url).status_code == 200
    for user in (people["alice"], people["bob"], people["erin"], people["mallory"]):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert client.get(reverse("mediation:photo", args=[photo.pk + 1])).status_code == 404
