"""Each notification's link from its event: the event's page, /events/<number>/.

The path is written out here, not reversed from the URL name: a migration must give the same
result whatever the URLs are when it runs (the events:detail route at the time of this move)."""

from django.db import migrations
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat

PREFIX, SUFFIX = "/events/", "/"


def links_from_events(apps, schema_editor) -> None:
    Notification = apps.get_model("messaging", "Notification")
    Event = apps.get_model("events", "Event")
    number = Event.objects.filter(pk=OuterRef("event_id")).values("number")[:1]
    Notification.objects.filter(event__isnull=False).update(
        link=Concat(
            Value(PREFIX), Subquery(number), Value(SUFFIX), output_field=CharField()
        )
    )


def events_from_links(apps, schema_editor) -> None:
    """Backwards: the event again from the link (one statement per distinct link)."""
    Notification = apps.get_model("messaging", "Notification")
    Event = apps.get_model("events", "Event")
    links = Notification.objects.filter(link__startswith=PREFIX).values_list("link", flat=True)
    for link in links.distinct().order_by():
        number = link.removeprefix(PREFIX).removesuffix(SUFFIX)
        event = Event.objects.filter(number=number).values("pk")[:1]
        Notification.objects.filter(link=link).update(event_id=Subquery(event))


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_notification_link"),
        ("events", "0005_notification_to_messaging"),
    ]

    operations = [migrations.RunPython(links_from_events, events_from_links)]
