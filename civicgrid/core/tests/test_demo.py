"""The demo registry runs each app's part after the parts it names, ties in registration
order, and refuses a part that waits on a name nobody registered or on itself through others."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicgrid.core import demo


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(demo, "_PARTS", {})
    return demo


def _names(registry) -> list[str]:
    return [part.name for part in registry.parts()]


def test_it_runs_each_part_after_those_it_names(registry):
    registry.register("community", "x.community", after=["classes"])
    registry.register("classes", "x.classes", after=["people"])
    registry.register("events", "x.events", after=["org"])
    registry.register("people", "x.people", after=["org"])
    registry.register("org", "x.org")
    assert _names(registry) == ["org", "events", "people", "classes", "community"]


def test_it_keeps_registration_order_where_nothing_is_named(registry):
    for name in ("b", "a", "c"):
        registry.register(name, f"x.{name}")
    assert _names(registry) == ["b", "a", "c"]


def test_it_refuses_a_part_after_an_unknown_one(registry):
    registry.register("events", "x.events", after=["org"])
    with pytest.raises(ImproperlyConfigured, match="org"):
        registry.parts()


def test_it_refuses_parts_waiting_on_each_other(registry):
    registry.register("org", "x.org")
    registry.register("a", "x.a", after=["org", "b"])
    registry.register("b", "x.b", after=["a"])
    with pytest.raises(ImproperlyConfigured, match=r"\['a', 'b'\]"):
        registry.parts()
