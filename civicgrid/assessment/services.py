"""Every write to a plan: create it and set its weighted indicators, open it (fixing the workers
in scope), enter assessors' values, compute and announce the scores, answer appeals, compute
again, publish and lock the result, and put the best workers on the honour list.

Who: the assessors of a plan are street or district staff of the plan's unit or above it
(`roles.ASSESSOR_ROLES`); the workers in scope see and appeal their own line only.

The plan's life (`workflow.PLANS`): draft (indicators and weights set; they must add up to 100
to open) → running (draws, inspections, spot checks, the test; assessors enter values) →
scoring (scores announced, `appeals_until` = `appeal_days` working days later; a worker may
appeal until then; upheld appeals lead to corrected values and a new computation) →
published (locked: no value, inspection, draw, paper or appeal changes any more).

**The rule for publishing**: a plan is published only when the appeal period is over
(`appeals_until` has passed), no appeal is waiting for an answer, and nothing changed since
the scores were last computed (an entry saved or an appeal upheld afterwards asks for a new
computation first). Other parts call `require_open(plan)` inside their transaction before they
change anything that feeds the scores.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.assessment import scoring
from civicgrid.assessment.models import (
    Appeal,
    AppealAction,
    AppealStatus,
    Entry,
    Honour,
    HonourPhoto,
    Indicator,
    Part,
    Plan,
    PlanAction,
    PlanStatus,
    PlanStep,
    PlanWorker,
    Source,
)
from civicgrid.assessment.roles import ASSESSOR_ROLES, WORKER_ROLES
from civicgrid.assessment.workflow import APPEALS, PLANS
from civicgrid.core.cleaning import plain_text, web_url
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.photos import read_photos
from civicgrid.events.workdays import add_working_days
from civicgrid.messaging.services import notify
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.scoping import holds

S = PlanStatus
# While these, the records that feed the scores may change (entries, draws, inspections,
# papers); once published nothing does.
OPEN = (S.RUNNING, S.SCORING)
PLAN_UNIT_KINDS = frozenset({Kind.STREET, Kind.DISTRICT})
# How many indicators a plan may have, and how long the free texts may be.
MOST_INDICATORS = 30
REASON_LIMIT = 2000
STORY_LIMIT = 20000
NOTE_LIMIT = 300
HUNDRED = Decimal(100)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _text(value: str | None, field: str, *, limit: int, required: str | None = None) -> str:
    text = plain_text(value or "").strip()
    if required and not text:
        raise InvalidInput(required, field=field)
    if len(text) > limit:
        raise InvalidInput(_("Keep it under %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def is_assessor(actor: Any, plan: Plan) -> bool:
    return holds(actor, plan.unit_code, ASSESSOR_ROLES)


def _require_assessor(actor: Any, plan: Plan) -> None:
    if not is_assessor(actor, plan):
        raise NotAllowed(
            _("Only the street or district staff who run this assessment may do that.")
        )


def require_open(plan: Plan | int, *, statuses: Sequence[str] = OPEN) -> Plan:
    """The plan, locked (`SELECT … FOR UPDATE`) for the caller's transaction, if its status is
    one of `statuses` (running or scoring by default); Conflict otherwise, saying why: not yet
    started, or published and locked. Every part calls it before changing what feeds the
    scores (an entry, a draw, a spot check, an inspection, a paper), so nothing changes once
    the result is published, even while publishing runs at the same moment."""
    pk = plan.pk if isinstance(plan, Plan) else plan
    locked = Plan.objects.select_for_update().select_related("unit").get(pk=pk)
    if locked.status not in statuses:
        if locked.status == S.PUBLISHED:
            raise Conflict(
                _("The assessment is published and locked: nothing can be changed any more."),
                details={"status": locked.status},
            )
        raise Conflict(
            _("The assessment is %(status)s: this cannot be done now.")
            % {"status": locked.get_status_display()},
            details={"status": locked.status},
        )
    return locked


# ---- the plan and its indicators ---------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    unit: OrgUnit,
    year: int,
    title: str = "",
    appeal_days: int = 5,
    now: dt.datetime | None = None,
) -> Plan:
    """A draft plan of a street's (or a district's) assessment for `year`."""
    now = _now(now)
    if unit.kind not in PLAN_UNIT_KINDS:
        raise InvalidInput(_("An assessment plan belongs to a street or a district."), field="unit")
    if not holds(actor, unit.code, ASSESSOR_ROLES):
        raise NotAllowed(_("Only the staff of this street or district may plan its assessment."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(_("Give a year between 2000 and 2100."), field="year")
    appeal_days = _appeal_days(appeal_days)
    title = _text(title, "title", limit=100) or _(
        "%(year)s assessment of the grid workers of %(unit)s"
    ) % {
        "year": year,
        "unit": unit.display_name,
    }
    if Plan.objects.filter(unit=unit, year=year).exists():
        raise Conflict(
            _("%(unit)s has a plan for %(year)s already.")
            % {"unit": unit.display_name, "year": year},
            field="year",
        )
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                unit=unit,
                year=year,
                title=title[:100],
                appeal_days=appeal_days,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(
            _("%(unit)s has a plan for %(year)s already.")
            % {"unit": unit.display_name, "year": year},
            field="year",
        ) from None
    PLANS.start(plan, PlanAction.CREATE, actor=actor, now=now)
    return plan


def _appeal_days(value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Give the days to appeal as a whole number."), field="appeal_days"
        ) from None
    if not 1 <= days <= 30:
        raise InvalidInput(_("Workers have 1 to 30 working days to appeal."), field="appeal_days")
    return days


def _draft(actor: Any, plan: Plan) -> Plan:
    locked = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    _require_assessor(actor, locked)
    if locked.status != S.DRAFT:
        raise Conflict(
            _("The plan has started: its indicators and weights can no longer be changed."),
            details={"status": locked.status},
        )
    return locked


@transaction.atomic
def update_plan(*, actor: Any, plan: Plan, title: str, appeal_days: int) -> Plan:
    """The title and the days to appeal of a draft plan."""
    locked = _draft(actor, plan)
    locked.title = _text(title, "title", limit=100, required=_("Give the plan a title."))
    locked.appeal_days = _appeal_days(appeal_days)
    locked.save(update_fields=["title", "appeal_days"])
    return locked


@dataclass
class IndicatorData:
    """One row of the indicators table; `id` names an indicator kept from before."""

    part: str
    name: str
    weight: Any
    source: str
    id: int | None = None


def _weight(raw: Any, field: str) -> Decimal:
    try:
        weight = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give the weight as a number from 0 to 100."), field=field) from None
    if not weight.is_finite() or not 0 <= weight <= HUNDRED:
        raise InvalidInput(_("Give the weight as a number from 0 to 100."), field=field)
    if weight != weight.quantize(Decimal("0.01")):
        raise InvalidInput(_("A weight has at most two decimals."), field=field)
    return weight


@transaction.atomic
def save_indicators(*, actor: Any, plan: Plan, rows: Sequence[IndicatorData]) -> list[Indicator]:
    """Set a draft plan's indicators to `rows`, in that order: rows with an id change that
    indicator, rows without one add one, indicators not named are removed. The weights may
    add up to anything while drafting; opening the plan needs exactly 100."""
    locked = _draft(actor, plan)
    if len(rows) > MOST_INDICATORS:
        raise InvalidInput(
            _("A plan has at most %(n)d indicators.") % {"n": MOST_INDICATORS}, field="indicators"
        )
    existing = {i.pk: i for i in locked.indicators.all()}
    kept: list[Indicator] = []
    for position, row in enumerate(rows):
        prefix = f"indicators.{position}"
        if row.part not in Part.values:
            raise InvalidInput(_("Choose the part of the indicator."), field=f"{prefix}.part")
        if row.source not in Source.values:
            raise InvalidInput(_("Choose where the values come from."), field=f"{prefix}.source")
        name = _text(row.name, f"{prefix}.name", limit=60, required=_("Name the indicator."))
        weight = _weight(row.weight, f"{prefix}.weight")
        if row.id is not None:
            indicator = existing.pop(row.id, None)
            if indicator is None:
                raise InvalidInput(
                    _("The form names an indicator this plan does not have; reload the page."),
                    field=f"{prefix}.id",
                )
        else:
            indicator = Indicator(plan=locked)
        indicator.part, indicator.name, indicator.weight = row.part, name, weight
        indicator.source, indicator.position = row.source, position
        indicator.save()
        kept.append(indicator)
    names = [i.name for i in kept]
    if len(set(names)) != len(names):
        raise InvalidInput(_("Two indicators have the same name."), field="indicators")
    Indicator.objects.filter(pk__in=list(existing)).delete()
    return kept


def weight_total(plan: Plan) -> Decimal:
    return sum((i.weight for i in plan.indicators.all()), Decimal(0))


# ---- opening: the workers in scope ------------------------------------------------------------


def workers_in_scope(plan: Plan) -> list[dict[str, Any]]:
    """Who the plan assesses, as it stands now: every active user with an active grid-worker
    or grid-leader posting in a grid of one of the plan's active communities (a grid leader
    may be posted to the community itself). One row per worker: their community (the first
    by code when they serve in two) and the codes of their grids. A dedicated grid hanging on
    the street itself, outside every community, is not in scope."""
    communities = {
        c.code: c
        for c in OrgUnit.objects.filter(
            code__under=plan.unit_code, kind=Kind.COMMUNITY, active=True
        )
    }
    postings = (
        Posting.objects.filter(
            unit_code__under=plan.unit_code,
            role__in=list(WORKER_ROLES),
            active=True,
            unit__active=True,
            user__is_active=True,
        )
        .select_related("unit")
        .order_by("unit_code", "pk")
    )
    found: dict[int, dict[str, Any]] = {}
    for posting in postings:
        unit = posting.unit
        if unit.kind not in {Kind.GRID, Kind.DEDICATED_GRID, Kind.COMMUNITY}:
            continue
        community = next((c for code, c in communities.items() if unit.code.startswith(code)), None)
        if community is None:
            continue
        row = found.setdefault(
            posting.user_id, {"worker_id": posting.user_id, "community": community, "grids": []}
        )
        if unit.kind != Kind.COMMUNITY and unit.code not in row["grids"]:
            row["grids"].append(unit.code)
    return list(found.values())


def open_plan(
    *, actor: Any, plan: Plan, version: int | None = None, now: dt.datetime | None = None
) -> Plan:
    """Start the assessment: the weights must add up to 100, and the workers in scope are
    fixed now (`PlanWorker` with their community and grids)."""

    def change(row: Plan, at: dt.datetime) -> None:
        indicators = list(row.indicators.all())
        if not indicators:
            raise Conflict(_("Add the indicators before starting the assessment."))
        total = sum((i.weight for i in indicators), Decimal(0))
        if total != HUNDRED:
            raise Conflict(
                _("The weights add up to %(total)s; they must add up to 100.")
                % {"total": scoring.plain(total)},
                field="weight",
            )
        scope = workers_in_scope(row)
        if not scope:
            raise Conflict(_("No grid worker is posted in this plan's communities."))
        PlanWorker.objects.bulk_create(
            PlanWorker(
                plan=row,
                worker_id=item["worker_id"],
                community=item["community"],
                community_code=item["community"].code,
                grid_codes=item["grids"],
            )
            for item in scope
        )
        row.opened_at = at

    return PLANS.run(
        plan, PlanAction.OPEN, actor=actor, now=_now(now), version=version, change=change
    )


# ---- entries ---------------------------------------------------------------------------------


def _value(raw: Any, field: str) -> Decimal:
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give a value from 0 to 100."), field=field) from None
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        raise InvalidInput(_("Give a value from 0 to 100."), field=field)
    if number != number.quantize(Decimal("0.01")):
        raise InvalidInput(_("A value has at most two decimals."), field=field)
    return number


@dataclass
class EntryData:
    plan_worker: PlanWorker
    value: Any
    note: str = ""


@transaction.atomic
def save_entries(
    *,
    actor: Any,
    indicator: Indicator,
    rows: Sequence[EntryData],
    now: dt.datetime | None = None,
) -> list[Entry]:
    """An assessor's values (0–100, with a note) of an entered indicator for some workers,
    all or none; a worker's earlier value is replaced. Only while the plan runs or its scores
    are announced (a changed value counts once the scores are computed again)."""
    now = _now(now)
    plan = require_open(indicator.plan_id)
    _require_assessor(actor, plan)
    if indicator.source != Source.ENTERED:
        raise Conflict(_("The values of this indicator are computed, not entered."))
    saved = []
    for index, row in enumerate(rows):
        if row.plan_worker.plan_id != plan.pk:
            raise InvalidInput(
                _("That worker is not assessed in this plan."), field=f"entries.{index}.worker"
            )
        number = _value(row.value, f"entries.{index}.value")
        note = _text(row.note, f"entries.{index}.note", limit=NOTE_LIMIT)
        entry, _created = Entry.objects.update_or_create(
            plan_worker=row.plan_worker,
            indicator=indicator,
            defaults={"value": number, "note": note, "entered_by": actor, "entered_at": now},
        )
        saved.append(entry)
    return saved


def save_entry(
    *,
    actor: Any,
    plan_worker: PlanWorker,
    indicator: Indicator,
    value: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> Entry:
    return save_entries(
        actor=actor,
        indicator=indicator,
        rows=[EntryData(plan_worker, value, note)],
        now=now,
    )[0]


# ---- scores ----------------------------------------------------------------------------------


def compute_scores(plan: Plan) -> int:
    """Every worker's values, weighted score and ranks (per community and across the plan),
    written to their `PlanWorker` rows; returns how many have a score."""
    indicators = list(plan.indicators.all())
    missing = scoring.unregistered(i.source for i in indicators)
    if missing:
        labels = ", ".join(str(Source(s).label) for s in missing)
        raise Conflict(
            _("The values of %(sources)s are not available on this site.") % {"sources": labels}
        )
    values = scoring.indicator_values(plan, indicators)
    weights = scoring.weights_of(indicators)
    workers = list(plan.workers.all())
    for line in workers:
        mine = {pk: by_worker[line.pk] for pk, by_worker in values.items() if line.pk in by_worker}
        line.details = {str(pk): str(v) for pk, v in mine.items()}
        line.score = scoring.score_of(weights, mine)
    in_plan = scoring.ranks({line.pk: line.score for line in workers})
    by_community: dict[str, dict[int, Decimal | None]] = {}
    for line in workers:
        by_community.setdefault(line.community_code, {})[line.pk] = line.score
    in_community: dict[int, int | None] = {}
    for scores in by_community.values():
        in_community.update(scoring.ranks(scores))
    for line in workers:
        line.rank_in_plan = in_plan[line.pk]
        line.rank_in_community = in_community[line.pk]
    PlanWorker.objects.bulk_update(
        workers, ["details", "score", "rank_in_plan", "rank_in_community"]
    )
    return sum(1 for line in workers if line.score is not None)


def score_plan(
    *, actor: Any, plan: Plan, version: int | None = None, now: dt.datetime | None = None
) -> Plan:
    """Compute and announce the scores; the workers may appeal for `appeal_days` working days
    (the official calendar, events.workdays) and each is told."""
    now = _now(now)

    def change(row: Plan, at: dt.datetime) -> None:
        compute_scores(row)
        row.scored_at = at
        row.appeals_until = add_working_days(at, row.appeal_days)

    done = PLANS.run(plan, PlanAction.SCORE, actor=actor, now=now, version=version, change=change)
    notify(
        users=done.workers.values_list("worker_id", flat=True),
        text=_("The scores of %(plan)s are announced; you may appeal until %(until)s.")
        % {
            "plan": done.title,
            "until": timezone.localtime(done.appeals_until).strftime("%Y-%m-%d %H:%M"),
        },
        link=reverse("assessment:mine"),
    )
    return done


def rescore_plan(
    *, actor: Any, plan: Plan, version: int | None = None, now: dt.datetime | None = None
) -> Plan:
    """Compute the scores again (after an upheld appeal led to a corrected value). The appeal
    period is not moved."""

    def change(row: Plan, at: dt.datetime) -> None:
        compute_scores(row)

    return PLANS.run(
        plan, PlanAction.RESCORE, actor=actor, now=_now(now), version=version, change=change
    )


def last_scored_at(plan: Plan) -> dt.datetime | None:
    return PlanStep.objects.filter(
        plan=plan, action__in=[PlanAction.SCORE, PlanAction.RESCORE]
    ).aggregate(at=Max("at"))["at"]


def stale_since_scored(plan: Plan) -> bool:
    """Whether a value was entered or an appeal upheld after the scores were last computed."""
    scored = last_scored_at(plan)
    if scored is None:
        return False
    entered = Entry.objects.filter(plan_worker__plan=plan, entered_at__gt=scored).exists()
    upheld = Appeal.objects.filter(
        plan_worker__plan=plan, status=AppealStatus.UPHELD, answered_at__gt=scored
    ).exists()
    return entered or upheld


def publish_plan(
    *, actor: Any, plan: Plan, version: int | None = None, now: dt.datetime | None = None
) -> Plan:
    """Publish and lock the result: only once the appeal period is over, no appeal waits for
    an answer and the scores are up to date (see the module's docstring)."""

    def change(row: Plan, at: dt.datetime) -> None:
        if row.appeals_until is not None and at < row.appeals_until:
            raise Conflict(
                _("Workers may appeal until %(until)s: publish after that.")
                % {"until": timezone.localtime(row.appeals_until).strftime("%Y-%m-%d %H:%M")}
            )
        if Appeal.objects.filter(plan_worker__plan=row, status=AppealStatus.FILED).exists():
            raise Conflict(_("An appeal is waiting for an answer: answer every appeal first."))
        if stale_since_scored(row):
            raise Conflict(
                _("Values changed since the scores were computed: compute them again first.")
            )
        row.published_at = at

    done = PLANS.run(
        plan, PlanAction.PUBLISH, actor=actor, now=_now(now), version=version, change=change
    )
    notify(
        users=done.workers.values_list("worker_id", flat=True),
        text=_("The result of %(plan)s is published.") % {"plan": done.title},
        link=reverse("assessment:mine"),
    )
    return done


# ---- appeals ---------------------------------------------------------------------------------


@transaction.atomic
def file_appeal(
    *,
    actor: Any,
    plan_worker: PlanWorker,
    reason: str,
    indicator: Indicator | None = None,
    now: dt.datetime | None = None,
) -> Appeal:
    """A worker's appeal against their announced score, overall (`indicator` None) or against
    one indicator: once for each, with a reason, while the scores are announced and before
    `appeals_until`."""
    now = _now(now)
    if actor is None or plan_worker.worker_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the worker assessed may appeal against their score."))
    plan = require_open(plan_worker.plan_id, statuses=(S.SCORING,))
    if plan.appeals_until is not None and now >= plan.appeals_until:
        raise Conflict(_("The time to appeal is over."))
    if indicator is not None and indicator.plan_id != plan.pk:
        raise InvalidInput(_("That indicator is not part of this plan."), field="indicator")
    reason = _text(reason, "reason", limit=REASON_LIMIT, required=_("Say why you appeal."))
    if Appeal.objects.filter(plan_worker=plan_worker, indicator=indicator).exists():
        raise Conflict(
            _("You appealed against this already.")
            if indicator is None
            else _("You appealed against this indicator already."),
            field="indicator",
        )
    appeal = Appeal.objects.create(
        plan_worker=plan_worker, indicator=indicator, reason=reason, filed_at=now
    )
    APPEALS.start(appeal, AppealAction.FILE, actor=actor, now=now, note=reason[:200])
    assessors = Posting.objects.filter(
        role__in=list(ASSESSOR_ROLES),
        active=True,
        unit__active=True,
        unit__code__in=_codes_above(plan.unit_code),
    ).values_list("user_id", flat=True)
    notify(
        users=assessors,
        text=_("A worker appealed against their score in %(plan)s.") % {"plan": plan.title},
        link=reverse("assessment:appeals", args=[plan.pk]),
    )
    return appeal


def _codes_above(code: str) -> list[str]:
    return [code[:length] for length in range(2, len(code) + 1)]


def answer_appeal(
    *,
    actor: Any,
    appeal: Appeal,
    uphold: bool,
    answer: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Appeal:
    """An assessor who is not the appellant upholds or dismisses an appeal, with an answer.
    After upholding, the assessor corrects the value and computes the scores again."""
    answer = _text(answer, "answer", limit=REASON_LIMIT, required=_("Write the answer."))
    action = AppealAction.UPHOLD if uphold else AppealAction.DISMISS

    def change(row: Appeal, at: dt.datetime) -> None:
        require_open(row.plan_worker.plan_id, statuses=(S.SCORING,))
        row.answer = answer
        row.answered_at = at

    with transaction.atomic():
        done = APPEALS.run(
            appeal,
            action,
            actor=actor,
            now=_now(now),
            version=version,
            note=answer[:200],
            change=change,
        )
        notify(
            users=[done.plan_worker.worker_id],
            text=_("Your appeal was answered: %(status)s.") % {"status": done.get_status_display()},
            link=reverse("assessment:mine"),
        )
    return done


# ---- honours ---------------------------------------------------------------------------------


@dataclass
class HonourData:
    title: str
    story: str
    video_url: str = ""


def _honour_fields(data: HonourData) -> dict[str, str]:
    return {
        "title": _text(data.title, "title", limit=60, required=_("Give the honour's title.")),
        "story": _text(data.story, "story", limit=STORY_LIMIT, required=_("Tell the story.")),
        "video_url": web_url(data.video_url, field="video_url")[:200],
    }


@transaction.atomic
def add_honour(
    *,
    actor: Any,
    plan_worker: PlanWorker,
    data: HonourData,
    photos: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Honour:
    """Put a worker of a published plan on its honour list, with their story, photos and a
    video link; public at once."""
    now = _now(now)
    plan = require_open(plan_worker.plan_id, statuses=(S.PUBLISHED,))
    _require_assessor(actor, plan)
    fields = _honour_fields(data)
    cleaned = read_photos(photos)
    if Honour.objects.filter(plan_worker=plan_worker).exists():
        raise Conflict(_("This worker is on the honour list already."), field="worker")
    position = (plan.honours.aggregate(last=Max("position"))["last"] or 0) + 1
    honour = Honour.objects.create(
        unit=plan.unit,
        plan=plan,
        plan_worker=plan_worker,
        position=position,
        published_at=now,
        **fields,
    )
    for photo in cleaned:
        HonourPhoto.objects.create(honour=honour, image=photo.content)
    return honour


@transaction.atomic
def update_honour(
    *, actor: Any, honour: Honour, data: HonourData, photos: Sequence[UploadedFile] = ()
) -> Honour:
    plan = require_open(honour.plan_id, statuses=(S.PUBLISHED,))
    _require_assessor(actor, plan)
    fields = _honour_fields(data)
    cleaned = read_photos(photos)
    for name, value in fields.items():
        setattr(honour, name, value)
    honour.save(update_fields=list(fields))
    for photo in cleaned:
        HonourPhoto.objects.create(honour=honour, image=photo.content)
    return honour


@transaction.atomic
def remove_honour(*, actor: Any, honour: Honour) -> None:
    plan = require_open(honour.plan_id, statuses=(S.PUBLISHED,))
    _require_assessor(actor, plan)
    for photo in honour.photos.all():
        photo.image.delete(save=False)
    honour.delete()


def appeals_open(plan: Plan, now: dt.datetime | None = None) -> bool:
    """Whether the workers of `plan` may appeal now."""
    return (
        plan.status == S.SCORING
        and plan.appeals_until is not None
        and _now(now) < plan.appeals_until
    )
