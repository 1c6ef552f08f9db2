"""The read-only leader sees no write forms: every page reachable from the leader's home, in
every app, offers nothing to submit but logging out, the language and the inbox."""

import re
from collections import deque

import pytest

from civicgrid.community import services as community
from civicgrid.events import services as events
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#?]*)[^"]*"')
FORM = re.compile(r"<form\b[^>]*>", re.I)
# Forms every signed-in page carries, public pages' forms for residents, and the list pages'
# export buttons (a read: posted for the reason a personal list asks, issue 19).
ALLOWED = ("/logout/", "/i18n/setlang/", "/notifications/read/", "/password/", "/exports/")
NOT_CRAWLED = re.compile(r"^/(admin|logout|static|media|i18n|api/|open311|healthz)|\.[a-z]+$")
PUBLIC = re.compile(r"^/(r|q|t|c)/|^/classes/c/|^/volunteers/c/")


def _write_forms(html: str, url: str) -> list[str]:
    found = []
    for tag in FORM.findall(html):
        if 'method="post"' not in tag.lower():
            continue
        action = re.search(r'action="([^"]*)"', tag)
        target = action.group(1) if action else url
        if not target.startswith(ALLOWED):
            found.append(f"{url} → {target}")
    return found


def test_the_leader_is_offered_no_write_form_anywhere(
    client, people, tree, classroom, session, category
):
    session()
    events.report_event(
        actor=people["alice"], title="楼道堆物", category=category, lon=A1_1[0], lat=A1_1[1]
    )
    community.record_need(
        actor=classroom.staff,
        unit=tree.community_a1,
        data=community.NeedData(
            title="独居老人助浴", category="elderly", source="door_survey", people=1
        ),
    )
    client.force_login(people["dave"])
    seen, queue, offered = set(), deque(["/"]), []
    while queue and len(seen) < 200:
        url = queue.popleft()
        if url in seen or NOT_CRAWLED.search(url) or PUBLIC.search(url):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        offered += _write_forms(html, url)
        queue.extend(href for href in HREF.findall(html) if href not in seen)
    assert len(seen) > 20, "the crawl found too few of the leader's pages"
    assert "\n".join(sorted(set(offered))) == ""
