"""The plan's pages and API: who sees what (another street's staff get 404, a worker sees only
their own line), the steps as buttons, the indicators form, entries, appeals (the worker cannot
answer their own; nobody after publishing), the export, and the public honour list."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from civicgrid.assessment import services
from civicgrid.assessment.models import Appeal, AppealStatus, PlanStatus, Source
from civicgrid.assessment.tests.conftest import indicator, line
from civicgrid.core.errors import Conflict

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "own_sources")]


def after(plan) -> dt.datetime:
    return plan.appeals_until + dt.timedelta(minutes=1)


# ---- scoping ---------------------------------------------------------------------------------


def test_another_streets_staff_get_404_on_every_page_and_the_api(client, scored, cast):
    a = line(scored, cast.alice)
    appeal = services.file_appeal(actor=cast.alice, plan_worker=a, reason="漏算")
    client.force_login(cast.bert)
    for url in [
        f"/assessment/plans/{scored.pk}/",
        f"/assessment/plans/{scored.pk}/edit/",
        f"/assessment/plans/{scored.pk}/appeals/",
        f"/assessment/plans/{scored.pk}/results.xlsx",
        f"/assessment/plans/{scored.pk}/honours/",
        f"/assessment/plans/{scored.pk}/entries/{indicator(scored, Source.ENTERED).pk}/",
        f"/api/v1/assessment/plans/{scored.pk}",
        f"/api/v1/assessment/plans/{scored.pk}/results",
        f"/api/v1/assessment/plans/{scored.pk}/appeals",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/assessment/plans/{scored.pk}/", {"action": "rescore"}).status_code == 404
    assert (
        client.post(f"/assessment/appeals/{appeal.pk}/", {"decision": "uphold"}).status_code == 404
    )
    api = client.post(
        f"/api/v1/assessment/plans/{scored.pk}/steps/rescore", {}, content_type="application/json"
    )
    assert api.status_code == 404
    assert scored.title not in client.get("/assessment/").content.decode()
    assert client.get("/api/v1/assessment/plans").json() == []


def test_a_worker_sees_only_their_own_line(client, scored, cast):
    client.force_login(cast.bob)
    body = client.get(f"/assessment/plans/{scored.pk}/").content.decode()
    assert 'data-worker="bob"' in body and 'data-worker="alice"' not in body
    rows = client.get(f"/api/v1/assessment/plans/{scored.pk}/results").json()
    assert [r["worker"] for r in rows] == [cast.bob.pk]
    assert client.get(f"/assessment/plans/{scored.pk}/results.xlsx").status_code == 404
    assert client.get(f"/assessment/plans/{scored.pk}/appeals/").status_code == 404
    mine = client.get("/assessment/mine/").content.decode()
    assert "76.00" in mine and "83.00" not in mine
    # Another worker's appeal form and line are not theirs to use.
    response = client.post(
        f"/assessment/lines/{line(scored, cast.alice).pk}/appeal/", {"reason": "冒名"}
    )
    assert response.status_code == 404 and not Appeal.objects.exists()


def test_community_staff_see_their_communitys_lines_and_the_leader_all(client, scored, cast):
    client.force_login(cast.cathy)
    body = client.get(f"/assessment/plans/{scored.pk}/").content.decode()
    assert 'data-worker="alice"' in body and 'data-worker="bob"' in body
    client.force_login(cast.dave)
    rows = client.get(f"/api/v1/assessment/plans/{scored.pk}/results").json()
    assert [(r["worker"], r["score"], r["rank_in_plan"]) for r in rows] == [
        (cast.alice.pk, "83.00", 1),
        (cast.bob.pk, "76.00", 2),
    ]
    assert rows[0]["parts"] == {
        "hear": "90.00",
        "check": "80.00",
        "test": "70.00",
        "honour": "100.00",
    }
    # A reader takes no step.
    page = client.get(f"/assessment/plans/{scored.pk}/").content.decode()
    assert 'id="step-rescore"' not in page


def test_anonymous_visitors_are_sent_to_log_in(client, scored):
    assert client.get(f"/assessment/plans/{scored.pk}/").status_code == 302
    assert client.get("/api/v1/assessment/plans").status_code == 401


# ---- the plan's setup and steps ---------------------------------------------------------------


def test_an_assessor_creates_a_plan_and_sets_its_weights(client, cast, tree):
    client.force_login(cast.carol)
    response = client.post(
        "/assessment/new/", {"unit": tree.street_a.pk, "year": "2025", "appeal_days": "5"}
    )
    assert response.status_code == 302
    edit = response["Location"]
    form = {"title": "2025年度网格员考核", "appeal_days": "5", "rows": "3"}
    rows = [("hear", "在岗履职", "30", "inspection"), ("check", "数据", "40", "completeness")]
    rows.append(("honour", "加分", "20", "entered"))
    for i, (part, name, weight, source) in enumerate(rows):
        form |= {f"ind-{i}-part": part, f"ind-{i}-name": name, f"ind-{i}-weight": weight}
        form[f"ind-{i}-source"] = source
    client.post(edit, form)
    page = client.get(edit).content.decode()
    assert "90" in page and "在岗履职" in page
    plan_url = edit.replace("edit/", "")
    response = client.post(plan_url, {"action": "open"}, follow=True)
    assert "they must add up to 100" in response.content.decode()
    form["ind-2-weight"] = "30"
    client.post(edit, form)
    response = client.post(plan_url, {"action": "open"}, follow=True)
    assert "Under way" in response.content.decode()


def test_a_bad_weight_is_a_message_not_a_500(client, cast, plan):
    client.force_login(cast.carol)
    form = {"title": "t", "appeal_days": "5", "rows": "1", "ind-0-part": "hear"}
    form |= {"ind-0-name": "x", "ind-0-weight": "abc", "ind-0-source": "entered"}
    response = client.post(f"/assessment/plans/{plan.pk}/edit/", form)
    assert response.status_code == 400
    assert "number from 0 to 100" in response.content.decode()


def test_the_plan_page_offers_the_steps_the_engine_allows(client, running, cast):
    client.force_login(cast.carol)
    page = client.get(f"/assessment/plans/{running.pk}/").content.decode()
    assert 'id="step-score"' in page and 'id="step-publish"' not in page
    response = client.post(
        f"/assessment/plans/{running.pk}/", {"action": "score", "version": running.version + 5}
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == PlanStatus.RUNNING  # a stale version: refused with a message


def test_entries_page_saves_values(client, running, cast):
    client.force_login(cast.carol)
    honours = indicator(running, Source.ENTERED)
    a = line(running, cast.alice)
    url = f"/assessment/plans/{running.pk}/entries/{honours.pk}/"
    client.post(url, {f"value-{a.pk}": "88.5", f"note-{a.pk}": "区级表彰"})
    assert a.entries.get().value == Decimal("88.5")
    client.post(url, {f"value-{a.pk}": "188"}, follow=True)
    assert a.entries.get().value == Decimal("88.5")
    assert (
        client.get(
            f"/assessment/plans/{running.pk}/entries/{indicator(running, 'quiz').pk}/"
        ).status_code
        == 404
    )


# ---- appeals -----------------------------------------------------------------------------------


def test_the_appeal_round_trip_on_the_pages(client, scored, cast):
    client.force_login(cast.bob)
    b = line(scored, cast.bob)
    quiz = indicator(scored, Source.QUIZ)
    client.post(
        f"/assessment/lines/{b.pk}/appeal/", {"indicator": quiz.pk, "reason": "第5题答案有误"}
    )
    appeal = Appeal.objects.get()
    assert appeal.indicator == quiz and appeal.status == AppealStatus.FILED
    again = client.post(
        f"/assessment/lines/{b.pk}/appeal/", {"indicator": quiz.pk, "reason": "再诉"}, follow=True
    )
    assert "already" in again.content.decode() and Appeal.objects.count() == 1
    # The worker cannot answer their own appeal.
    assert (
        client.post(
            f"/assessment/appeals/{appeal.pk}/", {"decision": "uphold", "answer": "x"}
        ).status_code
        == 404
    )
    client.force_login(cast.carol)
    page = client.get(f"/assessment/plans/{scored.pk}/appeals/").content.decode()
    assert "第5题答案有误" in page
    client.post(
        f"/assessment/appeals/{appeal.pk}/", {"decision": "uphold", "answer": "第5题标准答案有误"}
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and appeal.answered_at
    client.force_login(cast.bob)
    assert "第5题标准答案有误" in client.get("/assessment/mine/").content.decode()


def test_an_assessor_who_is_the_appellant_cannot_answer(plan, cast, tree, values):
    from civicgrid.core.errors import NotAllowed
    from civicgrid.org import services as org_services
    from civicgrid.org.roles import Role

    # carol also works a grid: her own appeal is for sam to answer, never for her.
    org_services.post_user(actor=None, user=cast.carol, unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    services.open_plan(actor=cast.sam, plan=plan)
    for source in (Source.INSPECTION, Source.COMPLETENESS, Source.QUIZ):
        values(source, {})
    services.score_plan(actor=cast.sam, plan=plan)
    appeal = services.file_appeal(actor=cast.carol, plan_worker=line(plan, cast.carol), reason="x")
    with pytest.raises(NotAllowed):
        services.answer_appeal(actor=cast.carol, appeal=appeal, uphold=True, answer="自己批准")
    done = services.answer_appeal(actor=cast.sam, appeal=appeal, uphold=False, answer="核实无误")
    assert done.status == AppealStatus.DISMISSED


def test_nobody_answers_or_appeals_after_publishing(scored, cast):
    appeal = services.file_appeal(
        actor=cast.alice, plan_worker=line(scored, cast.alice), reason="x"
    )
    services.answer_appeal(actor=cast.carol, appeal=appeal, uphold=False, answer="无误")
    services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    with pytest.raises(Conflict):
        services.file_appeal(
            actor=cast.bob, plan_worker=line(scored, cast.bob), reason="晚了", now=after(scored)
        )
    # An appeal filed in time can no longer be answered once the plan is published.
    late = Appeal.objects.create(
        plan_worker=line(scored, cast.bob), reason="y", filed_at=scored.scored_at
    )
    with pytest.raises(Conflict):
        services.answer_appeal(actor=cast.carol, appeal=late, uphold=True, answer="z")


def test_appealing_after_the_period_is_refused(scored, cast):
    with pytest.raises(Conflict, match="over"):
        services.file_appeal(
            actor=cast.alice, plan_worker=line(scored, cast.alice), reason="x", now=after(scored)
        )


def test_the_api_files_and_answers_appeals_with_versions(client, scored, cast):
    client.force_login(cast.alice)
    a = line(scored, cast.alice)
    response = client.post(
        f"/api/v1/assessment/plans/{scored.pk}/appeals",
        {"line": a.pk, "reason": "表彰漏记"},
        content_type="application/json",
    )
    assert response.status_code == 201
    appeal = response.json()
    assert client.post(
        f"/api/v1/assessment/plans/{scored.pk}/appeals",
        {"line": a.pk, "reason": ""},
        content_type="application/json",
    ).status_code in (400, 409)
    client.force_login(cast.carol)
    stale = client.post(
        f"/api/v1/assessment/appeals/{appeal['id']}/steps/dismiss",
        {"version": appeal["version"] + 1, "answer": "无误"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    done = client.post(
        f"/api/v1/assessment/appeals/{appeal['id']}/steps/uphold",
        {"version": appeal["version"], "answer": "属实"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "upheld"
    detail = client.get(f"/api/v1/assessment/plans/{scored.pk}").json()
    assert detail["allowed_steps"] == ["rescore", "publish"]
    step = client.post(
        f"/api/v1/assessment/plans/{scored.pk}/steps/rescore",
        {"version": detail["version"]},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["version"] == detail["version"] + 1
    early = client.post(
        f"/api/v1/assessment/plans/{scored.pk}/steps/publish", {}, content_type="application/json"
    )
    assert early.status_code == 409


# ---- export and honours ------------------------------------------------------------------------


def test_the_results_export_to_xlsx(client, scored, cast):
    client.force_login(cast.carol)
    response = client.get(f"/assessment/plans/{scored.pk}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Rank in the plan", "Rank in the community", "Worker")
    assert rows[2][0] == 1 and rows[2][2] == "Alice" and rows[2][5] == 83.0
    assert rows[3][2] == "Bob" and rows[3][5] == 76.0


def test_the_public_honour_list_and_story(client, scored, cast, tree):
    published = services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    client.force_login(cast.carol)
    response = client.post(
        f"/assessment/plans/{published.pk}/honours/",
        {
            "worker": line(published, cast.alice).pk,
            "title": "优秀网格员",
            "story": "她走遍了网格里的每一户。",
            "video_url": "https://video.example.cn/v/1",
        },
    )
    assert response.status_code == 302
    client.logout()
    for code in (tree.street_a.code, tree.community_a1.code, tree.district.code):
        body = client.get(f"/assessment/honours/{code}/").content.decode()
        assert "优秀网格员" in body, code
    assert (
        "优秀网格员"
        not in client.get(f"/assessment/honours/{tree.street_b.code}/").content.decode()
    )
    honour = published.honours.get()
    story = client.get(f"/assessment/honours/story/{honour.pk}/").content.decode()
    assert "每一户" in story and "https://video.example.cn/v/1" in story
    assert client.get("/assessment/honours/999999999/").status_code == 404


def test_the_honour_list_is_limited_per_address(client, tree, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"read_ip": (2, 3600)}
    url = f"/assessment/honours/{tree.street_a.code}/"
    for _ in range(2):
        assert client.get(url, REMOTE_ADDR="203.0.113.5").status_code == 200
    assert client.get(url, REMOTE_ADDR="203.0.113.5").status_code == 429


def test_a_bad_video_link_is_a_message(client, scored, cast):
    published = services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    client.force_login(cast.carol)
    response = client.post(
        f"/assessment/plans/{published.pk}/honours/",
        {
            "worker": line(published, cast.alice).pk,
            "title": "t",
            "story": "s",
            "video_url": "javascript:alert(1)",
        },
        follow=True,
    )
    assert "http://" in response.content.decode() and not published.honours.exists()
