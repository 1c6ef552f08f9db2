"""Duplicates by meaning: open events that say the same thing close by and recently are offered
as possible duplicates whatever their category; staff see their scope with the reason, residents
only the coarse hint about public ones."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.events import similarity
from civicgrid.events.models import Category
from civicgrid.events.selectors import nearby_hints, nearby_open_events
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

# About 140 m east of A1_1 (beyond the 100 m radius, within the 300 m reach); about 550 m east.
NEAR = (A1_1[0] + 0.0015, A1_1[1])
FAR = (A1_1[0] + 0.006, A1_1[1])

BLOCKED = "3号楼东侧私家车把消防通道堵住了"
SAID_AGAIN = "三号楼东边的消防通道又被车堵塞，消防车进不来"


def categories(*codes):
    return [Category.objects.get(code=code) for code in codes]


# ---- the similarity ----------------------------------------------------------------------------


def test_identical_texts_are_fully_alike_and_digits_and_punctuation_do_not_count():
    assert similarity.similarity(BLOCKED, BLOCKED) == pytest.approx(1.0)
    assert similarity.similarity("3号楼，路灯不亮！", "8号楼 路灯不亮") == pytest.approx(1.0)


def test_a_paraphrase_is_alike_and_an_unrelated_report_is_not():
    paraphrase = similarity.similarity(BLOCKED, SAID_AGAIN)
    unrelated = similarity.similarity(BLOCKED, "小区南门路灯坏了，晚上黑漆漆的")
    assert paraphrase > 0.3
    assert unrelated < 0.1
    assert similarity.similarity("", BLOCKED) == 0.0
    assert similarity.similarity("123 abc ！", BLOCKED) == 0.0


def test_one_text_against_many_gives_the_same_as_one_by_one():
    others = [SAID_AGAIN, "", "路灯不亮", BLOCKED + "，请尽快处理"]
    many = similarity.similarities(BLOCKED, others)
    assert many == pytest.approx([similarity.similarity(BLOCKED, other) for other in others])
    assert similarity.similarities(BLOCKED, []) == []


def test_the_score_falls_with_distance_and_age_and_stops_beyond_them():
    reach = similarity.reach_m(100)
    assert reach == similarity.MIN_REACH_M
    close = similarity.score(0.6, 10, 0.5, False, reach)
    assert similarity.score(0.6, 250, 0.5, False, reach) < close
    assert similarity.score(0.6, 10, 20, False, reach) < close
    assert similarity.score(0.6, 10, 0.5, True, reach) > close
    assert similarity.score(1.0, reach + 1, 0.5, True, reach) == 0.0
    assert similarity.score(1.0, 10, similarity.MAX_AGE_DAYS + 1, True, reach) == 0.0


# ---- staff -------------------------------------------------------------------------------------


def test_staff_get_a_near_same_event_of_another_category_but_not_a_far_or_old_one(report, staff):
    parking, fire_lane, lamps = categories("0404", "2101", "1102")
    same = report(category=parking, title=BLOCKED, point=NEAR)
    report(category=parking, title=BLOCKED, point=FAR)
    report(category=parking, title=BLOCKED, at=timezone.now() - dt.timedelta(days=60))
    report(category=lamps, title="3号楼东侧路灯不亮", point=A1_1)

    found = nearby_open_events(staff["frank"], fire_lane, *A1_1, text=SAID_AGAIN)

    assert [d.event.pk for d in found] == [same.pk]
    assert found[0].by_meaning and not found[0].same_rule
    assert 100 < found[0].metres < 200 and found[0].percent >= 25


def test_without_words_the_old_rule_alone_and_with_words_it_still_holds(report, staff):
    (fire_lane,) = categories("2101")
    close = report(category=fire_lane, title="楼下有人吵架", point=(A1_1[0] + 0.0003, A1_1[1]))
    found = nearby_open_events(staff["frank"], fire_lane, *A1_1)
    assert [(d.event.pk, d.same_rule, d.by_meaning) for d in found] == [(close.pk, True, False)]
    found = nearby_open_events(staff["frank"], fire_lane, *A1_1, text="小区南门路灯坏了")
    assert [(d.event.pk, d.same_rule) for d in found] == [(close.pk, True)]
    assert nearby_open_events(staff["frank"], None, *A1_1) == []


def test_a_worker_of_another_grid_does_not_see_it(client, report, staff):
    parking, fire_lane = categories("0404", "2101")
    event = report(category=parking, title=BLOCKED, point=NEAR)
    assert nearby_open_events(staff["bob"], fire_lane, *A1_1, text=BLOCKED) == []
    assert nearby_open_events(staff["grace"], None, *A1_1, text=BLOCKED) == []
    client.force_login(staff["bob"])
    page = fragment(client, fire_lane, A1_1, title=BLOCKED)
    assert event.number not in page and BLOCKED not in page


def fragment(client, category, point, **words):
    query = {"lon": point[0], "lat": point[1]} | words
    if category is not None:
        query["category"] = category.code
    response = client.get(reverse("events:nearby"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_staff_fragment_gives_number_and_reason(client, report, staff):
    parking, fire_lane = categories("0404", "2101")
    event = report(category=parking, title=BLOCKED, point=NEAR)
    client.force_login(staff["frank"])
    page = fragment(client, fire_lane, A1_1, title="消防通道堵塞", description=SAID_AGAIN)
    assert event.number in page and "%" in page
    # With no words the category's radius alone: 140 m is too far.
    assert event.number not in fragment(client, fire_lane, A1_1)


# ---- residents ---------------------------------------------------------------------------------


def test_residents_never_see_a_non_public_event_whatever_they_type(client, report, plain_category):
    dispute = report(category=plain_category, title="张家和李家因为噪音吵架", point=NEAR)
    assert not plain_category.public
    (parking,) = categories("0404")
    for category in (plain_category, parking, None):
        page = fragment(client, category, A1_1, title=dispute.title)
        assert dispute.title[:8] not in page and dispute.number not in page and "<li" not in page
    assert nearby_hints(None, *A1_1, text=dispute.title) == []


def test_residents_get_the_coarse_hint_only(client, report):
    parking, fire_lane = categories("0404", "2101")
    title = "东边消防通道被车堵塞了，消防车进不来，车牌豫A，停了三天三夜"
    event = report(category=parking, title=title, point=NEAR)
    page = fragment(client, fire_lane, A1_1, title=SAID_AGAIN)
    assert title[:10] in page
    assert event.title not in page  # shortened
    assert event.number not in page and "data-number" not in page and "%" not in page
    listed = re.search(r"<ul>(.*)</ul>", page, re.S).group(1)
    figures = {int(figure) for figure in re.findall(r"\d+", listed)}
    assert figures and all(figure % 50 == 0 for figure in figures)


# ---- bad input and cost --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"lon": "nan", "lat": "nan", "title": BLOCKED},
        {"lon": "inf", "lat": "1", "title": BLOCKED, "category": "2101"},
        {"lon": A1_1[0], "lat": A1_1[1]},  # neither category nor words
        {"lon": A1_1[0], "lat": A1_1[1], "title": "  ,。123 "},  # no words to compare
        {"lon": A1_1[0], "lat": A1_1[1], "category": "nope"},
    ],
)
def test_bad_input_gives_an_empty_fragment(client, staff, report, query):
    report(title=BLOCKED)
    for user in (None, staff["frank"]):
        if user:
            client.force_login(user)
        response = client.get(reverse("events:nearby"), query)
        assert response.status_code == 200 and response.content.decode().strip() == ""


def test_a_long_text_is_cut_not_refused(client, staff, report):
    event = report(title=BLOCKED)
    client.force_login(staff["frank"])
    page = fragment(client, None, A1_1, title=BLOCKED, description="消防通道" * 5000)
    assert event.number in page


@pytest.mark.parametrize("count", [2, 12])
def test_queries_do_not_grow_with_candidates(
    client, staff, report, count, django_assert_max_num_queries
):
    (parking,) = categories("0404")
    for n in range(count):
        report(category=parking, title=BLOCKED, point=(A1_1[0] + 0.0001 * n, A1_1[1]))
    client.force_login(staff["frank"])
    # The rate limit's row, the category, the session, the user, the postings and one query
    # for the candidates, whatever their number.
    with django_assert_max_num_queries(15) as captured:
        page = fragment(client, parking, A1_1, title=SAID_AGAIN)
    assert page.count("<li") == min(count, 5)
    assert sum('FROM "events_event"' in q["sql"] for q in captured.captured_queries) == 1
    client.logout()
    with django_assert_max_num_queries(12) as captured:
        page = fragment(client, parking, A1_1, title=SAID_AGAIN)
    assert page.count("<li") == min(count, 5)
    assert sum('FROM "events_event"' in q["sql"] for q in captured.captured_queries) == 1


def test_the_event_page_offers_by_meaning_candidates_to_merge_into(client, staff, report):
    parking, fire_lane = categories("0404", "2101")
    first = report(category=parking, title=BLOCKED, point=NEAR)
    second = report(category=fire_lane, title=SAID_AGAIN, point=A1_1)
    report(category=fire_lane, title=SAID_AGAIN, point=FAR)
    client.force_login(staff["frank"])
    page = client.get(reverse("events:detail", args=[second.number])).content.decode()
    section = re.search(r"<section class=\"card notice\">(.*?)</section>", page, re.S).group(1)
    assert first.number in section and "%" in section
    datalist = re.search(r"<datalist id=\"reject-duplicates\">(.*?)</datalist>", page, re.S)
    assert datalist and first.number in datalist.group(1)
    assert f'value="{first.number}"' in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_residents_page_shows_the_hint_as_they_type(browser, live_server, report):
    """In a real browser: the hint comes once a place is chosen and words are typed, before
    the required fields below it (the phone) are filled in."""
    (parking,) = categories("0404")
    report(category=parking, title=BLOCKED, point=NEAR)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}{reverse('events:public_report')}")
    page.evaluate(f"window.civicgridReport.set({A1_1[0]}, {A1_1[1]}, 'wgs84')")
    page.locator("#title").press_sequentially(SAID_AGAIN)
    page.wait_for_selector("#nearby li.hint", timeout=10_000)
    assert BLOCKED[:10] in page.inner_text("#nearby")
