"""Writes of the assessment's 查 (check) and 听 (hear), and the values they give each worker.

查: communities of the plan's unit are **drawn** at random with a logged seed
(`sampling.draw`), then grids within the drawn communities, then, per drawn grid, ledger rows
(residents, households, places) for a **spot check** marked right or wrong on site. The
cross-boundary (三跨) events the plan's workers reported in the drawn grids during the plan's
year are **reviewed** for quality. 听: **inspections** on a phone, the four aspects scored
0–25 each, with remarks and photos.

Rules (docs/assessment-checks.md):
- Only assessors (assessment/roles.ASSESSOR_ROLES: staff of the plan's unit or above it) write
  here, and only while the plan is under way (RUNNING).
- Draws are never changed or deleted. The first draw of communities needs no reason, nor the
  first draw of grids from the communities in force, nor the first draw of a grid's ledger
  rows; any later one needs a reason, which is logged with it. The newest draw is in force:
  the communities of the newest community draw; the grids of the newest grid draw when it was
  made after that community draw (a grid draw from communities no longer in force is stale);
  for each grid, the spot check of its newest ledger draw.
- Every write runs in one transaction with the plan's row locked, so two draws at once are
  taken one after the other and the second sees the first (and needs its reason).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.assessment import sampling
from civicgrid.assessment.models import (
    Aspect,
    CrossReview,
    Draw,
    DrawKind,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    LedgerKind,
    Plan,
    PlanStatus,
    PlanWorker,
    Quality,
    SpotCheck,
    SpotCheckItem,
)
from civicgrid.assessment.roles import ASSESSOR_ROLES
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.photos import read_photos
from civicgrid.events import selectors as event_selectors
from civicgrid.events.models import Event
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds
from civicgrid.people import selectors as people_selectors
from civicgrid.people.models import Household, Person, PersonStatus, Place

GRID_KINDS = (Kind.GRID, Kind.DEDICATED_GRID)
REMARK_LIMIT = 300
REMARKS_LIMIT = 3000
ASPECT_MAX = Decimal(25)
# 三跨 review: the points of each quality; a worker's value is the mean over their reviews.
QUALITY_POINTS = {
    Quality.HIGH: Decimal(100),
    Quality.ORDINARY: Decimal(70),
    Quality.LOW: Decimal(40),
}
LEDGER_ORDER = (LedgerKind.PERSON, LedgerKind.HOUSEHOLD, LedgerKind.PLACE)
CENT = Decimal("0.01")


def _now() -> dt.datetime:
    return timezone.now()


# ---- rules shared by every write -----------------------------------------------------------


def may_assess(actor: Any, plan: Plan) -> bool:
    return holds(actor, plan.unit_code, ASSESSOR_ROLES)


def _require_assessor(actor: Any, plan: Plan) -> None:
    if not may_assess(actor, plan):
        raise NotAllowed(
            _("Only the assessors of this plan (staff of its street or district) may do that.")
        )


def _locked_running(plan: Plan) -> Plan:
    """The plan's row, locked for the transaction; Conflict unless it is under way."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.RUNNING:
        raise Conflict(
            _(
                "The assessment is not under way (it is “%(status)s”): draws, spot checks, "
                "reviews and inspections are recorded only between its start and the scores."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _text(value: str | None, field: str, limit: int) -> str:
    value = plain_text(value or "").strip()
    if len(value) > limit:
        raise InvalidInput(_("Keep it under %(limit)d characters.") % {"limit": limit}, field=field)
    return value


def _moment(at: dt.datetime | None, plan: Plan, field: str) -> dt.datetime:
    """When it happened: now by default; never in the future, never before the plan's year."""
    now = _now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The time cannot be in the future."), field=field)
    if timezone.localtime(at).year < plan.year:
        raise InvalidInput(
            _("The time must fall in %(year)d or later.") % {"year": plan.year}, field=field
        )
    return at


# ---- the sample in force -------------------------------------------------------------------


def communities_draw(plan: Plan) -> Draw | None:
    """The community draw in force: the newest."""
    return plan.draws.filter(kind=DrawKind.COMMUNITIES).order_by("-pk").first()


def grids_draw(plan: Plan) -> Draw | None:
    """The grid draw in force: the newest, if it was drawn from the communities in force."""
    communities = communities_draw(plan)
    if communities is None:
        return None
    return plan.draws.filter(kind=DrawKind.GRIDS, pk__gt=communities.pk).order_by("-pk").first()


def sampled_grid_codes(plan: Plan) -> list[str]:
    found = grids_draw(plan)
    return sorted(found.result) if found else []


def communities_of(plan: Plan) -> list[OrgUnit]:
    """The population of a community draw: the active communities under the plan's unit."""
    return list(
        OrgUnit.objects.filter(
            code__under=plan.unit_code, kind=Kind.COMMUNITY, active=True
        ).order_by("code")
    )


def grids_of(codes: Iterable[str]) -> list[OrgUnit]:
    """The population of a grid draw: the active grids (dedicated ones too) under `codes`."""
    condition = Q()
    for code in codes:
        condition |= Q(code__under=code)
    if not condition:
        return []
    return list(
        OrgUnit.objects.filter(condition, kind__in=GRID_KINDS, active=True).order_by("code")
    )


def ledger_population(grid: OrgUnit) -> list[str]:
    """The population of a grid's ledger draw: its present residents, its households and its
    places (micro-grids included), written "person:<id>", "household:<id>", "place:<id>", in
    that order and by id."""
    persons = Person.objects.filter(unit_code__under=grid.code, status=PersonStatus.PRESENT)
    households = Household.objects.filter(unit_code__under=grid.code)
    places = Place.objects.filter(unit_code__under=grid.code)
    population: list[str] = []
    for kind, rows in zip(LEDGER_ORDER, (persons, households, places), strict=True):
        population += [f"{kind}:{pk}" for pk in rows.order_by("pk").values_list("pk", flat=True)]
    return population


def _check_count(count: Any) -> int:
    if not isinstance(count, int) or isinstance(count, bool):
        raise InvalidInput(_("Enter a whole number."), field="count")
    return count


def _needs_reason(earlier: bool, reason: str) -> str:
    reason = _text(reason, "reason", REMARK_LIMIT)
    if earlier and not reason:
        raise InvalidInput(
            _(
                "This was drawn before: say why it is drawn again. The earlier draw stays in "
                "the log; the new one will be in force."
            ),
            field="reason",
        )
    return reason


def _record(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    population: Sequence[str],
    seed: str,
    count: int,
    reason: str,
    at: dt.datetime,
    unit: OrgUnit | None = None,
) -> Draw:
    seed = sampling.clean_seed(seed)
    result = sampling.draw(population, seed, _check_count(count))
    return Draw.objects.create(
        plan=plan,
        kind=kind,
        unit=unit,
        seed=seed,
        population=list(population),
        count=count,
        result=result,
        reason=reason,
        drawn_by=actor if getattr(actor, "pk", None) else None,
        drawn_at=at,
    )


@transaction.atomic
def draw_communities(
    *, actor: Any, plan: Plan, count: int, seed: str = "", reason: str = "", at=None
) -> Draw:
    """Draw `count` of the communities under the plan's unit."""
    _require_assessor(actor, plan)
    plan = _locked_running(plan)
    at = _moment(at, plan, "drawn_at")
    reason = _needs_reason(communities_draw(plan) is not None, reason)
    population = [unit.code for unit in communities_of(plan)]
    if not population:
        raise InvalidInput(_("There are no communities under this plan's unit."), field="count")
    return _record(
        actor=actor,
        plan=plan,
        kind=DrawKind.COMMUNITIES,
        population=population,
        seed=seed,
        count=count,
        reason=reason,
        at=at,
    )


@transaction.atomic
def draw_grids(
    *, actor: Any, plan: Plan, count: int, seed: str = "", reason: str = "", at=None
) -> Draw:
    """Draw `count` of the grids of the communities in force (all of them together)."""
    _require_assessor(actor, plan)
    plan = _locked_running(plan)
    at = _moment(at, plan, "drawn_at")
    communities = communities_draw(plan)
    if communities is None:
        raise Conflict(_("Draw the communities first."))
    reason = _needs_reason(grids_draw(plan) is not None, reason)
    population = [unit.code for unit in grids_of(communities.result)]
    if not population:
        raise InvalidInput(_("The communities drawn have no grids."), field="count")
    return _record(
        actor=actor,
        plan=plan,
        kind=DrawKind.GRIDS,
        population=population,
        seed=seed,
        count=count,
        reason=reason,
        at=at,
    )


# ---- spot checks -------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张** : the first character of a name, every other one hidden."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def ledger_labels(members: Sequence[str]) -> dict[str, tuple[str, int, str]]:
    """What the assessor reads on site for each drawn member: (kind, id, label), the label
    masked — a resident's name as 张**, never an ID or phone number — with the address that
    finds the row (a household's, a building's room, a place's)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for member in members:
        kind, _sep, number = member.partition(":")
        ids[kind].append(int(number))
    persons = Person.objects.select_related("household__house__building").in_bulk(
        ids[LedgerKind.PERSON]
    )
    households = Household.objects.select_related("house__building").in_bulk(
        ids[LedgerKind.HOUSEHOLD]
    )
    heads: dict[int | None, str] = {
        person.household_id: person.name
        for person in Person.objects.filter(
            household_id__in=ids[LedgerKind.HOUSEHOLD], relation="head"
        ).only("household_id", "name")
    }
    places = Place.objects.in_bulk(ids[LedgerKind.PLACE])

    def address(household: Household | None) -> str:
        if household is None:
            return _("no household")
        return household.address or (str(household.house) if household.house else "")

    labels: dict[str, tuple[str, int, str]] = {}
    for member in members:
        kind, _sep, raw = member.partition(":")
        pk = int(raw)
        if kind == LedgerKind.PERSON and pk in persons:
            person = persons[pk]
            text = f"{mask_name(person.name)} · {person.get_gender_display()} · "
            text += address(person.household)
        elif kind == LedgerKind.HOUSEHOLD and pk in households:
            household = households[pk]
            head = heads.get(pk)
            text = address(household) or household.number or f"#{pk}"
            if head:
                text += " · " + _("head %(name)s") % {"name": mask_name(head)}
        elif kind == LedgerKind.PLACE and pk in places:
            place = places[pk]
            text = f"{place.name} · {place.address}" if place.address else place.name
        else:
            text = _("a row no longer on the ledger")
        labels[member] = (kind, pk, text[:200])
    return labels


@transaction.atomic
def draw_ledger(
    *,
    actor: Any,
    plan: Plan,
    grid: OrgUnit,
    count: int,
    seed: str = "",
    reason: str = "",
    at=None,
) -> SpotCheck:
    """Draw `count` ledger rows of a drawn grid and open its spot check, one row per member."""
    _require_assessor(actor, plan)
    plan = _locked_running(plan)
    at = _moment(at, plan, "drawn_at")
    if grid.code not in sampled_grid_codes(plan):
        raise InvalidInput(_("Only the grids drawn can be spot-checked."), field="grid")
    earlier = plan.draws.filter(kind=DrawKind.LEDGER, unit=grid).exists()
    reason = _needs_reason(earlier, reason)
    population = ledger_population(grid)
    if not population:
        raise InvalidInput(
            _("This grid's ledgers hold no residents, households or places to check."),
            field="count",
        )
    drawn = _record(
        actor=actor,
        plan=plan,
        kind=DrawKind.LEDGER,
        population=population,
        seed=seed,
        count=count,
        reason=reason,
        at=at,
        unit=grid,
    )
    check = SpotCheck.objects.create(
        plan=plan,
        unit=grid,
        draw=drawn,
        checker=drawn.drawn_by,
        checked_at=at,
    )
    labels = ledger_labels(drawn.result)
    SpotCheckItem.objects.bulk_create(
        SpotCheckItem(spot_check=check, kind=kind, object_id=pk, label=label)
        for kind, pk, label in (labels[member] for member in drawn.result)
    )
    return check


@dataclass(frozen=True)
class Mark:
    """One row's mark: right (True), wrong (False) or not yet (None), and a remark."""

    item_id: int
    correct: bool | None
    remark: str = ""


@transaction.atomic
def mark_spot_check(
    *,
    actor: Any,
    spot_check: SpotCheck,
    marks: Sequence[Mark],
    remarks: str | None = None,
    at=None,
) -> SpotCheck:
    """Mark rows of a spot check right or wrong, each with a remark (a wrong row needs one)."""
    plan = spot_check.plan
    _require_assessor(actor, plan)
    plan = _locked_running(plan)
    at = _moment(at, plan, "checked_at")
    items = {item.pk: item for item in spot_check.items.all()}
    changed = []
    for mark in marks:
        item = items.get(mark.item_id)
        if item is None:
            raise InvalidInput(_("That row is not in this spot check."), field="items")
        remark = _text(mark.remark, f"remark-{item.pk}", REMARK_LIMIT)
        if mark.correct is False and not remark:
            raise InvalidInput(
                _("Say what is wrong with “%(row)s”.") % {"row": item.label},
                field=f"remark-{item.pk}",
            )
        item.correct = mark.correct
        item.remark = remark
        changed.append(item)
    SpotCheckItem.objects.bulk_update(changed, ["correct", "remark"])
    if remarks is not None:
        spot_check.remarks = _text(remarks, "remarks", REMARKS_LIMIT)
    spot_check.checker = actor if getattr(actor, "pk", None) else spot_check.checker
    spot_check.checked_at = at
    spot_check.save(update_fields=["remarks", "checker", "checked_at"])
    return spot_check


def spot_checks_in_force(plan: Plan) -> dict[str, SpotCheck]:
    """For each drawn grid, its spot check in force (of its newest ledger draw), by grid code."""
    codes = sampled_grid_codes(plan)
    found: dict[str, SpotCheck] = {}
    for check in (
        SpotCheck.objects.filter(plan=plan, unit_code__in=codes).order_by("draw_id").iterator()
    ):
        found[check.unit_code] = check  # the newest draw last
    return found


# ---- cross-boundary (三跨) reviews ------------------------------------------------------------


def _year_bounds(plan: Plan) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime(plan.year, 1, 1, tzinfo=zone),
        dt.datetime(plan.year + 1, 1, 1, tzinfo=zone),
    )


def workers_by_grid(plan: Plan) -> dict[str, list[PlanWorker]]:
    """The plan's workers of each drawn grid."""
    codes = set(sampled_grid_codes(plan))
    by_grid: dict[str, list[PlanWorker]] = defaultdict(list)
    for planned in plan.workers.select_related("worker").order_by("pk"):
        for code in planned.grid_codes or []:
            if code in codes:
                by_grid[code].append(planned)
    return by_grid


def cross_events(plan: Plan):
    """The cross-boundary events to review: reported during the plan's year by one of the
    plan's workers of a drawn grid, in a drawn grid."""
    by_grid = workers_by_grid(plan)
    if not by_grid:
        return Event.objects.none()
    workers = {planned.worker_id for rows in by_grid.values() for planned in rows}
    inside = Q()
    for code in by_grid:
        inside |= Q(unit_code__under=code)
    start, end = _year_bounds(plan)
    return Event.objects.filter(
        inside,
        reporter_id__in=workers,
        reported_at__gte=start,
        reported_at__lt=end,
    ).exclude(cross_boundary="")


@transaction.atomic
def review_cross_boundary(
    *, actor: Any, plan: Plan, event: Event, quality: str, remark: str = "", at=None
) -> CrossReview:
    """Mark the quality of one cross-boundary report (high, ordinary, low); marking it again
    replaces the mark (one review per event and plan)."""
    _require_assessor(actor, plan)
    plan = _locked_running(plan)
    at = _moment(at, plan, "reviewed_at")
    if quality not in Quality.values:
        raise InvalidInput(_("Choose the quality: high, ordinary or poor."), field="quality")
    if not cross_events(plan).filter(pk=event.pk).exists():
        raise InvalidInput(
            _("Only cross-boundary reports of the workers of the grids drawn can be reviewed."),
            field="event",
        )
    assert event.reporter_id is not None  # cross_events keeps the workers' reports only
    review, _created = CrossReview.objects.update_or_create(
        plan=plan,
        event=event,
        defaults={
            "worker_id": event.reporter_id,
            "quality": quality,
            "remark": _text(remark, "remark", REMARK_LIMIT),
            "reviewer": actor if getattr(actor, "pk", None) else None,
            "reviewed_at": at,
        },
    )
    return review


# ---- inspections (听) -----------------------------------------------------------------------


def _score(value: Any, field: str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give a score from 0 to 25."), field=field) from None
    if not score.is_finite() or not Decimal(0) <= score <= ASPECT_MAX:
        raise InvalidInput(_("Give a score from 0 to 25."), field=field)
    if score != score.quantize(Decimal("0.1")):
        raise InvalidInput(_("Give a score with at most one decimal."), field=field)
    return score


@transaction.atomic
def record_inspection(
    *,
    actor: Any,
    plan: Plan,
    plan_worker: PlanWorker,
    aspects: Mapping[str, tuple[Any, str]],
    place: str = "",
    remarks: str = "",
    photos: Iterable = (),
    at=None,
) -> Inspection:
    """An on-site inspection of a worker: each of the four aspects (`Aspect`) scored 0–25 with
    a remark; the inspection's score is their sum (0–100). Photos are cleaned (no EXIF) and
    kept in private storage, shown only to those who see the plan."""
    _require_assessor(actor, plan)
    plan = _locked_running(plan)
    at = _moment(at, plan, "inspected_at")
    if plan_worker.plan_id != plan.pk:
        raise InvalidInput(_("Choose a worker of this plan."), field="plan_worker")
    missing = [aspect for aspect in Aspect.values if aspect not in aspects]
    if missing:
        raise InvalidInput(
            _("Score every aspect: %(aspect)s is missing.") % {"aspect": Aspect(missing[0]).label},
            field=f"score-{missing[0]}",
        )
    unknown = [key for key in aspects if key not in Aspect.values]
    if unknown:
        raise InvalidInput(_("Unknown aspect."), field="aspects")
    scored = {
        aspect: (
            _score(aspects[aspect][0], f"score-{aspect}"),
            _text(aspects[aspect][1], f"remark-{aspect}", REMARK_LIMIT),
        )
        for aspect in Aspect.values
    }
    cleaned = read_photos(photos)
    unit = OrgUnit.objects.filter(code__in=plan_worker.grid_codes or []).order_by("code").first()
    inspection = Inspection.objects.create(
        plan=plan,
        plan_worker=plan_worker,
        unit=unit or plan_worker.community,
        inspector=actor if getattr(actor, "pk", None) else None,
        inspected_at=at,
        place=_text(place, "place", 200),
        remarks=_text(remarks, "remarks", REMARKS_LIMIT),
        score=sum((score for score, _remark in scored.values()), Decimal(0)),
    )
    InspectionItem.objects.bulk_create(
        InspectionItem(inspection=inspection, aspect=aspect, score=score, remark=remark)
        for aspect, (score, remark) in scored.items()
    )
    for photo in cleaned:
        shot = InspectionPhoto(inspection=inspection)
        shot.image.save(photo.content.name, photo.content, save=False)
        shot.save()
    return inspection


# ---- the values of the scoring contract (scoring.SOURCES): {PlanWorker.pk: 0–100} ---------------


def _cents(value: Decimal) -> Decimal:
    return min(Decimal(100), max(Decimal(0), value)).quantize(CENT, rounding=ROUND_HALF_UP)


def system_reader() -> Any:
    """The reader the value functions read basic data as: the system, which sees every row (an
    unsaved superuser that never logs in and is never stored). A plan's values must not depend
    on who asks for the scores; only what the scores show is scoped, by the plan's pages."""
    return get_user_model()(username="system", is_superuser=True, is_active=False)


def _worker_grids(plan: Plan) -> dict[int, list[str]]:
    """Each worker's drawn grids, by PlanWorker.pk (workers with none are left out)."""
    codes = set(sampled_grid_codes(plan))
    found = {}
    for pk, grids in plan.workers.values_list("pk", "grid_codes"):
        mine = sorted(code for code in grids or [] if code in codes)
        if mine:
            found[pk] = mine
    return found


def values_completeness(plan: Plan) -> dict[int, Decimal]:
    """Completeness of the worker's drawn grids taken together: the filled required items over
    all required items of people/selectors.completeness (persons' required fields, persons in a
    household, households with a head, houses with a known use, organisations with a contact),
    summed over the grids, read as the system (`system_reader`). No value while the grids
    record no resident (that rule's "no data")."""
    mine = _worker_grids(plan)
    codes = sorted({code for grids in mine.values() for code in grids})
    if not codes:
        return {}
    units = list(OrgUnit.objects.filter(code__in=codes).order_by("code"))
    below = people_selectors.completeness_below(system_reader(), plan.unit, units)
    by_code = {result.unit.code: result for result in below}
    values = {}
    for pk, grids in mine.items():
        checks: dict[str, people_selectors.Check] = {}
        for code in grids:
            for check in by_code[code].checks if code in by_code else []:
                total = checks.setdefault(
                    check.code, people_selectors.Check(check.code, check.label, 0, 0)
                )
                total.total += check.total
                total.done += check.done
        score = people_selectors.Completeness(plan.unit, list(checks.values())).score
        if score is not None:
            values[pk] = _cents(Decimal(str(score)))
    return values


RATE_KEYS = ("response", "closure", "solution", "satisfaction")


def _period(plan: Plan) -> tuple[dt.date, dt.date]:
    return dt.date(plan.year, 1, 1), min(dt.date(plan.year, 12, 31), timezone.localdate())


def rates_of(units: Sequence[OrgUnit], plan: Plan) -> dict[str, dict[str, tuple[int, int]]]:
    """The four rates' (numerator, denominator) of each unit over the plan's year, by code,
    from the events' rollups (events/selectors.figures_for_units)."""
    start, end = _period(plan)
    if start > end or not units:
        return {unit.code: {} for unit in units}
    figures = event_selectors.figures_for_units(list(units), start, end)
    return {
        figure.unit.code: {
            rate.key: (rate.numerator, rate.denominator)
            for rate in figure.rates
            if rate.key in RATE_KEYS
        }
        for figure in figures
    }


def four_rates_value(parts: Iterable[Mapping[str, tuple[int, int]]]) -> Decimal | None:
    """One 0–100 value from the four rates of one or more grids: each rate pooled over the
    grids (Σ numerators ÷ Σ denominators), then the mean of the rates that have a denominator;
    None when none has."""
    sums = {key: [0, 0] for key in RATE_KEYS}
    for part in parts:
        for key, (num, den) in part.items():
            if key in sums:
                sums[key][0] += num
                sums[key][1] += den
    rates = [Decimal(num) * 100 / Decimal(den) for num, den in sums.values() if den]
    if not rates:
        return None
    return _cents(sum(rates, Decimal(0)) / len(rates))


def values_rates(plan: Plan) -> dict[int, Decimal]:
    """The four rates (响应率、办结率、解决率、满意率) of the worker's drawn grids over the plan's
    year, as one value: `four_rates_value`."""
    mine = _worker_grids(plan)
    codes = sorted({code for grids in mine.values() for code in grids})
    units = list(OrgUnit.objects.filter(code__in=codes).order_by("code"))
    rates = rates_of(units, plan)
    values = {}
    for pk, grids in mine.items():
        value = four_rates_value(rates.get(code, {}) for code in grids)
        if value is not None:
            values[pk] = value
    return values


def values_spot_checks(plan: Plan) -> dict[int, Decimal]:
    """The share of rows found right (× 100) among the rows marked in the spot checks in force
    of the worker's drawn grids; no value while none is marked."""
    mine = _worker_grids(plan)
    checks = spot_checks_in_force(plan)
    tally: dict[str, list[int]] = {}
    for code, check in checks.items():
        answers = [item.correct for item in check.items.all() if item.correct is not None]
        tally[code] = [sum(1 for correct in answers if correct), len(answers)]
    values = {}
    for pk, grids in mine.items():
        right = sum(tally[code][0] for code in grids if code in tally)
        marked = sum(tally[code][1] for code in grids if code in tally)
        if marked:
            values[pk] = _cents(Decimal(right) * 100 / Decimal(marked))
    return values


def values_cross_boundary(plan: Plan) -> dict[int, Decimal]:
    """The mean of the worker's reviewed cross-boundary reports: high 100, ordinary 70, poor
    40 (QUALITY_POINTS); no value for a worker with none reviewed."""
    by_user = dict(plan.workers.values_list("worker_id", "pk"))
    points: dict[int, list[Decimal]] = defaultdict(list)
    for worker_id, quality in plan.cross_reviews.values_list("worker_id", "quality"):
        if worker_id in by_user:
            points[by_user[worker_id]].append(QUALITY_POINTS[Quality(quality)])
    return {pk: _cents(sum(marks, Decimal(0)) / len(marks)) for pk, marks in points.items()}


def values_inspections(plan: Plan) -> dict[int, Decimal]:
    """The mean score (0–100) of the worker's inspections; no value for one not inspected."""
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for pk, score in plan.inspections.values_list("plan_worker_id", "score"):
        scores[pk].append(score)
    return {pk: _cents(sum(marks, Decimal(0)) / len(marks)) for pk, marks in scores.items()}
