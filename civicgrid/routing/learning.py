"""What the deployment's own models learn from: its closed events.

An event teaches its final category (the category model) and the department that really
handled it (the department model: the kind of the department unit it was with when it closed).
An event a person corrected weighs more (`settings.ROUTING_CORRECTION_WEIGHT`): for the category,
a dispatcher changed it (a `recategorize` step); for the department, it was transferred or sent
to another unit after a first dispatch (a second dispatch or route step), or recategorized.
Rejected events teach nothing, and neither do open ones: their category may still change.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from civicgrid.events.models import Event, EventStep, Status, StepAction
from civicgrid.org.kinds import Kind
from civicgrid.routing.models import Target

CLOSED = (Status.CLOSED, Status.RATED)


@dataclass
class Rows:
    """Training rows, oldest closed first."""

    texts: list[str]
    labels: list[str]
    weights: list[float]
    closed_at: list[dt.datetime]
    corrected: list[bool]

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def corrections(self) -> int:
        return sum(self.corrected)

    def part(self, start: int, stop: int | None = None) -> "Rows":
        window = slice(start, stop)
        return Rows(
            self.texts[window],
            self.labels[window],
            self.weights[window],
            self.closed_at[window],
            self.corrected[window],
        )

    def learnable(self, least: int) -> "Rows":
        """Only the rows whose label has at least `least` rows (a label seen once can be
        neither learned nor measured)."""
        counts = Counter(self.labels)
        keep = [i for i, label in enumerate(self.labels) if counts[label] >= least]
        return Rows(
            [self.texts[i] for i in keep],
            [self.labels[i] for i in keep],
            [self.weights[i] for i in keep],
            [self.closed_at[i] for i in keep],
            [self.corrected[i] for i in keep],
        )


def text_of(title: str, description: str) -> str:
    """What a report says: its title as the subject line, then its description."""
    return f"{title.strip()} {description.strip()}".strip()


def _corrected_events(target: str) -> set[int]:
    """Events with a person's correction for `target` among their steps."""
    fix = EventStep.objects.filter(event__status__in=CLOSED)
    found = set(fix.filter(action=StepAction.RECATEGORIZE).values_list("event_id", flat=True))
    if target == Target.DEPARTMENT:
        found |= set(fix.filter(action=StepAction.TRANSFER).values_list("event_id", flat=True))
        found |= set(
            fix.filter(action__in=[StepAction.DISPATCH, StepAction.ROUTE])
            .values("event_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("event_id", flat=True)
        )
    return found


def rows(target: str, *, limit: int | None = None) -> Rows:
    """The closed events' rows for `target` (Target.CATEGORY or Target.DEPARTMENT): the most
    recent `limit` (settings.ROUTING_MAX_ROWS), oldest first."""
    limit = limit or settings.ROUTING_MAX_ROWS
    events = Event.objects.filter(status__in=CLOSED, closed_at__isnull=False)
    if target == Target.DEPARTMENT:
        events = events.filter(handler_unit__kind=Kind.DEPARTMENT).exclude(handler_unit__subkind="")
        label_field = "handler_unit__subkind"
    else:
        label_field = "category__code"
    found = list(
        events.order_by("-closed_at", "-id").values_list(
            "id", "title", "description", label_field, "closed_at"
        )[:limit]
    )
    found.reverse()
    corrected = _corrected_events(target)
    weight = settings.ROUTING_CORRECTION_WEIGHT
    return Rows(
        texts=[text_of(title, description) for _id, title, description, _l, _c in found],
        labels=[label for *_rest, label, _c in found],
        weights=[weight if pk in corrected else 1.0 for pk, *_rest in found],
        closed_at=[closed for *_rest, closed in found],
        corrected=[pk in corrected for pk, *_rest in found],
    )


def closed_since(target: str, moment: dt.datetime | None) -> int:
    """How many events `target` would learn from closed after `moment` (all without one)."""
    events = Event.objects.filter(status__in=CLOSED, closed_at__isnull=False)
    if target == Target.DEPARTMENT:
        events = events.filter(handler_unit__kind=Kind.DEPARTMENT)
    if moment is not None:
        events = events.filter(closed_at__gt=moment)
    return events.count()
