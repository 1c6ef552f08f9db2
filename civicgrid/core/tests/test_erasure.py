"""The erasure registry: every app registers what erases a resident from its models; erasing
runs each once, in order, and says how many rows each touched."""

import pytest
from django.db.models import Q

from civicgrid.core import erasure
from civicgrid.core.erasure import Subject

HER = Subject(person_id=7, name="张秀英", unit_code="410102001001001", phone_hash="ab12")


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own are registered at start-up)."""
    monkeypatch.setattr(erasure, "_ERASERS", {})
    return erasure


def test_the_apps_register_their_erasers_at_start_up():
    assert {"events.Event", "community.Need", "messaging.Message"} <= erasure.registered()


def test_erasers_run_once_each_in_their_order_and_report_what_they_touched(registry):
    ran = []

    def eraser(label: str, rows: int):
        def erase(subject: Subject) -> int:
            assert subject is HER
            ran.append(label)
            return rows

        return erase

    registry.register("people.Person", eraser("people.Person", 1), order=10)
    registry.register("events.Event", eraser("events.Event", 3))
    registry.register("party.PartyMember", eraser("party.PartyMember", 0), order=5)
    assert registry.registered() == {"people.Person", "events.Event", "party.PartyMember"}
    touched = registry.erase(HER)
    assert ran == ["events.Event", "party.PartyMember", "people.Person"]
    assert touched == {"events.Event": 3, "party.PartyMember": 0, "people.Person": 1}


def test_registering_a_model_again_replaces_its_eraser(registry):
    registry.register("events.Event", lambda subject: 1)
    registry.register("events.Event", lambda subject: 2)
    assert registry.erase(HER) == {"events.Event": 2}


def test_her_rows_are_those_linked_to_her_or_bearing_her_phone_and_linked_to_no_one():
    assert HER.rows("person") == Q(pk__in=[]) | Q(person_id=7) | (
        Q(phone_hash="ab12") & Q(person__isnull=True)
    )


def test_without_a_phone_only_the_links_count():
    nobody_called = Subject(person_id=7, name="张秀英", unit_code="410102")
    assert nobody_called.rows("person", "member__person") == (
        Q(pk__in=[]) | Q(person_id=7) | Q(member__person_id=7)
    )
    assert HER.rows("person", phone="reporter_phone_hash", unlinked="") == (
        Q(pk__in=[]) | Q(person_id=7) | Q(reporter_phone_hash="ab12")
    )
