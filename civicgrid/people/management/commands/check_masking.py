"""Try to rebuild every person's ID-card and phone number from what one user sees (the
masking rule in core/privacy.py): prints the fewest candidates left for any person."""

import statistics

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civicgrid.core import privacy
from civicgrid.people import api, selectors

ENOUGH = 10_000


class Command(BaseCommand):
    help = (
        "Count, for every person a user may see, the ID-card and phone numbers that fit what "
        "the user sees of them (masked number, birth date or age, gender); fails below 10 000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", default="leader", help="who looks (default: leader)")

    def handle(self, *args, user, **options):
        viewer = get_user_model().objects.filter(username=user).first()
        if viewer is None:
            raise CommandError(f"No user {user}.")
        today = timezone.localdate()
        id_counts, phone_counts, rebuilt = [], [], 0
        persons = selectors.persons_for(viewer).prefetch_related("tags")
        for person in persons.iterator(chunk_size=2000):
            seen = api._person(viewer, person)
            counts = []
            if len(seen["id_masked"]) == 18:
                counts.append(
                    privacy.id_candidates(
                        seen["id_masked"],
                        today=today,
                        gender=seen["gender"],
                        born=seen["birth_date"],
                        age=seen["age"],
                    )
                )
                id_counts.append(counts[-1])
            if seen["phone_masked"]:
                counts.append(10 ** seen["phone_masked"].count("*"))
                phone_counts.append(counts[-1])
            # A role that may reveal the numbers is not bound by the rule (its reveals are).
            if min(counts, default=ENOUGH) < ENOUGH and not selectors.may_see_personal(
                viewer, person.unit_code
            ):
                rebuilt += 1
        for label, counts in (("ID-card numbers", id_counts), ("phones", phone_counts)):
            if counts:
                self.stdout.write(
                    f"{label}: {len(counts)} persons, fewest candidates {min(counts)}, "
                    f"median {statistics.median(counts):.0f}, "
                    f"below {ENOUGH}: {sum(c < ENOUGH for c in counts)}"
                )
        if rebuilt:
            raise CommandError(f"{rebuilt} persons' numbers can be rebuilt by {user}.")
