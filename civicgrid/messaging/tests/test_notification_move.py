"""Notification's move from events to messaging keeps the table and every row, and turns each
row's event into a link to the event's page (and back, when the migrations are reversed)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from civicgrid.events.models import Category, Event, Source
from civicgrid.messaging.models import Notification

# Before the move: Notification in events, with its event.
BEFORE = [("events", "0004_reporter_phone_hash"), ("messaging", "0001_messages_consents_codes")]
# Moved, with a link column and its event: going back here runs the data migration backwards.
LINKED = [("messaging", "0003_notification_link")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # A fresh executor: its loader reads the graph as the database now stands.
    return MigrationExecutor(connection)


def _latest() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_keeps_every_row_and_links_it_to_its_event(tree, people):
    event = Event.objects.create(
        number="E2026000042",
        title="消防通道被堵",
        category=Category.objects.first(),
        source=Source.PATROL,
        unit=tree.grid_a1_1,
        lon=113.6,
        lat=34.7,
        reported_at=timezone.now(),
    )
    alice, bob = people["alice"], people["bob"]
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        OldNotification = old.get_model("events", "Notification")
        about = OldNotification.objects.create(user_id=alice.pk, event_id=event.pk, text="派给你")
        plain = OldNotification.objects.create(user_id=bob.pk, event_id=None, text="系统通知")
        OldNotification.objects.filter(pk=plain.pk).update(read_at=about.created_at)

        _latest()
        rows = {n.pk: n for n in Notification.objects.all()}
        assert set(rows) == {about.pk, plain.pk}
        assert (rows[about.pk].user_id, rows[about.pk].text) == (alice.pk, "派给你")
        assert rows[about.pk].link == "/events/E2026000042/" == event.get_absolute_url()
        assert rows[about.pk].read_at is None
        assert (rows[plain.pk].link, rows[plain.pk].read_at) == ("", about.created_at)

        linked = _migrate(LINKED).loader.project_state(LINKED).apps
        back = linked.get_model("messaging", "Notification").objects.order_by("pk")
        assert [(n.pk, n.event_id) for n in back] == [(about.pk, event.pk), (plain.pk, None)]
    finally:
        _latest()
