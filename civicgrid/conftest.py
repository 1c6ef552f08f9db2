"""Shared personas on a small, hand-drawn district (all polygons are boxes):

district 410102
├─ street A 410102001
│  ├─ community A1 410102001001
│  │  ├─ grid A1-1 …001 ─ micro-grid …001001
│  │  └─ grid A1-2 …002
│  └─ department (police) 410102001901
└─ street B 410102002 ─ community B1 410102002001 ─ grid B1-1 …001

alice: grid worker of A1-1 · bob: grid worker of A1-2 · carol: street staff of A (admin user)
dave: read-only leader of the district · erin: department handler · mallory: no posting
"""

import os
import shutil
import threading
from dataclasses import dataclass

import pytest
from shapely.geometry import box, mapping

# Playwright's sync API runs an event loop in the test thread; the ORM calls in the same
# test are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def square(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict:
    return mapping(box(min_lon, min_lat, max_lon, max_lat))


@dataclass
class Tree:
    district: object
    street_a: object
    street_b: object
    community_a1: object
    community_b1: object
    grid_a1_1: object
    grid_a1_2: object
    grid_b1_1: object
    micro_a1_1_1: object
    police_a: object


@pytest.fixture
def tree(db) -> Tree:
    from civicgrid.org import services
    from civicgrid.org.kinds import DepartmentKind, Kind

    def make(parent, kind, name, polygon=None, **extra):
        return services.create_unit(
            actor=None, parent=parent, kind=kind, name=name, polygon=polygon, **extra
        )

    district = make(None, Kind.DISTRICT, "中原区", square(113.5, 34.7, 113.7, 34.8), code="410102")
    street_a = make(
        district, Kind.STREET, "甲街道", square(113.5, 34.7, 113.6, 34.8), code="410102001"
    )
    street_b = make(
        district, Kind.STREET, "乙街道", square(113.6, 34.7, 113.7, 34.8), code="410102002"
    )
    community_a1 = make(
        street_a, Kind.COMMUNITY, "甲一社区", square(113.5, 34.7, 113.6, 34.75), code="410102001001"
    )
    community_b1 = make(
        street_b, Kind.COMMUNITY, "乙一社区", square(113.6, 34.7, 113.7, 34.75), code="410102002001"
    )
    grid_a1_1 = make(community_a1, Kind.GRID, "甲一第1网格", square(113.5, 34.7, 113.55, 34.75))
    grid_a1_2 = make(community_a1, Kind.GRID, "甲一第2网格", square(113.55, 34.7, 113.6, 34.75))
    grid_b1_1 = make(community_b1, Kind.GRID, "乙一第1网格", square(113.6, 34.7, 113.65, 34.75))
    micro = make(
        grid_a1_1, Kind.MICRO_GRID, "甲一第1网格第1微网格", square(113.5, 34.7, 113.52, 34.72)
    )
    police = make(street_a, Kind.DEPARTMENT, "甲派出所", subkind=DepartmentKind.POLICE)
    return Tree(
        district,
        street_a,
        street_b,
        community_a1,
        community_b1,
        grid_a1_1,
        grid_a1_2,
        grid_b1_1,
        micro,
        police,
    )


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    def make(username: str, *, unit=None, role=None, **fields):
        from civicgrid.org import services

        user = get_user_model().objects.create_user(
            username=username,
            password="correct horse battery",
            full_name=username.title(),
            **fields,
        )
        if unit is not None:
            services.post_user(actor=None, user=user, unit=unit, role=role)
        return user

    return make


@pytest.fixture
def people(tree, make_user):
    from civicgrid.org.roles import Role

    return {
        "alice": make_user("alice", unit=tree.grid_a1_1, role=Role.GRID_WORKER),
        "bob": make_user("bob", unit=tree.grid_a1_2, role=Role.GRID_WORKER),
        "carol": make_user("carol", unit=tree.street_a, role=Role.STREET_STAFF, is_staff=True),
        "dave": make_user("dave", unit=tree.district, role=Role.LEADER_READONLY),
        "erin": make_user("erin", unit=tree.police_a, role=Role.DEPARTMENT_HANDLER),
        "mallory": make_user("mallory"),
    }


@pytest.fixture(autouse=True)
def _routing_caches(monkeypatch):
    """Routing keeps the active models, the categories and the departments per process for a
    few seconds: no test sees another test's (rolled back) rows through them. Within a test
    what it read stays (a query count does not depend on how fast the test runs), and it
    starts knowing that no model is active: an activation through the services makes the
    next suggestion ask again."""
    import time

    from django.conf import settings

    from civicgrid.routing import loaded, suggest

    loaded.forget_all()
    suggest.forget()
    monkeypatch.setattr(loaded, "FRESH_SECONDS", float("inf"))
    monkeypatch.setattr(suggest, "FRESH_SECONDS", float("inf"))
    for name in (settings.ROUTING_CATEGORY_MODEL, settings.ROUTING_DEPARTMENT_MODEL):
        loaded._active[name] = (time.monotonic(), None)
    yield
    loaded.forget_all()
    suggest.forget()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Photos written by tests go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_DIR = tmp_path / "private" / "imports"


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Real headless Chromium (Debian's package, installed by `make test`)."""
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed (make test installs the Debian package)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def at_once():
    """Run callables at the same moment, each in its own thread and database connection;
    returns what became of each: "ok" or the name of the exception it raised."""

    def run_all(calls) -> list[str]:
        barrier = threading.Barrier(len(calls))
        outcomes: list[str] = []

        def run(call):
            from django.db import connection

            try:
                barrier.wait()
                call()
                outcomes.append("ok")
            except Exception as exc:
                outcomes.append(type(exc).__name__)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    return run_all


@pytest.fixture
def outbox():
    """The messages sent during the test (settings.MESSAGING_SENDER is "memory" in tests)."""
    from civicgrid.messaging.senders import MemorySender

    MemorySender.outbox.clear()
    yield MemorySender.outbox
    MemorySender.outbox.clear()


@pytest.fixture
def sent_code(outbox):
    """The last verification code sent to `phone` (read from the message's text)."""
    import re

    def last(phone: str) -> str:
        from civicgrid.core import privacy

        phone = privacy.clean_phone(phone)
        texts = [m.text for m in outbox if m.to == phone]
        assert texts, f"no message was sent to {phone}"
        found = re.search(r"\d{4,8}", texts[-1])
        assert found, f"no code in {texts[-1]!r}"
        return found.group()

    return last


@pytest.fixture
def pinned(client, django_assert_num_queries, settings, monkeypatch):
    """Get each page of `pages` ({url: queries}) with `client`, asserting it answers 200 in
    exactly that many queries; returns the bodies by url. A list page is pinned once with one
    row and again with many: an N+1 breaks the second pin.

    What a request costs apart from its page is kept out of the count, since it depends on the
    clock: the rate limits' windows (turned off here) and the session's idle-time touch (at
    most once a minute; never here)."""
    from civicgrid.core.middleware import IdleSessionMiddleware

    settings.RATE_LIMITS = {
        name: (0, seconds) for name, (_n, seconds) in settings.RATE_LIMITS.items()
    }
    monkeypatch.setattr(IdleSessionMiddleware, "TOUCH_SECONDS", 10**12)

    def get(pages: dict[str, int], **extra) -> dict[str, str]:
        bodies = {}
        for url, queries in pages.items():
            with django_assert_num_queries(queries, info=url):
                response = client.get(url, **extra)
            assert response.status_code == 200, url
            bodies[url] = response.content.decode()
        return bodies

    return get
