"""Enrolments arriving at once (PostgreSQL, real threads and connections): never more people
than places, the waitlist promoted in the order people joined it."""

import pytest
from django.db import connection

from civicgrid.classes import services
from civicgrid.classes.models import Enrolment, EnrolmentStatus, Session

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
E = EnrolmentStatus


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twelve_at_once_for_three_places_and_three_on_the_waitlist(classroom, session, at_once):
    s = session(capacity=3, waitlist=3)
    calls = [
        (
            lambda n=n: services.enrol(
                actor=None, session=s, name=f"居民{n}", phone=f"138000000{n:02d}"
            )
        )
        for n in range(12)
    ]
    outcomes = at_once(calls)
    assert sorted(outcomes) == ["Conflict"] * 6 + ["ok"] * 6
    s.refresh_from_db()
    rows = Enrolment.objects.filter(session=s)
    assert (s.enrolled, s.waitlisted) == (3, 3)
    assert rows.filter(status=E.ENROLLED).count() == 3
    assert rows.filter(status=E.WAITLISTED).count() == 3

    # Two cancel at once: the two who joined the waitlist first move up, in that order.
    waiting = list(rows.filter(status=E.WAITLISTED).order_by("id"))
    leaving = list(rows.filter(status=E.ENROLLED)[:2])
    at_once(
        [
            (lambda e=e: services.cancel_enrolment(actor=None, enrolment=e, token=e.token))
            for e in leaving
        ]
    )
    promoted = [Enrolment.objects.get(pk=e.pk).status for e in waiting]
    assert promoted == [E.ENROLLED, E.ENROLLED, E.WAITLISTED]
    s = Session.objects.get(pk=s.pk)
    assert (s.enrolled, s.waitlisted) == (3, 1)
    order = list(
        Enrolment.objects.filter(steps__action="promote")
        .order_by("steps__id")
        .values_list("pk", flat=True)
    )
    assert order == [waiting[0].pk, waiting[1].pk]
