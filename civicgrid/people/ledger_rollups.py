"""Basic data per unit (`LedgerRollup`): each ledger's rows and, per completeness check, the
filled ones, so that a street's or a district's counts and completeness are a sum over a few
thousand unit rows instead of a count over a million persons (the cockpit, issue 19).

A row counts where it hangs (its own unit, a grid or micro-grid): a person on record adds to
`persons`, and to `persons_filled` with birth date, gender and ID number, and to
`persons_in_household` in a household; a household to `households`, and to `households_headed`
while one of its members is its head (the head may hang elsewhere: the household's unit counts
it); a house to `houses`, and to `houses_used` with a known use; an organisation to
`organisations`, and to `organisations_reachable` with a contact name and phone. These are the
checks of `selectors.completeness`, which reads them from here.

Every write keeps them in step in its own transaction, by difference: `Change(...)` takes the
contributions of the rows it names (locked on PostgreSQL) before the write, `commit()` takes
them again after it and adds the difference (core.rollups, one statement). A person named
brings her household along (a head who leaves takes the household's head with her); rows
created by the write are named to `commit`. Bulk writers of new rows (imports, synth) call
`add_objects`; `rebuild` recounts everything (or one subtree) from the rows, `check_all`
compares (`manage.py check_figures`).
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, OuterRef, Q

from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts

COUNTERS = (
    "persons",
    "persons_filled",
    "persons_in_household",
    "households",
    "households_headed",
    "houses",
    "houses_used",
    "organisations",
    "organisations_reachable",
)
KINDS = ("persons", "households", "houses", "organisations")
PRESENT = "present"  # PersonStatus.PRESENT (models are not imported: the migration calls us)
HEAD = "head"
UNKNOWN_GENDER = "0"
_CHUNK = 500

# (unit id, unit code) → counter → value
Totals = dict[tuple[int, str], dict[str, int]]


def _models() -> dict[str, type[models.Model]]:
    from civicgrid.people import models as people

    return {
        "persons": people.Person,
        "households": people.Household,
        "houses": people.House,
        "organisations": people.Organisation,
        "rollup": people.LedgerRollup,
    }


def _ids(values: Iterable[Any]) -> set[int]:
    """Primary keys of model objects or primary keys themselves (None skipped)."""
    out = set()
    for value in values:
        pk = value.pk if isinstance(value, models.Model) else value
        if pk is not None:
            out.add(int(pk))
    return out


def _add(totals: Totals, unit_id: int, unit_code: str, **counts: int) -> None:
    row = totals.setdefault((unit_id, unit_code), {})
    for name, value in counts.items():
        if value:
            row[name] = row.get(name, 0) + value


def _rows(model, ids: set[int], columns: list[str], *, lock: bool, annotate=None):
    rows = model._default_manager.order_by()
    if annotate:
        rows = rows.annotate(**annotate)
    if lock and connection.in_atomic_block:
        rows = rows.select_for_update(of=("self",)) if annotate else rows.select_for_update()
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield from rows.filter(pk__in=ordered[start : start + _CHUNK]).values_list(*columns)


def _contributions(
    ids: dict[str, set[int]], *, lock: bool = False, homes_too: bool = True
) -> tuple[Totals, set[int]]:
    """What the named rows add to the rollups now, and the households of the named persons
    (counted too with `homes_too`)."""
    kinds = _models()
    totals: Totals = {}
    homes: set[int] = set()
    columns = ["pk", "unit_id", "unit_code", "status", "birth_date", "id_hash", "gender"]
    for _pk, unit_id, code, status, born, id_hash, gender, household in _rows(
        kinds["persons"], ids["persons"], [*columns, "household_id"], lock=lock
    ):
        if household is not None:
            homes.add(household)
        if status == PRESENT:
            filled = born is not None and id_hash != "" and gender != UNKNOWN_GENDER
            _add(
                totals,
                unit_id,
                code,
                persons=1,
                persons_filled=int(filled),
                persons_in_household=int(household is not None),
            )
    head = kinds["persons"]._default_manager.filter(household=OuterRef("pk"), relation=HEAD)
    for _pk, unit_id, code, headed in _rows(
        kinds["households"],
        ids["households"] | homes if homes_too else ids["households"],
        ["pk", "unit_id", "unit_code", "headed"],
        lock=lock,
        annotate={"headed": Exists(head)},
    ):
        _add(totals, unit_id, code, households=1, households_headed=int(headed))
    for _pk, unit_id, code, use in _rows(
        kinds["houses"], ids["houses"], ["pk", "unit_id", "unit_code", "use"], lock=lock
    ):
        _add(totals, unit_id, code, houses=1, houses_used=int(use != ""))
    for _pk, unit_id, code, name, phone in _rows(
        kinds["organisations"],
        ids["organisations"],
        ["pk", "unit_id", "unit_code", "contact_name", "contact_phone"],
        lock=lock,
    ):
        _add(
            totals,
            unit_id,
            code,
            organisations=1,
            organisations_reachable=int(name != "" and phone != ""),
        )
    return totals, homes


def _apply(totals: Totals, rollup=None) -> None:
    """Add `totals` (signed differences) to the rows, inside the caller's transaction."""
    rollup = rollup or _models()["rollup"]
    add_to_rollups(
        RollupDelta(rollup, {"unit_id": unit_id}, code, counts)
        for (unit_id, code), counts in totals.items()
        if any(counts.values())
    )


def _difference(after: Totals, before: Totals) -> Totals:
    out: Totals = {}
    for key in after.keys() | before.keys():
        now, then = after.get(key, {}), before.get(key, {})
        out[key] = {name: now.get(name, 0) - then.get(name, 0) for name in now.keys() | then.keys()}
    return out


class Change:
    """A write to ledger rows, kept in the rollups: build it (inside the write's transaction)
    before the write, naming the rows it will change; `commit()` after it, naming the rows it
    created. Persons bring their households along (before and after); a household a person
    joins must be named (it may gain its head)."""

    def __init__(
        self,
        *,
        persons: Iterable[Any] = (),
        households: Iterable[Any] = (),
        houses: Iterable[Any] = (),
        organisations: Iterable[Any] = (),
    ) -> None:
        self.ids = {
            "persons": _ids(persons),
            "households": _ids(households),
            "houses": _ids(houses),
            "organisations": _ids(organisations),
        }
        if any(self.ids.values()):
            self.before, homes = _contributions(self.ids, lock=True)
            self.ids["households"] |= homes
        else:
            self.before = {}

    def commit(
        self,
        *,
        persons: Iterable[Any] = (),
        households: Iterable[Any] = (),
        houses: Iterable[Any] = (),
        organisations: Iterable[Any] = (),
    ) -> None:
        """Add the difference the write made; the rows named here are new (nothing before)."""
        for kind, more in zip(KINDS, (persons, households, houses, organisations), strict=True):
            self.ids[kind] |= _ids(more)
        after, _homes = _contributions(self.ids, homes_too=False)
        _apply(_difference(after, self.before))


def add_objects(
    *,
    persons: Iterable[Any] = (),
    households: Iterable[Any] = (),
    houses: Iterable[Any] = (),
    organisations: Iterable[Any] = (),
) -> None:
    """Count rows just created (saved model objects or primary keys) that no Change counted:
    bulk writers (imports, synth) and tests that make ledger rows with the ORM. Persons'
    households are counted again only if named: name a household once, with all its members
    in."""
    ids = {
        "persons": _ids(persons),
        "households": _ids(households),
        "houses": _ids(houses),
        "organisations": _ids(organisations),
    }
    totals, _homes = _contributions(ids, homes_too=False)
    with transaction.atomic():
        _apply(totals)


# ---- recount ----------------------------------------------------------------------------------


def recount(under: str | None = None, *, kinds: dict[str, Any] | None = None) -> Totals:
    """Every ledger row counted again (under the code `under`, if given): one grouped query a
    ledger. `kinds` gives the models (the migration's historical ones)."""
    kinds = kinds or _models()
    totals: Totals = {}

    def rows(model):
        found = model._default_manager.order_by()
        if under:
            found = found.filter(unit_code__under=under)
        return found.values("unit_id", "unit_code")

    persons = rows(kinds["persons"]).filter(status=PRESENT)
    filled = Q(birth_date__isnull=False) & ~Q(id_hash="") & ~Q(gender=UNKNOWN_GENDER)
    for row in persons.annotate(
        n=Count("pk"),
        filled=Count("pk", filter=filled),
        housed=Count("pk", filter=Q(household__isnull=False)),
    ):
        _add(
            totals,
            row["unit_id"],
            row["unit_code"],
            persons=row["n"],
            persons_filled=row["filled"],
            persons_in_household=row["housed"],
        )
    head = kinds["persons"]._default_manager.filter(household=OuterRef("pk"), relation=HEAD)
    for row in rows(kinds["households"]).annotate(
        n=Count("pk"), headed=Count("pk", filter=Q(Exists(head)))
    ):
        _add(
            totals,
            row["unit_id"],
            row["unit_code"],
            households=row["n"],
            households_headed=row["headed"],
        )
    for row in rows(kinds["houses"]).annotate(n=Count("pk"), used=Count("pk", filter=~Q(use=""))):
        _add(totals, row["unit_id"], row["unit_code"], houses=row["n"], houses_used=row["used"])
    reachable = ~Q(contact_name="") & ~Q(contact_phone="")
    for row in rows(kinds["organisations"]).annotate(
        n=Count("pk"), reachable=Count("pk", filter=reachable)
    ):
        _add(
            totals,
            row["unit_id"],
            row["unit_code"],
            organisations=row["n"],
            organisations_reachable=row["reachable"],
        )
    return totals


def _by_unit(totals: Totals) -> dict[int, tuple[str, dict[str, int]]]:
    out: dict[int, tuple[str, dict[str, int]]] = {}
    for (unit_id, code), counts in totals.items():
        _code, row = out.setdefault(unit_id, (code, defaultdict(int)))
        for name, value in counts.items():
            row[name] += value
    return out


def write(totals: Totals, rollup) -> int:
    """Rows for `totals` written afresh (the caller deleted the old ones); returns how many."""
    rows = [
        rollup(unit_id=unit_id, unit_code=code, **{name: counts.get(name, 0) for name in COUNTERS})
        for unit_id, (code, counts) in sorted(_by_unit(totals).items())
        if any(counts.values())
    ]
    rollup._default_manager.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def rebuild(under: str | None = None) -> int:
    """Rewrite the rows (of the units under the code `under`, if given) from a recount;
    returns how many rows there are now."""
    rollup = _models()["rollup"]
    old = rollup._default_manager.all()
    if under:
        old = old.filter(unit_code__under=under)
    old.delete()
    return write(recount(under), rollup)


def check_all() -> list[Drift]:
    """Every counter whose kept value differs from a recount of the rows, by unit id."""
    expected = {(unit_id,): dict(counts) for unit_id, (_c, counts) in _by_unit(recount()).items()}
    stored = {
        (row["unit_id"],): {name: row[name] for name in COUNTERS if row[name]}
        for row in _models()["rollup"]._default_manager.values("unit_id", *COUNTERS)
    }
    return drifts("LedgerRollup", stored, expected)
