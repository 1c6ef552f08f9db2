"""Figures from a read replica (issue 15).

With DATABASE_REPLICA_URL set, settings.FIGURES_DATABASE names the `replica` alias and reads
of the rollup tables — the figures behind overviews, dashboards, the four rates — go there,
taking that load off the primary. Everything else, and every read made inside a transaction
on the primary (a write that reads a counter must see its own rows, never a lagging copy),
stays on the primary. The replica is never written or migrated by the app: it follows the
primary by PostgreSQL's streaming replication.
"""

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models

# "app_label.modelname" of the tables the figures are read from.
FIGURE_TABLES = frozenset(
    {
        "events.eventrollup",
        "events.eventdayrollup",
        "events.eventmonthrollup",
        "classes.classrollup",
        "volunteers.volunteerrollup",
        "community.communityrollup",
        "party.pointsrollup",
    }
)


class FiguresRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        replica: str = settings.FIGURES_DATABASE
        if not replica or model._meta.label_lower not in FIGURE_TABLES:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return replica

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read there relates to the primary's.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        # A production replica is never migrated: it copies the primary. The tests' stand-in
        # replica gets the schema, not the data migrations (RunPython names no model; theirs
        # query through the default database and would run against the primary again).
        return db == DEFAULT_DB_ALIAS or model_name is not None
