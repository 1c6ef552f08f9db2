import datetime as dt
import ipaddress
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.utils import translation

from civicgrid.core import limits, privacy
from civicgrid.core.models import Throttle


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {"probe": (3, 3600), "off": (0, 60)}


def test_it_refuses_past_the_limit_and_keeps_no_key_in_clear(db, tight):
    assert [limits.hit("probe", "203.0.113.9") for _ in range(3)] == [2, 1, 0]
    with pytest.raises(limits.TooMany) as caught:
        limits.hit("probe", "203.0.113.9")
    assert caught.value.status == 429
    assert 0 < caught.value.retry_after <= 3600
    assert limits.hit("probe", "203.0.113.10") == 2
    assert not Throttle.objects.filter(key__contains="203.0.113").exists()


def test_it_counts_a_limit_of_zero_and_a_blank_key_as_no_limit(db, tight):
    for _ in range(10):
        limits.hit("off", "x")
        limits.hit("probe", "")
    assert not Throttle.objects.exists()


def test_it_forgets_on_reset_and_purges_ended_windows(db, tight):
    for _ in range(3):
        limits.hit("probe", "k")
    limits.reset("probe", "k")
    assert limits.hit("probe", "k") == 2
    from django.utils import timezone

    assert limits.purge(before=timezone.now() + timezone.timedelta(hours=2)) == 1


@pytest.mark.parametrize(
    ("remote", "header", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),
        # A client's own header is ignored unless it came through a trusted proxy.
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # The client put a false address first; the proxy appended the one it saw.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),
        ("10.0.0.2", "not-an-ip", "10.0.0.2"),
    ],
)
def test_it_reads_the_client_address_behind_trusted_proxies(settings, remote, header, expected):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    settings.PROXY_HEADER = "X-Forwarded-For"
    extra = {"HTTP_X_FORWARDED_FOR": header} if header else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    assert limits.client_ip(request) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "+86 138-0013-8000",
        "13８００１３８０００",
        "１３８００１３８０００",
    ],
)
def test_one_phone_is_one_key_and_one_number_however_it_is_typed(typed):
    # Full-width digits (a Chinese input method) are the same phone: the same limit key and
    # the same sealed number, so neither a per-phone limit nor "one place per phone" can be
    # passed by typing the number another way.
    from civicgrid.core import privacy

    assert limits.phone_key(typed) == "13800138000"
    assert privacy.clean_phone(typed) == "13800138000"


@pytest.fixture
def clock(monkeypatch):
    """The limits' clock, set by the test (windows are fixed, aligned to their length)."""
    now = [dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(limits, "timezone", SimpleNamespace(now=lambda: now[0]))
    return now


def test_a_window_ends_on_the_hour_and_the_next_one_counts_anew(db, tight, clock):
    assert [limits.hit("probe", "k") for _ in range(3)] == [2, 1, 0]
    clock[0] = clock[0].replace(minute=59, second=59)
    with pytest.raises(limits.TooMany) as caught:
        limits.hit("probe", "k")
    assert caught.value.retry_after == 1
    assert caught.value.details == {"retry_after": 1}
    clock[0] = clock[0].replace(hour=11, minute=0, second=0)
    assert limits.hit("probe", "k") == 2
    assert Throttle.objects.filter(name="probe").count() == 2


def test_each_limit_counts_its_own_keys(db, settings, clock):
    settings.RATE_LIMITS = {"report_ip": (1, 3600), "read_ip": (1, 3600)}
    limits.hit("report_ip", "203.0.113.9")
    limits.hit("read_ip", "203.0.113.9")  # the same address, another limit
    with pytest.raises(limits.TooMany):
        limits.hit("report_ip", "203.0.113.9")
    keys = set(Throttle.objects.values_list("key", flat=True))
    assert keys == {
        privacy.blind_index("report_ip:203.0.113.9"),
        privacy.blind_index("read_ip:203.0.113.9"),
    }


def test_a_check_does_not_count_the_attempt(db, tight, clock):
    for _ in range(5):
        limits.check("probe", "k")
    assert not Throttle.objects.exists()
    for _ in range(3):
        limits.hit("probe", "k")
    with pytest.raises(limits.TooMany) as caught:
        limits.check("probe", "k", field="venue_code")
    assert caught.value.field == "venue_code"
    assert Throttle.objects.get().hits == 3


def test_a_guard_counts_the_address_and_the_phone(db, settings, clock):
    settings.RATE_LIMITS = {"order_ip": (5, 3600), "order_phone": (1, 3600)}
    factory = RequestFactory()
    limits.guard(factory.post("/", REMOTE_ADDR="203.0.113.1"), "order", phone="13800138000")
    with pytest.raises(limits.TooMany) as caught:
        limits.guard(
            factory.post("/", REMOTE_ADDR="203.0.113.2"),
            "order",
            phone="+86 138 0013 8000",
            phone_field="mobile",
        )
    assert caught.value.field == "mobile"


@pytest.mark.parametrize(("seconds", "minutes"), [(1, 1), (60, 1), (61, 2), (3600, 60)])
def test_the_message_says_how_many_minutes_to_wait(seconds, minutes):
    with translation.override("en"):
        assert limits.too_many_message(seconds) == (
            f"Too many attempts. Please try again in {minutes} minutes."
        )
