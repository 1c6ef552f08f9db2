"""The machine of a person's record for the shared workflow property test
(civicgrid/tests/test_workflows.py): recorded by the grid's worker; she, and the street's
staff, may record that the person moved out or was deregistered; a worker of another grid, a
read-only leader and a department may not."""

import datetime as dt

from django.utils import timezone

from civicgrid.people import services
from civicgrid.people.services import PersonData
from civicgrid.tests.walking import Walk


def walk_persons(request) -> Walk:
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")

    def start():
        return services.save_person(
            actor=people["alice"], data=PersonData(name="王秀英"), unit=tree.grid_a1_1
        )

    def leave(status: str, days: int = 0):
        def take(actor, person):
            left_on = timezone.localdate() + dt.timedelta(days=days)
            return services.record_departure(
                actor=actor, person=person, status=status, left_on=left_on
            )

        return take

    steps = {
        "move_out": leave("moved_out"),
        "deregister": leave("deregistered", days=-3),
        "move_out_tomorrow": leave("moved_out", days=1),
        "vanish": leave("present"),
    }
    walkers = {name: people[name] for name in ("alice", "bob", "carol", "dave", "erin")}
    return Walk(start=start, steps=steps, people=walkers)


WALKS = {"people.Person": walk_persons}
