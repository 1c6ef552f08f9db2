from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from civicgrid.classes import rollups as classes
from civicgrid.community import rollups as community
from civicgrid.core.rollups import Drift
from civicgrid.events import rollups as events
from civicgrid.events import worker_rollups as workers
from civicgrid.mediation import rollups as mediation
from civicgrid.org.models import OrgUnit
from civicgrid.party import rollups as party
from civicgrid.people import ledger_rollups as ledgers
from civicgrid.people import rollups as visits
from civicgrid.volunteers import rollups as volunteers

# Each app's recount of its kept counters (its rollup rows, and the counts kept on rows).
CHECKS = {
    "events": events.check_all,
    "classes": classes.check_all,
    "volunteers": volunteers.check_all,
    "community": community.check_all,
    "party": party.check_all,
    "mediation": mediation.check_all,
    # Per-worker figures (assessment): events, patrols and notes; household visits.
    "workers": workers.check_all,
    "visits": visits.check_all,
    # Basic data per unit: persons, households, houses, organisations, completeness counts.
    "ledgers": ledgers.check_all,
}
# Tables whose key starts with a unit's id (the others' with the counted row's own id).
UNIT_TABLES = {
    "EventRollup",
    "EventDayRollup",
    "EventMonthRollup",
    "ClassRollup",
    "VolunteerRollup",
    "CommunityRollup",
    "PointsRollup",
    "MediationRollup",
    "WorkerMonthRollup",
    "VisitMonthRollup",
    "LedgerRollup",
}


class Command(BaseCommand):
    help = (
        "Recount every rollup and kept counter from the rows they count (events, classes, "
        "volunteer services, community lists, party points, mediation, per-worker figures, "
        "basic data per unit) and print each counter that differs, by unit; exit status 1 "
        "when any does (after an upgrade or a restore), 0 when all agree. Nothing is "
        "changed: `rebuild_event_rollups` rewrites the events' rows."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found: list[Drift] = []
        # One snapshot for the counters and the rows they count, on the primary (a transaction
        # keeps the figures router off the replica): a site taking reports meanwhile shows no
        # drift that is not there.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for name, check in CHECKS.items():
                wrong = check()
                if options["verbosity"] > 1:
                    self.stdout.write(f"{name}: {len(wrong)} counters differ")
                found += wrong
        if not found:
            self.stdout.write(self.style.SUCCESS("Every figure equals its recount."))
            return
        codes = dict(
            OrgUnit.objects.filter(
                pk__in={d.key[0] for d in found if d.table in UNIT_TABLES}
            ).values_list("pk", "code")
        )
        for drift in found:
            unit = f"unit {codes.get(drift.key[0], '?')} " if drift.table in UNIT_TABLES else ""
            self.stdout.write(f"{unit}{drift}")
        raise CommandError(f"{len(found)} counters differ from their recount.", returncode=1)
